// A day's trail (bench/em.sh): on a database whose fix store holds the
// generated fixes (kadam-bench-em gen), GET /api/v1/em/orders/{id}/trail for
// one whole UTC day of a random order and a random generated day, one request
// at a time, interleaved with /healthz (the floor); p50 and p95 of each, and
// the trail's p95 as a ratio to /healthz's. Each trail must hold fixes.
// Prints "trail P50_MS P95_MS HEALTHZ_P95_MS FIXES_PER_DAY".
//
//   node bench/em-trail.mjs URL TOKEN ORDERS_FILE DAYS [REQUESTS] [DAYS_AGO]
//
// DAYS_AGO: how many days before today the generated days end (a cached database made earlier).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { quantile, die } from './em-lib.mjs';

const [url, token, ordersFile, daysArg, requestsArg, agoArg] = process.argv.slice(2);
const days = Number(daysArg), requests = Number(requestsArg || 200), ago = Number(agoArg || 0);
const orders = readFileSync(ordersFile, 'utf8').split('\n').filter((l) => l.startsWith('order ')).map((l) => l.split(' ')[1]);
if (!orders.length) die(`no orders in ${ordersFile}`);
const headers = { authorization: `Bearer ${token}` };
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;

let seed = 20260407;
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };

async function timed(path, h) {
  const t = performance.now();
  const res = await fetch(`${url}${path}`, { headers: h });
  const body = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) die(`GET ${path}: ${res.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

const trail = [], healthz = [];
let fixes = 0;
for (let i = 0; i < 20 + requests; i++) {
  const order = orders[Math.floor(rand() * orders.length)];
  const day = today - (ago + 1 + Math.floor(rand() * days)) * DAY;
  const h = await timed('/healthz');
  const from = new Date(day).toISOString(), to = new Date(day + DAY).toISOString();
  const t = await timed(`/api/v1/em/orders/${order}/trail?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers);
  const n = JSON.parse(t.body).fixes.length;
  if (n === 0) die(`the trail of order ${order} on ${from.slice(0, 10)} is empty: the generated fixes were not read`);
  if (i < 20) continue;
  trail.push(t.ms); healthz.push(h.ms); fixes += n;
}
console.log(`trail ${quantile(trail, 0.5).toFixed(2)} ${quantile(trail, 0.95).toFixed(2)} ${quantile(healthz, 0.95).toFixed(2)} ${Math.round(fixes / requests)}`);
