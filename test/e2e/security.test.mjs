// SPDX-License-Identifier: Apache-2.0
// Security rules end to end: no privilege escalation through the management API,
// which accepts only tokens meant for it; client lockouts by strangers are
// impossible; password checks behind a token are throttled; registered URIs are clean.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createApp, createUser, getToken,
  introspect, passwordGrant, startServer, tokenRequest, unique,
} from './lib/server.mjs';

let srv, issuer, admin, adminUser;

before(async () => {
  srv = await startServer({ env: { PORTCULLIS_LIMIT_ACCOUNT: 5 } });
  issuer = srv.issuer;
  admin = await adminToken(issuer);
  adminUser = (await api(issuer, admin, 'GET', '/users?q=admin')).json.items.find((u) => u.username === 'admin');
});
after(async () => { await srv?.stop(); });

/** A signed-in user holding a role with exactly `perms` (through admin-cli, first party). */
async function userWith(perms) {
  const role = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: perms })).status, 201);
  const u = await createUser(issuer, admin, { roles: [role] });
  const tok = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
  return { ...u, role, token: tok };
}

describe('no escalation through the management API', () => {
  test('users:update cannot give anyone, itself included, a role it does not hold', async () => {
    const helpdesk = await userWith(['users:read', 'users:update', 'users:create']);
    const self = await api(issuer, helpdesk.token, 'PATCH', `/users/${helpdesk.id}`, { roles: ['admin'] });
    assert.equal(self.status, 403);
    assert.equal(self.json.code, 'AUT-0008');
    const created = await api(issuer, helpdesk.token, 'POST', '/users', { username: unique('x'), roles: ['admin'] });
    assert.equal(created.status, 403);
    // What it holds, it may grant.
    const peer = await api(issuer, helpdesk.token, 'POST', '/users', { username: unique('peer'), roles: [helpdesk.role] });
    assert.equal(peer.status, 201, JSON.stringify(peer.json));
    const me = await api(issuer, helpdesk.token, 'GET', '/me');
    assert.deepEqual(me.json.roles, [helpdesk.role]);
  });

  test('users:update cannot reset, change or delete a user who outranks it', async () => {
    const helpdesk = await userWith(['users:read', 'users:update', 'users:delete', 'sessions:delete']);
    for (const [method, path, body] of [
      ['POST', `/users/${adminUser.id}/password`, { new_password: 'Taken-Over-123' }],
      ['PATCH', `/users/${adminUser.id}`, { email: 'attacker@example.test' }],
      ['DELETE', `/users/${adminUser.id}`],
      ['DELETE', `/users/${adminUser.id}/sessions`],
      ['DELETE', `/users/${adminUser.id}/mfa`],
    ]) {
      const r = await api(issuer, helpdesk.token, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.json)}`);
    }
    assert.equal((await passwordGrant(issuer, 'admin', 'e2e-Admin-Password-1')).status, 200);
  });

  test('roles:* cannot write a permission it does not hold into a role', async () => {
    const roleAdmin = await userWith(['roles:read', 'roles:create', 'roles:update']);
    const r = await api(issuer, roleAdmin.token, 'POST', '/roles', { name: unique('r'), permissions: ['*:*'] });
    assert.equal(r.status, 403);
    const adminRole = (await api(issuer, admin, 'GET', '/roles?q=admin')).json.items.find((x) => x.name === 'admin');
    const p = await api(issuer, roleAdmin.token, 'PATCH', `/roles/${adminRole.id}`, { permissions: ['roles:read'] });
    assert.equal(p.status, 403, 'a role granting more than the caller holds cannot be edited');
    const own = await api(issuer, roleAdmin.token, 'PATCH', `/roles/${(await api(issuer, admin, 'GET', `/roles?q=${roleAdmin.role}`)).json.items[0].id}`,
      { permissions: ['roles:read', 'users:delete'] });
    assert.equal(own.status, 403, 'nor can a held role be widened');
  });

  test('groups: joining a group grants its roles, so the caller must hold them', async () => {
    const groupAdmin = await userWith(['groups:read', 'groups:update', 'groups:create']);
    const g = await api(issuer, admin, 'POST', '/groups', { name: unique('admins'), roles: ['admin'] });
    const r = await api(issuer, groupAdmin.token, 'PATCH', `/groups/${g.json.id}`, { members: [groupAdmin.id] });
    assert.equal(r.status, 403);
    const c = await api(issuer, groupAdmin.token, 'POST', '/groups', { name: unique('g'), roles: ['admin'] });
    assert.equal(c.status, 403);
  });
});

describe('the management API accepts only tokens meant for it', () => {
  test('a token minted for another resource (RFC 8707) is refused', async () => {
    const app = await createApp(issuer, admin, { roles: ['admin'], resources: ['https://api.example.test'] });
    const tok = (await getToken(issuer, app.client_id, app.client_secret,
      { grant_type: 'client_credentials', resource: 'https://api.example.test' })).access_token;
    const r = await api(issuer, tok, 'GET', '/me');
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'AUT-0007');
    const plain = (await getToken(issuer, app.client_id, app.client_secret)).access_token;
    assert.equal((await api(issuer, plain, 'GET', '/me')).status, 200);
  });

  test("a third-party application cannot wield a signed-in user's rights", async () => {
    const third = await createApp(issuer, admin, { grant_types: ['password'], first_party: false });
    const viaThird = await passwordGrant(issuer, 'admin', 'e2e-Admin-Password-1', 'openid', [third.client_id, third.client_secret]);
    assert.equal(viaThird.status, 200);
    const r = await api(issuer, viaThird.json.access_token, 'GET', '/users');
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'AUT-0008');
    // The same user through a first-party application may.
    const first = await createApp(issuer, admin, { grant_types: ['password'], first_party: true });
    const viaFirst = await passwordGrant(issuer, 'admin', 'e2e-Admin-Password-1', 'openid', [first.client_id, first.client_secret]);
    assert.equal((await api(issuer, viaFirst.json.access_token, 'GET', '/users')).status, 200);
  });
});

describe('throttling cannot be turned against the innocent', () => {
  test('failures with a wrong secret do not lock out the client holding the right one', async () => {
    const app = await createApp(issuer, admin);
    for (let i = 0; i < 8; i += 1) await tokenRequest(issuer, app.client_id, 'wrong-secret', { grant_type: 'client_credentials' });
    const wrong = await tokenRequest(issuer, app.client_id, 'wrong-secret', { grant_type: 'client_credentials' });
    assert.equal(wrong.status, 429);
    assert.ok(Number(wrong.headers.get('retry-after')) > 0);
    const right = await tokenRequest(issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
    assert.equal(right.status, 200);
  });

  test('the current password behind a token is checked under the sign-in throttle, and audited', async () => {
    const u = await createUser(issuer, admin);
    const tok = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
    let last;
    for (let i = 0; i < 6; i += 1) {
      last = await api(issuer, tok, 'PUT', '/me/password', { current_password: `guess-${i}-xxxxx`, new_password: 'New-Pass-12345' });
    }
    assert.equal(last.status, 429);
    assert.equal(last.json.code, 'AUT-0012');
    assert.ok(Number(last.headers.get('retry-after')) > 0);
    const right = await api(issuer, tok, 'PUT', '/me/password', { current_password: u.password, new_password: 'New-Pass-12345' });
    assert.equal(right.status, 429, 'locked even for the right password while the window lasts');
    const events = (await api(issuer, admin, 'GET', '/audit?type=password.change_failed&limit=50')).json.items;
    assert.ok(events.filter((e) => e.subject === u.id).length >= 5);
  });
});

describe('records that outlive their owner', () => {
  test("a deleted application's refresh tokens are inactive at introspection", async () => {
    const app = await createApp(issuer, admin, { grant_types: ['password', 'refresh_token'], first_party: true });
    const u = await createUser(issuer, admin);
    const t = await passwordGrant(issuer, u.username, u.password, 'openid offline_access', [app.client_id, app.client_secret]);
    assert.ok(t.json.refresh_token);
    assert.equal((await introspect(issuer, t.json.refresh_token)).active, true);
    assert.equal((await api(issuer, admin, 'DELETE', `/applications/${app.id}`)).status, 204);
    assert.equal((await introspect(issuer, t.json.refresh_token)).active, false);
  });

  test('registered URIs with control characters or spaces are refused', async () => {
    for (const uri of ['https://rp.example.test/cb\r\nSet-Cookie: x=1', 'https://rp.example.test/c b']) {
      const r = await api(issuer, admin, 'POST', '/applications', { name: unique('a'), redirect_uris: [uri] });
      assert.equal(r.status, 400, uri);
      assert.equal(r.json.code, 'AUT-0009');
    }
  });
});
