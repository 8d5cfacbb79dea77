// The route x role matrix: every route in the table is called as every role
// (and as nobody), and the answer compared with the expected allow or deny.
// A route added to the table without a row here fails the first test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runKadam, startServer } from '../lib/server.mjs';
import { Client, createAdmin, firstLogin } from '../lib/auth.mjs';

const ROLES = ['administrator', 'unit_head', 'probation_officer', 'monitoring_operator', 'prison_case_worker',
  'partner', 'competent_authority', 'police_liaison', 'analyst', 'auditor', 'data_protection_officer'];
const ALL = ['anonymous', ...ROLES];
const LOGGED_IN = ROLES;
const UUID = '00000000-0000-7000-8000-000000000000';
// Who holds the case-record permissions (migration 0004).
const READ = ['unit_head', 'probation_officer', 'prison_case_worker', 'data_protection_officer'];
const WRITE = ['unit_head', 'probation_officer', 'prison_case_worker'];
const THIRD = ['unit_head', 'probation_officer'];
const HEAD = ['unit_head'];
const PRETRIAL = ['unit_head', 'probation_officer'];
const DPO = ['data_protection_officer'];
const IMPORT = ['unit_head', 'prison_case_worker'];
// Supervision (migration 0005).
const SUPERVISE = ['unit_head', 'probation_officer'];
const VARIATIONS = ['unit_head', 'probation_officer', 'competent_authority'];
const AUTHORITY = ['competent_authority'];
// Compliance (migration 0006).
const ALERTS = ['unit_head', 'probation_officer'];
// The monitoring operator works device alerts (migration 0009).
const ALERTS_EM = [...ALERTS, 'monitoring_operator'];
const BREACHES = ['unit_head', 'probation_officer', 'competent_authority'];
const ADMIN = ['administrator'];
// Assessment (migration 0007).
const ASSESS = ['unit_head', 'probation_officer', 'prison_case_worker'];
const CERTIFY = ['administrator', 'unit_head'];
// Programmes and reintegration (migration 0008).
const PROG_READ = ['administrator', 'unit_head', 'probation_officer', 'prison_case_worker', 'partner'];
const PROG_MANAGE = ['administrator', 'unit_head', 'partner'];
const REF_READ = ['unit_head', 'probation_officer', 'prison_case_worker', 'partner'];
const REF_WRITE = ['unit_head', 'probation_officer', 'prison_case_worker'];
const REF_MOVE = REF_READ;
const PROVIDE = ['partner'];
const RELEASE = ['unit_head', 'probation_officer', 'prison_case_worker'];
// Electronic monitoring (migration 0009).
const EM_READ = ['unit_head', 'probation_officer', 'monitoring_operator'];
const EM_DEVICES = ['unit_head', 'monitoring_operator'];
const EM_ORDERS = ['unit_head', 'probation_officer'];
const EM_FIT = ['unit_head', 'probation_officer', 'monitoring_operator'];
const EM_OPERATE = ['monitoring_operator'];
const EM_INGEST = ['administrator'];
const EM_POLICE_READ = ['unit_head', 'police_liaison'];
const EM_POLICE = ['police_liaison'];
const EM_POLICE_DECIDE = ['unit_head'];
const HANDOVER = ['unit_head', 'prison_case_worker'];

// "METHOD pattern" -> roles allowed (everyone else must be refused), and a body to send.
const matrix = {
  'GET /healthz': { allow: ALL },
  'GET /readyz': { allow: ALL },
  'GET /metrics': { allow: ['administrator'] },
  'GET /api/v1/system': { allow: ALL },
  'POST /api/v1/client-errors': { allow: ALL, body: { message: 'matrix probe' } },
  'POST /api/v1/auth/login': { allow: ALL, body: { login: 'nobody', password: 'wrong password' } },
  'POST /api/v1/auth/password': { allow: LOGGED_IN, body: { current_password: 'x', new_password: 'y' } },
  'POST /api/v1/auth/totp/enrol': { allow: LOGGED_IN },
  'POST /api/v1/auth/totp/confirm': { allow: LOGGED_IN, body: { code: '000000' } },
  'POST /api/v1/auth/totp': { allow: LOGGED_IN, body: { code: 'abc' } },
  'GET /api/v1/auth/session': { allow: LOGGED_IN },
  'GET /api/v1/me/sessions': { allow: LOGGED_IN },
  'DELETE /api/v1/me/sessions/{id}': { allow: LOGGED_IN },
  'PUT /api/v1/me/preferences': { allow: LOGGED_IN, body: { preferred_language: 'ru' } },
  'GET /api/v1/me/notifications': { allow: LOGGED_IN },
  'POST /api/v1/me/notifications/{id}/read': { allow: LOGGED_IN },
  'GET /api/v1/access-grants': { allow: ['unit_head'] },
  'POST /api/v1/access-grants': { allow: ['unit_head'], body: {} },
  'DELETE /api/v1/access-grants/{id}': { allow: ['unit_head'] },
  'POST /api/v1/break-glass': { allow: ['unit_head', 'probation_officer'], body: {} },
  'GET /api/v1/agencies': { allow: ['administrator', 'unit_head', 'probation_officer', 'prison_case_worker', 'competent_authority', 'analyst', 'auditor', 'data_protection_officer'] },
  'POST /api/v1/agencies': { allow: ['administrator'], body: { name: '', kind: 'court' } },
  'GET /api/v1/agencies/{id}': { allow: ['administrator', 'unit_head', 'probation_officer', 'prison_case_worker', 'competent_authority', 'analyst', 'auditor', 'data_protection_officer'] },
  'PUT /api/v1/agencies/{id}': { allow: ['administrator'], body: { name: 'x', kind: 'court' } },
  'GET /api/v1/units': { allow: ['administrator', 'unit_head', 'probation_officer', 'prison_case_worker', 'competent_authority', 'analyst', 'auditor', 'data_protection_officer'] },
  'POST /api/v1/units': { allow: ['administrator'], body: { name: '' } },
  'GET /api/v1/units/{id}': { allow: ['administrator', 'unit_head', 'probation_officer', 'prison_case_worker', 'competent_authority', 'analyst', 'auditor', 'data_protection_officer'] },
  'PUT /api/v1/units/{id}': { allow: ['administrator'], body: { name: 'x' } },
  'GET /api/v1/units/{id}/members': { allow: ['unit_head', 'probation_officer', 'prison_case_worker'] },
  'GET /api/v1/users': { allow: ['administrator', 'auditor'] },
  'POST /api/v1/users': { allow: ['administrator'], body: { login: '' } },
  'GET /api/v1/users/{id}': { allow: ['administrator', 'auditor'] },
  'PUT /api/v1/users/{id}': { allow: ['administrator'], body: { display_name: '' } },
  'POST /api/v1/users/{id}/disable': { allow: ['administrator'] },
  'POST /api/v1/users/{id}/enable': { allow: ['administrator'] },
  'POST /api/v1/users/{id}/reset-password': { allow: ['administrator'] },
  'POST /api/v1/users/{id}/reset-totp': { allow: ['administrator'] },
  'GET /api/v1/roles': { allow: ['administrator'] },
  'GET /api/v1/tokens': { allow: ['administrator'] },
  'POST /api/v1/tokens': { allow: ['administrator'], body: { name: '' } },
  'DELETE /api/v1/tokens/{id}': { allow: ['administrator'] },
  'GET /api/v1/settings': { allow: ADMIN },
  'PUT /api/v1/settings/{key}': { allow: ADMIN, body: {} },
  'GET /api/v1/system/jobs': { allow: ADMIN },
  'POST /api/v1/system/jobs/run': { allow: ADMIN },
  'PUT /api/v1/system/clock': { allow: ADMIN, body: {} },
  'GET /api/v1/compliance/rules': { allow: LOGGED_IN },
  'PUT /api/v1/compliance/rules/{code}': { allow: ['administrator'], body: {} },
  'GET /api/v1/alerts': { allow: ALERTS_EM },
  'GET /api/v1/alerts/summary': { allow: ALERTS_EM },
  'GET /api/v1/alerts/{id}': { allow: ALERTS_EM },
  'POST /api/v1/alerts/{id}/acknowledgement': { allow: ALERTS_EM },
  'POST /api/v1/alerts/{id}/assignment': { allow: ALERTS_EM, body: {} },
  'POST /api/v1/alerts/{id}/verification': { allow: ALERTS_EM, body: {} },
  'POST /api/v1/alerts/{id}/dismissal': { allow: ALERTS_EM, body: {} },
  'GET /api/v1/cases/{id}/alerts': { allow: READ },
  'POST /api/v1/cases/{id}/alerts': { allow: ALERTS_EM, body: {} },
  'GET /api/v1/tasks': { allow: ALERTS_EM },
  'GET /api/v1/cases/{id}/tasks': { allow: READ },
  'POST /api/v1/cases/{id}/tasks': { allow: ALERTS_EM, body: {} },
  'PUT /api/v1/tasks/{id}': { allow: ALERTS_EM, body: {} },
  'GET /api/v1/breaches': { allow: BREACHES },
  'GET /api/v1/cases/{id}/breaches': { allow: READ },
  'GET /api/v1/breaches/{id}': { allow: BREACHES },
  'POST /api/v1/breaches/{id}/notification': { allow: ALERTS, body: {} },
  'POST /api/v1/breaches/{id}/account': { allow: ALERTS, body: {} },
  'POST /api/v1/breaches/{id}/assessment': { allow: ALERTS, body: {} },
  'POST /api/v1/breaches/{id}/countersignature': { allow: HEAD, body: {} },
  'POST /api/v1/breaches/{id}/referral': { allow: ALERTS, body: {} },
  'POST /api/v1/breaches/{id}/closure': { allow: ALERTS, body: {} },
  'POST /api/v1/breaches/{id}/decision': { allow: AUTHORITY, body: {} },
  'POST /api/v1/breaches/{id}/appeal': { allow: ALERTS, body: {} },
  'POST /api/v1/breaches/{id}/appeal-decision': { allow: AUTHORITY, body: {} },
  'POST /api/v1/breaches/{id}/withdrawal': { allow: ALERTS, body: {} },
  'GET /api/v1/breaches/{id}/documents/{kind}': { allow: BREACHES },
  'GET /api/v1/reference/responses': { allow: READ },
  'GET /api/v1/cases/{id}/responses': { allow: READ },
  'POST /api/v1/cases/{id}/responses': { allow: ALERTS, body: {} },
  'GET /api/v1/responses/{id}/letter': { allow: READ },
  'GET /api/v1/compliance/responses-summary': { allow: ALERTS_EM },
  'GET /api/v1/complaints': { allow: ALERTS },
  'POST /api/v1/complaints': { allow: ALERTS, body: {} },
  'GET /api/v1/complaints/{id}': { allow: ALERTS },
  'POST /api/v1/complaints/{id}/answer': { allow: ALERTS, body: {} },
  'POST /api/v1/complaints/{id}/withdrawal': { allow: ALERTS, body: {} },
  'GET /api/v1/instruments/schema': { allow: ALL },
  'GET /api/v1/instruments': { allow: LOGGED_IN },
  'POST /api/v1/instruments': { allow: ADMIN, body: {} },
  'GET /api/v1/instruments/{id}': { allow: LOGGED_IN },
  'GET /api/v1/level-suggestions': { allow: LOGGED_IN },
  'PUT /api/v1/level-suggestions/{code}/{judgement}': { allow: ADMIN, body: {} },
  'GET /api/v1/certifications': { allow: LOGGED_IN },
  'POST /api/v1/certifications': { allow: CERTIFY, body: {} },
  'POST /api/v1/certifications/{id}/revocation': { allow: CERTIFY, body: {} },
  'GET /api/v1/cases/{id}/assessments': { allow: ASSESS },
  'POST /api/v1/cases/{id}/assessments': { allow: ASSESS, body: {} },
  'GET /api/v1/cases/{id}/assessments/history': { allow: ASSESS },
  'POST /api/v1/cases/{id}/reassessment-triggers': { allow: ASSESS, body: {} },
  'GET /api/v1/assessments': { allow: ASSESS },
  'GET /api/v1/assessments/{id}': { allow: ASSESS },
  'PUT /api/v1/assessments/{id}': { allow: ASSESS, body: {} },
  'POST /api/v1/assessments/{id}/submission': { allow: ASSESS },
  'POST /api/v1/assessments/{id}/countersignature': { allow: HEAD, body: {} },
  'POST /api/v1/assessments/{id}/return': { allow: HEAD, body: {} },
  'POST /api/v1/assessments/{id}/withdrawal': { allow: ASSESS, body: {} },
  'GET /api/v1/partners': { allow: PROG_READ },
  'POST /api/v1/partners': { allow: ADMIN, body: {} },
  'GET /api/v1/partners/{id}': { allow: PROG_READ },
  'PUT /api/v1/partners/{id}': { allow: ADMIN, body: {} },
  'GET /api/v1/programmes': { allow: PROG_READ },
  'POST /api/v1/programmes': { allow: PROG_MANAGE, body: {} },
  'GET /api/v1/programmes/{id}': { allow: PROG_READ },
  'PUT /api/v1/programmes/{id}': { allow: PROG_MANAGE, body: {} },
  'GET /api/v1/programmes/{id}/participants': { allow: REF_READ },
  'POST /api/v1/programmes/{id}/attendance': { allow: PROVIDE, body: {} },
  'GET /api/v1/reference/referral-statuses': { allow: LOGGED_IN },
  'GET /api/v1/cases/{id}/referrals': { allow: REF_READ },
  'POST /api/v1/cases/{id}/referrals': { allow: REF_WRITE, body: {} },
  'GET /api/v1/referrals': { allow: REF_READ },
  'GET /api/v1/referrals/{id}': { allow: REF_READ },
  'POST /api/v1/referrals/{id}/transitions': { allow: REF_MOVE, body: {} },
  'PUT /api/v1/referrals/{id}/share': { allow: REF_WRITE, body: {} },
  'POST /api/v1/referrals/{id}/progress-notes': { allow: PROVIDE, body: {} },
  'PUT /api/v1/referrals/{id}/report': { allow: PROVIDE, body: {} },
  'GET /api/v1/cases/{id}/reintegration-needs': { allow: READ },
  'POST /api/v1/cases/{id}/reintegration-needs': { allow: REF_WRITE, body: {} },
  'PUT /api/v1/reintegration-needs/{id}': { allow: REF_WRITE, body: {} },
  'GET /api/v1/reintegration-needs': { allow: READ },
  'PUT /api/v1/people/{id}/third-parties/{item}': { allow: THIRD, body: {} },
  'GET /api/v1/child-protection': { allow: THIRD },
  'GET /api/v1/release-planning': { allow: RELEASE },
  'GET /api/v1/cases/{id}/release-plan': { allow: RELEASE },
  'PUT /api/v1/cases/{id}/release-plan': { allow: RELEASE, body: {} },
  'POST /api/v1/release-plans/{id}/actions': { allow: RELEASE, body: {} },
  'PUT /api/v1/release-actions/{id}': { allow: RELEASE, body: {} },
  'POST /api/v1/release-plans/{id}/panel-meetings': { allow: RELEASE, body: {} },
  'GET /api/v1/panel-meetings/{id}': { allow: RELEASE },
  'PUT /api/v1/panel-meetings/{id}': { allow: RELEASE, body: {} },
  'GET /api/v1/panel-meetings/{id}/minutes': { allow: RELEASE },
  'POST /api/v1/release-plans/{id}/handover': { allow: HANDOVER, body: {} },
  'GET /api/v1/audit': { allow: ['administrator', 'auditor', 'data_protection_officer'] },
  'GET /api/v1/audit/verification': { allow: ['administrator', 'auditor', 'data_protection_officer'] },
  'GET /api/v1/reference': { allow: LOGGED_IN },
  'PUT /api/v1/reference/articles/{code}': { allow: ['administrator'], body: {} },
  'PUT /api/v1/reference/release-rules/{category}': { allow: ['administrator'], body: {} },
  'GET /api/v1/transliteration': { allow: LOGGED_IN },
  'GET /api/v1/people': { allow: READ },
  'POST /api/v1/people/duplicates': { allow: WRITE, body: {} },
  'POST /api/v1/people': { allow: WRITE, body: {} },
  'GET /api/v1/people/{id}': { allow: READ },
  'PUT /api/v1/people/{id}': { allow: WRITE, body: {} },
  'POST /api/v1/people/{id}/documents': { allow: WRITE, body: {} },
  'DELETE /api/v1/people/{id}/documents/{item}': { allow: WRITE },
  'POST /api/v1/people/{id}/addresses': { allow: WRITE, body: {} },
  'POST /api/v1/people/{id}/phones': { allow: WRITE, body: {} },
  'DELETE /api/v1/people/{id}/phones/{item}': { allow: WRITE },
  'POST /api/v1/people/{id}/aliases': { allow: WRITE, body: {} },
  'DELETE /api/v1/people/{id}/aliases/{item}': { allow: WRITE },
  'GET /api/v1/people/{id}/photo': { allow: READ },
  'PUT /api/v1/people/{id}/photo': { allow: WRITE },
  'DELETE /api/v1/people/{id}/photo': { allow: WRITE },
  'GET /api/v1/people/{id}/third-parties': { allow: THIRD },
  'POST /api/v1/people/{id}/third-parties': { allow: THIRD, body: {} },
  'DELETE /api/v1/people/{id}/third-parties/{item}': { allow: THIRD },
  'POST /api/v1/people/{id}/merge': { allow: HEAD, body: {} },
  'GET /api/v1/people/{id}/export': { allow: DPO },
  'GET /api/v1/cases': { allow: READ },
  'POST /api/v1/cases': { allow: WRITE, body: {} },
  'GET /api/v1/cases/{id}': { allow: READ },
  'POST /api/v1/cases/{id}/close': { allow: WRITE, body: {} },
  'POST /api/v1/cases/{id}/allocation': { allow: HEAD, body: {} },
  'GET /api/v1/cases/{id}/timeline': { allow: READ },
  'POST /api/v1/cases/{id}/decisions': { allow: WRITE, body: {} },
  'PUT /api/v1/decisions/{id}': { allow: WRITE, body: {} },
  'GET /api/v1/cases/{id}/notes': { allow: READ },
  'POST /api/v1/cases/{id}/notes': { allow: WRITE, body: {} },
  'GET /api/v1/caseload': { allow: READ },
  'GET /api/v1/pretrial-reports': { allow: READ },
  'POST /api/v1/cases/{id}/pretrial-report': { allow: PRETRIAL, body: {} },
  'GET /api/v1/pretrial-reports/{id}': { allow: READ },
  'PUT /api/v1/pretrial-reports/{id}': { allow: PRETRIAL, body: {} },
  'PUT /api/v1/pretrial-reports/{id}/tasks/{task}': { allow: PRETRIAL, body: {} },
  'POST /api/v1/pretrial-reports/{id}/submission': { allow: PRETRIAL },
  'GET /api/v1/pretrial-reports/{id}/document': { allow: READ },
  'GET /api/v1/access-requests': { allow: DPO },
  'POST /api/v1/access-requests': { allow: DPO, body: {} },
  'POST /api/v1/access-requests/{id}/closure': { allow: DPO, body: {} },
  'POST /api/v1/imports': { allow: IMPORT },
  // Supervision (migration 0005).
  'GET /api/v1/condition-catalogue': { allow: LOGGED_IN },
  'GET /api/v1/condition-catalogue/versions': { allow: LOGGED_IN },
  'POST /api/v1/condition-catalogue': { allow: ['administrator'], body: {} },
  'GET /api/v1/cases/{id}/conditions': { allow: READ },
  'POST /api/v1/cases/{id}/conditions/preview': { allow: SUPERVISE, body: {} },
  'POST /api/v1/cases/{id}/conditions': { allow: SUPERVISE, body: {} },
  'GET /api/v1/conditions/{id}': { allow: READ },
  'POST /api/v1/conditions/{id}/reviews': { allow: SUPERVISE, body: {} },
  'POST /api/v1/cases/{id}/explanations': { allow: SUPERVISE, body: {} },
  'GET /api/v1/cases/{id}/conditions/sheet': { allow: READ },
  'GET /api/v1/cases/{id}/variations': { allow: READ },
  'POST /api/v1/cases/{id}/variations': { allow: SUPERVISE, body: {} },
  'GET /api/v1/variations': { allow: VARIATIONS },
  'GET /api/v1/variations/{id}': { allow: VARIATIONS },
  'PUT /api/v1/variations/{id}': { allow: SUPERVISE, body: {} },
  'POST /api/v1/variations/{id}/withdrawal': { allow: SUPERVISE },
  'POST /api/v1/variations/{id}/review': { allow: HEAD, body: {} },
  'POST /api/v1/variations/{id}/decision': { allow: AUTHORITY, body: {} },
  'GET /api/v1/cases/{id}/supervision': { allow: READ },
  'PUT /api/v1/cases/{id}/supervision-level': { allow: SUPERVISE, body: {} },
  'PUT /api/v1/reference/supervision-levels/{code}': { allow: ['administrator'], body: {} },
  'GET /api/v1/cases/{id}/plan': { allow: READ },
  'PUT /api/v1/cases/{id}/plan': { allow: SUPERVISE, body: {} },
  'POST /api/v1/cases/{id}/plan/objectives': { allow: SUPERVISE, body: {} },
  'PUT /api/v1/plan-objectives/{id}': { allow: SUPERVISE, body: {} },
  'POST /api/v1/plan-objectives/{id}/actions': { allow: SUPERVISE, body: {} },
  'PUT /api/v1/plan-actions/{id}': { allow: SUPERVISE, body: {} },
  'POST /api/v1/cases/{id}/plan/reviews': { allow: SUPERVISE, body: {} },
  'GET /api/v1/cases/{id}/appointments': { allow: READ },
  'POST /api/v1/cases/{id}/appointments': { allow: SUPERVISE, body: {} },
  'GET /api/v1/appointments/{id}': { allow: READ },
  'PUT /api/v1/appointments/{id}': { allow: SUPERVISE, body: {} },
  'POST /api/v1/appointments/{id}/reschedule': { allow: SUPERVISE, body: {} },
  'POST /api/v1/appointments/{id}/cancellation': { allow: SUPERVISE, body: {} },
  'POST /api/v1/appointments/{id}/outcome': { allow: SUPERVISE, body: {} },
  'GET /api/v1/cases/{id}/contacts': { allow: READ },
  'POST /api/v1/cases/{id}/contacts': { allow: SUPERVISE, body: {} },
  'GET /api/v1/diary': { allow: SUPERVISE },
  'GET /api/v1/appointments/{id}/letter': { allow: READ },
  'GET /api/v1/me/calendar-feed': { allow: SUPERVISE },
  'POST /api/v1/me/calendar-feed': { allow: SUPERVISE },
  'DELETE /api/v1/me/calendar-feed': { allow: SUPERVISE },
  'GET /api/v1/calendar/{token}': { allow: ALL },
  // Electronic monitoring (migration 0009).
  'GET /api/v1/em/devices': { allow: EM_READ },
  'POST /api/v1/em/devices': { allow: EM_DEVICES, body: {} },
  'GET /api/v1/em/devices/{id}': { allow: EM_READ },
  'PUT /api/v1/em/devices/{id}': { allow: EM_DEVICES, body: {} },
  'GET /api/v1/em/unknown-devices': { allow: EM_DEVICES },
  'GET /api/v1/em/orders': { allow: EM_READ },
  'GET /api/v1/cases/{id}/em-orders': { allow: EM_READ },
  'POST /api/v1/cases/{id}/em-orders': { allow: EM_ORDERS, body: {} },
  'GET /api/v1/em/orders/{id}': { allow: EM_READ },
  'PUT /api/v1/em/orders/{id}': { allow: EM_ORDERS, body: {} },
  'POST /api/v1/em/orders/{id}/end': { allow: EM_ORDERS, body: {} },
  'POST /api/v1/em/orders/{id}/fittings': { allow: EM_FIT, body: {} },
  'POST /api/v1/em/fittings/{id}/removal': { allow: EM_FIT, body: {} },
  'POST /api/v1/em/orders/{id}/absences': { allow: EM_ORDERS, body: {} },
  'POST /api/v1/em/absences/{id}/cancellation': { allow: EM_ORDERS, body: {} },
  'POST /api/v1/em/orders/{id}/zones': { allow: EM_ORDERS, body: {} },
  'PUT /api/v1/em/zones/{id}': { allow: EM_ORDERS, body: {} },
  'POST /api/v1/em/zones/{id}/retirement': { allow: EM_ORDERS, body: {} },
  'GET /api/v1/em/orders/{id}/zones.geojson': { allow: EM_READ },
  'POST /api/v1/em/orders/{id}/zones/import': { allow: EM_ORDERS, body: {} },
  'GET /api/v1/em/orders/{id}/trail': { allow: EM_READ },
  'GET /api/v1/em/orders/{id}/position': { allow: EM_READ },
  'GET /api/v1/em/orders/{id}/events': { allow: EM_READ },
  'POST /api/v1/em/fixes': { allow: EM_INGEST, body: {} },
  'GET /em/osmand': { allow: ALL },
  'POST /em/osmand': { allow: ALL },
  'GET /api/v1/em/queue': { allow: EM_OPERATE },
  'GET /api/v1/em/police-requests': { allow: EM_POLICE_READ },
  'POST /api/v1/em/police-requests': { allow: EM_POLICE, body: {} },
  'GET /api/v1/em/police-requests/{id}': { allow: EM_POLICE_READ },
  'POST /api/v1/em/police-requests/{id}/decision': { allow: EM_POLICE_DECIDE, body: {} },
  'GET /api/v1/em/police-requests/{id}/trail': { allow: EM_POLICE },
  // Last: it ends the session it is called with.
  'POST /api/v1/auth/logout': { allow: LOGGED_IN },
};

const table = JSON.parse(runKadam(['routes', '--json']).stdout);
let srv;
const clients = {};

before(async () => {
  srv = await startServer({ env: { KADAM_LOGIN_ATTEMPTS_PER_MINUTE: '10000' } });
  const first = await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'matrix.admin')));
  const agency = (await first.client.post('/api/v1/agencies', { name: 'Matrix agency', kind: 'probation' })).body.id;
  const unit = (await first.client.post('/api/v1/units', { agency_id: agency, name: 'Matrix unit' })).body.id;
  for (const role of ROLES) {
    const r = await first.client.post('/api/v1/users', {
      login: `m.${role}`, display_name: `Matrix ${role}`, agency_id: agency, unit_id: unit, roles: [role],
    });
    assert.equal(r.status, 201, r.text);
    clients[role] = (await firstLogin(srv.url, `m.${role}`, r.body.one_time_password)).client;
  }
  clients.anonymous = new Client(srv.url);
});
after(async () => { assert.equal((await srv.stop()).code, 0); });

test('every route has a row in the matrix, and every row a route', () => {
  const keys = new Set(table.map((r) => `${r.method} ${r.path}`));
  for (const k of keys) assert.ok(matrix[k], `${k} has no row in tests/api/matrix.test.mjs`);
  for (const k of Object.keys(matrix)) assert.ok(keys.has(k), `${k} is in the matrix but not routed`);
});

function refused(r) {
  const type = r.body?.type || '';
  return (r.status === 401 && /unauthenticated|invalid-token/.test(type)) || (r.status === 403 && /forbidden/.test(type));
}

test('each role gets what the matrix expects on each route', async () => {
  const order = Object.keys(matrix); // logout last
  const problems = [];
  for (const key of order) {
    const [method, pattern] = key.split(' ');
    const path = pattern.replace(/\{[^}]+\}/g, UUID);
    for (const role of ALL) {
      const r = await clients[role].request(method, path, matrix[key].body);
      const expected = matrix[key].allow.includes(role) ? 'allow' : 'deny';
      const got = refused(r) ? 'deny' : 'allow';
      if (got !== expected) problems.push(`${key} as ${role}: expected ${expected}, got ${r.status} ${r.body?.type || ''}`);
    }
  }
  assert.deepEqual(problems, []);
});
