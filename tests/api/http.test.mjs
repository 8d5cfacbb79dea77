// HTTP conventions: probes, headers, problem+json for bad requests, limits,
// static UI files, metrics, the access log. Runs on the backend TEST_BACKEND names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServer } from '../lib/server.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, metricsToken;
before(async () => {
  srv = await startServer({ env: { KADAM_CLIENT_ERRORS_PER_MINUTE: '5', KADAM_MAX_BODY_BYTES: '4096' } });
  const { client } = await firstLogin(srv.url, ...Object.values(createAdmin(srv.db)));
  const r = await client.post('/api/v1/tokens', { name: 'prometheus', permissions: ['metrics.read'], expires_in_days: 1 });
  metricsToken = r.body.secret;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, `server exit status (sanitizer reports?):\n${srv.logs().slice(-4000)}`);
});

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function problem(res, status, slug) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = await res.json();
  assert.equal(body.type, `urn:kadam:problem:${slug}`);
  assert.equal(body.status, status);
  assert.ok(body.title);
  assert.equal(body.request_id, res.headers.get('x-request-id'));
  return body;
}

// Sends raw bytes so that tests control framing (chunked bodies, lying lengths).
function raw(method, path, headers, chunks) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', fail);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

test('healthz and readyz answer', async () => {
  const h = await fetch(`${srv.url}/healthz`);
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { status: 'ok' });
  const r = await fetch(`${srv.url}/readyz`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { status: 'ready', database: 'ok' });
});

test('system reports backend, schema and settings', async () => {
  const res = await fetch(`${srv.url}/api/v1/system`);
  assert.equal(res.status, 200);
  const s = await res.json();
  assert.equal(s.name, 'kadam');
  assert.equal(s.backend, process.env.TEST_BACKEND || 'sqlite');
  assert.ok(s.schema_version >= 1);
  assert.equal(s.default_language, 'ky');
  assert.equal(s.timezone, 'Asia/Bishkek');
  assert.equal(s.demo, false);
  assert.match(s.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('every response carries the security headers and a request id', async () => {
  for (const path of ['/healthz', '/api/v1/system', '/api/v1/nope', '/', '/people']) {
    const res = await fetch(`${srv.url}${path}`);
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.doesNotMatch(csp, /unsafe-inline/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.match(res.headers.get('x-request-id'), uuidRe, path);
    await res.arrayBuffer();
  }
  const api = await fetch(`${srv.url}/api/v1/system`);
  assert.equal(api.headers.get('cache-control'), 'no-store');
});

test('unknown API path is 404 problem+json', async () => {
  const body = await problem(await fetch(`${srv.url}/api/v1/no-such-thing`), 404, 'not-found');
  assert.equal(body.instance, '/api/v1/no-such-thing');
});

test('wrong method is 405 with Allow', async () => {
  const res = await fetch(`${srv.url}/api/v1/system`, { method: 'DELETE' });
  await problem(res, 405, 'method-not-allowed');
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  const res2 = await fetch(`${srv.url}/api/v1/client-errors`);
  await problem(res2, 405, 'method-not-allowed');
  assert.equal(res2.headers.get('allow'), 'POST');
  const res3 = await fetch(`${srv.url}/people`, { method: 'POST', body: 'x' });
  await problem(res3, 405, 'method-not-allowed');
  assert.equal(res3.headers.get('allow'), 'GET, HEAD');
});

const post = (body, type = 'application/json') => fetch(`${srv.url}/api/v1/client-errors`, {
  method: 'POST', headers: { 'content-type': type }, body,
});

test('non-JSON content type is 415', async () => {
  await problem(await post('message=x', 'application/x-www-form-urlencoded'), 415, 'unsupported-media-type');
  await problem(await post('{"message":"x"}', 'text/plain'), 415, 'unsupported-media-type');
  const res = await fetch(`${srv.url}/api/v1/client-errors`, { method: 'POST', body: '{}' , headers: {} });
  assert.equal(res.status, 415);
});

test('JSON syntax error is 400 with line and column', async () => {
  const body = await problem(await post('{\n  "message": "x",\n  oops\n}'), 400, 'malformed-json');
  assert.equal(body.errors[0].field, 'body');
  assert.equal(body.errors[0].line, 3);
  assert.ok(body.errors[0].column >= 3);
  assert.match(body.detail, /line 3, column \d+/);
  await problem(await post('{"message":"a","message":"b"}'), 400, 'malformed-json');
  await problem(await post(''), 400, 'malformed-json');
});

test('invalid fields are 422 naming each field', async () => {
  const body = await problem(await post(JSON.stringify({ message: '', line: -1, language: 'fr', extra: 1 })), 422, 'validation-failed');
  const byField = Object.fromEntries(body.errors.map((e) => [e.field, e.message]));
  assert.match(byField.message, /at least 1/);
  assert.match(byField.line, /between 0 and/);
  assert.match(byField.language, /one of: ky, ru, en/);
  assert.match(byField.extra, /not a known field/);
  const notObject = await problem(await post('[1,2]'), 422, 'validation-failed');
  assert.equal(notObject.errors[0].field, 'body');
  const long = await problem(await post(JSON.stringify({ message: 'ж'.repeat(1001) })), 422, 'validation-failed');
  assert.match(long.errors[0].message, /at most 1000 characters/);
  const wrongType = await problem(await post(JSON.stringify({ message: 5 })), 422, 'validation-failed');
  assert.match(wrongType.errors[0].message, /must be a string/);
});

test('oversized bodies are 413, with a length or chunked', async () => {
  await problem(await post(JSON.stringify({ message: 'x'.repeat(5000) })), 413, 'body-too-large');
  const chunked = await raw('POST', '/api/v1/client-errors',
    { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    ['{"message":"', 'y'.repeat(3000), 'y'.repeat(3000), '"}']);
  assert.equal(chunked.status, 413);
  assert.equal(chunked.headers['content-type'], 'application/problem+json');
});

test('a valid report is accepted and logged; too many are 429', async () => {
  // The limit is 5 per minute per address, shared with the tests above only for 2xx paths.
  const ok = await post(JSON.stringify({ message: 'TypeError: x is undefined', url: '/people', line: 3, column: 7, language: 'ru' }));
  assert.equal(ok.status, 204);
  const logged = /"msg":"browser error".*"message":"TypeError: x is undefined"/;
  assert.match(await srv.waitForLog(logged), logged);
  let last;
  for (let i = 0; i < 6; i++) last = await post(JSON.stringify({ message: `e${i}` }));
  await problem(last, 429, 'rate-limited');
  assert.equal(last.headers.get('retry-after'), '60');
});

test('static UI: index, client routes, assets, traversal', async () => {
  const index = await fetch(`${srv.url}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.match(html, /<div id="app"/);
  const route = await fetch(`${srv.url}/people/some-id`);
  assert.equal(route.status, 200);
  assert.equal(await route.text(), html);
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const js = await fetch(`${srv.url}${script}`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(js.headers.get('cache-control'), /immutable/);
  const etag = js.headers.get('etag');
  await js.arrayBuffer();
  const again = await fetch(`${srv.url}${script}`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  await problem(await fetch(`${srv.url}/assets/missing.js`), 404, 'not-found');
  const traversal = await raw('GET', '/../../etc/passwd', {}, []);
  assert.notEqual(traversal.status, 200);
  const hidden = await raw('GET', '/.env', {}, []);
  assert.equal(hidden.status, 404);
  const head = await fetch(`${srv.url}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
});

test('metrics count requests by route and status', async () => {
  await fetch(`${srv.url}/api/v1/system`);
  assert.equal((await fetch(`${srv.url}/metrics`)).status, 401, 'metrics need a token');
  const text = await (await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  assert.match(text, /kadam_http_requests_total\{route="GET \/api\/v1\/system",status="200"\} [1-9]/);
  assert.match(text, /kadam_http_requests_total\{route="POST \/api\/v1\/client-errors",status="415"\} [1-9]/);
  assert.match(text, /kadam_http_requests_total\{route="unmatched",status="404"\} [1-9]/);
  assert.match(text, /kadam_http_request_duration_seconds_bucket\{route="GET \/api\/v1\/system",le="\+Inf"\} [1-9]/);
  assert.match(text, /kadam_db_pool_connections \d+/);
  assert.match(text, /kadam_client_errors_total [1-9]/);
});

test('access log is JSON lines with the request id and no query string', async () => {
  const res = await fetch(`${srv.url}/api/v1/system?q=Бердибаев`);
  const id = res.headers.get('x-request-id');
  await res.arrayBuffer();
  const line = (await srv.waitForLog(new RegExp(id))).split('\n').find((l) => l.includes(id));
  assert.ok(line, 'request id in the log');
  const entry = JSON.parse(line);
  assert.equal(entry.msg, 'request');
  assert.equal(entry.path, '/api/v1/system');
  assert.equal(entry.status, 200);
  assert.equal(entry.route, 'GET /api/v1/system');
  assert.doesNotMatch(line, /Бердибаев|q=/);
});

test('the server keeps serving after bad requests', async () => {
  const bad = await raw('GET', '/healthz', { 'content-length': 'abc' }, []).catch(() => null);
  assert.ok(bad === null || bad.status >= 400);
  const res = await fetch(`${srv.url}/healthz`);
  assert.equal(res.status, 200);
});
