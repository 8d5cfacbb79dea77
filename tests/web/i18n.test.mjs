// The three UI catalogues (web/src/i18n/{en,ru,ky}.json and the section files
// {en,ru,ky}.<section>.json merged with them) must agree:
// the same keys, no empty texts, and the same {placeholders} in every translation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const LANGS = ['en', 'ru', 'ky'];
const dir = new URL('../../web/src/i18n/', import.meta.url);
const PARTS = ['', '.people', '.cases', '.conditions', '.supervision', '.compliance', '.alerts', '.breaches', '.responses', '.rules', '.assessments', '.instruments', '.release', '.programmes', '.settings', '.monitoring'];
const load = (lang) => Object.assign({}, ...PARTS.map((part) => JSON.parse(readFileSync(new URL(`${lang}${part}.json`, dir), 'utf8'))));
const catalogues = Object.fromEntries(LANGS.map((lang) => [lang, load(lang)]));
const allKeys = [...new Set(LANGS.flatMap((lang) => Object.keys(catalogues[lang])))].sort();

function placeholders(text) {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

test('each catalogue is a flat object of strings', () => {
  for (const lang of LANGS) {
    const cat = catalogues[lang];
    assert.equal(typeof cat, 'object', lang);
    assert.ok(cat !== null && !Array.isArray(cat), `${lang}.json is not an object`);
    for (const [key, value] of Object.entries(cat)) {
      assert.equal(typeof value, 'string', `${lang}.json "${key}" is not a string`);
    }
  }
});

test('every key exists in all three catalogues', () => {
  const missing = [];
  for (const key of allKeys) {
    for (const lang of LANGS) if (!Object.hasOwn(catalogues[lang], key)) missing.push(`${lang}: ${key}`);
  }
  assert.deepEqual(missing, [], `missing translations:\n${missing.join('\n')}`);
});

test('no translation is empty', () => {
  const empty = [];
  for (const lang of LANGS) {
    for (const [key, value] of Object.entries(catalogues[lang])) {
      if (typeof value !== 'string' || value.trim() === '') empty.push(`${lang}: ${key}`);
    }
  }
  assert.deepEqual(empty, [], `empty translations:\n${empty.join('\n')}`);
});

test('every translation has the same {placeholders}', () => {
  const wrong = [];
  for (const key of allKeys) {
    const reference = placeholders(catalogues.en[key] ?? '');
    for (const lang of LANGS) {
      const text = catalogues[lang][key];
      if (typeof text !== 'string') continue;
      const got = placeholders(text);
      if (got.join(',') !== reference.join(',')) wrong.push(`${lang}: ${key} has {${got.join('},{')}}, en has {${reference.join('},{')}}`);
    }
  }
  assert.deepEqual(wrong, [], `placeholder mismatch:\n${wrong.join('\n')}`);
});

test('Kyrgyz and Russian texts are not left in English', () => {
  // A text identical to English is allowed only where it has no letters to translate
  // or is the product name; anything else is an untranslated string.
  const allowed = new Set(['app.name', 'title.page']);
  const same = [];
  for (const lang of ['ru', 'ky']) {
    for (const key of allKeys) {
      if (allowed.has(key)) continue;
      const letters = /\p{L}/u.test(catalogues.en[key].replace(/\{\w+\}/g, ''));
      if (letters && catalogues[lang][key] === catalogues.en[key]) same.push(`${lang}: ${key}`);
    }
  }
  assert.deepEqual(same, [], `untranslated:\n${same.join('\n')}`);
});
