/*
 * appointments.c — occurrences of appointments in a window, with their
 * exceptions and outcomes applied (see appointments.h for the rules).
 */
#include "domain/appointments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "domain/person.h"

bool appointments_zone(db *conn, char out[APPOINTMENT_ZONE_LEN])
{
	snprintf(out, APPOINTMENT_ZONE_LEN, "Asia/Bishkek");
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT value FROM setting WHERE key = 'timezone'", "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *v = db_column_text(st, 0, NULL);
		if (v && *v && strlen(v) < APPOINTMENT_ZONE_LEN)
			snprintf(out, APPOINTMENT_ZONE_LEN, "%s", v);
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE;
}

bool local_time_add_minutes(const char *local, int minutes, char out[LOCAL_TIME_LEN])
{
	/* Wall-clock arithmetic is UTC arithmetic: no zone has gaps there. */
	int64_t ms;
	return local_to_utc_ms(local, "UTC", &ms) && utc_ms_to_local(ms + (int64_t)minutes * 60000, "UTC", out);
}

bool appointment_generates(const char *dtstart_local, const char *rrule, const char *tz,
                           const char *occurrence_local)
{
	char to[LOCAL_TIME_LEN];
	struct occurrence o;
	if (!local_time_valid(occurrence_local) || !local_time_add_minutes(occurrence_local, 1, to))
		return false;
	int n = recurrence_expand(dtstart_local, rrule, tz, occurrence_local, to, &o, 1);
	return n == 1 && strcmp(o.original_local, occurrence_local) == 0;
}

/* A row as a JSON object: *_at integers become RFC 3339, NULL stays null. */
static json_t *row_json(db_stmt *st)
{
	json_t *o = json_object();
	int n = db_column_count(st);
	for (int i = 0; i < n; i++) {
		const char *name = db_column_name(st, i);
		if (!name)
			continue;
		size_t nl = strlen(name);
		bool time = nl > 3 && strcmp(name + nl - 3, "_at") == 0;
		enum db_type t = db_column_type(st, i);
		if (t == DB_TYPE_NULL) {
			json_object_set_new(o, name, json_null());
		} else if (time) {
			char when[32];
			clock_format_rfc3339(db_column_int64(st, i), when);
			json_object_set_new(o, name, json_string(when));
		} else if (t == DB_TYPE_INT) {
			json_object_set_new(o, name, json_integer(db_column_int64(st, i)));
		} else {
			size_t len = 0;
			const char *text = db_column_text(st, i, &len);
			json_object_set_new(o, name, json_stringn(text ? text : "", len));
		}
	}
	return o;
}

/* The rows of a query keyed by "<appointment_id>|<occurrence_local>" (the first two columns). */
static json_t *keyed_rows(db *conn, const char *sql, const char *case_id, const char *officer_id)
{
	db_stmt *st = NULL;
	if (db_query(conn, &st, sql, "tttt", case_id, case_id, officer_id, officer_id) != DB_OK)
		return NULL;
	json_t *map = json_object();
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *a = db_column_text(st, 0, NULL), *occ = db_column_text(st, 1, NULL);
		if (!a || !occ)
			continue;
		char key[128];
		snprintf(key, sizeof key, "%s|%s", a, occ);
		json_object_set_new(map, key, row_json(st));
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(map);
		return NULL;
	}
	return map;
}

#define FILTER " (CAST(? AS TEXT) IS NULL OR ap.case_id = ?) AND (CAST(? AS TEXT) IS NULL OR ap.officer_id = ?)"

struct occ_sort {
	const char *start;
	const char *appointment_id;
	json_t *item;
};

static int occ_cmp(const void *a, const void *b)
{
	const struct occ_sort *x = a, *y = b;
	int c = strcmp(x->start, y->start);
	if (c)
		return c;
	c = strcmp(x->appointment_id, y->appointment_id);
	if (c)
		return c;
	return strcmp(json_string_value(json_object_get(x->item, "original_local")),
	              json_string_value(json_object_get(y->item, "original_local")));
}

/* Adds one occurrence of appointment ap (a row) to items. */
static void add_item(json_t *items, const json_t *ap, const char *tz, const char *original_local,
                     const char *start_local, int64_t start_ms, bool moved, bool cancelled, const char *reason,
                     json_t *outcome)
{
	char end_local[LOCAL_TIME_LEN] = "", start[32];
	json_int_t duration = json_integer_value(json_object_get(ap, "duration_min"));
	if (!utc_ms_to_local(start_ms + duration * 60000, tz, end_local))
		end_local[0] = '\0';
	clock_format_rfc3339(start_ms, start);
	json_t *o = json_object();
	static const char *const copied[] = {"case_id", "case_number", "person_name", "officer_id", "officer_name",
	                                     "kind", "location", "purpose", "condition_id", NULL};
	json_object_set(o, "appointment_id", json_object_get(ap, "id"));
	for (int i = 0; copied[i]; i++) {
		json_t *v = json_object_get(ap, copied[i]);
		json_object_set(o, copied[i], v ? v : json_null());
	}
	json_object_set_new(o, "start_local", json_string(start_local));
	json_object_set_new(o, "end_local", end_local[0] ? json_string(end_local) : json_null());
	json_object_set_new(o, "start", json_string(start));
	json_object_set_new(o, "original_local", json_string(original_local));
	json_object_set_new(o, "moved", json_boolean(moved));
	json_object_set_new(o, "cancelled", json_boolean(cancelled));
	json_object_set_new(o, "reason", reason ? json_string(reason) : json_null());
	json_object_set_new(o, "duration_min", json_integer(duration));
	json_object_set_new(o, "recurring", json_boolean(json_is_string(json_object_get(ap, "rrule"))));
	json_object_set(o, "outcome", outcome ? outcome : json_null());
	json_array_append_new(items, o);
}

bool appointments_occurrences(db *conn, const char *case_id, const char *officer_id, const char *from_local,
                              const char *to_local, const char *tz, json_t **items_r)
{
	*items_r = NULL;
	if ((case_id == NULL) == (officer_id == NULL) || !local_time_valid(from_local) || !local_time_valid(to_local))
		return false;
	db_stmt *st = NULL;
	if (db_query(conn, &st,
	             "SELECT ap.id, ap.case_id, c.number AS case_number,"
	             " " PERSON_NAME_SQL("p") " AS person_name,"
	             " ap.officer_id, a.display_name AS officer_name, ap.kind, ap.location, ap.purpose, ap.condition_id,"
	             " ap.starts_local, ap.duration_min, ap.rrule, ap.status, ap.cancel_reason, ap.updated_at AS cancelled_at"
	             " FROM appointment ap JOIN case_file c ON c.id = ap.case_id JOIN person p ON p.id = c.person_id"
	             " JOIN account a ON a.id = ap.officer_id WHERE" FILTER
	             " AND (ap.starts_local < ? OR EXISTS (SELECT 1 FROM appointment_exception e WHERE"
	             " e.appointment_id = ap.id AND e.new_starts_local >= ? AND e.new_starts_local < ?))"
	             " ORDER BY ap.id",
	             "ttttttt", case_id, case_id, officer_id, officer_id, to_local, from_local, to_local) != DB_OK)
		return false;
	json_t *aps = json_array();
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		json_t *row = row_json(st);
		/* cancelled_at as a number: the instant from which a cancelled series no longer happens. */
		json_object_set_new(row, "cancelled_ms", json_integer(db_column_int64(st, 15)));
		json_array_append_new(aps, row);
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(aps);
		return false;
	}
	json_t *exceptions = keyed_rows(conn,
		"SELECT e.appointment_id, e.occurrence_local, e.new_starts_local, e.reason FROM appointment_exception e"
		" JOIN appointment ap ON ap.id = e.appointment_id WHERE" FILTER, case_id, officer_id);
	json_t *contacts = keyed_rows(conn,
		"SELECT k.appointment_id, k.occurrence_local, k.id, k.case_id, k.kind, k.happened_local, k.duration_min,"
		" k.outcome, k.absence_reason, k.absence_detail, k.notes, k.condition_id, r.display_name AS recorded_by_name,"
		" k.recorded_at FROM contact k JOIN appointment ap ON ap.id = k.appointment_id"
		" JOIN account r ON r.id = k.recorded_by WHERE" FILTER, case_id, officer_id);
	if (!exceptions || !contacts) {
		json_decref(aps);
		json_decref(exceptions);
		json_decref(contacts);
		return false;
	}
	json_t *items = json_array();
	struct occurrence *occ = malloc(sizeof *occ * APPOINTMENT_MAX_OCCURRENCES);
	bool ok = occ != NULL;
	size_t i;
	json_t *ap;
	json_array_foreach(aps, i, ap) {
		if (!ok)
			break;
		const char *id = json_string_value(json_object_get(ap, "id"));
		const char *dtstart = json_string_value(json_object_get(ap, "starts_local"));
		const char *rrule = json_string_value(json_object_get(ap, "rrule"));
		bool series_cancelled = strcmp(json_string_value(json_object_get(ap, "status")), "cancelled") == 0;
		int64_t cancelled_ms = json_integer_value(json_object_get(ap, "cancelled_ms"));
		const char *cancel_reason = json_string_value(json_object_get(ap, "cancel_reason"));
		/* The rule's occurrences in the window, then those moved here from outside it. */
		int n = recurrence_expand(dtstart, rrule, tz, from_local, to_local, occ, APPOINTMENT_MAX_OCCURRENCES);
		for (int k = 0; k < n; k++) {
			char key[128];
			snprintf(key, sizeof key, "%s|%s", id, occ[k].original_local);
			json_t *ex = json_object_get(exceptions, key);
			json_t *outcome = json_object_get(contacts, key);
			if (ex) {
				const char *moved_to = json_string_value(json_object_get(ex, "new_starts_local"));
				const char *reason = json_string_value(json_object_get(ex, "reason"));
				if (moved_to == NULL) {
					add_item(items, ap, tz, occ[k].original_local, occ[k].start_local, occ[k].start_ms, false,
					         true, reason, outcome);
				} else if (strcmp(moved_to, from_local) >= 0 && strcmp(moved_to, to_local) < 0) {
					int64_t ms;
					char start_local[LOCAL_TIME_LEN];
					if (local_to_utc_ms(moved_to, tz, &ms) && utc_ms_to_local(ms, tz, start_local)) {
						bool off = series_cancelled && ms >= cancelled_ms && outcome == NULL;
						add_item(items, ap, tz, occ[k].original_local, start_local, ms, true, off,
						         off ? cancel_reason : reason, outcome);
					}
				}
				continue;
			}
			bool off = series_cancelled && occ[k].start_ms >= cancelled_ms && outcome == NULL;
			add_item(items, ap, tz, occ[k].original_local, occ[k].start_local, occ[k].start_ms, false, off,
			         off ? cancel_reason : NULL, outcome);
		}
		if (n < 0)
			continue; /* a stored rule libical no longer reads: no occurrences */
		/* Occurrences moved into the window whose rule time lies outside it. */
		const char *key;
		json_t *ex;
		size_t idlen = strlen(id);
		json_object_foreach(exceptions, key, ex) {
			if (strncmp(key, id, idlen) != 0 || key[idlen] != '|')
				continue;
			const char *original = key + idlen + 1;
			const char *moved_to = json_string_value(json_object_get(ex, "new_starts_local"));
			if (moved_to == NULL || strcmp(moved_to, from_local) < 0 || strcmp(moved_to, to_local) >= 0)
				continue;
			if (strcmp(original, from_local) >= 0 && strcmp(original, to_local) < 0)
				continue; /* handled above */
			if (!appointment_generates(dtstart, rrule, tz, original))
				continue;
			int64_t ms;
			char start_local[LOCAL_TIME_LEN];
			if (!local_to_utc_ms(moved_to, tz, &ms) || !utc_ms_to_local(ms, tz, start_local))
				continue;
			json_t *outcome = json_object_get(contacts, key);
			bool off = series_cancelled && ms >= cancelled_ms && outcome == NULL;
			add_item(items, ap, tz, original, start_local, ms, true, off,
			         off ? cancel_reason : json_string_value(json_object_get(ex, "reason")), outcome);
		}
	}
	free(occ);
	/* In time order: start is RFC 3339 UTC of fixed width, so text order is time order. */
	size_t count = json_array_size(items);
	struct occ_sort *sorted = count ? calloc(count, sizeof *sorted) : NULL;
	if (count && !sorted)
		ok = false;
	if (ok && count) {
		json_t *item;
		json_array_foreach(items, i, item) {
			sorted[i].item = item;
			sorted[i].start = json_string_value(json_object_get(item, "start"));
			sorted[i].appointment_id = json_string_value(json_object_get(item, "appointment_id"));
		}
		qsort(sorted, count, sizeof *sorted, occ_cmp);
		json_t *ordered = json_array();
		for (i = 0; i < count; i++)
			json_array_append(ordered, sorted[i].item);
		json_decref(items);
		items = ordered;
	}
	free(sorted);
	json_decref(aps);
	json_decref(exceptions);
	json_decref(contacts);
	if (!ok) {
		json_decref(items);
		return false;
	}
	*items_r = items;
	return true;
}
