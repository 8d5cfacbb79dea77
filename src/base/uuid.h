/*
 * uuid.h — UUIDv7 identifiers (RFC 9562), made by the application so that
 * ids are portable across backends and agencies and sort by creation time.
 */
#ifndef KADAM_BASE_UUID_H
#define KADAM_BASE_UUID_H

#include <stdbool.h>

#define UUID_STR_LEN 37 /* 36 characters and the NUL */

/* Writes a new UUIDv7 (time from the clock module, the rest random) as lowercase text. */
void uuid_v7(char out[UUID_STR_LEN]);
/* True when s is a canonical lowercase or uppercase UUID text of any version. */
bool uuid_valid(const char *s);

#endif
