/*
 * db_impl.h — what the backends (sqlite.c, pgsql.c) and the generic layer
 * (db.c, pool.c, migrate.c) share. Nothing outside src/store/ includes this.
 */
#ifndef KADAM_STORE_DB_IMPL_H
#define KADAM_STORE_DB_IMPL_H

#include <stdbool.h>

#include "store/db.h"

/*
 * The part of every connection that the generic layer reads. Each backend's
 * own connection struct embeds this first, so a `db *` is also a pointer to
 * the backend struct. Owned by whoever opened the connection (or its pool).
 */
struct db {
	const struct db_driver *driver; /* dispatch table; never NULL */
	const char *begin_sql;          /* static text db_begin runs ("BEGIN IMMEDIATE" / "BEGIN") */
	bool in_transaction;            /* the engine's real state, refreshed by the driver after each call */
	bool tx_failed;                 /* a statement failed since db_begin: commit must refuse */
	bool broken;                    /* the link to the server is lost: the pool pings (reconnects) first */
	char *error;                    /* last error message, owned here; NULL when there was none */
};

/*
 * The part of every prepared statement the generic layer reads; embedded
 * first in each backend's statement struct. Owned by the caller of
 * db_prepare until db_finalize.
 */
struct db_stmt {
	db *db; /* the connection it was prepared on (not owned) */
};

/* Replaces db->error with a formatted message. */
void db_set_error(db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Replaces db->error with msg, dropping trailing white space (driver messages end in "\n"). */
void db_set_error_text(db *db, const char *msg);
/* Frees the message; backends call it from close. */
void db_clear_error(db *db);

/*
 * PostgreSQL placeholder conversion, exposed for the unit tests: returns a
 * malloc'd copy of sql with each `?` outside literals, quoted identifiers and
 * comments replaced by $1, $2 ... and the number of placeholders in *count_r.
 */
char *db_pgsql_convert_placeholders(const char *sql, int *count_r);

#endif
