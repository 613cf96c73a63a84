// SPDX-License-Identifier: Apache-2.0
// Browser security in headless Chromium: end_session asks before signing out (CSRF-bound form), a consent
// form is good once, and consent covers scopes (asking again for new ones). Also the schema 6 consent migration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { adminToken, api, createApp, createUser, introspect, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser, onLoginPage, signIn } from './lib/browser.mjs';
import { startRp } from './lib/rp.mjs';
import { UNDO_AFTER_SCHEMA_6, storeEnv, storeName } from './lib/store.mjs';

const skip = browserMissing();

/** The things every case needs: the server, a relying party, Chromium, a user and a public client. */
async function setUp(env = {}) {
  const srv = await startServer({ env });
  const rp = await startRp();
  const browser = await launchBrowser();
  const admin = await adminToken(srv.issuer);
  const user = await createUser(srv.issuer, admin, { name: 'Katherine Johnson' });
  const app = await createApp(srv.issuer, admin, {
    name: 'Orbit Planner', type: 'public', grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [rp.redirectUri], post_logout_redirect_uris: [rp.postLogoutUri],
    scopes: ['openid', 'profile', 'email'],
  });
  const config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
    { execute: [client.allowInsecureRequests] });
  return { srv, rp, browser, admin, user, app, config };
}

/** Browser flows against one set-up: authorization requests, sign-in with consent, code exchange. */
function flows(env) {
  const { srv, rp, config, user } = env;
  const waitCallback = (page) => page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });
  const allow = (page) => page.getByRole('button', { name: 'Allow' });
  const signOutButton = (page) => page.getByRole('button', { name: 'Sign out' });

  async function authRequest(extra = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid profile', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    return { url, verifier, state };
  }
  const exchange = (page, req) => client.authorizationCodeGrant(config, new URL(page.url()),
    { pkceCodeVerifier: req.verifier, expectedState: req.state });

  /** Signs in and allows (unless the person allowed these scopes before: consent is theirs); returns the tokens. */
  async function login(page, extra = {}) {
    const req = await authRequest(extra);
    await page.goto(req.url.href);
    assert.ok(await onLoginPage(page), 'the login page is shown');
    await signIn(page, user.username, user.password);
    if (!page.url().startsWith(rp.redirectUri)) await Promise.all([waitCallback(page), allow(page).click()]);
    return exchange(page, req);
  }

  /** prompt=none: is the browser still signed in (and consented)? Redeems the code to be sure. */
  async function stillSignedIn(page) {
    const req = await authRequest({ prompt: 'none' });
    await page.goto(req.url.href);
    const cb = new URL(page.url());
    if (!cb.href.startsWith(rp.redirectUri) || cb.searchParams.get('error')) return false;
    await exchange(page, req);
    return true;
  }

  /** The end_session URL without an id_token_hint. */
  const endSessionUrl = (state = 'bye-1') => `${srv.issuer}/oauth2/end_session?` + new URLSearchParams({
    client_id: env.app.client_id, post_logout_redirect_uri: rp.postLogoutUri, state }).toString();

  return { authRequest, exchange, login, stillSignedIn, endSessionUrl, waitCallback, allow, signOutButton };
}

describe('end_session asks before signing out', { skip: skip ?? false }, () => {
  let env; let f;
  before(async () => { env = await setUp(); f = flows(env); });
  after(async () => {
    await env?.browser?.close();
    await env?.rp?.close();
    await env?.srv?.stop();
  });

  test('without a hint: a confirmation page, the session survives; Sign out ends it', async () => {
    const { srv, rp, browser } = env;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const tokens = await f.login(page);
    const signOuts = () => rp.visits.filter((u) => u.pathname === '/logged-out').length;
    const visits = signOuts();

    const resp = await page.goto(f.endSessionUrl('bye-1'));
    assert.equal(resp.status(), 200);
    assert.ok(page.url().startsWith(`${srv.issuer}/oauth2/end_session`), 'the browser stays on the server');
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Sign out of Default\?/);
    assert.match(await page.locator('main').innerText(), /Orbit Planner asked to sign you out/);
    assert.match(await page.locator('main').innerText(), /Katherine Johnson/);
    assert.equal(await f.signOutButton(page).count(), 1);
    // The page keeps the strict CSP: no inline script or style.
    const csp = resp.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const html = await resp.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline style');

    const shots = await mkdtemp(join(tmpdir(), 'portcullis-shots-'));
    for (const [w, h] of [[390, 844], [1280, 800]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: join(shots, `end_session-${w}x${h}.png`), fullPage: true });
    }
    console.log(`# screenshots of the sign-out confirmation in ${shots}`);

    assert.equal(signOuts(), visits, 'the post-logout page was not reached');
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, true, 'tokens still work');
    assert.ok(await f.stillSignedIn(page), 'a later prompt=none request still gets a code');

    await page.goto(f.endSessionUrl('bye-2'));
    await Promise.all([page.waitForURL((u) => u.href.startsWith(rp.postLogoutUri)), f.signOutButton(page).click()]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get('state'), 'bye-2', 'state is echoed');
    assert.equal((await ctx.cookies()).find((c) => c.name === 'pc_session'), undefined, 'cookie cleared');
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, false, 'its tokens are revoked');
    assert.equal(await f.stillSignedIn(page), false, 'signed out');
    await ctx.close();
  });

  test('without a redirect URI, Sign out shows the signed-out page', async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    await f.login(page);
    await page.goto(`${env.srv.issuer}/oauth2/end_session`);
    await Promise.all([page.waitForLoadState('load'), f.signOutButton(page).click()]);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /You have signed out/);
    assert.equal(await f.stillSignedIn(page), false);
    await ctx.close();
  });

  test('a forged sign-out POST without the right CSRF token does not end the session', async () => {
    const { srv, browser } = env;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await f.login(page);
    await page.goto(f.endSessionUrl());
    const request = await page.locator('input[name="request"]').inputValue();
    const csrf = await page.locator('input[name="csrf"]').inputValue();
    // Same browser, its cookies sent: the sealed request with no token, or another token, is refused.
    for (const form of [{ request }, { request, csrf: `${csrf.slice(0, -2)}xx` }]) {
      const r = await ctx.request.post(`${srv.issuer}/oauth2/end_session`, { form, maxRedirects: 0 });
      assert.equal(r.status(), 400, JSON.stringify(Object.keys(form)));
      assert.match(await r.text(), /you were not signed out/);
    }
    // The form's fields in a link (GET) are not a confirmation, even with the right token.
    const link = await page.goto(`${srv.issuer}/oauth2/end_session?${new URLSearchParams({ request, csrf })}`);
    assert.equal(link.status(), 200);
    assert.equal(await f.signOutButton(page).count(), 1, 'asked again');
    // A bare POST (what a cross-site form can send) only shows the confirmation page.
    const bare = await ctx.request.post(`${srv.issuer}/oauth2/end_session`, { form: {}, maxRedirects: 0 });
    assert.equal(bare.status(), 200);
    assert.match(await bare.text(), /Sign out of/);
    // The page's own form, its token taken out, is refused too.
    await page.locator('input[name="csrf"]').evaluate((e) => e.remove());
    const posted = page.waitForResponse((r) => r.request().method() === 'POST');
    await f.signOutButton(page).click();
    assert.equal((await posted).status(), 400);
    assert.equal((await ctx.cookies()).some((c) => c.name === 'pc_session'), true, 'the cookie stays');
    assert.ok(await f.stillSignedIn(page), 'still signed in');
    await ctx.close();
  });

  test('a valid id_token_hint of the session signs out at once; an old session\'s hint asks first', async () => {
    const { srv, rp, browser } = env;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const first = await f.login(page);
    const end = (tokens, state) => client.buildEndSessionUrl(env.config, {
      id_token_hint: tokens.id_token, post_logout_redirect_uri: rp.postLogoutUri, state }).href;
    await page.goto(end(first, 'bye-hint'));
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, rp.postLogoutUri, 'redirected without a question');
    assert.equal(landed.searchParams.get('state'), 'bye-hint');
    assert.equal((await introspect(srv.issuer, first.access_token)).active, false);
    assert.equal(await f.stillSignedIn(page), false);

    // Signed in again: the first session's ID token does not prove this one.
    const second = await f.login(page);
    await page.goto(end(first, 'bye-old'));
    assert.ok(page.url().startsWith(srv.issuer), 'no redirect');
    assert.equal(await f.signOutButton(page).count(), 1, 'the confirmation page');
    assert.equal((await introspect(srv.issuer, second.access_token)).active, true);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(rp.postLogoutUri)), f.signOutButton(page).click()]);
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye-old');
    assert.equal((await introspect(srv.issuer, second.access_token)).active, false);
    await ctx.close();
  });
});

describe('consent', { skip: skip ?? false }, () => {
  let env; let f;
  before(async () => { env = await setUp(); f = flows(env); });
  after(async () => {
    await env?.browser?.close();
    await env?.rp?.close();
    await env?.srv?.stop();
  });

  /** The consent form's fields as the browser would post them with Allow. */
  async function consentForm(page) {
    return {
      action: await page.locator('form').getAttribute('action'),
      form: {
        request: await page.locator('input[name="request"]').inputValue(),
        csrf: await page.locator('input[name="csrf"]').inputValue(),
        approve: '1',
      },
    };
  }

  test('replaying the consent POST is refused and mints no second code', async () => {
    const { rp, browser, user } = env;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await f.authRequest();
    await page.goto(req.url.href);
    await signIn(page, user.username, user.password);
    const { action, form } = await consentForm(page);
    await Promise.all([f.waitCallback(page), f.allow(page).click()]);
    await f.exchange(page, req);
    const codesSeen = () => rp.visits.filter((u) => u.searchParams.has('code')).length;
    const callbacks = codesSeen();

    const again = await ctx.request.post(action, { form, maxRedirects: 0 });
    assert.equal(again.status(), 400);
    assert.equal(again.headers().location, undefined, 'no redirect, so no code');
    assert.match(again.headers()['content-type'], /^text\/html/);
    assert.match(await again.text(), /already used/);
    assert.equal(codesSeen(), callbacks, 'no second code reached the client');

    // Two posts of one form at once: exactly one gets a code.
    const twice = await f.authRequest({ prompt: 'consent' });
    await page.goto(twice.url.href);
    const fresh = await consentForm(page);
    const results = await Promise.all([0, 1].map(() => ctx.request.post(fresh.action, { form: fresh.form, maxRedirects: 0 })));
    const codes = results.filter((r) => r.status() === 303 && new URL(r.headers().location).searchParams.get('code'));
    assert.equal(codes.length, 1, results.map((r) => r.status()).join(','));
    assert.equal(results.filter((r) => r.status() === 400).length, 1);
    await ctx.close();
  });

  test('a new scope after consent asks again, listing it; the same or fewer scopes do not', async () => {
    const { browser } = env;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await f.login(page, { scope: 'openid profile' });
    for (const scope of ['openid profile', 'openid']) {
      const req = await f.authRequest({ scope });
      await page.goto(req.url.href);
      assert.ok(page.url().startsWith(env.rp.redirectUri), `no consent page for ${scope}`);
      await f.exchange(page, req);
    }
    const none = await f.authRequest({ scope: 'openid profile email', prompt: 'none' });
    await page.goto(none.url.href);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'consent_required');

    const more = await f.authRequest({ scope: 'openid profile email' });
    await page.goto(more.url.href);
    assert.equal(await f.allow(page).count(), 1, 'the consent page again');
    const asks = page.getByRole('list', { name: /also be able to/ });
    assert.deepEqual(await asks.getByRole('listitem').allInnerTexts(), ['See your email address'],
      'only the new scope is listed');
    assert.match(await page.getByRole('status').innerText(), /allowed this application before/);
    await Promise.all([f.waitCallback(page), f.allow(page).click()]);
    const tokens = await f.exchange(page, more);
    assert.equal(tokens.claims().email, env.user.email);

    for (const scope of ['openid profile email', 'openid email']) {
      const req = await f.authRequest({ scope });
      await page.goto(req.url.href);
      assert.ok(page.url().startsWith(env.rp.redirectUri), `no consent page for ${scope}`);
      await f.exchange(page, req);
    }
    await ctx.close();
  });
});

describe(`a consent given before schema 6 keeps working (${storeName})`, { skip: skip ?? false }, () => {
  let env; let f; let store;
  before(async () => {
    store = storeEnv();
    env = await setUp(store);
    f = flows(env);
  });
  after(async () => {
    await env?.browser?.close();
    await env?.rp?.close();
    await env?.srv?.stop({ keepDir: false });
  });

  /** Runs SQL on the stopped server's store (SQLite file or PostgreSQL database). */
  function sql(q) {
    if (store.PORTCULLIS_STORE) return execFileSync('psql', [store.PORTCULLIS_STORE, '-v', 'ON_ERROR_STOP=1', '-qAtc', q]).toString().trim();
    return execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); '
      + 'r=c.executescript(sys.argv[2]) if ";" in sys.argv[2] else c.execute(sys.argv[2]).fetchall(); c.commit(); print(r)',
    join(env.srv.dir, 'p.db'), q]).toString().trim();
  }

  test('it covers the scopes its client had when the store was migrated', async () => {
    const { srv, browser, app, admin } = env;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await f.login(page, { scope: 'openid' });
    const { dir, port } = srv;
    await srv.stop({ keepDir: true });
    // The store as schema 5 left it: consents were a list of client ids; no consent_nonces
    // (and none of what later migrations added).
    // (Since schema 14 consents live per user, not in sessions: the user's sessions get it back.)
    sql(`UPDATE sessions SET consents = '["${app.client_id}"]' WHERE user_id = '${env.user.id}';`
      + ` DROP TABLE consent_nonces; ${UNDO_AFTER_SCHEMA_6} UPDATE schema_version SET version = 5;`);
    env.srv = await startServer({ dir, port, env: store });

    // openid and profile were the client's scopes (email too): covered without a question.
    for (const scope of ['openid profile', 'openid profile email']) {
      const req = await f.authRequest({ scope });
      await page.goto(req.url.href);
      assert.ok(page.url().startsWith(env.rp.redirectUri), `no consent page for ${scope}: ${page.url()}`);
      await f.exchange(page, req);
    }
    // A scope the client gained after the migration is asked for.
    const patched = await api(env.srv.issuer, admin, 'PATCH', `/applications/${app.id}`,
      { scopes: ['openid', 'profile', 'email', 'phone'] });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    const phone = await f.authRequest({ scope: 'openid phone' });
    await page.goto(phone.url.href);
    assert.equal(await f.allow(page).count(), 1, 'the consent page for the new scope');
    assert.deepEqual(await page.getByRole('list').getByRole('listitem').allInnerTexts(), ['See your phone number']);
    await ctx.close();
  });
});
