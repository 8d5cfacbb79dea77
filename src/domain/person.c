/* person.c — the person record and its search index; see person.h. */
#include "domain/person.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/casefile.h"
#include "domain/names.h"

/* Latin spellings default to the transliteration of the names as written. */
static const char *latin_or_default(const char *latin, const char *name, char *tmp, size_t size)
{
	if (latin && *latin)
		return latin;
	if (!name || !*name || !names_latin(name, tmp, size))
		return NULL;
	return tmp;
}

enum db_status person_create(db *conn, const char *unit_id, const struct person_fields *f, const char *actor_id,
                             int64_t now, char id_r[UUID_STR_LEN])
{
	char sl[NAMES_KEY_MAX], gl[NAMES_KEY_MAX], pl[NAMES_KEY_MAX];
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO person (id, unit_id, surname, given_name, patronymic, surname_latin, given_name_latin,"
		" patronymic_latin, sex, birth_date, birth_place, citizenship, languages, preferred_language,"
		" created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"ttttttttttttttiti", id_r, unit_id, f->surname, f->given_name, f->patronymic,
		latin_or_default(f->surname_latin, f->surname, sl, sizeof sl),
		latin_or_default(f->given_name_latin, f->given_name, gl, sizeof gl),
		latin_or_default(f->patronymic_latin, f->patronymic, pl, sizeof pl), f->sex, f->birth_date,
		f->birth_place, f->citizenship, f->languages ? f->languages : "",
		f->preferred_language ? f->preferred_language : "ky", now, actor_id, now);
	return rc == DB_OK ? person_reindex(conn, id_r) : rc;
}

enum db_status person_update(db *conn, const char *id, const struct person_fields *f, int64_t version,
                             int64_t now, bool *stale_r)
{
	char sl[NAMES_KEY_MAX], gl[NAMES_KEY_MAX], pl[NAMES_KEY_MAX];
	int64_t changes = 0;
	enum db_status rc = db_run(conn, &changes,
		"UPDATE person SET surname = ?, given_name = ?, patronymic = ?, surname_latin = ?, given_name_latin = ?,"
		" patronymic_latin = ?, sex = ?, birth_date = ?, birth_place = ?, citizenship = ?, languages = ?,"
		" preferred_language = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
		"ttttttttttttiti", f->surname, f->given_name, f->patronymic,
		latin_or_default(f->surname_latin, f->surname, sl, sizeof sl),
		latin_or_default(f->given_name_latin, f->given_name, gl, sizeof gl),
		latin_or_default(f->patronymic_latin, f->patronymic, pl, sizeof pl), f->sex, f->birth_date,
		f->birth_place, f->citizenship, f->languages ? f->languages : "",
		f->preferred_language ? f->preferred_language : "ky", now, id, version);
	*stale_r = rc == DB_OK && changes == 0;
	return rc == DB_OK && changes ? person_reindex(conn, id) : rc;
}

/* Adds each token of key to the set in `seen` (space-separated, with spaces around each) and the index. */
static enum db_status index_key(db *conn, const char *id, const char *key, struct buf *seen)
{
	const char *p = key;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n == 0)
			break;
		char token[NAMES_KEY_MAX];
		snprintf(token, sizeof token, " %.*s ", (int)n, p);
		p += n;
		if (seen->data && strstr(seen->data, token))
			continue;
		buf_puts(seen, token);
		token[strlen(token) - 1] = '\0';
		enum db_status rc = db_run(conn, NULL, "INSERT INTO person_token (person_id, token) VALUES (?, ?)", "tt",
		                           id, token + 1);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

enum db_status person_reindex(db *conn, const char *id)
{
	enum db_status rc = db_run(conn, NULL, "DELETE FROM person_token WHERE person_id = ?", "t", id);
	if (rc != DB_OK)
		return rc;
	/* Every name form of the person: the main names in both scripts, then aliases. */
	db_stmt *st = NULL;
	rc = db_query(conn, &st,
		"SELECT surname, given_name, patronymic, surname_latin, given_name_latin, patronymic_latin"
		" FROM person WHERE id = ?",
		"t", id);
	struct buf names = {0};
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		for (int i = 0; i < 6; i++) {
			const char *s = db_column_text(st, i, NULL);
			if (s) {
				buf_puts(&names, s);
				buf_putc(&names, '\n');
			}
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_OK)
		rc = db_query(conn, &st, "SELECT name FROM person_alias WHERE person_id = ?", "t", id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		buf_puts(&names, db_column_text(st, 0, NULL));
		buf_putc(&names, '\n');
		rc = DB_OK;
	}
	db_finalize(&st);
	struct buf seen = {0};
	if (rc == DB_DONE && names.data) {
		rc = DB_OK;
		char *save = NULL;
		for (char *line = strtok_r(names.data, "\n", &save); line && rc == DB_OK; line = strtok_r(NULL, "\n", &save)) {
			char key[NAMES_KEY_MAX];
			if (names_key(line, key, sizeof key))
				rc = index_key(conn, id, key, &seen);
		}
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	buf_free(&seen);
	buf_free(&names);
	return rc;
}

void person_document_key(const char *number, char *key, size_t size)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)number; *p && n + 1 < size; p++)
		if (isalnum(*p))
			key[n++] = (char)toupper(*p);
	key[n] = '\0';
}

enum db_status person_document_add(db *conn, const char *person_id, const char *type, const char *number,
                                   const char *country, const char *issued_on, const char *expires_on, int64_t now,
                                   char id_r[UUID_STR_LEN])
{
	char key[64];
	person_document_key(number, key, sizeof key);
	uuid_v7(id_r);
	return db_run(conn, NULL,
		"INSERT INTO person_document (id, person_id, type, number, number_key, country, issued_on, expires_on,"
		" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttttttti", id_r, person_id, type, number, key, country, issued_on, expires_on, now);
}

enum db_status person_by_document(db *conn, const char *number, char id_r[UUID_STR_LEN])
{
	char key[64];
	person_document_key(number, key, sizeof key);
	id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT p.id FROM person_document d JOIN person p ON p.id = d.person_id"
		" WHERE d.number_key = ? AND p.merged_into IS NULL ORDER BY d.created_at LIMIT 1",
		"t", key);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(id_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

enum db_status person_alias_add(db *conn, const char *person_id, const char *name, const char *kind, int64_t now,
                                char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO person_alias (id, person_id, name, kind, created_at) VALUES (?, ?, ?, ?, ?)", "tttti", id_r,
		person_id, name, kind, now);
	return rc == DB_OK ? person_reindex(conn, person_id) : rc;
}

enum db_status person_address_add(db *conn, const char *person_id, const char *kind, const char *address,
                                  const char *valid_from, int64_t now, char id_r[UUID_STR_LEN])
{
	enum db_status rc = db_run(conn, NULL,
		"UPDATE person_address SET valid_to = ? WHERE person_id = ? AND kind = ? AND valid_to IS NULL", "ttt",
		valid_from, person_id, kind);
	if (rc != DB_OK)
		return rc;
	uuid_v7(id_r);
	return db_run(conn, NULL,
		"INSERT INTO person_address (id, person_id, kind, address, valid_from, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		"ttttti", id_r, person_id, kind, address, valid_from, now);
}

enum db_status person_phone_add(db *conn, const char *person_id, const char *number, const char *label,
                                int64_t now, char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	return db_run(conn, NULL,
		"INSERT INTO person_phone (id, person_id, number, label, created_at) VALUES (?, ?, ?, ?, ?)", "tttti", id_r,
		person_id, number, label, now);
}

/* The merged record's names, as "merged" aliases of the kept one. */
static enum db_status names_to_aliases(db *conn, const char *kept, const char *merged, int64_t now)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT surname, given_name, patronymic, surname_latin, given_name_latin, patronymic_latin"
		" FROM person WHERE id = ?",
		"t", merged);
	char *full[2] = {NULL, NULL};
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		for (int script = 0; script < 2; script++) {
			struct buf b = {0};
			for (int i = 0; i < 3; i++) {
				const char *s = db_column_text(st, script * 3 + i, NULL);
				if (s && *s) {
					if (b.len)
						buf_putc(&b, ' ');
					buf_puts(&b, s);
				}
			}
			full[script] = buf_steal(&b);
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	for (int script = 0; script < 2 && rc == DB_OK; script++) {
		if (full[script] && *full[script]) {
			char id[UUID_STR_LEN];
			uuid_v7(id);
			rc = db_run(conn, NULL,
				"INSERT INTO person_alias (id, person_id, name, kind, created_at) VALUES (?, ?, ?, 'merged', ?)",
				"ttti", id, kept, full[script], now);
		}
	}
	free(full[0]);
	free(full[1]);
	return rc;
}

enum db_status person_merge(db *conn, const char *kept, const char *merged, const char *reason,
                            const char *actor_id, int64_t now, char id_r[UUID_STR_LEN])
{
	static const char *const moves[] = {
		"UPDATE person_alias SET person_id = ? WHERE person_id = ?",
		"UPDATE person_document SET person_id = ? WHERE person_id = ?",
		"UPDATE person_address SET person_id = ? WHERE person_id = ?",
		"UPDATE person_phone SET person_id = ? WHERE person_id = ?",
		"UPDATE third_party SET person_id = ? WHERE person_id = ?",
		"UPDATE access_request SET person_id = ? WHERE person_id = ?",
	};
	enum db_status rc = names_to_aliases(conn, kept, merged, now);
	for (size_t i = 0; i < sizeof moves / sizeof moves[0] && rc == DB_OK; i++)
		rc = db_run(conn, NULL, moves[i], "tt", kept, merged);
	/* The photo stays with the kept record when it has one. */
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"UPDATE person_photo SET person_id = ? WHERE person_id = ?"
			" AND NOT EXISTS (SELECT 1 FROM person_photo WHERE person_id = ?)",
			"ttt", kept, merged, kept);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM person_photo WHERE person_id = ?", "t", merged);
	/* Each moved case says so in its timeline. */
	db_stmt *st = NULL;
	struct buf cases = {0};
	if (rc == DB_OK)
		rc = db_query(conn, &st, "SELECT id FROM case_file WHERE person_id = ?", "t", merged);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		buf_puts(&cases, db_column_text(st, 0, NULL));
		buf_putc(&cases, '\n');
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		rc = DB_OK;
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "UPDATE case_file SET person_id = ? WHERE person_id = ?", "tt", kept, merged);
	uuid_v7(id_r);
	char detail[160];
	snprintf(detail, sizeof detail, "{\"kept_id\":\"%s\",\"merged_id\":\"%s\"}", kept, merged);
	char *save = NULL;
	for (char *c = cases.data ? strtok_r(cases.data, "\n", &save) : NULL; c && rc == DB_OK;
	     c = strtok_r(NULL, "\n", &save))
		rc = case_event_add(conn, c, now, "person.merged", actor_id,
		                    "The person's record was merged with another record of the same person", detail,
		                    "person_merge", id_r);
	buf_free(&cases);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO person_merge (id, kept_id, merged_id, reason, merged_at, merged_by) VALUES (?, ?, ?, ?, ?, ?)",
			"ttttit", id_r, kept, merged, reason, now, actor_id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"UPDATE person SET merged_into = ?, updated_at = ?, version = version + 1 WHERE id = ?", "tit", kept,
			now, merged);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "UPDATE person SET updated_at = ?, version = version + 1 WHERE id = ?", "it", now,
		            kept);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM person_token WHERE person_id = ?", "t", merged);
	return rc == DB_OK ? person_reindex(conn, kept) : rc;
}
