// SPDX-License-Identifier: Apache-2.0
// DPoP (RFC 9449): openid-client binds tokens to its key; userinfo and the management API take a
// bound token only with a fresh proof of that key; the RFC's MUSTs are refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, createApp, adminToken, createUser, get, jwtPayload, signInByForm,
  startServer,
} from './lib/server.mjs';
import { dpopKey, proof } from './lib/dpop.mjs';

const insecure = { execute: [client.allowInsecureRequests] };

/** Drives the browser step of the code flow with plain HTTP: the code's redirect back. */
function authorize(issuer, app, user, challenge) {
  const q = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: app.redirect_uris[0], scope: 'openid offline_access',
    state: 'st', code_challenge: challenge, code_challenge_method: 'S256',
  });
  return signInByForm(issuer, `${issuer}/oauth2/authorize?${q}`, user);
}

describe('DPoP', () => {
  let srv, admin, user, confidential, pub, pubApp, userinfo;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin);
    confidential = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, undefined,
      client.ClientSecretBasic(ADMIN_CLIENT_SECRET), insecure);
    pubApp = await createApp(srv.issuer, admin, {
      type: 'public', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['http://127.0.0.1:9/cb'], first_party: true,
    });
    pub = await client.discovery(new URL(srv.issuer), pubApp.client_id, undefined, client.None(), insecure);
    userinfo = `${srv.issuer}/oauth2/userinfo`;
  });
  after(async () => { await srv?.stop(); });

  test('discovery lists the DPoP signing algorithms', () => {
    assert.deepEqual(confidential.serverMetadata().dpop_signing_alg_values_supported, ['RS256', 'PS256', 'ES256', 'EdDSA']);
  });

  test('openid-client gets a bound token (cnf.jkt, token_type DPoP) and uses it at userinfo and the management API', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const DPoP = client.getDPoPHandle(confidential, keyPair);
    const tokens = await client.genericGrantRequest(confidential, 'password',
      { username: 'admin', password: ADMIN_PASSWORD, scope: 'openid' }, { DPoP });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    assert.deepEqual(jwtPayload(tokens.access_token).cnf, { jkt });
    const info = await client.fetchUserInfo(confidential, tokens.access_token, client.skipSubjectCheck, { DPoP });
    assert.ok(info.sub);
    const users = await client.fetchProtectedResource(confidential, tokens.access_token,
      new URL(`${srv.issuer}/api/v1/users?limit=1`), 'GET', undefined, undefined, { DPoP });
    assert.equal(users.status, 200, await users.clone().text());

    // RFC 9449 §7.2: the same token as a bearer token is refused
    assert.equal((await get(userinfo, { authorization: `Bearer ${tokens.access_token}` })).status, 401);
    const asBearer = await fetch(`${srv.issuer}/api/v1/users`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(asBearer.status, 401);
    // introspection says what it is (RFC 9449 §6.2)
    const intro = await client.tokenIntrospection(confidential, tokens.access_token);
    assert.equal(intro.token_type, 'DPoP');
    assert.deepEqual(intro.cnf, { jkt });
  });

  test('a proof is refused when replayed, for another URL or method, without ath, by another key, or malformed', async () => {
    const key = await dpopKey();
    const tokenUrl = `${srv.issuer}/oauth2/token`;
    const grant = async (p) => fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_CLIENT_SECRET}`).toString('base64')}`, dpop: p },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const first = await proof(key, 'POST', tokenUrl);
    const ok = await grant(first);
    const body = await ok.json();
    assert.equal(ok.status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'DPoP');
    const token = body.access_token;

    const refusedAtToken = {
      replayed: first,
      'wrong htu': await proof(key, 'POST', `${srv.issuer}/oauth2/other`),
      'wrong htm': await proof(key, 'GET', tokenUrl),
      'old iat': await proof(key, 'POST', tokenUrl, { iat: Math.floor(Date.now() / 1000) - 3600 }),
      'no jti': await proof(key, 'POST', tokenUrl, { jti: undefined }),
      'typ JWT': await new SignJWT({ jti: randomUUID(), htm: 'POST', htu: tokenUrl, iat: Math.floor(Date.now() / 1000) })
        .setProtectedHeader({ typ: 'JWT', alg: 'ES256', jwk: key.jwk }).sign(key.privateKey),
      'two proofs': `${await proof(key, 'POST', tokenUrl)}, ${await proof(key, 'POST', tokenUrl)}`,
    };
    for (const [what, p] of Object.entries(refusedAtToken)) {
      const r = await grant(p);
      const j = await r.json();
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(j)}`);
      assert.equal(j.error, 'invalid_dpop_proof', what);
    }

    // a client_credentials token is not for userinfo; the management API checks the proof first
    const api = `${srv.issuer}/api/v1/applications`;
    const use = (p, scheme = 'DPoP') => fetch(api, { headers: { authorization: `${scheme} ${token}`, ...(p ? { dpop: p } : {}) } });
    const good = await proof(key, 'GET', api, { token });
    assert.equal((await use(good)).status, 200);
    const other = await dpopKey();
    const refusedAtApi = {
      replayed: good,
      'no proof': undefined,
      'wrong htu': await proof(key, 'GET', `${srv.issuer}/api/v1/users`, { token }),
      'missing ath': await proof(key, 'GET', api),
      'ath of another token': await proof(key, 'GET', api, { token: 'another-token' }),
      'another key': await proof(other, 'GET', api, { token }),
    };
    for (const [what, p] of Object.entries(refusedAtApi)) {
      const r = await use(p);
      assert.equal(r.status, 401, `${what}: ${await r.text()}`);
    }
  });

  test('a public client\'s refresh token is bound to its key', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const DPoP = client.getDPoPHandle(pub, keyPair);
    const verifier = client.randomPKCECodeVerifier();
    const back = await authorize(srv.issuer, pubApp, user, await client.calculatePKCECodeChallenge(verifier));
    const tokens = await client.authorizationCodeGrant(pub, back, { pkceCodeVerifier: verifier, expectedState: 'st' }, undefined, { DPoP });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    assert.ok(tokens.refresh_token);

    // without a proof, or with another key: invalid_grant, and the token still works after
    await assert.rejects(client.refreshTokenGrant(pub, tokens.refresh_token), (e) => e.error === 'invalid_grant');
    const thief = client.getDPoPHandle(pub, await client.randomDPoPKeyPair('ES256'));
    await assert.rejects(client.refreshTokenGrant(pub, tokens.refresh_token, undefined, { DPoP: thief }),
      (e) => e.error === 'invalid_grant');
    const next = await client.refreshTokenGrant(pub, tokens.refresh_token, undefined, { DPoP });
    assert.ok(next.access_token);
    assert.equal(jwtPayload(next.access_token).cnf.jkt, jwtPayload(tokens.access_token).cnf.jkt);
    const info = await client.fetchUserInfo(pub, next.access_token, user.id, { DPoP });
    assert.equal(info.sub, user.id);
  });

  test('an unbound token keeps working as a bearer token and is refused under the DPoP scheme', async () => {
    const plain = await client.clientCredentialsGrant(confidential);
    assert.equal(plain.token_type.toLowerCase(), 'bearer');
    const api = `${srv.issuer}/api/v1/applications`;
    assert.equal((await fetch(api, { headers: { authorization: `Bearer ${plain.access_token}` } })).status, 200);
    const key = await dpopKey();
    const r = await fetch(api, { headers: { authorization: `DPoP ${plain.access_token}`, dpop: await proof(key, 'GET', api, { token: plain.access_token }) } });
    assert.equal(r.status, 401);
  });
});

describe('DPoP with server nonces', () => {
  let srv, config;
  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_DPOP_NONCE: 'true' } });
    config = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, undefined,
      client.ClientSecretBasic(ADMIN_CLIENT_SECRET), insecure);
  });
  after(async () => { await srv?.stop(); });

  test('a proof without the nonce is use_dpop_nonce with DPoP-Nonce; openid-client retries with it', async () => {
    const key = await dpopKey();
    const tokenUrl = `${srv.issuer}/oauth2/token`;
    const r = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_CLIENT_SECRET}`).toString('base64')}`, dpop: await proof(key, 'POST', tokenUrl) },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'use_dpop_nonce');
    const nonce = r.headers.get('dpop-nonce');
    assert.ok(nonce && nonce.length >= 16);
    const wrongNonce = await proof(key, 'POST', tokenUrl, { nonce: 'not-the-nonce' });
    const r2 = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_CLIENT_SECRET}`).toString('base64')}`, dpop: wrongNonce },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal((await r2.json()).error, 'use_dpop_nonce');

    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    let tokens;
    try {
      tokens = await client.clientCredentialsGrant(config, {}, { DPoP });
    } catch (e) {
      if (!client.isDPoPNonceError?.(e) && e.error !== 'use_dpop_nonce') throw e;
      tokens = await client.clientCredentialsGrant(config, {}, { DPoP }); // the handle learnt the nonce
    }
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  });
});
