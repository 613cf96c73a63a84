// SPDX-License-Identifier: Apache-2.0
// mfa_required at browser sign-in (API.md §13) in headless Chromium, by role and accessible name: a user
// without a second factor sets up TOTP (or email codes) after the password and before any session, sees
// the recovery codes once, and continues to the relying party's original authorization request, whose
// ID token says amr pwd, otp, mfa. Accessible at phone and desktop sizes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { adminToken, api, createApp, createUser, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { signInThroughAuthorization, startRp } from './lib/rp.mjs';
import { SIZES, assertAccessible, shot } from './lib/console.mjs';
import { codeIn, createProvider, nextMessage, readSpool, spoolDir, totp } from './lib/mfa.mjs';

const skip = browserMissing();

describe('mfa_required: the first second factor is set up at browser sign-in', { skip: skip ?? false }, () => {
  let srv; let rp; let browser; let admin; let app; let config; let jwks; let spool;

  before(async () => {
    srv = await startServer();
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    spool = await spoolDir();
    await createProvider(srv.issuer, admin, { name: 'spool', kind: 'email', plugin: 'file', config: { dir: spool, default: true } });
    app = await createApp(srv.issuer, admin, {
      name: 'Analytical Engine', type: 'public', grant_types: ['authorization_code'], first_party: true,
      redirect_uris: [rp.redirectUri],
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
    assert.equal((await api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { mfa_required: true } })).status, 200);
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  async function toSetup(page, user) {
    const req = await signInThroughAuthorization(page, config, rp.redirectUri, user);
    await page.getByRole('heading', { name: 'Set up two-step verification', level: 1 }).waitFor();
    return req;
  }

  async function claimsAfterContinue(page, req) {
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }).catch(async (e) => {
        throw new Error(`${e.message}\n${await page.locator('main').textContent()}`);
      }),
      page.getByRole('button', { name: 'I saved them, continue' }).click(),
    ]);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    return (await jwtVerify(tokens.id_token, jwks, { issuer: srv.issuer, audience: app.client_id })).payload;
  }

  test('TOTP: set up after the password, a wrong code refused, the codes shown once, back to the application', async () => {
    const user = await createUser(srv.issuer, admin);
    const ctx = await browser.newContext({ viewport: SIZES.phone });
    const page = await ctx.newPage();
    const req = await toSetup(page, user);
    assert.equal((await ctx.cookies()).find((c) => c.name === 'pc_session'), undefined, 'no session before the second factor');
    assert.ok(await page.getByRole('img', { name: 'QR code for your authenticator app' }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'Send a code by email' }).isVisible(), 'email is offered too');
    await assertAccessible(page, 'setup, phone');
    await shot(page, 'signin-enrol-phone');
    await page.setViewportSize(SIZES.desktop);
    await assertAccessible(page, 'setup, desktop');
    await shot(page, 'signin-enrol-desktop');
    const secret = (await page.locator('.secret-key code').textContent()).trim();
    assert.match(secret, /^[A-Z2-7]+=*$/);

    await page.getByRole('textbox', { name: 'Authentication code' }).fill('000000');
    await page.getByRole('button', { name: 'Turn on and continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();
    assert.equal((await api(srv.issuer, admin, 'GET', `/users/${user.id}/mfa`)).json.enabled.length, 0, 'nothing on after a wrong code');

    await page.getByRole('textbox', { name: 'Authentication code' }).fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on and continue' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes', level: 1 }).waitFor();
    const codes = (await page.getByRole('region', { name: 'Recovery codes', exact: true }).textContent()).trim().split('\n');
    assert.equal(codes.length, 10, JSON.stringify(codes));
    await assertAccessible(page, 'recovery codes, desktop');
    await shot(page, 'signin-enrol-codes-desktop');
    await page.setViewportSize(SIZES.phone);
    await assertAccessible(page, 'recovery codes, phone');
    await shot(page, 'signin-enrol-codes-phone');

    const claims = await claimsAfterContinue(page, req);
    assert.equal(claims.sub, user.id);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    const status = (await api(srv.issuer, admin, 'GET', `/users/${user.id}/mfa`)).json;
    assert.deepEqual(status.enabled, ['totp']);
    assert.equal(status.recovery_codes_left, 10);
    const events = (await api(srv.issuer, admin, 'GET', '/audit?type=mfa.enabled')).json.items;
    assert.ok(events.some((e) => e.subject === user.id && e.details.method === 'totp'), JSON.stringify(events));

    // The next sign-in asks for the factor just set up, not for a new setup.
    const again = await ctx.newPage();
    await ctx.clearCookies();
    await signInThroughAuthorization(again, config, rp.redirectUri, user, 'openid');
    await again.getByRole('heading', { name: 'Two-step verification', level: 1 }).waitFor();
    await ctx.close();
  });

  test('email codes instead: switched to, the code from the email turns them on', async () => {
    const user = await createUser(srv.issuer, admin);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await toSetup(page, user);
    const seen = (await readSpool(spool)).length;
    await page.getByRole('button', { name: 'Send a code by email' }).click();
    await page.getByRole('status').filter({ hasText: 'We sent you a code by email.' }).waitFor();
    const m = await nextMessage(spool, seen);
    assert.equal(m.to, user.email);
    await page.getByRole('textbox', { name: 'Code from the email' }).fill(codeIn(m.text));
    await page.getByRole('button', { name: 'Turn on and continue' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes', level: 1 }).waitFor();
    const claims = await claimsAfterContinue(page, req);
    assert.equal(claims.sub, user.id);
    assert.ok(claims.amr.includes('mfa'), JSON.stringify(claims.amr));
    assert.deepEqual((await api(srv.issuer, admin, 'GET', `/users/${user.id}/mfa`)).json.enabled, ['email']);
    await ctx.close();
  });

  test('a forged or replayed setup form is refused, and nothing is turned on', async () => {
    const user = await createUser(srv.issuer, admin);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await toSetup(page, user);
    const secret = (await page.locator('.secret-key code').textContent()).trim();
    // The sealed request cannot be edited: a changed one is an expired form.
    await page.locator('input[name="request"]').first().evaluate((i) => { i.value = `${i.value.slice(0, -4)}AAAA`; });
    await page.getByRole('textbox', { name: 'Authentication code' }).fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on and continue' }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    assert.doesNotMatch(await page.locator('h1').textContent(), /recovery codes/);
    assert.deepEqual((await api(srv.issuer, admin, 'GET', `/users/${user.id}/mfa`)).json.enabled, []);
    await ctx.close();
  });
});
