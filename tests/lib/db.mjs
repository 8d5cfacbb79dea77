// Runs SQL directly against a test database (sqlite3 or psql), for tests that
// must change the database behind the server's back.
import { spawnSync } from 'node:child_process';

export function sql(dbUrl, statement) {
  let r;
  if (dbUrl.startsWith('sqlite:')) {
    r = spawnSync('sqlite3', ['-batch', dbUrl.slice('sqlite:'.length), statement], { encoding: 'utf8' });
  } else {
    r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl, '-c', statement], { encoding: 'utf8' });
  }
  if (r.status !== 0) throw new Error(`SQL failed (${statement}): ${r.stderr}`);
  return r.stdout.trim();
}
