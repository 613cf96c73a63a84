// SPDX-License-Identifier: Apache-2.0
// Native apps (RFC 8252) in headless Chromium: a loopback redirect on a port that was not registered
// (§7.3) and a private-use URI scheme (§7.1), each redeemed with openid-client; what stays refused.
// Also discovery's claims_supported and request_uri_parameter_supported (issue #18).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { adminToken, api, createApp, createUser, get, jwtPayload, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser, signIn } from './lib/browser.mjs';
import { startRp } from './lib/rp.mjs';

const skip = browserMissing();
const SCHEME_URI = 'com.example.orbit:/oauth2redirect';

describe('native apps (RFC 8252)', { skip: skip ?? false }, () => {
  let srv; let rp; let browser; let admin; let user; let app; let config;

  before(async () => {
    srv = await startServer();
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin);
    // Registered without a port, as a native app does: it gets whatever port is free at run time.
    app = await createApp(srv.issuer, admin, {
      name: 'Orbit Desktop', type: 'public', grant_types: ['authorization_code'],
      redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback', SCHEME_URI], scopes: ['openid', 'profile'],
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  async function request(redirectUri) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid profile', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return { url, verifier, state };
  }

  /** Signs in and allows in a fresh browser; returns the Location the server sent the browser to. */
  async function authorize(req) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const redirects = [];
    page.on('response', (r) => { if (r.status() === 303 || r.status() === 302) redirects.push(r.headers().location); });
    await page.goto(req.url.href);
    await signIn(page, user.username, user.password);
    // The first time the person allows; later their consent stands (it is theirs, not the browser's).
    if (redirects.length === 0) await page.getByRole('button', { name: 'Allow' }).click();
    const deadline = Date.now() + 15000;
    while (redirects.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await ctx.close();
    assert.ok(redirects.length > 0, 'the server redirected the browser');
    return new URL(redirects[redirects.length - 1]);
  }

  test('a loopback redirect URI on an unregistered port is accepted and the code redeems', async () => {
    const req = await request(rp.redirectUri); // http://127.0.0.1:<ephemeral>/callback
    const back = await authorize(req);
    assert.equal(back.origin, rp.origin);
    assert.ok(rp.visits.some((v) => v.searchParams.get('code')), 'the loopback listener received the code');
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: req.verifier, expectedState: req.state });
    assert.equal(jwtPayload(tokens.access_token).sub, user.id);
  });

  test('a private-use URI scheme is registered and receives the code', async () => {
    const req = await request(SCHEME_URI);
    const back = await authorize(req);
    assert.equal(`${back.protocol}${back.pathname}`, SCHEME_URI);
    assert.equal(back.searchParams.get('iss'), srv.issuer);
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: req.verifier, expectedState: req.state });
    assert.equal(tokens.claims().sub, user.id);
  });

  test('only the port may differ, and only on loopback', async () => {
    for (const uri of [`${rp.origin}/other`, `http://localhost:${new URL(rp.origin).port}/callback`,
      `${rp.origin}/callback?x=1`, 'https://127.0.0.1:8443/callback', 'com.example.orbit:/other']) {
      const r = await get((await request(uri)).url.href);
      assert.equal(r.status, 400, `${uri} is refused`);
      assert.match(String(r.json), /not registered/);
    }
    const v6 = await get((await request('http://[::1]:61000/callback')).url.href);
    assert.equal(v6.status, 200, 'IPv6 loopback on any port: the login page');
  });

  test('registration accepts private-use schemes with a dot, and refuses others', async () => {
    for (const uri of ['myapp:/cb', 'javascript:alert(1)', 'com.example.app://', 'com.example app:/cb', 'com.example.app:/cb#x']) {
      const r = await api(srv.issuer, admin, 'POST', '/applications', { name: `bad ${uri}`, type: 'public', redirect_uris: [uri] });
      assert.equal(r.status, 400, `${uri}: ${JSON.stringify(r.json)}`);
      assert.ok(r.json.fields.redirect_uris, 'the field is named');
    }
  });

  test('discovery: every claim emitted, request_uri not served, no registration endpoint by default', async () => {
    const doc = (await get(`${srv.issuer}/.well-known/openid-configuration`)).json;
    for (const c of ['updated_at', 'azp', 'at_hash', 'given_name', 'family_name', 'picture', 'phone_number_verified', 'sid', 'amr'])
      assert.ok(doc.claims_supported.includes(c), `claims_supported has ${c}`);
    assert.equal(doc.request_uri_parameter_supported, false);
    assert.equal(doc.registration_endpoint, undefined);
  });
});
