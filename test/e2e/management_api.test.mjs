// SPDX-License-Identifier: Apache-2.0
// The management API (/api/v1): errors of API.md §5, users, /me, applications, authorize, sessions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createApp, createUser, introspect, jwtHeader, jwtPayload,
  passwordGrant, startServer, tokenRequest, unique,
} from './lib/server.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A management API error: status, code, a title and message, and `fields` when given. */
function assertApiError(r, status, code, fields) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(r.json?.code, code, JSON.stringify(r.json));
  assert.equal(typeof r.json.title, 'string');
  assert.equal(typeof r.json.message, 'string');
  if (fields) {
    assert.equal(typeof r.json.fields, 'object', `"fields" in ${JSON.stringify(r.json)}`);
    for (const f of fields) assert.ok(f in r.json.fields, `fields names "${f}": ${JSON.stringify(r.json.fields)}`);
  }
}

/** Walks every page of a list with ?limit=N. */
async function walk(issuer, token, path, limit) {
  const items = [];
  let cursor = null;
  let pages = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(issuer, token, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(Array.isArray(r.json.items));
    assert.ok('next_cursor' in r.json, 'next_cursor is always present');
    assert.ok(r.json.items.length <= limit, `page of ${r.json.items.length} > limit ${limit}`);
    items.push(...r.json.items);
    pages += 1;
    assert.ok(pages < 1000, 'pagination ends');
    if (r.json.next_cursor === null) break;
    assert.equal(typeof r.json.next_cursor, 'string');
    cursor = r.json.next_cursor;
  }
  return { items, pages };
}

describe('management API', () => {
  let srv;
  let other;
  let admin;
  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
  });
  after(async () => { await srv?.stop(); await other?.stop(); });

  describe('errors (API.md §5)', () => {
    test('no token is 401 AUT-0006', async () => {
      assertApiError(await api(srv.issuer, null, 'GET', '/users'), 401, 'AUT-0006');
      assertApiError(await api(srv.issuer, null, 'GET', '/me'), 401, 'AUT-0006');
    });

    test('a garbage token is 401 AUT-0007', async () => {
      assertApiError(await api(srv.issuer, 'garbage', 'GET', '/users'), 401, 'AUT-0007');
      assertApiError(await api(srv.issuer, 'a.b.c', 'GET', '/me'), 401, 'AUT-0007');
    });

    test('a token of another issuer is 401 AUT-0007', async () => {
      other = await startServer();
      const foreign = await adminToken(other.issuer);
      assertApiError(await api(srv.issuer, foreign, 'GET', '/users'), 401, 'AUT-0007');
      // And a well-formed token claiming our issuer but signed by a key we never published.
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ client_id: ADMIN_CLIENT_ID, scope: 'openid' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwtHeader(admin).kid })
        .setIssuer(srv.issuer).setSubject(ADMIN_CLIENT_ID).setAudience(srv.issuer)
        .setIssuedAt().setExpirationTime('5m').setJti(unique('jti'))
        .sign(privateKey);
      assertApiError(await api(srv.issuer, forged, 'GET', '/users'), 401, 'AUT-0007');
    });

    test('an unsigned (alg none) token is 401 AUT-0007', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url');
      const claims = { ...jwtPayload(admin), jti: unique('jti') };
      const none = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      assertApiError(await api(srv.issuer, none, 'GET', '/users'), 401, 'AUT-0007');
    });

    test('a token lacking the permission is 403 AUT-0008', async () => {
      const app = await createApp(srv.issuer, admin, { roles: [] });
      const tok = (await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' })).json.access_token;
      assert.equal(typeof tok, 'string');
      assertApiError(await api(srv.issuer, tok, 'GET', '/users'), 403, 'AUT-0008');
      assertApiError(await api(srv.issuer, tok, 'POST', '/users', { username: unique('x'), email: `${unique('x')}@example.test` }), 403, 'AUT-0008');
      assertApiError(await api(srv.issuer, tok, 'GET', '/applications'), 403, 'AUT-0008');
      // Its own /me still works.
      assert.equal((await api(srv.issuer, tok, 'GET', '/me')).status, 200);
    });

    test('unknown fields are 400 AUT-0003 listing them', async () => {
      const r = await api(srv.issuer, admin, 'POST', '/users', { username: unique('u'), email: `${unique('e')}@example.test`, is_admin: true });
      assertApiError(r, 400, 'AUT-0003', ['is_admin']);
    });

    test('missing required fields are 400 AUT-0001 listing them', async () => {
      const r = await api(srv.issuer, admin, 'POST', '/users', { email: `${unique('e')}@example.test` });
      assertApiError(r, 400, 'AUT-0001', ['username']);
      const a = await api(srv.issuer, admin, 'POST', '/applications', { type: 'confidential' });
      assertApiError(a, 400, 'AUT-0001', ['name']);
    });

    test('malformed JSON is 400 AUT-0009', async () => {
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', '{"username": "a",'), 400, 'AUT-0009');
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', '["not", "an", "object"]'), 400, 'AUT-0009');
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', ''), 400, 'AUT-0009');
    });

    test('invalid UTF-8 in the body is 400 AUT-0009', async () => {
      const name = unique('utf');
      const bytes = Buffer.concat([Buffer.from(`{"username":"${name}`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(`","email":"${name}@example.test"}`)]);
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', bytes), 400, 'AUT-0009');
      const list = await api(srv.issuer, admin, 'GET', `/users?q=${name}`);
      assert.deepEqual(list.json.items, [], 'nothing was created');
    });

    test('wrong types are 400 AUT-0009 naming the field', async () => {
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', { username: 42, email: `${unique('e')}@example.test` }), 400, 'AUT-0009', ['username']);
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', { username: unique('u'), email: `${unique('e')}@example.test`, roles: 'admin' }), 400, 'AUT-0009', ['roles']);
      assertApiError(await api(srv.issuer, admin, 'POST', '/applications', { name: unique('a'), grant_types: [1, 2] }), 400, 'AUT-0009', ['grant_types']);
    });

    test('an unknown role name is 400 AUT-0009 naming it', async () => {
      const r = await api(srv.issuer, admin, 'POST', '/users', { username: unique('u'), email: `${unique('e')}@example.test`, roles: ['admin', 'no-such-role'] });
      assertApiError(r, 400, 'AUT-0009', ['no-such-role']);
    });

    test('a duplicate username or email is 409 AUT-0011', async () => {
      const u = await createUser(srv.issuer, admin);
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', { username: u.username, email: `${unique('e')}@example.test` }), 409, 'AUT-0011');
      assertApiError(await api(srv.issuer, admin, 'POST', '/users', { username: unique('u'), email: u.email }), 409, 'AUT-0011');
      const v = await createUser(srv.issuer, admin);
      assertApiError(await api(srv.issuer, admin, 'PATCH', `/users/${v.id}`, { username: u.username }), 409, 'AUT-0011');
    });

    test('an unknown id is 404 AUT-0010', async () => {
      const missing = '01900000-0000-7000-8000-000000000000';
      assertApiError(await api(srv.issuer, admin, 'GET', `/users/${missing}`), 404, 'AUT-0010');
      assertApiError(await api(srv.issuer, admin, 'PATCH', `/users/${missing}`, { name: 'x' }), 404, 'AUT-0010');
      assertApiError(await api(srv.issuer, admin, 'DELETE', `/users/${missing}`), 404, 'AUT-0010');
      assertApiError(await api(srv.issuer, admin, 'GET', `/applications/${missing}`), 404, 'AUT-0010');
      assertApiError(await api(srv.issuer, admin, 'GET', '/users/not-a-uuid'), 404, 'AUT-0010');
    });

    test('an unknown tenant is 404 AUT-0010', async () => {
      assertApiError(await api(`${srv.base}/t/no-such-tenant`, admin, 'GET', '/users'), 404, 'AUT-0010');
    });

    test('a body over 64 KiB is 413 and creates nothing', async () => {
      const username = unique('big');
      const r = await api(srv.issuer, admin, 'POST', '/users', { username, email: `${username}@example.test`, name: 'x'.repeat(70 * 1024) });
      assert.equal(r.status, 413);
      const list = await api(srv.issuer, admin, 'GET', `/users?q=${username}`);
      assert.deepEqual(list.json.items, []);
    });

    test('a username that looks like SQL is stored and returned verbatim', async () => {
      const username = "x'); DROP TABLE users;--";
      const r = await api(srv.issuer, admin, 'POST', '/users', { username, email: `${unique('sql')}@example.test`, password: 'Sql-Pass-123' });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.equal(r.json.username, username);
      const g = await api(srv.issuer, admin, 'GET', `/users/${r.json.id}`);
      assert.equal(g.json.username, username);
      const q = await api(srv.issuer, admin, 'GET', `/users?q=${encodeURIComponent("DROP TABLE")}`);
      assert.deepEqual(q.json.items.map((u) => u.username), [username]);
      const login = await passwordGrant(srv.issuer, username, 'Sql-Pass-123');
      assert.equal(login.status, 200, JSON.stringify(login.json));
      // The users table is still there.
      assert.equal((await api(srv.issuer, admin, 'GET', '/users?limit=1')).status, 200);
    });
  });

  describe('users', () => {
    test('create answers 201 with the object and never a password or hash', async () => {
      const username = unique('crud');
      const r = await api(srv.issuer, admin, 'POST', '/users', {
        username, email: `${username}@example.test`, password: 'Create-Pass-1', name: 'Created User', phone_number: '+15555550100',
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.match(r.json.id, UUID);
      assert.equal(r.json.username, username);
      assert.equal(r.json.email, `${username}@example.test`);
      assert.equal(r.json.name, 'Created User');
      assert.equal(r.json.phone_number, '+15555550100');
      assert.deepEqual(r.json.roles, []);
      assert.deepEqual(r.json.groups, []);
      assert.match(r.json.created_at, RFC3339);
      assert.equal(r.json.deleted, false);
      const text = JSON.stringify(r.json);
      assert.ok(!/password|hash|argon/i.test(text), `no secret in ${text}`);
      const g = await api(srv.issuer, admin, 'GET', `/users/${r.json.id}`);
      assert.equal(g.status, 200);
      assert.deepEqual(g.json, r.json);
      assert.ok(!/password|hash|argon/i.test(JSON.stringify(g.json)));
    });

    test('PATCH answers 200 with the updated object, and the change persists', async () => {
      const u = await createUser(srv.issuer, admin);
      const r = await api(srv.issuer, admin, 'PATCH', `/users/${u.id}`, { name: 'New Name', email: `${unique('new')}@example.test` });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.name, 'New Name');
      assert.equal(r.json.username, u.username, 'untouched fields stay');
      const g = await api(srv.issuer, admin, 'GET', `/users/${u.id}`);
      assert.equal(g.json.name, 'New Name');
      assert.equal(g.json.email, r.json.email);
      const bad = await api(srv.issuer, admin, 'PATCH', `/users/${u.id}`, { id: '01900000-0000-7000-8000-000000000000' });
      assert.equal(bad.status, 400);
    });

    test('roles given at creation are held, and effective at /users/{id}/permissions', async () => {
      const u = await createUser(srv.issuer, admin, { roles: ['admin'] });
      assert.deepEqual(u.roles, ['admin']);
      const p = await api(srv.issuer, admin, 'GET', `/users/${u.id}/permissions`);
      assert.equal(p.status, 200);
      assert.deepEqual(p.json.permissions, ['*:*']);
      const plain = await createUser(srv.issuer, admin);
      assert.deepEqual((await api(srv.issuer, admin, 'GET', `/users/${plain.id}/permissions`)).json.permissions, []);
    });

    test('the list walks every page with ?limit=1 and next_cursor', async () => {
      const made = [];
      for (let i = 0; i < 4; i += 1) made.push(await createUser(srv.issuer, admin));
      const all = await api(srv.issuer, admin, 'GET', '/users?limit=200');
      assert.equal(all.status, 200);
      assert.equal(all.json.next_cursor, null);
      const { items, pages } = await walk(srv.issuer, admin, '/users', 1);
      const ids = items.map((u) => u.id);
      assert.equal(new Set(ids).size, ids.length, 'no user is listed twice');
      assert.deepEqual([...ids].sort(), all.json.items.map((u) => u.id).sort(), 'the pages together are the whole list');
      for (const u of made) assert.ok(ids.includes(u.id), `${u.username} is on a page`);
      assert.ok(pages >= items.length, 'one user per page');
      const two = await walk(srv.issuer, admin, '/users', 2);
      assert.deepEqual(two.items.map((u) => u.id).sort(), [...ids].sort());
    });

    test('?email= finds exactly that user, ?q= filters by substring', async () => {
      const tag = unique('needle');
      const a = await createUser(srv.issuer, admin, { username: `${tag}-one` });
      const b = await createUser(srv.issuer, admin, { username: `${tag}-two` });
      await createUser(srv.issuer, admin);
      const e = await api(srv.issuer, admin, 'GET', `/users?email=${encodeURIComponent(a.email)}`);
      assert.equal(e.status, 200);
      assert.deepEqual(e.json.items.map((u) => u.id), [a.id]);
      const q = await api(srv.issuer, admin, 'GET', `/users?q=${encodeURIComponent(tag)}`);
      assert.equal(q.status, 200);
      assert.deepEqual(q.json.items.map((u) => u.id).sort(), [a.id, b.id].sort());
      const none = await api(srv.issuer, admin, 'GET', `/users?q=${encodeURIComponent(`${tag}-zzz`)}`);
      assert.deepEqual(none.json.items, []);
      const paged = await walk(srv.issuer, admin, `/users?q=${encodeURIComponent(tag)}`, 1);
      assert.deepEqual(paged.items.map((u) => u.id).sort(), [a.id, b.id].sort());
    });

    test('soft DELETE: tokens die at once, login is blocked, the user is kept; restore undoes it', async () => {
      const u = await createUser(srv.issuer, admin);
      const login = await passwordGrant(srv.issuer, u.username, u.password);
      assert.equal(login.status, 200);
      const tok = login.json.access_token;
      assert.equal((await api(srv.issuer, tok, 'GET', '/me')).status, 200);

      const d = await api(srv.issuer, admin, 'DELETE', `/users/${u.id}`);
      assert.equal(d.status, 204);
      assert.equal(d.json, null, 'no body');
      assertApiError(await api(srv.issuer, tok, 'GET', '/me'), 401, 'AUT-0007');
      assert.equal((await introspect(srv.issuer, tok)).active, false);
      assert.equal((await introspect(srv.issuer, login.json.refresh_token)).active, false);
      const blocked = await passwordGrant(srv.issuer, u.username, u.password);
      assert.equal(blocked.status, 400);
      assert.equal(blocked.json.error, 'invalid_grant');
      const refresh = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'refresh_token', refresh_token: login.json.refresh_token });
      assert.equal(refresh.status, 400);
      assert.equal(refresh.json.error, 'invalid_grant');
      const g = await api(srv.issuer, admin, 'GET', `/users/${u.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.deleted, true);
      assert.equal(g.json.username, u.username);

      const r = await api(srv.issuer, admin, 'POST', `/users/${u.id}/restore`);
      assert.ok(r.status === 200 || r.status === 204, `restore: ${r.status}`);
      assert.equal((await api(srv.issuer, admin, 'GET', `/users/${u.id}`)).json.deleted, false);
      const again = await passwordGrant(srv.issuer, u.username, u.password);
      assert.equal(again.status, 200, JSON.stringify(again.json));
      assert.equal((await api(srv.issuer, again.json.access_token, 'GET', '/me')).status, 200);
      assert.equal((await introspect(srv.issuer, tok)).active, false, 'restoring does not revive old tokens');
    });

    test('an administrative password reset kills the old tokens and sets the new password', async () => {
      const u = await createUser(srv.issuer, admin);
      const login = await passwordGrant(srv.issuer, u.username, u.password);
      assert.equal(login.status, 200);
      const r = await api(srv.issuer, admin, 'POST', `/users/${u.id}/password`, { new_password: 'Reset-By-Admin-7' });
      assert.equal(r.status, 204, JSON.stringify(r.json));
      assertApiError(await api(srv.issuer, login.json.access_token, 'GET', '/me'), 401, 'AUT-0007');
      assert.equal((await introspect(srv.issuer, login.json.access_token)).active, false);
      const refresh = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'refresh_token', refresh_token: login.json.refresh_token });
      assert.equal(refresh.json.error, 'invalid_grant');
      assert.equal((await passwordGrant(srv.issuer, u.username, u.password)).json.error, 'invalid_grant', 'old password refused');
      assert.equal((await passwordGrant(srv.issuer, u.username, 'Reset-By-Admin-7')).status, 200, 'new password works');
      assertApiError(await api(srv.issuer, admin, 'POST', `/users/${u.id}/password`, {}), 400, 'AUT-0001', ['new_password']);
    });
  });

  describe('/me', () => {
    test('PUT /me/password: a wrong current password is 400 AUT-0015, the right one 204', async () => {
      const u = await createUser(srv.issuer, admin);
      const tok = (await passwordGrant(srv.issuer, u.username, u.password)).json.access_token;
      const wrong = await api(srv.issuer, tok, 'PUT', '/me/password', { current_password: 'not-it', new_password: 'Changed-Pass-8' });
      assertApiError(wrong, 400, 'AUT-0015');
      assert.equal((await passwordGrant(srv.issuer, u.username, 'Changed-Pass-8')).json.error, 'invalid_grant', 'unchanged after a wrong current password');
      const ok = await api(srv.issuer, tok, 'PUT', '/me/password', { current_password: u.password, new_password: 'Changed-Pass-8' });
      assert.equal(ok.status, 204, JSON.stringify(ok.json));
      assert.equal((await passwordGrant(srv.issuer, u.username, 'Changed-Pass-8')).status, 200, 'new password works');
      assert.equal((await passwordGrant(srv.issuer, u.username, u.password)).json.error, 'invalid_grant', 'old password refused');
    });

    test('GET /me for a user: kind user, its id, username, email, effective roles', async () => {
      const u = await createUser(srv.issuer, admin, { roles: ['admin'], name: 'Me Myself' });
      const tok = (await passwordGrant(srv.issuer, u.username, u.password)).json.access_token;
      const r = await api(srv.issuer, tok, 'GET', '/me');
      assert.equal(r.status, 200);
      assert.equal(r.json.kind, 'user');
      assert.equal(r.json.id, u.id);
      assert.equal(r.json.username, u.username);
      assert.equal(r.json.email, u.email);
      assert.equal(r.json.name, 'Me Myself');
      assert.equal(r.json.tenant, 'default');
      assert.deepEqual(r.json.roles, ['admin']);
      assert.deepEqual(r.json.groups, []);
      assert.equal(r.json.client_id, undefined);
      assert.ok(!/password|hash/i.test(JSON.stringify(r.json)));
      const p = await api(srv.issuer, tok, 'GET', '/me/permissions');
      assert.deepEqual(p.json.permissions, ['*:*']);
    });

    test('GET /me for an application: kind application, a UUID id and its client_id', async () => {
      const r = await api(srv.issuer, admin, 'GET', '/me');
      assert.equal(r.status, 200);
      assert.equal(r.json.kind, 'application');
      assert.equal(r.json.client_id, ADMIN_CLIENT_ID);
      assert.match(r.json.id, UUID);
      assert.equal(r.json.tenant, 'default');
      assert.deepEqual(r.json.roles, ['admin']);
      assert.equal(r.json.username, undefined);
    });

    test('GET /me/permissions for the admin client is ["*:*"], for a plain user []', async () => {
      const r = await api(srv.issuer, admin, 'GET', '/me/permissions');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { permissions: ['*:*'] });
      const u = await createUser(srv.issuer, admin);
      const tok = (await passwordGrant(srv.issuer, u.username, u.password)).json.access_token;
      assert.deepEqual((await api(srv.issuer, tok, 'GET', '/me/permissions')).json, { permissions: [] });
    });
  });

  describe('applications', () => {
    test('create returns client_id and the secret once; GET and list never show a secret', async () => {
      const name = unique('svc');
      const r = await api(srv.issuer, admin, 'POST', '/applications', { name, type: 'confidential', grant_types: ['client_credentials'] });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.match(r.json.id, UUID);
      assert.equal(r.json.name, name);
      assert.equal(typeof r.json.client_id, 'string');
      assert.equal(typeof r.json.client_secret, 'string');
      assert.ok(r.json.client_secret.length >= 32);
      const g = await api(srv.issuer, admin, 'GET', `/applications/${r.json.id}`);
      assert.equal(g.status, 200);
      assert.equal(g.json.client_id, r.json.client_id);
      assert.ok(!/secret/i.test(JSON.stringify(g.json)), `no secret in ${JSON.stringify(g.json)}`);
      const list = await walk(srv.issuer, admin, '/applications', 50);
      assert.ok(list.items.some((a) => a.id === r.json.id));
      assert.ok(!/secret/i.test(JSON.stringify(list.items)));
      const tok = await tokenRequest(srv.issuer, r.json.client_id, r.json.client_secret, { grant_type: 'client_credentials' });
      assert.equal(tok.status, 200, JSON.stringify(tok.json));
    });

    test('POST /applications/{id}/secret rotates: the old secret is refused, the new one works', async () => {
      const app = await createApp(srv.issuer, admin);
      const r = await api(srv.issuer, admin, 'POST', `/applications/${app.id}/secret`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(typeof r.json.client_secret, 'string');
      assert.notEqual(r.json.client_secret, app.client_secret);
      const old = await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
      assert.equal(old.status, 401);
      assert.equal(old.json.error, 'invalid_client');
      const fresh = await tokenRequest(srv.issuer, app.client_id, r.json.client_secret, { grant_type: 'client_credentials' });
      assert.equal(fresh.status, 200, JSON.stringify(fresh.json));
    });

    test('PATCH changes an application and keeps its secret', async () => {
      const app = await createApp(srv.issuer, admin);
      const r = await api(srv.issuer, admin, 'PATCH', `/applications/${app.id}`, { grant_types: ['client_credentials', 'password'], scopes: ['openid'] });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual([...r.json.grant_types].sort(), ['client_credentials', 'password']);
      assert.deepEqual(r.json.scopes, ['openid']);
      const tok = await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials', scope: 'profile' });
      assert.equal(tok.status, 400);
      assert.equal(tok.json.error, 'invalid_scope', 'the narrowed scopes apply');
    });

    test('DELETE an application: its tokens are inactive and it can no longer authenticate', async () => {
      const app = await createApp(srv.issuer, admin);
      const tok = (await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' })).json.access_token;
      assert.equal((await introspect(srv.issuer, tok)).active, true);
      const d = await api(srv.issuer, admin, 'DELETE', `/applications/${app.id}`);
      assert.equal(d.status, 204);
      assert.equal((await introspect(srv.issuer, tok)).active, false);
      assertApiError(await api(srv.issuer, tok, 'GET', '/me'), 401, 'AUT-0007');
      const again = await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
      assert.equal(again.status, 401);
      assert.equal(again.json.error, 'invalid_client');
      assertApiError(await api(srv.issuer, admin, 'GET', `/applications/${app.id}`), 404, 'AUT-0010');
    });

    test('an application with the admin role may manage users', async () => {
      const app = await createApp(srv.issuer, admin, { roles: ['admin'] });
      assert.deepEqual(app.roles, ['admin']);
      const tok = (await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' })).json.access_token;
      assert.equal((await api(srv.issuer, tok, 'GET', '/users')).status, 200);
    });
  });

  describe('POST /authorize', () => {
    test('without sub it checks the caller: {"authorized":true,"timestamp":"<digits>"}', async () => {
      const r = await api(srv.issuer, admin, 'POST', '/authorize', { resource: 'ledger', action: 'post' });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.authorized, true);
      assert.equal(typeof r.json.timestamp, 'string');
      assert.match(r.json.timestamp, /^\d+$/);
      assert.ok(Math.abs(Number(r.json.timestamp) - Date.now() / 1000) < 300, 'timestamp is Unix seconds, now');
      assert.deepEqual(Object.keys(r.json).sort(), ['authorized', 'timestamp']);
    });

    test('a caller without the permission is authorized:false', async () => {
      const u = await createUser(srv.issuer, admin);
      const tok = (await passwordGrant(srv.issuer, u.username, u.password)).json.access_token;
      const r = await api(srv.issuer, tok, 'POST', '/authorize', { resource: 'ledger', action: 'post' });
      assert.equal(r.status, 200);
      assert.equal(r.json.authorized, false);
    });

    test('with sub it checks that subject, by id, username or client_id', async () => {
      const u = await createUser(srv.issuer, admin);
      for (const sub of [u.id, u.username]) {
        const r = await api(srv.issuer, admin, 'POST', '/authorize', { resource: 'ledger', action: 'post', sub });
        assert.equal(r.status, 200, JSON.stringify(r.json));
        assert.equal(r.json.authorized, false, `sub ${sub}`);
      }
      const r = await api(srv.issuer, admin, 'POST', '/authorize', { resource: 'ledger', action: 'post', sub: ADMIN_CLIENT_ID });
      assert.equal(r.json.authorized, true);
    });

    test('an unknown sub is 404 AUT-1015', async () => {
      const r = await api(srv.issuer, admin, 'POST', '/authorize', { resource: 'ledger', action: 'post', sub: 'nobody-at-all' });
      assertApiError(r, 404, 'AUT-1015');
    });

    test('checking another subject needs permissions:check', async () => {
      const u = await createUser(srv.issuer, admin);
      const tok = (await passwordGrant(srv.issuer, u.username, u.password)).json.access_token;
      const r = await api(srv.issuer, tok, 'POST', '/authorize', { resource: 'ledger', action: 'post', sub: 'admin' });
      assertApiError(r, 403, 'AUT-0008');
    });

    test('a missing resource is 400 AUT-0001', async () => {
      assertApiError(await api(srv.issuer, admin, 'POST', '/authorize', { action: 'post' }), 400, 'AUT-0001', ['resource']);
    });
  });

  describe('sessions', () => {
    test('GET /users/{id}/sessions lists the password-grant session; DELETE ends it at once', async () => {
      const u = await createUser(srv.issuer, admin);
      const login = await passwordGrant(srv.issuer, u.username, u.password);
      assert.equal(login.status, 200);
      const sid = jwtPayload(login.json.access_token).sid;
      const list = await api(srv.issuer, admin, 'GET', `/users/${u.id}/sessions`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.json.items.map((s) => s.id), [sid]);
      assert.equal(list.json.items[0].client_id, ADMIN_CLIENT_ID);

      const d = await api(srv.issuer, admin, 'DELETE', `/users/${u.id}/sessions`);
      assert.equal(d.status, 204);
      assertApiError(await api(srv.issuer, login.json.access_token, 'GET', '/me'), 401, 'AUT-0007');
      assert.equal((await introspect(srv.issuer, login.json.access_token)).active, false);
      const refresh = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'refresh_token', refresh_token: login.json.refresh_token });
      assert.equal(refresh.json.error, 'invalid_grant');
      assert.deepEqual((await api(srv.issuer, admin, 'GET', `/users/${u.id}/sessions`)).json.items, []);
      // The user can sign in again afterwards.
      assert.equal((await passwordGrant(srv.issuer, u.username, u.password)).status, 200);
    });

    test('sessions of an unknown user are 404 AUT-0010', async () => {
      assertApiError(await api(srv.issuer, admin, 'GET', '/users/01900000-0000-7000-8000-000000000000/sessions'), 404, 'AUT-0010');
    });
  });
});
