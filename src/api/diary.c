/*
 * diary.c — an officer's diary (the occurrences of their appointments over
 * a day or a week), the printable appointment letter for the person, and the
 * officer's calendar feed: a secret URL a mail client subscribes to, whose
 * token is stored only as a hash (like API tokens), one live feed per
 * account. The feed leaves Kadam, so it carries only the kind, the case
 * number, the person's initials and the place of each appointment.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "auth/token.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/appointments.h"
#include "domain/conditions.h"
#include "domain/ics.h"
#include "domain/keydates.h"
#include "domain/document.h"
#include "domain/recurrence.h"

#define DIARY_DEFAULT_DAYS 7
#define DIARY_MAX_DAYS 31
#define FEED_PAST_DAYS 30          /* the feed starts this many days back */
#define FEED_MAX_APPOINTMENTS 2000 /* a bound on one feed's size (the latest starts are kept) */
#define FEED_MAX_EXCEPTIONS 20000
#define LETTER_LOOKAHEAD_DAYS 400  /* a letter without an occurrence names the next one within this */

/* ---- the letter's wording (data/appointment-letter.json, compiled in) ---------------------------------- */

extern const char appointment_letter_json[];
extern const size_t appointment_letter_json_len;

/* The distinct cases a list shows, comma-separated (at most ~1,800 characters), for its log entry (S10). */
static char *cases_shown(const json_t *rows)
{
	struct buf ids = {0};
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *c = json_string_value(json_object_get(row, "case_id"));
		if (!c || (ids.data && strstr(ids.data, c)) || ids.len >= 1800)
			continue;
		if (ids.len)
			buf_putc(&ids, ',');
		buf_puts(&ids, c);
	}
	char *out = xstrdup(ids.data ? ids.data : "");
	buf_free(&ids);
	return out;
}

static struct wording letter =
	WORDING("data/appointment-letter.json", appointment_letter_json, appointment_letter_json_len, NULL);

/* A fixed text of the letter in a language; the key itself when unknown. */
static const char *label(const char *key, const char *lang)
{
	return wording_label(&letter, key, lang);
}

/* The wording for an appointment's kind ("key.home_visit") where the letter has one, else the general one. */
static const char *label_for(const char *key, const char *kind, const char *lang)
{
	return wording_label_for(&letter, key, kind, lang);
}

/* ---- shared steps ---------------------------------------------------------------------------------------- */

/* The deployment's zone; false after answering. */
static bool zone(struct http_request *req, struct http_response *resp, char tz[APPOINTMENT_ZONE_LEN])
{
	if (appointments_zone(req->db, tz))
		return true;
	api_db_failed(req, resp, "reading the time zone");
	return false;
}

/* "YYYY-MM-DDT00:00" of a date. */
static void day_start(struct civil_date d, char out[LOCAL_TIME_LEN])
{
	char iso[11];
	civil_date_format(d, iso);
	snprintf(out, LOCAL_TIME_LEN, "%sT00:00", iso);
}

/* Appends the first character (one UTF-8 sequence) of s and a full stop; nothing for an empty s. */
static void put_initial(struct buf *b, const char *s)
{
	if (!s || !*s)
		return;
	size_t n = 1;
	while (s[n] && ((unsigned char)s[n] & 0xC0) == 0x80 && n < 4)
		n++;
	buf_append(b, s, n);
	buf_putc(b, '.');
}

/* ---- the diary ------------------------------------------------------------------------------------------- */

/* Reads from/to (defaults: today and six days on; span 1..31 days). False after answering 422. */
static bool diary_range(struct http_request *req, struct http_response *resp, struct civil_date now,
                        struct civil_date *from_r, struct civil_date *to_r)
{
	const char *from_s = http_request_query(req, "from"), *to_s = http_request_query(req, "to");
	struct field_errors fe = {0};
	bool from_ok = !from_s || civil_date_parse(from_s, from_r);
	bool to_ok = !to_s || civil_date_parse(to_s, to_r);
	if (!from_ok)
		field_error(&fe, "from", "must be a date YYYY-MM-DD");
	if (!to_ok)
		field_error(&fe, "to", "must be a date YYYY-MM-DD");
	if (from_ok && to_ok) {
		if (!from_s && !to_s) {
			*from_r = now;
			*to_r = civil_date_add_days(now, DIARY_DEFAULT_DAYS - 1);
		} else if (!to_s) {
			*to_r = civil_date_add_days(*from_r, DIARY_DEFAULT_DAYS - 1);
		} else if (!from_s) {
			*from_r = civil_date_add_days(*to_r, -(DIARY_DEFAULT_DAYS - 1));
		}
		int span = civil_date_diff_days(*from_r, *to_r) + 1;
		if (span < 1) {
			field_error(&fe, "to", "must not be before from");
		} else if (span > DIARY_MAX_DAYS) {
			field_error(&fe, "from", "the diary covers at most %d days", DIARY_MAX_DAYS);
			field_error(&fe, "to", "the diary covers at most %d days", DIARY_MAX_DAYS);
		}
	}
	if (!field_errors_respond(&fe, resp, req))
		return true;
	if (req->db && db_in_transaction(req->db))
		db_rollback(req->db);
	return false;
}

/* Refuses a diary the caller may not read, logging the refusal. */
static void diary_refused(struct http_request *req, struct http_response *resp, const char *officer,
                          const char *why)
{
	db_rollback(req->db);
	api_audit_denied(req, "diary", officer, why);
	http_problem(resp, req, 403, "forbidden", "Not permitted",
	             "Another officer's diary is open to the head of a unit that officer belongs to.", NULL);
}

/*
 * Whose diary: the caller's own, or an officer of a unit within the caller's
 * units when the caller supervises (supervision.write). Fills the officer's
 * name; false after answering.
 */
static bool diary_officer(struct http_request *req, struct http_response *resp, const char *officer,
                          bool *own_r, json_t **officer_r)
{
	*own_r = strcmp(officer, req->principal.account_id) == 0;
	if (!*own_r && !policy_has(&req->principal, "supervision.write")) {
		diary_refused(req, resp, officer, "another officer's diary without supervision.write");
		return false;
	}
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT id, display_name, unit_id FROM account WHERE id = ?", "t", officer);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading an officer");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "officer");
		}
		return false;
	}
	if (!*own_r) {
		const char *unit = json_string_value(json_object_get(row, "unit_id"));
		enum unit_access a = unit ? scope_unit(req, unit, false, NULL) : UNIT_ACCESS_DENIED;
		if (a == UNIT_ACCESS_ERROR) {
			json_decref(row);
			api_db_failed(req, resp, "deciding access");
			return false;
		}
		if (a != UNIT_ACCESS_OWN) {
			json_decref(row);
			diary_refused(req, resp, officer, "officer outside the caller's units");
			return false;
		}
	}
	*officer_r = row;
	return true;
}

void api_diary(struct http_request *req, struct http_response *resp)
{
	const char *officer = http_request_query(req, "officer");
	if (!officer || !*officer)
		officer = req->principal.account_id;
	if (!uuid_valid(officer)) {
		api_field_problem(req, resp, "officer", "must be an account id");
		return;
	}
	struct civil_date now, from, to;
	char tz[APPOINTMENT_ZONE_LEN];
	if (!api_begin(req, resp) || !api_today_date(req, resp, &now, NULL) || !diary_range(req, resp, now, &from, &to) ||
	    !zone(req, resp, tz))
		return;
	bool own = false;
	json_t *who = NULL;
	if (!diary_officer(req, resp, officer, &own, &who))
		return;
	char from_local[LOCAL_TIME_LEN], to_local[LOCAL_TIME_LEN], from_iso[11], to_iso[11];
	day_start(from, from_local);
	day_start(civil_date_add_days(to, 1), to_local);
	civil_date_format(from, from_iso);
	civil_date_format(to, to_iso);
	json_t *items = NULL;
	if (!appointments_occurrences(req->db, NULL, officer, from_local, to_local, tz, &items)) {
		json_decref(who);
		api_db_failed(req, resp, "reading the diary");
		return;
	}
	char *cases = cases_shown(items);
	char *detail = xasprintf("diary %s..%s, %zu occurrences; cases: %s", from_iso, to_iso, json_array_size(items),
	                         cases);
	bool logged = api_audit_why(req, AUDIT_CONSULT, "diary", officer, AUDIT_OUTCOME_SUCCESS, detail, "supervision",
	                            own ? "the officer's own diary (permission diary.read)"
	                                : "a unit head's view of an officer of their units (permission supervision.write)");
	free(detail);
	free(cases);
	if (!logged) {
		json_decref(who);
		json_decref(items);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(who);
		json_decref(items);
		return;
	}
	json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o}", "from", from_iso, "to", to_iso, "timezone", tz,
	                        "officer_id", officer, "officer_name", json_object_get(who, "display_name"), "items",
	                        items);
	json_decref(who);
	http_response_json(resp, 200, out);
}

/* ---- the appointment letter ------------------------------------------------------------------------------ */

/* A date as people read it in the language, with the day of the week (civil_date_human). */
static void put_date(struct buf *b, const char *lang, const char *local)
{
	struct civil_date d;
	char iso[11];
	snprintf(iso, sizeof iso, "%s", local ? local : "");
	if (!civil_date_parse(iso, &d)) {
		html_escape(b, local);
		return;
	}
	char text[48];
	civil_date_human(d, lang, true, text);
	html_escape(b, text);
}

/* "HH:MM" of a local time. */
static const char *clock_part(const char *local)
{
	return local && strlen(local) == 16 ? local + 11 : "";
}

static void row_open(struct buf *b, const char *key, const char *lang)
{
	buf_puts(b, "<tr><th>");
	html_escape(b, label(key, lang));
	buf_puts(b, "</th><td>");
}

static void row_text(struct buf *b, const char *key, const char *lang, const char *value)
{
	html_row(b, label(key, lang), value && *value ? value : "—");
}

static void paragraph(struct buf *b, const char *cls, const char *text)
{
	buf_printf(b, "<p class=\"%s\">", cls);
	html_escape(b, text);
	buf_puts(b, "</p>\n");
}

/* What the letter is about: the appointment row (with names) and the occurrence. */
struct letter {
	const json_t *a;          /* appointment, case, person, officer and unit columns */
	const char *address;      /* the person's current address, or NULL */
	const char *start_local;  /* when it happens (after a move) */
	const char *moved_from;   /* the rule's time when moved, else NULL */
	const char *printed_on;   /* today, YYYY-MM-DD */
};

static const char *col(const json_t *row, const char *name)
{
	return json_string_value(json_object_get(row, name));
}

static void render_letter(struct buf *b, const struct letter *l, const char *lang)
{
	const json_t *a = l->a;
	const char *kind = col(a, "kind");
	char key[40];
	html_document_begin(b, lang, label("title", lang));
	buf_puts(b, "<h1>");
	html_escape(b, label("title", lang));
	buf_puts(b, "</h1>\n<table>\n");
	struct buf name = {0};
	const char *parts[] = {"surname", "given_name", "patronymic"};
	for (size_t i = 0; i < 3; i++) {
		const char *s = col(a, parts[i]);
		if (s && *s) {
			if (name.len)
				buf_putc(&name, ' ');
			buf_puts(&name, s);
		}
	}
	row_text(b, "to", lang, name.data);
	buf_free(&name);
	if (l->address)
		row_text(b, "address", lang, l->address);
	row_text(b, "case_number", lang, col(a, "case_number"));
	buf_puts(b, "</table>\n");
	snprintf(key, sizeof key, "intro.%s", kind);
	paragraph(b, "intro", label(key, lang));
	buf_puts(b, "<h2>");
	html_escape(b, label("appointment", lang));
	buf_puts(b, "</h2>\n<table>\n");
	row_open(b, "date", lang);
	put_date(b, lang, l->start_local);
	buf_puts(b, "</td></tr>\n");
	char end[LOCAL_TIME_LEN] = "";
	int minutes = (int)json_integer_value(json_object_get(a, "duration_min"));
	row_open(b, "time", lang);
	html_escape(b, clock_part(l->start_local));
	if (local_time_add_minutes(l->start_local, minutes, end)) {
		buf_puts(b, "–");
		html_escape(b, clock_part(end));
	}
	buf_puts(b, "</td></tr>\n");
	row_open(b, "duration", lang);
	buf_printf(b, "%d ", minutes);
	html_escape(b, label("minutes", lang));
	buf_puts(b, "</td></tr>\n");
	snprintf(key, sizeof key, "kind.%s", kind);
	row_text(b, "kind", lang, label(key, lang));
	if (strcmp(kind, "home_visit") != 0)
		row_text(b, "place", lang, col(a, "location"));
	row_text(b, "purpose", lang, col(a, "purpose"));
	row_text(b, "officer", lang, col(a, "officer_name"));
	row_text(b, "unit", lang, col(a, "unit_name"));
	buf_puts(b, "</table>\n");
	if (l->moved_from) {
		buf_puts(b, "<p class=\"notice\">");
		html_escape(b, label("moved_from", lang));
		buf_puts(b, ": ");
		put_date(b, lang, l->moved_from);
		buf_puts(b, " ");
		html_escape(b, clock_part(l->moved_from));
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<h2>");
	html_escape(b, label("bring_title", lang));
	buf_puts(b, "</h2>\n");
	paragraph(b, "text", label_for("bring", kind, lang));
	buf_puts(b, "<h2>");
	html_escape(b, label_for("cannot_come_title", kind, lang));
	buf_puts(b, "</h2>\n");
	paragraph(b, "text", label_for("cannot_come", kind, lang));
	paragraph(b, "text", label("reasons", lang));
	paragraph(b, "notice", label_for("consequence", kind, lang));
	buf_puts(b, "<footer>\n<table>\n");
	row_text(b, "signature_officer", lang, "________________________");
	row_text(b, "signature_person", lang, "________________________");
	buf_puts(b, "</table>\n<p class=\"muted\">");
	html_escape(b, label("printed", lang));
	buf_puts(b, ": ");
	put_date(b, lang, l->printed_on);
	buf_puts(b, " · Kadam</p>\n</footer>\n");
	html_document_end(b);
}

#define LETTER_COLUMNS \
	"SELECT a.id, a.case_id, a.kind, a.location, a.purpose, a.starts_local, a.duration_min, a.rrule, a.status," \
	" c.number AS case_number, p.id AS person_id, p.surname, p.given_name, p.patronymic, p.languages," \
	" o.display_name AS officer_name, u.name AS unit_name" \
	" FROM appointment a JOIN case_file c ON c.id = a.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN account o ON o.id = a.officer_id LEFT JOIN unit u ON u.id = o.unit_id WHERE a.id = ?"


/*
 * The occurrence a letter is for: the one asked for (it must be one the
 * appointment generates, and not cancelled), else the next one to come.
 * start_r and moved_r get local times ("" when not moved). False after answering.
 */
static bool letter_occurrence(struct http_request *req, struct http_response *resp, const json_t *a,
                              const char *tz, char start_r[LOCAL_TIME_LEN], char moved_r[LOCAL_TIME_LEN])
{
	const char *asked = http_request_query(req, "occurrence");
	const char *id = col(a, "id");
	moved_r[0] = '\0';
	if (!asked) {
		char now[LOCAL_TIME_LEN], until[LOCAL_TIME_LEN];
		json_t *items = NULL;
		if (!utc_ms_to_local(clock_now_ms(), tz, now) ||
		    !local_time_add_minutes(now, LETTER_LOOKAHEAD_DAYS * 24 * 60, until) ||
		    !appointments_occurrences(req->db, col(a, "case_id"), NULL, now, until, tz, &items)) {
			api_db_failed(req, resp, "reading the occurrences");
			return false;
		}
		size_t i;
		json_t *o;
		bool found = false;
		json_array_foreach(items, i, o) {
			if (strcmp(col(o, "appointment_id"), id) == 0 && !json_is_true(json_object_get(o, "cancelled"))) {
				snprintf(start_r, LOCAL_TIME_LEN, "%s", col(o, "start_local"));
				if (json_is_true(json_object_get(o, "moved")))
					snprintf(moved_r, LOCAL_TIME_LEN, "%s", col(o, "original_local"));
				found = true;
				break;
			}
		}
		json_decref(items);
		if (!found)
			api_field_problem(req, resp, "occurrence", "the appointment has no occurrence to come: name one");
		return found;
	}
	if (!appointment_generates(col(a, "starts_local"), col(a, "rrule"), tz, asked)) {
		api_field_problem(req, resp, "occurrence", "is not an occurrence of this appointment");
		return false;
	}
	bool failed = false;
	json_t *x = api_select_one(req->db, &failed,
		"SELECT new_starts_local FROM appointment_exception WHERE appointment_id = ? AND occurrence_local = ?",
		"tt", id, asked);
	if (failed) {
		api_db_failed(req, resp, "reading the occurrence");
		return false;
	}
	if (x && !col(x, "new_starts_local")) {
		json_decref(x);
		api_field_problem(req, resp, "occurrence", "that occurrence is cancelled");
		return false;
	}
	snprintf(start_r, LOCAL_TIME_LEN, "%s", x ? col(x, "new_starts_local") : asked);
	if (x)
		snprintf(moved_r, LOCAL_TIME_LEN, "%s", asked);
	json_decref(x);
	return true;
}

void api_appointment_letter(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *lang_q = http_request_query(req, "lang");
	const char *occurrence = http_request_query(req, "occurrence");
	struct field_errors fe = {0};
	if (lang_q && !api_language_valid(lang_q))
		field_error(&fe, "lang", "must be one of: ky, ru, en");
	if (occurrence && !ics_local_time_valid(occurrence))
		field_error(&fe, "occurrence", "must be a local time YYYY-MM-DDTHH:MM");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *a = uuid_valid(id) ? api_select_one(req->db, &failed, LETTER_COLUMNS, "t", id) : NULL;
	if (!a) {
		if (failed) {
			api_db_failed(req, resp, "reading an appointment");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "appointment");
		}
		return;
	}
	struct record_scope s;
	char tz[APPOINTMENT_ZONE_LEN], start[LOCAL_TIME_LEN], moved[LOCAL_TIME_LEN], lang[3];
	struct civil_date now;
	if (!scope_case(req, resp, col(a, "case_id"), &s) || !zone(req, resp, tz) || !api_today_date(req, resp, &now, NULL)) {
		json_decref(a);
		return;
	}
	if (strcmp(col(a, "status"), "active") != 0) {
		json_decref(a);
		db_rollback(req->db);
		http_problem(resp, req, 409, "appointment-cancelled", "The appointment is cancelled",
		             "A letter is written only for an appointment that still stands.", NULL);
		return;
	}
	if (!letter_occurrence(req, resp, a, tz, start, moved)) {
		json_decref(a);
		return;
	}
	if (lang_q)
		snprintf(lang, sizeof lang, "%s", lang_q);
	else if (condition_person_language(req->db, s.person_id, lang) != DB_OK) {
		json_decref(a);
		api_db_failed(req, resp, "reading the default language");
		return;
	}
	/* The current address, the one the person lives at first. */
	json_t *address = api_select_one(req->db, &failed,
		"SELECT address FROM person_address WHERE person_id = ? AND valid_to IS NULL"
		" ORDER BY CASE kind WHEN 'actual' THEN 0 WHEN 'registered' THEN 1 ELSE 2 END, valid_from DESC LIMIT 1",
		"t", col(a, "person_id"));
	if (failed) {
		json_decref(a);
		api_db_failed(req, resp, "reading an address");
		return;
	}
	char printed[11];
	civil_date_format(now, printed);
	struct letter l = {.a = a, .address = col(address, "address"), .start_local = start,
	                   .moved_from = moved[0] ? moved : NULL, .printed_on = printed};
	struct buf doc = {0};
	render_letter(&doc, &l, lang);
	json_decref(address);
	json_decref(a);
	char detail[96];
	snprintf(detail, sizeof detail, "letter lang=%s occurrence=%s", lang, moved[0] ? moved : start);
	scope_send_document(req, resp, &s, "appointment", id, detail, &doc);
}

/* ---- the calendar feed: its token ------------------------------------------------------------------------ */

/* The stored form of a feed token: BLAKE2b-256 of its text. */
static void feed_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

void api_calendar_feed_get(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT created_at, last_used_at FROM calendar_feed WHERE account_id = ? AND revoked_at IS NULL"
		" ORDER BY created_at DESC LIMIT 1", "t", req->principal.account_id);
	if (failed) {
		api_db_failed(req, resp, "reading the calendar feed");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	json_t *out = json_pack("{s:b, s:O?, s:O?}", "active", row != NULL, "created_at",
	                        json_object_get(row, "created_at"), "last_used_at", json_object_get(row, "last_used_at"));
	json_decref(row);
	http_response_json(resp, 200, out);
}

/* Revokes the caller's live feed; *revoked_r true when there was one. */
static bool feed_revoke(struct http_request *req, int64_t now, bool *revoked_r)
{
	int64_t changes = 0;
	if (db_run(req->db, &changes,
	           "UPDATE calendar_feed SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", "it", now,
	           req->principal.account_id) != DB_OK)
		return false;
	*revoked_r = changes > 0;
	return !*revoked_r ||
	       api_audit(req, AUDIT_TOKEN_REVOKE, "calendar_feed", req->principal.account_id, AUDIT_OUTCOME_SUCCESS,
	                 "calendar feed revoked");
}

void api_calendar_feed_create(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	int64_t now = clock_now_ms();
	char token[TOKEN_SIZE], id[UUID_STR_LEN];
	unsigned char hash[32];
	token_generate("", token);
	feed_hash(token, hash);
	uuid_v7(id);
	bool revoked = false;
	db_stmt *st = NULL;
	bool ok = feed_revoke(req, now, &revoked) &&
	          db_prepare(req->db,
	                     "INSERT INTO calendar_feed (id, account_id, token_hash, created_at) VALUES (?, ?, ?, ?)",
	                     &st) == DB_OK &&
	          db_bind_text(st, 1, id, SIZE_MAX) == DB_OK &&
	          db_bind_text(st, 2, req->principal.account_id, SIZE_MAX) == DB_OK &&
	          db_bind_blob(st, 3, hash, sizeof hash) == DB_OK && db_bind_int64(st, 4, now) == DB_OK &&
	          db_step(st) == DB_DONE;
	db_finalize(&st);
	ok = ok && api_audit(req, AUDIT_TOKEN_CREATE, "calendar_feed", id, AUDIT_OUTCOME_SUCCESS,
	                     revoked ? "calendar feed created; the previous one revoked" : "calendar feed created");
	if (!ok) {
		sodium_memzero(token, sizeof token);
		api_db_failed(req, resp, "creating a calendar feed");
		return;
	}
	if (!api_commit(req, resp)) {
		sodium_memzero(token, sizeof token);
		return;
	}
	char url[TOKEN_SIZE + 32], when[32];
	snprintf(url, sizeof url, "/api/v1/calendar/%s.ics", token);
	sodium_memzero(token, sizeof token);
	clock_format_rfc3339(now, when);
	http_response_json(resp, 201, json_pack("{s:s, s:s}", "url", url, "created_at", when));
	sodium_memzero(url, sizeof url);
}

void api_calendar_feed_revoke(struct http_request *req, struct http_response *resp)
{
	bool revoked = false;
	if (!api_begin(req, resp))
		return;
	if (!feed_revoke(req, clock_now_ms(), &revoked)) {
		api_db_failed(req, resp, "revoking a calendar feed");
		return;
	}
	if (!api_commit(req, resp))
		return;
	resp->status = 204;
}

/* ---- the calendar feed: the .ics ------------------------------------------------------------------------- */

/* Whose feed a token opens. */
struct feed_owner {
	char feed_id[UUID_STR_LEN];
	char account_id[UUID_STR_LEN];
	char login[65];
	char agency_id[UUID_STR_LEN];
	char name[201];
	char lang[3];
};

/*
 * Finds the live feed of a token: by its hash through the unique index (so
 * the lookup's time says nothing about the token), of an active account
 * that still holds diary.read. False with *failed_r false when there is none.
 */
static bool feed_owner_find(db *conn, const char *token, struct feed_owner *o, bool *failed_r)
{
	unsigned char hash[32];
	feed_hash(token, hash);
	*failed_r = false;
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn,
		"SELECT f.id, a.id, a.login, a.agency_id, a.display_name, a.preferred_language FROM calendar_feed f"
		" JOIN account a ON a.id = f.account_id WHERE f.token_hash = ? AND f.revoked_at IS NULL"
		" AND a.status = 'active' AND EXISTS (SELECT 1 FROM account_role r JOIN role_permission p"
		" ON p.role = r.role WHERE r.account_id = a.id AND p.permission = 'diary.read')",
		&st);
	if (rc == DB_OK && (rc = db_bind_blob(st, 1, hash, sizeof hash)) == DB_OK)
		rc = db_step(st);
	bool found = rc == DB_ROW;
	if (found) {
		snprintf(o->feed_id, sizeof o->feed_id, "%s", db_column_text(st, 0, NULL));
		snprintf(o->account_id, sizeof o->account_id, "%s", db_column_text(st, 1, NULL));
		snprintf(o->login, sizeof o->login, "%s", db_column_text(st, 2, NULL));
		snprintf(o->agency_id, sizeof o->agency_id, "%s", db_column_text(st, 3, NULL));
		snprintf(o->name, sizeof o->name, "%s", db_column_text(st, 4, NULL));
		snprintf(o->lang, sizeof o->lang, "%s", db_column_text(st, 5, NULL));
	}
	db_finalize(&st);
	*failed_r = rc != DB_ROW && rc != DB_DONE;
	return found;
}

/* The appointments of a feed: what ics_calendar needs, and the strings it points to (owned). */
struct feed_data {
	json_t *rows;        /* appointment rows */
	json_t *exceptions;  /* exception rows of those appointments */
	struct ics_event *events;
	size_t nevents;
	struct ics_exception *xs;
	struct buf *summaries; /* one per event */
};

static void feed_data_free(struct feed_data *d)
{
	for (size_t i = 0; d->summaries && i < d->nevents; i++)
		buf_free(&d->summaries[i]);
	free(d->summaries);
	free(d->events);
	free(d->xs);
	json_decref(d->rows);
	json_decref(d->exceptions);
	memset(d, 0, sizeof *d);
}

/* Whether an appointment has an occurrence from `from` on (a single one: its start, or where it moved). */
static bool still_relevant(const json_t *row, const char *tz, const char *from_local, const char *horizon)
{
	const char *rrule = col(row, "rrule");
	if (!rrule)
		return strcmp(col(row, "starts_local"), from_local) >= 0;
	struct occurrence next;
	return recurrence_expand(col(row, "starts_local"), rrule, tz, from_local, horizon, &next, 1) > 0;
}

/* The feed's events; false on a database error. */
static bool feed_load(db *conn, const struct feed_owner *o, const char *tz, struct civil_date today_d,
                      struct feed_data *d)
{
	memset(d, 0, sizeof *d);
	char from_local[LOCAL_TIME_LEN], horizon[LOCAL_TIME_LEN];
	day_start(civil_date_add_days(today_d, -FEED_PAST_DAYS), from_local);
	day_start(civil_date_add_days(today_d, 366 * 20), horizon);
	d->rows = api_select(conn,
		"SELECT a.id, a.case_id, a.kind, a.location, a.starts_local, a.duration_min, a.rrule, a.version,"
		" c.number AS case_number, p.surname, p.given_name, p.patronymic FROM appointment a"
		" JOIN case_file c ON c.id = a.case_id JOIN person p ON p.id = c.person_id"
		" WHERE a.officer_id = ? AND a.status = 'active' AND (a.rrule IS NOT NULL OR a.starts_local >= ?"
		" OR EXISTS (SELECT 1 FROM appointment_exception e WHERE e.appointment_id = a.id AND e.new_starts_local >= ?))"
		" ORDER BY a.starts_local DESC, a.id LIMIT ?",
		"ttti", o->account_id, from_local, from_local, (int64_t)FEED_MAX_APPOINTMENTS);
	d->exceptions = d->rows ? api_select(conn,
		"SELECT e.appointment_id, e.occurrence_local, e.new_starts_local FROM appointment_exception e"
		" JOIN appointment a ON a.id = e.appointment_id WHERE a.officer_id = ? AND a.status = 'active'"
		" ORDER BY e.appointment_id, e.occurrence_local LIMIT ?",
		"ti", o->account_id, (int64_t)FEED_MAX_EXCEPTIONS) : NULL;
	if (!d->rows || !d->exceptions)
		return false;
	size_t n = json_array_size(d->rows), nx = json_array_size(d->exceptions);
	d->events = xcalloc(n ? n : 1, sizeof *d->events);
	d->summaries = xcalloc(n ? n : 1, sizeof *d->summaries);
	d->xs = xcalloc(nx ? nx : 1, sizeof *d->xs);
	for (size_t i = 0; i < nx; i++) {
		const json_t *x = json_array_get(d->exceptions, i);
		d->xs[i] = (struct ics_exception){col(x, "occurrence_local"), col(x, "new_starts_local")};
	}
	size_t xi = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *r = json_array_get(d->rows, i);
		const char *id = col(r, "id");
		/* The exceptions are ordered by appointment id; find this one's run. */
		size_t first = 0, count = 0;
		for (xi = 0; xi < nx && strcmp(col(json_array_get(d->exceptions, xi), "appointment_id"), id) != 0; xi++)
			;
		for (first = xi; xi < nx && strcmp(col(json_array_get(d->exceptions, xi), "appointment_id"), id) == 0; xi++)
			count++;
		bool moved_in = false;
		for (size_t k = first; k < first + count; k++)
			moved_in = moved_in || (d->xs[k].new_starts_local && strcmp(d->xs[k].new_starts_local, from_local) >= 0);
		if (!moved_in && !still_relevant(r, tz, from_local, horizon))
			continue;
		struct buf *s = &d->summaries[d->nevents];
		char key[40];
		snprintf(key, sizeof key, "kind.%s", col(r, "kind"));
		buf_puts(s, label(key, o->lang));
		buf_puts(s, " · ");
		buf_puts(s, col(r, "case_number"));
		buf_puts(s, " · ");
		put_initial(s, col(r, "surname"));
		put_initial(s, col(r, "given_name"));
		put_initial(s, col(r, "patronymic"));
		/* A home visit's place is the person's home: it stays in Kadam. */
		bool home = strcmp(col(r, "kind"), "home_visit") == 0;
		d->events[d->nevents++] = (struct ics_event){
			.id = id, .summary = s->data, .location = home ? NULL : col(r, "location"),
			.starts_local = col(r, "starts_local"), .duration_min = (int)json_integer_value(json_object_get(r, "duration_min")),
			.rrule = col(r, "rrule"), .sequence = (int)json_integer_value(json_object_get(r, "version")) - 1,
			.exceptions = count ? &d->xs[first] : NULL, .nexceptions = count};
	}
	return true;
}

/* Logs the fetch as a consultation by the feed's owner (the request itself is anonymous). */
static bool feed_audit(struct http_request *req, const struct feed_owner *o, size_t nevents, const char *cases)
{
	char *detail = xasprintf("calendar feed, %zu appointments; cases: %s", nevents, cases);
	struct audit_entry e = {
		.actor_id = o->account_id,
		.actor_login = o->login,
		.agency_id = o->agency_id[0] ? o->agency_id : NULL,
		.action = AUDIT_CONSULT,
		.record_type = "calendar_feed",
		.record_id = o->feed_id,
		.purpose = "supervision",
		.justification = "the officer's own appointments through their calendar feed (permission diary.read)",
		.request_id = req->request_id,
		.remote_addr = req->remote_addr,
		.outcome = AUDIT_OUTCOME_SUCCESS,
		.detail = detail,
	};
	bool ok = audit_append(req->db, &e) == DB_OK;
	free(detail);
	if (!ok)
		log_error("processing log refused a calendar feed entry: %s", audit_errmsg());
	return ok;
}

void api_calendar_feed_ics(struct http_request *req, struct http_response *resp)
{
	const char *param = http_request_param(req, "token");
	char token[TOKEN_SIZE] = "";
	size_t len = param ? strnlen(param, TOKEN_SIZE + 8) : 0;
	if (len > 4 && strcmp(param + len - 4, ".ics") == 0)
		len -= 4;
	if (len < TOKEN_SIZE) {
		memcpy(token, param, len);
		token[len] = '\0';
	}
	if (!token_well_formed(token, "")) {
		api_not_found(req, resp, "calendar feed");
		return;
	}
	if (!api_begin(req, resp))
		return;
	struct feed_owner o;
	bool failed = false;
	if (!feed_owner_find(req->db, token, &o, &failed)) {
		sodium_memzero(token, sizeof token);
		if (failed) {
			api_db_failed(req, resp, "reading a calendar feed");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "calendar feed");
		}
		return;
	}
	sodium_memzero(token, sizeof token);
	char tz[APPOINTMENT_ZONE_LEN];
	struct civil_date now;
	if (!zone(req, resp, tz) || !api_today_date(req, resp, &now, NULL))
		return;
	struct feed_data d;
	if (!feed_load(req->db, &o, tz, now, &d)) {
		feed_data_free(&d);
		api_db_failed(req, resp, "reading the appointments of a feed");
		return;
	}
	char *calname = xasprintf("Kadam — %s", o.name);
	int64_t at = clock_now_ms();
	char *text = ics_calendar(calname, tz, at, d.events, d.nevents);
	free(calname);
	size_t nevents = d.nevents;
	char *cases = cases_shown(d.rows);
	feed_data_free(&d);
	if (!text) {
		db_rollback(req->db);
		api_internal_error(req, resp, "writing a calendar feed: a stored time or rule libical refused");
		return;
	}
	if (db_run(req->db, NULL, "UPDATE calendar_feed SET last_used_at = ? WHERE id = ?", "it", at, o.feed_id) !=
	        DB_OK ||
	    !feed_audit(req, &o, nevents, cases)) {
		free(cases);
		free(text);
		api_db_failed(req, resp, "recording a calendar feed's use");
		return;
	}
	free(cases);
	if (!api_commit(req, resp)) {
		free(text);
		return;
	}
	http_response_text(resp, 200, "text/calendar; charset=utf-8", text, strlen(text));
	free(text);
	http_response_header(resp, "Content-Disposition", "inline; filename=\"kadam.ics\"");
}
