// Fix-to-alert latency (bench/em.sh): for SAMPLES devices fitted under an
// order with an inclusion circle of 30 km around Bishkek (em.dwell_s 0), a fix
// inside, then one 110 km away (a new exclusion episode, so a new alert), sent
// one at a time through the batch API; the time from sending the violating
// fix until its alert is in the monitoring queue (GET /api/v1/em/queue, asked
// in a tight loop: an upper bound on the true latency; the poll itself adds
// a few ms). Prints "latency P50_MS P99_MS MAX_MS". Where the queue route is
// not there (501), the alert table is read directly instead (DB given), and
// the run says so.
//
//   node bench/em-latency.mjs URL TOKEN FIRST_DEVICE SAMPLES [DB]
import { performance } from 'node:perf_hooks';
import { benchImei, BISHKEK, quantile, die } from './em-lib.mjs';
import { sql } from '../tests/lib/db.mjs';

const [url, token, firstArg, samplesArg, db] = process.argv.slice(2);
const first = Number(firstArg), samples = Number(samplesArg || 50);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

async function send(fix) {
  const res = await fetch(`${url}/api/v1/em/fixes`, { method: 'POST', headers, body: JSON.stringify({ fixes: [fix] }) });
  const text = await res.text();
  if (res.status !== 200) die(`POST /api/v1/em/fixes: ${res.status} ${text.slice(0, 300)}`);
  const out = JSON.parse(text);
  if (out.stored !== 1) die(`the fix was not stored: ${text}`);
}
let direct = false;
async function queueIds() {
  if (direct) return new Set(sql(db, "SELECT id FROM alert WHERE rule_code = 'em.inclusion_exit'").split('\n').filter(Boolean));
  const res = await fetch(`${url}/api/v1/em/queue?status=open`, { headers });
  const text = await res.text();
  if (res.status === 501 && db) {
    console.error('latency: GET /api/v1/em/queue answers 501 (not there yet): reading the alert table directly');
    direct = true;
    return queueIds();
  }
  if (res.status !== 200) die(`GET /api/v1/em/queue: ${res.status} ${text.slice(0, 300)}`);
  return new Set(JSON.parse(text).items.filter((i) => i.alert.rule_code === 'em.inclusion_exit').map((i) => i.alert.id));
}

let at = Date.now() - 60_000;
const times = [];
for (let s = 0; s < samples; s++) {
  const device = benchImei(first + s);
  await send({ device, at: at += 1000, lat: BISHKEK.lat, lon: BISHKEK.lon, accuracy_m: 5 });
  const before = await queueIds();
  const t0 = performance.now();
  await send({ device, at: at += 1000, lat: BISHKEK.lat + 1.0, lon: BISHKEK.lon, accuracy_m: 5 });
  for (let polls = 0; ; polls++) {
    const now = await queueIds();
    if ([...now].some((id) => !before.has(id))) break;
    // Bounded: 2,000 polls is far beyond the 2 s target; the run fails rather than waits for ever.
    if (polls > 2000) die(`no em.inclusion_exit alert in the queue after ${polls} polls (device ${device}): is the evaluator in place?`);
  }
  times.push(performance.now() - t0);
}
console.error(`latency: ${samples} violations, one at a time, seen through ${direct ? 'the alert table' : 'GET /api/v1/em/queue'}`);
console.log(`latency ${quantile(times, 0.5).toFixed(1)} ${quantile(times, 0.99).toFixed(1)} ${Math.max(...times).toFixed(1)}`);
