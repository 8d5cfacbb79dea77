// The route x role matrix: every route in the table is called as every role
// and the answer compared with what the policy should decide. A route added to
// the table without a row here fails this test.
//
// Roles so far: only the anonymous caller. The identity issue adds accounts
// and roles; each then becomes a column.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runKadam, startServer } from '../lib/server.mjs';

// "METHOD pattern" -> { role: 'allow' | 'deny' }, plus a sample path and body.
const matrix = {
  'GET /healthz': { anonymous: 'allow' },
  'GET /readyz': { anonymous: 'allow' },
  'GET /metrics': { anonymous: 'allow' },
  'GET /api/v1/system': { anonymous: 'allow' },
  'POST /api/v1/client-errors': { anonymous: 'allow', body: { message: 'matrix probe' } },
};
const roles = ['anonymous'];

const table = JSON.parse(runKadam(['routes', '--json']).stdout);
let srv;
before(async () => { srv = await startServer(); });
after(async () => { assert.equal((await srv.stop()).code, 0); });

test('every route has a row in the matrix', () => {
  for (const route of table) {
    const k = `${route.method} ${route.path}`;
    assert.ok(matrix[k], `${k} has no row in tests/api/matrix.test.mjs`);
    for (const role of roles) assert.ok(['allow', 'deny'].includes(matrix[k][role]), `${k} x ${role}`);
  }
});

test('each role gets what the matrix expects on each route', async () => {
  for (const route of table) {
    const row = matrix[`${route.method} ${route.path}`];
    const path = route.path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000');
    for (const role of roles) {
      const init = { method: route.method, headers: {} };
      if (row.body) {
        init.headers['content-type'] = 'application/json';
        init.body = JSON.stringify(row.body);
      }
      const res = await fetch(`${srv.url}${path}`, init);
      await res.arrayBuffer();
      const denied = res.status === 401 || res.status === 403;
      assert.equal(denied ? 'deny' : 'allow', row[role], `${route.method} ${path} as ${role}: ${res.status}`);
    }
  }
});
