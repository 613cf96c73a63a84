// SPDX-License-Identifier: Apache-2.0
// Step-up (API.md §16): with the tenant setting step_up, a user token without a fresh second factor
// is refused 401 AUT-0019 with the RFC 9470 challenge; a Portcullis-OTP header (its TOTP step accepted
// once, audited) or a token from a fresh MFA sign-in satisfies it; application tokens are not affected.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, passwordGrant, startServer, unique } from './lib/server.mjs';
import { enrolTotp, mfaGrant, totpAt, userToken } from './lib/mfa.mjs';

const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];
let srv; let issuer; let admin; let alice; let secret; let pwdToken;

/** Writes the default tenant's step_up setting straight into the SQLite store (the tenant API is another issue). */
function setStepUp(dir, value) {
  execFileSync('sqlite3', [`${dir}/p.db`, `UPDATE tenants SET settings = json_set(COALESCE(settings, '{}'), '$.step_up', json('${JSON.stringify(value)}')) WHERE slug = 'default'`]);
}

before(async () => {
  const first = await startServer();
  const { dir, port } = first;
  await first.stop({ keepDir: true });
  setStepUp(dir, { permissions: ['users:*', 'roles:*'], max_age: 300 });
  srv = await startServer({ dir, port });
  issuer = srv.issuer;
  admin = await adminToken(issuer);
  const role = unique('helpdesk');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: ['users:read', 'groups:read'] })).status, 201);
  alice = await createUser(issuer, admin, { roles: [role] });
  pwdToken = await userToken(issuer, alice, ADMIN);
  secret = await enrolTotp(issuer, pwdToken); // uses the code of step -1
});
after(async () => { await srv?.stop({ keepDir: false }); });

describe('step-up', () => {
  test('a password-only token is refused with the RFC 9470 challenge and AUT-0019', async () => {
    const r = await api(issuer, pwdToken, 'GET', '/users');
    assert.equal(r.status, 401, JSON.stringify(r.json));
    assert.equal(r.json.code, 'AUT-0019');
    const challenge = r.headers.get('www-authenticate');
    assert.match(challenge, /^Bearer /);
    assert.match(challenge, /error="insufficient_user_authentication"/);
    assert.match(challenge, /max_age="300"/);
  });

  test('permissions outside the setting are not affected', async () => {
    assert.equal((await api(issuer, pwdToken, 'GET', '/groups')).status, 200);
    assert.equal((await api(issuer, pwdToken, 'GET', '/me')).status, 200);
  });

  test('a Portcullis-OTP header satisfies it for that request alone; its step is accepted once; audited', async () => {
    const code = totpAt(secret, 0);
    const ok = await api(issuer, pwdToken, 'GET', '/users', undefined, { 'portcullis-otp': code });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const replay = await api(issuer, pwdToken, 'GET', '/users', undefined, { 'portcullis-otp': code });
    assert.equal(replay.status, 401);
    assert.equal(replay.json.code, 'AUT-0019');
    const wrong = await api(issuer, pwdToken, 'GET', '/users', undefined, { 'portcullis-otp': '000000' === code ? '111111' : '000000' });
    assert.equal(wrong.status, 401);
    assert.equal((await api(issuer, pwdToken, 'GET', '/users')).status, 401, 'the next request needs it again');
    const events = (await api(issuer, admin, 'GET', `/audit?type=step_up.otp&actor=${alice.id}`)).json.items;
    assert.equal(events.length, 1);
    assert.equal(events[0].details.permission, 'users:read');
  });

  test('a token from a fresh sign-in with the second factor satisfies it', async () => {
    const r = await passwordGrant(issuer, alice.username, alice.password, 'openid', ADMIN);
    assert.equal(r.json.error, 'mfa_required');
    const m = await mfaGrant(issuer, ADMIN, r.json.mfa_token, 'totp', totpAt(secret, 1));
    assert.equal(m.status, 200, JSON.stringify(m.json));
    assert.equal((await api(issuer, m.json.access_token, 'GET', '/users')).status, 200);
  });

  test('application tokens are not affected', async () => {
    assert.equal((await api(issuer, admin, 'GET', '/users')).status, 200);
    assert.equal((await api(issuer, admin, 'GET', '/roles')).status, 200);
  });
});
