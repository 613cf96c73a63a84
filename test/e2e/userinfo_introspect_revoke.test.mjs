// SPDX-License-Identifier: Apache-2.0
// UserInfo (OIDC Core §5.3), introspection (RFC 7662) and revocation (RFC 7009).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, get, introspect, oauthPost, startServer, tokenRequest,
} from './lib/server.mjs';

describe('userinfo, introspection and revocation', () => {
  let srv;
  let config;
  let user;
  before(async () => {
    srv = await startServer();
    config = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, undefined,
      client.ClientSecretBasic(ADMIN_CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
    user = await createUser(srv.issuer, await adminToken(srv.issuer), { name: 'Grace Hopper' });
  });
  after(async () => { await srv?.stop(); });

  const login = (scope = 'openid profile email') => client.genericGrantRequest(config, 'password',
    { username: user.username, password: user.password, scope });

  test('fetchUserInfo returns sub and the claims of the granted scopes', async () => {
    const tokens = await login('openid profile email');
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    assert.equal(info.sub, user.id);
    assert.equal(info.preferred_username, user.username);
    assert.equal(info.name, 'Grace Hopper');
    assert.equal(info.email, user.email);
  });

  test('userinfo leaves out claims whose scope was not granted', async () => {
    const profileOnly = await login('openid profile');
    const info = await client.fetchUserInfo(config, profileOnly.access_token, user.id);
    assert.equal(info.preferred_username, user.username);
    assert.equal(info.email, undefined);

    const emailOnly = await login('openid email');
    const info2 = await client.fetchUserInfo(config, emailOnly.access_token, user.id);
    assert.equal(info2.email, user.email);
    assert.equal(info2.preferred_username, undefined);
    assert.equal(info2.name, undefined);
  });

  test('userinfo by POST with the token in the header works too', async () => {
    const tokens = await login();
    const r = await fetch(`${srv.issuer}/oauth2/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).sub, user.id);
  });

  test('userinfo without a token is 401 with WWW-Authenticate: Bearer and no error code', async () => {
    const r = await get(`${srv.issuer}/oauth2/userinfo`);
    assert.equal(r.status, 401);
    // RFC 6750 §3.1: a request without credentials is told no error code, in the challenge or the body.
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer realm="[^"]+"$/);
    assert.equal(r.json?.error, undefined, JSON.stringify(r.json));
  });

  test('userinfo with a garbage token is 401 invalid_token', async () => {
    const r = await get(`${srv.issuer}/oauth2/userinfo`, { authorization: 'Bearer not.a.token' });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer\b.*invalid_token/);
  });

  test('userinfo with a client_credentials token (no user) is 401', async () => {
    const cc = await client.clientCredentialsGrant(config, { scope: 'openid profile' });
    const r = await get(`${srv.issuer}/oauth2/userinfo`, { authorization: `Bearer ${cc.access_token}` });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') || '', /^Bearer\b/);
  });

  test('introspection of a live user token: active with sub, client_id, scope, exp', async () => {
    const tokens = await login();
    const info = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(info.active, true);
    assert.equal(info.sub, user.id);
    assert.equal(info.client_id, ADMIN_CLIENT_ID);
    assert.equal(info.scope, 'openid profile email');
    assert.equal(typeof info.exp, 'number');
    assert.ok(info.exp * 1000 > Date.now());
    assert.equal(info.iss, srv.issuer);
  });

  test('introspection of a garbage token is active:false', async () => {
    const info = await client.tokenIntrospection(config, 'definitely-not-a-token');
    assert.deepEqual(info, { active: false });
  });

  test('introspection without client authentication is 401 invalid_client', async () => {
    const tokens = await login();
    const r = await oauthPost(srv.issuer, 'introspect', { token: tokens.access_token });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'invalid_client');
    assert.equal(r.json.active, undefined);
    const wrong = await oauthPost(srv.issuer, 'introspect', { token: tokens.access_token }, [ADMIN_CLIENT_ID, 'wrong']);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'invalid_client');
  });

  test('revoking an access token makes it dead everywhere at once', async () => {
    const tokens = await login();
    assert.equal((await api(srv.issuer, tokens.access_token, 'GET', '/me')).status, 200);
    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
    const ui = await get(`${srv.issuer}/oauth2/userinfo`, { authorization: `Bearer ${tokens.access_token}` });
    assert.equal(ui.status, 401);
    const me = await api(srv.issuer, tokens.access_token, 'GET', '/me');
    assert.equal(me.status, 401);
    assert.equal(me.json.code, 'AUT-0007');
  });

  test('revoking a refresh token kills it', async () => {
    const tokens = await login();
    await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    assert.equal((await client.tokenIntrospection(config, tokens.refresh_token)).active, false);
  });

  test('revoking a refresh token revokes the access tokens of its grant, old and new (RFC 7009 §2.1)', async () => {
    const first = await login();
    const second = await client.refreshTokenGrant(config, first.refresh_token);
    assert.equal((await introspect(srv.issuer, first.access_token)).active, true);
    await client.tokenRevocation(config, second.refresh_token, { token_type_hint: 'refresh_token' });
    assert.equal((await introspect(srv.issuer, first.access_token)).active, false);
    assert.equal((await introspect(srv.issuer, second.access_token)).active, false);
    const info = await fetch(`${srv.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${second.access_token}` } });
    assert.equal(info.status, 401);
  });

  test('a rotated refresh token introspects as inactive, its successor as active', async () => {
    const first = await login();
    const second = await client.refreshTokenGrant(config, first.refresh_token);
    assert.equal((await introspect(srv.issuer, first.refresh_token)).active, false);
    const info = await introspect(srv.issuer, second.refresh_token);
    assert.equal(info.active, true);
    // RFC 7662 §2.2: token_type is an RFC 6749 §7.1 type, that of the tokens it obtains.
    assert.equal(info.token_type, 'Bearer');
  });

  test('a refresh token introspects as active before revocation', async () => {
    const tokens = await login();
    const info = await introspect(srv.issuer, tokens.refresh_token);
    assert.equal(info.active, true);
    assert.equal(info.client_id, ADMIN_CLIENT_ID);
    assert.equal(info.sub, user.id);
  });

  test('revoking an unknown token is 200', async () => {
    const r = await oauthPost(srv.issuer, 'revoke', { token: 'no-such-token-at-all' }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]);
    assert.equal(r.status, 200);
    await client.tokenRevocation(config, 'another-unknown-token');
  });

  test('revocation needs client authentication', async () => {
    const tokens = await login();
    const r = await oauthPost(srv.issuer, 'revoke', { token: tokens.access_token });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'invalid_client');
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, true, 'the token survived');
  });
});
