// Browser tests of the People section: finding a person by a Latin spelling with a typo,
// the duplicate warning when registering someone already registered, a person's page
// (documents shown; the restricted family-and-third-parties section present for a probation
// officer and absent for a role without people.third_parties), the CSV import's dry run that
// lists errors by line and column, and the subject-access register.
//
// One server and one Chromium for the file. The organisation (an agency, a unit, the accounts)
// and the person under test are prepared over the API; each account's session cookie is handed
// to a fresh browser context. Every check waits for rendered state, never for a fixed time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, TABLET, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const catalogue = (lang) => Object.assign({},
  ...['', '.people'].map((part) => JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}${part}.json`), 'utf8'))));
const en = catalogue('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let server;
let browser;
let shots;
let admin;
const org = {}; // agency, unit, other (a second unit)
// officer (probation_officer), worker (prison_case_worker), dpo (data_protection_officer) in the unit;
// head (unit_head) of the other unit
const staff = {};
let person; // the registered person, as POST /api/v1/people answered

const PERSON = {
  surname: 'Бердибаев', given_name: 'Азамат', patronymic: 'Кубанычбекович', birth_date: '1990-04-12', sex: 'male',
  citizenship: 'KG', languages: ['ky', 'ru'],
  documents: [{ type: 'passport', number: 'AN1234567', country: 'KG', issued_on: '2015-06-01' }],
  addresses: [{ kind: 'actual', address: 'Бишкек, ул. Токтогула 101, кв. 5', valid_from: '2024-01-15' }],
  phones: [{ number: '+996 555 123 456', label: 'mobile' }],
};
const FULL_NAME = `${PERSON.surname} ${PERSON.given_name} ${PERSON.patronymic}`;

async function member(login, name, role, unit = org.unit) {
  const created = await admin.client.expect(201, 'POST', '/api/v1/users', {
    login, display_name: name, agency_id: org.agency.id, unit_id: unit.id, roles: [role], preferred_language: 'en',
  });
  const first = await firstLogin(server.url, login, created.one_time_password);
  return { ...first, login, name, user: created.user };
}

before(async () => {
  assert.ok(existsSync(join(root, 'web/dist/index.html')), 'web/dist is missing: run `npm run build` first');
  server = await startServer();
  browser = await launch();
  shots = shotsDir();
  const created = createAdmin(server.db, 'root-admin', 'Root Admin');
  admin = await firstLogin(server.url, created.login, created.password);
  org.agency = await admin.client.expect(201, 'POST', '/api/v1/agencies', { name: 'Chui Probation', kind: 'probation' });
  org.unit = await admin.client.expect(201, 'POST', '/api/v1/units', { agency_id: org.agency.id, name: 'Alamedin Office' });
  org.other = await admin.client.expect(201, 'POST', '/api/v1/units', { agency_id: org.agency.id, name: 'Sokuluk Office' });
  staff.officer = await member('officer-p', 'Aibek Officer', 'probation_officer');
  staff.worker = await member('worker-p', 'Cholpon Worker', 'prison_case_worker');
  staff.dpo = await member('dpo-p', 'Dana Protection', 'data_protection_officer');
  staff.head = await member('head-q', 'Jyldyz Head', 'unit_head', org.other);
  person = await staff.officer.client.expect(201, 'POST', '/api/v1/people', PERSON);
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

/** A fresh browser context holding the session of one of the staff, in English. */
function open(t, who, options = {}) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who.client.browserCookie()], ...options });
}

const h1 = (page) => page.locator('#main h1');
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Screenshots at laptop and tablet size; at both, the contrast check and no sideways scrolling. */
async function shootBoth(page, name) {
  const before = page.viewportSize();
  for (const [size, viewport] of [['laptop', LAPTOP], ['tablet', TABLET]]) {
    await page.setViewportSize(viewport);
    assert.deepEqual(await lowContrast(page), [], `${name}: text contrast below 4.5:1 (${size})`);
    assert.equal(await overflows(page), false, `${name}: the page scrolls sideways (${size})`);
    await page.screenshot({ path: join(shots, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

describe('people', () => {
  test('search finds a person by a Latin spelling with a typo, with both scripts and how it matched', async (t) => {
    const { page, problems } = await open(t, staff.officer);
    await page.goto(`${server.url}/people`);
    await h1(page).filter({ hasText: en['section.people'] }).waitFor();
    // The sub-navigation offers registering (people.write); not import or the register (other roles).
    const sub = page.getByRole('navigation', { name: en['people.nav'] });
    await sub.getByRole('link', { name: en['people.nav.new'], exact: true }).waitFor();
    assert.equal(await sub.getByRole('link', { name: en['people.nav.import'], exact: true }).count(), 0);

    const box = page.getByRole('searchbox', { name: en['people.search.label'], exact: true });
    await box.fill('Berdibayev Azamt');
    const row = page.locator('table.table-people tbody tr').filter({ hasText: PERSON.surname });
    await row.waitFor();
    const text = await row.textContent();
    assert.ok(text.includes(FULL_NAME), `the Cyrillic name: ${text}`);
    assert.ok(text.includes('Berdibaev Azamat'), `the Latin name: ${text}`);
    assert.ok(text.includes('12/04/1990'), `the birth date in the UI's locale: ${text}`);
    assert.ok(text.includes(org.unit.name), `the unit: ${text}`);
    assert.ok(text.includes(en['people.match.typo']), `the match badge: ${text}`);
    // The query is kept in the address, and a direct load of it shows the same results.
    await page.waitForURL((u) => u.searchParams.get('q') === 'Berdibayev Azamt');
    await page.reload();
    await page.locator('table.table-people tbody tr').filter({ hasText: PERSON.surname }).waitFor();
    await shootBoth(page, 'people-search');

    // Nothing found: an empty state that offers registering.
    await page.getByRole('searchbox', { name: en['people.search.label'], exact: true }).fill('Zzyzxqwv');
    const empty = page.locator('.people-empty').filter({ hasText: fill(en['people.search.none'], { q: 'Zzyzxqwv' }) });
    await empty.waitFor();
    await empty.getByRole('link', { name: en['people.search.none.register'], exact: true }).waitFor();

    // The name opens the person's page.
    await page.getByRole('searchbox', { name: en['people.search.label'], exact: true }).fill('AN1234567');
    await page.locator('table.table-people tbody tr').filter({ hasText: en['people.match.document'] }).waitFor();
    await page.getByRole('link', { name: FULL_NAME, exact: true }).click();
    await h1(page).filter({ hasText: FULL_NAME }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('registering someone already registered shows the duplicate warning, which opens the existing record', async (t) => {
    const { page, problems } = await open(t, staff.officer);
    await page.goto(`${server.url}/people/new`);
    await h1(page).filter({ hasText: en['people.new.title'] }).waitFor();

    // Fields the form itself checks: the summary names them.
    await page.getByRole('button', { name: en['people.new.submit'], exact: true }).click();
    const summary = page.locator('.form-error');
    await summary.filter({ hasText: en['people.surname'] }).waitFor();
    assert.equal(await page.locator('#reg-surname').getAttribute('aria-invalid'), 'true');

    // The Latin spelling is filled in from the Cyrillic as it is typed.
    await page.getByLabel(en['people.surname'], { exact: true }).fill(PERSON.surname);
    await page.getByLabel(en['people.given_name'], { exact: true }).fill(PERSON.given_name);
    await page.waitForFunction(() => document.querySelector('#reg-surname_latin')?.value === 'Berdibaev');
    await page.waitForFunction(() => document.querySelector('#reg-given_name_latin')?.value === 'Azamat');
    await page.getByLabel(en['people.birth_date'], { exact: true }).fill(PERSON.birth_date);
    await page.getByRole('button', { name: en['people.new.submit'], exact: true }).click();

    const warning = page.locator('#reg-duplicates');
    await warning.filter({ hasText: fill(en['people.dup.title'], { n: 1 }) }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'reg-duplicates', 'focus moves to the warning');
    const row = warning.locator('tbody tr').filter({ hasText: FULL_NAME });
    await row.waitFor();
    const text = await row.textContent();
    assert.ok(text.includes('12/04/1990') && text.includes(org.unit.name), text);
    assert.ok(text.includes(en['people.reason.name']) && text.includes(en['people.reason.birth_date']), `reasons: ${text}`);
    await warning.getByRole('button', { name: en['people.dup.confirm'], exact: true }).waitFor();
    await shootBoth(page, 'people-duplicate-warning');

    await row.getByRole('link', { name: `${en['people.dup.open']}: ${FULL_NAME}` }).click();
    await h1(page).filter({ hasText: FULL_NAME }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/people/${person.id}`);
    assert.deepEqual(problems, []);
  });

  test('a person page shows documents; the restricted section only for a role with people.third_parties', async (t) => {
    // A probation officer: documents, addresses, phones, and the restricted section behind a click.
    const { page, problems } = await open(t, staff.officer);
    await page.goto(`${server.url}/people/${person.id}`);
    await h1(page).filter({ hasText: FULL_NAME }).waitFor();
    const documents = page.getByRole('region', { name: en['people.documents'] }).first();
    const doc = page.locator('#person-documents tbody tr').filter({ hasText: 'AN1234567' });
    await doc.waitFor();
    assert.ok((await doc.textContent()).includes(en['people.doc_type.passport']));
    assert.ok((await documents.count()) > 0);
    await page.locator('#person-addresses').filter({ hasText: PERSON.addresses[0].address }).waitFor();
    await page.locator('#person-phones').filter({ hasText: PERSON.phones[0].number }).waitFor();

    const restricted = page.locator('#person-third-parties');
    await restricted.filter({ hasText: en['people.tp.title'] }).waitFor();
    assert.ok((await restricted.textContent()).includes(en['people.tp.notice']), 'the notice that access is logged');
    // Loaded only when asked for.
    const asked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/people/${person.id}/third-parties`));
    await restricted.getByRole('button', { name: en['people.tp.show'], exact: true }).click();
    assert.equal((await asked).status(), 200);
    await restricted.getByText(en['people.tp.none'], { exact: true }).waitFor();
    await shootBoth(page, 'people-person');
    assert.deepEqual(problems, []);

    // A prison case worker (no people.third_parties): the same documents, no restricted section at all.
    const second = await open(t, staff.worker);
    const calls = [];
    second.page.on('request', (r) => calls.push(r.url()));
    await second.page.goto(`${server.url}/people/${person.id}`);
    await h1(second.page).filter({ hasText: FULL_NAME }).waitFor();
    await second.page.locator('#person-documents tbody tr').filter({ hasText: 'AN1234567' }).waitFor();
    assert.equal(await second.page.locator('#person-third-parties').count(), 0);
    assert.ok(!(await second.page.locator('#main').textContent()).includes(en['people.tp.title']));
    assert.ok(!calls.some((u) => u.includes('/third-parties')), 'the section is never asked for');
    assert.deepEqual(second.problems, []);
  });

  test('a record outside one\'s units asks for a purpose first (428); an unknown record says so (404)', async (t) => {
    const { page, problems } = await open(t, staff.head);
    const asked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/people/${person.id}`) && r.status() === 428);
    await page.goto(`${server.url}/people/${person.id}`);
    await asked;
    const dialog = page.getByRole('dialog', { name: en['people.purpose.title'] });
    await dialog.waitFor();
    const why = dialog.getByLabel(en['units.justification'], { exact: true });
    await why.fill('Too short');
    await dialog.getByRole('button', { name: en['people.purpose.submit'], exact: true }).click();
    await dialog.getByText(en['units.justification.length']).waitFor();
    await why.fill('Transfer of supervision to Sokuluk requested by the court');
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/people/${person.id}`) && r.request().method() === 'GET'
      && r.status() === 200);
    await dialog.getByRole('button', { name: en['people.purpose.submit'], exact: true }).click();
    const sent = (await answered).request().headers();
    assert.equal(sent['x-kadam-purpose'], 'supervision');
    await h1(page).filter({ hasText: FULL_NAME }).waitFor();
    await page.locator('#person-documents tbody tr').filter({ hasText: 'AN1234567' }).waitFor();

    await page.goto(`${server.url}/people/00000000-0000-7000-8000-000000000000`);
    await page.getByRole('alert').filter({ hasText: en['people.not_found'] }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('the import dry run lists an error by line and column; a clean file can then be imported', async (t) => {
    const { page, problems } = await open(t, staff.worker);
    await page.goto(`${server.url}/people`);
    await h1(page).filter({ hasText: en['section.people'] }).waitFor();
    await page.getByRole('navigation', { name: en['people.nav'] }).getByRole('link', { name: en['people.nav.import'], exact: true }).click();
    await h1(page).filter({ hasText: en['import.title'] }).waitFor();
    // The expected columns are listed.
    const columns = page.locator('table.table-columns');
    for (const name of ['surname', 'birth_date', 'case_kind', 'unit', 'remand_days']) {
      await columns.locator('code', { hasText: new RegExp(`^${name}$`) }).waitFor();
    }
    const importButton = page.getByRole('button', { name: en['import.run'], exact: true });
    assert.equal(await importButton.isDisabled(), true, 'no import before a check');

    const header = 'surname,given_name,birth_date,case_kind,unit';
    const bad = [header, `Асанов,Бакыт,1985-02-03,executive,${org.unit.name}`, `Осмонов,Нурлан,1985-13-40,executive,${org.unit.name}`, ''].join('\n');
    await page.locator('#import-file').setInputFiles({ name: 'release-list.csv', mimeType: 'text/csv', buffer: Buffer.from(bad, 'utf8') });
    await page.getByRole('button', { name: en['import.check'], exact: true }).click();
    const row = page.locator('table.table-import-errors tbody tr').filter({ has: page.locator('th', { hasText: /^3$/ }) });
    await row.waitFor();
    assert.equal((await row.locator('td').first().textContent()).trim(), 'birth_date');
    assert.equal(await importButton.isDisabled(), true, 'no import after a check with errors');
    await shootBoth(page, 'people-import-errors');

    // The same file corrected: no errors, and Import becomes available.
    const good = bad.replace('1985-13-40', '1986-11-30');
    await page.locator('#import-file').setInputFiles({ name: 'release-list-fixed.csv', mimeType: 'text/csv', buffer: Buffer.from(good, 'utf8') });
    await page.getByRole('button', { name: en['import.check'], exact: true }).click();
    await page.locator('.import-results').filter({ hasText: fill(en['import.check.ok'], { n: 2 }) }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('button')]
      .some((b) => b.classList.contains('button-danger') && !b.disabled));
    await importButton.click();
    const done = page.locator('.import-results').filter({ hasText: en['import.done'] });
    await done.waitFor();
    const facts = await done.textContent();
    assert.ok(facts.includes(en['import.people_created']) && facts.includes(en['import.cases_created']), facts);
    assert.deepEqual(problems, []);
  });

  test('the subject-access register: register a request for a person found by search, then close it', async (t) => {
    const { page, problems } = await open(t, staff.dpo);
    await page.goto(`${server.url}/people/access-requests`);
    await h1(page).filter({ hasText: en['sar.title'] }).waitFor();
    await page.getByText(en['sar.none'], { exact: true }).waitFor();
    await page.getByRole('button', { name: en['sar.new'], exact: true }).click();
    await page.getByLabel(en['sar.person'], { exact: true }).fill('Berdibaev');
    await page.getByRole('button', { name: `${en['people.picker.choose']}: ${FULL_NAME}, 12/04/1990` }).click();
    await page.locator('.person-picked-box').filter({ hasText: FULL_NAME }).waitFor();
    await page.getByRole('button', { name: en['sar.register'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['sar.registered'].split('{name}')[0] }).first().waitFor();
    const row = page.locator('table.table-sar tbody tr').filter({ hasText: FULL_NAME });
    await row.waitFor();
    assert.ok((await row.textContent()).includes(en['sar.status.open']));
    await shootBoth(page, 'people-access-requests');

    // The export for the request: a file to hand over, in the language chosen.
    const label = fill(en['sar.export.for'], { name: FULL_NAME });
    const downloaded = page.waitForEvent('download');
    await row.getByRole('button', { name: `${en['sar.export.html']}: ${en['people.language.ru']} (${label})` }).click();
    const file = await downloaded;
    assert.match(file.suggestedFilename(), /\.html$/);
    const chunks = [];
    for await (const chunk of await file.createReadStream()) chunks.push(chunk);
    const html = Buffer.concat(chunks).toString('utf8');
    assert.ok(html.includes(PERSON.surname) && html.includes('AN1234567'), 'the export holds the person and their document');

    await row.getByRole('button', { name: `${en['sar.close']}: ${FULL_NAME}` }).click();
    const dialog = page.getByRole('dialog', { name: fill(en['sar.close.title'], { name: FULL_NAME }) });
    await dialog.waitFor();
    await dialog.getByLabel(en['sar.close.note'], { exact: true }).fill('Handed over in person, printed in Kyrgyz.');
    await dialog.getByRole('button', { name: en['sar.close'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: fill(en['sar.closed.fulfilled'], { name: FULL_NAME }) }).waitFor();
    await page.getByText(en['sar.none'], { exact: true }).waitFor();
    assert.deepEqual(problems, []);
  });
});
