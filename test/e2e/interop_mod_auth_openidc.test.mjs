// SPDX-License-Identifier: Apache-2.0
// Interoperability: Apache httpd with mod_auth_openidc as the relying party, configured from the discovery
// document, signs a person in through the Portcullis login page in Chromium and signs out again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createApp, createUser, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser, onLoginPage, signIn } from './lib/browser.mjs';
import { apacheMissing, apacheUrls, startApache } from './lib/apache.mjs';

const skip = browserMissing() ?? apacheMissing();

describe('mod_auth_openidc relying party', { skip: skip ?? false }, () => {
  let srv; let apache; let browser; let user; let admin;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin, { name: 'Grace Hopper' });
    const urls = await apacheUrls();
    const app = await createApp(srv.issuer, admin, {
      name: 'Apache intranet', type: 'confidential', grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [urls.redirectUri], post_logout_redirect_uris: [urls.loggedOutUrl], first_party: true,
    });
    apache = await startApache(urls, { issuer: srv.issuer, clientId: app.client_id, clientSecret: app.client_secret });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    if (apache && process.env.PC_E2E_VERBOSE) console.log(await apache.log());
    await apache?.stop();
    await srv?.stop();
  });

  test('the protected page sends Chromium to the Portcullis login and shows the claims', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(apache.protectedUrl);
    assert.ok(page.url().startsWith(`${srv.issuer}/oauth2/authorize`), `at the authorization endpoint: ${page.url()}`);
    assert.ok(await onLoginPage(page));
    await signIn(page, user.username, user.password);
    await page.waitForURL(apache.protectedUrl, { timeout: 15000 }).catch(async (e) => {
      throw new Error(`${e.message}\nat ${page.url()}\n${await page.content()}\n${await apache.log()}`);
    });
    assert.equal(await page.locator('#sub').innerText(), user.id);
    assert.equal(await page.locator('#preferred_username').innerText(), user.username);
    assert.equal(await page.locator('#name').innerText(), 'Grace Hopper');
    assert.equal(await page.locator('#email').innerText(), user.email);
    const sessions = await api(srv.issuer, admin, 'GET', `/users/${user.id}/sessions`);
    assert.equal(sessions.json.items.length, 1);

    // Apache's logout URL ends the Portcullis session through end_session and comes back.
    await page.goto(apache.logoutUrl);
    await page.waitForURL(apache.loggedOutUrl, { timeout: 15000 });
    const after_ = await api(srv.issuer, admin, 'GET', `/users/${user.id}/sessions`);
    assert.equal(after_.json.items.length, 0, 'the Portcullis session has ended');
    await page.goto(apache.protectedUrl);
    assert.ok(await onLoginPage(page), 'signing in is needed again');
    await ctx.close();
  });
});
