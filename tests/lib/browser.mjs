// Headless Chromium for the browser tests (tests/e2e): launching it, fresh contexts that
// collect console errors and page errors, screenshots to a temporary directory, and a
// text-contrast check.
//
// Needs Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium). Screenshots go to a
// temporary directory (E2E_SHOTS_DIR to choose it), never into the repository.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const LAPTOP = { width: 1366, height: 768 };
export const TABLET = { width: 768, height: 1024 };

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export function shotsDir() {
  if (process.env.E2E_SHOTS_DIR) {
    mkdirSync(process.env.E2E_SHOTS_DIR, { recursive: true });
    return process.env.E2E_SHOTS_DIR;
  }
  return mkdtempSync(join(tmpdir(), 'kadam-e2e-shots-'));
}

// Chromium logs every HTTP error answer as "Failed to load resource: ... status of 4xx".
// For API calls the UI expects some of those (401 before login, 422 for a bad form, ...) and
// shows them to the user itself; only those are not counted as problems. Anything else —
// a CSP violation, a failed script or style, an uncaught error — is.
function expectedApiError(msg) {
  const url = msg.location()?.url ?? '';
  return /^Failed to load resource: the server responded with a status of (4\d\d)/.test(msg.text())
    && /\/api\/v1\//.test(url);
}

/**
 * A fresh context and page. `problems` collects console errors (CSP violations appear there)
 * and uncaught page errors; tests assert it stays empty. Options: viewport, locale,
 * storedLang (the language chosen earlier in this browser), cookies (e.g. a session).
 */
export async function openPage(browser, t, { viewport = LAPTOP, locale = 'en-US', storedLang = null, cookies = [] } = {}) {
  const context = await browser.newContext({ viewport, locale });
  if (storedLang) {
    await context.addInitScript((lang) => {
      if (!localStorage.getItem('kadam.lang')) localStorage.setItem('kadam.lang', lang);
    }, storedLang);
  }
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expectedApiError(msg)) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  t.after(() => context.close());
  return { context, page, problems };
}

/** Text elements whose colour contrast against their effective background is below 4.5:1. */
export function lowContrast(page) {
  return page.evaluate(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let rgb = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse()) rgb = [r * a + rgb[0] * (1 - a), g * a + rgb[1] * (1 - a), b * a + rgb[2] * (1 - a)];
      return rgb;
    };
    const bad = [];
    for (const el of document.body.querySelectorAll('*')) {
      const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!hasText) continue;
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (rect.width === 0 || rect.height === 0 || rect.bottom <= 0 || style.visibility === 'hidden') continue;
      if (el.closest('.visually-hidden, .offscreen, [hidden], dialog:not([open])')) continue;
      const fg = parse(style.color);
      const l1 = lum(fg);
      const l2 = lum(background(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      // Disabled controls are exempt (WCAG 1.4.3).
      if (ratio < 4.5 && !el.closest(':disabled')) bad.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return bad;
  });
}
