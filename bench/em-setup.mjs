// Prints an API token for the electronic-monitoring benchmarks (bench/em.sh):
// a monitoring-centre account that is also an administrator (only that role
// may make API tokens, and it holds em.ingest, the gateway's permission) logs
// in on the running server and makes a token that may send fixes (em.ingest),
// read EM data (em.read: trails) and see the monitoring queue (em.operate).
// Needs the demo's agencies and units (`kadam demo`).
//
//   node bench/em-setup.mjs URL DB
import { randomBytes } from 'node:crypto';
import { createAdmin, firstLogin } from '../tests/lib/auth.mjs';
import { sql } from '../tests/lib/db.mjs';

const [url, db] = process.argv.slice(2);
const tag = randomBytes(3).toString('hex');
const [agencyId, unitId] = sql(db,
  "SELECT u.agency_id || '|' || u.id FROM unit u JOIN agency a ON a.id = u.agency_id" +
  " WHERE a.name = 'Probation Service (demo)' AND u.name = 'Central office'").split('|');
if (!unitId) throw new Error('no demo unit "Central office": run `kadam demo` on the database first');
const admin = createAdmin(db, `bench.emadmin.${tag}`);
const { client: adminClient } = await firstLogin(url, admin.login, admin.password);
let r = await adminClient.post('/api/v1/users', {
  login: `bench.centre.${tag}`, display_name: 'Benchmark monitoring centre', agency_id: agencyId, unit_id: unitId,
  roles: ['monitoring_operator', 'administrator'],
});
if (r.status !== 201) throw new Error(`creating the monitoring account: ${r.status} ${r.text}`);
const { client } = await firstLogin(url, `bench.centre.${tag}`, r.body.one_time_password);
r = await client.post('/api/v1/tokens', {
  name: `bench em ${tag}`, permissions: ['em.ingest', 'em.read', 'em.operate', 'alerts.read', 'metrics.read'], expires_in_days: 1,
});
if (r.status !== 201) throw new Error(`creating the token: ${r.status} ${r.text}`);
console.log(r.body.secret);
