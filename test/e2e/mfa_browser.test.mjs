// SPDX-License-Identifier: Apache-2.0
// The MFA step of browser sign-in in real headless Chromium: TOTP after the password, a wrong code shown on
// the page, the choice of methods (preferred first), "send again" for email, a recovery code; the relying
// party's ID token carries amr otp and mfa.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createApp, createUser, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { signInThroughAuthorization, startRp } from './lib/rp.mjs';
import { codeIn, createProvider, enrolTotp, nextMessage, readSpool, spoolDir, totpAt, userToken } from './lib/mfa.mjs';

const skip = browserMissing();
const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];

describe('browser sign-in with a second factor', { skip: skip ?? false }, () => {
  let srv; let rp; let browser; let admin; let app; let config; let jwks; let spool;

  before(async () => {
    srv = await startServer();
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    spool = await spoolDir();
    await createProvider(srv.issuer, admin, { name: 'spool', kind: 'email', plugin: 'file', config: { dir: spool } });
    app = await createApp(srv.issuer, admin, {
      name: 'Difference Engine', type: 'public', grant_types: ['authorization_code'], first_party: true,
      redirect_uris: [rp.redirectUri],
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

  /** Goes to a fresh authorization request and signs in with the password; returns the request. */
  async function toMfaStep(page, user) {
    const req = await signInThroughAuthorization(page, config, rp.redirectUri, user);
    assert.equal(await page.locator('h1').textContent(), 'Two-step verification');
    assert.equal(await page.locator('form input[name="code"]').count(), 1);
    return req;
  }

  async function submitCode(page, code) {
    await page.locator('input[name="code"]').fill(code);
    await Promise.all([page.waitForLoadState('load'), page.locator('button.primary').click()]);
  }

  async function idTokenClaims(page, req) {
    await page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    return (await jwtVerify(tokens.id_token, jwks, { issuer: srv.issuer, audience: app.client_id })).payload;
  }

  test('TOTP: the MFA step after the password; a wrong code is shown; the ID token has amr otp and mfa', async () => {
    const user = await createUser(srv.issuer, admin);
    const secret = await enrolTotp(srv.issuer, await userToken(srv.issuer, user, ADMIN));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await toMfaStep(page, user);
    assert.equal((await ctx.cookies()).find((c) => c.name === 'pc_session'), undefined, 'no session before the second factor');
    assert.equal(await page.locator('input[name="code"]').getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await page.locator('label[for="code"]').count(), 1);
    assert.equal(await page.locator('button[name="resend"]').count(), 0, 'nothing to resend for TOTP');

    await submitCode(page, totpAt(secret, -3));
    assert.match(await page.locator('[role="alert"]').textContent(), /not right/);
    assert.equal(await page.locator('input[name="code"]').count(), 1);

    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }),
      submitCode(page, totpAt(secret, 0)),
    ]);
    const claims = await idTokenClaims(page, req);
    assert.equal(claims.sub, user.id);
    assert.ok(claims.amr.includes('otp') && claims.amr.includes('mfa'), JSON.stringify(claims.amr));
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.ok((await ctx.cookies()).find((c) => c.name === 'pc_session'));
    await ctx.close();
  });

  test('several methods: the preferred first, "send again" for email, a recovery code instead', async () => {
    const user = await createUser(srv.issuer, admin);
    const token = await userToken(srv.issuer, user, ADMIN);
    await enrolTotp(srv.issuer, token);
    let n = (await readSpool(spool)).length;
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: 'b@example.test' })).status, 204);
    const m = await nextMessage(spool, n);
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email/verify', { code: codeIn(m.text) })).status, 204);
    assert.equal((await api(srv.issuer, token, 'PUT', '/me/mfa/preferred', { method: 'email' })).status, 204);
    const codes = (await api(srv.issuer, token, 'POST', '/me/mfa/recovery-codes')).json.codes;

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    n = (await readSpool(spool)).length;
    const req = await toMfaStep(page, user);
    // The preferred method (email) is asked first and its code was sent at once.
    assert.equal(await page.locator('input[name="method"]').first().getAttribute('value'), 'email');
    assert.match(await page.locator('[role="status"]').textContent(), /email/);
    await nextMessage(spool, n);
    const choices = await page.locator('button[name="switch"]').evaluateAll((bs) => bs.map((b) => b.value));
    assert.deepEqual(choices, ['totp', 'recovery_code']);
    assert.equal(await page.locator('button[name="switch"][value="recovery_code"]').textContent(), 'Use a recovery code');

    // "Send the code again" is throttled right after the first one, and says so.
    await Promise.all([page.waitForLoadState('load'), page.locator('button[name="resend"]').click()]);
    assert.match(await page.locator('[role="alert"]').textContent(), /moments ago/);

    // Switch to a recovery code and use one.
    await Promise.all([page.waitForLoadState('load'), page.locator('button[name="switch"][value="recovery_code"]').click()]);
    assert.equal(await page.locator('label[for="code"]').textContent(), 'Recovery code');
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }),
      submitCode(page, codes[0]),
    ]);
    const claims = await idTokenClaims(page, req);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    await ctx.close();
  });
});
