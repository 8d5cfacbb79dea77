// Prints "TOKEN USER_ID" for the bench: an administrator logs in (password and
// TOTP) on the running server and creates an API token that may read accounts.
import { createAdmin, firstLogin } from '../tests/lib/auth.mjs';

const [url, db] = process.argv.slice(2);
const admin = createAdmin(db, 'bench.admin');
const { client } = await firstLogin(url, admin.login, admin.password);
const token = await client.post('/api/v1/tokens', { name: 'bench', permissions: ['users.read'], expires_in_days: 1 });
const me = await client.get('/api/v1/auth/session');
if (token.status !== 201) throw new Error(token.text);
console.log(`${token.body.secret} ${me.body.user.id}`);
