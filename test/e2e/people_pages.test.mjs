// SPDX-License-Identifier: Apache-2.0
// The people pages in Chromium (API.md §12): "Forgot password?" from the login page -> email ->
// /ui/reset -> back to sign in with the new password; /ui/invite; /ui/verify; /ui/register open
// and closed. Found by role and accessible name; the strict CSP; screenshots at 390x844 and 1280x800.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as client from 'openid-client';
import { adminToken, api, createApp, createUser, startServer, unique } from './lib/server.mjs';
import { browserMissing, launchBrowser, onConsentPage, onLoginPage, signIn } from './lib/browser.mjs';
import { createProvider, nextMessage, readSpool, spoolDir } from './lib/mfa.mjs';
import { startRp } from './lib/rp.mjs';

const skip = browserMissing() ?? false;
const linkIn = (text) => /(https?:\/\/\S+\/ui\/\w+\?token=[A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('people pages', { skip }, () => {
  let srv; let rp; let browser; let admin; let app; let config; let spool; let shots;

  before(async () => {
    srv = await startServer();
    rp = await startRp();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    spool = await spoolDir();
    await createProvider(srv.issuer, admin, { name: 'files', kind: 'email', plugin: 'file', config: { dir: spool } });
    app = await createApp(srv.issuer, admin, {
      name: 'Orbit Planner', type: 'public', grant_types: ['authorization_code'], redirect_uris: [rp.redirectUri],
    });
    config = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
      { execute: [client.allowInsecureRequests] });
    shots = await mkdtemp(join(tmpdir(), 'portcullis-people-shots-'));
  });
  after(async () => {
    console.log(`# screenshots of the people pages in ${shots}`);
    await browser?.close();
    await rp?.close();
    await srv?.stop();
  });

  async function authorizeUrl() {
    return client.buildAuthorizationUrl(config, {
      redirect_uri: rp.redirectUri, scope: 'openid', state: client.randomState(),
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    }).href;
  }

  /** Screenshots of the page at both sizes; checks the strict CSP and no inline script or style. */
  async function look(page, resp, name) {
    const csp = resp.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const html = await resp.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline style');
    for (const [width, height] of [[390, 844], [1280, 800]]) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: join(shots, `${name}-${width}x${height}.png`), fullPage: true });
    }
  }

  test('Forgot password? -> email -> /ui/reset -> back to sign in with the new password', async () => {
    const u = await createUser(srv.issuer, admin);
    const page = await (await browser.newContext()).newPage();
    await page.goto(await authorizeUrl());
    assert.ok(await onLoginPage(page));
    assert.equal(await page.getByRole('link', { name: 'Create account' }).count(), 0, 'registration is closed');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Forgot password?' }).click()]);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Forgot password?');
    const seen = (await readSpool(spool)).length;
    await page.getByLabel('Email').fill(u.email);
    await page.getByRole('button', { name: 'Send link' }).click();
    await page.getByRole('status').waitFor();
    assert.match(await page.getByRole('status').innerText(), /we sent it a link/);
    const link = linkIn((await nextMessage(spool, seen)).text);
    assert.ok(link.startsWith(`${srv.issuer}/ui/reset?token=`), link);
    // The message's link has no way back; the page reached from the login page had one.
    const resp = await page.goto(link);
    await look(page, resp, 'reset');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Choose a new password');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /password/i);
    await page.getByLabel('New password', { exact: true }).fill('Brand-New-Pass-7');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').waitFor();
    assert.match(await page.getByRole('status').innerText(), /password is changed/);
    // Back to the application's sign-in through the link of the login page's request.
    const withReturn = `${srv.issuer}/ui/reset?return=${encodeURIComponent(await authorizeUrl())}&token=${new URL(link).searchParams.get('token')}`;
    await page.goto(withReturn);
    await page.getByLabel('New password', { exact: true }).fill('Another-Pass-77');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /no longer valid/, 'the link works once');
    const again = await authorizeUrl();
    const seen2 = (await readSpool(spool)).length;
    await page.goto(`${srv.issuer}/ui/reset?return=${encodeURIComponent(again)}`);
    await page.getByLabel('Email').fill(u.email);
    await page.getByRole('button', { name: 'Send link' }).click();
    await page.getByRole('status').waitFor();
    const token = new URL(linkIn((await nextMessage(spool, seen2)).text)).searchParams.get('token');
    await page.goto(`${srv.issuer}/ui/reset?return=${encodeURIComponent(again)}&token=${token}`);
    await page.getByLabel('New password', { exact: true }).fill('Third-Pass-777');
    await page.getByRole('button', { name: 'Set password' }).click();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Back to sign in' }).click()]);
    assert.ok(await onLoginPage(page));
    await signIn(page, u.username, 'Third-Pass-777');
    assert.ok(await onConsentPage(page) || page.url().startsWith(rp.redirectUri), page.url());
    // A return address elsewhere is dropped (no open redirect).
    await page.goto(`${srv.issuer}/ui/reset?return=${encodeURIComponent('https://evil.example/oauth2/authorize?x')}&token=${token}`);
    assert.equal(await page.locator('form').getAttribute('data-return'), '');
  });

  test('/ui/invite: accept with a confirmed password, then sign in', async () => {
    const email = `${unique('inv')}@example.test`;
    const seen = (await readSpool(spool)).length;
    assert.equal((await api(srv.issuer, admin, 'POST', '/invitations', { email })).status, 201);
    const link = linkIn((await nextMessage(spool, seen)).text);
    const page = await (await browser.newContext()).newPage();
    const resp = await page.goto(link);
    await look(page, resp, 'invite');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Accept your invitation');
    const username = unique('invited');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill('Invited-Pass-1');
    await page.getByLabel('Confirm password').fill('Invited-Pass-2');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /confirm password/i);
    assert.equal(await page.getByLabel('Confirm password').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Confirm password').fill('Invited-Pass-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status').waitFor();
    assert.match(await page.getByRole('status').innerText(), /account is ready/);
    const users = (await api(srv.issuer, admin, 'GET', `/users?email=${encodeURIComponent(email)}`)).json.items;
    assert.equal(users[0].username, username);
    assert.equal(users[0].email_verified, true);
  });

  test('/ui/verify confirms once', async () => {
    const u = await createUser(srv.issuer, admin);
    const seen = (await readSpool(spool)).length;
    assert.equal((await api(srv.issuer, admin, 'POST', `/users/${u.id}/email/verification`)).status, 204);
    const link = linkIn((await nextMessage(spool, seen)).text);
    const page = await (await browser.newContext()).newPage();
    const resp = await page.goto(link);
    await look(page, resp, 'verify');
    assert.equal((await api(srv.issuer, admin, 'GET', `/users/${u.id}`)).json.email_verified, false, 'opening the link changes nothing');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').waitFor();
    assert.equal((await api(srv.issuer, admin, 'GET', `/users/${u.id}`)).json.email_verified, true);
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /no longer valid/);
  });

  test('/ui/register: a 404 page while closed; open, the login page links to it', async () => {
    const page = await (await browser.newContext()).newPage();
    let resp = await page.goto(`${srv.issuer}/ui/register`);
    assert.equal(resp.status(), 404);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Something went wrong');
    assert.equal((await api(srv.issuer, admin, 'PATCH', '/tenant', { settings: { registration: 'open' } })).status, 200);
    await page.goto(await authorizeUrl());
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Create account' }).click()]);
    resp = await page.reload();
    await look(page, resp, 'register');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Create account');
    const email = `${unique('reg')}@example.test`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Name').fill('Reggie');
    await page.getByLabel('Password').fill('Register-Pass-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status').waitFor();
    assert.match(await page.getByRole('status').innerText(), /account is created/);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('link', { name: 'Back to sign in' }).click()]);
    assert.ok(await onLoginPage(page));
    await signIn(page, email, 'Register-Pass-1');
    assert.ok(await onConsentPage(page), page.url());
  });
});
