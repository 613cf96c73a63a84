// SPDX-License-Identifier: Apache-2.0
// Access control end to end: every management endpoint with no token, a token
// lacking the permission and a token holding exactly it; tenant isolation; the
// permission check; audit events. Runs on SQLite, and on PostgreSQL when
// PC_E2E_PG_URI is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createApp, createUser, getToken, passwordGrant, introspect, startServer, unique } from './lib/server.mjs';
import { storeEnv, storeName } from './lib/store.mjs';

let srv, issuer, admin;
const appsByPermission = new Map();

/** A client_credentials token of an application holding exactly `perm` (or nothing). */
async function tokenWith(perm) {
  if (!appsByPermission.has(perm)) {
    const roles = [];
    if (perm) {
      const role = unique('role');
      const r = await api(issuer, admin, 'POST', '/roles', { name: role, permissions: [perm] });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      roles.push(role);
    }
    appsByPermission.set(perm, await createApp(issuer, admin, { roles }));
  }
  const app = appsByPermission.get(perm);
  return (await getToken(issuer, app.client_id, app.client_secret)).access_token;
}

before(async () => {
  srv = await startServer({ env: storeEnv() });
  issuer = srv.issuer;
  admin = await adminToken(issuer);
});
after(async () => { await srv?.stop(); });

describe(`permission matrix (${storeName})`, () => {
  // Each endpoint, the permission it needs, and a request that succeeds with it.
  const endpoints = [
    ['GET', () => '/users', 'users:read', null, 200],
    ['POST', () => '/users', 'users:create', () => ({ username: unique('m') }), 201],
    ['GET', (f) => `/users/${f.user}`, 'users:read', null, 200],
    ['PATCH', (f) => `/users/${f.user}`, 'users:update', () => ({ name: 'Matrix' }), 200],
    ['POST', (f) => `/users/${f.user}/password`, 'users:update', () => ({ new_password: 'Another-Pass-7' }), 204],
    ['GET', (f) => `/users/${f.user}/permissions`, 'users:read', null, 200],
    ['GET', (f) => `/users/${f.user}/sessions`, 'sessions:read', null, 200],
    ['DELETE', (f) => `/users/${f.user}/sessions`, 'sessions:delete', null, 204],
    ['POST', (f) => `/users/${f.victim}/restore`, 'users:update', null, 204],
    ['DELETE', (f) => `/users/${f.victim}`, 'users:delete', null, 204],
    ['GET', () => '/roles', 'roles:read', null, 200],
    // A caller grants only what it holds: the new role carries the holder's own permission.
    ['POST', () => '/roles', 'roles:create', () => ({ name: unique('r'), permissions: ['roles:create'] }), 201],
    ['GET', (f) => `/roles/${f.role}`, 'roles:read', null, 200],
    ['PATCH', (f) => `/roles/${f.role}`, 'roles:update', () => ({ description: 'changed' }), 200],
    ['DELETE', (f) => `/roles/${f.spareRole}`, 'roles:delete', null, 204],
    ['GET', () => '/groups', 'groups:read', null, 200],
    ['POST', () => '/groups', 'groups:create', () => ({ name: unique('g') }), 201],
    ['GET', (f) => `/groups/${f.group}`, 'groups:read', null, 200],
    ['PATCH', (f) => `/groups/${f.group}`, 'groups:update', () => ({ description: 'changed' }), 200],
    ['DELETE', (f) => `/groups/${f.spareGroup}`, 'groups:delete', null, 204],
    ['GET', () => '/applications', 'applications:read', null, 200],
    ['POST', () => '/applications', 'applications:create', () => ({ name: unique('a') }), 201],
    ['GET', (f) => `/applications/${f.app}`, 'applications:read', null, 200],
    ['PATCH', (f) => `/applications/${f.app}`, 'applications:update', () => ({ name: unique('a2') }), 200],
    ['POST', (f) => `/applications/${f.app}/secret`, 'applications:update', null, 200],
    ['DELETE', (f) => `/applications/${f.spareApp}`, 'applications:delete', null, 204],
    ['GET', (f) => `/users/${f.user}/mfa`, 'users:read', null, 200],
    ['DELETE', (f) => `/users/${f.user}/mfa`, 'users:update', null, 204],
    ['GET', () => '/providers', 'providers:read', null, 200],
    ['POST', () => '/providers', 'providers:create', () => providerBody(), 201],
    ['GET', (f) => `/providers/${f.provider}`, 'providers:read', null, 200],
    ['PATCH', (f) => `/providers/${f.provider}`, 'providers:update', () => ({ name: unique('p') }), 200],
    ['DELETE', (f) => `/providers/${f.spareProvider}`, 'providers:delete', null, 204],
    ['PUT', (f) => `/applications/${f.app}/providers/${f.provider}`, 'applications:update', null, 204],
    ['PUT', (f) => `/applications/${f.app}/default-providers`, 'applications:update', (f) => ({ email: f.provider }), 204],
    ['DELETE', (f) => `/applications/${f.app}/providers/${f.provider}`, 'applications:update', null, 204],
    ['GET', () => '/audit', 'audit:read', null, 200],
    ['GET', () => '/tenants', 'tenants:read', null, 200],
    ['POST', () => '/tenants', 'tenants:create',
      () => ({ slug: unique('t').toLowerCase().replace(/[^a-z0-9]/g, ''), admin: { username: 'root', password: 'Root-Pass-123' } }), 201],
    ['DELETE', (f) => `/tenants/${f.tenant}`, 'tenants:delete', null, 204],
  ];
  const fixtures = {};
  const providerBody = () => ({ name: unique('p'), kind: 'email', plugin: 'file', config: { dir: srv.dir + '/spool' } });

  before(async () => {
    fixtures.user = (await createUser(issuer, admin)).id;
    fixtures.victim = (await createUser(issuer, admin)).id;
    fixtures.role = (await api(issuer, admin, 'POST', '/roles', { name: unique('r') })).json.id;
    fixtures.spareRole = (await api(issuer, admin, 'POST', '/roles', { name: unique('r') })).json.id;
    fixtures.group = (await api(issuer, admin, 'POST', '/groups', { name: unique('g') })).json.id;
    fixtures.spareGroup = (await api(issuer, admin, 'POST', '/groups', { name: unique('g') })).json.id;
    fixtures.app = (await createApp(issuer, admin)).id;
    fixtures.spareApp = (await createApp(issuer, admin)).id;
    fixtures.provider = (await api(issuer, admin, 'POST', '/providers', providerBody())).json.id;
    fixtures.spareProvider = (await api(issuer, admin, 'POST', '/providers', providerBody())).json.id;
    assert.ok(fixtures.provider && fixtures.spareProvider);
    fixtures.tenant = 'spare' + Date.now().toString(36);
    const t = await api(issuer, admin, 'POST', '/tenants', { slug: fixtures.tenant, admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(t.status, 201, JSON.stringify(t.json));
  });

  for (const [method, path, perm, body, okStatus] of endpoints) {
    const shown = { user: '{id}', victim: '{id}', role: '{id}', spareRole: '{id}', group: '{id}', spareGroup: '{id}',
      app: '{id}', spareApp: '{id}', tenant: '{slug}', provider: '{provider_id}', spareProvider: '{id}' };
    test(`${method} ${path(shown)} needs ${perm}`, async () => {
      const p = path(fixtures);
      const none = await api(issuer, null, method, p, body?.(fixtures));
      assert.equal(none.status, 401);
      assert.equal(none.json.code, 'AUT-0006');
      const lacking = await api(issuer, await tokenWith(null), method, p, body?.(fixtures));
      assert.equal(lacking.status, 403, `lacking: ${JSON.stringify(lacking.json)}`);
      assert.equal(lacking.json.code, 'AUT-0008');
      const holding = await api(issuer, await tokenWith(perm), method, p, body?.(fixtures));
      assert.equal(holding.status, okStatus, `with ${perm}: ${JSON.stringify(holding.json)}`);
    });
  }
});

describe(`tenant isolation (${storeName})`, () => {
  let acme, acmeAdmin, defaultUser;

  before(async () => {
    const slug = 'iso' + Date.now().toString(36);
    const r = await api(issuer, admin, 'POST', '/tenants', { slug, name: 'Acme', admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(r.status, 201);
    assert.equal(r.json.issuer, `${srv.base}/t/${slug}`);
    acme = r.json;
    acmeAdmin = (await getToken(acme.issuer, 'admin-cli', r.json.admin_client.client_secret)).access_token;
    defaultUser = await createUser(issuer, admin);
  });

  test('a token of one tenant is 401 AUT-0007 on every endpoint family of another', async () => {
    for (const path of ['/me', '/users', '/roles', '/groups', '/applications', '/audit', '/me/permissions']) {
      const r = await api(issuer, acmeAdmin, 'GET', path);
      assert.equal(r.status, 401, path);
      assert.equal(r.json.code, 'AUT-0007', path);
    }
    const check = await api(issuer, acmeAdmin, 'POST', '/authorize', { resource: 'a', action: 'b' });
    assert.equal(check.status, 401);
    const ui = await fetch(`${issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${acmeAdmin}` } });
    assert.equal(ui.status, 401);
    assert.equal((await introspect(issuer, acmeAdmin)).active, false);
  });

  test('ids of one tenant are 404 AUT-0010 in another', async () => {
    const r = await api(acme.issuer, acmeAdmin, 'GET', `/users/${defaultUser.id}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'AUT-0010');
    const del = await api(acme.issuer, acmeAdmin, 'DELETE', `/users/${defaultUser.id}`);
    assert.equal(del.status, 404);
    assert.equal((await api(issuer, admin, 'GET', `/users/${defaultUser.id}`)).json.deleted, false);
    const list = await api(acme.issuer, acmeAdmin, 'GET', `/users?q=${defaultUser.username}`);
    assert.deepEqual(list.json.items, []);
  });

  test('tenants are administered only from the default tenant', async () => {
    const r = await api(acme.issuer, acmeAdmin, 'GET', '/tenants');
    assert.equal(r.status, 404);
  });

  test('deleting a tenant removes it: its paths are 404 and its tokens are dead', async () => {
    const del = await api(issuer, admin, 'DELETE', `/tenants/${acme.slug}`);
    assert.equal(del.status, 204);
    const me = await api(acme.issuer, acmeAdmin, 'GET', '/me');
    assert.equal(me.status, 404);
    assert.equal(me.json.code, 'AUT-0010');
    assert.equal((await fetch(`${acme.issuer}/.well-known/openid-configuration`)).status, 404);
    assert.equal((await fetch(`${acme.issuer}/oauth2/jwks`)).status, 404);
  });

  test('an unknown slug is 404 under every path', async () => {
    for (const p of ['/.well-known/openid-configuration', '/oauth2/jwks', '/api/v1/me']) {
      assert.equal((await fetch(`${srv.base}/t/no-such-tenant${p}`)).status, 404, p);
    }
    assert.equal((await fetch(`${srv.base}/t/Bad_Slug/oauth2/jwks`)).status, 404);
  });
});

describe(`permission check (${storeName})`, () => {
  let user, role, checker;

  before(async () => {
    role = unique('ledger');
    assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: ['ledger:read'] })).status, 201);
    user = await createUser(issuer, admin, { roles: [role] });
    checker = await tokenWith('permissions:check');
  });

  const check = (token, body) => api(issuer, token, 'POST', '/authorize', body);

  test('answers for a user by id and by username, with a timestamp string', async () => {
    for (const sub of [user.id, user.username]) {
      const r = await check(checker, { resource: 'ledger', action: 'read', sub });
      assert.equal(r.status, 200);
      assert.equal(r.json.authorized, true);
      assert.match(r.json.timestamp, /^\d{10}$/);
      assert.equal((await check(checker, { resource: 'ledger', action: 'post', sub })).json.authorized, false);
    }
  });

  test('answers for an application by client_id, and for the caller without sub', async () => {
    const app = appsByPermission.get('permissions:check');
    const r = await check(checker, { resource: 'permissions', action: 'check', sub: app.client_id });
    assert.equal(r.json.authorized, true);
    assert.equal((await check(checker, { resource: 'permissions', action: 'check' })).json.authorized, true);
    assert.equal((await check(checker, { resource: 'ledger', action: 'read' })).json.authorized, false);
  });

  test('an unknown subject is 404 AUT-1015; another subject needs permissions:check', async () => {
    const r = await check(checker, { resource: 'ledger', action: 'read', sub: 'nobody-' + unique() });
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'AUT-1015');
    const plain = await tokenWith(null);
    const denied = await check(plain, { resource: 'ledger', action: 'read', sub: user.id });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.code, 'AUT-0008');
  });

  test('wildcards: resource:* and *:* grant, exact names do not leak', async () => {
    const wild = unique('wild');
    await api(issuer, admin, 'POST', '/roles', { name: wild, permissions: ['reports:*'] });
    const u = await createUser(issuer, admin, { roles: [wild] });
    assert.equal((await check(checker, { resource: 'reports', action: 'export', sub: u.id })).json.authorized, true);
    assert.equal((await check(checker, { resource: 'report', action: 'export', sub: u.id })).json.authorized, false);
    const adminUser = (await api(issuer, admin, 'GET', '/users?q=admin')).json.items.find((x) => x.username === 'admin');
    assert.equal((await check(checker, { resource: 'anything', action: 'at-all', sub: adminUser.id })).json.authorized, true);
  });

  test('a role change, a group membership and a removal show on the very next check', async () => {
    const q = { resource: 'ledger', action: 'post', sub: user.id };
    const roleObj = (await api(issuer, admin, 'GET', '/roles?q=' + role)).json.items[0];
    await api(issuer, admin, 'PATCH', `/roles/${roleObj.id}`, { permissions: ['ledger:read', 'ledger:post'] });
    assert.equal((await check(checker, q)).json.authorized, true);
    await api(issuer, admin, 'PATCH', `/roles/${roleObj.id}`, { permissions: ['ledger:read'] });
    assert.equal((await check(checker, q)).json.authorized, false);

    const poster = unique('poster');
    await api(issuer, admin, 'POST', '/roles', { name: poster, permissions: ['ledger:post'] });
    const g = await api(issuer, admin, 'POST', '/groups', { name: unique('grp'), roles: [poster], members: [user.id] });
    assert.equal(g.status, 201, JSON.stringify(g.json));
    assert.equal((await check(checker, q)).json.authorized, true);
    const perms = await api(issuer, admin, 'GET', `/users/${user.id}/permissions`);
    assert.deepEqual([...perms.json.permissions].sort(), ['ledger:post', 'ledger:read']);
    await api(issuer, admin, 'PATCH', `/groups/${g.json.id}`, { members: [] });
    assert.equal((await check(checker, q)).json.authorized, false);
  });

  test('a tenant holds at most 500 roles (AUT-0016 past that)', async () => {
    // A tenant of its own, so that filling it changes nothing for the other cases.
    const slug = 'lim' + Date.now().toString(36);
    const t = await api(issuer, admin, 'POST', '/tenants', { slug, admin: { username: 'root', password: 'Root-Pass-123' } });
    const token = (await getToken(t.json.issuer, 'admin-cli', t.json.admin_client.client_secret)).access_token;
    let last;
    for (let i = 0; i < 600; i += 1) {
      last = await api(t.json.issuer, token, 'POST', '/roles', { name: `bulk${i}` });
      if (last.status !== 201) break;
    }
    assert.equal(last.status, 400, JSON.stringify(last.json));
    assert.equal(last.json.code, 'AUT-0016');
    let total = 0;
    let cursor = '';
    do {
      const page = await api(t.json.issuer, token, 'GET', `/roles?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      total += page.json.items.length;
      cursor = page.json.next_cursor;
    } while (cursor);
    assert.equal(total, 500, 'the bootstrap admin role and 499 more');
  });

  test('a group with an unknown role and an unknown member names both, and is not created', async () => {
    const name = unique('bad');
    const r = await api(issuer, admin, 'POST', '/groups',
      { name, roles: ['no-such-role'], members: ['00000000-0000-7000-8000-000000000000'] });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'AUT-0009');
    assert.deepEqual(Object.keys(r.json.fields).sort(), ['00000000-0000-7000-8000-000000000000', 'no-such-role']);
    assert.deepEqual((await api(issuer, admin, 'GET', `/groups?q=${name}`)).json.items, []);
  });

  test('limits answer 400 AUT-0016', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `res${i}:read`);
    const r = await api(issuer, admin, 'POST', '/roles', { name: unique('big'), permissions: many });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'AUT-0016');
    const roles = Array.from({ length: 51 }, (_, i) => `r${i}`);
    const u = await api(issuer, admin, 'POST', '/users', { username: unique('lim'), roles });
    assert.equal(u.status, 400);
    assert.equal(u.json.code, 'AUT-0016');
  });
});

describe(`audit log (${storeName})`, () => {
  const eventsOf = async (query) => (await api(issuer, admin, 'GET', `/audit?${query}`)).json.items;

  test('each kind of change leaves its event, newest first, with actor, subject and ip', async () => {
    const u = await createUser(issuer, admin);
    await api(issuer, admin, 'PATCH', `/users/${u.id}`, { name: 'Audited' });
    await passwordGrant(issuer, u.username, 'wrong-password-1');
    const ok = await passwordGrant(issuer, u.username, u.password);
    assert.equal(ok.status, 200);
    await api(issuer, admin, 'POST', `/users/${u.id}/password`, { new_password: 'Reset-Pass-99' });
    await api(issuer, admin, 'DELETE', `/users/${u.id}/sessions`);
    await api(issuer, admin, 'DELETE', `/users/${u.id}`);
    await api(issuer, admin, 'POST', `/users/${u.id}/restore`);
    const app = await createApp(issuer, admin);
    await api(issuer, admin, 'POST', `/applications/${app.id}/secret`);
    await api(issuer, admin, 'DELETE', `/applications/${app.id}`);
    const events = await eventsOf(`limit=200`);
    const mine = events.filter((e) => e.subject === u.id).map((e) => e.type);
    for (const type of ['user.created', 'user.updated', 'login.failed', 'login.succeeded', 'user.password_reset',
      'session.ended', 'user.deleted', 'user.restored']) {
      assert.ok(mine.includes(type), `missing ${type} in ${mine}`);
    }
    assert.deepEqual(mine.slice(0, 2), ['user.restored', 'user.deleted'], 'newest first');
    const appEvents = events.filter((e) => e.subject === app.id).map((e) => e.type);
    assert.deepEqual(appEvents, ['application.deleted', 'application.secret_rotated', 'application.created']);
    const created = events.find((e) => e.subject === u.id && e.type === 'user.created');
    assert.equal(created.actor, 'admin-cli');
    assert.equal(created.ip, '127.0.0.1');
    assert.match(created.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(created.details.username, u.username);
  });

  test('filters by type, actor and since, with cursor pagination', async () => {
    const byType = await eventsOf('type=user.created&limit=200');
    assert.ok(byType.length > 0 && byType.every((e) => e.type === 'user.created'));
    const byActor = await eventsOf('actor=admin-cli&limit=200');
    assert.ok(byActor.every((e) => e.actor === 'admin-cli'));
    assert.deepEqual(await eventsOf('since=2999-01-01T00:00:00Z'), []);
    assert.equal((await api(issuer, admin, 'GET', '/audit?since=yesterday')).json.code, 'AUT-0009');
    const page1 = await api(issuer, admin, 'GET', '/audit?limit=2');
    assert.equal(page1.json.items.length, 2);
    const page2 = await api(issuer, admin, 'GET', `/audit?limit=2&cursor=${page1.json.next_cursor}`);
    assert.notEqual(page2.json.items[0].id, page1.json.items[1].id);
    assert.ok(page2.json.items[0].id < page1.json.items[1].id, 'next page is older');
  });

  test('a rolled-back change leaves no event and no record', async () => {
    const username = unique('rolledback');
    const r = await api(issuer, admin, 'POST', '/users', { username, roles: ['no-such-role'] });
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'AUT-0009');
    assert.deepEqual(Object.keys(r.json.fields), ['no-such-role']);
    const events = await eventsOf('type=user.created&limit=200');
    assert.ok(!events.some((e) => e.details?.username === username));
    assert.deepEqual((await api(issuer, admin, 'GET', `/users?q=${username}`)).json.items, []);
  });
});
