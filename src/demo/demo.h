/*
 * demo.h — synthetic demo data for `kadam demo` and `make run`. Every name,
 * number and place in it is invented. Each issue that adds records grows it.
 */
#ifndef KADAM_DEMO_DEMO_H
#define KADAM_DEMO_DEMO_H

#include "store/db.h"

/* Loads the demo data in one transaction (idempotent). *error_r is malloc'd on failure. */
enum db_status demo_seed(db *conn, char **error_r);

#endif
