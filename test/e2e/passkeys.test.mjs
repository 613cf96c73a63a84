// SPDX-License-Identifier: Apache-2.0
// Passkeys (issue #19) in real headless Chromium with a DevTools virtual authenticator: a passkey added in the
// account console, signing in with it alone (amr hwk/swk + user), as the second factor after a password
// (amr pwd + hwk/swk + mfa), a replayed response refused, and removing it. The pages are checked by role and
// name at phone and desktop sizes with axe, and screenshots are kept.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, basic, createApp, createUser, freePort, startServer, tokenRequest } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { SIZES, assertAccessible, consolePage, shot, signInTo } from './lib/console.mjs';
import { startRp } from './lib/rp.mjs';
import { mfaGrant, userToken } from './lib/mfa.mjs';
import { addVirtualAuthenticator, askPasskeyOptions, loginForm } from './lib/webauthn.mjs';
import { softAssertion, softRegistration } from './lib/softkey.mjs';

const skip = browserMissing();
const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];

describe('passkeys in the browser', { skip: skip ?? false }, () => {
  // WebAuthn refuses IP addresses as rpId: the server's public URL uses the name localhost.
  let srv; let rp; let browser; let admin; let app; let config; let jwks; let issuer; let user;

  before(async () => {
    const port = await freePort();
    srv = await startServer({ port, env: { PORTCULLIS_PUBLIC_URL: `http://localhost:${port}` } });
    issuer = `http://localhost:${port}/t/default`;
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    app = await createApp(srv.issuer, admin, {
      name: 'Analytical Engine', type: 'public', grant_types: ['authorization_code'], first_party: true,
      redirect_uris: [rp.redirectUri],
    });
    config = await client.discovery(new URL(issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
    user = await createUser(srv.issuer, admin);
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  async function authorize(page) {
    const verifier = client.randomPKCECodeVerifier();
    const req = { verifier, state: client.randomState(), nonce: client.randomNonce() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid profile', state: req.state, nonce: req.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    return req;
  }

  async function idTokenClaims(page, req) {
    await page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    return (await jwtVerify(tokens.id_token, jwks, { issuer, audience: app.client_id })).payload;
  }

  let page; let authn; let snapshot; let creds;

  /**
   * A fresh page whose authenticator holds the passkey as last used (copies keep the signature counter), in
   * a browser without conditional UI so that nothing signs in before the test says so.
   */
  async function pageWithPasskey(size, credentials) {
    const p = await consolePage(browser, size);
    await p.addInitScript(() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; });
    const a = await addVirtualAuthenticator(p);
    for (const c of credentials ?? creds) await a.addCredential(c);
    if (!credentials) authn = a;
    return p;
  }

  test('a passkey added in the account console is listed, and the method is on', async () => {
    page = await consolePage(browser, SIZES.desktop);
    authn = await addVirtualAuthenticator(page);
    await signInTo(page, issuer, 'account', user.username, user.password);
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await page.getByLabel('Passkey label').fill('Work laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('rowheader', { name: 'Work laptop' }).waitFor({ timeout: 15000 });
    assert.match(await page.getByRole('status').first().textContent(), /Work laptop/);
    await page.getByText('On: Passkeys.', { exact: false }).waitFor(); // the two-step summary follows
    // The first second factor: recovery codes are shown once, as after any first method (API.md §13).
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    assert.deepEqual(page.errors, []);

    const stored = await authn.credentials();
    snapshot = stored;
    creds = stored;
    assert.equal(stored.length, 1, 'the authenticator holds one credential');
    assert.equal(stored[0].isResidentCredential, true, 'a discoverable credential');
    assert.equal(stored[0].rpId, 'localhost');
    const token = await userToken(srv.issuer, user, ADMIN).catch((e) => e);
    // The password grant now asks for the second factor, and offers webauthn.
    assert.match(String(token), /403/);
    assert.match(String(token), /webauthn/);
    await assertAccessible(page, 'account console with a passkey');
    await shot(page, 'passkeys-account-desktop');
    await page.setViewportSize(SIZES.phone);
    await assertAccessible(page, 'account console with a passkey, phone');
    await shot(page, 'passkeys-account-phone');
    await page.setViewportSize(SIZES.desktop);
  });

  test('signed out, the login page signs in with the passkey alone: amr hwk/swk and user', async () => {
    // Signed out: no browser session any more (the console's own Sign out would sign straight back in
    // through conditional UI, as the virtual authenticator consents at once).
    await page.goto('about:blank');
    await page.context().clearCookies();
    const req = await authorize(page);
    // Conditional UI starts by itself (it fetches the options then) and the virtual authenticator consents
    // at once; should it not, the button does.
    await page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 5000 }).catch(async () => {
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click().catch(() => {});
    });
    const claims = await idTokenClaims(page, req);
    assert.equal(claims.sub, user.id);
    assert.ok(['hwk', 'swk'].includes(claims.amr[0]), JSON.stringify(claims.amr));
    assert.ok(claims.amr.includes('user'), JSON.stringify(claims.amr));
    assert.ok(!claims.amr.includes('pwd'), 'no password was used');
    creds = await authn.credentials();
  });

  test('without conditional UI, at phone size, the button "Sign in with a passkey" signs in', async () => {
    const p = await pageWithPasskey(SIZES.phone);
    const req = await authorize(p);
    const button = p.getByRole('button', { name: 'Sign in with a passkey' });
    await button.waitFor();
    await p.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await assertAccessible(p, 'login page with passkeys, phone');
    await shot(p, 'passkeys-login-phone');
    await p.setViewportSize(SIZES.desktop);
    await assertAccessible(p, 'login page with passkeys');
    await shot(p, 'passkeys-login-desktop');
    await p.setViewportSize(SIZES.phone);
    assert.ok(!p.url().startsWith(rp.redirectUri), 'nothing happened before the button');
    await button.click();
    const claims = await idTokenClaims(p, req);
    assert.equal(claims.sub, user.id);
    assert.deepEqual(claims.amr.slice(1), ['user', 'mfa']);
    creds = await authn.credentials(); // its counter moved on
    await p.context().close();
  });

  test('after many login pages from one address asked for conditional UI, the button "Sign in with a passkey" signs in', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid', state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const form = await loginForm(url.href);
    // More than the 320 calls a 15-minute window allowed page loads and button presses together.
    for (let i = 0; i < 330; i++) {
      const r = await askPasskeyOptions(`${issuer}/oauth2/authorize/passkey/options`, form, { mediation: 'conditional' });
      assert.equal(r.status, 200, `page ${i + 1}: ${JSON.stringify(r.json)}`);
    }
    const p = await pageWithPasskey(SIZES.desktop);
    const req = await authorize(p);
    await p.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const claims = await idTokenClaims(p, req);
    assert.equal(claims.sub, user.id);
    creds = await authn.credentials(); // its counter moved on
    await p.context().close();
  });

  test('as the second factor after a password: the MFA page offers "Use a passkey"; amr pwd, hwk/swk, mfa', async () => {
    page = await pageWithPasskey(SIZES.desktop);
    const ctx = page.context();
    const req = await authorize(page);
    await page.getByLabel('Username or email').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    assert.equal((await ctx.cookies()).find((c) => c.name === 'pc_session'), undefined, 'no session before the second factor');
    const use = page.getByRole('button', { name: 'Use a passkey' });
    await use.waitFor();
    await assertAccessible(page, 'MFA page with a passkey');
    await shot(page, 'passkeys-mfa-desktop');
    await page.setViewportSize(SIZES.phone);
    await assertAccessible(page, 'MFA page with a passkey, phone');
    await shot(page, 'passkeys-mfa-phone');
    await page.setViewportSize(SIZES.desktop);
    await use.click();
    const claims = await idTokenClaims(page, req);
    assert.equal(claims.amr[0], 'pwd');
    assert.ok(['hwk', 'swk'].includes(claims.amr[1]), JSON.stringify(claims.amr));
    assert.equal(claims.amr.at(-1), 'mfa');
  });

  test('a copy of the passkey whose signature counter fell behind is refused (possible clone)', async () => {
    const p = await pageWithPasskey(SIZES.desktop, snapshot);
    await authorize(p);
    await Promise.all([p.waitForLoadState('load'), p.getByRole('button', { name: 'Sign in with a passkey' }).click()]);
    await p.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    assert.ok(!p.url().startsWith(rp.redirectUri));
    const audit = await api(srv.issuer, admin, 'GET', '/audit?type=webauthn.counter_decreased');
    assert.ok(audit.json.items.some((e) => e.subject === user.id), 'audited');
    await p.context().close();
  });

  test('a passkey response posted a second time is refused (the challenge is used once)', async () => {
    creds = await authn.credentials();
    await page.context().close();
    page = await pageWithPasskey(SIZES.desktop);
    let posted = null;
    page.on('request', (r) => { if (r.url().endsWith('/oauth2/authorize/passkey')) posted = r.postData(); });
    const req = await authorize(page);
    if (!page.url().startsWith(rp.redirectUri)) {
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click({ timeout: 3000 }).catch(() => {});
    }
    await idTokenClaims(page, req);
    assert.ok(posted, 'the passkey form was posted');
    const cookies = (await page.context().cookies()).filter((c) => c.name === 'pc_csrf').map((c) => `${c.name}=${c.value}`).join('; ');
    const again = await fetch(`${srv.issuer}/oauth2/authorize/passkey`, {
      method: 'POST', redirect: 'manual', body: posted,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies },
    });
    const html = await again.text();
    assert.equal(again.status, 401, html.slice(0, 300));
    assert.match(html, /expired or was used already/);
    assert.equal(again.headers.get('location'), null, 'no second code');
  });

  test('removed in the console, the passkey is gone and the password alone signs in again', async () => {
    creds = await authn.credentials();
    await page.context().close();
    page = await pageWithPasskey(SIZES.desktop);
    await page.goto(`${issuer}/ui/account`);
    await page.getByLabel('Username or email').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // The password is not enough any more: the console's sign-in asks for the passkey.
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('button', { name: 'Sign out' }).first().waitFor({ timeout: 15000 });
    await page.getByRole('button', { name: 'Remove Work laptop' }).click();
    await page.getByLabel('Your password, to remove Work laptop').fill(user.password);
    await page.getByRole('button', { name: 'Remove passkey' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Nothing here yet.').waitFor({ timeout: 15000 });
    const token = await userToken(srv.issuer, user, ADMIN);
    const mfa = await api(srv.issuer, token, 'GET', '/me/mfa');
    assert.deepEqual(mfa.json.enabled, []);
    const audit = await api(srv.issuer, admin, 'GET', `/audit?type=mfa.passkey_removed`);
    assert.ok(audit.json.items.some((e) => e.subject === user.id));
    await page.context().close();
  });
});

describe('passkey API', () => {
  let srv; let admin; let issuer; let origin;
  before(async () => {
    const port = await freePort();
    origin = `https://login.example.test:${port}`;
    srv = await startServer({ port, env: { PORTCULLIS_PUBLIC_URL: origin } });
    issuer = srv.issuer;
    admin = await adminToken(issuer);
  });
  after(async () => { await srv?.stop(); });

  test('creation options: 32-byte challenge, rpId from PUBLIC_URL, the user id, ES256/EdDSA/RS256', async () => {
    const user = await createUser(issuer, admin);
    const token = await userToken(issuer, user, ADMIN);
    const r = await api(issuer, token, 'POST', '/me/mfa/webauthn', {});
    assert.equal(r.status, 200);
    const o = r.json.publicKey;
    assert.equal(Buffer.from(o.challenge, 'base64url').length, 32);
    assert.equal(o.rp.id, 'login.example.test');
    assert.equal(Buffer.from(o.user.id, 'base64url').toString(), user.id);
    assert.deepEqual(o.pubKeyCredParams.map((p) => p.alg), [-7, -8, -257]);
    assert.equal(o.attestation, 'none');
    const again = await api(issuer, token, 'POST', '/me/mfa/webauthn', {});
    assert.notEqual(again.json.publicKey.challenge, o.challenge, 'a fresh challenge each time');
  });

  test('a malformed or forged registration is 400 AUT-0014; nothing is enabled', async () => {
    const user = await createUser(issuer, admin);
    const token = await userToken(issuer, user, ADMIN);
    const none = await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'x', credential: {} });
    assert.equal(none.status, 404, 'no enrolment in progress');
    await api(issuer, token, 'POST', '/me/mfa/webauthn', {});
    const bad = await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', {
      name: 'x', credential: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA' } },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'AUT-0014');
    const missing = await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'x' });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, 'AUT-0001');
    assert.deepEqual((await api(issuer, token, 'GET', '/me/mfa')).json.enabled, []);
    assert.deepEqual((await api(issuer, token, 'GET', '/me/mfa/webauthn/credentials')).json.items, []);
    const rename = await api(issuer, token, 'PATCH', '/me/mfa/webauthn/credentials/AAAA', { name: 'y' });
    assert.equal(rename.status, 404);
    const del = await api(issuer, token, 'DELETE', '/me/mfa/webauthn/credentials/AAAA', { password: 'wrong' });
    assert.equal(del.status, 400);
    assert.equal(del.json.code, 'AUT-0015');
  });

  test('stored, listed, renamed; the password grant asks for it; an administrator resets it with the rest', async () => {
    const user = await createUser(issuer, admin);
    const token = await userToken(issuer, user, ADMIN);
    const { publicKey } = (await api(issuer, token, 'POST', '/me/mfa/webauthn', {})).json;
    const cred = softRegistration(publicKey, origin);
    // From another origin (a phishing page): refused.
    const phished = await api(issuer, token, 'POST', '/me/mfa/webauthn/verify',
      { name: 'Key', credential: softRegistration(publicKey, 'https://login.example.test.evil.example') });
    assert.equal(phished.status, 400);
    // A refused response used the challenge up; and only the latest challenge counts.
    assert.equal((await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'Key', credential: cred })).status, 400);
    assert.equal((await api(issuer, token, 'POST', '/me/mfa/webauthn', {})).status, 200, 'a new challenge');
    assert.equal((await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'Key', credential: cred })).status, 400);
    const fresh = (await api(issuer, token, 'POST', '/me/mfa/webauthn', {})).json.publicKey;
    const ok = await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'Key', credential: softRegistration(fresh, origin) });
    assert.equal(ok.status, 204, JSON.stringify(ok.json));
    const list = (await api(issuer, token, 'GET', '/me/mfa/webauthn/credentials')).json.items;
    assert.equal(list.length, 1);
    assert.equal(list[0].name, 'Key');
    const renamed = await api(issuer, token, 'PATCH', `/me/mfa/webauthn/credentials/${list[0].id}`, { name: 'Desk key' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.json.name, 'Desk key');
    assert.deepEqual((await api(issuer, token, 'GET', '/me/mfa')).json.enabled, ['webauthn']);
    const grant = await userToken(issuer, user, ADMIN).catch((e) => String(e));
    assert.match(grant, /mfa_required/);
    assert.match(grant, /"mfa_methods":\["webauthn"\]/);
    assert.deepEqual((await api(issuer, admin, 'GET', `/users/${user.id}/mfa`)).json.enabled, ['webauthn']);
    assert.equal((await api(issuer, admin, 'DELETE', `/users/${user.id}/mfa`)).status, 204);
    assert.deepEqual((await api(issuer, admin, 'GET', `/users/${user.id}/mfa`)).json.enabled, []);
    assert.equal(typeof (await userToken(issuer, user, ADMIN)), 'string', 'the password alone signs in again');
  });

  test('at the token endpoint: mfa/challenge gives request options, the mfa grant takes the passkey once', async () => {
    const user = await createUser(issuer, admin);
    const token = await userToken(issuer, user, ADMIN);
    const { publicKey } = (await api(issuer, token, 'POST', '/me/mfa/webauthn', {})).json;
    const reg = softRegistration(publicKey, origin);
    assert.equal((await api(issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'Key', credential: reg })).status, 204);
    const pw = await tokenRequest(issuer, ...ADMIN, { grant_type: 'password', username: user.username, password: user.password, scope: 'openid' });
    assert.equal(pw.status, 403);
    assert.deepEqual(pw.json.mfa_methods, ['webauthn']);
    const challenge = () => fetch(`${issuer}/api/v1/mfa/challenge`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(...ADMIN) },
      body: JSON.stringify({ mfa_token: pw.json.mfa_token, method: 'webauthn' }),
    }).then(async (r) => ({ status: r.status, json: await r.json() }));
    const c1 = await challenge();
    assert.equal(c1.status, 200, JSON.stringify(c1.json));
    assert.deepEqual(c1.json.publicKey.allowCredentials.map((c) => c.id), [reg.id]);
    // A passkey answering a challenge nobody issued for this sign-in is refused.
    const forged = await mfaGrant(issuer, ADMIN, pw.json.mfa_token, 'webauthn',
      JSON.stringify(softAssertion(reg, { challenge: Buffer.alloc(32, 7).toString('base64url') }, origin)));
    assert.equal(forged.status, 400);
    assert.equal(forged.json.error, 'invalid_grant');
    const answer = JSON.stringify(softAssertion(reg, c1.json.publicKey, origin));
    const ok = await mfaGrant(issuer, ADMIN, pw.json.mfa_token, 'webauthn', answer);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    const amr = JSON.parse(Buffer.from(ok.json.access_token.split('.')[1], 'base64url')).amr;
    assert.deepEqual(amr, ['pwd', 'hwk', 'mfa']);
    const again = await mfaGrant(issuer, ADMIN, pw.json.mfa_token, 'webauthn', answer);
    assert.equal(again.status, 400, 'the challenge and the mfa_token are used up');
  });

  test('an application token has no passkeys (403)', async () => {
    const r = await api(issuer, admin, 'POST', '/me/mfa/webauthn', {});
    assert.equal(r.status, 403);
  });
});
