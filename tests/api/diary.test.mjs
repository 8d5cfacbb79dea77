// The diary and the calendar feed: an officer's occurrences over a day or a week (range checks
// naming from/to; a unit head may look at an officer of their units, nobody at another unit's),
// the printable appointment letter in ky/ru/en (HTML-escaped, the person's language by default,
// only for a real, standing occurrence), and the secret calendar-feed URL: created once, shown
// once, an RFC 5545 calendar with EXDATE and RECURRENCE-ID, folded lines and CRLF, replaced or
// revoked to 404, refused for a disabled account; every reading logged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, head, officer, officerB, worker, tz, now;
const ids = {};

function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const logged = (action, type, id, login) =>
  count('audit_log', `action = '${action}' AND record_type = '${type}' AND record_id = '${id}' AND actor_login = '${login}'`);
const compact = (iso) => iso.replace(/[-:]/g, '') + '00'; // 2030-03-04T10:00 -> 20300304T100000

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function openCase(client, person, officerId) {
  let r = await client.post('/api/v1/people', { birth_date: '1990-05-05', ...person });
  assert.equal(r.status, 201, r.text);
  r = await client.post('/api/v1/cases', {
    person_id: r.body.id, kind: 'executive', opened_on: addDays(now, -90), open_reason: 'Court order received',
    officer_id: officerId,
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, number: r.body.number };
}

async function schedule(client, caseId, body) {
  const r = await client.post(`/api/v1/cases/${caseId}/appointments`, body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// A fetch without any session: the feed's token is its only credential.
async function fetchFeed(url) {
  const res = await fetch(`${srv.url}${url}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), headers: res.headers };
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'diary.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone || 'Asia/Bishkek';
  now = today(tz);
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Diary Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  head = await user('diary.head', 'unit_head', ids.a);
  officer = await user('diary.officer', 'probation_officer', ids.a);
  officerB = await user('diary.officer.b', 'probation_officer', ids.b);
  worker = await user('diary.worker', 'prison_case_worker', ids.a);
  ids.main = await openCase(officer, {
    surname: 'Жумабеков', given_name: 'Бакыт', patronymic: 'Маратович', languages: ['uz', 'ru'],
    addresses: [{ kind: 'actual', address: 'ул. Киевская 10, кв. 5, Бишкек', valid_from: addDays(now, -400) }],
  }, ids['diary.officer']);
  ids.other = await openCase(officer, { surname: 'Абдыкадыров', given_name: 'Нурлан', languages: ['uz'] }, ids['diary.officer']);

  // A weekly appointment from next week: its 2nd occurrence moved, its 3rd cancelled.
  ids.weeklyStart = `${addDays(now, 7)}T10:00`;
  const weekly = await schedule(officer, ids.main.id, {
    kind: 'office', location: 'Room 4, Chui Avenue 100', purpose: 'Weekly reporting', starts_local: ids.weeklyStart,
    duration_min: 30, rrule: 'FREQ=WEEKLY;COUNT=6',
  });
  ids.weekly = weekly.id;
  ids.moved = `${addDays(now, 14)}T10:00`;
  ids.movedTo = `${addDays(now, 15)}T16:00`;
  ids.cancelled = `${addDays(now, 21)}T10:00`;
  let r = await officer.post(`/api/v1/appointments/${ids.weekly}/reschedule`,
    { occurrence_local: ids.moved, new_starts_local: ids.movedTo, reason: 'Officer in court' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/appointments/${ids.weekly}/reschedule`,
    { occurrence_local: ids.cancelled, new_starts_local: null, reason: 'Public holiday' });
  assert.equal(r.status, 200, r.text);
  ids.single = (await schedule(officer, ids.main.id, {
    kind: 'office', location: 'Room 5', purpose: '<script>alert(1)</script> & "plan" review',
    starts_local: `${addDays(now, 1)}T14:00`, duration_min: 45,
  })).id;
  ids.home = (await schedule(officer, ids.other.id, {
    kind: 'home_visit', location: 'ул. Токтогула 1, кв. 2', purpose: 'Home visit',
    starts_local: `${addDays(now, 2)}T09:00`, duration_min: 60,
  })).id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

// ---- the diary ----------------------------------------------------------------------------------

test('the diary shows the caller\'s own occurrences, today and six days on by default, and is logged', async () => {
  const r = await officer.get('/api/v1/diary');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.from, now);
  assert.equal(r.body.to, addDays(now, 6));
  assert.equal(r.body.timezone, tz);
  assert.equal(r.body.officer_id, ids['diary.officer']);
  assert.equal(r.body.officer_name, 'Test diary.officer');
  assert.deepEqual(r.body.items.map((o) => o.appointment_id), [ids.single, ids.home]);
  assert.equal(r.body.items[0].start_local, `${addDays(now, 1)}T14:00`);
  assert.equal(r.body.items[0].case_number, ids.main.number);
  assert.equal(logged('consult', 'diary', ids['diary.officer'], 'diary.officer'), 1);
});

test('a window: moved occurrences at their new time, cancelled ones marked', async () => {
  const r = await officer.get(`/api/v1/diary?from=${addDays(now, 7)}&to=${addDays(now, 27)}`);
  assert.equal(r.status, 200, r.text);
  const mine = r.body.items.filter((o) => o.appointment_id === ids.weekly);
  assert.deepEqual(mine.map((o) => o.start_local), [ids.weeklyStart, ids.movedTo, ids.cancelled]);
  assert.equal(mine[1].moved, true);
  assert.equal(mine[1].original_local, ids.moved);
  assert.equal(mine[2].cancelled, true);
  // from alone: a week from there
  const w = await officer.get(`/api/v1/diary?from=${addDays(now, 7)}`);
  assert.equal(w.status, 200);
  assert.equal(w.body.to, addDays(now, 13));
  assert.equal(w.body.items.length, 1);
  // one day
  const d = await officer.get(`/api/v1/diary?from=${addDays(now, 15)}&to=${addDays(now, 15)}`);
  assert.deepEqual(d.body.items.map((o) => o.start_local), [ids.movedTo]);
});

test('bad ranges are refused naming from and to', async () => {
  let r = await officer.get('/api/v1/diary?from=2030-02-30&to=tomorrow');
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['from', 'to']);
  r = await officer.get(`/api/v1/diary?from=${addDays(now, 5)}&to=${addDays(now, 4)}`);
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['to']);
  r = await officer.get(`/api/v1/diary?from=${now}&to=${addDays(now, 31)}`);
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['from', 'to']);
  r = await officer.get(`/api/v1/diary?from=${now}&to=${addDays(now, 30)}`);
  assert.equal(r.status, 200, '31 days is the most');
  r = await officer.get('/api/v1/diary?officer=someone');
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'officer');
});

test('a unit head reads an officer\'s diary in their unit; another unit\'s officer is refused and logged', async () => {
  let r = await head.get(`/api/v1/diary?officer=${ids['diary.officer']}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.officer_id, ids['diary.officer']);
  assert.equal(r.body.items.length, 2);
  assert.equal(logged('consult', 'diary', ids['diary.officer'], 'diary.head'), 1);
  r = await officerB.get(`/api/v1/diary?officer=${ids['diary.officer']}`);
  assert.equal(r.status, 403);
  assert.equal(logged('access.denied', 'diary', ids['diary.officer'], 'diary.officer.b'), 1);
  r = await officerB.get('/api/v1/diary');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items, []);
  r = await head.get('/api/v1/diary?officer=00000000-0000-7000-8000-000000000000');
  assert.equal(r.status, 404);
});

test('roles without diary.read are refused the diary and the feed', async () => {
  for (const [method, path] of [['get', '/api/v1/diary'], ['get', '/api/v1/me/calendar-feed'],
    ['post', '/api/v1/me/calendar-feed'], ['delete', '/api/v1/me/calendar-feed']]) {
    const r = method === 'post' ? await worker.post(path, {}) : await worker[method](path);
    assert.equal(r.status, 403, `${method} ${path}`);
  }
  const r = await fetch(`${srv.url}/api/v1/diary`);
  assert.equal(r.status, 401);
});

// ---- the letter ---------------------------------------------------------------------------------

const wording = {
  ky: ['Пробация инспекторуна келүү жөнүндө билдирме', 'Паспортуңузду же инсандыгыңызды ырастаган', 'Жүйөлүү себептер'],
  ru: ['Уведомление о явке к инспектору пробации', 'Паспорт или другой документ, удостоверяющий личность',
    'Уважительными причинами считаются'],
  en: ['Appointment letter', 'Your passport or another identity document', 'Acceptable reasons include'],
};

test('the letter in each language carries its fixed wording, the details, and escapes what was typed', async () => {
  for (const lang of ['ky', 'ru', 'en']) {
    const r = await officer.get(`/api/v1/appointments/${ids.single}/letter?lang=${lang}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    assert.match(r.text, new RegExp(`<html lang="${lang}"`));
    for (const w of wording[lang]) assert.ok(r.text.includes(w), `${lang}: ${w}`);
    for (const other of ['ky', 'ru', 'en'].filter((l) => l !== lang)) assert.ok(!r.text.includes(wording[other][1]));
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;plan&quot; review'));
    assert.ok(!r.text.includes('<script>'));
    assert.ok(r.text.includes('Жумабеков Бакыт Маратович'));
    assert.ok(r.text.includes('ул. Киевская 10, кв. 5, Бишкек'), 'the address on file');
    assert.ok(r.text.includes(ids.main.number));
    assert.ok(r.text.includes('Test diary.officer'));
    assert.ok(r.text.includes('Office A'));
    assert.ok(r.text.includes('Room 5'));
    assert.ok(r.text.includes('14:00–14:45'));
    const [y, m, d] = addDays(now, 1).split('-');
    const month = new Date(Date.UTC(2000, Number(m) - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
    assert.ok(r.text.includes(lang === 'en' ? `${Number(d)} ${month} ${y}` : `${d}.${m}.${y}`));
  }
  assert.equal(logged('consult', 'appointment', ids.single, 'diary.officer'), 3);
});

test('the letter is in the person\'s language by default, else the deployment\'s', async () => {
  let r = await officer.get(`/api/v1/appointments/${ids.single}/letter`);
  assert.equal(r.status, 200);
  assert.ok(r.text.includes(wording.ru[0]), 'uz is not written, ru is the next of the person\'s languages');
  r = await officer.get(`/api/v1/appointments/${ids.home}/letter`);
  assert.equal(r.status, 200);
  assert.ok(r.text.includes(wording.ky[0]), 'only uz: the deployment default (ky)');
  assert.ok(!r.text.includes('Токтогула'), 'a home visit\'s place is the person\'s own home: not repeated');
});

test('the letter names a real occurrence: moved shows the new time, cancelled and invented ones are refused', async () => {
  let r = await officer.get(`/api/v1/appointments/${ids.weekly}/letter?lang=en&occurrence=${ids.moved}`);
  assert.equal(r.status, 200, r.text);
  const [my, mm, md] = ids.movedTo.slice(0, 10).split('-');
  const movedMonth = new Date(Date.UTC(2000, Number(mm) - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  assert.ok(r.text.includes(`${Number(md)} ${movedMonth} ${my}`));
  assert.ok(r.text.includes('16:00–16:30'));
  assert.ok(r.text.includes('This appointment was moved from'));
  r = await officer.get(`/api/v1/appointments/${ids.weekly}/letter?lang=en`);
  assert.equal(r.status, 200, 'no occurrence named: the next one');
  const [wy, wm, wd] = ids.weeklyStart.slice(0, 10).split('-');
  const weeklyMonth = new Date(Date.UTC(2000, Number(wm) - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  assert.ok(r.text.includes(`${Number(wd)} ${weeklyMonth} ${wy}`), 'moved from: the rule\'s date');
  r = await officer.get(`/api/v1/appointments/${ids.weekly}/letter?occurrence=${ids.cancelled}`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'occurrence');
  r = await officer.get(`/api/v1/appointments/${ids.weekly}/letter?occurrence=${addDays(now, 8)}T10:00`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'occurrence');
  r = await officer.get(`/api/v1/appointments/${ids.weekly}/letter?occurrence=soon&lang=de`);
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['lang', 'occurrence']);
  r = await officer.get('/api/v1/appointments/00000000-0000-7000-8000-000000000000/letter');
  assert.equal(r.status, 404);
  r = await officerB.get(`/api/v1/appointments/${ids.single}/letter`);
  assert.equal(r.status, 403);
});

// ---- the calendar feed --------------------------------------------------------------------------

let feedUrl;

test('a feed is created once, its URL shown once and only its hash kept', async () => {
  let r = await officer.get('/api/v1/me/calendar-feed');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { active: false, created_at: null, last_used_at: null });
  r = await officer.post('/api/v1/me/calendar-feed', {});
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.url, /^\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  assert.ok(r.body.created_at);
  feedUrl = r.body.url;
  const token = feedUrl.slice('/api/v1/calendar/'.length, -4);
  assert.equal(count('calendar_feed', `account_id = '${ids['diary.officer']}' AND revoked_at IS NULL`), 1);
  const stored = sql(srv.db, `SELECT COUNT(*) FROM calendar_feed WHERE CAST(token_hash AS TEXT) LIKE '%${token.slice(0, 12)}%'`);
  assert.equal(stored, '0', 'the token itself is not stored');
  r = await officer.get('/api/v1/me/calendar-feed');
  assert.equal(r.body.active, true);
  assert.equal(r.body.created_at, (await officer.get('/api/v1/me/calendar-feed')).body.created_at);
  assert.equal(r.body.last_used_at, null);
  assert.equal(count('audit_log', `action = 'token.create' AND record_type = 'calendar_feed' AND actor_login = 'diary.officer'`), 1);
});

test('the feed is an RFC 5545 calendar: zone, rule, EXDATE, RECURRENCE-ID, CRLF, folded lines, minimal data', async () => {
  const r = await fetchFeed(feedUrl);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.type, 'text/calendar; charset=utf-8');
  const ics = r.text;
  assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\n'));
  assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
  assert.ok(!/[^\r]\n/.test(ics), 'every line ends in CRLF');
  for (const line of ics.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `folded: ${line}`);
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  assert.match(unfolded, /\r\nVERSION:2\.0\r\n/);
  assert.match(unfolded, /\r\nPRODID:/);
  assert.match(unfolded, /\r\nX-WR-CALNAME:Kadam — Test diary\.officer\r\n/);
  assert.ok(unfolded.includes(`BEGIN:VTIMEZONE\r\nTZID:${tz}\r\n`));
  assert.equal((unfolded.match(/BEGIN:VEVENT/g) || []).length, 4, 'the weekly series, its moved occurrence, the single one, the home visit');
  assert.ok(unfolded.includes(`UID:${ids.weekly}@kadam\r\n`));
  assert.ok(unfolded.includes(`DTSTART;TZID=${tz}:${compact(ids.weeklyStart)}\r\n`));
  assert.ok(unfolded.includes('RRULE:FREQ=WEEKLY;COUNT=6'));
  assert.ok(unfolded.includes('DURATION:PT30M'));
  assert.ok(unfolded.includes(`EXDATE;TZID=${tz}:${compact(ids.cancelled)}\r\n`));
  assert.ok(unfolded.includes(`RECURRENCE-ID;TZID=${tz}:${compact(ids.moved)}\r\n`));
  assert.ok(unfolded.includes(`DTSTART;TZID=${tz}:${compact(ids.movedTo)}\r\n`));
  assert.match(unfolded, /\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
  assert.ok(unfolded.includes(`SUMMARY:Пробация органына келүү · ${ids.main.number} · Ж.Б.М.\r\n`));
  assert.ok(unfolded.includes('LOCATION:Room 4\\, Chui Avenue 100\r\n'));
  assert.ok(!unfolded.includes('Жумабеков'), 'no full name leaves Kadam');
  assert.ok(!unfolded.includes('Weekly reporting') && !unfolded.includes('alert(1)'), 'no purpose or notes');
  assert.ok(!unfolded.includes('Токтогула'), 'a home visit\'s address stays in Kadam');
  assert.ok(unfolded.includes(`UID:${ids.home}@kadam`));
  // the last use and the log, with the feed's owner as the actor
  const status = await officer.get('/api/v1/me/calendar-feed');
  assert.ok(status.body.last_used_at);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'calendar_feed' AND actor_login = 'diary.officer'`), 1);
  // the same without the .ics suffix; the access log never shows the token
  const plain = await fetchFeed(feedUrl.slice(0, -4));
  assert.equal(plain.status, 200);
  await srv.waitForLog(/calendar\/\{token\}/);
  assert.ok(!srv.logs().includes(feedUrl.slice(-20)), 'the token is not in the server\'s log');
});

test('unknown, malformed and revoked tokens are 404; a new feed makes the old URL 404', async () => {
  for (const path of ['/api/v1/calendar/abc.ics', `/api/v1/calendar/${'A'.repeat(43)}.ics`, `/api/v1/calendar/${'A'.repeat(400)}`]) {
    const r = await fetchFeed(path);
    assert.equal(r.status, 404, path);
    assert.match(r.type, /problem\+json/);
  }
  const old = feedUrl;
  let r = await officer.post('/api/v1/me/calendar-feed', {});
  assert.equal(r.status, 201);
  feedUrl = r.body.url;
  assert.notEqual(feedUrl, old);
  assert.equal((await fetchFeed(old)).status, 404);
  assert.equal((await fetchFeed(feedUrl)).status, 200);
  assert.equal(count('calendar_feed', `account_id = '${ids['diary.officer']}' AND revoked_at IS NULL`), 1);
  r = await officer.delete('/api/v1/me/calendar-feed');
  assert.equal(r.status, 204);
  assert.equal((await fetchFeed(feedUrl)).status, 404);
  assert.deepEqual((await officer.get('/api/v1/me/calendar-feed')).body.active, false);
  assert.equal(count('audit_log', `action = 'token.revoke' AND record_type = 'calendar_feed' AND actor_login = 'diary.officer'`), 2);
  r = await officer.delete('/api/v1/me/calendar-feed');
  assert.equal(r.status, 204, 'revoking when there is none changes nothing');
});

test('a disabled account\'s feed answers 404', async () => {
  const r = await head.post('/api/v1/me/calendar-feed', {});
  assert.equal(r.status, 201);
  const ics = await fetchFeed(r.body.url);
  assert.equal(ics.status, 200);
  assert.equal((ics.text.match(/BEGIN:VEVENT/g) || []).length, 0, 'the head has no appointments of their own');
  const d = await admin.post(`/api/v1/users/${ids['diary.head']}/disable`);
  assert.ok(d.status === 200 || d.status === 204, d.text);
  assert.equal((await fetchFeed(r.body.url)).status, 404);
});
