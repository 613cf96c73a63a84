// SPDX-License-Identifier: Apache-2.0
// Consent per person, client and scopes (issue #18): it survives sign-out, more scopes ask again,
// GET/DELETE /me/consents, the account console's Consents section, and the schema 14 migration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as client from 'openid-client';
import { adminToken, api, createApp, createUser, introspect, passwordGrant, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser, onConsentPage, onLoginPage, signIn } from './lib/browser.mjs';
import { SIZES, assertAccessible, consolePage, shot, signInTo } from './lib/console.mjs';
import { startRp } from './lib/rp.mjs';
import { storeEnv, storeName, undoAfter } from './lib/store.mjs';

const skip = browserMissing();

describe(`consent is the person's, per client and scopes (${storeName})`, { skip: skip ?? false }, () => {
  let srv; let rp; let browser; let admin; let user; let app; let config; let store;

  before(async () => {
    store = storeEnv();
    srv = await startServer({ env: store });
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin, { name: 'Mary Jackson' });
    app = await createApp(srv.issuer, admin, {
      name: 'Wind Tunnel', type: 'public', grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [rp.redirectUri], scopes: ['openid', 'profile', 'email'],
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  /** Runs SQL on the stopped server's store. */
  function sql(q) {
    if (store.PORTCULLIS_STORE) return execFileSync('psql', [store.PORTCULLIS_STORE, '-v', 'ON_ERROR_STOP=1', '-qAtc', q]).toString().trim();
    return execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); '
      + 'r=c.executescript(sys.argv[2]) if ";" in sys.argv[2] else c.execute(sys.argv[2]).fetchall(); c.commit(); print(r)',
    join(srv.dir, 'p.db'), q]).toString().trim();
  }

  /** A fresh browser goes to the authorization endpoint for `scope` and signs in. Returns the page. */
  async function signInFor(scope, req = {}, cfg = config) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    req.verifier = client.randomPKCECodeVerifier();
    req.state = client.randomState();
    const url = client.buildAuthorizationUrl(cfg, {
      redirect_uri: rp.redirectUri, scope, state: req.state,
      code_challenge: await client.calculatePKCECodeChallenge(req.verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    assert.ok(await onLoginPage(page), 'the login page');
    await signIn(page, user.username, user.password);
    return page;
  }
  const backAtRp = (page) => page.url().startsWith(rp.redirectUri) && new URL(page.url()).searchParams.get('code');
  const allow = (page) => Promise.all([page.waitForURL((u) => u.href.startsWith(rp.redirectUri)),
    page.getByRole('button', { name: 'Allow' }).click()]);
  const userToken = async () => (await passwordGrant(srv.issuer, user.username, user.password, 'openid')).json.access_token;
  const endSessions = async () => assert.equal((await api(srv.issuer, admin, 'DELETE', `/users/${user.id}/sessions`)).status, 204);

  test('a consent survives signing out; more scopes ask again, for the new ones only', async () => {
    let page = await signInFor('openid');
    assert.ok(await onConsentPage(page), 'asked the first time');
    await allow(page);
    await page.context().close();
    await endSessions(); // signed out everywhere

    page = await signInFor('openid');
    assert.ok(backAtRp(page), `no question after signing in again: ${page.url()}`);
    await page.context().close();

    page = await signInFor('openid profile');
    assert.ok(await onConsentPage(page), 'a new scope is asked for');
    assert.deepEqual(await page.getByRole('list').getByRole('listitem').allInnerTexts(), ['See your name and username']);
    await allow(page);
    await page.context().close();
    const one = await api(srv.issuer, await userToken(), 'GET', `/me/consents/${app.client_id}`);
    assert.equal(one.status, 200, JSON.stringify(one.json));
    assert.deepEqual(one.json.scopes, ['openid', 'profile']);
    assert.equal(one.json.name, 'Wind Tunnel');
  });

  test('GET /me/consents lists it; DELETE withdraws it, ends its refresh tokens, and the next request asks again', async () => {
    const req = {};
    const held = await signInFor('openid', req); // allowed before: straight back with a code
    const tokens = await client.authorizationCodeGrant(config, new URL(held.url()), { pkceCodeVerifier: req.verifier, expectedState: req.state });
    await held.context().close();
    assert.ok(tokens.refresh_token);
    const token = await userToken();
    const list = await api(srv.issuer, token, 'GET', '/me/consents');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.items.map((c) => c.client_id), [app.client_id]);
    assert.match(list.json.items[0].granted_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal((await api(srv.issuer, token, 'DELETE', `/me/consents/${app.client_id}`)).status, 204);
    assert.equal((await api(srv.issuer, token, 'DELETE', `/me/consents/${app.client_id}`)).status, 404);
    // What the application held of the person's through its refresh token ends with the consent.
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, false);
    assert.equal((await api(srv.issuer, token, 'GET', '/me/consents/no-such-client')).status, 404);
    assert.deepEqual((await api(srv.issuer, token, 'GET', '/me/consents')).json.items, []);
    // Another person's consents are not this one's, and an application's own token has none.
    assert.equal((await api(srv.issuer, admin, 'GET', '/me/consents')).status, 403);
    const page = await signInFor('openid');
    assert.ok(await onConsentPage(page), 'asked again after withdrawing');
    await allow(page);
    await page.context().close();
  });

  test('withdrawing ends the access tokens the client got without a refresh token, at once', async () => {
    const codeOnly = await createApp(srv.issuer, admin, {
      name: 'Slide Rule', type: 'public', grant_types: ['authorization_code'],
      redirect_uris: [rp.redirectUri], scopes: ['openid', 'profile'],
    });
    const cfg = await client.discovery(new URL(srv.issuer), codeOnly.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    const req = {};
    const page = await signInFor('openid profile', req, cfg);
    assert.ok(await onConsentPage(page), 'asked the first time');
    await allow(page);
    const tokens = await client.authorizationCodeGrant(cfg, new URL(page.url()), { pkceCodeVerifier: req.verifier, expectedState: req.state });
    await page.context().close();
    assert.equal(tokens.refresh_token, undefined, 'no refresh token to revoke');
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, true);
    const mine = await userToken(); // the person's own token, of another client
    assert.equal((await api(srv.issuer, mine, 'DELETE', `/me/consents/${codeOnly.client_id}`)).status, 204);
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, false, 'the withdrawn client\'s token');
    const ui = await fetch(`${srv.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(ui.status, 401);
    assert.equal((await introspect(srv.issuer, mine)).active, true, 'other clients\' tokens live on');
  });

  test('the account console shows Consents and withdraws one (phone and desktop, axe)', async () => {
    for (const [name, size] of Object.entries(SIZES)) {
      const page = await consolePage(browser, size);
      await signInTo(page, srv.issuer, 'account', user.username, user.password);
      const section = page.getByRole('region', { name: 'Consents' });
      await section.getByRole('cell', { name: 'Wind Tunnel' }).waitFor();
      assert.ok(await section.getByRole('cell', { name: 'openid' }).isVisible());
      await assertAccessible(page, `account, consents, ${name}`);
      await shot(page, `account-consents-${name}`);
      if (name === 'desktop') {
        await section.getByRole('button', { name: 'Withdraw consent for Wind Tunnel' }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Withdraw' }).click();
        await section.getByText('You have not allowed any application yet.').waitFor();
        assert.deepEqual((await api(srv.issuer, await userToken(), 'GET', '/me/consents')).json.items, []);
      }
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });

  test('migration 14 moves the consents sessions carried to the person', async () => {
    let page = await signInFor('openid'); // a session to carry the old consent
    await allow(page);
    await page.context().close();
    const { dir, port } = srv;
    await srv.stop({ keepDir: true });
    sql(`${undoAfter(13)} UPDATE sessions SET consents = '[{"client_id":"${app.client_id}","scope":"openid email"}]'`
      + ` WHERE user_id = '${user.id}';`);
    srv = await startServer({ dir, port, env: store });
    const got = await api(srv.issuer, await userToken(), 'GET', `/me/consents/${app.client_id}`);
    assert.equal(got.status, 200, JSON.stringify(got.json));
    assert.deepEqual(got.json.scopes, ['openid', 'email']);
    page = await signInFor('openid email');
    assert.ok(backAtRp(page), 'the moved consent covers its scopes');
    await page.context().close();
  });
});
