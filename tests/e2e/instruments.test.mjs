// Browser tests of Administration → Instruments and the certification register (issue 8): the
// administrator sees both shipped instruments, opens one and reads an item's guidance, is refused a
// file that is not JSON (in the browser) and a bad instrument file (every problem by its path),
// imports a small synthetic instrument that becomes current (a second import of the same version is
// refused, said once), and changes the level a judgement suggests; in Russian a refused file is
// summed up with no English but the checker's own messages. A unit head is stopped by the form's own
// checks (translated), records a certification for an officer (the expiry defaults from the
// instrument; a second live one is warned about), finds everyone of the register in the Assessor
// filter, and revokes one with a reason (the dialog says whether another live one remains); the
// officer sees only their own certifications.
//
// One server with the demo data (`kadam demo`) and one Chromium for the file; the demo accounts
// complete their first login over the API and hand the session cookie to fresh browser contexts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, lowContrast, openPage } from '../lib/browser.mjs';
import { firstLogin } from '../lib/identity.mjs';
import { freshDatabase, root, runKadam, startServer } from '../lib/server.mjs';

const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.assessments.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.instruments.json`), 'utf8')),
});
const en = load('en');
const ru = load('ru');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const ZONE = 'Asia/Bishkek';

let db;
let server;
let browser;
let files;
const who = {};

function demoPasswords(stdout) {
  const out = {};
  for (const m of stdout.matchAll(/^\s*(\S+)\s+\S+\s+one-time password:\s*(\S+)/gm)) out[m[1]] = m[2];
  return out;
}

function today(zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * 86400000).toISOString().slice(0, 10);
}

/** dd/mm/yyyy as the UI writes a day in English. */
const shown = (day) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
/** The element-id form of a code (dots and other signs become _). */
const idPart = (s) => s.replace(/[^A-Za-z0-9_-]/g, '_');

const text = (en) => ({ ky: `KY ${en}`, ru: `RU ${en}`, en });

/** A small synthetic instrument that follows the published schema. */
const TINY = {
  $schema: 'urn:kadam:schema:instrument:1',
  id: 'test.tiny-screen',
  version: '1.0',
  name: text('Tiny test screen'),
  description: text('A synthetic instrument for the browser test.'),
  publisher: 'Kadam tests',
  licence: 'Free to use in tests',
  validated: false,
  notice: text('Synthetic: for tests only.'),
  certification: { required: true, valid_days: 365 },
  reassessment_days: 90,
  scales: [
    { id: 'need', values: [{ id: 'none', label: text('none') }, { id: 'some', label: text('some') }] },
  ],
  domains: [
    {
      id: 'work', kind: 'risk', name: text('Work'), rating_scale: 'need',
      items: [{ id: 'TT01', kind: 'dynamic', scale: 'need', title: text('Steady work'),
        guidance: text('Ask about the last three months of work.') }],
    },
  ],
  judgements: [
    { id: 'low', label: text('Low'), description: text('Little concern.') },
    { id: 'high', label: text('High'), description: text('Much concern.') },
  ],
};

/** Several problems, each at a path the checker must name (one inside item TT11 of the eleventh domain). */
const BAD = {
  ...TINY,
  id: 'Bad Id!',
  validated: 'yes',
  reassessment_days: 0,
  domains: Array.from({ length: 11 }, (_, n) => ({
    ...TINY.domains[0],
    id: `work${n}`,
    items: [{ ...TINY.domains[0].items[0], id: `TT${String(n + 1).padStart(2, '0')}`, ...(n === 10 || n === 2 ? { scale: 'nosuch' } : {}) }],
  })),
};

/** Natural order of JSON Pointers ("/domains/2" before "/domains/10"). */
const natural = new Intl.Collator('en', { numeric: true }).compare;

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} is missing: build the UI first`);
  db = freshDatabase();
  const demo = runKadam(['demo', '--db', db.url]);
  assert.equal(demo.status, 0, `kadam demo failed: ${demo.stderr}`);
  const passwords = demoPasswords(demo.stdout);
  server = await startServer({ db: db.url, uiDir });
  browser = await launch();
  for (const [key, login] of [['admin', 'admin'], ['head', 'head.bishkek'], ['officer', 'officer.bishkek'], ['other', 'officer.osh']]) {
    who[key] = await firstLogin(server.url, login, passwords[login]);
    who[key].user = (await who[key].client.expect(200, 'GET', '/api/v1/auth/session')).user;
    await who[key].client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'en' });
  }
  who.zone = (await who.admin.client.expect(200, 'GET', '/api/v1/system')).timezone || ZONE;
  files = mkdtempSync(join(tmpdir(), 'kadam-e2e-instruments-'));
  writeFileSync(join(files, 'tiny.json'), JSON.stringify(TINY, null, 2));
  writeFileSync(join(files, 'bad.json'), JSON.stringify(BAD, null, 2));
  writeFileSync(join(files, 'notes.json'), 'id: test\nversion: 1.0\n');
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  db?.drop();
  if (files) rmSync(files, { recursive: true, force: true });
});

const open = (t, client) => openPage(browser, t, { storedLang: 'en', cookies: [client.browserCookie()] });

describe('instruments', () => {
  test('the administrator reads the shipped instruments, imports files and changes a suggestion', async (t) => {
    const { page, problems } = await open(t, who.admin.client);
    const listed = (await who.admin.client.expect(200, 'GET', '/api/v1/instruments')).items;
    const review = listed.find((i) => i.code === 'kadam.disengagement-review' && i.current);
    assert.ok(review, 'the disengagement review is loaded');

    await page.goto(`${server.url}/admin/instruments`);
    await page.getByRole('heading', { level: 1, name: en['admin.instruments'] }).waitFor();
    const needs = page.locator(`#instrument-${idPart('kadam.needs-screening')}-1_0`);
    const dr = page.locator(`#instrument-${idPart('kadam.disengagement-review')}-1_0`);
    await needs.waitFor();
    await dr.waitFor();
    assert.match(await needs.innerText(), new RegExp(en['instruments.current_yes']));
    assert.match(await dr.innerText(), new RegExp(en['instruments.not_validated']));
    assert.match(await dr.innerText(), new RegExp(fill(en['instruments.every_days'], { days: 120 })));
    assert.equal(await page.locator('#instrument-schema-link').getAttribute('href'), '/api/v1/instruments/schema');
    await page.getByRole('link', { name: en['instruments.certifications_link'] }).waitFor();

    // One version in full: its notice, and an item's guidance in the UI language.
    const full = await who.admin.client.expect(200, 'GET', `/api/v1/instruments/${review.id}`);
    const item = full.definition.domains[0].items[0];
    await page.locator(`#instrument-view-${review.id}`).click();
    await page.getByRole('heading', { level: 2, name: fill(en['instruments.detail_title'], { name: review.name.en, version: '1.0' }) }).waitFor();
    const detail = page.locator('#instrument-detail');
    assert.match(await detail.innerText(), new RegExp(en['instruments.not_validated_long']));
    const row = page.locator(`#item-${idPart(item.id)}`);
    await row.waitFor();
    assert.ok((await row.innerText()).includes(item.guidance.en.slice(0, 60)), 'the guidance is shown');
    assert.ok((await row.innerText()).includes(item.title.en));
    assert.match(page.url(), new RegExp(`\\?id=${review.id}$`));

    // The table fits 1366 px: every View button is visible without scrolling sideways, no caption
    // repeats the heading, the licence is cut to two lines (in full in the detail view).
    await page.setViewportSize({ width: 1366, height: 900 });
    for (const button of await page.locator('#instruments-table [id^="instrument-view-"]').all()) {
      const box = await button.boundingBox();
      assert.ok(box && box.x + box.width <= 1366, `a View button is out of sight: ${JSON.stringify(box)}`);
    }
    const wrap = await page.locator('#instruments-table').evaluate((table) => {
      const w = table.closest('.table-wrap');
      return { scroll: w.scrollWidth, client: w.clientWidth };
    });
    assert.ok(wrap.scroll <= wrap.client + 1, `the table scrolls at 1366 px: ${JSON.stringify(wrap)}`);
    assert.equal(await page.locator('#instruments-table caption').count(), 0);
    const licence = page.locator(`#instrument-${idPart('kadam.disengagement-review')}-1_0 .instrument-licence`);
    const lines = await licence.evaluate((el) => Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)));
    assert.ok(lines <= 2, `the licence takes ${lines} lines`);
    assert.equal((await page.locator('#instrument-licence-full').innerText()).trim(), review.licence);
    // The scales by their labels in the UI language, the id secondary.
    const scale = full.definition.scales[0];
    const scaleRow = page.locator(`#scale-${idPart(scale.id)}`);
    assert.ok((await scaleRow.locator('.cell-main').innerText()).includes(scale.values[0].label.en));

    // Not JSON: refused by the server's parser, with its line and column, in the UI language.
    await page.locator('#instrument-file').setInputFiles(join(files, 'notes.json'));
    await page.locator('#instrument-import').click();
    await page.locator('#instrument-import-error').getByText(en['instruments.import.not_json']).waitFor();
    await page.locator('#instrument-import-where').getByText(fill(en['instruments.import.not_json_at'], { line: 1, column: 2 })).waitFor();
    assert.doesNotMatch(await page.locator('#instrument-import-error').innerText(), /position|Unexpected|Expected/);

    // A bad file: every problem by its path.
    await page.locator('#instrument-file').setInputFiles(join(files, 'bad.json'));
    await page.locator('#instrument-import').click();
    const paths = page.locator('#instrument-problems tbody .problem-path');
    await paths.first().waitFor();
    const said = await paths.allInnerTexts();
    assert.ok(said.length >= 3, `several problems: ${said.join(' | ')}`);
    for (const path of ['/id', '/validated', '/reassessment_days', '/domains/2/items/0/scale', '/domains/10/items/0/scale']) {
      assert.ok(said.includes(path), `a problem at ${path}: ${said.join(' | ')}`);
    }
    // In document order: members as written in the file, array elements by index (2 before 10).
    const order = Object.keys(BAD);
    const top = (p) => order.indexOf(p.split('/')[1]);
    for (let n = 1; n < said.length; n++) {
      const a = said[n - 1], b = said[n];
      assert.ok(top(a) < top(b) || (top(a) === top(b) && natural(a, b) <= 0), `out of order: ${said.join(' | ')}`);
    }
    assert.ok(said.indexOf('/domains/2/items/0/scale') < said.indexOf('/domains/10/items/0/scale'));
    const deep = page.locator('#instrument-problems tbody tr', { hasText: '/domains/10/items/0/scale' });
    await deep.getByText(fill(en['instruments.import.at_item'], { id: 'TT11' })).waitFor();
    await page.locator('#instrument-problems-summary').getByText(fill(en['instruments.import.problems'], { n: said.length })).waitFor();
    assert.equal(await page.locator('#instrument-import-error').getAttribute('role'), 'alert');
    assert.equal((await who.admin.client.expect(200, 'GET', '/api/v1/instruments')).items.length, listed.length, 'nothing loaded');

    // A good file: loaded and current; again, refused as already loaded.
    await page.locator('#instrument-file').setInputFiles(join(files, 'tiny.json'));
    await page.locator('#instrument-import').click();
    await page.getByText(fill(en['instruments.import.done'], { name: 'Tiny test screen', version: '1.0' })).waitFor();
    const tiny = page.locator(`#instrument-${idPart('test.tiny-screen')}-1_0`);
    await tiny.waitFor();
    assert.match(await tiny.innerText(), new RegExp(en['instruments.current_yes']));
    await page.locator('#item-TT01').getByText('Ask about the last three months of work.').waitFor();
    await page.locator('#instrument-file').setInputFiles(join(files, 'tiny.json'));
    await page.locator('#instrument-import').click();
    const once = fill(en['instruments.import.loaded'], { code: 'test.tiny-screen', version: '1.0' });
    await page.getByText(once).waitFor();
    const refusal = await page.locator('#instrument-import-error').innerText();
    assert.equal(refusal.trim(), once, `the duplicate is said once: ${refusal}`);

    // The level the new instrument's "high" judgement suggests.
    await page.locator('#suggestions-note').getByText(en['instruments.suggestions.note']).waitFor();
    const select = page.locator(`#suggestion-${idPart('test.tiny-screen')}-high`);
    await select.waitFor();
    // The row keeps a choice across the table's reloads (after the import, after a save), so one choice is enough.
    const saveHigh = page.locator(`#suggestion-${idPart('test.tiny-screen')}-high-save`);
    await select.selectOption('intensive');
    await saveHigh.click();
    await page.locator(`#suggestion-${idPart('test.tiny-screen')}-high-row`).getByText(en['instruments.suggestions.saved']).waitFor();
    const rows = (await who.admin.client.expect(200, 'GET', '/api/v1/level-suggestions')).items;
    const saved = rows.find((r) => r.instrument_code === 'test.tiny-screen' && r.judgement === 'high');
    assert.equal(saved.level, 'intensive');
    assert.equal(saved.updated_by_name, who.admin.user.display_name);
    // And back to no suggestion at once, before the table's reload after the save has come (the row's new version
    // is used, and the reload undoes neither the save nor the new choice).
    await select.selectOption('');
    await saveHigh.click();
    await page.locator(`#suggestion-${idPart('test.tiny-screen')}-high-row`).getByText(en['instruments.suggestions.saved']).waitFor();
    const back = (await who.admin.client.expect(200, 'GET', '/api/v1/level-suggestions')).items
      .find((r) => r.instrument_code === 'test.tiny-screen' && r.judgement === 'high');
    assert.equal(back.level, null);
    assert.ok(back.version > saved.version);
    assert.deepEqual(await lowContrast(page), []);
    assert.deepEqual(problems, []);

    // In Russian: the page, the note on suggestions, an item's guidance.
    await who.admin.client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'ru' });
    const other = await openPage(browser, t, { storedLang: 'ru', locale: 'ru-RU', cookies: [who.admin.client.browserCookie()] });
    await other.page.goto(`${server.url}/admin/instruments?id=${review.id}`);
    await other.page.getByRole('heading', { level: 1, name: ru['admin.instruments'] }).waitFor();
    await other.page.getByText(ru['instruments.suggestions.note']).waitFor();
    await other.page.locator(`#item-${idPart(item.id)}`).getByText(item.guidance.ru.slice(0, 40)).waitFor();
    // A refused file in Russian: no English but the checker's messages and the paths.
    await other.page.locator('#instrument-file').setInputFiles(join(files, 'bad.json'));
    await other.page.locator('#instrument-import').click();
    await other.page.locator('#instrument-problems tbody tr').first().waitFor();
    await other.page.getByText(ru['instruments.import.english_note']).waitFor();
    const russian = await other.page.locator('#instrument-import-error').evaluate((box) => {
      const copy = box.cloneNode(true);
      for (const el of copy.querySelectorAll('code, .problem-message, .problem-place')) el.remove();
      return copy.textContent;
    });
    assert.doesNotMatch(russian.replace(/JSON/g, ''), /[A-Za-z]/, `English in the Russian summary: ${russian}`);
    const places = await other.page.locator('#instrument-problems .problem-place').allInnerTexts();
    assert.ok(places.includes(fill(ru['instruments.import.at_item'], { id: 'TT11' })), places.join(' | '));
    await other.page.locator('#instrument-file').setInputFiles(join(files, 'notes.json'));
    await other.page.locator('#instrument-import').click();
    await other.page.getByText(ru['instruments.import.not_json']).waitFor();
    assert.doesNotMatch((await other.page.locator('#instrument-import-error').innerText()).replace(/JSON/g, ''), /[A-Za-z]/);
    assert.deepEqual(other.problems, []);
    await who.admin.client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'en' });
  });
});

describe('certifications', () => {
  test('a unit head records a certification and revokes another; the officer sees only their own', async (t) => {
    const day = today(who.zone);
    const officerId = who.officer.user.id;
    const made = await who.head.client.expect(201, 'POST', '/api/v1/certifications', {
      account_id: officerId, instrument_code: 'kadam.disengagement-review', certified_on: day,
      issuer: 'Regional training centre', reference: 'RTC-1',
    });
    const elsewhere = await who.admin.client.expect(201, 'POST', '/api/v1/certifications', {
      account_id: who.other.user.id, instrument_code: 'kadam.needs-screening', certified_on: day,
      issuer: 'Osh training centre',
    });

    // An officer of the head's unit whom the administrator will disable while the form is open.
    const leaving = (await who.admin.client.expect(201, 'POST', '/api/v1/users', {
      login: 'officer.leaving', display_name: 'Officer Leaving', agency_id: who.head.user.agency.id,
      unit_id: who.head.user.unit.id, roles: ['probation_officer'],
    }));
    const leavingId = (leaving.user ?? leaving).id;

    const { page, problems } = await open(t, who.head.client);
    await page.goto(`${server.url}/supervision/certifications`);
    await page.getByRole('heading', { level: 1, name: en['certifications.title'] }).waitFor();
    await page.locator(`#certification-${made.id}`).waitFor();

    // The Assessor filter offers everyone in the register (the Osh officer too, whom the head's
    // own unit list would not give), and no one else.
    const register = (await who.head.client.expect(200, 'GET', '/api/v1/certifications')).items;
    const inRegister = [...new Set(register.map((c) => c.account_name))].sort();
    assert.ok(inRegister.includes(who.other.user.display_name));
    const offered = (await page.locator('#cert-filter-account option').allInnerTexts()).slice(1).sort();
    assert.deepEqual(offered, inRegister);
    await page.locator('#cert-filter-account').selectOption({ label: who.other.user.display_name });
    await page.locator(`#certification-${elsewhere.id}`).waitFor();
    await page.locator(`#certification-${made.id}`).waitFor({ state: 'detached' });
    await page.locator('#cert-filter-account').selectOption('');
    await page.locator(`#certification-${made.id}`).waitFor();

    // Sent empty: the form's own checks, nothing sent.
    await page.locator('#certification-new').click();
    await page.getByRole('button', { name: en['certifications.save'], exact: true }).click();
    await page.locator('#cert-account-error').getByText(en['certifications.err.account']).waitFor();
    await page.locator('#cert-instrument-error').getByText(en['certifications.err.instrument']).waitFor();
    await page.locator('#cert-issuer-error').getByText(en['certifications.err.issuer']).waitFor();
    assert.doesNotMatch(await page.locator('#cert-form-error').innerText(), /must be an id|is required/);
    assert.equal((await who.head.client.expect(200, 'GET', '/api/v1/certifications')).items.length, register.length);
    // The head is not offered to themself.
    assert.equal(await page.locator(`#cert-account option[value="${who.head.user.id}"]`).count(), 0);

    // The server's refusal, said in the UI language: an account disabled after the form was opened.
    await who.admin.client.expect(200, 'POST', `/api/v1/users/${leavingId}/disable`);
    await page.locator('#cert-account').selectOption(leavingId);
    await page.locator('#cert-instrument').selectOption('kadam.needs-screening');
    await page.locator('#cert-issuer').fill('Somewhere');
    await page.getByRole('button', { name: en['certifications.save'], exact: true }).click();
    await page.locator('#cert-account-error').getByText(en['certifications.err.account_disabled']).waitFor();
    await page.locator('#cert-issuer').fill('');

    // Record one: the expiry follows the instrument's usual validity; a second live one for the same
    // person and instrument is warned about, not refused.
    await page.locator('#cert-account').selectOption(officerId);
    await page.locator('#cert-instrument').selectOption('kadam.disengagement-review');
    await page.locator('#cert-already-live').getByText(who.officer.user.display_name, { exact: false }).waitFor();
    await page.locator('#cert-instrument').selectOption('kadam.needs-screening');
    const liveNeeds = register.filter((c) => c.account_id === officerId && c.instrument_code === 'kadam.needs-screening' && c.live);
    await page.locator('#cert-already-live').waitFor({ state: liveNeeds.length ? 'visible' : 'detached' });
    assert.equal(await page.locator('#cert-certified-on').inputValue(), day);
    assert.equal(await page.locator('#cert-expires-on').inputValue(), addDays(day, 1095));
    await page.locator('#cert-expires-on').fill(addDays(day, -1));
    await page.getByRole('button', { name: en['certifications.save'], exact: true }).click();
    await page.locator('#cert-expires-on-error').getByText(en['certifications.err.expires_order']).waitFor();
    await page.locator('#cert-expires-on').fill(addDays(day, 1095));
    await page.locator('#cert-issuer').fill('National probation academy');
    await page.locator('#cert-reference').fill('NPA-2026-17');
    await page.getByRole('button', { name: en['certifications.save'], exact: true }).click();
    await page.getByText(fill(en['certifications.recorded'], { name: who.officer.user.display_name })).waitFor();
    const mine = (await who.officer.client.expect(200, 'GET', '/api/v1/certifications')).items;
    const recorded = mine.find((c) => c.reference === 'NPA-2026-17');
    assert.ok(recorded, 'the certification is stored');
    assert.equal(recorded.instrument_code, 'kadam.needs-screening');
    assert.equal(recorded.expires_on, addDays(day, 1095));
    assert.equal(recorded.live, true);
    const row = page.locator(`#certification-${recorded.id}`);
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(shown(addDays(day, 1095))));
    assert.match(await row.innerText(), new RegExp(en['certifications.status.live']));

    // Revoke the other: the dialog says whether another live one remains; a reason is needed.
    const now = (await who.head.client.expect(200, 'GET', '/api/v1/certifications')).items;
    const stays = now.filter((c) => c.account_id === officerId && c.instrument_code === made.instrument_code && c.live && c.id !== made.id);
    await page.locator(`#certification-revoke-${made.id}`).click();
    const dialog = page.locator('#certification-revoke-dialog');
    const reviewName = made.instrument_name.en;
    const expected = stays.length
      ? fill(en['certifications.revoke_about_other'], { name: who.officer.user.display_name, instrument: reviewName,
        date: shown(stays.map((c) => c.expires_on).sort().at(-1)) })
      : fill(en['certifications.revoke_about_last'], { name: who.officer.user.display_name, instrument: reviewName });
    assert.equal((await page.locator('#certification-revoke-about').innerText()).trim(), expected);
    await dialog.getByRole('button', { name: en['certifications.revoke'] }).click();
    await dialog.getByText(fill(en['certifications.reason_short'], { n: 5 })).waitFor();
    await page.locator('#cert-revoke-reason').fill('Did not complete the refresher course');
    await dialog.getByRole('button', { name: en['certifications.revoke'] }).click();
    await page.getByText(fill(en['certifications.revoked_done'], { name: who.officer.user.display_name })).waitFor();
    await page.locator(`#certification-${made.id}`).getByText(en['certifications.status.revoked']).waitFor();
    assert.equal(await page.locator(`#certification-revoke-${made.id}`).count(), 0);
    const revoked = (await who.officer.client.expect(200, 'GET', '/api/v1/certifications')).items.find((c) => c.id === made.id);
    assert.ok(revoked.revoked_at);
    assert.equal(revoked.revoke_reason, 'Did not complete the refresher course');

    // The filter on status.
    await page.locator('#cert-filter-status').selectOption('revoked');
    await page.locator(`#certification-${recorded.id}`).waitFor({ state: 'detached' });
    await page.locator(`#certification-${made.id}`).waitFor();
    assert.deepEqual(await lowContrast(page), []);
    assert.deepEqual(problems, []);

    // In Russian, an empty form is refused in Russian, with no server words.
    await who.head.client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'ru' });
    const rus = await openPage(browser, t, { storedLang: 'ru', locale: 'ru-RU', cookies: [who.head.client.browserCookie()] });
    await rus.page.goto(`${server.url}/supervision/certifications`);
    await rus.page.locator('#certification-new').click();
    await rus.page.getByRole('button', { name: ru['certifications.save'], exact: true }).click();
    await rus.page.locator('#cert-account-error').getByText(ru['certifications.err.account']).waitFor();
    assert.doesNotMatch(await rus.page.locator('#cert-form-error').innerText(), /[A-Za-z]/);
    assert.deepEqual(rus.problems, []);
    await who.head.client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'en' });

    // The officer: their own only, no form.
    const own = await open(t, who.officer.client);
    await own.page.goto(`${server.url}/supervision/certifications`);
    await own.page.getByRole('heading', { level: 2, name: en['certifications.own'] }).waitFor();
    await own.page.locator(`#certification-${recorded.id}`).waitFor();
    await own.page.locator(`#certification-${made.id}`).getByText(en['certifications.status.revoked']).waitFor();
    assert.equal(await own.page.locator(`#certification-${elsewhere.id}`).count(), 0);
    assert.equal(await own.page.locator('#certification-new').count(), 0);
    assert.equal(await own.page.locator('[id^="certification-revoke-"]').count(), 0);
    const theirs = (await who.officer.client.expect(200, 'GET', '/api/v1/certifications')).items;
    assert.ok(theirs.every((c) => c.account_id === officerId));
    assert.equal(await own.page.locator('#certifications-table tbody tr').count(), theirs.length);
    assert.deepEqual(own.problems, []);
  });
});
