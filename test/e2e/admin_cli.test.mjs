// SPDX-License-Identifier: Apache-2.0
// `portcullis admin`: users and tenants administered on the host, straight to the store, while
// the server runs and sees the changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  BIN, adminToken, api, createApp, createUser, get, getToken, passwordGrant, runCli, serverEnv, startServer,
} from './lib/server.mjs';

/** `portcullis admin ...` against the server's store, with `input` on stdin. */
function admin(srv, args, input = '') {
  return new Promise((ok, fail) => {
    const child = spawn(BIN, ['admin', ...args], { env: serverEnv(srv.dir, { PORTCULLIS_LOG_LEVEL: 'error' }) });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
    // A command that reads no stdin may exit before it is written: EPIPE then, not a failure.
    child.stdin.on('error', (e) => { if (e.code !== 'EPIPE') fail(e); });
    child.stdin.end(input);
  });
}

async function until(what, check) {
  const deadline = Date.now() + 10000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('portcullis admin', () => {
  let srv;
  before(async () => { srv = await startServer({ env: { PORTCULLIS_CHANGE_POLL_MS: 50 } }); });
  after(async () => { await srv?.stop(); });

  test('help exits 0; unknown verbs and flags exit 2', async () => {
    const h = await runCli(['admin', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /users reset-password USERNAME/);
    assert.equal((await admin(srv, ['users', 'frob'])).code, 2);
    const flag = await admin(srv, ['users', 'list', '--bogus']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option "--bogus"/);
  });

  test('create, list, disable, enable and reset a user', async () => {
    const c = await admin(srv, ['users', 'create', 'grace', '--email', 'grace@example.test', '--password-stdin'], 'Cobol-Compiler-1959\n');
    assert.equal(c.code, 0, c.stderr);
    assert.equal((await passwordGrant(srv.issuer, 'grace', 'Cobol-Compiler-1959')).status, 200);
    const dup = await admin(srv, ['users', 'create', 'grace'], '');
    assert.equal(dup.code, 1);
    const list = await admin(srv, ['users', 'list']);
    assert.match(list.stdout, /^grace\s+grace@example\.test\s+active\s+[0-9a-f-]{36}$/m);
    assert.match(list.stdout, /^admin\s/m);

    assert.equal((await admin(srv, ['users', 'disable', 'grace'])).code, 0);
    assert.equal((await passwordGrant(srv.issuer, 'grace', 'Cobol-Compiler-1959')).status, 400, 'a disabled user cannot sign in');
    assert.match((await admin(srv, ['users', 'list'])).stdout, /^grace\s+\S+\s+disabled/m);
    assert.equal((await admin(srv, ['users', 'enable', 'grace'])).code, 0);
    assert.equal((await passwordGrant(srv.issuer, 'grace', 'Cobol-Compiler-1959')).status, 200);

    const r = await admin(srv, ['users', 'reset-password', 'grace']);
    assert.equal(r.code, 0, r.stderr);
    const pw = r.stdout.match(/new password: (\S+)/)[1];
    assert.equal((await passwordGrant(srv.issuer, 'grace', 'Cobol-Compiler-1959')).status, 400, 'the old password no longer works');
    assert.equal((await passwordGrant(srv.issuer, 'grace', pw)).status, 200);
    assert.equal((await admin(srv, ['users', 'disable', 'nobody'])).code, 1);
  });

  test('create and delete a tenant', async () => {
    const c = await admin(srv, ['tenants', 'create', 'acme', '--name', 'Acme']);
    assert.equal(c.code, 0, c.stderr);
    const pw = c.stdout.match(/admin user: +admin \/ (\S+)/)[1];
    const issuer = `${srv.base}/t/acme`;
    assert.equal((await get(`${issuer}/.well-known/openid-configuration`)).status, 200);
    const secret = c.stdout.match(/admin client: admin-cli \/ (\S+)/)[1];
    assert.equal((await passwordGrant(issuer, 'admin', pw, 'openid', ['admin-cli', secret])).status, 200);
    assert.equal((await admin(srv, ['tenants', 'create', 'acme'])).code, 1, 'the slug is taken');
    assert.equal((await admin(srv, ['tenants', 'delete', 'default'])).code, 2);
    assert.equal((await admin(srv, ['tenants', 'delete', 'acme'])).code, 0);
    await until('the tenant to be gone', async () => (await get(`${issuer}/.well-known/openid-configuration`)).status === 404);
  });

  test('tenant export and import round-trip, without secrets', async () => {
    const tok = await adminToken(srv.issuer);
    assert.equal((await api(srv.issuer, tok, 'POST', '/roles', { name: 'auditor', permissions: ['audit:read'] })).status, 201);
    assert.equal((await api(srv.issuer, tok, 'POST', '/groups', { name: 'ops', roles: ['auditor'] })).status, 201);
    const u = await createUser(srv.issuer, tok, { username: 'ada', groups: ['ops'], roles: ['auditor'] });
    const app = await createApp(srv.issuer, tok, { name: 'Reporter', scopes: ['openid'], roles: ['auditor'] });
    const ex = await admin(srv, ['tenant', 'export']);
    assert.equal(ex.code, 0, ex.stderr);
    const doc = JSON.parse(ex.stdout);
    assert.equal(doc.format, 'portcullis-tenant/1');
    assert.deepEqual(doc.groups.find((g) => g.name === 'ops').roles, ['auditor']);
    const ada = doc.users.find((x) => x.username === 'ada');
    assert.deepEqual([ada.groups, ada.roles, ada.disabled], [['ops'], ['auditor'], false]);
    assert.ok(doc.applications.some((a) => a.client_id === app.client_id));
    for (const secret of [u.password, app.client_secret, 'password_hash', 'secret_hash']) {
      assert.ok(!ex.stdout.includes(secret), `the export holds no ${secret}`);
    }

    const im = await admin(srv, ['tenant', 'import', 'copy'], ex.stdout);
    assert.equal(im.code, 0, im.stderr);
    const again = await admin(srv, ['tenant', 'export', '--tenant', 'copy']);
    assert.deepEqual(JSON.parse(again.stdout), doc, 'exporting the copy gives the same document');

    const copy = `${srv.base}/t/copy`;
    const secret = im.stdout.match(new RegExp(`^  ${app.client_id} (\\S+)$`, 'm'))[1];
    assert.ok((await getToken(copy, app.client_id, secret)).access_token, 'the new secret works');
    assert.equal((await passwordGrant(copy, 'ada', u.password, 'openid', [app.client_id, secret])).status, 400,
      'passwords are not carried over');
    assert.equal((await admin(srv, ['tenant', 'import', 'copy'], ex.stdout)).code, 1, 'an existing tenant is refused');
    const bad = await admin(srv, ['tenant', 'import', 'other'], '{"format":"something-else"}');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a portcullis-tenant\/1 document/);
    assert.equal((await get(`${srv.base}/t/other/.well-known/openid-configuration`)).status, 404);
  });
});
