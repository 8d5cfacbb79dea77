/*
 * api.h — the handlers the route table (routes.c) points to, one file per
 * resource. A handler turns JSON into calls to the domain and back; it never
 * decides who may call it (the route's permission and the policy do).
 */
#ifndef KADAM_API_API_H
#define KADAM_API_API_H

#include "http/http.h"
#include "store/db.h"

struct em_fix;

/* health.c */
void api_healthz(struct http_request *req, struct http_response *resp);
void api_readyz(struct http_request *req, struct http_response *resp);
void api_metrics(struct http_request *req, struct http_response *resp);
/* system.c */
void api_system_get(struct http_request *req, struct http_response *resp);
/* client_errors.c */
void api_client_errors_post(struct http_request *req, struct http_response *resp);
/* The checks on a report's body, shared with its fuzz target. */
bool client_error_validate(const json_t *body, struct field_errors *fe);

/* auth.c */
void api_auth_login(struct http_request *req, struct http_response *resp);
void api_auth_password(struct http_request *req, struct http_response *resp);
void api_auth_totp_enrol(struct http_request *req, struct http_response *resp);
void api_auth_totp_confirm(struct http_request *req, struct http_response *resp);
void api_auth_totp(struct http_request *req, struct http_response *resp);
void api_auth_logout(struct http_request *req, struct http_response *resp);
void api_auth_session(struct http_request *req, struct http_response *resp);
/* The checks on a login body, shared with its fuzz target. */
bool auth_login_validate(const json_t *body, struct field_errors *fe);
/* me.c */
json_t *api_me_json(struct http_request *req, struct http_response *resp);
void api_me_sessions(struct http_request *req, struct http_response *resp);
void api_me_session_end(struct http_request *req, struct http_response *resp);
void api_me_preferences(struct http_request *req, struct http_response *resp);
/* org.c */
void api_agencies_list(struct http_request *req, struct http_response *resp);
void api_agency_get(struct http_request *req, struct http_response *resp);
void api_agency_create(struct http_request *req, struct http_response *resp);
void api_agency_update(struct http_request *req, struct http_response *resp);
void api_units_list(struct http_request *req, struct http_response *resp);
void api_unit_get(struct http_request *req, struct http_response *resp);
void api_unit_create(struct http_request *req, struct http_response *resp);
void api_unit_update(struct http_request *req, struct http_response *resp);
void api_unit_members(struct http_request *req, struct http_response *resp);
/* users.c */
void api_users_list(struct http_request *req, struct http_response *resp);
void api_user_get(struct http_request *req, struct http_response *resp);
void api_user_create(struct http_request *req, struct http_response *resp);
void api_user_update(struct http_request *req, struct http_response *resp);
void api_user_disable(struct http_request *req, struct http_response *resp);
void api_user_enable(struct http_request *req, struct http_response *resp);
void api_user_reset_password(struct http_request *req, struct http_response *resp);
void api_user_reset_totp(struct http_request *req, struct http_response *resp);
void api_roles_list(struct http_request *req, struct http_response *resp);
/* tokens.c */
void api_tokens_list(struct http_request *req, struct http_response *resp);
void api_token_create(struct http_request *req, struct http_response *resp);
void api_token_revoke(struct http_request *req, struct http_response *resp);
/* grants.c */
void api_grants_list(struct http_request *req, struct http_response *resp);
void api_grant_create(struct http_request *req, struct http_response *resp);
void api_grant_revoke(struct http_request *req, struct http_response *resp);
void api_break_glass(struct http_request *req, struct http_response *resp);
void api_me_notifications(struct http_request *req, struct http_response *resp);
void api_me_notification_read(struct http_request *req, struct http_response *resp);
/* audit_api.c */
void api_audit_search(struct http_request *req, struct http_response *resp);
void api_audit_verification(struct http_request *req, struct http_response *resp);

/* reference.c */
void api_reference_get(struct http_request *req, struct http_response *resp);
void api_reference_article_put(struct http_request *req, struct http_response *resp);
void api_reference_release_rule_put(struct http_request *req, struct http_response *resp);
void api_transliteration(struct http_request *req, struct http_response *resp);
/* people.c */
void api_people_search(struct http_request *req, struct http_response *resp);
void api_people_duplicates(struct http_request *req, struct http_response *resp);
void api_person_create(struct http_request *req, struct http_response *resp);
void api_person_get(struct http_request *req, struct http_response *resp);
void api_person_update(struct http_request *req, struct http_response *resp);
void api_person_merge(struct http_request *req, struct http_response *resp);
/* The checks on a new person's body (today: YYYY-MM-DD), shared with its fuzz target. */
bool person_create_validate(const json_t *body, const char *today, struct field_errors *fe);
/* person_details.c */
void api_person_document_add(struct http_request *req, struct http_response *resp);
void api_person_document_delete(struct http_request *req, struct http_response *resp);
void api_person_address_add(struct http_request *req, struct http_response *resp);
void api_person_phone_add(struct http_request *req, struct http_response *resp);
void api_person_phone_delete(struct http_request *req, struct http_response *resp);
void api_person_alias_add(struct http_request *req, struct http_response *resp);
void api_person_alias_delete(struct http_request *req, struct http_response *resp);
void api_person_photo_get(struct http_request *req, struct http_response *resp);
void api_person_photo_put(struct http_request *req, struct http_response *resp);
void api_person_photo_delete(struct http_request *req, struct http_response *resp);
void api_third_parties_list(struct http_request *req, struct http_response *resp);
void api_third_party_add(struct http_request *req, struct http_response *resp);
void api_third_party_delete(struct http_request *req, struct http_response *resp);
/* cases.c */
void api_cases_list(struct http_request *req, struct http_response *resp);
void api_case_create(struct http_request *req, struct http_response *resp);
void api_case_get(struct http_request *req, struct http_response *resp);
void api_case_close(struct http_request *req, struct http_response *resp);
void api_case_allocate(struct http_request *req, struct http_response *resp);
void api_case_timeline(struct http_request *req, struct http_response *resp);
void api_caseload(struct http_request *req, struct http_response *resp);
/* decisions.c */
void api_decision_create(struct http_request *req, struct http_response *resp);
void api_decision_update(struct http_request *req, struct http_response *resp);
/* The checks on a decision's body, shared with its fuzz target. */
bool decision_body_validate(const json_t *body, struct field_errors *fe);
/* notes.c */
void api_notes_list(struct http_request *req, struct http_response *resp);
void api_note_create(struct http_request *req, struct http_response *resp);
/* pretrial.c */
void api_pretrial_list(struct http_request *req, struct http_response *resp);
void api_pretrial_create(struct http_request *req, struct http_response *resp);
void api_pretrial_get(struct http_request *req, struct http_response *resp);
void api_pretrial_update(struct http_request *req, struct http_response *resp);
void api_pretrial_task_update(struct http_request *req, struct http_response *resp);
void api_pretrial_submit(struct http_request *req, struct http_response *resp);
void api_pretrial_document(struct http_request *req, struct http_response *resp);
/* access_requests.c */
void api_access_requests_list(struct http_request *req, struct http_response *resp);
void api_access_request_create(struct http_request *req, struct http_response *resp);
void api_access_request_close(struct http_request *req, struct http_response *resp);
void api_person_export(struct http_request *req, struct http_response *resp);
/* imports.c */
void api_import(struct http_request *req, struct http_response *resp);

/* --- the route-level steps every API request goes through (dispatch.c) --- */

/* Credentials, policy, CSRF and the JSON body, then the route's handler. */
void api_dispatch(struct http_request *req, struct http_response *resp);

/* catalogue.c */
void api_catalogue_get(struct http_request *req, struct http_response *resp);
void api_catalogue_versions(struct http_request *req, struct http_response *resp);
void api_catalogue_import(struct http_request *req, struct http_response *resp);
/* conditions.c */
void api_conditions_list(struct http_request *req, struct http_response *resp);
void api_condition_preview(struct http_request *req, struct http_response *resp);
void api_condition_create(struct http_request *req, struct http_response *resp);
void api_condition_get(struct http_request *req, struct http_response *resp);
void api_condition_review(struct http_request *req, struct http_response *resp);
/* explanations.c */
void api_explanation_create(struct http_request *req, struct http_response *resp);
void api_conditions_sheet(struct http_request *req, struct http_response *resp);
/* variations.c */
void api_case_variations(struct http_request *req, struct http_response *resp);
void api_variation_create(struct http_request *req, struct http_response *resp);
void api_variations_list(struct http_request *req, struct http_response *resp);
void api_variation_get(struct http_request *req, struct http_response *resp);
void api_variation_update(struct http_request *req, struct http_response *resp);
void api_variation_withdraw(struct http_request *req, struct http_response *resp);
void api_variation_review(struct http_request *req, struct http_response *resp);
void api_variation_decide(struct http_request *req, struct http_response *resp);
/* supervision.c */
void api_supervision_get(struct http_request *req, struct http_response *resp);
void api_supervision_level_put(struct http_request *req, struct http_response *resp);
void api_reference_supervision_level_put(struct http_request *req, struct http_response *resp);
/* plans.c */
/* The checks on a plan, objective, action or review body (kind names which), shared with its fuzz target. */
bool plan_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
void api_plan_get(struct http_request *req, struct http_response *resp);
void api_plan_put(struct http_request *req, struct http_response *resp);
void api_plan_objective_create(struct http_request *req, struct http_response *resp);
void api_plan_objective_update(struct http_request *req, struct http_response *resp);
void api_plan_action_create(struct http_request *req, struct http_response *resp);
void api_plan_action_update(struct http_request *req, struct http_response *resp);
void api_plan_review_create(struct http_request *req, struct http_response *resp);
/* appointments.c */
void api_appointments_list(struct http_request *req, struct http_response *resp);
void api_appointment_create(struct http_request *req, struct http_response *resp);
void api_appointment_get(struct http_request *req, struct http_response *resp);
void api_appointment_update(struct http_request *req, struct http_response *resp);
void api_appointment_reschedule(struct http_request *req, struct http_response *resp);
void api_appointment_cancel(struct http_request *req, struct http_response *resp);
void api_appointment_outcome(struct http_request *req, struct http_response *resp);
void api_contacts_list(struct http_request *req, struct http_response *resp);
void api_contact_create(struct http_request *req, struct http_response *resp);
/* diary.c */
void api_diary(struct http_request *req, struct http_response *resp);
void api_appointment_letter(struct http_request *req, struct http_response *resp);
void api_calendar_feed_get(struct http_request *req, struct http_response *resp);
void api_calendar_feed_create(struct http_request *req, struct http_response *resp);
void api_calendar_feed_revoke(struct http_request *req, struct http_response *resp);
void api_calendar_feed_ics(struct http_request *req, struct http_response *resp);

/* engine.c */
void api_jobs_list(struct http_request *req, struct http_response *resp);
void api_jobs_run(struct http_request *req, struct http_response *resp);
void api_clock_set(struct http_request *req, struct http_response *resp);
void api_rules_list(struct http_request *req, struct http_response *resp);
void api_rule_update(struct http_request *req, struct http_response *resp);
/* alerts.c */
void api_alerts_list(struct http_request *req, struct http_response *resp);
void api_alerts_summary(struct http_request *req, struct http_response *resp);
void api_alert_get(struct http_request *req, struct http_response *resp);
void api_alert_acknowledge(struct http_request *req, struct http_response *resp);
void api_alert_assign(struct http_request *req, struct http_response *resp);
void api_alert_verify(struct http_request *req, struct http_response *resp);
void api_alert_dismiss(struct http_request *req, struct http_response *resp);
void api_case_alerts(struct http_request *req, struct http_response *resp);
void api_case_alert_create(struct http_request *req, struct http_response *resp);
void api_tasks_list(struct http_request *req, struct http_response *resp);
void api_case_tasks(struct http_request *req, struct http_response *resp);
void api_task_create(struct http_request *req, struct http_response *resp);
void api_task_update(struct http_request *req, struct http_response *resp);
/* breaches.c */
void api_breaches_list(struct http_request *req, struct http_response *resp);
void api_case_breaches(struct http_request *req, struct http_response *resp);
void api_breach_get(struct http_request *req, struct http_response *resp);
void api_breach_notify(struct http_request *req, struct http_response *resp);
void api_breach_account(struct http_request *req, struct http_response *resp);
void api_breach_assess(struct http_request *req, struct http_response *resp);
void api_breach_countersign(struct http_request *req, struct http_response *resp);
void api_breach_refer(struct http_request *req, struct http_response *resp);
void api_breach_close(struct http_request *req, struct http_response *resp);
void api_breach_decide(struct http_request *req, struct http_response *resp);
void api_breach_appeal(struct http_request *req, struct http_response *resp);
void api_breach_appeal_decide(struct http_request *req, struct http_response *resp);
void api_breach_withdraw(struct http_request *req, struct http_response *resp);
void api_breach_document(struct http_request *req, struct http_response *resp);
/* responses.c */
void api_responses_ladder(struct http_request *req, struct http_response *resp);
void api_case_responses(struct http_request *req, struct http_response *resp);
void api_response_create(struct http_request *req, struct http_response *resp);
void api_response_letter(struct http_request *req, struct http_response *resp);
void api_responses_summary(struct http_request *req, struct http_response *resp);
void api_complaints_list(struct http_request *req, struct http_response *resp);
void api_complaint_create(struct http_request *req, struct http_response *resp);
void api_complaint_get(struct http_request *req, struct http_response *resp);
void api_complaint_answer(struct http_request *req, struct http_response *resp);
void api_complaint_withdraw(struct http_request *req, struct http_response *resp);

/* Risk and needs assessment (issue 8): instruments.c, certifications.c, assessments.c, reassessment.c */
void api_instrument_schema(struct http_request *req, struct http_response *resp);
void api_instruments_list(struct http_request *req, struct http_response *resp);
void api_instrument_import(struct http_request *req, struct http_response *resp);
void api_instrument_get(struct http_request *req, struct http_response *resp);
void api_level_suggestions_list(struct http_request *req, struct http_response *resp);
void api_level_suggestion_put(struct http_request *req, struct http_response *resp);
void api_certifications_list(struct http_request *req, struct http_response *resp);
void api_certification_create(struct http_request *req, struct http_response *resp);
void api_certification_revoke(struct http_request *req, struct http_response *resp);
void api_case_assessments(struct http_request *req, struct http_response *resp);
void api_assessment_create(struct http_request *req, struct http_response *resp);
void api_assessment_history(struct http_request *req, struct http_response *resp);
void api_reassessment_trigger_create(struct http_request *req, struct http_response *resp);
void api_assessments_list(struct http_request *req, struct http_response *resp);
void api_assessment_get(struct http_request *req, struct http_response *resp);
void api_assessment_update(struct http_request *req, struct http_response *resp);
void api_assessment_submit(struct http_request *req, struct http_response *resp);
void api_assessment_countersign(struct http_request *req, struct http_response *resp);
void api_assessment_return(struct http_request *req, struct http_response *resp);
void api_assessment_withdraw(struct http_request *req, struct http_response *resp);

/* Deployment settings (settings.c). */
void api_settings_list(struct http_request *req, struct http_response *resp);
void api_setting_put(struct http_request *req, struct http_response *resp);
/* The body of PUT /api/v1/settings/{key} ({"value": n} within the key's bounds; any key for the fuzz target). */
bool settings_body_validate(const char *key, const json_t *body, struct field_errors *fe);

/* --- helpers shared by handlers (common.c) --- */

/* The request's pooled connection, taken on first use; NULL after answering 503. */
db *api_db(struct http_request *req, struct http_response *resp);
/* Gives the connection back (rolls back an open transaction). */
void api_db_release(struct http_request *req);
/* Opens a transaction on the request's connection; false after answering. */
bool api_begin(struct http_request *req, struct http_response *resp);
/* Commits; false after answering 500 (the transaction is rolled back). */
bool api_commit(struct http_request *req, struct http_response *resp);
/* Rolls back and answers 500, logging what failed and the database's message. */
void api_db_failed(struct http_request *req, struct http_response *resp, const char *what);
/* Answers 500 with a problem that names nothing internal, and logs the cause. */
void api_internal_error(struct http_request *req, struct http_response *resp, const char *what);

/*
 * Appends to the processing log in the request's open transaction, with the
 * principal as actor and the request's id, address, purpose and
 * justification. False when the log could not be written: the caller must
 * then fail the whole action (api_db_failed).
 */
bool api_audit(struct http_request *req, const char *action, const char *record_type,
               const char *record_id, const char *outcome, const char *detail);
/* The same with a purpose and justification from the request body rather than its headers. */
bool api_audit_why(struct http_request *req, const char *action, const char *record_type,
                   const char *record_id, const char *outcome, const char *detail, const char *purpose,
                   const char *justification);
/* Logs a disclosure (S10): the purpose "disclosure", the recipient and the justification. */
bool api_audit_disclose(struct http_request *req, const char *record_type, const char *record_id,
                        const char *recipient, const char *justification, const char *detail);
/* Logs a list read (consult, no record): "list[ <what>]: N shown[: id,id,...]", the items' ids up to about 1,800
 * characters. */
bool api_audit_list(struct http_request *req, const char *record_type, const json_t *items, const char *what);
/* Logs a refused request in a transaction of its own; record_type NULL names the route. */
void api_audit_denied(struct http_request *req, const char *record_type, const char *record_id,
                      const char *detail);

/* The current row as a JSON object keyed by column names: integer columns
 * named *_at or *_until become RFC 3339 text (0 or NULL: null); integer
 * columns named is_X become the boolean X. */
json_t *api_row_json(db_stmt *st);
/* A JSON object parsed from stored text (a detail or evidence column); {} when the text is not one. */
json_t *api_object_from(const char *text);
/* Replaces row's text member by the object it holds (api_object_from). */
void api_member_object(json_t *row, const char *member);
/* Moves row's members <prefix>_ky, <prefix>_ru and <prefix>_en into one object row[name] = {ky, ru, en};
 * row[name] is null when all three are NULL or absent. */
void api_texts_fold(json_t *row, const char *prefix, const char *name);
/* Runs a bound statement and returns its rows as an array, or NULL on error. */
json_t *api_rows_json(db_stmt *st);

/* Today's date (YYYY-MM-DD) in the deployment's time zone (setting `timezone`); false on a database error. */
bool api_today(db *conn, char out[11]);
struct civil_date;
/* The same into d and/or iso (either may be NULL); false after answering 500. */
bool api_today_date(struct http_request *req, struct http_response *resp, struct civil_date *d, char iso[11]);
/* "ky", "ru" or "en": the languages of documents and texts. */
bool api_language_valid(const char *lang);
/* The ?lang= of a request (NULL when absent); false after answering 422 naming `lang`. */
bool api_lang_query(struct http_request *req, struct http_response *resp, const char **lang_r);
/* The same for any instant (milliseconds since the epoch). */
bool api_local_date(db *conn, int64_t ms, char out[11]);

/* Rolls back an open transaction and answers 409 with the problem type, title and detail. */
void api_conflict(struct http_request *req, struct http_response *resp, const char *type, const char *title,
                  const char *detail);
/* When fe names any field: rolls back an open transaction, answers 422 and returns true; else false. */
bool api_errors_answer(struct http_request *req, struct http_response *resp, struct field_errors *fe);
/* A list's ?limit= (1..200, default 50); a bad one adds an error on `limit` to fe. */
long api_limit(struct http_request *req, struct field_errors *fe);

/* ETag "N" for a record version. */
void api_etag(struct http_response *resp, int64_t version);
/* The end of most writes: commits, then answers status with the record (taken) and its "version" as the ETag.
 * False after answering 500 (the record freed, the transaction rolled back). */
bool api_commit_send(struct http_request *req, struct http_response *resp, int status, json_t *record);
/* Reads If-Match; answers 428 (missing) or 412 (malformed) and returns false. */
bool api_if_match(struct http_request *req, struct http_response *resp, int64_t *version_r);
/* X-Kadam-Purpose and X-Kadam-Justification, checked; *given_r false when both are absent.
 * Answers 422 and returns false when present but invalid. */
bool api_purpose(struct http_request *req, struct http_response *resp, bool *given_r);
/* A string member of the JSON body, or NULL. */
const char *api_str(const struct http_request *req, const char *name);
/* Rolls back an open transaction and answers 422 naming one field. */
void api_field_problem(struct http_request *req, struct http_response *resp, const char *field,
                       const char *message);
/* Answers 404 for a record that does not exist (or that the caller may not know exists). */
void api_not_found(struct http_request *req, struct http_response *resp, const char *what);


/* Programmes and reintegration (issue 9). */
/* programmes.c */
void api_partners_list(struct http_request *req, struct http_response *resp);
void api_partner_create(struct http_request *req, struct http_response *resp);
void api_partner_get(struct http_request *req, struct http_response *resp);
void api_partner_update(struct http_request *req, struct http_response *resp);
void api_programmes_list(struct http_request *req, struct http_response *resp);
void api_programme_create(struct http_request *req, struct http_response *resp);
void api_programme_get(struct http_request *req, struct http_response *resp);
void api_programme_update(struct http_request *req, struct http_response *resp);
void api_programme_participants(struct http_request *req, struct http_response *resp);
void api_programme_attendance(struct http_request *req, struct http_response *resp);
/* referrals.c */
void api_referral_statuses(struct http_request *req, struct http_response *resp);
void api_case_referrals(struct http_request *req, struct http_response *resp);
void api_referral_create(struct http_request *req, struct http_response *resp);
void api_referrals_list(struct http_request *req, struct http_response *resp);
void api_referral_get(struct http_request *req, struct http_response *resp);
void api_referral_move(struct http_request *req, struct http_response *resp);
void api_referral_share(struct http_request *req, struct http_response *resp);
void api_referral_note_add(struct http_request *req, struct http_response *resp);
void api_referral_report(struct http_request *req, struct http_response *resp);
/* reintegration.c */
void api_case_reintegration_needs(struct http_request *req, struct http_response *resp);
void api_reintegration_need_create(struct http_request *req, struct http_response *resp);
void api_reintegration_need_update(struct http_request *req, struct http_response *resp);
void api_reintegration_needs_list(struct http_request *req, struct http_response *resp);
void api_third_party_update(struct http_request *req, struct http_response *resp);
void api_child_protection_list(struct http_request *req, struct http_response *resp);
/* release.c */
void api_release_planning_list(struct http_request *req, struct http_response *resp);
void api_release_plan_get(struct http_request *req, struct http_response *resp);
void api_release_plan_put(struct http_request *req, struct http_response *resp);
void api_release_action_create(struct http_request *req, struct http_response *resp);
void api_release_action_update(struct http_request *req, struct http_response *resp);
void api_panel_meeting_create(struct http_request *req, struct http_response *resp);
void api_panel_meeting_get(struct http_request *req, struct http_response *resp);
void api_panel_meeting_update(struct http_request *req, struct http_response *resp);
void api_panel_minutes(struct http_request *req, struct http_response *resp);
void api_release_handover(struct http_request *req, struct http_response *resp);

/* The body checks of the issue-9 routes, run before anything is touched (and by the fuzz targets). kind names the
 * body (each file documents its kinds); today is YYYY-MM-DD. True when fe got no error. */
bool programmes_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
bool referrals_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
bool reintegration_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
bool release_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
bool em_orders_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
bool em_zones_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);
bool em_police_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);

/* em_devices.c, em_orders.c, em_zones.c, em_police.c, em_ingest.c, em_queue.c (issue 7) */
void api_em_devices_list(struct http_request *req, struct http_response *resp);
void api_em_device_create(struct http_request *req, struct http_response *resp);
void api_em_device_get(struct http_request *req, struct http_response *resp);
void api_em_device_update(struct http_request *req, struct http_response *resp);
void api_em_unknown_devices(struct http_request *req, struct http_response *resp);
void api_em_orders_list(struct http_request *req, struct http_response *resp);
void api_case_em_orders(struct http_request *req, struct http_response *resp);
void api_em_order_create(struct http_request *req, struct http_response *resp);
void api_em_order_get(struct http_request *req, struct http_response *resp);
void api_em_order_update(struct http_request *req, struct http_response *resp);
void api_em_order_end(struct http_request *req, struct http_response *resp);
void api_em_fitting_create(struct http_request *req, struct http_response *resp);
void api_em_fitting_remove(struct http_request *req, struct http_response *resp);
void api_em_absence_create(struct http_request *req, struct http_response *resp);
void api_em_absence_cancel(struct http_request *req, struct http_response *resp);
void api_em_zone_create(struct http_request *req, struct http_response *resp);
void api_em_zone_update(struct http_request *req, struct http_response *resp);
void api_em_zone_retire(struct http_request *req, struct http_response *resp);
void api_em_zones_export(struct http_request *req, struct http_response *resp);
void api_em_zones_import(struct http_request *req, struct http_response *resp);
void api_em_trail(struct http_request *req, struct http_response *resp);
void api_em_position(struct http_request *req, struct http_response *resp);
void api_em_device_events(struct http_request *req, struct http_response *resp);
void api_em_fixes_batch(struct http_request *req, struct http_response *resp);
void api_em_osmand(struct http_request *req, struct http_response *resp);
/* The checks on a batch of fixes (POST /api/v1/em/fixes), shared with its fuzz target: on true *fixes_r (malloc'd,
 * the caller frees) holds the *n_r fixes decoded; on false fe names each bad field ("fixes[3].lat"). */
bool em_batch_body_validate(const json_t *body, struct field_errors *fe, struct em_fix **fixes_r, size_t *n_r);
void api_em_queue(struct http_request *req, struct http_response *resp);
void api_em_police_requests_list(struct http_request *req, struct http_response *resp);
void api_em_police_request_create(struct http_request *req, struct http_response *resp);
void api_em_police_request_get(struct http_request *req, struct http_response *resp);
void api_em_police_request_decide(struct http_request *req, struct http_response *resp);
void api_em_police_request_trail(struct http_request *req, struct http_response *resp);

#endif
