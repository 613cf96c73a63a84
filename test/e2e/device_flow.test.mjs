// SPDX-License-Identifier: Apache-2.0
// Device authorization grant (RFC 8628): openid-client's device flow with the person at /ui/device in
// Chromium (phone and desktop, axe), and the refusals: polled too fast, pending, denied, expired, reused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as client from 'openid-client';
import { adminToken, createApp, createUser, get, jwtPayload, oauthPost, startServer, tokenRequest } from './lib/server.mjs';
import { browserMissing, launchBrowser, signIn } from './lib/browser.mjs';
import { SIZES, assertAccessible, shot } from './lib/console.mjs';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const skip = browserMissing();

describe('device authorization grant (RFC 8628)', { skip: skip ?? false }, () => {
  let srv; let browser; let admin; let user; let app; let config;

  before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin, { name: 'Grace Hopper' });
    app = await createApp(srv.issuer, admin, {
      name: 'Living Room TV', type: 'public', grant_types: [DEVICE_GRANT, 'refresh_token'],
      scopes: ['openid', 'profile', 'offline_access'],
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  /** Runs SQL on the server's SQLite store (the server keeps running: WAL lets both write). */
  const sql = (q) => execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); '
    + 'c.execute(sys.argv[2]); c.commit()', join(srv.dir, 'p.db'), q]);
  const start = (scope = 'openid profile') => oauthPost(srv.issuer, 'device_authorization', { client_id: app.client_id, scope });
  const poll = (deviceCode, clientId = app.client_id) => tokenRequest(srv.issuer, undefined, undefined,
    { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId });

  /** Opens /ui/device in a fresh browser of `size`, enters `code`; returns the page. */
  async function enterCode(code, size = SIZES.desktop) {
    const ctx = await browser.newContext({ viewport: size });
    const page = await ctx.newPage();
    await page.goto(`${srv.issuer}/ui/device`);
    await page.getByLabel('Code').fill(code);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Continue' }).click()]);
    return page;
  }

  test('discovery lists the device authorization endpoint and grant', async () => {
    const doc = (await get(`${srv.issuer}/.well-known/openid-configuration`)).json;
    assert.equal(doc.device_authorization_endpoint, `${srv.issuer}/oauth2/device_authorization`);
    assert.ok(doc.grant_types_supported.includes(DEVICE_GRANT));
  });

  test('openid-client polls while the person signs in and allows the device in Chromium', async () => {
    const res = await client.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
    assert.match(res.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/, 'RFC 8628 §6.1 alphabet');
    assert.equal(res.verification_uri, `${srv.issuer}/ui/device`);
    assert.equal(res.interval, 5);
    const tokens = client.pollDeviceAuthorizationGrant(config, res);

    const page = await enterCode(res.user_code.toLowerCase().replace('-', ' ')); // typed loosely
    await signIn(page, user.username, user.password);
    assert.equal(await page.getByRole('button', { name: 'Allow' }).count(), 1, 'the consent page');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Allow' }).click()]);
    await page.getByRole('heading', { name: 'Device connected' }).waitFor({ timeout: 10000 });
    await shot(page, 'device-connected');

    const got = await tokens;
    assert.equal(jwtPayload(got.access_token).sub, user.id);
    assert.equal(got.claims().sub, user.id);
    assert.ok(got.refresh_token, 'offline_access brings a refresh token');
    assert.equal(got.scope, 'openid profile offline_access');
    // Single use: the code is spent, and so is the user code.
    sql('UPDATE device_codes SET last_poll_at = last_poll_at - 60'); // the interval has passed
    const again = await poll(res.device_code);
    assert.equal(again.json.error, 'invalid_grant');
    const reused = await enterCode(res.user_code);
    assert.match(await reused.getByRole('alert').innerText(), /already used/);
    await page.context().close();
    await reused.context().close();
  });

  test('the device page works by keyboard names at phone and desktop sizes, without accessibility faults', async () => {
    for (const [name, size] of Object.entries(SIZES)) {
      const ctx = await browser.newContext({ viewport: size });
      const page = await ctx.newPage();
      await page.goto(`${srv.issuer}/ui/device?user_code=WDJB-MJHT`);
      assert.equal(await page.getByLabel('Code').inputValue(), 'WDJB-MJHT', 'verification_uri_complete fills the code');
      await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
      await assertAccessible(page, `device page (${name})`);
      await shot(page, `device-${name}`);
      await ctx.close();
    }
  });

  test('polling too fast is slow_down, before a decision authorization_pending, a denial access_denied', async () => {
    const r = await start();
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const first = await poll(r.json.device_code);
    assert.equal(first.status, 400);
    assert.equal(first.json.error, 'authorization_pending');
    const fast = await poll(r.json.device_code);
    assert.equal(fast.json.error, 'slow_down');
    const other = await createApp(srv.issuer, admin, { type: 'public', grant_types: [DEVICE_GRANT] });
    assert.equal((await poll(r.json.device_code, other.client_id)).json.error, 'invalid_grant', 'another client');

    const page = await enterCode(r.json.user_code);
    await signIn(page, user.username, user.password);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Deny' }).click()]);
    await page.getByRole('heading', { name: 'Device not connected' }).waitFor();
    sql(`UPDATE device_codes SET last_poll_at = last_poll_at - 60`); // the interval has passed
    assert.equal((await poll(r.json.device_code)).json.error, 'access_denied');
    await page.context().close();
  });

  test('an expired code is refused on the page and to the device', async () => {
    const r = await start();
    sql(`UPDATE device_codes SET expires_at = 1 WHERE status = 'pending'`);
    const page = await enterCode(r.json.user_code);
    assert.match(await page.getByRole('alert').innerText(), /expired/);
    assert.equal((await poll(r.json.device_code)).json.error, 'expired_token');
    await page.context().close();
  });

  test('a client without the grant cannot start, and a scope it lacks is invalid_scope', async () => {
    const plain = await createApp(srv.issuer, admin, { type: 'public', grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1/cb'] });
    const r = await oauthPost(srv.issuer, 'device_authorization', { client_id: plain.client_id });
    assert.equal(r.json.error, 'unauthorized_client');
    assert.equal((await start('openid email')).json.error, 'invalid_scope');
  });

  test('guessing user codes is rate limited per address', async () => {
    const page = await enterCode('BBBB-BBBB');
    assert.match(await page.getByRole('alert').innerText(), /not valid/);
    let last;
    for (let i = 0; i < 12; i += 1) {
      const resp = page.waitForResponse((x) => x.request().method() === 'POST');
      await page.getByLabel('Code').fill('BBBB-BBBC');
      await page.getByRole('button', { name: 'Continue' }).click();
      last = await resp;
      if (last.status() === 429) break;
    }
    assert.equal(last.status(), 429);
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('alert').innerText(), /Too many wrong codes/);
    await page.context().close();
  });
});

describe('without the device_code plugin', () => {
  test('discovery lists neither the endpoint nor the grant, and both pages are 404', async () => {
    const from = process.env.PORTCULLIS_PLUGIN_DIR || resolve(import.meta.dirname, '../../build/plugins');
    const dir = mkdtempSync(join(tmpdir(), 'pc-plugins-'));
    for (const f of readdirSync(from)) if (f.endsWith('.so') && f !== 'grant_device_code.so') copyFileSync(join(from, f), join(dir, f));
    const srv = await startServer({ env: { PORTCULLIS_PLUGIN_DIR: dir } });
    try {
      const doc = (await get(`${srv.issuer}/.well-known/openid-configuration`)).json;
      assert.equal(doc.device_authorization_endpoint, undefined);
      assert.ok(!doc.grant_types_supported.includes(DEVICE_GRANT));
      assert.ok(doc.grant_types_supported.includes('authorization_code'), 'the other plugins are loaded');
      assert.equal((await oauthPost(srv.issuer, 'device_authorization', { client_id: 'x' })).status, 404);
      assert.equal((await get(`${srv.issuer}/ui/device`)).status, 404);
    } finally {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
