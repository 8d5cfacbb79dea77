// Appointments and contacts: single and repeating appointments (RFC 5545 rules in the deployment's
// local time), invalid rules refused naming rrule, one occurrence moved or cancelled with a reason
// (moving it again updates the same exception), series changes and cancellation, one outcome per
// occurrence, unscheduled contacts newest first, refusals for roles without supervision.write and
// for other units, and the timeline and the processing log for each step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB, worker, tz;
const ids = {};

function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const events = (kind) => count('case_event', `case_id = '${ids.case}' AND kind = '${kind}'`);
const logged = (action, type, id, login = 'appt.officer') =>
  count('audit_log', `action = '${action}' AND record_type = '${type}' AND record_id = '${id}' AND actor_login = '${login}'`);

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function openCase(client, surname, unitOfficer) {
  let r = await client.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  r = await client.post('/api/v1/cases', {
    person_id: r.body.id, kind: 'executive', opened_on: addDays(today(tz), -90), open_reason: 'Court order received',
    officer_id: unitOfficer,
  });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

const weekly = {
  kind: 'office', location: 'Room 4', purpose: 'Weekly reporting', starts_local: '2019-03-04T10:00', duration_min: 30,
  rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10',
};

async function occurrences(caseId, from, to, client = officer) {
  const r = await client.get(`/api/v1/cases/${caseId}/appointments?from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'appt.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone || 'Asia/Bishkek';
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Appointments Probation', kind: 'probation' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  officer = await user('appt.officer', 'probation_officer', ids.a);
  officerB = await user('appt.officer.b', 'probation_officer', ids.b);
  worker = await user('appt.worker', 'prison_case_worker', ids.a);
  ids.case = await openCase(officer, 'Жумабеков', ids['appt.officer']);
  ids.case2 = await openCase(officer, 'Абдыкадыров', ids['appt.officer']);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('a weekly appointment with COUNT is scheduled, expanded in local time, on the timeline and in the log', async () => {
  const r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, weekly);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  const a = r.body;
  ids.weekly = a.id;
  assert.equal(a.case_id, ids.case);
  assert.equal(a.officer_id, ids['appt.officer'], 'the case officer by default');
  assert.equal(a.officer_name, 'Test appt.officer');
  assert.equal(a.kind, 'office');
  assert.equal(a.rrule, weekly.rrule);
  assert.equal(a.status, 'active');
  assert.equal(a.version, 1);
  assert.deepEqual(a.exceptions, []);
  assert.match(a.case_number, /^\d{4}-\d{6}$/);
  assert.match(a.person_name, /^Жумабеков/);
  assert.equal(events('appointment.scheduled'), 1);
  assert.equal(logged('collect', 'appointment', a.id), 1);

  const list = await occurrences(ids.case, '2019-03-01', '2019-06-30');
  assert.equal(list.timezone, tz);
  assert.equal(list.from, '2019-03-01');
  assert.equal(list.to, '2019-06-30');
  assert.equal(list.items.length, 10);
  assert.equal(list.appointments.length, 1);
  const first = list.items[0];
  assert.equal(first.appointment_id, a.id);
  assert.equal(first.start_local, '2019-03-04T10:00');
  assert.equal(first.end_local, '2019-03-04T10:30');
  assert.equal(first.original_local, '2019-03-04T10:00');
  assert.equal(first.recurring, true);
  assert.equal(first.moved, false);
  assert.equal(first.cancelled, false);
  assert.equal(first.outcome, null);
  assert.equal(first.location, 'Room 4');
  if (tz === 'Asia/Bishkek') assert.equal(first.start, '2019-03-04T04:00:00.000Z');
  assert.equal(list.items[9].start_local, '2019-05-06T10:00');
  assert.ok(list.items.every((o) => o.start_local.endsWith('T10:00')));
  for (let i = 1; i < list.items.length; i++) assert.ok(list.items[i - 1].start < list.items[i].start, 'in time order');
  // A window holds the occurrences that start in it; the bounds are whole days.
  assert.equal((await occurrences(ids.case, '2019-03-04', '2019-03-04')).items.length, 1);
  assert.equal((await occurrences(ids.case, '2019-03-05', '2019-03-10')).items.length, 0);
  assert.equal(logged('consult', 'case_appointments', ids.case), 3);

  const g = await officer.get(`/api/v1/appointments/${a.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.equal(g.body.purpose, 'Weekly reporting');
  assert.equal(logged('consult', 'appointment', a.id), 1);
});

test('a monthly rule on day 31 skips the short months; a single appointment late at night belongs to its day', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case2}/appointments`, {
    kind: 'home_visit', purpose: 'Monthly home visit', starts_local: '2019-01-31T09:00', duration_min: 60,
    rrule: 'FREQ=MONTHLY;BYMONTHDAY=31',
  });
  assert.equal(r.status, 201, r.text);
  const list = await occurrences(ids.case2, '2019-01-01', '2019-12-31');
  assert.deepEqual(list.items.map((o) => o.start_local),
    ['2019-01-31T09:00', '2019-03-31T09:00', '2019-05-31T09:00', '2019-07-31T09:00', '2019-08-31T09:00',
      '2019-10-31T09:00', '2019-12-31T09:00']);
  r = await officer.post(`/api/v1/cases/${ids.case2}/appointments`, {
    kind: 'phone', purpose: 'Late call', starts_local: '2019-02-14T23:30', duration_min: 60,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.rrule, null);
  let day = await occurrences(ids.case2, '2019-02-14', '2019-02-14');
  assert.equal(day.items.length, 1);
  assert.equal(day.items[0].end_local, '2019-02-15T00:30');
  assert.equal(day.items[0].recurring, false);
  day = await occurrences(ids.case2, '2019-02-15', '2019-02-15');
  assert.equal(day.items.length, 0);
});

test('invalid rules and bad fields are refused naming the field; nothing is created', async () => {
  const before = count('appointment');
  for (const rrule of ['FREQ=HOURLY', 'FREQ=MINUTELY;COUNT=3', 'FREQ=WEEKLY;INTERVAL=60', 'FREQ=WEEKLY;COUNT=600',
    'FREQ=WEEKLY;UNTIL=20190101', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'every monday', 'FREQ=DAILY;BYHOUR=9',
    'FREQ=WEEKLY;' + 'BYDAY=MO;'.repeat(40)]) {
    const r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, { ...weekly, rrule });
    assert.equal(r.status, 422, `${rrule}: ${r.text}`);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['rrule'], rrule);
  }
  let r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, {
    kind: 'court', purpose: '', starts_local: '2019-02-30T10:00', duration_min: 4, colour: 'red',
  });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['colour', 'duration_min', 'kind', 'purpose', 'starts_local']);
  r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, { ...weekly, starts_local: '2019-03-04 10:00' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['starts_local']);
  r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, { ...weekly, condition_id: '00000000-0000-7000-8000-000000000000' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'condition_id');
  r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, { ...weekly, officer_id: '00000000-0000-7000-8000-000000000000' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'officer_id');
  assert.equal(count('appointment'), before);
});

test('one occurrence is moved with a reason, moved again (the same exception), and another cancelled', async () => {
  const path = `/api/v1/appointments/${ids.weekly}/reschedule`;
  let r = await officer.post(path, { occurrence_local: '2019-03-11T10:00', new_starts_local: '2019-03-12T15:00' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  r = await officer.post(path, { occurrence_local: '2019-03-11T10:00', new_starts_local: '2019-03-12T15:00', reason: 'no' });
  assert.equal(r.status, 422, 'a reason of at least three characters');
  r = await officer.post(path, { occurrence_local: '2019-03-12T10:00', new_starts_local: '2019-03-13T15:00', reason: 'Clash with court' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'occurrence_local', 'not an occurrence the rule makes');
  r = await officer.post(path, { occurrence_local: '2019-05-13T10:00', new_starts_local: null, reason: 'After COUNT' });
  assert.equal(r.status, 422);
  r = await officer.post(path, { occurrence_local: '2019-03-11T10:00', reason: 'Clash with court' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'new_starts_local');
  assert.equal(count('appointment_exception'), 0);

  r = await officer.post(path, { occurrence_local: '2019-03-11T10:00', new_starts_local: '2019-03-12T15:00', reason: 'Clash with court' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.exceptions.length, 1);
  assert.equal(r.body.exceptions[0].new_starts_local, '2019-03-12T15:00');
  assert.equal(r.body.exceptions[0].changed_by_name, 'Test appt.officer');
  let list = await occurrences(ids.case, '2019-03-01', '2019-03-31');
  let moved = list.items.find((o) => o.original_local === '2019-03-11T10:00');
  assert.equal(moved.start_local, '2019-03-12T15:00');
  assert.equal(moved.moved, true);
  assert.equal(moved.reason, 'Clash with court');
  assert.equal(list.appointments[0].exceptions.length, 1);

  r = await officer.post(path, { occurrence_local: '2019-03-11T10:00', new_starts_local: '2019-03-13T09:00', reason: 'Officer on leave' });
  assert.equal(r.status, 200, r.text);
  assert.equal(count('appointment_exception', `appointment_id = '${ids.weekly}'`), 1, 'the same exception row');
  list = await occurrences(ids.case, '2019-03-01', '2019-03-31');
  moved = list.items.find((o) => o.original_local === '2019-03-11T10:00');
  assert.equal(moved.start_local, '2019-03-13T09:00');
  assert.equal(moved.reason, 'Officer on leave');
  // Moved out of a window: it shows in the window of its new day, not of its rule day.
  assert.equal((await occurrences(ids.case, '2019-03-11', '2019-03-11')).items.length, 0);
  assert.equal((await occurrences(ids.case, '2019-03-13', '2019-03-13')).items[0].original_local, '2019-03-11T10:00');

  r = await officer.post(path, { occurrence_local: '2019-03-18T10:00', new_starts_local: null, reason: 'Public holiday' });
  assert.equal(r.status, 200, r.text);
  list = await occurrences(ids.case, '2019-03-01', '2019-03-31');
  const cancelled = list.items.find((o) => o.original_local === '2019-03-18T10:00');
  assert.equal(cancelled.cancelled, true);
  assert.equal(cancelled.reason, 'Public holiday');
  assert.equal(events('appointment.rescheduled'), 2);
  assert.equal(events('appointment.cancelled'), 1);
  assert.equal(logged('alter', 'appointment', ids.weekly), 3);
});

test('an occurrence has one outcome; cancelled and unknown occurrences take none; absences need their reason', async () => {
  const path = `/api/v1/appointments/${ids.weekly}/outcome`;
  let r = await officer.post(path, { occurrence_local: '2019-03-04T10:00', outcome: 'attended_complied', duration_min: 25, notes: 'Reported on time.' });
  assert.equal(r.status, 201, r.text);
  const c = r.body;
  assert.equal(c.appointment_id, ids.weekly);
  assert.equal(c.occurrence_local, '2019-03-04T10:00');
  assert.equal(c.happened_local, '2019-03-04T10:00');
  assert.equal(c.kind, 'office');
  assert.equal(c.duration_min, 25);
  assert.equal(c.recorded_by_name, 'Test appt.officer');
  assert.equal(events('contact.recorded'), 1);
  assert.equal(logged('collect', 'contact', c.id), 1);

  r = await officer.post(path, { occurrence_local: '2019-03-04T10:00', outcome: 'failed_to_attend' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:outcome-exists');
  r = await officer.post(path, { occurrence_local: '2019-03-18T10:00', outcome: 'failed_to_attend' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:occurrence-cancelled');
  r = await officer.post(path, { occurrence_local: '2019-03-05T10:00', outcome: 'failed_to_attend' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'occurrence_local');
  r = await officer.post(path, { occurrence_local: '2019-03-25T10:00', outcome: 'acceptable_absence' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['absence_reason']);
  r = await officer.post(path, { occurrence_local: '2019-03-25T10:00', outcome: 'acceptable_absence', absence_reason: 'other' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['absence_detail']);
  r = await officer.post(path, { occurrence_local: '2019-03-25T10:00', outcome: 'attended_complied', absence_reason: 'medical' });
  assert.equal(r.status, 422);
  r = await officer.post(path, { occurrence_local: '2019-03-25T10:00', outcome: 'acceptable_absence', absence_reason: 'medical', condition_id: '00000000-0000-7000-8000-000000000000' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'condition_id');
  r = await officer.post(path, { occurrence_local: '2019-03-25T10:00', outcome: 'acceptable_absence', absence_reason: 'other', absence_detail: 'Funeral' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.absence_reason, 'other');
  // The moved occurrence happened at its new time.
  r = await officer.post(path, { occurrence_local: '2019-03-11T10:00', outcome: 'sent_home' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.happened_local, '2019-03-13T09:00');
  assert.equal(count('contact', `appointment_id = '${ids.weekly}'`), 3);

  const list = await occurrences(ids.case, '2019-03-01', '2019-04-30');
  assert.equal(list.items.find((o) => o.original_local === '2019-03-04T10:00').outcome.id, c.id);
  assert.equal(list.items.find((o) => o.original_local === '2019-03-11T10:00').outcome.outcome, 'sent_home');
  assert.equal(list.items.find((o) => o.original_local === '2019-04-01T10:00').outcome, null);
  // An occurrence with an outcome does not move.
  r = await officer.post(`/api/v1/appointments/${ids.weekly}/reschedule`,
    { occurrence_local: '2019-03-04T10:00', new_starts_local: '2019-03-05T10:00', reason: 'Too late now' });
  assert.equal(r.status, 409);
});

test('a series change needs If-Match and a reason for a new time; stale exceptions go unless an outcome records them', async () => {
  const path = `/api/v1/appointments/${ids.weekly}`;
  let r = await officer.put(path, { purpose: 'Reporting' });
  assert.equal(r.status, 428);
  r = await officer.put(path, { purpose: 'Reporting' }, { 'if-match': '"1"' });
  assert.equal(r.status, 412);
  const version = (await officer.get(path)).body.version;
  r = await officer.put(path, { starts_local: '2019-03-05T11:00', rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=10' }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  r = await officer.put(path, { rrule: 'FREQ=SECONDLY', reason: 'Faster' }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['rrule']);
  // The moved 2019-03-11 occurrence has an outcome: a rule that drops it is refused, naming it.
  r = await officer.put(path, { starts_local: '2019-03-05T11:00', rrule: 'FREQ=WEEKLY;BYDAY=TU;COUNT=10', reason: 'Office hours changed' },
    { 'if-match': `"${version}"` });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /2019-03-11T10:00/);
  // A purpose change needs no reason.
  r = await officer.put(path, { purpose: 'Reporting' }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.purpose, 'Reporting');
  assert.equal(r.headers.get('etag'), `"${version + 1}"`);

  // Another series: its moved occurrence has no outcome, so a new rule removes the exception.
  r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, { ...weekly, starts_local: '2030-09-02T10:00', rrule: 'FREQ=WEEKLY;BYDAY=MO' });
  assert.equal(r.status, 201, r.text);
  const other = r.body.id;
  r = await officer.post(`/api/v1/appointments/${other}/reschedule`, { occurrence_local: '2030-09-09T10:00', new_starts_local: '2030-09-10T10:00', reason: 'Clash' });
  assert.equal(r.status, 200, r.text);
  r = await officer.put(`/api/v1/appointments/${other}`, { starts_local: '2030-09-03T10:00', rrule: 'FREQ=WEEKLY;BYDAY=TU', reason: 'Office hours changed' },
    { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.exceptions, []);
  assert.equal(r.body.rrule, 'FREQ=WEEKLY;BYDAY=TU');
  // An UNTIL date is kept as the UTC instant that ends that day in the zone; the series stops there.
  r = await officer.put(`/api/v1/appointments/${other}`, { rrule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20300917', reason: 'Order ends' },
    { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  if (tz === 'Asia/Bishkek') assert.equal(r.body.rrule, 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20300917T175959Z');
  let list = await occurrences(ids.case, '2030-09-01', '2030-09-30');
  assert.deepEqual(list.items.filter((o) => o.appointment_id === other).map((o) => o.start_local),
    ['2030-09-03T10:00', '2030-09-10T10:00', '2030-09-17T10:00']);
  r = await officer.put(`/api/v1/appointments/${other}`, { rrule: 'FREQ=WEEKLY;BYDAY=TU', reason: 'Order extended' },
    { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  list = await occurrences(ids.case, '2030-09-01', '2030-09-30');
  assert.deepEqual(list.items.filter((o) => o.appointment_id === other).map((o) => o.start_local),
    ['2030-09-03T10:00', '2030-09-10T10:00', '2030-09-17T10:00', '2030-09-24T10:00']);
  assert.equal(events('appointment.changed'), 4);
  ids.other = other;
});

test('a series is cancelled with a reason; later occurrences show as cancelled and take no outcome', async () => {
  // Attendance is recorded once it could have happened; only an acceptable absence may be known beforehand.
  let r = await officer.post(`/api/v1/appointments/${ids.other}/outcome`, { occurrence_local: '2030-09-10T10:00', outcome: 'attended_complied' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['outcome']);
  assert.equal(count('contact', `appointment_id = '${ids.other}'`), 0);
  const path = `/api/v1/appointments/${ids.other}/cancellation`;
  r = await officer.post(path, {});
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  r = await officer.post(path, { reason: 'Moved to another office' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'cancelled');
  assert.equal(r.body.cancel_reason, 'Moved to another office');
  r = await officer.post(path, { reason: 'Again' });
  assert.equal(r.status, 409);
  const list = await occurrences(ids.case, '2030-09-01', '2030-09-30');
  const mine = list.items.filter((o) => o.appointment_id === ids.other);
  assert.ok(mine.length === 4 && mine.every((o) => o.cancelled && o.reason === 'Moved to another office'));
  r = await officer.post(`/api/v1/appointments/${ids.other}/outcome`, { occurrence_local: '2030-09-10T10:00', outcome: 'failed_to_attend' });
  assert.equal(r.status, 409);
  const version = (await officer.get(`/api/v1/appointments/${ids.other}`)).body.version;
  r = await officer.put(`/api/v1/appointments/${ids.other}`, { purpose: 'x' }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 409);
  assert.equal(events('appointment.cancelled'), 2);
});

test('unscheduled contacts are recorded in the past only and listed newest first with outcomes', async () => {
  const day = addDays(today(tz), -3);
  let r = await officer.post(`/api/v1/cases/${ids.case}/contacts`, {
    kind: 'phone', happened_local: `${day}T09:15`, outcome: 'attended_complied', duration_min: 10, notes: 'Called in.',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.appointment_id, null);
  assert.equal(r.body.occurrence_local, null);
  const older = r.body.id;
  r = await officer.post(`/api/v1/cases/${ids.case}/contacts`, { kind: 'other', happened_local: `${addDays(day, 1)}T08:00`, outcome: 'unacceptable_absence' });
  assert.equal(r.status, 201, r.text);
  const newer = r.body.id;
  r = await officer.post(`/api/v1/cases/${ids.case}/contacts`, { kind: 'phone', happened_local: `${addDays(today(tz), 2)}T09:00`, outcome: 'attended_complied' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'happened_local');
  r = await officer.post(`/api/v1/cases/${ids.case}/contacts`, { kind: 'letter', happened_local: '2020-13-01T09:00', outcome: 'ok', duration_min: 721 });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['duration_min', 'happened_local', 'kind', 'outcome']);
  r = await officer.get(`/api/v1/cases/${ids.case}/contacts`);
  assert.equal(r.status, 200);
  const order = r.body.items.map((c) => c.id);
  assert.equal(order.length, 5);
  // The two unscheduled ones (this week) come first, newest first, then the 2019 outcomes (newest happened_local first).
  assert.deepEqual(order.slice(0, 2), [newer, older]);
  for (let i = 1; i < r.body.items.length; i++) assert.ok(r.body.items[i - 1].happened_local >= r.body.items[i].happened_local);
  assert.equal(logged('consult', 'case_contacts', ids.case), 1);
  assert.equal(events('contact.recorded'), 5);
});

test('the appointment goes only into the diary of staff of the case\'s unit who keep one', async () => {
  // Another unit's officer, or a colleague without a diary, would see the person in their diary and feed.
  for (const other of [ids['appt.officer.b'], ids['appt.worker']]) {
    const r = await officer.post(`/api/v1/cases/${ids.case}/appointments`, { ...weekly, officer_id: other });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['officer_id']);
  }
});

test('roles without supervision.write read but do not change; another unit is refused', async () => {
  let r = await worker.get(`/api/v1/cases/${ids.case}/appointments?from=2019-03-01&to=2019-03-31`);
  assert.equal(r.status, 200, r.text);
  r = await worker.get(`/api/v1/appointments/${ids.weekly}`);
  assert.equal(r.status, 200);
  r = await worker.get(`/api/v1/cases/${ids.case}/contacts`);
  assert.equal(r.status, 200);
  const before = [count('appointment'), count('appointment_exception'), count('contact')];
  for (const [path, body] of [
    [`/api/v1/cases/${ids.case}/appointments`, weekly],
    [`/api/v1/appointments/${ids.weekly}/reschedule`, { occurrence_local: '2019-04-01T10:00', new_starts_local: null, reason: 'Not mine' }],
    [`/api/v1/appointments/${ids.weekly}/cancellation`, { reason: 'Not mine' }],
    [`/api/v1/appointments/${ids.weekly}/outcome`, { occurrence_local: '2019-04-01T10:00', outcome: 'attended_complied' }],
    [`/api/v1/cases/${ids.case}/contacts`, { kind: 'phone', happened_local: '2025-01-01T10:00', outcome: 'attended_complied' }],
  ]) {
    r = await worker.post(path, body);
    assert.equal(r.status, 403, path);
  }
  r = await worker.put(`/api/v1/appointments/${ids.weekly}`, { purpose: 'x' }, { 'if-match': '"1"' });
  assert.equal(r.status, 403);
  r = await officerB.get(`/api/v1/appointments/${ids.weekly}`);
  assert.equal(r.status, 403);
  r = await officerB.post(`/api/v1/appointments/${ids.weekly}/outcome`, { occurrence_local: '2019-04-01T10:00', outcome: 'attended_complied' });
  assert.equal(r.status, 403);
  r = await officerB.get(`/api/v1/cases/${ids.case}/contacts`);
  assert.equal(r.status, 403);
  r = await officer.get('/api/v1/appointments/00000000-0000-7000-8000-000000000000');
  assert.equal(r.status, 404);
  r = await officer.get(`/api/v1/cases/${ids.case}/appointments?from=2019-01-01&to=2031-12-31`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'to');
  r = await officer.get(`/api/v1/cases/${ids.case}/appointments?from=2019-02-30`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'from');
  assert.deepEqual([count('appointment'), count('appointment_exception'), count('contact')], before);
});
