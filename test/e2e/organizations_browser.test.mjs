// SPDX-License-Identifier: Apache-2.0
// Organizations in the browser and across nodes (API.md §18): a user in three organizations signs in
// with openid-client in headless Chromium, picks one on the accessible picker (phone and desktop, axe),
// gets a token whose permission checks follow that membership's roles, switches by token exchange and
// cannot refresh across; organization= preselects, the last choice is remembered when asked. On two
// nodes sharing one PostgreSQL, a membership removed on one node kills that organization's tokens on
// the other at once (the change feed's "member" entry, no row per token).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import {
  adminToken, api, createApp, createUser, introspect, jwtPayload, startServer, tokenRequest, unique,
} from './lib/server.mjs';
import { browserMissing, launchBrowser, onLoginPage, signIn } from './lib/browser.mjs';
import { SIZES, assertAccessible, shot } from './lib/console.mjs';
import { activeAt, havePg, seenWithin, startTwoNodes } from './lib/nodes.mjs';
import { startRp } from './lib/rp.mjs';
import { storeEnv, storeName } from './lib/store.mjs';

const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';

/** Three organizations, roles that differ between them, and a user who belongs to all three. */
async function world(issuer, admin) {
  const role = async (perms) => {
    const name = unique('role');
    assert.equal((await api(issuer, admin, 'POST', '/roles', { name, permissions: perms })).status, 201);
    return name;
  };
  const payer = await role(['invoices:read', 'invoices:pay']);
  const reader = await role(['invoices:read']);
  const user = await createUser(issuer, admin, { name: 'Olga Orgs' });
  const orgs = {};
  for (const [key, name, roles] of [['acme', 'Acme Corp', [payer]], ['globex', 'Globex', [reader]], ['initech', 'Initech', []]]) {
    const r = await api(issuer, admin, 'POST', '/organizations', { slug: `${key}-${unique('o').toLowerCase()}`, name });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    orgs[key] = r.json;
    assert.equal((await api(issuer, admin, 'PUT', `/organizations/${r.json.id}/members/${user.id}`, { roles })).status, 204);
  }
  return { user, orgs };
}

describe(`the organization picker in Chromium (${storeName})`, { skip: browserMissing() ?? false }, () => {
  let srv; let rp; let browser; let admin; let user; let orgs; let app; let config; let exchanger;

  before(async () => {
    srv = await startServer({ env: storeEnv() });
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    ({ user, orgs } = await world(srv.issuer, admin));
    app = await createApp(srv.issuer, admin, {
      name: 'Invoices', type: 'public', first_party: true, grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [rp.redirectUri], scopes: ['openid', 'profile'],
    });
    exchanger = await createApp(srv.issuer, admin, {
      name: 'Switcher', type: 'confidential', first_party: true, grant_types: [TE, 'refresh_token'], scopes: ['openid', 'profile'],
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  async function authRequest(extra = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid profile', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
    });
    return { url, verifier, state, nonce };
  }
  const waitCallback = (page) => page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 });
  const redeem = (page, req) => client.authorizationCodeGrant(config, new URL(page.url()), {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
  });
  const check = async (token, action) =>
    (await api(srv.issuer, token, 'POST', '/authorize', { resource: 'invoices', action })).json.authorized;

  for (const [size, viewport] of Object.entries(SIZES)) {
    test(`${size}: sign in, pick an organization by its name, get a token scoped to it`, async () => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const req = await authRequest();
      await page.goto(req.url.href);
      assert.ok(await onLoginPage(page));
      await signIn(page, user.username, user.password);
      await page.getByRole('heading', { name: 'Choose an organization' }).waitFor();
      for (const o of Object.values(orgs)) assert.equal(await page.getByRole('button', { name: o.name }).count(), 1);
      await assertAccessible(page, `organization picker (${size})`);
      await shot(page, `organization-picker-${size}`);
      // Keyboard alone: the choice to remember, then the organizations in order.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'remember');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), orgs.acme.name);
      await Promise.all([waitCallback(page), page.getByRole('button', { name: 'Globex' }).click()]);
      const tokens = await redeem(page, req);
      const claims = jwtPayload(tokens.access_token);
      assert.equal(claims.org_id, orgs.globex.id);
      assert.equal(claims.org_slug, orgs.globex.slug);
      assert.equal(tokens.claims().org_id, orgs.globex.id, 'the ID token names it too');
      assert.equal(await check(tokens.access_token, 'read'), true);
      assert.equal(await check(tokens.access_token, 'pay'), false, 'Globex membership cannot pay');
      await context.close();
    });
  }

  test('organization= preselects; switching by token exchange; a refresh never crosses', async () => {
    const context = await browser.newContext({ viewport: SIZES.desktop });
    const page = await context.newPage();
    const req = await authRequest({ organization: orgs.acme.slug });
    await page.goto(req.url.href);
    await Promise.all([waitCallback(page), signIn(page, user.username, user.password)]);
    const tokens = await redeem(page, req);
    assert.equal(jwtPayload(tokens.access_token).org_slug, orgs.acme.slug, 'no picker: preselected');
    assert.equal(await check(tokens.access_token, 'pay'), true, 'Acme membership can pay');
    const x = await tokenRequest(srv.issuer, exchanger.client_id, exchanger.client_secret,
      { grant_type: TE, subject_token: tokens.access_token, subject_token_type: AT, organization: orgs.initech.slug });
    assert.equal(x.status, 200, JSON.stringify(x.json));
    assert.equal(jwtPayload(x.json.access_token).org_id, orgs.initech.id);
    assert.equal(await check(x.json.access_token, 'read'), false, 'Initech membership holds no role');
    const cross = await client.refreshTokenGrant(config, tokens.refresh_token, { organization: orgs.globex.slug })
      .then(() => null, (e) => e);
    assert.equal(cross?.error, 'invalid_grant');
    const same = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.equal(jwtPayload(same.access_token).org_id, orgs.acme.id);
    // A non-member organization goes back to the client as invalid_request.
    const other = await api(srv.issuer, admin, 'POST', '/organizations', { slug: unique('z').toLowerCase(), name: 'Elsewhere' });
    const bad = await authRequest({ organization: other.json.slug });
    await Promise.all([waitCallback(page), page.goto(bad.url.href)]);
    assert.equal(new URL(page.url()).searchParams.get('error'), 'invalid_request');
    await context.close();
  });

  test('the last choice is remembered when asked, and prompt=select_account asks again', async () => {
    const context = await browser.newContext({ viewport: SIZES.phone });
    const page = await context.newPage();
    let req = await authRequest();
    await page.goto(req.url.href);
    await signIn(page, user.username, user.password);
    await page.getByRole('checkbox', { name: 'Remember my choice on this device' }).check();
    await Promise.all([waitCallback(page), page.getByRole('button', { name: 'Acme Corp' }).click()]);
    await redeem(page, req);
    req = await authRequest();
    await Promise.all([waitCallback(page), page.goto(req.url.href)]);
    assert.equal(jwtPayload((await redeem(page, req)).access_token).org_id, orgs.acme.id, 'remembered: no picker');
    req = await authRequest({ prompt: 'select_account' });
    await page.goto(req.url.href);
    await page.getByRole('heading', { name: 'Choose an organization' }).waitFor();
    await context.close();
  });

  test('removing the membership ends that organization\'s browser-issued tokens at once', async () => {
    const context = await browser.newContext({ viewport: SIZES.desktop });
    const page = await context.newPage();
    const req = await authRequest({ organization: orgs.initech.slug });
    await page.goto(req.url.href);
    await Promise.all([waitCallback(page), signIn(page, user.username, user.password)]);
    const tokens = await redeem(page, req);
    assert.equal((await introspect(srv.issuer, tokens.access_token)).org_slug, orgs.initech.slug);
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/organizations/${orgs.initech.id}/members/${user.id}`)).status, 204);
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, false);
    assert.equal((await introspect(srv.issuer, tokens.refresh_token)).active, false);
    await context.close();
  });
});

describe('a removed membership across two nodes on one PostgreSQL', { skip: !havePg && 'needs PC_E2E_PG_URI' }, () => {
  let a; let b; let adminA; let user; let orgs; let app;

  before(async () => {
    [a, b] = await startTwoNodes();
    adminA = await adminToken(a.issuer);
    ({ user, orgs } = await world(a.issuer, adminA));
    app = await createApp(a.issuer, adminA, {
      name: unique('cli'), type: 'confidential', first_party: true, grant_types: ['password', 'refresh_token'], scopes: ['openid'],
    });
  });
  after(async () => { await b?.stop(); await a?.stop(); });

  test('the organization\'s tokens stop at the other node within a second; the others\' do not', async (t) => {
    const signInAt = async (node, o) => {
      const r = await tokenRequest(node.issuer, app.client_id, app.client_secret,
        { grant_type: 'password', username: user.username, password: user.password, scope: 'openid', organization: o.slug });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      return r.json;
    };
    const acme = await signInAt(b, orgs.acme);
    const globex = await signInAt(b, orgs.globex);
    assert.equal((await api(b.issuer, acme.access_token, 'POST', '/authorize', { resource: 'invoices', action: 'pay' })).json.authorized, true);
    assert.equal(await activeAt(b.issuer, acme.access_token), true); // B has verified and cached it
    const r = await api(a.issuer, adminA, 'DELETE', `/organizations/${orgs.acme.id}/members/${user.id}`);
    assert.equal(r.status, 204);
    t.diagnostic(`seen after ${await seenWithin(async () => (await activeAt(b.issuer, acme.access_token)) === false)} ms`);
    assert.equal((await api(b.issuer, acme.access_token, 'GET', '/me')).status, 401);
    assert.equal(await activeAt(b.issuer, acme.refresh_token), false);
    const refreshed = await tokenRequest(b.issuer, app.client_id, app.client_secret, { grant_type: 'refresh_token', refresh_token: acme.refresh_token });
    assert.equal(refreshed.json.error, 'invalid_grant');
    assert.equal(await activeAt(b.issuer, globex.access_token), true, 'another organization\'s token lives on');
    const again = await tokenRequest(b.issuer, app.client_id, app.client_secret,
      { grant_type: 'password', username: user.username, password: user.password, scope: 'openid', organization: orgs.acme.slug });
    assert.equal(again.json.error, 'invalid_request', 'no longer a member');
  });
});
