// SPDX-License-Identifier: Apache-2.0
// Browser sign-in in real headless Chromium: login, consent, SSO, wrong password, bad redirect URI,
// prompt=none, logout; codes exchanged by openid-client (PKCE, state, nonce) and tokens verified with jose.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  adminToken, api, createApp, createUser, get, introspect, oauthPost, startServer, tokenRequest,
} from './lib/server.mjs';
import { browserMissing, launchBrowser, onConsentPage, onLoginPage, signIn } from './lib/browser.mjs';
import { startRp } from './lib/rp.mjs';

const skip = browserMissing();

/** OIDC Core §3.1.3.6 */
function atHash(accessToken) {
  const d = createHash('sha256').update(accessToken, 'ascii').digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

describe('browser sign-in (authorization code + PKCE)', { skip: skip ?? false }, () => {
  let srv; let rp; let browser; let admin; let user; let pub; let firstParty; let jwks; let pubConfig;

  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_LIMIT_ACCOUNT: 4 } });
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin, { name: 'Ada Lovelace' });
    pub = await createApp(srv.issuer, admin, {
      name: 'Analytical Engine', type: 'public', grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [rp.redirectUri], post_logout_redirect_uris: [rp.postLogoutUri],
    });
    firstParty = await createApp(srv.issuer, admin, {
      name: 'Own Portal', type: 'confidential', grant_types: ['authorization_code'], first_party: true,
      redirect_uris: [rp.redirectUri],
    });
    pubConfig = await client.discovery(new URL(srv.issuer), pub.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    jwks = createRemoteJWKSet(new URL(pubConfig.serverMetadata().jwks_uri));
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  /** A fresh authorization request: its URL and what the callback must be checked against. */
  async function authRequest(config, extra = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid profile', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    return { url, verifier, state, nonce };
  }

  const atCallback = (page) => page.url().startsWith(rp.redirectUri);
  const waitCallback = (page) => page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });

  /** Exchanges the code the page landed with, checking state and nonce; returns the tokens. */
  async function exchange(config, page, req) {
    return client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
  }

  /**
   * Signs `page` in through the public client (login, and consent unless the person gave it
   * before: consent is theirs, not the browser session's); returns the tokens and request.
   */
  async function fullLogin(page, extra = {}) {
    const req = await authRequest(pubConfig, extra);
    await page.goto(req.url.href);
    assert.ok(await onLoginPage(page), 'the login page is shown');
    await signIn(page, user.username, user.password);
    if (!atCallback(page)) {
      assert.ok(await onConsentPage(page), 'the consent page is shown');
      await Promise.all([waitCallback(page), page.locator('button[name="approve"]').click()]);
    }
    return { tokens: await exchange(pubConfig, page, req), req };
  }

  test('login and consent: the code is exchanged with PKCE and the ID token verifies', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await authRequest(pubConfig);
    const resp = await page.goto(req.url.href);
    assert.match(resp.headers()['content-type'], /^text\/html/);
    assert.ok(await onLoginPage(page));
    // The pages name the tenant and the application; the inputs have labels.
    const text = await page.locator('main').textContent();
    assert.match(text, /Default/);
    assert.match(text, /Analytical Engine/);
    assert.equal(await page.locator('label[for="username"]').count(), 1);
    assert.equal(await page.locator('label[for="password"]').count(), 1);
    assert.equal(await page.locator('input[name="csrf"]').count(), 1);
    const cookies = await ctx.cookies();
    assert.ok(cookies.find((c) => c.name === 'pc_csrf' && c.httpOnly && c.sameSite === 'Lax'));

    await signIn(page, user.username, user.password);
    assert.ok(await onConsentPage(page));
    assert.match(await page.locator('main').innerText(), /Analytical Engine/);
    const session = (await ctx.cookies()).find((c) => c.name === 'pc_session');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax' && !session.secure);
    assert.ok(session.value.length >= 43, 'the session cookie is a 256-bit secret');
    await Promise.all([waitCallback(page), page.locator('button[name="approve"]').click()]);

    const tokens = await exchange(pubConfig, page, req);
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, {
      issuer: srv.issuer, audience: pub.client_id,
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, user.id);
    assert.equal(payload.nonce, req.nonce);
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal(typeof payload.sid, 'string');
    assert.equal(typeof payload.auth_time, 'number');
    assert.equal(payload.at_hash, atHash(tokens.access_token));
    // Claims follow the scopes: profile yes, email not asked.
    assert.equal(payload.name, 'Ada Lovelace');
    assert.equal(payload.preferred_username, user.username);
    assert.equal(payload.email, undefined);
    const at = await jwtVerify(tokens.access_token, jwks, { issuer: srv.issuer, typ: 'at+jwt' });
    assert.equal(at.payload.sid, payload.sid);
    assert.equal(at.payload.client_id, pub.client_id);
    assert.equal(typeof tokens.refresh_token, 'string');
    const info = await client.fetchUserInfo(pubConfig, tokens.access_token, user.id);
    assert.equal(info.preferred_username, user.username);
    // The session is listed by the management API.
    const list = await api(srv.issuer, admin, 'GET', `/users/${user.id}/sessions`);
    assert.ok(list.json.items.some((s) => s.id === payload.sid));
    await ctx.close();
  });

  test('SSO: a second request skips the login page; prompt=login and max_age=0 ask again', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const first = await fullLogin(page);
    const again = await authRequest(pubConfig);
    await page.goto(again.url.href);
    assert.ok(atCallback(page), 'straight back to the client');
    const tokens = await exchange(pubConfig, page, again);
    const id1 = await jwtVerify(first.tokens.id_token, jwks);
    const id2 = await jwtVerify(tokens.id_token, jwks);
    assert.equal(id2.payload.sid, id1.payload.sid, 'one browser session');
    assert.equal(id2.payload.auth_time, id1.payload.auth_time);

    for (const extra of [{ prompt: 'login' }, { max_age: '0' }]) {
      const fresh = await authRequest(pubConfig, extra);
      await page.goto(fresh.url.href);
      assert.ok(await onLoginPage(page), `login page for ${JSON.stringify(extra)}`);
      await Promise.all([waitCallback(page), signIn(page, user.username, user.password)]);
      await exchange(pubConfig, page, fresh);
    }
    await ctx.close();
  });

  test('a first-party application skips consent', async () => {
    const config = await client.discovery(new URL(srv.issuer), firstParty.client_id, undefined,
      client.ClientSecretBasic(firstParty.client_secret), { execute: [client.allowInsecureRequests] });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await authRequest(config);
    await page.goto(req.url.href);
    await Promise.all([waitCallback(page), signIn(page, user.username, user.password)]);
    const tokens = await exchange(config, page, req);
    const { payload } = await jwtVerify(tokens.id_token, jwks, { audience: firstParty.client_id });
    assert.equal(payload.nonce, req.nonce);
    await ctx.close();
  });

  test('a wrong password shows the login page again with a message', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await authRequest(pubConfig, { prompt: 'consent' }); // the page after sign-in
    await page.goto(req.url.href);
    await signIn(page, user.username, 'not-the-password');
    assert.ok(await onLoginPage(page));
    assert.match(await page.locator('[role="alert"]').innerText(), /Wrong username or password/);
    assert.equal(await page.locator('input[name="username"]').inputValue(), user.username);
    assert.doesNotMatch(await page.content(), /"error"\s*:/, 'no raw JSON');
    await signIn(page, user.username, user.password);
    assert.ok(await onConsentPage(page));
    await ctx.close();
  });

  test('failed sign-ins on the login page are throttled', async () => {
    const victim = await createUser(srv.issuer, admin);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto((await authRequest(pubConfig)).url.href);
    for (let i = 0; i < 4; i++) await signIn(page, victim.username, 'wrong-password');
    const resp = page.waitForResponse((r) => r.url().endsWith('/oauth2/authorize/login'));
    await signIn(page, victim.username, victim.password);
    assert.equal((await resp).status(), 429);
    assert.match(await page.locator('[role="alert"]').innerText(), /Too many failed sign-ins/);
    await ctx.close();
  });

  test('an unregistered redirect URI or client shows the error page and no redirect happens', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const visits = rp.visits.length;
    for (const url of [
      (await authRequest(pubConfig, { redirect_uri: `${rp.origin}/evil` })).url,
      (await authRequest(pubConfig, { client_id: 'no-such-client' })).url,
    ]) {
      const resp = await page.goto(url.href);
      assert.equal(resp.status(), 400);
      assert.match(resp.headers()['content-type'], /^text\/html/);
      assert.ok(page.url().startsWith(srv.issuer), 'the browser stays on the server');
      assert.match(await page.locator('h1').innerText(), /Something went wrong/);
    }
    assert.equal(rp.visits.length, visits, 'the relying party was never reached');
    // Other errors go back to the client with RFC 6749 §4.1.2.1 parameters and state.
    for (const [extra, error] of [[{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ scope: 'openid admin' }, 'invalid_scope'], [{ response_type: 'token' }, 'unsupported_response_type']]) {
      const req = await authRequest(pubConfig, extra);
      await page.goto(req.url.href);
      const cb = new URL(page.url());
      assert.equal(cb.searchParams.get('error'), error, JSON.stringify(extra));
      assert.equal(cb.searchParams.get('state'), req.state);
    }
    const noPkce = new URL(`${srv.issuer}/oauth2/authorize`);
    noPkce.search = new URLSearchParams({ response_type: 'code', client_id: pub.client_id,
      redirect_uri: rp.redirectUri, scope: 'openid', state: 's1' }).toString();
    await page.goto(noPkce.href);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'invalid_request', 'PKCE is required for public clients');
    await ctx.close();
  });

  test('prompt=none without a session answers login_required; consent refused answers access_denied', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = await authRequest(pubConfig, { prompt: 'none' });
    await page.goto(req.url.href);
    const cb = new URL(page.url());
    assert.equal(cb.searchParams.get('error'), 'login_required');
    assert.equal(cb.searchParams.get('state'), req.state);
    await assert.rejects(exchange(pubConfig, page, req));

    const deny = await authRequest(pubConfig, { prompt: 'consent' }); // asked even if allowed before
    await page.goto(deny.url.href);
    await signIn(page, user.username, user.password);
    await Promise.all([waitCallback(page), page.locator('button[name="deny"]').click()]);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'access_denied');
    assert.equal(new URL(page.url()).searchParams.get('state'), deny.state);
    await ctx.close();
  });

  test('logout ends the session, revokes its tokens at once and redirects with state', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const { tokens } = await fullLogin(page);
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, true);
    const end = client.buildEndSessionUrl(pubConfig, {
      id_token_hint: tokens.id_token, post_logout_redirect_uri: rp.postLogoutUri, state: 'bye-123',
    });
    await page.goto(end.href);
    const landed = new URL(page.url());
    assert.equal(landed.origin + landed.pathname, rp.postLogoutUri);
    assert.equal(landed.searchParams.get('state'), 'bye-123');
    assert.equal((await ctx.cookies()).find((c) => c.name === 'pc_session'), undefined, 'cookie cleared');
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, false);
    const ui = await get(`${srv.issuer}/oauth2/userinfo`, { authorization: `Bearer ${tokens.access_token}` });
    assert.equal(ui.status, 401);
    const refresh = await tokenRequest(srv.issuer, undefined, undefined,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: pub.client_id });
    assert.equal(refresh.json.error, 'invalid_grant');
    const none = await authRequest(pubConfig, { prompt: 'none' });
    await page.goto(none.url.href);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'login_required');

    // Without a redirect the logged-out page is shown; an unregistered one is refused.
    await fullLogin(page);
    const bad = await page.goto(`${srv.issuer}/oauth2/end_session?client_id=${pub.client_id}` +
      `&post_logout_redirect_uri=${encodeURIComponent(`${rp.origin}/elsewhere`)}`);
    assert.equal(bad.status(), 400);
    assert.ok(page.url().startsWith(srv.issuer));
    // Without an ID token the person is asked first (API.md §9), then signed out.
    await page.goto(`${srv.issuer}/oauth2/end_session`);
    assert.match(await page.locator('h1').innerText(), /Sign out of/);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign out' }).click()]);
    assert.match(await page.locator('h1').innerText(), /signed out/);
    await ctx.close();
  });

  test('ending a user\'s sessions through the API signs the browser out and revokes its tokens', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const { tokens } = await fullLogin(page);
    const del = await api(srv.issuer, admin, 'DELETE', `/users/${user.id}/sessions`);
    assert.equal(del.status, 204);
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, false);
    const none = await authRequest(pubConfig, { prompt: 'none' });
    await page.goto(none.url.href);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'login_required');
    await ctx.close();
  });

  describe('the token endpoint', () => {
    let ctx; let page;
    before(async () => {
      ctx = await browser.newContext();
      page = await ctx.newPage();
      await fullLogin(page);
    });
    after(async () => { await ctx?.close(); });

    /** A code for a new request, through the signed-in browser (SSO, no pages). */
    async function code(extra = {}) {
      const req = await authRequest(pubConfig, extra);
      await page.goto(req.url.href);
      assert.ok(atCallback(page));
      return { ...req, code: new URL(page.url()).searchParams.get('code') };
    }
    const redeem = (c, params = {}) => tokenRequest(srv.issuer, undefined, undefined, {
      grant_type: 'authorization_code', client_id: pub.client_id, code: c.code, redirect_uri: rp.redirectUri,
      code_verifier: c.verifier, ...params,
    });

    test('a replayed code fails and revokes what the first redemption issued', async () => {
      const c = await code();
      const first = await redeem(c);
      assert.equal(first.status, 200);
      assert.equal((await introspect(srv.issuer, first.json.access_token)).active, true);
      const second = await redeem(c);
      assert.equal(second.status, 400);
      assert.equal(second.json.error, 'invalid_grant');
      assert.equal((await introspect(srv.issuer, first.json.access_token)).active, false);
      const refresh = await tokenRequest(srv.issuer, undefined, undefined,
        { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, client_id: pub.client_id });
      assert.equal(refresh.json.error, 'invalid_grant');
    });

    test('a PKCE mismatch, a missing verifier, another redirect URI or client give invalid_grant', async () => {
      const other = await createApp(srv.issuer, admin, { type: 'public', grant_types: ['authorization_code'],
        redirect_uris: [rp.redirectUri] });
      const cases = {
        'PKCE mismatch': (p) => ({ ...p, code_verifier: client.randomPKCECodeVerifier() }),
        'no verifier': ({ code_verifier: _, ...p }) => p,
        'another redirect URI': (p) => ({ ...p, redirect_uri: `${rp.origin}/other` }),
        'another client': (p) => ({ ...p, client_id: other.client_id }),
      };
      for (const [name, change] of Object.entries(cases)) {
        const c = await code();
        const r = await tokenRequest(srv.issuer, undefined, undefined, change({ grant_type: 'authorization_code',
          client_id: pub.client_id, code: c.code, redirect_uri: rp.redirectUri, code_verifier: c.verifier }));
        assert.equal(r.status, 400, name);
        assert.equal(r.json.error, 'invalid_grant', name);
      }
      const unknown = await redeem({ code: 'not-a-code', verifier: client.randomPKCECodeVerifier() });
      assert.equal(unknown.json.error, 'invalid_grant');
    });

    test('CORS: only the origins of registered redirect URIs, preflight included', async () => {
      const c = await code();
      const r = await fetch(`${srv.issuer}/oauth2/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: rp.origin },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: pub.client_id, code: c.code,
          redirect_uri: rp.redirectUri, code_verifier: c.verifier }).toString(),
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), rp.origin);
      const { access_token: accessToken } = await r.json();
      for (const path of ['/.well-known/openid-configuration', '/oauth2/jwks']) {
        const ok = await get(`${srv.issuer}${path}`, { origin: rp.origin });
        assert.equal(ok.headers.get('access-control-allow-origin'), rp.origin, path);
        const no = await get(`${srv.issuer}${path}`, { origin: 'https://evil.example' });
        assert.equal(no.headers.get('access-control-allow-origin'), null, path);
      }
      const ui = await get(`${srv.issuer}/oauth2/userinfo`, { origin: rp.origin, authorization: `Bearer ${accessToken}` });
      assert.equal(ui.status, 200);
      assert.equal(ui.headers.get('access-control-allow-origin'), rp.origin);
      const pre = await fetch(`${srv.issuer}/oauth2/token`, { method: 'OPTIONS', headers: {
        origin: rp.origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), rp.origin);
      assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
      const evil = await fetch(`${srv.issuer}/oauth2/token`, { method: 'OPTIONS', headers: {
        origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      // A client's token requests get only that client's origins.
      const cc = await oauthPost(srv.issuer, 'token', { grant_type: 'client_credentials' }, ['admin-cli', 'e2e-admin-cli-secret-0123456789']);
      assert.equal(cc.headers.get('access-control-allow-origin'), null);
    });

    test('discovery lists the authorization and end-session endpoints', async () => {
      const meta = pubConfig.serverMetadata();
      assert.equal(meta.authorization_endpoint, `${srv.issuer}/oauth2/authorize`);
      assert.equal(meta.end_session_endpoint, `${srv.issuer}/oauth2/end_session`);
      assert.ok(meta.grant_types_supported.includes('authorization_code'));
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    });
  });
});

describe('authorization codes expire', { skip: skip ?? false }, () => {
  let srv; let rp; let browser;
  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_CODE_TTL: 1 } });
    rp = await startRp();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  test('an expired code gives invalid_grant', async () => {
    const admin = await adminToken(srv.issuer);
    const user = await createUser(srv.issuer, admin);
    const app = await createApp(srv.issuer, admin, { type: 'confidential', grant_types: ['authorization_code'],
      first_party: true, redirect_uris: [rp.redirectUri] });
    const config = await client.discovery(new URL(srv.issuer), app.client_id, undefined,
      client.ClientSecretPost(app.client_secret), { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: rp.redirectUri, scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'st' });
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(url.href);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(rp.redirectUri)), signIn(page, user.username, user.password)]);
    const code = new URL(page.url()).searchParams.get('code');
    await new Promise((r) => setTimeout(r, 2100));
    const r = await tokenRequest(srv.issuer, undefined, undefined, { grant_type: 'authorization_code', code,
      redirect_uri: rp.redirectUri, code_verifier: verifier, client_id: app.client_id, client_secret: app.client_secret });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_grant');
    await ctx.close();
  });
});
