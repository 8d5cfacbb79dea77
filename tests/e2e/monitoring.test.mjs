// Browser tests of electronic monitoring (issue 7): the officer orders monitoring on a case from the case page's
// card (a mode the decision does not order is refused by the server, and the sentence shows next to the modes),
// draws an inclusion zone on the order's map by clicking its corners and fits a device from stock; a gateway
// (here the administrator, who holds em.ingest) sends a fix far outside the zone, with the dwell set to 0; the
// monitoring centre's operator finds the alert in the queue, opens its evidence (a map with the zone and the
// fix, and a table) and verifies it as a task for the officer. The maps draw with no tile server and no request
// leaves the server; no page logs a console error; the Russian and Kyrgyz pages have no English left; at 360 px
// nothing scrolls sideways. Then the rest of the monitoring pages through the browser: the operator registers a
// device (a wrong IMEI check digit is named at the field) and marks it faulty; the officer approves an absence and
// cancels it with a reason, imports zones from a GeoJSON file (a kind the order does not include is refused, naming
// the feature) and finds the export link; a police liaison requests a window of the trail by case number, the
// unit head approves it, and the liaison reads the window's fixes.
//
// One server (SQLite by default) and one Chromium for the file; the accounts are made over the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, shotsDir } from '../lib/browser.mjs';
import { imei } from '../lib/devices.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const PARTS = ['', '.cases', '.alerts', '.compliance', '.monitoring'];
const load = (lang) => Object.assign({}, ...PARTS.map((part) =>
  JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}${part}.json`), 'utf8'))));
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
/** The text of a message before its first placeholder (to match a filled-in message). */
const head = (text) => text.split('{')[0];

const HOME = { lat: 42.8467, lon: 74.6035 };
const ZONE_NAME = 'Район проживания';
const EFFECT = 'Живёт с матерью; блок стоит в прихожей, соседей это не касается.';

let server;
let browser;
let shots;
const who = {}; // admin, officer, operator: { client, user }
const data = {}; // case, decision, device, order, zone, alert

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} has no built UI: run \`npm run build\` first`);
  server = await startServer({ uiDir });
  browser = await launch();
  shots = shotsDir();
  const created = createAdmin(server.db, 'em-admin', 'Администратор');
  who.admin = { client: (await firstLogin(server.url, created.login, created.password)).client };
  const admin = who.admin.client;
  const agency = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Пробация (e2e)', kind: 'probation' });
  const unit = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: agency.id, name: 'Отдел А' });
  const centre = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Центр мониторинга (e2e)', kind: 'monitoring_centre' });
  const room = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: centre.id, name: 'Пульт' });
  const policeAgency = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'ГУВД Бишкека (e2e)', kind: 'police' });
  const desk = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: policeAgency.id, name: 'Следственный отдел' });
  for (const [key, login, role, agencyId, unitId, name] of [
    ['officer', 'officer.em', 'probation_officer', agency.id, unit.id, 'Айбек Офицеров'],
    ['operator', 'operator.em', 'monitoring_operator', centre.id, room.id, 'Нургуль Операторова'],
    ['head', 'head.em', 'unit_head', agency.id, unit.id, 'Гульмира Начальникова'],
    ['police', 'police.em', 'police_liaison', policeAgency.id, desk.id, 'Эрлан Следователев'],
  ]) {
    const r = await admin.expect(201, 'POST', '/api/v1/users', {
      login, display_name: name, agency_id: agencyId, unit_id: unitId, roles: [role], preferred_language: 'en',
    });
    who[key] = { client: (await firstLogin(server.url, login, r.one_time_password)).client, user: r.user };
  }
  data.timeZone = (await admin.expect(200, 'GET', '/api/v1/system')).timezone;
  const officer = who.officer.client;
  const person = await officer.expect(201, 'POST', '/api/v1/people', {
    surname: 'Осмонов', given_name: 'Азамат', birth_date: '1988-08-08', languages: ['ky'],
  });
  data.case = await officer.expect(201, 'POST', '/api/v1/cases', {
    person_id: person.id, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received',
  });
  // The decision orders monitoring with inclusion zones (residence), not exclusion zones.
  data.decision = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/decisions`, {
    authority: 'Первомайский районный суд', number: '1-7/26', decided_on: addDays(today(), -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -10), term: '2y',
    duties: ['electronic_monitoring', 'residence', 'report'],
  });
  data.imei = imei('86077700000042');
  data.device = await who.operator.client.expect(201, 'POST', '/api/v1/em/devices', {
    kind: 'ankle_tag', identifier: data.imei, protocol: 'gateway', model: 'Браслет (тест)',
  });
  // No dwell: the first fix outside the zone raises the alert.
  await admin.expect(200, 'PUT', '/api/v1/settings/em.dwell_s', { value: 0 }, { 'If-Match': '"1"' });
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

/** A page as one of the users; every request it makes is recorded (none may leave the server). */
async function open(t, as, { lang = 'en', viewport } = {}) {
  const opened = await openPage(browser, t, { storedLang: lang, cookies: [who[as].client.browserCookie()], ...(viewport ? { viewport } : {}) });
  opened.requests = [];
  opened.page.on('request', (r) => opened.requests.push(r.url()));
  return opened;
}

function checkClean({ problems, requests }) {
  assert.deepEqual(problems, [], 'no console errors');
  const away = requests.filter((u) => !u.startsWith(`${server.url}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(away, [], 'no request leaves the server');
}

const h1 = (page) => page.locator('#main h1');

/** Reads the queue over the API until the alert is there (the evaluator runs just after the fix is stored). */
async function queuedAlert(orderId) {
  let items = [];
  for (let i = 0; i < 300; i++) {
    items = (await who.operator.client.expect(200, 'GET', '/api/v1/em/queue')).items;
    const found = items.find((x) => x.order_id === orderId && x.alert.rule_code === 'em.inclusion_exit');
    if (found) return found;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  assert.fail(`no alert in the queue: ${JSON.stringify(items.map((x) => x.alert.rule_code))}`);
}

/** Latin words the Russian and Kyrgyz pages may show: technical names their own wording keeps (GeoJSON, IMEI). */
function allowedLatin(lang) {
  const words = new Set();
  for (const v of Object.values(load(lang))) for (const w of v.replace(/\{\w+\}/g, '').match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []) words.add(w);
  return words;
}

async function noEnglish(page, lang, where = '#main') {
  const allowed = allowedLatin(lang);
  const text = await page.locator(where).innerText();
  const latin = (text.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []).filter((w) => !allowed.has(w));
  assert.deepEqual(latin, [], `English left on the ${lang} page ${page.url()}`);
}

async function noSideScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= width, `the page scrolls sideways at ${width} px (${scroll} px wide): ${page.url()}`);
}

/** An instant as a datetime-local input's value in the deployment's time zone (minutes, or seconds too). */
function localInput(ms, seconds = false) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: data.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}${seconds ? `:${parts.second}` : ''}`;
}

describe('electronic monitoring', () => {
  test('the officer orders monitoring from the case page, draws an inclusion zone on the map and fits a device', async (t) => {
    const opened = await open(t, 'officer');
    const { page } = opened;
    await page.goto(`${server.url}/cases/${data.case.id}`);
    const card = page.locator('#monitoring');
    await card.locator('#em-card-none').waitFor();
    await card.locator('#em-order-new').click();
    const form = card.locator('#em-order-form');
    await form.waitFor();
    // The only decision in force is chosen; exclusion zones are not among its duties: the form says so, and the
    // server refuses them with a sentence next to the modes.
    assert.equal(await form.locator('#em-f-decision').inputValue(), data.decision.id);
    await form.locator('#em-f-modes-exclusion').check();
    await form.locator('#em-f-modes').getByText(en['em.mode.not_in_decision']).first().waitFor();
    await form.locator('#em-f-modes-inclusion').check();
    await form.locator('#em-f-modes-trail').check();
    await form.locator('#em-f-address').fill('Бишкек, ул. Ахунбаева 12');
    await form.locator('#em-f-lat').fill(String(HOME.lat));
    await form.locator('#em-f-lon').fill(String(HOME.lon));
    await form.locator('#em-f-effect').fill(EFFECT);
    // The small map draws the home with no tiles.
    await form.locator('#em-f-map path.leaflet-interactive').first().waitFor();
    await form.locator('#em-order-submit').click();
    const modesError = form.locator('#em-f-modes-error');
    await modesError.waitFor();
    assert.match(await modesError.innerText(), /exclusion/);
    assert.match(await modesError.innerText(), /1-7\/26/, 'the sentence names the decision');
    await form.locator('#em-f-modes-exclusion').uncheck();
    await form.locator('#em-order-submit').click();
    await card.locator('#em-card-done').getByText(en['em.order.created']).waitFor();
    const row = card.locator('#em-card-table tbody tr');
    await row.first().waitFor();
    data.order = await row.first().getAttribute('data-id');
    await row.first().getByRole('link').click();

    await page.waitForURL(/\/monitoring\/orders\/[0-9a-f-]+$/);
    await h1(page).filter({ hasText: head(en['em.order.title']) }).waitFor();
    await page.locator('#em-position').getByText(en['em.position.none']).waitFor();
    await page.locator('#em-trail-none').waitFor();
    // The map draws on a grid of latitudes and longitudes when no tile server is set.
    await page.locator('#em-map-card .em-map-note').getByText(en['em.map.no_tiles']).waitFor();
    await page.locator('#em-order-map .em-grid-label').first().waitFor();
    assert.equal(await page.locator('#em-order-map .leaflet-tile').count(), 0);

    // Draw an inclusion zone: four clicks around the home, then close and save.
    await page.locator('#em-zone-new').click();
    const zoneForm = page.locator('#em-zone-form');
    await zoneForm.waitFor();
    await zoneForm.locator('#em-zone-name').fill(ZONE_NAME);
    await zoneForm.locator('#em-zone-buffer').fill('0');
    // Saving with too few points says so before asking the server.
    await zoneForm.locator('#em-zone-save').click();
    await zoneForm.getByText(en['em.zone.points.min']).first().waitFor();
    const map = page.locator('#em-order-map');
    const box = await map.boundingBox();
    const cx = box.width / 2;
    const cy = box.height / 2;
    for (const [dx, dy] of [[-120, -100], [120, -100], [120, 100], [-120, 100]]) {
      await map.click({ position: { x: cx + dx, y: cy + dy } });
    }
    await page.locator('#em-zone-help').getByText(fill(en['em.zone.help.polygon'], { n: 4 })).waitFor();
    await zoneForm.locator('#em-zone-save').click();
    await page.locator('#em-order-done').getByText(en['em.zone.added']).waitFor();
    const zoneRow = page.locator('#em-zones-table tbody tr[data-id]');
    await zoneRow.filter({ hasText: ZONE_NAME }).waitFor();
    assert.match(await zoneRow.first().innerText(), new RegExp(fill(en['em.zone.polygon'], { n: 4 })));
    data.zone = await zoneRow.first().getAttribute('data-id');
    const order = await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`);
    const ring = order.zones[0].geometry.coordinates[0];
    assert.equal(ring.length, 5, 'four corners and the first again');
    for (const [lon, lat] of ring.slice(0, 4)) {
      assert.ok(Math.abs(lat - HOME.lat) < 0.01 && Math.abs(lon - HOME.lon) < 0.01, `a corner near the home: ${lat}, ${lon}`);
    }
    assert.ok(ring.slice(0, 4).some(([lon]) => lon < HOME.lon) && ring.slice(0, 4).some(([lon]) => lon > HOME.lon), 'the home is inside');

    // Fit the device in stock.
    const fit = page.locator('#em-fit-form');
    await fit.locator(`#em-fit-device option[value="${data.device.id}"]`).waitFor({ state: 'attached' });
    await fit.locator('#em-fit-device').selectOption(data.device.id);
    await fit.locator('#em-fit-submit').click();
    await page.locator('#em-order-done').getByText(en['em.fitting.done']).waitFor();
    await page.locator('#em-fittings-table tbody tr').filter({ hasText: data.imei }).getByText(en['em.fitting.on']).waitFor();
    await page.screenshot({ path: join(shots, 'em-order.png'), fullPage: true });
    checkClean(opened);
  });

  test('a fix outside the zone reaches the operator\'s queue; the operator reads its evidence and verifies it as a task', async (t) => {
    assert.ok(data.order && data.zone, 'the order and its zone were made');
    // The gateway: about 2 km north of the home.
    const at = Date.now();
    const r = await who.admin.client.expect(200, 'POST', '/api/v1/em/fixes', {
      fixes: [{ device: data.imei, at: new Date(at).toISOString(), lat: HOME.lat + 0.02, lon: HOME.lon, accuracy_m: 8 }],
    });
    assert.equal(r.stored, 1, JSON.stringify(r));
    const item = await queuedAlert(data.order);
    data.alert = item.alert.id;

    const opened = await open(t, 'operator');
    const { page } = opened;
    await page.goto(`${server.url}/monitoring`);
    await h1(page).filter({ hasText: en['em.queue.title'] }).waitFor();
    const row = page.locator(`#em-queue-table tr[data-id="${data.alert}"]`);
    await row.waitFor();
    await row.getByText(en['em.rule.em.inclusion_exit']).waitFor();
    await row.getByText('Осмонов').waitFor();
    await row.getByText(data.imei).waitFor();
    await page.locator(`#em-open-${data.alert}`).click();
    const panel = page.locator('#em-alert-panel');
    await panel.waitFor();
    // The evidence: the zone and the fix on the map, the fix in the table, the distance.
    await panel.locator('#em-alert-map path.leaflet-interactive').first().waitFor();
    await panel.getByText(ZONE_NAME).first().waitFor();
    await panel.locator('#em-alert-fixes tbody tr').first().waitFor();
    assert.match(await panel.locator('#em-alert-fixes').innerText(), new RegExp((HOME.lat + 0.02).toFixed(5).replace('.', '\\.')));
    await panel.getByText(en['em.evidence.outside_by']).waitFor();
    await page.screenshot({ path: join(shots, 'em-queue-alert.png'), fullPage: true });

    // Verify as a task for the officer: the note is required first.
    await panel.locator('#em-verify summary').click();
    await panel.locator('#em-verify-submit').click();
    await panel.locator('#em-verify-note-error').getByText(en['em.required']).waitFor();
    await panel.locator('#em-verify-note').fill('Позвонили: он у родственников, браслет на месте.');
    await panel.locator('#em-verify-submit').click();
    await page.locator('#em-queue-done').getByText(en['em.queue.verified']).waitFor();
    await row.waitFor({ state: 'detached' });
    const alert = await who.operator.client.expect(200, 'GET', `/api/v1/alerts/${data.alert}`);
    assert.equal(alert.status, 'verified', JSON.stringify(alert));
    assert.equal(alert.outcome, 'task');
    checkClean(opened);
  });

  test('the operator registers a device: a wrong check digit is named at the field; then it is listed and marked faulty', async (t) => {
    const opened = await open(t, 'operator');
    const { page } = opened;
    await page.goto(`${server.url}/monitoring/devices`);
    await page.locator('#em-devices-table').waitFor();
    await page.locator('#em-device-new').click();
    const form = page.locator('#em-device-form');
    await form.waitFor();
    const good = imei('86077700000077');
    const bad = good.slice(0, 14) + String((Number(good[14]) + 1) % 10);
    await form.locator('#em-dev-kind').selectOption('ankle_tag');
    await form.locator('#em-dev-protocol').selectOption('gt06');
    await form.locator('#em-dev-identifier').fill(bad);
    await form.locator('#em-dev-model').fill('Браслет (тест 2)');
    await form.locator('#em-device-submit').click();
    await form.locator('#em-dev-identifier-error').waitFor();
    assert.match(await form.locator('#em-dev-identifier-error').innerText(), /check digit|IMEI/i);
    const before = (await who.operator.client.expect(200, 'GET', '/api/v1/em/devices')).items.length;
    await form.locator('#em-dev-identifier').fill(good);
    await form.locator('#em-device-submit').click();
    await page.locator('#em-devices-done').getByText(en['em.device.created']).waitFor();
    const row = page.locator('#em-devices-table tbody tr').filter({ hasText: good });
    await row.waitFor();
    const listed = (await who.operator.client.expect(200, 'GET', '/api/v1/em/devices')).items;
    assert.equal(listed.length, before + 1, 'one device more, not two');
    const device = listed.find((d) => d.identifier === good);
    assert.equal(device.status, 'in_stock');
    await page.locator(`#em-dev-status-${device.id}`).selectOption('faulty');
    await page.locator('#em-devices-done').getByText(en['em.saved']).waitFor();
    assert.equal((await who.operator.client.expect(200, 'GET', `/api/v1/em/devices/${device.id}`)).status, 'faulty');
    checkClean(opened);
  });

  test('the officer approves an absence from the zones and cancels it with a reason', async (t) => {
    assert.ok(data.order, 'the order was made');
    const opened = await open(t, 'officer');
    const { page } = opened;
    await page.goto(`${server.url}/monitoring/orders/${data.order}`);
    const box = page.locator('#em-absences');
    await box.locator('#em-absences-none').waitFor();
    await box.locator('#em-absence-new summary').click();
    const now = Date.now();
    await box.locator('#em-abs-from').fill(localInput(now + 2 * 3600000));
    await box.locator('#em-abs-to').fill(localInput(now + 6 * 3600000));
    await box.locator('#em-abs-reason').fill('Приём у кардиолога в городской больнице');
    // The order has no curfew: an absence that does not cover the zones has nothing to suspend.
    await box.getByRole('button', { name: en['em.absence.approve'] }).click();
    await box.locator('.form-error').getByText(en['em.absence.covers_zones.label'], { exact: false }).waitFor();
    assert.equal((await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`)).absences.length, 0);
    await box.locator('#em-abs-zones').check();
    await box.getByRole('button', { name: en['em.absence.approve'] }).click();
    await page.locator('#em-order-done').getByText(en['em.absence.approved']).waitFor();
    const item = box.locator('#em-absences-list li').filter({ hasText: 'кардиолога' });
    await item.waitFor();
    const [absence] = (await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`)).absences;
    assert.equal(absence.covers_zones, true);
    assert.equal((Date.parse(absence.ends_at) - Date.parse(absence.starts_at)) / 3600000, 4);
    await item.locator('.em-absence-cancel summary').click();
    await item.getByRole('button', { name: en['em.absence.cancel.submit'] }).click();
    await item.locator(`#em-ac-reason-${absence.id}-error`).waitFor();
    await item.locator(`#em-ac-reason-${absence.id}`).fill('Приём перенесли на следующую неделю');
    await item.getByRole('button', { name: en['em.absence.cancel.submit'] }).click();
    await page.locator('#em-order-done').getByText(en['em.absence.cancel.done']).waitFor();
    await box.locator('#em-absences-list li').filter({ hasText: 'кардиолога' }).getByText(en['em.absence.cancelled']).waitFor();
    const after = (await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`)).absences[0];
    assert.equal(after.cancel_reason, 'Приём перенесли на следующую неделю');
    checkClean(opened);
  });

  test('the officer imports zones from a GeoJSON file: a kind the order does not include is refused by feature', async (t) => {
    assert.ok(data.order, 'the order was made');
    const opened = await open(t, 'officer');
    const { page } = opened;
    await page.goto(`${server.url}/monitoring/orders/${data.order}`);
    await page.locator('#em-zones-table').waitFor();
    const square = (lon, lat, d) => ({ type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] });
    const file = (features) => ({ name: 'zones.geojson', mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })) });
    const work = { type: 'Feature', geometry: square(74.58, 42.86, 0.01), properties: { kind: 'inclusion', name: 'Место работы', buffer_m: 50 } };
    const market = { type: 'Feature', geometry: { type: 'Point', coordinates: [74.61, 42.88] }, properties: { kind: 'exclusion', name: 'Рынок', radius_m: 300 } };
    const zonesBefore = (await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`)).zones.length;
    await page.locator('#em-zone-import').setInputFiles(file([work, market]));
    const problem = page.locator('#em-zones-table').locator('xpath=ancestor::section[1]').locator('.form-error');
    await problem.getByText('features[1]', { exact: false }).first().waitFor();
    assert.equal((await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`)).zones.length, zonesBefore, 'all or nothing');
    await page.locator('#em-zone-import').setInputFiles(file([work]));
    await page.locator('#em-order-done').getByText(en['em.zones.imported']).waitFor();
    await page.locator('#em-zones-table tbody tr[data-id]').filter({ hasText: 'Место работы' }).waitFor();
    const zones = (await who.officer.client.expect(200, 'GET', `/api/v1/em/orders/${data.order}`)).zones;
    assert.equal(zones.length, zonesBefore + 1);
    assert.equal(zones.find((z) => z.name === 'Место работы').buffer_m, 50);
    // The export link gives the same zones back as GeoJSON.
    const href = await page.locator('#em-zones-export').getAttribute('href');
    assert.ok(href && href.includes(`/api/v1/em/orders/${data.order}/zones.geojson`), `export link: ${href}`);
    checkClean(opened);
  });

  test('a police liaison requests a window of the trail by case number; the unit head approves; the liaison reads it', async (t) => {
    assert.ok(data.order, 'the order was made');
    // A position a few seconds ago (after the device was fitted), inside the window asked for, which ends now (a
    // window may not reach into the future).
    const at = Date.now() - 3000;
    const stored = await who.admin.client.expect(200, 'POST', '/api/v1/em/fixes', {
      fixes: [{ device: data.imei, at: new Date(at).toISOString(), lat: HOME.lat + 0.001, lon: HOME.lon, accuracy_m: 6 }],
    });
    assert.equal(stored.stored, 1, JSON.stringify(stored));
    const police = await open(t, 'police');
    await police.page.goto(`${server.url}/monitoring/police-requests`);
    await police.page.locator('#em-police-none').waitFor();
    await police.page.locator('#em-police-new summary').click();
    await police.page.locator('#em-pr-submit').click();
    await police.page.locator('#em-pr-case-error').waitFor();
    await police.page.locator('#em-pr-case').fill(data.case.number);
    await police.page.locator('#em-pr-basis').fill('Ст. 164 УПК КР, уголовное дело № 2026-7');
    await police.page.locator('#em-pr-reason').fill('Проверка алиби по делу о краже в ночь на понедельник.');
    await police.page.locator('#em-pr-from').fill(localInput(at - 3 * 3600000));
    await police.page.locator('#em-pr-to').fill(localInput(at + 2000, true));
    await police.page.locator('#em-pr-submit').click();
    await police.page.locator('#em-police-done').getByText(en['em.police.sent']).waitFor();
    const item = police.page.locator('#em-police-list li').first();
    await item.getByText(data.case.number, { exact: false }).waitFor();
    assert.equal(await item.getByText('Осмонов').count(), 0, 'the police see no name');
    checkClean(police);

    const head = await open(t, 'head');
    await head.page.goto(`${server.url}/monitoring/police-requests`);
    const pending = head.page.locator('#em-police-list li').filter({ hasText: 'Ст. 164' });
    await pending.waitFor();
    await pending.getByText('Осмонов').first().waitFor();
    const [asked] = (await who.head.client.expect(200, 'GET', '/api/v1/em/police-requests?status=pending')).items;
    // A decision needs its note.
    await pending.getByRole('button', { name: en['em.police.approve'] }).click();
    await pending.locator(`#em-pd-note-${asked.id}-error`).waitFor();
    assert.equal((await who.head.client.expect(200, 'GET', `/api/v1/em/police-requests/${asked.id}`)).status, 'pending');
    await pending.locator(`#em-pd-note-${asked.id}`).fill('Основание проверено, окно в пределах дела.');
    await pending.getByRole('button', { name: en['em.police.approve'] }).click();
    await head.page.locator('#em-police-done').getByText(en['em.police.approved']).waitFor();
    checkClean(head);

    const trail = await who.police.client.expect(200, 'GET', `/api/v1/em/police-requests/${asked.id}/trail`);
    assert.ok(trail.fixes.some((f) => Math.abs(f.lat - (HOME.lat + 0.001)) < 1e-6), JSON.stringify(trail).slice(0, 600));
    await police.page.reload();
    const approved = police.page.locator('#em-police-list li').filter({ hasText: 'Ст. 164' });
    await approved.getByRole('button', { name: en['em.police.show_trail'] }).click();
    await approved.locator('table tbody tr').first().waitFor();
    assert.match(await approved.locator('table').innerText(), new RegExp((HOME.lat + 0.001).toFixed(5).replace('.', '\\.')));
    const [request] = (await who.police.client.expect(200, 'GET', '/api/v1/em/police-requests')).items;
    assert.equal(request.status, 'approved');
    await police.page.screenshot({ path: join(shots, 'em-police.png'), fullPage: true });
    checkClean(police);
  });

  test('the Russian and Kyrgyz pages have no English left', async (t) => {
    assert.ok(data.order, 'the order was made');
    for (const lang of ['ru', 'ky']) {
      const officer = await open(t, 'officer', { lang });
      await officer.page.goto(`${server.url}/monitoring/orders/${data.order}`);
      await officer.page.locator('#em-zones-table').waitFor();
      await officer.page.locator('#em-fittings-table').waitFor();
      await officer.page.locator('#em-order-map .em-grid-label').first().waitFor();
      await officer.page.locator('#em-trail-table, #em-trail-none').first().waitFor();
      await officer.page.locator('#em-position').waitFor();
      await noEnglish(officer.page, lang);
      await officer.page.goto(`${server.url}/cases/${data.case.id}`);
      await officer.page.locator('#em-card-table').waitFor();
      await officer.page.locator('#em-order-new').waitFor({ state: 'detached' });
      await noEnglish(officer.page, lang, '#monitoring');
      checkClean(officer);

      const operator = await open(t, 'operator', { lang });
      await operator.page.goto(`${server.url}/monitoring/devices`);
      await operator.page.locator(`#em-devices-table tr[data-id="${data.device.id}"]`).waitFor();
      await operator.page.locator('#em-unknown').waitFor();
      await noEnglish(operator.page, lang);
      await operator.page.goto(`${server.url}/monitoring`);
      await operator.page.locator('#em-queue-empty').waitFor();
      await noEnglish(operator.page, lang);
      checkClean(operator);
    }
  });

  test('at 360 px nothing scrolls sideways', async (t) => {
    assert.ok(data.order, 'the order was made');
    const officer = await open(t, 'officer', { viewport: { width: 360, height: 740 } });
    await officer.page.goto(`${server.url}/monitoring/orders/${data.order}`);
    await officer.page.locator('#em-zones-table').waitFor();
    await officer.page.locator('#em-order-map .em-grid-label').first().waitFor();
    await officer.page.locator(`#em-ze-open-${data.zone}`).click();
    await officer.page.locator(`#em-ze-${data.zone}`).waitFor();
    await noSideScroll(officer.page);
    await officer.page.screenshot({ path: join(shots, 'em-order-360.png'), fullPage: true });
    await officer.page.goto(`${server.url}/cases/${data.case.id}`);
    await officer.page.locator('#em-card-table').waitFor();
    await noSideScroll(officer.page);
    checkClean(officer);

    const operator = await open(t, 'operator', { viewport: { width: 360, height: 740 } });
    await operator.page.goto(`${server.url}/monitoring/devices`);
    await operator.page.locator('#em-devices-table').waitFor();
    await noSideScroll(operator.page);
    await operator.page.goto(`${server.url}/monitoring`);
    await operator.page.locator('#em-queue-empty').waitFor();
    await noSideScroll(operator.page);
    checkClean(operator);
  });
});
