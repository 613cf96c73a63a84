// SPDX-License-Identifier: Apache-2.0
// Token exchange (RFC 8693, API.md §16): impersonation with a reason, the act claim, at most an hour,
// no refresh token, seen at introspection and in the audit (also of calls made with the token);
// every refusal; and plain down-scoping for any client holding a token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, get, getToken, introspect, jwtPayload,
  oauthPost, passwordGrant, startServer, tokenRequest, unique,
} from './lib/server.mjs';

const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
let srv; let issuer; let admin; let console_; let sam; let tina; let plain;

async function role(perms) {
  const name = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name, permissions: perms })).status, 201);
  return name;
}

async function signedIn(perms) {
  const u = await createUser(issuer, admin, { roles: [await role(perms)] });
  const r = await passwordGrant(issuer, u.username, u.password);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { ...u, token: r.json.access_token };
}

const exchange = (params, client = console_) => tokenRequest(issuer, client.client_id, client.client_secret,
  { grant_type: TE, subject_token_type: AT, ...params });

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
  const r = await api(issuer, admin, 'POST', '/applications', {
    name: unique('support'), type: 'confidential', grant_types: [TE], scopes: ['openid', 'profile', 'email'], first_party: true,
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  console_ = r.json;
  sam = await signedIn(['users:impersonate', 'users:read', 'groups:create', 'groups:read']);
  tina = await signedIn(['groups:create', 'groups:read']);
  plain = await signedIn(['users:read']);
});
after(async () => { await srv?.stop(); });

describe('impersonation', () => {
  test('discovery lists the grant type', async () => {
    const d = await get(`${issuer}/.well-known/openid-configuration`);
    assert.ok(d.json.grant_types_supported.includes(TE));
  });

  test('a token for the target with act, at most an hour, no refresh token; introspected and audited', async () => {
    const r = await exchange({ subject_token: sam.token, requested_subject: tina.username, reason: 'ticket #42' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.issued_token_type, AT);
    assert.equal(r.json.refresh_token, undefined);
    assert.ok(r.json.expires_in <= 3600);
    const claims = jwtPayload(r.json.access_token);
    assert.equal(claims.sub, tina.id);
    assert.deepEqual(claims.act, { sub: sam.id });
    assert.ok(claims.exp - claims.iat <= 3600);
    const seen = await introspect(issuer, r.json.access_token);
    assert.equal(seen.active, true);
    assert.deepEqual(seen.act, { sub: sam.id });
    const events = (await api(issuer, admin, 'GET', '/audit?type=impersonation.started')).json.items;
    const e = events.find((x) => x.subject === tina.id);
    assert.ok(e, JSON.stringify(events));
    assert.equal(e.actor, sam.id);
    assert.equal(e.details.reason, 'ticket #42');
    // A management call made with it records the impersonator.
    const g = await api(issuer, r.json.access_token, 'POST', '/groups', { name: unique('grp') });
    assert.equal(g.status, 201, JSON.stringify(g.json));
    const created = (await api(issuer, admin, 'GET', '/audit?type=group.created')).json.items.find((x) => x.subject === g.json.id);
    assert.equal(created.actor, tina.id);
    assert.equal(created.details.impersonator, sam.id);
  });

  const refusals = [
    ['no reason', () => ({ subject_token: sam.token, requested_subject: tina.username }), 400, 'invalid_request'],
    ['an unknown requested_subject', () => ({ subject_token: sam.token, requested_subject: 'nobody-at-all', reason: 'x' }), 400, 'invalid_request'],
    ['a malformed subject_token', () => ({ subject_token: 'not.a.jwt', requested_subject: tina.username, reason: 'x' }), 400, 'invalid_grant'],
    ['a caller without users:impersonate', () => ({ subject_token: plain.token, requested_subject: tina.username, reason: 'x' }), 403, 'access_denied'],
    ['a target more powerful than the caller', () => ({ subject_token: sam.token, requested_subject: 'admin', reason: 'x' }), 403, 'access_denied'],
    ['an application token as subject', () => ({ subject_token: admin, requested_subject: tina.username, reason: 'x' }), 403, 'access_denied'],
  ];
  for (const [what, params, status, error] of refusals) {
    test(`refused: ${what}`, async () => {
      const r = await exchange(params());
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal(r.json.error, error);
      assert.equal(r.json.access_token, undefined);
    });
  }

  test('refused: a revoked or expired subject_token, and one of another tenant', async () => {
    const again = (await passwordGrant(issuer, sam.username, sam.password)).json.access_token;
    await oauthPost(issuer, 'revoke', { token: again }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]);
    let r = await exchange({ subject_token: again, requested_subject: tina.username, reason: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    const slug = unique('t').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 30);
    const t = await api(issuer, admin, 'POST', '/tenants', { slug, name: 'Other', admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(t.status, 201, JSON.stringify(t.json));
    const foreign = (await getToken(`${srv.base}/t/${slug}`, 'admin-cli', t.json.admin_client.client_secret)).access_token;
    r = await exchange({ subject_token: foreign, requested_subject: tina.username, reason: 'x' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
  });

  test('an impersonation token cannot start another impersonation', async () => {
    const r = await exchange({ subject_token: sam.token, requested_subject: tina.username, reason: 'first' });
    const chained = await exchange({ subject_token: r.json.access_token, requested_subject: plain.username, reason: 'again' });
    assert.equal(chained.status, 403);
  });

  test('an impersonation token adds no second factor and no passkey to the person', async () => {
    const r = await exchange({ subject_token: sam.token, requested_subject: tina.username, reason: 'factors' });
    assert.equal(r.status, 200);
    for (const method of ['webauthn', 'totp', 'recovery-codes']) {
      const add = await api(issuer, r.json.access_token, 'POST', `/me/mfa/${method}`, {});
      assert.equal(add.status, 403, `${method}: ${JSON.stringify(add.json)}`);
      assert.equal(add.json.code, 'AUT-0008');
    }
  });
});

describe('down-scoping', () => {
  test('any client holding a token gets a narrower one for the same subject, expiring no later', async () => {
    const r = await exchange({ subject_token: plain.token, scope: 'openid' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const before = jwtPayload(plain.token); const after_ = jwtPayload(r.json.access_token);
    assert.equal(after_.sub, plain.id);
    assert.equal(after_.scope, 'openid');
    assert.equal(after_.act, undefined);
    assert.ok(after_.exp <= before.exp);
    assert.equal(r.json.refresh_token, undefined);
  });
  test('a wider scope is refused', async () => {
    const r = await exchange({ subject_token: plain.token, scope: 'openid profile offline_access' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_scope');
  });
  test('subject_token_type other than an access token is refused', async () => {
    const r = await exchange({ subject_token: plain.token, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_request');
  });
});

describe('token_claims', () => {
  test('an application names claims from user attributes; reserved names are refused', async () => {
    const ok = await api(issuer, admin, 'POST', '/applications', { name: unique('tc'), token_claims: { blocked_accounts: 'attributes.blocked_accounts' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.deepEqual(ok.json.token_claims, { blocked_accounts: 'attributes.blocked_accounts' });
    for (const bad of [{ sub: 'attributes.x' }, { act: 'attributes.x' }, { x: 'password_hash' }]) {
      const r = await api(issuer, admin, 'POST', '/applications', { name: unique('tc'), token_claims: bad });
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.json.code, 'AUT-0009');
      assert.ok(r.json.fields.token_claims);
    }
    const patched = await api(issuer, admin, 'PATCH', `/applications/${ok.json.id}`, { token_claims: { tier: 'attributes.tier' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.deepEqual(patched.json.token_claims, { tier: 'attributes.tier' });
  });
});

describe('across tenants from default', () => {
  test('a holder of tenants:impersonate in default acts as another tenant\'s admin; others may not', async () => {
    const slug = unique('x').toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 30);
    const t = await api(issuer, admin, 'POST', '/tenants', { slug, name: 'Customer', admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(t.status, 201, JSON.stringify(t.json));
    const other = `${srv.base}/t/${slug}`;
    const otherAdmin = (await getToken(other, 'admin-cli', t.json.admin_client.client_secret)).access_token;
    const app = await api(other, otherAdmin, 'POST', '/applications', {
      name: unique('support'), type: 'confidential', grant_types: [TE], scopes: ['openid', 'profile', 'email'], first_party: true,
    });
    assert.equal(app.status, 201, JSON.stringify(app.json));
    const platform = await signedIn(['tenants:impersonate']);
    const ask = (subjectToken, reason = 'onboarding call') => tokenRequest(other, app.json.client_id, app.json.client_secret,
      { grant_type: TE, subject_token_type: AT, subject_token: subjectToken, requested_subject: 'root', reason });
    const r = await ask(platform.token);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const claims = jwtPayload(r.json.access_token);
    assert.deepEqual(claims.act, { sub: platform.id, iss: issuer });
    assert.equal(claims.iss, other);
    const me = await api(other, r.json.access_token, 'GET', '/me');
    assert.equal(me.status, 200, JSON.stringify(me.json));
    assert.equal(me.json.username, 'root');
    const e = (await api(other, otherAdmin, 'GET', '/audit?type=impersonation.started')).json.items[0];
    assert.equal(e.actor, platform.id);
    assert.equal(e.details.platform, issuer);
    const denied = await ask(sam.token); // users:impersonate in default is not tenants:impersonate
    assert.equal(denied.status, 403, JSON.stringify(denied.json));
    assert.equal(denied.json.error, 'access_denied');
    const noReason = await ask(platform.token, '');
    assert.equal(noReason.status, 400);
    assert.equal(noReason.json.error, 'invalid_request');
  });
});
