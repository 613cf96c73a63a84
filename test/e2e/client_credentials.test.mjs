// SPDX-License-Identifier: Apache-2.0
// The client_credentials grant (RFC 6749 §4.4) and token endpoint errors (§5.2).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, basic, createApp, startServer, tokenRequest,
} from './lib/server.mjs';

/** RFC 6749 §5.2: an error body has a string `error` (and maybe a string `error_description`). */
function assertOAuthError(r, status, error) {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.equal(typeof r.json, 'object');
  assert.equal(r.json.error, error);
  if ('error_description' in r.json) assert.equal(typeof r.json.error_description, 'string');
  assert.equal(r.json.access_token, undefined);
}

describe('client_credentials grant', () => {
  let srv;
  let config;
  let jwks;
  before(async () => {
    srv = await startServer();
    config = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, undefined,
      client.ClientSecretBasic(ADMIN_CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  });
  after(async () => { await srv?.stop(); });

  test('openid-client gets an RFC 9068 access token that verifies against the JWKS', async () => {
    const before_ = Math.floor(Date.now() / 1000);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'openid profile' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.expires_in > 0);
    assert.equal(tokens.refresh_token, undefined, 'no refresh token for client_credentials');
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: srv.issuer, audience: srv.issuer, typ: 'at+jwt', algorithms: ['ES256'],
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(typeof protectedHeader.kid, 'string');
    assert.equal(payload.iss, srv.issuer);
    assert.equal(payload.sub, ADMIN_CLIENT_ID);
    assert.equal(payload.client_id, ADMIN_CLIENT_ID);
    assert.equal(payload.aud, srv.issuer);
    assert.equal(payload.scope, 'openid profile');
    assert.equal(typeof payload.jti, 'string');
    assert.ok(payload.jti.length > 0);
    assert.equal(typeof payload.iat, 'number');
    assert.equal(typeof payload.exp, 'number');
    assert.ok(payload.iat >= before_ - 5 && payload.iat <= Math.floor(Date.now() / 1000) + 5, 'iat is now');
    assert.equal(payload.exp - payload.iat, tokens.expires_in);
    assert.equal(payload.sid, undefined, 'no session for a client token');
  });

  test('two tokens have distinct jti', async () => {
    const a = await client.clientCredentialsGrant(config);
    const b = await client.clientCredentialsGrant(config);
    const pa = (await jwtVerify(a.access_token, jwks)).payload;
    const pb = (await jwtVerify(b.access_token, jwks)).payload;
    assert.notEqual(pa.jti, pb.jti);
  });

  test('a scope outside the client\'s scopes is 400 invalid_scope', async () => {
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
      { grant_type: 'client_credentials', scope: 'openid ledger.admin' });
    assertOAuthError(r, 400, 'invalid_scope');
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'not-a-scope-of-mine' }),
      (e) => e.error === 'invalid_scope' && e.status === 400);
  });

  test('a wrong secret is 401 invalid_client with an RFC 6749 §5.2 body', async () => {
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, 'wrong-secret', { grant_type: 'client_credentials' });
    assertOAuthError(r, 401, 'invalid_client');
    assert.match(r.headers.get('www-authenticate') || '', /^Basic/i, 'a 401 after Basic authentication carries WWW-Authenticate');
    const unknown = await tokenRequest(srv.issuer, 'no-such-client', 'whatever', { grant_type: 'client_credentials' });
    assertOAuthError(unknown, 401, 'invalid_client');
  });

  test('no client authentication at all is 401 invalid_client', async () => {
    const r = await tokenRequest(srv.issuer, undefined, undefined, { grant_type: 'client_credentials' });
    assertOAuthError(r, 401, 'invalid_client');
  });

  test('client_secret_post works too', async () => {
    const post = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, undefined,
      client.ClientSecretPost(ADMIN_CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(post);
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: srv.issuer });
    assert.equal(payload.client_id, ADMIN_CLIENT_ID);
    // And a wrong secret in the body is refused.
    const r = await tokenRequest(srv.issuer, undefined, undefined,
      { grant_type: 'client_credentials', client_id: ADMIN_CLIENT_ID, client_secret: 'wrong' });
    assertOAuthError(r, 401, 'invalid_client');
  });

  test('two client authentication methods at once are refused', async () => {
    const r = await fetch(`${srv.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET) },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN_CLIENT_ID, client_secret: ADMIN_CLIENT_SECRET }),
    });
    const json = await r.json();
    assert.ok(r.status === 400 || r.status === 401, `status ${r.status}`);
    assert.ok(['invalid_request', 'invalid_client'].includes(json.error), json.error);
  });

  test('an unsupported grant_type is 400 unsupported_grant_type', async () => {
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'urn:example:no-such-grant' });
    assertOAuthError(r, 400, 'unsupported_grant_type');
  });

  test('a missing grant_type is 400 invalid_request', async () => {
    const r = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { scope: 'openid' });
    assertOAuthError(r, 400, 'invalid_request');
  });

  test('a client without the grant type is 400 unauthorized_client', async () => {
    const admin = await adminToken(srv.issuer);
    const app = await createApp(srv.issuer, admin, { grant_types: ['password'] });
    const r = await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
    assertOAuthError(r, 400, 'unauthorized_client');
    // The same client may use the grant it has (proving the secret was right).
    const ok = await tokenRequest(srv.issuer, app.client_id, app.client_secret,
      { grant_type: 'password', username: 'admin', password: 'not-the-password' });
    assertOAuthError(ok, 400, 'invalid_grant');
  });

  test('a body that is not a form is 400', async () => {
    const r = await fetch(`${srv.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    const json = await r.json();
    assert.equal(r.status, 400);
    assert.equal(json.error, 'invalid_request');
    assert.equal(json.access_token, undefined);
  });

  test('a token request by GET is refused', async () => {
    const r = await fetch(`${srv.issuer}/oauth2/token?grant_type=client_credentials`, {
      headers: { authorization: basic(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET) },
    });
    await r.arrayBuffer();
    assert.ok(r.status === 405 || r.status === 404 || r.status === 400, `status ${r.status}`);
  });

  test('a newly created application gets tokens with its own client_id as sub', async () => {
    const admin = await adminToken(srv.issuer);
    const app = await createApp(srv.issuer, admin);
    const r = await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(decodeProtectedHeader(r.json.access_token).typ, 'at+jwt');
    const { payload } = await jwtVerify(r.json.access_token, jwks, { issuer: srv.issuer, audience: srv.issuer });
    assert.equal(payload.sub, app.client_id);
    assert.equal(payload.client_id, app.client_id);
  });
});
