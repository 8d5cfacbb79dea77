// Browser tests of Administration → Instruments and the certification register (issue 8): the
// administrator sees both shipped instruments, opens one and reads an item's guidance, is refused a
// file that is not JSON (in the browser) and a bad instrument file (every problem by its path),
// imports a small synthetic instrument that becomes current (a second import of the same version is
// refused), and changes the level a judgement suggests. A unit head records a certification for an
// officer (the expiry defaults from the instrument) and revokes another with a reason; the officer
// sees only their own certifications.
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

/** Several problems, each at a path the checker must name. */
const BAD = {
  ...TINY,
  id: 'Bad Id!',
  validated: 'yes',
  reassessment_days: 0,
};

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

    // Not JSON: refused in the browser.
    await page.locator('#instrument-file').setInputFiles(join(files, 'notes.json'));
    await page.locator('#instrument-import').click();
    await page.locator('#instrument-import-error').getByText(en['instruments.import.not_json']).waitFor();

    // A bad file: every problem by its path.
    await page.locator('#instrument-file').setInputFiles(join(files, 'bad.json'));
    await page.locator('#instrument-import').click();
    const lines = page.locator('#instrument-problems li');
    await lines.first().waitFor();
    const said = await lines.allInnerTexts();
    assert.ok(said.length >= 3, `several problems: ${said.join(' | ')}`);
    for (const path of ['/id', '/validated', '/reassessment_days']) {
      assert.ok(said.some((l) => l.startsWith(`${path} — `)), `a problem at ${path}: ${said.join(' | ')}`);
    }
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
    await page.getByText(fill(en['instruments.import.loaded'], { code: 'test.tiny-screen', version: '1.0' })).waitFor();

    // The level the new instrument's "high" judgement suggests.
    await page.locator('#suggestions-note').getByText(en['instruments.suggestions.note']).waitFor();
    const select = page.locator(`#suggestion-${idPart('test.tiny-screen')}-high`);
    await select.waitFor();
    await select.selectOption('intensive');
    await page.locator(`#suggestion-${idPart('test.tiny-screen')}-high-save`).click();
    await page.locator(`#suggestion-${idPart('test.tiny-screen')}-high-row`).getByText(en['instruments.suggestions.saved']).waitFor();
    const rows = (await who.admin.client.expect(200, 'GET', '/api/v1/level-suggestions')).items;
    const saved = rows.find((r) => r.instrument_code === 'test.tiny-screen' && r.judgement === 'high');
    assert.equal(saved.level, 'intensive');
    assert.equal(saved.updated_by_name, who.admin.user.display_name);
    // And back to no suggestion (the row's new version is used).
    await select.selectOption('');
    await page.locator(`#suggestion-${idPart('test.tiny-screen')}-high-save`).click();
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

    const { page, problems } = await open(t, who.head.client);
    await page.goto(`${server.url}/supervision/certifications`);
    await page.getByRole('heading', { level: 1, name: en['certifications.title'] }).waitFor();
    await page.locator(`#certification-${made.id}`).waitFor();

    // Record one: the expiry follows the instrument's usual validity.
    await page.locator('#certification-new').click();
    await page.locator('#cert-account').selectOption(officerId);
    await page.locator('#cert-instrument').selectOption('kadam.needs-screening');
    assert.equal(await page.locator('#cert-certified-on').inputValue(), day);
    assert.equal(await page.locator('#cert-expires-on').inputValue(), addDays(day, 1095));
    await page.getByRole('button', { name: en['certifications.save'], exact: true }).click();
    await page.locator('#cert-issuer-error').waitFor();
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

    // Revoke the other: a reason is needed.
    await page.locator(`#certification-revoke-${made.id}`).click();
    const dialog = page.locator('#certification-revoke-dialog');
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
