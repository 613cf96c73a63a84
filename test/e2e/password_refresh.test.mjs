// SPDX-License-Identifier: Apache-2.0
// The password grant with an ID token, and refresh token rotation with reuse detection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, introspect, passwordGrant, startServer,
  tokenRequest,
} from './lib/server.mjs';

/** OIDC Core §3.1.3.6: base64url of the left half of the SHA-256 of the access token. */
function atHash(accessToken) {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

describe('password grant and refresh tokens', () => {
  let srv;
  let config;
  let jwks;
  let user;
  before(async () => {
    srv = await startServer();
    config = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, undefined,
      client.ClientSecretBasic(ADMIN_CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
    user = await createUser(srv.issuer, await adminToken(srv.issuer), { name: 'Ada Lovelace' });
  });
  after(async () => { await srv?.stop(); });

  const login = (scope = 'openid profile email') => client.genericGrantRequest(config, 'password',
    { username: user.username, password: user.password, scope });

  test('the password grant returns an access, an ID and a refresh token', async () => {
    const tokens = await login();
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(typeof tokens.access_token, 'string');
    assert.equal(typeof tokens.id_token, 'string');
    assert.equal(typeof tokens.refresh_token, 'string');
    assert.ok(Buffer.from(tokens.refresh_token, 'base64url').length >= 32 || tokens.refresh_token.length >= 43,
      'refresh token carries at least 256 bits');
    assert.equal(tokens.scope, 'openid profile email');
  });

  test('the ID token verifies: RS256, aud client_id, sub user id, amr pwd, sid, at_hash', async () => {
    const tokens = await login();
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, {
      issuer: srv.issuer, audience: ADMIN_CLIENT_ID, algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, user.id);
    assert.equal(payload.aud, ADMIN_CLIENT_ID);
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal(typeof payload.sid, 'string');
    assert.ok(payload.sid.length > 0);
    assert.equal(payload.at_hash, atHash(tokens.access_token));
    assert.equal(typeof payload.auth_time, 'number');
    assert.ok(payload.auth_time <= payload.iat);
    assert.ok(payload.exp > payload.iat);
    // openid-client validated the same ID token and exposes its claims.
    assert.equal(tokens.claims().sub, user.id);
  });

  test('the access token verifies and carries sid and amr of the session', async () => {
    const tokens = await login();
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: srv.issuer, audience: srv.issuer, typ: 'at+jwt',
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, user.id);
    assert.equal(payload.client_id, ADMIN_CLIENT_ID);
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal(payload.sid, tokens.claims().sid, 'access and ID token share the session');
    assert.equal(payload.scope, 'openid profile email');
  });

  test('without openid there is no ID token', async () => {
    const r = await passwordGrant(srv.issuer, user.username, user.password, 'profile');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.id_token, undefined);
    assert.equal(typeof r.json.access_token, 'string');
  });

  test('refresh rotates the refresh token and issues a new access token', async () => {
    const first = await login();
    const second = await client.refreshTokenGrant(config, first.refresh_token);
    assert.equal(typeof second.refresh_token, 'string');
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.notEqual(second.access_token, first.access_token);
    const { payload } = await jwtVerify(second.access_token, jwks, { issuer: srv.issuer, typ: 'at+jwt' });
    assert.equal(payload.sub, user.id);
    assert.equal(payload.sid, first.claims().sid, 'same session after refresh');
    assert.deepEqual(payload.amr, ['pwd']);
    if (second.id_token) {
      const id = await jwtVerify(second.id_token, jwks, { issuer: srv.issuer, audience: ADMIN_CLIENT_ID });
      assert.equal(id.payload.sub, user.id);
    }
    // The new refresh token works once more.
    const third = await client.refreshTokenGrant(config, second.refresh_token);
    assert.notEqual(third.refresh_token, second.refresh_token);
  });

  test('replaying an older refresh token is invalid_grant and revokes the whole chain', async () => {
    // The token just replaced has a short grace (sessions_tokens.test.mjs); one before it has none.
    const first = await login();
    const middle = await client.refreshTokenGrant(config, first.refresh_token);
    const second = await client.refreshTokenGrant(config, middle.refresh_token);
    assert.equal((await introspect(srv.issuer, second.access_token)).active, true);

    const replay = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(replay.status, 400);
    assert.equal(replay.json.error, 'invalid_grant');

    // The refresh token rotated in by the legitimate use is dead too ...
    const next = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'refresh_token', refresh_token: second.refresh_token });
    assert.equal(next.status, 400, JSON.stringify(next.json));
    assert.equal(next.json.error, 'invalid_grant');
    // ... and so is the access token minted with it.
    assert.equal((await introspect(srv.issuer, second.access_token)).active, false);
    assert.equal((await introspect(srv.issuer, first.access_token)).active, false);
  });

  test('a wrong password is 400 invalid_grant', async () => {
    const r = await passwordGrant(srv.issuer, user.username, 'not-my-password');
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    assert.equal(r.json.access_token, undefined);
    await assert.rejects(client.genericGrantRequest(config, 'password', { username: user.username, password: 'nope' }),
      (e) => e.error === 'invalid_grant');
  });

  test('an unknown user is 400 invalid_grant, like a wrong password', async () => {
    const r = await passwordGrant(srv.issuer, 'nobody-by-this-name', 'whatever');
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
  });

  test('a missing username or password is 400 invalid_request', async () => {
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'password', username: user.username });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_request');
  });

  test('a narrower scope on refresh is granted, a wider one is invalid_scope', async () => {
    const first = await login('openid profile email');
    const narrow = await client.refreshTokenGrant(config, first.refresh_token, { scope: 'openid profile' });
    assert.equal(narrow.scope, 'openid profile');
    const { payload } = await jwtVerify(narrow.access_token, jwks, { issuer: srv.issuer });
    assert.equal(payload.scope, 'openid profile');

    const wide = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'refresh_token', refresh_token: narrow.refresh_token, scope: 'openid profile email phone' });
    assert.equal(wide.status, 400, JSON.stringify(wide.json));
    assert.equal(wide.json.error, 'invalid_scope');
    // RFC 6749 §6: the refresh token keeps the scope it was granted; only that access token was narrower.
    const again = await client.refreshTokenGrant(config, narrow.refresh_token);
    assert.equal(again.scope, 'openid profile email');
  });

  test('a refresh token is bound to the client it was issued to', async () => {
    const admin = await adminToken(srv.issuer);
    const res = await fetch(`${srv.issuer}/api/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'other-refresher', type: 'confidential', grant_types: ['password', 'refresh_token'] }),
    });
    const other = await res.json();
    assert.equal(res.status, 201, JSON.stringify(other));
    const first = await login();
    const r = await tokenRequest(srv.issuer, other.client_id, other.client_secret,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    // The stranger's attempt did not use it up.
    const mine = await client.refreshTokenGrant(config, first.refresh_token);
    assert.equal(typeof mine.access_token, 'string');
  });

  test('a refresh refused for a resource the client may not address leaves the token usable', async () => {
    const first = await login();
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token, resource: 'https://elsewhere.example' });
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.error, 'invalid_target');
    const next = await client.refreshTokenGrant(config, first.refresh_token);
    assert.notEqual(next.refresh_token, first.refresh_token);
  });

  for (const scope of ['openid profile', 'profile']) {
    test(`deleting the user ends its refresh tokens (scope "${scope}")`, async () => {
      const admin = await adminToken(srv.issuer);
      const doomed = await createUser(srv.issuer, admin);
      const granted = await passwordGrant(srv.issuer, doomed.username, doomed.password, scope);
      assert.equal(granted.status, 200, JSON.stringify(granted.json));
      const del = await api(srv.issuer, admin, 'DELETE', `/users/${doomed.id}`);
      assert.equal(del.status, 204, JSON.stringify(del.json));
      const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
        { grant_type: 'refresh_token', refresh_token: granted.json.refresh_token });
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.error, 'invalid_grant');
      assert.equal(r.json.access_token, undefined);
    });
  }

  test('a tampered refresh token is invalid_grant and costs the real one nothing', async () => {
    const first = await login();
    const t = first.refresh_token;
    // Flip one character of the grant part, then one of the MAC.
    for (const at of [3, t.length - 3]) {
      const forged = t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
      const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
        { grant_type: 'refresh_token', refresh_token: forged });
      assert.equal(r.status, 400);
      assert.equal(r.json.error, 'invalid_grant');
      assert.equal((await introspect(srv.issuer, forged)).active, false);
    }
    const next = await client.refreshTokenGrant(config, t);
    assert.equal(typeof next.refresh_token, 'string');
    assert.equal((await introspect(srv.issuer, first.access_token)).active, true, 'nothing was revoked');
  });

  test('a refresh token is refused by another tenant, even by a client of the same name', async () => {
    const admin = await adminToken(srv.issuer);
    const slug = `rt${Date.now().toString(36)}`;
    const created = await api(srv.issuer, admin, 'POST', '/tenants',
      { slug, name: 'Other', admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const first = await login();
    const r = await tokenRequest(created.json.issuer, 'admin-cli', created.json.admin_client.client_secret,
      { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.error, 'invalid_grant');
    assert.equal((await introspect(srv.issuer, first.refresh_token)).active, true);
  });

  test('an unknown refresh token is invalid_grant', async () => {
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'refresh_token', refresh_token: 'A'.repeat(43) });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
  });

  test('the ID token alg is RS256 by default, the access token alg ES256', async () => {
    const tokens = await login();
    assert.equal(decodeProtectedHeader(tokens.id_token).alg, 'RS256');
    assert.equal(decodeProtectedHeader(tokens.access_token).alg, 'ES256');
  });
});
