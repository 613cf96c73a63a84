// SPDX-License-Identifier: Apache-2.0
// Step-up through the browser (API.md §16, RFC 9470 with OIDC acr_values) and token_claims in real
// tokens (API.md §16): a relying party whose password-only token is refused by step-up sends the
// person back with acr_values=mfa; single sign-on is set aside, the second factor is asked, and the
// new token passes. The application's token_claims carry the person's attributes into both tokens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { adminToken, api, createApp, createUser, jwtPayload, startServer, unique } from './lib/server.mjs';
import { browserMissing, launchBrowser, onLoginPage, signIn } from './lib/browser.mjs';
import { startRp } from './lib/rp.mjs';
import { enrolTotp, totpAt } from './lib/mfa.mjs';

const skip = browserMissing();

describe('acr_values=mfa in the browser and token_claims in the tokens', { skip: skip ?? false }, () => {
  let srv; let rp; let browser; let admin; let app; let config; let jwks; let user;

  before(async () => {
    srv = await startServer();
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    const stepUp = await api(srv.issuer, admin, 'PATCH', '/tenant',
      { settings: { step_up: { permissions: ['users:*'], max_age: 300 } } });
    assert.equal(stepUp.status, 200, JSON.stringify(stepUp.json));
    const role = unique('helpdesk');
    assert.equal((await api(srv.issuer, admin, 'POST', '/roles', { name: role, permissions: ['users:read'] })).status, 201);
    user = await createUser(srv.issuer, admin, { roles: [role], attributes: { tier: 'gold', region: 'eu' } });
    app = await createApp(srv.issuer, admin, {
      name: 'Support Desk', type: 'public', grant_types: ['authorization_code'], first_party: true,
      redirect_uris: [rp.redirectUri], token_claims: { tier: 'attributes.tier', home: 'attributes.region' },
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  /** Starts an authorization request in `page`; returns what the code exchange needs. */
  async function authorize(page, extra = {}) {
    const req = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid profile', state: req.state, nonce: req.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(req.verifier), code_challenge_method: 'S256', ...extra,
    });
    await page.goto(url.href);
    return req;
  }

  async function tokensAt(page, req) {
    await page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    const id = (await jwtVerify(tokens.id_token, jwks, { issuer: srv.issuer, audience: app.client_id })).payload;
    return { access: tokens.access_token, id };
  }

  test('a password-only session is refused by step-up; acr_values=mfa asks again, with the second factor', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    let req = await authorize(page);
    assert.ok(await onLoginPage(page));
    await signIn(page, user.username, user.password);
    const first = await tokensAt(page, req);
    assert.deepEqual(first.id.amr, ['pwd']);
    const refused = await api(srv.issuer, first.access, 'GET', '/users');
    assert.equal(refused.status, 401, JSON.stringify(refused.json));
    assert.equal(refused.json.code, 'AUT-0019');
    assert.match(refused.headers.get('www-authenticate'), /insufficient_user_authentication/);

    const secret = await enrolTotp(srv.issuer, first.access);

    // Without acr_values the session signs the person in silently, still without the second factor.
    req = await authorize(page);
    const silent = await tokensAt(page, req);
    assert.deepEqual(silent.id.amr, ['pwd']);

    // With it, the person signs in again and is asked for the second factor.
    req = await authorize(page, { acr_values: 'mfa' });
    assert.ok(await onLoginPage(page), 'single sign-on is set aside');
    await signIn(page, user.username, user.password);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Two-step verification');
    await page.getByRole('textbox', { name: /code/i }).fill(totpAt(secret, 0));
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }),
      page.locator('button.primary').click(),
    ]);
    const stepped = await tokensAt(page, req);
    assert.ok(stepped.id.amr.includes('mfa'), JSON.stringify(stepped.id.amr));
    assert.equal((await api(srv.issuer, stepped.access, 'GET', '/users')).status, 200, 'step-up is satisfied');

    // The session now has the second factor: acr_values=mfa no longer asks.
    req = await authorize(page, { acr_values: 'mfa' });
    const again = await tokensAt(page, req);
    assert.ok(again.id.amr.includes('mfa'));
    await ctx.close();
  });

  test("token_claims put the person's attributes in the access and ID tokens, and follow a change", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const other = await createUser(srv.issuer, admin, { attributes: { tier: 'silver' } });
    let req = await authorize(page);
    await signIn(page, other.username, other.password);
    let t = await tokensAt(page, req);
    assert.equal(jwtPayload(t.access).tier, 'silver');
    assert.equal(t.id.tier, 'silver');
    assert.equal(jwtPayload(t.access).home, undefined, 'an attribute the person lacks gives no claim');
    assert.equal(t.id.home, undefined);

    assert.equal((await api(srv.issuer, admin, 'PATCH', `/users/${other.id}`,
      { attributes: { tier: 'platinum', region: 'ap' } })).status, 200);
    req = await authorize(page);
    t = await tokensAt(page, req);
    assert.equal(jwtPayload(t.access).tier, 'platinum');
    assert.equal(jwtPayload(t.access).home, 'ap');
    assert.equal(t.id.home, 'ap');
    await ctx.close();
  });
});
