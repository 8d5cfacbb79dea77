/* fixstore.c — PLACEHOLDER (issue 7, owner: ingest). */
#include "em/fixstore.h"

enum db_status fixstore_append(db *conn, const struct stored_fix *rows, size_t n)
{ (void)conn; (void)rows; (void)n; return DB_ERROR; }
enum db_status fixstore_compact(db *conn, long *moved_r) { (void)conn; *moved_r = 0; return DB_OK; }
enum db_status fixstore_read(db *conn, int64_t device_num, int64_t from, int64_t to, size_t max,
                             fixstore_each_fn each, void *ctx, size_t *count_r)
{ (void)conn; (void)device_num; (void)from; (void)to; (void)max; (void)each; (void)ctx; *count_r = 0; return DB_ERROR; }
enum db_status fixstore_hold(db *conn, int64_t device_num, int64_t from, int64_t to, const char *alert_id, int64_t now)
{ (void)conn; (void)device_num; (void)from; (void)to; (void)alert_id; (void)now; return DB_ERROR; }
enum db_status fixstore_erase_before(db *conn, int64_t before, long *erased_r)
{ (void)conn; (void)before; *erased_r = 0; return DB_OK; }
size_t fixstore_pack(const struct stored_fix *fixes, size_t n, unsigned char **blob_r)
{ (void)fixes; (void)n; *blob_r = NULL; return 0; }
bool fixstore_unpack(const unsigned char *blob, size_t len, int64_t device_num, struct stored_fix **fixes_r, size_t *n_r)
{ (void)blob; (void)len; (void)device_num; *fixes_r = NULL; *n_r = 0; return false; }
