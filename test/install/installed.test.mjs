// SPDX-License-Identifier: Apache-2.0
// The installed server (PORTCULLIS_BIN from a DESTDIR install, no plugin or webapp setting):
// discovery, a token, the login page from the install tree, and a browser sign-in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD, adminToken, createApp, get, startServer,
} from '../e2e/lib/server.mjs';
import { browserMissing, launchBrowser, onLoginPage, signIn } from '../e2e/lib/browser.mjs';
import { startRp } from '../e2e/lib/rp.mjs';

describe('the installed server', () => {
  let srv;

  before(async () => {
    assert.equal(process.env.PORTCULLIS_PLUGIN_DIR, undefined, 'no plugin directory is given');
    srv = await startServer();
  });
  after(async () => { await srv?.stop(); });

  test('publishes discovery and issues a token', async () => {
    const d = await get(`${srv.issuer}/.well-known/openid-configuration`);
    assert.equal(d.status, 200);
    assert.equal(d.json.issuer, srv.issuer);
    assert.match(await adminToken(srv.issuer), /\S{20,}/);
  });

  test('renders the login page and its assets from the install tree', async () => {
    const app = await createApp(srv.issuer, await adminToken(srv.issuer), {
      type: 'public', grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:9/cb'],
    });
    const q = new URLSearchParams({
      response_type: 'code', client_id: app.client_id, redirect_uri: 'http://127.0.0.1:9/cb', scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSMw7-cM', code_challenge_method: 'S256',
    });
    const r = await fetch(`${srv.issuer}/oauth2/authorize?${q}`);
    const html = await r.text();
    assert.equal(r.status, 200, html);
    assert.match(html, /installed-copy-marker/, 'the page comes from <prefix>/share/portcullis/webapp');
    const css = html.match(/href="([^"]+\.css)"/);
    assert.ok(css, 'the page links a stylesheet');
    const a = await fetch(new URL(css[1], srv.base));
    assert.equal(a.status, 200, `${css[1]} is served`);
  });

  test('signs a user in through the browser', { skip: browserMissing() ?? false }, async () => {
    const rp = await startRp();
    const browser = await launchBrowser();
    try {
      const app = await createApp(srv.issuer, await adminToken(srv.issuer), {
        type: 'public', grant_types: ['authorization_code'], first_party: true, redirect_uris: [rp.redirectUri],
      });
      const q = new URLSearchParams({
        response_type: 'code', client_id: app.client_id, redirect_uri: rp.redirectUri, scope: 'openid', state: 's1',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSMw7-cM', code_challenge_method: 'S256',
      });
      const page = await browser.newPage();
      await page.goto(`${srv.issuer}/oauth2/authorize?${q}`);
      assert.ok(await onLoginPage(page), 'the login page is shown');
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }),
        signIn(page, 'admin', ADMIN_PASSWORD),
      ]);
      const back = new URL(page.url());
      assert.equal(back.searchParams.get('state'), 's1');
      assert.match(back.searchParams.get('code') ?? '', /\S{16,}/);
    } finally {
      await browser.close();
      await rp.close();
    }
  });
});
