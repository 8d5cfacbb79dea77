/* pretrial.c — the report template, new requests, and what documents share; see pretrial.h. */
#include "domain/pretrial.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/* data/pretrial-template.json, compiled in by scripts/embed-text.py. */
extern const char pretrial_template_json[];
extern const size_t pretrial_template_json_len;

const char *const pretrial_task_kinds[] = {"family", "neighbours", "employer", "living_conditions", NULL};

static const char *const languages[] = {"ky", "ru", "en"};

static json_t *template;
static char template_ref[96];
static pthread_once_t template_once = PTHREAD_ONCE_INIT;

/* True when v is an object with a non-empty string for each language. */
static bool texts_valid(const json_t *v)
{
	for (size_t i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(v, languages[i]));
		if (!s || !*s)
			return false;
	}
	return true;
}

static bool section_id_valid(const char *id)
{
	if (!id || !*id || strlen(id) > 40)
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

/* Checks the whole template; a message naming what is wrong, or NULL. */
static const char *template_problem(const json_t *t)
{
	if (!json_is_string(json_object_get(t, "id")) || !json_is_integer(json_object_get(t, "version")))
		return "id and version are required";
	if (!texts_valid(json_object_get(t, "title")))
		return "title needs ky, ru and en";
	const json_t *sections = json_object_get(t, "sections");
	if (!json_is_array(sections) || json_array_size(sections) == 0)
		return "sections must be a non-empty array";
	size_t i;
	const json_t *s;
	json_array_foreach(sections, i, s) {
		const char *id = json_string_value(json_object_get(s, "id"));
		const char *nature = json_string_value(json_object_get(s, "nature"));
		json_int_t max = json_integer_value(json_object_get(s, "max_length"));
		if (!section_id_valid(id))
			return "a section id must be 1 to 40 of a-z, 0-9, _";
		for (size_t j = 0; j < i; j++)
			if (strcmp(id, json_string_value(json_object_get(json_array_get(sections, j), "id"))) == 0)
				return "section ids must be unique";
		if (!nature || (strcmp(nature, "fact") != 0 && strcmp(nature, "assessment") != 0))
			return "a section's nature must be fact or assessment";
		if (!json_is_boolean(json_object_get(s, "required")) ||
		    !json_is_boolean(json_object_get(s, "special_category")))
			return "a section needs required and special_category (true or false)";
		if (max < 1 || max > 20000)
			return "a section's max_length must be 1 to 20000";
		if (!texts_valid(json_object_get(s, "title")) || !texts_valid(json_object_get(s, "guidance")))
			return "a section needs a title and guidance in ky, ru and en";
	}
	const json_t *labels = json_object_get(t, "labels");
	const char *key;
	const json_t *v;
	if (!json_is_object(labels))
		return "labels must be an object";
	json_object_foreach((json_t *)labels, key, v) {
		if (!texts_valid(v))
			return "every label needs ky, ru and en";
	}
	return NULL;
}

static void template_load(void)
{
	json_error_t err;
	json_t *t = json_loadb(pretrial_template_json, pretrial_template_json_len, JSON_REJECT_DUPLICATES, &err);
	const char *problem = t ? template_problem(t) : err.text;
	if (problem) {
		log_error("the pre-trial report template (data/pretrial-template.json) is not usable: %s", problem);
		json_decref(t);
		return;
	}
	snprintf(template_ref, sizeof template_ref, "%s@%lld", json_string_value(json_object_get(t, "id")),
	         (long long)json_integer_value(json_object_get(t, "version")));
	template = t;
}

const json_t *pretrial_template(void)
{
	pthread_once(&template_once, template_load);
	return template;
}

const char *pretrial_template_ref(void)
{
	pthread_once(&template_once, template_load);
	return template_ref;
}

const json_t *pretrial_template_section(const char *section_id)
{
	const json_t *t = pretrial_template();
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(t, "sections"), i, s) {
		if (section_id && strcmp(json_string_value(json_object_get(s, "id")), section_id) == 0)
			return s;
	}
	return NULL;
}

const char *pretrial_label(const char *key, const char *lang)
{
	const json_t *t = pretrial_template();
	const char *s = json_string_value(json_object_get(json_object_get(json_object_get(t, "labels"), key), lang));
	return s ? s : key;
}

enum db_status pretrial_create(db *conn, const char *case_id, const struct pretrial_fields *f, int64_t now,
                               char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO pretrial_request (id, case_id, court, court_reference, received_on, due_on, status, template,"
		" language, report, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'requested', ?, ?, '{}', ?, ?)",
		"ttttttttii", id_r, case_id, f->court, f->court_reference, f->received_on, f->due_on,
		pretrial_template_ref(), f->language, now, now);
	for (const char *const *k = pretrial_task_kinds; rc == DB_OK && *k; k++) {
		char task[UUID_STR_LEN];
		uuid_v7(task);
		rc = db_run(conn, NULL,
			"INSERT INTO pretrial_task (id, request_id, kind, status, due_on, created_at)"
			" VALUES (?, ?, ?, 'open', ?, ?)",
			"tttti", task, id_r, *k, f->due_on, now);
	}
	return rc;
}

