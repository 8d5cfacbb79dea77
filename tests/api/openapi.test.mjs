// docs/openapi.yaml and the route table (`kadam routes --json`) list the same
// routes, and every documented JSON body is marked as JSON in the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { root, runKadam } from '../lib/server.mjs';

const spec = parse(readFileSync(join(root, 'docs/openapi.yaml'), 'utf8'));
const r = runKadam(['routes', '--json']);
const table = JSON.parse(r.stdout);

const key = (method, path) => `${method.toUpperCase()} ${path}`;

test('the spec is OpenAPI 3.1', () => {
  assert.match(spec.openapi, /^3\.1\./);
});

test('every route in the table is in the spec', () => {
  for (const route of table) {
    const op = spec.paths?.[route.path]?.[route.method.toLowerCase()];
    assert.ok(op, `${key(route.method, route.path)} is missing from docs/openapi.yaml`);
    assert.match(op.description || '', new RegExp(`Permission \`${route.permission.replace('.', '\\.')}\``),
      `${key(route.method, route.path)}: the description names its permission`);
    let body = op.requestBody;
    if (body?.$ref) body = spec.components.requestBodies[body.$ref.split('/').pop()];
    // A route that takes JSON among other forms (the OsmAnd protocol: a query string, a form, or the Traccar
    // Client's JSON) reads its body itself, so the table does not mark it as a JSON route.
    const forms = Object.keys(body?.content || {});
    const selfParsed = !route.json_body && forms.length > 1 && forms.includes('application/json');
    if (!selfParsed) {
      assert.equal(Boolean(body?.content?.['application/json']), route.json_body,
        `${key(route.method, route.path)}: JSON body in spec and table agree`);
    }
  }
});

test('every operation in the spec is in the table', () => {
  const known = new Set(table.map((x) => key(x.method, x.path)));
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      assert.ok(known.has(key(method, path)), `${key(method, path)} is documented but not routed`);
    }
  }
});
