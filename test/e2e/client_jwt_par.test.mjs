// SPDX-License-Identifier: Apache-2.0
// Client authentication with JWTs (RFC 7523), pushed authorization requests (RFC 9126) and
// signed request objects (RFC 9101), driven by openid-client and refused where the RFCs say MUST.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { adminToken, api, createApp, createUser, oauthPost, startServer } from './lib/server.mjs';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const insecure = { execute: [client.allowInsecureRequests] };

async function keyPair(alg, kid) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, kid, alg };
}

/** A client assertion as RFC 7523 §3 describes it; `claims` override the defaults. */
function assertion(key, clientId, aud, claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID(), iss: clientId, sub: clientId, aud, iat: now, exp: now + 60, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .sign(key.privateKey);
}

function assertionGrant(issuer, clientId, jwt, extra = {}) {
  return oauthPost(issuer, 'token', {
    grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: jwt, ...extra,
  });
}

/** The login form an authorization URL leads to: sealed request, CSRF token, cookie. */
async function loginForm(url) {
  const r = await fetch(url, { redirect: 'manual' });
  const html = await r.text();
  const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1]
    ?? html.match(new RegExp(`value="([^"]*)"[^>]*name="${name}"`))?.[1];
  const cookie = (r.headers.getSetCookie?.() || []).map((c) => c.split(';')[0]).join('; ');
  return { status: r.status, html, location: r.headers.get('location'), request: field('request'), csrf: field('csrf'), cookie };
}

/** Sign in on the login form; returns the redirect back to the client. */
async function signIn(issuer, form, user) {
  const r = await fetch(`${issuer}/oauth2/authorize/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ request: form.request, csrf: form.csrf, username: user.username, password: user.password }),
  });
  assert.ok([302, 303].includes(r.status), await r.text());
  return new URL(r.headers.get('location'));
}

describe('client authentication with JWTs, PAR and request objects', () => {
  let srv, admin, ecKey, rsaKey, otherKey, jwksServer, jwksUrl, user;
  let pkjApp, uriApp, parApp;
  const redirect = 'http://127.0.0.1:9/cb';

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin);
    ecKey = await keyPair('ES256', 'ec-1');
    rsaKey = await keyPair('PS256', 'rsa-1');
    otherKey = await keyPair('ES256', 'ec-1'); // the same kid, another key
    jwksServer = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [rsaKey.jwk] }));
    });
    await new Promise((ok) => jwksServer.listen(0, '127.0.0.1', ok));
    jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
    pkjApp = await createApp(srv.issuer, admin, {
      token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecKey.jwk] },
      grant_types: ['client_credentials', 'authorization_code'], redirect_uris: [redirect], first_party: true,
    });
    uriApp = await createApp(srv.issuer, admin, { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUrl });
    parApp = await createApp(srv.issuer, admin, {
      token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ecKey.jwk] }, require_par: true,
      grant_types: ['authorization_code'], redirect_uris: [redirect], first_party: true,
    });
  });
  after(async () => {
    await srv?.stop();
    jwksServer?.close();
  });

  const configFor = (app, key) => client.discovery(new URL(srv.issuer), app.client_id, undefined,
    client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), insecure);

  test('discovery lists private_key_jwt, its algorithms, the PAR endpoint and request objects', async () => {
    const meta = (await configFor(pkjApp, ecKey)).serverMetadata();
    for (const ep of ['token', 'introspection', 'revocation']) {
      assert.ok(meta[`${ep}_endpoint_auth_methods_supported`].includes('private_key_jwt'), ep);
      assert.ok(meta[`${ep}_endpoint_auth_methods_supported`].includes('client_secret_jwt'), ep);
      assert.deepEqual(meta[`${ep}_endpoint_auth_signing_alg_values_supported`], ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA']);
    }
    assert.equal(meta.pushed_authorization_request_endpoint, `${srv.issuer}/oauth2/par`);
    assert.equal(meta.request_parameter_supported, true);
  });

  test('openid-client authenticates with private_key_jwt from registered jwks (ES256)', async () => {
    const tokens = await client.clientCredentialsGrant(await configFor(pkjApp, ecKey));
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    const me = await oauthPost(srv.issuer, 'introspect', {
      token: tokens.access_token, client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(ecKey, pkjApp.client_id, `${srv.issuer}/oauth2/introspect`),
    });
    assert.equal(me.status, 200, JSON.stringify(me.json));
    assert.equal(me.json.active, true);
    assert.equal(me.json.client_id, pkjApp.client_id);
    const rv = await oauthPost(srv.issuer, 'revoke', {
      token: tokens.access_token, client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(ecKey, pkjApp.client_id, srv.issuer),
    });
    assert.equal(rv.status, 200, JSON.stringify(rv.json));
  });

  test('openid-client authenticates with keys fetched from jwks_uri (PS256, no client_id in the form)', async () => {
    const tokens = await client.clientCredentialsGrant(await configFor(uriApp, rsaKey));
    assert.ok(tokens.access_token);
    const r = await assertionGrant(srv.issuer, undefined, await assertion(rsaKey, uriApp.client_id, srv.issuer));
    assert.equal(r.status, 200, JSON.stringify(r.json));
  });

  test('a reused assertion jti is 401 invalid_client', async () => {
    const jwt = await assertion(ecKey, pkjApp.client_id, `${srv.issuer}/oauth2/token`);
    assert.equal((await assertionGrant(srv.issuer, pkjApp.client_id, jwt)).status, 200);
    const again = await assertionGrant(srv.issuer, pkjApp.client_id, jwt);
    assert.equal(again.status, 401);
    assert.equal(again.json.error, 'invalid_client');
    assert.match(again.json.error_description, /jti/);
  });

  test('a wrong aud, another key, an expired or foreign assertion is 401 invalid_client', async () => {
    const cases = {
      'wrong aud': await assertion(ecKey, pkjApp.client_id, 'https://elsewhere.example/token'),
      'another key, same kid': await assertion(otherKey, pkjApp.client_id, srv.issuer),
      expired: await assertion(ecKey, pkjApp.client_id, srv.issuer, { exp: Math.floor(Date.now() / 1000) - 120 }),
      'iss is another client': await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
        .setIssuer(uriApp.client_id).setSubject(pkjApp.client_id).setAudience(srv.issuer).setExpirationTime('1m')
        .sign(ecKey.privateKey),
      'no jti': await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).setIssuer(pkjApp.client_id)
        .setSubject(pkjApp.client_id).setAudience(srv.issuer).setExpirationTime('1m').sign(ecKey.privateKey),
    };
    for (const [what, jwt] of Object.entries(cases)) {
      const r = await assertionGrant(srv.issuer, pkjApp.client_id, jwt);
      assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error, 'invalid_client', what);
    }
  });

  test('openid-client authenticates with client_secret_jwt; the secret as such, a replay or another alg is refused', async () => {
    const app = await createApp(srv.issuer, admin, { token_endpoint_auth_method: 'client_secret_jwt' });
    const config = await client.discovery(new URL(srv.issuer), app.client_id, undefined,
      client.ClientSecretJwt(app.client_secret), insecure);
    const tokens = await client.clientCredentialsGrant(config);
    assert.ok(tokens.access_token);
    const basicOnly = await oauthPost(srv.issuer, 'token', { grant_type: 'client_credentials' }, [app.client_id, app.client_secret]);
    assert.equal(basicOnly.status, 401);
    const key = new TextEncoder().encode(app.client_secret);
    const hs = (claims = {}) => new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'HS256' })
      .setIssuer(app.client_id).setSubject(app.client_id).setAudience(srv.issuer).setExpirationTime('1m').sign(key);
    const jwt = await hs();
    assert.equal((await assertionGrant(srv.issuer, app.client_id, jwt)).status, 200);
    assert.equal((await assertionGrant(srv.issuer, app.client_id, jwt)).status, 401, 'replayed jti');
    const wrongKey = await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setIssuer(app.client_id)
      .setSubject(app.client_id).setAudience(srv.issuer).setExpirationTime('1m').sign(new TextEncoder().encode('not-the-secret-not-the-secret-00'));
    assert.equal((await assertionGrant(srv.issuer, app.client_id, wrongKey)).status, 401, 'another secret');
    // an HS256 assertion for a private_key_jwt client is refused (no HMAC with a public key)
    const confused = await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'HS256', kid: 'ec-1' }).setIssuer(pkjApp.client_id)
      .setSubject(pkjApp.client_id).setAudience(srv.issuer).setExpirationTime('1m').sign(new TextEncoder().encode(JSON.stringify(ecKey.jwk)));
    assert.equal((await assertionGrant(srv.issuer, pkjApp.client_id, confused)).status, 401);
    // a rotated secret works at once; the old one no longer does
    const rotated = await api(srv.issuer, admin, 'POST', `/applications/${app.id}/secret`, {});
    assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
    assert.equal((await assertionGrant(srv.issuer, app.client_id, await hs())).status, 401, 'the old secret');
    const fresh = await new SignJWT({ jti: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setIssuer(app.client_id)
      .setSubject(app.client_id).setAudience(srv.issuer).setExpirationTime('1m').sign(new TextEncoder().encode(rotated.json.client_secret));
    assert.equal((await assertionGrant(srv.issuer, app.client_id, fresh)).status, 200);
    const shown = await api(srv.issuer, admin, 'GET', `/applications/${app.id}`);
    assert.equal(shown.json.secret_enc, undefined, 'the sealed secret is never shown');
  });

  test('a private_key_jwt client holds no secret: none shown, none to rotate, a guessed one refused; mixing methods is 400', async () => {
    assert.equal(pkjApp.client_secret, undefined, 'the keys are the credential');
    const rotate = await api(srv.issuer, admin, 'POST', `/applications/${pkjApp.id}/secret`, {});
    assert.equal(rotate.status, 400);
    assert.ok(rotate.json.fields.token_endpoint_auth_method, JSON.stringify(rotate.json));
    const guessed = 'a-secret-this-client-never-had-0123456789';
    const r = await oauthPost(srv.issuer, 'token', { grant_type: 'client_credentials' }, [pkjApp.client_id, guessed]);
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'invalid_client');
    const mixed = await oauthPost(srv.issuer, 'token', {
      grant_type: 'client_credentials', client_assertion_type: JWT_BEARER,
      client_assertion: await assertion(ecKey, pkjApp.client_id, srv.issuer),
    }, [pkjApp.client_id, guessed]);
    assert.equal(mixed.status, 400);
    assert.equal(mixed.json.error, 'invalid_request');
  });

  test('an application registers only usable public keys', async () => {
    const bad = [
      [{ token_endpoint_auth_method: 'private_key_jwt' }, 'token_endpoint_auth_method'],
      [{ jwks: { keys: [{ ...ecKey.jwk, d: 'AAAA' }] } }, 'jwks'],
      [{ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'jwks'],
      [{ jwks: { nokeys: [] } }, 'jwks'],
      [{ jwks_uri: 'ftp://example.com/jwks' }, 'jwks_uri'],
      [{ jwks: { keys: [ecKey.jwk] }, jwks_uri: jwksUrl }, 'jwks_uri'],
      [{ token_endpoint_auth_method: 'none' }, 'token_endpoint_auth_method'],
    ];
    for (const [body, field] of bad) {
      const r = await api(srv.issuer, admin, 'POST', '/applications', { name: 'x', type: 'confidential', ...body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.ok(r.json.fields && field in r.json.fields, `${JSON.stringify(body)} names ${field}: ${JSON.stringify(r.json)}`);
    }
    const got = await api(srv.issuer, admin, 'GET', `/applications/${pkjApp.id}`);
    assert.equal(got.json.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(got.json.jwks, { keys: [ecKey.jwk] });
    assert.equal(got.json.require_par, false);
  });

  test('openid-client pushes the request (PAR), signs in and redeems the code', async () => {
    const config = await configFor(parApp, ecKey);
    const verifier = client.randomPKCECodeVerifier();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: redirect, scope: 'openid', state: 'st-1',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    assert.match(url.searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/);
    assert.equal(url.searchParams.get('redirect_uri'), null, 'only client_id and request_uri travel');
    const form = await loginForm(url);
    assert.equal(form.status, 200, form.html);
    const back = await signIn(srv.issuer, form, user);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: 'st-1' });
    assert.ok(tokens.access_token);
    assert.equal(tokens.claims().sub, user.id);

    const reused = await loginForm(url); // RFC 9126 §4: single use
    assert.equal(reused.status, 400);
    assert.match(reused.html, /invalid_request_uri|expired or was used/);
  });

  test('a pushed request is refused with a redirect URI the client did not register, or a request_uri inside', async () => {
    const push = async (params) => oauthPost(srv.issuer, 'par', {
      client_assertion_type: JWT_BEARER, client_assertion: await assertion(ecKey, parApp.client_id, `${srv.issuer}/oauth2/par`),
      response_type: 'code', client_id: parApp.client_id, scope: 'openid', ...params,
    });
    const ok = await push({ redirect_uri: redirect });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal(ok.json.expires_in, 60);
    const foreign = await push({ redirect_uri: 'https://attacker.example/cb' });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.json.error, 'invalid_request');
    const nested = await push({ redirect_uri: redirect, request_uri: ok.json.request_uri });
    assert.equal(nested.status, 400);
    const unauthenticated = await oauthPost(srv.issuer, 'par', { response_type: 'code', client_id: parApp.client_id, redirect_uri: redirect });
    assert.equal(unauthenticated.status, 401);
    // another client cannot use it
    const stolen = await loginForm(`${srv.issuer}/oauth2/authorize?client_id=${pkjApp.client_id}&request_uri=${encodeURIComponent(ok.json.request_uri)}`);
    assert.equal(stolen.status, 400);
  });

  test('an application with require_par refuses a plain authorization request', async () => {
    const q = new URLSearchParams({
      response_type: 'code', client_id: parApp.client_id, redirect_uri: redirect, scope: 'openid', state: 'x',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
    const r = await fetch(`${srv.issuer}/oauth2/authorize?${q}`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    const back = new URL(r.headers.get('location'));
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description'), /push/);
  });

  test('openid-client signs the request (JAR); a request object signed by another key is refused', async () => {
    const config = await configFor(pkjApp, ecKey);
    const verifier = client.randomPKCECodeVerifier();
    const params = {
      redirect_uri: redirect, scope: 'openid', state: 'jar-1',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    };
    const url = await client.buildAuthorizationUrlWithJAR(config, params, { key: ecKey.privateKey, kid: ecKey.kid });
    const form = await loginForm(url);
    assert.equal(form.status, 200, form.html);
    const back = await signIn(srv.issuer, form, user);
    assert.equal(back.searchParams.get('state'), 'jar-1');

    const forged = await client.buildAuthorizationUrlWithJAR(config, params, { key: otherKey.privateKey, kid: otherKey.kid });
    const refused = await loginForm(forged);
    assert.equal(refused.status, 400);
    assert.equal(refused.location, null, 'never redirected to a URI read from an unverified object');
  });
});
