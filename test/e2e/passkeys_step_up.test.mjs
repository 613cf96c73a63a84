// SPDX-License-Identifier: Apache-2.0
// Step-up with a passkey (issue #19, API.md §16): POST /me/step-up/webauthn gives request options whose
// challenge is bound to the caller and its session; POST /me/step-up/webauthn/verify takes the assertion
// once and answers a proof which, in the Portcullis-Step-Up header, satisfies step-up in that session for
// the tenant's max_age (audited as step_up.webauthn). Wrong, replayed, foreign and other sessions'
// assertions and proofs are refused. In Chromium with a virtual authenticator: acr_values=mfa signs in
// again with the passkey, and the admin console's step-up dialog offers "Use a passkey" and runs the
// refused calls again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, basic, createApp, createUser, freePort, startServer, tokenRequest, unique } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { SIZES, assertAccessible, consolePage, shot, signInTo } from './lib/console.mjs';
import { startRp } from './lib/rp.mjs';
import { mfaGrant, userToken } from './lib/mfa.mjs';
import { addVirtualAuthenticator } from './lib/webauthn.mjs';
import { softAssertion, softRegistration } from './lib/softkey.mjs';

const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];
const skip = browserMissing();

/** A server whose step-up covers users:*, with a role that may read users. */
async function stepUpServer(host) {
  const port = await freePort();
  const origin = `http://${host}:${port}`;
  const srv = await startServer({ port, env: { PORTCULLIS_PUBLIC_URL: origin } });
  const admin = await adminToken(srv.issuer);
  const set = await api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { step_up: { permissions: ['users:*'], max_age: 300 } } });
  assert.equal(set.status, 200, JSON.stringify(set.json));
  const role = unique('helpdesk');
  assert.equal((await api(srv.issuer, admin, 'POST', '/roles', { name: role, permissions: ['users:read'] })).status, 201);
  return { srv, admin, role, origin, issuer: `${origin}/t/default` };
}

describe('step-up with a passkey: the API', () => {
  let env; let alice; let token; let reg;

  before(async () => {
    env = await stepUpServer('login.example.test');
    alice = await createUser(env.srv.issuer, env.admin, { roles: [env.role] });
    token = await userToken(env.srv.issuer, alice, ADMIN); // password only: amr ["pwd"]
    const { publicKey } = (await api(env.srv.issuer, token, 'POST', '/me/mfa/webauthn', {})).json;
    reg = softRegistration(publicKey, env.origin);
    assert.equal((await api(env.srv.issuer, token, 'POST', '/me/mfa/webauthn/verify', { name: 'Key', credential: reg })).status, 204);
  });
  after(async () => { await env?.srv?.stop(); });

  /** A new sign-in of `user`: the password grant, then the mfa grant with the passkey. */
  async function signInWithPasskey(user, credential) {
    const pw = await tokenRequest(env.srv.issuer, ...ADMIN, { grant_type: 'password', username: user.username, password: user.password, scope: 'openid' });
    assert.equal(pw.status, 403);
    const c = await fetch(`${env.srv.issuer}/api/v1/mfa/challenge`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(...ADMIN) },
      body: JSON.stringify({ mfa_token: pw.json.mfa_token, method: 'webauthn' }),
    }).then((r) => r.json());
    const ok = await mfaGrant(env.srv.issuer, ADMIN, pw.json.mfa_token, 'webauthn', JSON.stringify(softAssertion(credential, c.publicKey, env.origin)));
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    return ok.json.access_token;
  }

  const options = (t) => api(env.srv.issuer, t, 'POST', '/me/step-up/webauthn', {});
  const verify = (t, credential) => api(env.srv.issuer, t, 'POST', '/me/step-up/webauthn/verify', { credential });
  const users = (t, proof) => api(env.srv.issuer, t, 'GET', '/users', undefined, proof === undefined ? {} : { 'portcullis-step-up': proof });

  test('without a proof the call is refused 401 AUT-0019, the message naming the header', async () => {
    const r = await users(token);
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'AUT-0019');
    assert.match(r.json.message, /Portcullis-Step-Up/);
    assert.match(r.headers.get('www-authenticate'), /insufficient_user_authentication/);
  });

  test('options for the caller\'s passkeys; the assertion gives a proof good for several calls, audited', async () => {
    const r = await options(token);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(Buffer.from(r.json.publicKey.challenge, 'base64url').length, 32);
    assert.deepEqual(r.json.publicKey.allowCredentials.map((c) => c.id), [reg.id]);
    const answer = softAssertion(reg, r.json.publicKey, env.origin);
    const v = await verify(token, answer);
    assert.equal(v.status, 200, JSON.stringify(v.json));
    assert.equal(v.json.expires_in, 300, 'the tenant\'s max_age');
    for (let i = 0; i < 2; i++) assert.equal((await users(token, v.json.step_up)).status, 200);
    const again = await verify(token, answer);
    assert.equal(again.status, 400, 'a replayed assertion gives no second proof');
    assert.equal(again.json.code, 'AUT-0014');
    const bogus = await users(token, 'A'.repeat(43));
    assert.equal(bogus.status, 401);
    assert.match(bogus.json.message, /proof is not valid/);
    const audit = await api(env.srv.issuer, env.admin, 'GET', '/audit?type=step_up.webauthn');
    assert.ok(audit.json.items.some((e) => e.subject === alice.id && e.details.expires_in === 300), 'audited');
  });

  test('a forged challenge, another key, another origin: 400, no proof', async () => {
    const { publicKey } = (await options(token)).json;
    const forged = softAssertion(reg, { challenge: Buffer.alloc(32, 9).toString('base64url') }, env.origin);
    assert.equal((await verify(token, forged)).status, 400);
    // Another key under the same credential id: not the stored key (and the challenge is used up by it).
    const other = softRegistration({ ...publicKey, rp: { id: 'login.example.test' }, user: { id: reg.key.userId } }, env.origin);
    Object.assign(other, { id: reg.id, rawId: reg.id });
    const signed = await verify(token, softAssertion(other, publicKey, env.origin));
    assert.equal(signed.status, 400);
    assert.equal(signed.json.code, 'AUT-0014');
    assert.equal((await verify(token, softAssertion(reg, publicKey, env.origin))).status, 400, 'that challenge is used up');
    const fresh = (await options(token)).json.publicKey;
    assert.equal((await verify(token, softAssertion(reg, fresh, 'https://login.example.test.evil.example'))).status, 400);
    assert.equal((await verify(token, { id: reg.id })).status, 400);
  });

  test('another person\'s challenge, or another session\'s, or its proof, does not step this one up', async () => {
    const bob = await createUser(env.srv.issuer, env.admin, { roles: [env.role] });
    const bobToken = await userToken(env.srv.issuer, bob, ADMIN);
    const { publicKey } = (await api(env.srv.issuer, bobToken, 'POST', '/me/mfa/webauthn', {})).json;
    const bobReg = softRegistration(publicKey, env.origin);
    assert.equal((await api(env.srv.issuer, bobToken, 'POST', '/me/mfa/webauthn/verify', { name: 'Key', credential: bobReg })).status, 204);
    const bobs = (await options(bobToken)).json.publicKey;
    assert.equal((await verify(token, softAssertion(reg, bobs, env.origin))).status, 400, "bob's challenge");
    // Alice's challenge and proof of another sign-in (another sid, password and passkey) are not this session's.
    const second = await signInWithPasskey(alice, reg);
    const hers = (await options(second)).json.publicKey;
    assert.equal((await verify(token, softAssertion(reg, hers, env.origin))).status, 400, 'another session\'s challenge');
    const mine = await verify(second, softAssertion(reg, (await options(second)).json.publicKey, env.origin));
    assert.equal(mine.status, 200, JSON.stringify(mine.json));
    assert.equal((await users(token, mine.json.step_up)).status, 401, 'another session\'s proof');
    assert.equal((await users(bobToken, mine.json.step_up)).status, 401, "another person's proof");
  });

  test('the proof lives the tenant\'s max_age', async () => {
    assert.equal((await api(env.srv.issuer, env.admin, 'PATCH', '/tenant', { settings: { step_up: { permissions: ['users:*'], max_age: 1 } } })).status, 200);
    const v = await verify(token, softAssertion(reg, (await options(token)).json.publicKey, env.origin));
    assert.equal(v.status, 200, JSON.stringify(v.json));
    assert.equal(v.json.expires_in, 1);
    const deadline = Date.now() + 10000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) status = (await users(token, v.json.step_up)).status;
    assert.equal(status, 401, 'refused once it expired');
    assert.equal((await api(env.srv.issuer, env.admin, 'PATCH', '/tenant', { settings: { step_up: { permissions: ['users:*'], max_age: 300 } } })).status, 200);
  });

  test('an application token has no step-up options (403); a person without a passkey gets 404', async () => {
    assert.equal((await options(env.admin)).status, 403);
    assert.equal((await verify(env.admin, {})).status, 403);
    const carol = await createUser(env.srv.issuer, env.admin);
    const r = await options(await userToken(env.srv.issuer, carol, ADMIN));
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'AUT-0010');
  });
});

describe('step-up with a passkey in the browser', { skip: skip ?? false }, () => {
  let env; let browser; let rp; let user; let config; let jwks; let page; let authn;

  before(async () => {
    env = await stepUpServer('localhost'); // WebAuthn refuses IP addresses as rpId
    browser = await launchBrowser();
    rp = await startRp();
    user = await createUser(env.srv.issuer, env.admin, { roles: [env.role] });
    const app = await createApp(env.srv.issuer, env.admin, {
      name: 'Support Desk', type: 'public', grant_types: ['authorization_code'], first_party: true, redirect_uris: [rp.redirectUri],
    });
    config = await client.discovery(new URL(env.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await env?.srv?.stop();
  });

  async function authorize(p, extra = {}) {
    const req = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid profile', state: req.state, nonce: req.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(req.verifier), code_challenge_method: 'S256', ...extra,
    });
    await p.goto(url.href);
    return req;
  }

  async function tokensAt(p, req) {
    await p.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });
    const tokens = await client.authorizationCodeGrant(config, new URL(p.url()), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    const id = (await jwtVerify(tokens.id_token, jwks, { issuer: env.issuer, audience: config.clientMetadata().client_id })).payload;
    return { access: tokens.access_token, id };
  }

  test('signed in with the password, a passkey added; the admin console\'s step-up dialog uses it', async () => {
    page = await consolePage(browser, SIZES.desktop);
    await page.addInitScript(() => { PublicKeyCredential.isConditionalMediationAvailable = async () => false; });
    authn = await addVirtualAuthenticator(page);
    await signInTo(page, env.issuer, 'account', user.username, user.password); // a session of amr ["pwd"]
    await page.getByLabel('Passkey label').fill('Desk key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('rowheader', { name: 'Desk key' }).waitFor({ timeout: 15000 });
    await page.goto(`${env.issuer}/ui/admin#/users`);
    // The list of users (and the invitations beside it) need step-up: one dialog asks, and offers the passkey.
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
    await dialog.waitFor({ timeout: 15000 });
    const use = dialog.getByRole('button', { name: 'Use a passkey' });
    await use.waitFor();
    await assertAccessible(page, 'step-up dialog with a passkey');
    await shot(page, 'passkeys-step-up-desktop');
    await page.setViewportSize(SIZES.phone);
    await assertAccessible(page, 'step-up dialog with a passkey, phone');
    await shot(page, 'passkeys-step-up-phone');
    await page.setViewportSize(SIZES.desktop);
    await use.click();
    // The refused calls ran again with the proof: the list shows, and no second question came.
    await page.getByRole('cell', { name: user.username }).first().waitFor({ timeout: 15000 });
    assert.equal(await dialog.count(), 0);
    const audit = await api(env.srv.issuer, env.admin, 'GET', '/audit?type=step_up.webauthn');
    assert.ok(audit.json.items.some((e) => e.subject === user.id), 'audited');
    assert.deepEqual(page.errors, []);
  });

  test('acr_values=mfa: the person signs in again with the passkey, and the new token passes step-up', async () => {
    const req = await authorize(page, { acr_values: 'mfa' });
    // The session lacks mfa: the login page asks again and offers the passkey.
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const { access, id } = await tokensAt(page, req);
    assert.ok(id.amr.includes('mfa'), JSON.stringify(id.amr));
    assert.ok(['hwk', 'swk'].includes(id.amr[0]), JSON.stringify(id.amr));
    const r = await api(env.srv.issuer, access, 'GET', '/users');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    // With the password instead, the MFA step offers "Use a passkey" and that passes too.
    const again = await authorize(page, { prompt: 'login', acr_values: 'mfa' });
    await page.getByLabel('Username or email').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const second = await tokensAt(page, again);
    assert.equal(second.id.amr[0], 'pwd');
    assert.equal(second.id.amr.at(-1), 'mfa');
    assert.equal((await api(env.srv.issuer, second.access, 'GET', '/users')).status, 200);
    assert.ok((await authn.credentials()).length === 1);
  });
});
