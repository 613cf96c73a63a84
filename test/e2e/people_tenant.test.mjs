// SPDX-License-Identifier: Apache-2.0
// Tenant settings (API.md §13): GET/PATCH /tenant, every setting checked (400 AUT-0009 naming
// it, nothing written), applied without a restart; password_min_length; max_users;
// mfa_required at the password grant; per-application signing algs; internal applications.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminToken, api, createApp, createUser, jwtHeader, passwordGrant, startServer, tokenRequest, unique,
} from './lib/server.mjs';

let srv; let issuer; let admin;

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
});
after(async () => { await srv?.stop(); });

function assertError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(r.json.code, code, JSON.stringify(r.json));
  if (field) assert.ok(r.json.fields && field in r.json.fields, `fields names ${field}: ${JSON.stringify(r.json)}`);
}

async function userWith(perms) {
  const role = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: perms })).status, 201);
  const u = await createUser(issuer, admin, { roles: [role] });
  return { ...u, token: (await passwordGrant(issuer, u.username, u.password)).json.access_token };
}

const patchSettings = (settings) => api(issuer, admin, 'PATCH', '/tenant', { settings });

describe('GET and PATCH /tenant', () => {
  test('reads every setting with its effective value; tenant:read and tenant:update are needed', async () => {
    const r = await api(issuer, admin, 'GET', '/tenant');
    assert.equal(r.status, 200);
    assert.equal(r.json.slug, 'default');
    const s = r.json.settings;
    for (const k of ['access_ttl', 'refresh_ttl', 'session_ttl', 'code_ttl', 'access_token_alg', 'id_token_alg', 'registration',
      'reset_ttl', 'verify_ttl', 'invitation_ttl', 'max_users', 'password_min_length', 'mfa_required', 'step_up',
      'max_roles_per_user', 'max_permissions_per_role', 'max_roles']) assert.ok(k in s, k);
    assert.equal(s.registration, 'closed');
    assert.equal(s.reset_ttl, 3600);
    assert.equal(s.password_min_length, 8);
    assert.equal(s.max_users, null);
    assert.equal(s.mfa_required, false);
    const reader = await userWith(['users:read']);
    assertError(await api(issuer, reader.token, 'GET', '/tenant'), 403, 'AUT-0008');
    const onlyRead = await userWith(['tenant:read']);
    assert.equal((await api(issuer, onlyRead.token, 'GET', '/tenant')).status, 200);
    assertError(await api(issuer, onlyRead.token, 'PATCH', '/tenant', { name: 'x' }), 403, 'AUT-0008');
  });

  test('every bad value is 400 AUT-0009 naming it, unknown names AUT-0003, and nothing is written', async () => {
    const before_ = (await api(issuer, admin, 'GET', '/tenant')).json;
    const bad = [
      [{ access_ttl: 5 }, 'settings.access_ttl'], [{ access_ttl: '900' }, 'settings.access_ttl'],
      [{ refresh_ttl: 10 }, 'settings.refresh_ttl'], [{ session_ttl: -1 }, 'settings.session_ttl'],
      [{ code_ttl: 601 }, 'settings.code_ttl'], [{ access_token_alg: 'HS256' }, 'settings.access_token_alg'],
      [{ id_token_alg: 'none' }, 'settings.id_token_alg'], [{ registration: 'maybe' }, 'settings.registration'],
      [{ reset_ttl: 1 }, 'settings.reset_ttl'], [{ verify_ttl: 'a day' }, 'settings.verify_ttl'],
      [{ invitation_ttl: 0 }, 'settings.invitation_ttl'], [{ max_users: 0 }, 'settings.max_users'],
      [{ password_min_length: 4 }, 'settings.password_min_length'], [{ mfa_required: 'yes' }, 'settings.mfa_required'],
      [{ step_up: { permissions: ['users:*'] } }, 'settings.step_up.max_age'],
      [{ step_up: { permissions: ['Not A Perm'], max_age: 300 } }, 'settings.step_up.permissions'],
      [{ max_roles_per_user: 0 }, 'settings.max_roles_per_user'], [{ max_permissions_per_role: 1e9 }, 'settings.max_permissions_per_role'],
      [{ max_roles: true }, 'settings.max_roles'],
      [{ messages: { password_reset: { subject: 'two\nlines' } } }, 'settings.messages.password_reset'],
    ];
    for (const [settings, field] of bad) assertError(await patchSettings(settings), 400, 'AUT-0009', field);
    assertError(await patchSettings({ colour: 'blue' }), 400, 'AUT-0003', 'settings.colour');
    assertError(await api(issuer, admin, 'PATCH', '/tenant', { slug: 'x' }), 400, 'AUT-0003', 'slug');
    assertError(await api(issuer, admin, 'PATCH', '/tenant', { settings: [] }), 400, 'AUT-0009', 'settings');
    assertError(await api(issuer, admin, 'PATCH', '/tenant', { name: '' }), 400, 'AUT-0009', 'name');
    // One bad value among good ones: nothing at all is written.
    assertError(await patchSettings({ reset_ttl: 7200, access_ttl: 1 }), 400, 'AUT-0009', 'settings.access_ttl');
    assert.deepEqual((await api(issuer, admin, 'GET', '/tenant')).json, before_);
  });

  test('a change applies at once without a restart; null goes back to the default', async () => {
    const r = await patchSettings({ access_ttl: 120 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.settings.access_ttl, 120);
    const t = await passwordGrant(issuer, 'admin', 'e2e-Admin-Password-1');
    assert.equal(t.json.expires_in, 120);
    assert.equal((await patchSettings({ access_ttl: null })).json.settings.access_ttl, 900);
    assert.equal((await passwordGrant(issuer, 'admin', 'e2e-Admin-Password-1')).json.expires_in, 900);
    const audit = (await api(issuer, admin, 'GET', '/audit?type=tenant.updated')).json.items;
    assert.ok(audit.length >= 2);
  });
});

describe('settings that change behaviour', () => {
  after(async () => { await patchSettings({ password_min_length: null, max_users: null, mfa_required: null, access_token_alg: null }); });

  test('password_min_length applies to new users and password changes', async () => {
    assert.equal((await patchSettings({ password_min_length: 14 })).status, 200);
    assertError(await api(issuer, admin, 'POST', '/users', { username: unique('p'), password: 'Short-Pass-1' }), 400, 'AUT-0009', 'password');
    const u = await createUser(issuer, admin, { password: 'Long-Enough-Pass-1' });
    assertError(await api(issuer, admin, 'POST', `/users/${u.id}/password`, { new_password: 'Short-Pass-1' }), 400, 'AUT-0009', 'new_password');
    assert.equal((await patchSettings({ password_min_length: null })).status, 200);
    assert.equal((await api(issuer, admin, 'POST', `/users/${u.id}/password`, { new_password: 'Short-Pass-1' })).status, 204);
  });

  test('max_users: creation is 400 AUT-0016 once reached; soft-deleted users do not count', async () => {
    const count = (await api(issuer, admin, 'GET', '/users?limit=200')).json.items.length;
    assert.equal((await patchSettings({ max_users: count + 1 })).status, 200);
    const last = await createUser(issuer, admin);
    assertError(await api(issuer, admin, 'POST', '/users', { username: unique('over') }), 400, 'AUT-0016');
    assert.equal((await api(issuer, admin, 'DELETE', `/users/${last.id}`)).status, 204);
    await createUser(issuer, admin);
    assert.equal((await patchSettings({ max_users: null })).status, 200);
  });

  test('mfa_required: the password grant answers mfa_required with mfa_enrolment_required', async () => {
    const u = await createUser(issuer, admin);
    assert.equal((await patchSettings({ mfa_required: true })).status, 200);
    const r = await passwordGrant(issuer, u.username, u.password);
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.equal(r.json.error, 'mfa_required');
    assert.equal(r.json.mfa_enrolment_required, true);
    assert.equal(r.json.access_token, undefined);
    assert.equal((await patchSettings({ mfa_required: false })).status, 200);
    assert.equal((await passwordGrant(issuer, u.username, u.password)).status, 200);
  });

  test('the tenant access_token_alg, and per application access_token_alg and id_token_signed_response_alg', async () => {
    assert.equal((await patchSettings({ access_token_alg: 'RS256' })).status, 200);
    assert.equal(jwtHeader((await passwordGrant(issuer, 'admin', 'e2e-Admin-Password-1')).json.access_token).alg, 'RS256');
    const app = await createApp(issuer, admin, {
      grant_types: ['password'], scopes: ['openid'], access_token_alg: 'EdDSA', id_token_signed_response_alg: 'PS256',
    });
    assert.equal(app.access_token_alg, 'EdDSA');
    const u = await createUser(issuer, admin);
    const t = await tokenRequest(issuer, app.client_id, app.client_secret, { grant_type: 'password', username: u.username, password: u.password, scope: 'openid' });
    assert.equal(t.status, 200, JSON.stringify(t.json));
    assert.equal(jwtHeader(t.json.access_token).alg, 'EdDSA');
    assert.equal(jwtHeader(t.json.id_token).alg, 'PS256');
    const me = await api(issuer, t.json.access_token, 'GET', '/me');
    assert.notEqual(me.status, 401, 'an EdDSA access token verifies');
    assertError(await api(issuer, admin, 'PATCH', `/applications/${app.id}`, { access_token_alg: 'HS256' }), 400, 'AUT-0009', 'access_token_alg');
    assertError(await api(issuer, admin, 'PATCH', `/applications/${app.id}`, { id_token_signed_response_alg: 7 }), 400, 'AUT-0009', 'id_token_signed_response_alg');
  });

  test('internal applications are left out of GET /applications unless ?internal=true', async () => {
    const app = await createApp(issuer, admin, { internal: true });
    assert.equal(app.internal, true);
    const ids = async (q) => (await api(issuer, admin, 'GET', `/applications?limit=200${q}`)).json.items.map((a) => a.id);
    assert.ok(!(await ids('')).includes(app.id));
    assert.ok((await ids('&internal=true')).includes(app.id));
    assert.ok((await ids('')).length > 0);
  });
});
