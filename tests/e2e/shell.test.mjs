// Browser tests of the UI shell: languages, routing, keyboard, tablet navigation,
// error reporting and the error state. One server (demo data) and one headless
// Chromium for the whole file; each test gets a fresh browser context (empty storage)
// holding the session of an administrator who logged in once over the API.
//
// Needs: ./build/kadam (or KADAM_BIN), web/dist (npm run build), Debian's chromium
// (CHROMIUM_PATH, default /usr/bin/chromium). Screenshots go to a temporary directory
// (E2E_SHOTS_DIR to choose it), never into the repository.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, TABLET, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const LANGS = ['ky', 'ru', 'en'];
const LANG_NAMES = { ky: 'Кыргызча', ru: 'Русский', en: 'English' };
// An administrator sees every section, the processing log included.
// The administrator's navigation: Alerts opens only to those who work alerts, breaches or complaints
// (tests/e2e/alerts.test.mjs and breaches.test.mjs follow it as an officer and as the court).
// The sections an administrator sees (Electronic monitoring shows only to holders of an em.* permission).
const SECTION_KEYS = ['dashboard', 'people', 'cases', 'supervision', 'programmes', 'reports', 'admin', 'audit'];
const SECTION_PATHS = ['/', '/people', '/cases', '/supervision', '/programmes', '/reports', '/admin', '/audit'];

const catalogue = Object.fromEntries(LANGS.map((lang) =>
  [lang, JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8'))]));
const navLabels = (lang) => SECTION_KEYS.map((k) => catalogue[lang][`section.${k}`]);
const pageTitle = (lang, page) => catalogue[lang]['title.page'].replace('{page}', page);

let server;
let browser;
let system;
let shots;
let admin;

before(async () => {
  assert.ok(existsSync(join(root, 'web/dist/index.html')), 'web/dist is missing: run `npm run build` first');
  server = await startServer({ demo: true });
  system = await (await fetch(`${server.url}/api/v1/system`)).json();
  const created = createAdmin(server.db, 'shell-admin', 'Shell Admin');
  admin = await firstLogin(server.url, created.login, created.password);
  browser = await launch();
  shots = shotsDir();
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

// A fresh context and page, logged in as the administrator unless anonymous is set.
function open(t, { anonymous = false, ...options } = {}) {
  return openPage(browser, t, { ...options, cookies: anonymous ? [] : [admin.client.browserCookie()] });
}

async function load(page, path = '/') {
  const response = await page.goto(server.url + path);
  assert.equal(response.status(), 200, `GET ${path}`);
  await page.locator('#main h1').waitFor();
  return response;
}

const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);
const navTexts = (page) => page.locator('#primary-nav a').allTextContents();
const langSelect = (page) => page.getByRole('combobox', { name: /^(Language|Язык|Тил)$/ });

async function chooseLang(page, lang) {
  await langSelect(page).selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

describe('language', () => {
  for (const lang of LANGS) {
    test(`choosing ${lang} in the switch translates the shell`, async (t) => {
      const start = LANGS[(LANGS.indexOf(lang) + 2) % 3]; // begin in another language
      const { page, problems } = await open(t, { storedLang: start });
      await load(page);
      assert.equal(await htmlLang(page), start);
      assert.deepEqual(await navTexts(page), navLabels(start));

      const options = await langSelect(page).locator('option').allTextContents();
      assert.deepEqual(options, LANGS.map((l) => LANG_NAMES[l]));
      await chooseLang(page, lang);

      const c = catalogue[lang];
      assert.deepEqual(await navTexts(page), navLabels(lang));
      assert.equal(await page.locator('label[for="lang-select"]').textContent(), c['lang.label']);
      assert.equal(await page.title(), pageTitle(lang, c['section.dashboard']));
      assert.equal(await page.locator('#main h1').textContent(), c['dashboard.welcome']);
      assert.equal(await page.evaluate(() => localStorage.getItem('kadam.lang')), lang);

      // The dashboard shows the server's status, and the demo banner (the server runs demo data).
      await page.locator('.facts').waitFor();
      const facts = await page.locator('.facts').textContent();
      for (const v of [system.deployment_name, system.version, String(system.schema_version), system.timezone]) {
        assert.ok(facts.includes(v), `status shows ${v}: ${facts}`);
      }
      assert.ok(facts.includes(c['status.backend']));
      await page.getByRole('note').filter({ hasText: c['demo.banner'] }).waitFor();
      assert.ok((await page.locator('header').textContent()).includes(system.deployment_name));

      assert.deepEqual(await lowContrast(page), [], 'text contrast below 4.5:1');
      await page.screenshot({ path: join(shots, `${lang}-laptop-dashboard.png`), fullPage: true });
      await page.setViewportSize(TABLET);
      await page.screenshot({ path: join(shots, `${lang}-tablet-dashboard.png`), fullPage: true });
      await page.locator('#nav-toggle').click();
      await page.screenshot({ path: join(shots, `${lang}-tablet-menu.png`) });
      await page.locator('#primary-nav a[href="/reports"]').click();
      await page.locator('#main h1', { hasText: c['section.reports'] }).waitFor();
      assert.deepEqual(await lowContrast(page), [], 'text contrast below 4.5:1');
      await page.screenshot({ path: join(shots, `${lang}-tablet-reports.png`), fullPage: true });
      await page.setViewportSize(LAPTOP);
      await page.screenshot({ path: join(shots, `${lang}-laptop-reports.png`), fullPage: true });

      assert.deepEqual(problems, []);
    });
  }

  test('the choice survives a reload', async (t) => {
    const { page, problems } = await open(t, { locale: 'en-US' });
    await load(page);
    const other = (await htmlLang(page)) === 'ru' ? 'en' : 'ru';
    await chooseLang(page, other);
    await page.reload();
    await page.locator('#main h1').waitFor();
    assert.equal(await htmlLang(page), other);
    assert.deepEqual(await navTexts(page), navLabels(other));
    assert.equal(await langSelect(page).inputValue(), other);
    assert.deepEqual(problems, []);
  });

  test("with no stored choice the deployment's default language wins over the browser's (login page)", async (t) => {
    const browserLocale = system.default_language === 'en' ? 'ru-RU' : 'en-US';
    const { page, problems } = await open(t, { anonymous: true, locale: browserLocale });
    await load(page);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await htmlLang(page), system.default_language);
    assert.equal(await page.locator('#main h1').textContent(), catalogue[system.default_language]['login.title']);
    assert.equal(await page.evaluate(() => localStorage.getItem('kadam.lang')), null);
    assert.deepEqual(problems, []);
  });

  for (const lang of LANGS) {
    test(`the login page speaks ${lang} when chosen, and keeps the choice`, async (t) => {
      const start = LANGS[(LANGS.indexOf(lang) + 1) % 3];
      const { page, problems } = await open(t, { anonymous: true, storedLang: start });
      await load(page, '/people');
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(new URL(page.url()).searchParams.get('next'), '/people');
      assert.equal(await page.locator('#primary-nav').count(), 0, 'no navigation before login');
      await chooseLang(page, lang);
      const c = catalogue[lang];
      assert.equal(await page.locator('#main h1').textContent(), c['login.title']);
      assert.equal(await page.title(), pageTitle(lang, c['login.title']));
      assert.equal(await page.getByLabel(c['login.login'], { exact: true }).count(), 1);
      assert.equal(await page.getByLabel(c['login.password'], { exact: true }).count(), 1);
      assert.equal(await page.getByRole('button', { name: c['login.submit'], exact: true }).count(), 1);
      assert.equal(await page.evaluate(() => localStorage.getItem('kadam.lang')), lang);
      assert.deepEqual(await lowContrast(page), [], 'text contrast below 4.5:1');
      await page.screenshot({ path: join(shots, `${lang}-laptop-login.png`), fullPage: true });
      await page.setViewportSize(TABLET);
      await page.screenshot({ path: join(shots, `${lang}-tablet-login.png`), fullPage: true });
      assert.deepEqual(problems, []);
    });
  }
});

describe('routing', () => {
  test('client-side navigation to /people, back, and every section', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'en' });
    await load(page);
    await page.evaluate(() => { window.kadamNoReload = true; });
    const en = catalogue.en;

    await page.getByRole('navigation').getByRole('link', { name: en['section.people'], exact: true }).click();
    await page.waitForURL(`${server.url}/people`);
    await page.locator('#main h1', { hasText: en['section.people'] }).waitFor();
    assert.equal(await page.evaluate(() => window.kadamNoReload), true, 'navigation reloaded the page');
    assert.equal(await page.locator('#primary-nav a[aria-current="page"]').textContent(), en['section.people']);
    assert.equal(await page.title(), pageTitle('en', en['section.people']));
    assert.ok((await page.locator('#main').textContent()).includes(en['about.people']));
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'focus moves to the new heading');

    await page.goBack();
    await page.locator('#main h1', { hasText: en['dashboard.welcome'] }).waitFor();
    assert.equal(await page.evaluate(() => window.kadamNoReload), true);

    for (let i = 0; i < SECTION_PATHS.length; i++) {
      await page.locator(`#primary-nav a[href="${SECTION_PATHS[i]}"]`).click();
      // The Supervision section opens on the diary.
      const heading = i === 0 ? en['dashboard.welcome']
        : SECTION_KEYS[i] === 'supervision' ? en['diary.title'] : en[`section.${SECTION_KEYS[i]}`];
      await page.locator('#main h1', { hasText: heading }).waitFor();
      assert.equal(new URL(page.url()).pathname, SECTION_PATHS[i]);
    }
    assert.equal(await page.evaluate(() => window.kadamNoReload), true);
    assert.deepEqual(problems, []);
  });

  test('a direct load of /people works', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'ky' });
    const response = await load(page, '/people');
    assert.match(response.headers()['content-type'] ?? '', /^text\/html/);
    const ky = catalogue.ky;
    assert.equal(await page.locator('#main h1').textContent(), ky['section.people']);
    assert.equal(await page.locator('#main h1').textContent(), 'Адамдар');
    assert.equal(await page.locator('#primary-nav a[aria-current="page"]').getAttribute('href'), '/people');
    assert.equal(await page.title(), pageTitle('ky', ky['section.people']));
    assert.deepEqual(problems, []);
  });

  test('an unknown path shows a translated "page not found" with a way back', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'ru' });
    await load(page, '/no-such-page');
    assert.equal(await page.locator('#main h1').textContent(), catalogue.ru['notfound.title']);
    await page.getByRole('link', { name: catalogue.ru['placeholder.back'] }).click();
    await page.locator('#main h1', { hasText: catalogue.ru['dashboard.welcome'] }).waitFor();
    assert.deepEqual(problems, []);
  });
});

describe('keyboard', () => {
  test('Tab reaches the skip link first, then the language switch', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'en' });
    await load(page);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => ({
      cls: document.activeElement?.className, text: document.activeElement?.textContent,
      outline: getComputedStyle(document.activeElement).outlineStyle,
      top: document.activeElement.getBoundingClientRect().top,
    }));
    assert.equal(first.cls, 'skip-link');
    assert.equal(first.text, catalogue.en['skip.link']);
    assert.notEqual(first.outline, 'none', 'skip link shows a focus outline');
    assert.ok(first.top >= 0, 'skip link is on screen when focused');

    // The skip link moves focus into main.
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('main')?.id), 'main');

    // From the top of a fresh load: the language switch is among the first few stops, shows focus,
    // and works from the keyboard.
    await load(page);
    let reached = false;
    for (let i = 0; i < 8 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'lang-select');
    }
    assert.ok(reached, 'Tab reaches the language switch');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('ArrowUp'); // en -> ru
    await page.waitForFunction(() => document.documentElement.lang === 'ru');
    assert.deepEqual(await navTexts(page), navLabels('ru'));

    // The notifications bell and the user menu follow, then the nav links; Enter on one navigates.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'notifications-button');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'user-menu-button');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '/');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#main h1', { hasText: catalogue.ru['section.people'] }).waitFor();
    assert.deepEqual(problems, []);
  });
});

describe('tablet', () => {
  test('the navigation folds behind a menu button with aria-expanded', async (t) => {
    const { page, problems } = await open(t, { viewport: TABLET, storedLang: 'ru' });
    await load(page);
    const toggle = page.getByRole('button', { name: catalogue.ru['nav.toggle'], exact: true });
    const people = page.locator('#primary-nav a[href="/people"]');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await toggle.getAttribute('aria-controls'), 'primary-nav');
    assert.equal(await people.isVisible(), false);

    // Preact renders after the event: wait for the attribute rather than read it at once.
    const expanded = (v) => page.waitForSelector(`#nav-toggle[aria-expanded="${v}"]`, { timeout: 5000 });
    await toggle.click();
    await expanded('true');
    assert.equal(await people.isVisible(), true);
    await people.click();
    await page.locator('#main h1', { hasText: catalogue.ru['section.people'] }).waitFor();
    await expanded('false'); // the menu closes after navigating
    await people.waitFor({ state: 'hidden' });

    // Keyboard: Enter opens, Escape closes and returns focus to the button.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expanded('true');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await expanded('false');
    await page.waitForFunction(() => document.activeElement?.id === 'nav-toggle', null, { timeout: 5000 });

    // At laptop width the sidebar is always there and the button is not.
    await page.setViewportSize(LAPTOP);
    assert.equal(await toggle.isVisible(), false);
    assert.equal(await people.isVisible(), true);
    assert.deepEqual(problems, []);
  });
});

describe('errors', () => {
  test('uncaught errors are reported to /api/v1/client-errors, at most 10 per page', async (t) => {
    const { page } = await open(t, { storedLang: 'en' });
    await load(page);
    const reports = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/api/v1/client-errors') && req.method() === 'POST') reports.push(req);
    });
    const first = page.waitForRequest((req) => req.url().endsWith('/api/v1/client-errors'));
    await page.evaluate(() => { setTimeout(() => { throw new Error('e2e boom'); }, 0); });
    const req = await first;
    assert.match(req.headers()['content-type'], /^application\/json/);
    const body = req.postDataJSON();
    assert.deepEqual(Object.keys(body).sort(), ['column', 'language', 'line', 'message', 'stack', 'url']);
    assert.match(body.message, /e2e boom/);
    assert.equal(body.language, 'en');
    assert.equal(typeof body.line, 'number');

    await page.evaluate(() => {
      for (let i = 0; i < 8; i++) setTimeout(() => { throw new Error(`e2e flood ${i}`); }, 0);
      for (let i = 0; i < 8; i++) Promise.reject(new Error(`e2e rejection ${i}`));
    });
    await page.waitForTimeout(300); // let any over-limit reports (there must be none) go out
    assert.equal(reports.length, 10);
  });

  test('a failing /api/v1/system shows a translated error state, then recovers on retry', async (t) => {
    const { page } = await open(t, { storedLang: 'ky' });
    await page.route('**/api/v1/system', (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"title":"unavailable"}' }));
    await load(page);
    const ky = catalogue.ky;
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes(ky['status.error.title']));
    assert.ok((await alert.textContent()).includes('503'));
    assert.deepEqual(await navTexts(page), navLabels('ky'), 'the shell is still there');
    await page.screenshot({ path: join(shots, 'ky-laptop-error.png'), fullPage: true });

    await page.unroute('**/api/v1/system');
    await page.getByRole('button', { name: ky['status.retry'] }).click();
    await page.locator('.facts').waitFor();
    assert.equal(await alert.count(), 0);
  });
});
