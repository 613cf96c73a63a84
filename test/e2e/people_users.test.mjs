// SPDX-License-Identifier: Apache-2.0
// People (API.md §11): the grown user object and its validation, usernames and emails without
// regard to case, disable and freeze (tokens die at once, sign-in refused and audited), list
// filters, one role or one group member at a time, GET /permissions, the permission check's
// `sub`, and the built-in safety rules with `portcullis admin reset`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, getToken, introspect, jwtPayload,
  oauthPost, passwordGrant, runCli, startServer, tokenRequest, unique,
} from './lib/server.mjs';

let srv; let issuer; let admin;

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
});
after(async () => { await srv?.stop(); });

/** A signed-in user holding a role with exactly `perms`. */
async function userWith(perms) {
  const role = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: perms })).status, 201);
  const u = await createUser(issuer, admin, { roles: [role] });
  const tok = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
  return { ...u, role, token: tok };
}

const auditOf = async (type, subject) =>
  (await api(issuer, admin, 'GET', `/audit?type=${type}&limit=200`)).json.items.filter((e) => !subject || e.subject === subject);

function assertError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.code, code, JSON.stringify(r.json));
  if (field) assert.ok(r.json.fields && field in r.json.fields, `fields names ${field}: ${JSON.stringify(r.json)}`);
}

/** Polls `probe` until true or fails after `ms`. */
async function eventually(probe, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the user object (API.md §11)', () => {
  test('new fields round-trip; emails are stored lowercase; mfa_enabled and last_login_at are read-only', async () => {
    const username = unique('ada');
    const r = await api(issuer, admin, 'POST', '/users', {
      username, email: `${username}@Example.COM`, password: 'Correct-Horse-9', given_name: 'Ada', family_name: 'Lovelace',
      picture: 'https://img.example/ada.png', attributes: { department: 'ops', blocked_accounts: ['a1'] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.email, `${username.toLowerCase()}@example.com`);
    assert.equal(r.json.given_name, 'Ada');
    assert.equal(r.json.family_name, 'Lovelace');
    assert.equal(r.json.picture, 'https://img.example/ada.png');
    assert.deepEqual(r.json.attributes, { department: 'ops', blocked_accounts: ['a1'] });
    assert.equal(r.json.status, 'active');
    assert.equal(r.json.email_verified, false);
    assert.equal(r.json.mfa_enabled, false);
    assert.equal(r.json.disabled_until, null);
    assert.equal(r.json.deleted_at, null);
    assert.equal(r.json.last_login_at, null);
    assertError(await api(issuer, admin, 'PATCH', `/users/${r.json.id}`, { mfa_enabled: true }), 400, 'AUT-0009', 'mfa_enabled');
    assertError(await api(issuer, admin, 'PATCH', `/users/${r.json.id}`, { last_login_at: 1 }), 400, 'AUT-0003', 'last_login_at');
    // Signing in sets last_login_at.
    assert.equal((await passwordGrant(issuer, username, 'Correct-Horse-9')).status, 200);
    assert.ok((await api(issuer, admin, 'GET', `/users/${r.json.id}`)).json.last_login_at);
  });

  test('an email change resets email_verified; an administrator may set it', async () => {
    const u = await createUser(issuer, admin, { email_verified: true });
    assert.equal(u.email_verified, true);
    const changed = await api(issuer, admin, 'PATCH', `/users/${u.id}`, { email: `new-${u.username}@example.test` });
    assert.equal(changed.json.email_verified, false);
    const set = await api(issuer, admin, 'PATCH', `/users/${u.id}`, { email_verified: true });
    assert.equal(set.json.email_verified, true);
  });

  test('userinfo and the ID token carry the profile claims and email_verified', async () => {
    const u = await createUser(issuer, admin, { given_name: 'Grace', family_name: 'Hopper', picture: 'https://img.example/g.png', email_verified: true });
    const t = (await passwordGrant(issuer, u.username, u.password, 'openid profile email')).json;
    const id = jwtPayload(t.id_token);
    assert.equal(id.given_name, 'Grace');
    assert.equal(id.family_name, 'Hopper');
    assert.equal(id.picture, 'https://img.example/g.png');
    assert.equal(id.email_verified, true);
    assert.equal(typeof id.updated_at, 'number');
    const ui = await fetch(`${issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${t.access_token}` } });
    const claims = await ui.json();
    assert.equal(claims.given_name, 'Grace');
    assert.equal(claims.email_verified, true);
  });

  test('bad input on POST and PATCH /users gets the contract 400 and writes nothing', async () => {
    const before_ = (await api(issuer, admin, 'GET', '/users?limit=200')).json.items.length;
    const cases = [
      [{ username: unique('x'), picture: 'http://img.example/a.png' }, 'AUT-0009', 'picture'],
      [{ username: unique('x'), picture: 'not a url' }, 'AUT-0009', 'picture'],
      [{ username: unique('x'), attributes: { blob: 'x'.repeat(8200) } }, 'AUT-0009', 'attributes'],
      [{ username: unique('x'), attributes: ['not', 'an', 'object'] }, 'AUT-0009', 'attributes'],
      [{ username: unique('x'), status: 'sleeping' }, 'AUT-0009', 'status'],
      [{ username: unique('x'), disabled_until: 'tomorrow' }, 'AUT-0009', 'disabled_until'],
      [{ username: unique('x'), email_verified: 'yes' }, 'AUT-0009', 'email_verified'],
      [{ username: unique('x'), given_name: 7 }, 'AUT-0009', 'given_name'],
      [{ username: unique('x'), email: 'no-at-sign' }, 'AUT-0009', 'email'],
      [{ username: unique('x'), mfa_enabled: false }, 'AUT-0009', 'mfa_enabled'],
      [{ username: unique('x'), favourite_colour: 'blue' }, 'AUT-0003', 'favourite_colour'],
      [{ email: 'a@b.test' }, 'AUT-0001', 'username'],
    ];
    for (const [body, code, field] of cases) assertError(await api(issuer, admin, 'POST', '/users', body), 400, code, field);
    assertError(await api(issuer, admin, 'POST', '/users', '{"username":'), 400, 'AUT-0009');
    assert.equal((await api(issuer, admin, 'GET', '/users?limit=200')).json.items.length, before_);
    const u = await createUser(issuer, admin);
    for (const [body, code, field] of cases.slice(0, 11)) {
      delete body.username;
      assertError(await api(issuer, admin, 'PATCH', `/users/${u.id}`, body), 400, code, field);
    }
    const now = (await api(issuer, admin, 'GET', `/users/${u.id}`)).json;
    assert.equal(now.updated_at, u.updated_at);
    assert.equal(now.picture, null);
    assert.deepEqual(now.attributes, {});
    assert.equal((await auditOf('user.updated', u.id)).length, 0);
  });
});

describe('usernames and emails without regard to case', () => {
  test('a second user differing only in case is 409 AUT-0011', async () => {
    const u = await createUser(issuer, admin, { username: unique('Carol') });
    assertError(await api(issuer, admin, 'POST', '/users', { username: u.username.toUpperCase() }), 409, 'AUT-0011', 'username');
    assertError(await api(issuer, admin, 'POST', '/users', { username: unique('c'), email: u.email.toUpperCase() }), 409, 'AUT-0011', 'email');
    const other = await createUser(issuer, admin);
    assertError(await api(issuer, admin, 'PATCH', `/users/${other.id}`, { username: u.username.toLowerCase() }), 409, 'AUT-0011', 'username');
  });

  test('beyond ASCII: Unicode case folding on every store; emails stored in Unicode lowercase', async () => {
    const name = unique('Ölaf');
    const r = await api(issuer, admin, 'POST', '/users', { username: name, email: `${name.toUpperCase()}@STRAẞE.example`, password: 'Correct-Horse-9' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.email, `${name.toLowerCase()}@straße.example`, 'stored lowercase beyond ASCII');
    assertError(await api(issuer, admin, 'POST', '/users', { username: name.toUpperCase() }), 409, 'AUT-0011', 'username');
    assertError(await api(issuer, admin, 'POST', '/users', { username: unique('o'), email: `${name}@strasse.example` }), 409, 'AUT-0011', 'email');
    assert.equal((await passwordGrant(issuer, name.toUpperCase(), 'Correct-Horse-9')).status, 200);
    assert.equal((await passwordGrant(issuer, `${name.toUpperCase()}@STRASSE.EXAMPLE`, 'Correct-Horse-9')).status, 200);
    const found = await api(issuer, admin, 'GET', `/users?q=${encodeURIComponent(name.slice(0, 4).toUpperCase())}`);
    assert.deepEqual(found.json.items.map((x) => x.id), [r.json.id]);
  });

  test('sign-in by username or email ignores case; so does ?email= and the permission check sub', async () => {
    const u = await createUser(issuer, admin, { username: unique('Dora') });
    assert.equal((await passwordGrant(issuer, u.username.toUpperCase(), u.password)).status, 200);
    assert.equal((await passwordGrant(issuer, u.email.toUpperCase(), u.password)).status, 200);
    const found = await api(issuer, admin, 'GET', `/users?email=${encodeURIComponent(u.email.toUpperCase())}`);
    assert.deepEqual(found.json.items.map((x) => x.id), [u.id]);
    const check = await api(issuer, admin, 'POST', '/authorize', { resource: 'users', action: 'read', sub: u.email.toUpperCase() });
    assert.equal(check.status, 200, JSON.stringify(check.json));
    assert.equal(check.json.authorized, false);
  });
});

describe('disable and freeze', () => {
  test('disabling ends every token and session at once; sign-in is refused, audited, not a failed password', async () => {
    const u = await createUser(issuer, admin);
    const t = (await passwordGrant(issuer, u.username, u.password, 'openid offline_access')).json;
    assert.equal((await introspect(issuer, t.access_token)).active, true);
    const r = await api(issuer, admin, 'PATCH', `/users/${u.id}`, { status: 'disabled' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.status, 'disabled');
    assert.equal((await introspect(issuer, t.access_token)).active, false);
    assert.equal((await introspect(issuer, t.refresh_token)).active, false);
    assert.equal((await api(issuer, t.access_token, 'GET', '/me')).status, 401);
    const ui = await fetch(`${issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(ui.status, 401);
    const refreshed = await tokenRequest(issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    assert.equal(refreshed.json.error, 'invalid_grant');
    const signIn = await passwordGrant(issuer, u.username, u.password);
    assert.equal(signIn.status, 400);
    assert.equal(signIn.json.error, 'invalid_grant');
    assert.equal(signIn.json.error_description, 'account disabled');
    // A wrong password still reads as a wrong password (no hint the account exists).
    assert.equal((await passwordGrant(issuer, u.username, 'Wrong-Password-1')).json.error_description, 'wrong username or password');
    assert.equal((await auditOf('user.disabled', u.id)).length, 1);
    assert.equal((await auditOf('login.refused', u.id)).length, 1);
    assert.equal((await auditOf('login.failed', u.id)).length, 1); // only the wrong password
    // Enabling again: sign-in works; old tokens stay dead.
    const on = await api(issuer, admin, 'PATCH', `/users/${u.id}`, { status: 'active' });
    assert.equal(on.json.status, 'active');
    assert.equal((await auditOf('user.enabled', u.id)).length, 1);
    const again = await passwordGrant(issuer, u.username, u.password);
    assert.equal(again.status, 200, JSON.stringify(again.json));
    assert.equal((await introspect(issuer, t.access_token)).active, false);
  });

  test('a freeze reads disabled until it ends, then active without any write', async () => {
    const u = await createUser(issuer, admin);
    const until = new Date(Date.now() + 2500).toISOString().replace(/\.\d+Z$/, 'Z');
    const r = await api(issuer, admin, 'PATCH', `/users/${u.id}`, { disabled_until: until });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.status, 'disabled');
    assert.equal(r.json.disabled_until, until);
    assert.equal((await passwordGrant(issuer, u.username, u.password)).json.error_description, 'account disabled');
    const frozen = await api(issuer, admin, 'GET', '/users?status=disabled&limit=200');
    assert.ok(frozen.json.items.some((x) => x.id === u.id));
    await eventually(async () => (await api(issuer, admin, 'GET', `/users/${u.id}`)).json.status === 'active', 6000, 'freeze ends');
    assert.equal((await passwordGrant(issuer, u.username, u.password)).status, 200);
    assert.equal((await api(issuer, admin, 'GET', `/users/${u.id}`)).json.updated_at, r.json.updated_at);
  });
});

describe('lists (API.md §11 filters)', () => {
  test('deleted users are left out unless ?deleted=true; status, role, group and creation time filter', async () => {
    const role = unique('r');
    await api(issuer, admin, 'POST', '/roles', { name: role, permissions: ['ledger:read'] });
    const group = unique('g');
    const g = await api(issuer, admin, 'POST', '/groups', { name: group });
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const direct = await createUser(issuer, admin, { roles: [role] });
    const member = await createUser(issuer, admin);
    assert.equal((await api(issuer, admin, 'PUT', `/groups/${g.json.id}/members/${member.id}`)).status, 204);
    const gone = await createUser(issuer, admin);
    assert.equal((await api(issuer, admin, 'DELETE', `/users/${gone.id}`)).status, 204);
    const ids = async (q) => (await api(issuer, admin, 'GET', `/users?limit=200&${q}`)).json.items.map((x) => x.id);
    assert.ok(!(await ids('')).includes(gone.id));
    assert.deepEqual(await ids(`deleted=true&created_after=${t0}`), [gone.id]);
    assert.equal((await api(issuer, admin, 'GET', `/users/${gone.id}`)).json.deleted_at !== null, true);
    assert.deepEqual(await ids(`role=${role}`), [direct.id]);
    await api(issuer, admin, 'PATCH', `/groups/${g.json.id}`, { roles: [role] });
    assert.deepEqual((await ids(`role=${role}`)).sort(), [direct.id, member.id].sort());
    assert.deepEqual(await ids(`group=${group}`), [member.id]);
    assert.ok((await ids(`created_after=${t0}`)).includes(direct.id));
    assert.deepEqual(await ids(`created_before=${t0}&created_after=${t0 - 1}`), []);
    assert.ok((await ids('status=active')).includes(direct.id));
    assertError(await api(issuer, admin, 'GET', '/users?status=sleeping'), 400, 'AUT-0009', 'status');
    assertError(await api(issuer, admin, 'GET', '/users?role=no-such-role'), 400, 'AUT-0009', 'role');
    assertError(await api(issuer, admin, 'GET', '/users?created_after=yesterday'), 400, 'AUT-0009', 'created_after');
  });
});

describe('one role, one member at a time', () => {
  test('POST /users/{id}/roles and DELETE /users/{id}/roles/{name}', async () => {
    const role = unique('r');
    await api(issuer, admin, 'POST', '/roles', { name: role, permissions: ['ledger:read'] });
    const u = await createUser(issuer, admin);
    assert.equal((await api(issuer, admin, 'POST', `/users/${u.id}/roles`, { role })).status, 204);
    assert.deepEqual((await api(issuer, admin, 'GET', `/users/${u.id}`)).json.roles, [role]);
    assert.deepEqual((await api(issuer, admin, 'GET', `/users/${u.id}/permissions`)).json.permissions, ['ledger:read']);
    assert.equal((await auditOf('user.role_added', u.id)).length, 1);
    assertError(await api(issuer, admin, 'POST', `/users/${u.id}/roles`, { role: 'no-such-role' }), 400, 'AUT-0009', 'role');
    assertError(await api(issuer, admin, 'POST', `/users/${u.id}/roles`, { role: 7 }), 400, 'AUT-0009', 'role');
    assertError(await api(issuer, admin, 'POST', `/users/${u.id}/roles`, { role, extra: 1 }), 400, 'AUT-0003', 'extra');
    assertError(await api(issuer, admin, 'POST', `/users/${u.id}/roles`, {}), 400, 'AUT-0001', 'role');
    assert.equal((await api(issuer, admin, 'DELETE', `/users/${u.id}/roles/${role}`)).status, 204);
    assert.deepEqual((await api(issuer, admin, 'GET', `/users/${u.id}`)).json.roles, []);
    assertError(await api(issuer, admin, 'DELETE', `/users/${u.id}/roles/${role}`), 404, 'AUT-0010');
    assertError(await api(issuer, admin, 'POST', '/users/00000000-0000-7000-8000-000000000000/roles', { role }), 404, 'AUT-0010');
  });

  test('both questions: the permission (403) and whether the caller may act on the target', async () => {
    const strong = unique('strong');
    await api(issuer, admin, 'POST', '/roles', { name: strong, permissions: ['*:*'] });
    const weak = unique('weak');
    await api(issuer, admin, 'POST', '/roles', { name: weak, permissions: ['users:read'] });
    const target = await createUser(issuer, admin);
    const reader = await userWith(['users:read', 'groups:read']);
    assertError(await api(issuer, reader.token, 'POST', `/users/${target.id}/roles`, { role: weak }), 403, 'AUT-0008');
    const updater = await userWith(['users:read', 'users:update']);
    // Granting a role with more than the caller holds
    assertError(await api(issuer, updater.token, 'POST', `/users/${target.id}/roles`, { role: strong }), 403, 'AUT-0008');
    assert.equal((await api(issuer, updater.token, 'POST', `/users/${target.id}/roles`, { role: weak })).status, 204);
    // Acting on a user who outranks the caller
    const boss = await createUser(issuer, admin, { roles: [strong] });
    assertError(await api(issuer, updater.token, 'POST', `/users/${boss.id}/roles`, { role: weak }), 403, 'AUT-0008');
    assertError(await api(issuer, updater.token, 'DELETE', `/users/${boss.id}/roles/${strong}`), 403, 'AUT-0008');
    assert.deepEqual((await api(issuer, admin, 'GET', `/users/${boss.id}`)).json.roles, [strong]);
    // Group members: groups:update, the group's roles, and the user.
    const g = (await api(issuer, admin, 'POST', '/groups', { name: unique('g'), roles: [strong] })).json;
    const plain = (await api(issuer, admin, 'POST', '/groups', { name: unique('g') })).json;
    assertError(await api(issuer, reader.token, 'PUT', `/groups/${plain.id}/members/${target.id}`), 403, 'AUT-0008');
    const grouper = await userWith(['groups:read', 'groups:update', 'users:read']);
    assertError(await api(issuer, grouper.token, 'PUT', `/groups/${g.id}/members/${target.id}`), 403, 'AUT-0008');
    assertError(await api(issuer, grouper.token, 'PUT', `/groups/${plain.id}/members/${boss.id}`), 403, 'AUT-0008');
    assert.equal((await api(issuer, grouper.token, 'PUT', `/groups/${plain.id}/members/${target.id}`)).status, 204);
    assert.deepEqual((await api(issuer, admin, 'GET', `/groups/${plain.id}`)).json.members, [target.id]);
    assert.equal((await api(issuer, grouper.token, 'DELETE', `/groups/${plain.id}/members/${target.id}`)).status, 204);
    assert.deepEqual((await api(issuer, admin, 'GET', `/groups/${plain.id}`)).json.members, []);
    assertError(await api(issuer, admin, 'DELETE', `/groups/${plain.id}/members/${target.id}`), 404, 'AUT-0010');
    assertError(await api(issuer, admin, 'PUT', `/groups/${plain.id}/members/00000000-0000-7000-8000-000000000000`), 404, 'AUT-0010');
    assert.equal((await auditOf('group.member_added', plain.id)).length, 1);
    assert.equal((await auditOf('group.member_removed', plain.id)).length, 1);
  });
});

describe('GET /permissions and the permission check', () => {
  test('every permission the API checks and every one a role names, sorted; roles:read needed', async () => {
    await api(issuer, admin, 'POST', '/roles', { name: unique('r'), permissions: ['zz-ledger:post', 'Ledger:x'.toLowerCase()] });
    const r = await api(issuer, admin, 'GET', '/permissions');
    assert.equal(r.status, 200);
    const perms = r.json.permissions;
    for (const p of ['tenant:update', 'policies:read', 'webhooks:create', 'users:impersonate', 'tenants:impersonate',
      'applications:trust', 'users:read', 'permissions:check', 'zz-ledger:post', '*:*']) assert.ok(perms.includes(p), p);
    assert.deepEqual([...perms].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), perms);
    const nobody = await userWith(['users:read']);
    assertError(await api(issuer, nobody.token, 'GET', '/permissions'), 403, 'AUT-0008');
  });

  test('sub resolves as a user id, username, email, client_id, then a role name', async () => {
    const role = unique('midaz');
    await api(issuer, admin, 'POST', '/roles', { name: role, permissions: ['ledger:*'] });
    const check = (sub, action = 'post') => api(issuer, admin, 'POST', '/authorize', { resource: 'ledger', action, sub });
    assert.equal((await check(role)).json.authorized, true);
    assert.equal((await check('admin')).json.authorized, true); // the user admin, who holds *:*
    const u = await createUser(issuer, admin, { roles: [role] });
    for (const sub of [u.id, u.username, u.email, ADMIN_CLIENT_ID]) assert.equal((await check(sub)).json.authorized, true, sub);
    assertError(await check('no-such-anything'), 404, 'AUT-1015');
  });
});

describe('built-in safety (API.md §11) and portcullis admin reset', () => {
  let acme; let rootToken; let rootId; let cliId;

  before(async () => {
    const slug = unique('acme').toLowerCase().replace(/[^a-z0-9]/g, '');
    const t = await api(issuer, admin, 'POST', '/tenants', { slug, admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(t.status, 201, JSON.stringify(t.json));
    acme = t.json;
    rootToken = (await passwordGrant(acme.issuer, 'root', 'Root-Pass-123', 'openid', ['admin-cli', acme.admin_client.client_secret])).json.access_token;
    rootId = (await api(acme.issuer, rootToken, 'GET', '/me')).json.id;
    cliId = (await api(acme.issuer, rootToken, 'GET', '/applications')).json.items.find((a) => a.client_id === 'admin-cli').id;
  });

  test('the admin role cannot be deleted, renamed or weakened', async () => {
    const role = (await api(acme.issuer, rootToken, 'GET', '/roles')).json.items.find((r) => r.name === 'admin');
    assertError(await api(acme.issuer, rootToken, 'DELETE', `/roles/${role.id}`), 409, 'AUT-0011');
    assertError(await api(acme.issuer, rootToken, 'PATCH', `/roles/${role.id}`, { permissions: ['users:read'] }), 409, 'AUT-0011');
    assertError(await api(acme.issuer, rootToken, 'PATCH', `/roles/${role.id}`, { name: 'boss' }), 409, 'AUT-0011');
    assert.equal((await api(acme.issuer, rootToken, 'PATCH', `/roles/${role.id}`, { description: 'still admin' })).status, 200);
    assert.deepEqual((await api(acme.issuer, rootToken, 'GET', `/roles/${role.id}`)).json.permissions, ['*:*']);
  });

  test('the last active *:* principal cannot be deleted, disabled, or lose the role', async () => {
    // admin-cli gives up the role: root is now the only one holding *:*.
    assert.equal((await api(acme.issuer, rootToken, 'PATCH', `/applications/${cliId}`, { roles: [] })).status, 200);
    assertError(await api(acme.issuer, rootToken, 'DELETE', `/users/${rootId}`), 409, 'AUT-0011');
    assertError(await api(acme.issuer, rootToken, 'PATCH', `/users/${rootId}`, { status: 'disabled' }), 409, 'AUT-0011');
    assertError(await api(acme.issuer, rootToken, 'PATCH', `/users/${rootId}`, { roles: [] }), 409, 'AUT-0011');
    assertError(await api(acme.issuer, rootToken, 'DELETE', `/users/${rootId}/roles/admin`), 409, 'AUT-0011');
    const me = await api(acme.issuer, rootToken, 'GET', '/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.json.roles, ['admin']);
    // A second *:* holder makes the first one removable.
    const deputy = await createUser(acme.issuer, rootToken, { roles: ['admin'] });
    assert.equal((await api(acme.issuer, rootToken, 'PATCH', `/users/${deputy.id}`, { status: 'disabled' })).status, 200);
    assertError(await api(acme.issuer, rootToken, 'DELETE', `/users/${rootId}/roles/admin`), 409, 'AUT-0011');
    assert.equal((await api(acme.issuer, rootToken, 'PATCH', `/users/${deputy.id}`, { status: 'active' })).status, 200);
    assert.equal((await api(acme.issuer, rootToken, 'PATCH', `/users/${rootId}`, { status: 'disabled' })).status, 200);
  });

  test('portcullis admin reset --tenant T re-enables the admin with the role and a new password', async () => {
    const slug = acme.issuer.split('/t/')[1];
    // root is disabled now (previous test). A disable cuts tokens issued up to its second
    // (docs/people.md): start in the next one.
    const disabledAt = Math.floor(Date.now() / 1000);
    await eventually(async () => Math.floor(Date.now() / 1000) > disabledAt, 1500, 'next second');
    // A wrong tenant is refused.
    assert.equal((await runCli(['admin', 'reset', '--tenant', 'no-such-tenant'], { dir: srv.dir })).code, 1);
    const r = await runCli(['admin', 'reset', '--tenant', slug, '--user', 'root'], { dir: srv.dir });
    assert.equal(r.code, 0, r.stderr);
    const password = r.stdout.trim().split('\n').pop();
    assert.ok(password.length >= 20, r.stdout);
    assert.equal((await passwordGrant(acme.issuer, 'root', 'Root-Pass-123', 'openid', ['admin-cli', acme.admin_client.client_secret])).status, 400);
    const again = await passwordGrant(acme.issuer, 'root', password, 'openid', ['admin-cli', acme.admin_client.client_secret]);
    assert.equal(again.status, 200, JSON.stringify(again.json));
    const me = await api(acme.issuer, again.json.access_token, 'GET', '/me/permissions');
    assert.deepEqual(me.json.permissions, ['*:*']);
  });
});

describe('tokens of a user cut on every path', () => {
  test('a soft delete and a disable both make introspection inactive; the admin client is untouched', async () => {
    const u = await createUser(issuer, admin);
    const t = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
    assert.equal((await api(issuer, admin, 'PATCH', `/users/${u.id}`, { status: 'disabled' })).status, 200);
    assert.equal((await oauthPost(issuer, 'introspect', { token: t }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET])).json.active, false);
    assert.ok((await getToken(issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)).access_token);
  });
});
