// Ingest throughput through the batch API (bench/em.sh): CLIENTS concurrent
// clients POST /api/v1/em/fixes in batches of BATCH fixes, DEVICES devices
// interleaved (device k's n-th fix, then device k+1's ...), times one second
// apart per device from BASE_MS; every fix inside its order's inclusion zone,
// so each is stored, acknowledged and evaluated without raising alerts. The
// bodies are made before the clock starts. Prints "http FIXES_PER_S".
//
//   node bench/em-ingest.mjs URL TOKEN DEVICES TOTAL BASE_MS [CLIENTS] [BATCH]
import { performance } from 'node:perf_hooks';
import { benchImei, BISHKEK, die } from './em-lib.mjs';

const [url, token, devicesArg, totalArg, baseArg, clientsArg, batchArg] = process.argv.slice(2);
const devices = Number(devicesArg), total = Number(totalArg), base = Number(baseArg);
const clients = Number(clientsArg || 8), batch = Number(batchArg || 1000);
if (!(devices > 0 && total > 0 && base > 0)) die('usage: em-ingest.mjs URL TOKEN DEVICES TOTAL BASE_MS [CLIENTS] [BATCH]');

const imeis = Array.from({ length: devices }, (_, i) => benchImei(i + 1));
// Client c sends the devices d with d % clients == c, so one device's fixes are never in flight in two requests
// at once (each device's fixes arrive in order, as from one gateway); a batch still holds many devices.
const perClient = Array.from({ length: clients }, () => []);
{
  const rounds = Math.ceil(total / devices);
  const fixes = Array.from({ length: clients }, () => []);
  let made = 0;
  for (let n = 0; n < rounds && made < total; n++) {
    for (let d = 0; d < devices && made < total; d++, made++) {
      const c = d % clients;
      fixes[c].push(`{"device":"${imeis[d]}","at":${base + n * 1000},"lat":${(BISHKEK.lat + (d % 100) * 1e-3 + (n % 10) * 1e-5).toFixed(6)},` +
        `"lon":${(BISHKEK.lon + (Math.floor(d / 100) % 100) * 1e-3).toFixed(6)},"accuracy_m":8,"speed_kmh":4,"battery_pct":80}`);
      if (fixes[c].length === batch) { perClient[c].push(`{"fixes":[${fixes[c].join(',')}]}`); fixes[c] = []; }
    }
  }
  fixes.forEach((f, c) => { if (f.length) perClient[c].push(`{"fixes":[${f.join(',')}]}`); });
}
const batches = perClient.reduce((a, b) => a + b.length, 0);

const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
let stored = 0, duplicates = 0, late = 0;
async function client(bodies) {
  for (const body of bodies) {
    const res = await fetch(`${url}/api/v1/em/fixes`, { method: 'POST', headers, body });
    const text = await res.text();
    if (res.status !== 200) die(`POST /api/v1/em/fixes: ${res.status} ${text.slice(0, 300)}`);
    const out = JSON.parse(text);
    if (out.refused && out.refused.length) die(`POST /api/v1/em/fixes refused ${out.refused.length}: ${JSON.stringify(out.refused[0])}`);
    stored += out.stored; duplicates += out.duplicates; late += out.late || 0;
  }
}
const t0 = performance.now();
await Promise.all(perClient.map(client));
const secs = (performance.now() - t0) / 1000;
if (stored + duplicates < total) die(`only ${stored} of ${total} fixes stored (${duplicates} duplicates)`);
console.error(`http: ${total} fixes in ${batches} batches of up to ${batch} from ${clients} clients in ${secs.toFixed(1)} s;` +
  ` stored ${stored}, duplicates ${duplicates}, late ${late}`);
console.log(`http ${Math.round(total / secs)}`);
