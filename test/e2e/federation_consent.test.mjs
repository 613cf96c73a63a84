// SPDX-License-Identifier: Apache-2.0
// Federated sign-in in headless Chromium, by role and accessible name with axe at phone and desktop
// sizes: into a third-party application the consent page follows the upstream sign-in (Allow returns
// a code, Deny returns access_denied); with mfa_required, a person who came through the upstream
// sets up TOTP and the ID token says fed, otp, mfa (never pwd) and names the provider.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { adminToken, api, createApp, jwtPayload, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser, onLoginPage } from './lib/browser.mjs';
import { SIZES, assertAccessible, shot } from './lib/console.mjs';
import { startFakeOidc } from './lib/federation.mjs';
import { startRp } from './lib/rp.mjs';
import { totp } from './lib/mfa.mjs';

const CLIENT = { clientId: 'portcullis-consent', clientSecret: 'upstream-secret-2' };

describe('federated sign-in into a third-party application', { skip: browserMissing() ?? false }, () => {
  let srv; let admin; let browser; let up; let rp; let app; let oidc;
  let n = 0;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    browser = await launchBrowser();
    up = await startFakeOidc(CLIENT);
    rp = await startRp();
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'corp', display_name: 'Corp SSO', kind: 'oidc',
      config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    app = await createApp(srv.issuer, admin, {
      name: 'Partner Reports', type: 'public', grant_types: ['authorization_code'], first_party: false,
      redirect_uris: [rp.redirectUri],
    });
    oidc = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await up?.close();
    await srv?.stop();
  });

  /** A new person at the upstream, then the login page of the application, then its button. */
  async function throughUpstream(page) {
    n += 1;
    up.subject = `partner-${n}`;
    up.claims = { email: `partner-${n}@corp.test`, email_verified: true, preferred_username: `partner${n}`, name: `Partner ${n}` };
    const req = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    const url = client.buildAuthorizationUrl(oidc, {
      redirect_uri: rp.redirectUri, scope: 'openid profile email', state: req.state, nonce: req.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(req.verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    assert.ok(await onLoginPage(page), 'the login page is shown');
    await Promise.all([
      page.waitForURL((u) => u.pathname.endsWith('/oauth2/authorize') || u.pathname.includes('/federation/corp/callback'), { timeout: 15000 }),
      page.getByRole('button', { name: 'Sign in with Corp SSO' }).click(),
    ]);
    return req;
  }

  const backAtRp = (page) => page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });

  for (const [size, viewport] of Object.entries(SIZES)) {
    test(`the consent page follows the upstream; Allow returns a code (${size})`, async () => {
      const ctx = await browser.newContext({ viewport });
      const page = await ctx.newPage();
      const req = await throughUpstream(page);
      await page.getByRole('heading', { name: 'Partner Reports wants to access your account' }).waitFor();
      assert.ok(await page.getByText(`Partner ${n}`).first().isVisible(), 'the page says who is signed in');
      await assertAccessible(page, `consent after a federated sign-in (${size})`);
      await shot(page, `federation-consent-${size}`);
      await Promise.all([backAtRp(page), page.getByRole('button', { name: 'Allow' }).click()]);
      const tokens = await client.authorizationCodeGrant(oidc, new URL(page.url()),
        { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
      const claims = jwtPayload(tokens.id_token);
      assert.deepEqual(claims.amr, ['fed']);
      assert.equal(claims.idp, 'corp');
      const [user] = (await api(srv.issuer, admin, 'GET', `/users?q=partner-${n}%40corp.test`)).json.items;
      assert.equal(claims.sub, user.id);
      await ctx.close();
    });

    test(`Deny returns access_denied to the application (${size})`, async () => {
      const ctx = await browser.newContext({ viewport });
      const page = await ctx.newPage();
      const req = await throughUpstream(page);
      await page.getByRole('heading', { name: 'Partner Reports wants to access your account' }).waitFor();
      await Promise.all([backAtRp(page), page.getByRole('button', { name: 'Deny' }).click()]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('state'), req.state);
      assert.equal(back.searchParams.get('code'), null);
      await ctx.close();
    });
  }

  test('mfa_required: a person from the upstream sets up TOTP; the ID token says fed, otp, mfa', async () => {
    assert.equal((await api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { mfa_required: true } })).status, 200);
    const ctx = await browser.newContext({ viewport: SIZES.phone });
    try {
      const page = await ctx.newPage();
      const req = await throughUpstream(page);
      await page.getByRole('heading', { name: 'Set up two-step verification', level: 1 }).waitFor();
      const secret = (await page.locator('.secret-key code').textContent()).trim();
      await page.getByRole('textbox', { name: 'Authentication code' }).fill(totp(secret));
      await page.getByRole('button', { name: 'Turn on and continue' }).click();
      await page.getByRole('heading', { name: 'Save your recovery codes', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'I saved them, continue' }).click();
      await page.getByRole('heading', { name: 'Partner Reports wants to access your account' }).waitFor();
      await Promise.all([backAtRp(page), page.getByRole('button', { name: 'Allow' }).click()]);
      const tokens = await client.authorizationCodeGrant(oidc, new URL(page.url()),
        { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
      const claims = jwtPayload(tokens.id_token);
      assert.deepEqual(claims.amr, ['fed', 'otp', 'mfa']);
      assert.equal(claims.idp, 'corp');
    } finally {
      await ctx.close();
      await api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { mfa_required: false } });
    }
  });
});
