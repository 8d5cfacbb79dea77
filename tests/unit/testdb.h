/*
 * testdb.h — a migrated SQLite database in a fresh temporary directory, with a
 * connection pool on it, for the unit tests that run code against the schema
 * (test_scheduler.c, test_em_fixstore.c). Header-only: each test program
 * includes it once.
 *
 *   static struct testdb tdb;
 *   setup:    return testdb_open(&tdb, "kadam-sched");
 *   teardown: return testdb_close(&tdb);
 */
#ifndef KADAM_TESTS_TESTDB_H
#define KADAM_TESTS_TESTDB_H

#include <stdio.h>
#include <stdlib.h>

#include "store/db.h"

struct testdb {
	char dir[64];      /* /tmp/PREFIX-XXXXXX */
	char url[128];     /* sqlite:DIR/k.db */
	db_pool *pool;     /* 4 connections */
};

/* Makes the directory, migrates the database, opens the pool. 0, or -1 with the reason on stderr. */
static inline int testdb_open(struct testdb *t, const char *prefix)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/%s-XXXXXX", prefix);
	if (!mkdtemp(t->dir)) {
		perror("testdb: mkdtemp");
		return -1;
	}
	snprintf(t->url, sizeof t->url, "sqlite:%s/k.db", t->dir);
	db *conn = NULL;
	char *error = NULL;
	int applied = 0;
	if (db_open(t->url, &conn, &error) != DB_OK || db_migrate(conn, &applied, &error) != DB_OK ||
	    (db_close(&conn), db_pool_open(t->url, 4, &t->pool, &error)) != DB_OK) {
		fprintf(stderr, "testdb: %s\n", error ? error : "opening the database failed");
		free(error);
		db_close(&conn);
		return -1;
	}
	return 0;
}

/* Closes the pool and removes the directory. 0, or -1. */
static inline int testdb_close(struct testdb *t)
{
	db_pool_close(&t->pool);
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
