// SPDX-License-Identifier: Apache-2.0
// The account console (/ui/account) in headless Chromium, elements found by role and name only:
// real sign-in, each section's main task checked through the API afterwards, sign-out through
// end_session, accessibility at phone and desktop sizes, the CSP, and names rendered as text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, startServer, tokenRequest } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { codeIn, nextMessage, readSpool, spoolDir, totp } from './lib/mfa.mjs';
import { SIZES, assertAccessible, assertCsp, consolePage, shot, signInTo } from './lib/console.mjs';

const skip = browserMissing();
const PROBE = '<img src=x onerror=alert(1)>';

describe('account console', { skip: skip ?? false }, () => {
  let srv; let browser; let admin; let n = 0;

  before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
  });
  after(async () => {
    await browser?.close();
    const code = await srv?.stop();
    // A server that did not stop cleanly (it died under a test) explains the failures: show its log.
    if (srv && code !== 0) console.log(`portcullis exited with ${code}:\n${srv.output()}`);
  });

  /** A fresh user with a known password. */
  async function person(extra = {}) {
    const u = { username: `person${++n}`, password: `Pw-${n}-correct horse`, email: `person${n}@example.test`, ...extra };
    const r = await api(srv.issuer, admin, 'POST', '/users', u);
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return { ...u, id: r.json.id };
  }
  const passwordGrant = (u, password = u.password) => tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
    { grant_type: 'password', username: u.username, password, scope: 'openid' });

  test('sign in through /oauth2/authorize; the four sections; profile saved; a failed save keeps the form', async () => {
    const u = await person({ name: PROBE });
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    for (const name of ['Profile', 'Password', 'Two-step verification', 'Sessions'])
      assert.ok(await page.getByRole('heading', { name, level: 2 }).isVisible(), `section ${name}`);
    // The probe name is shown as text in the banner and the form, and ran nothing.
    assert.ok(await page.getByRole('banner').getByText(PROBE).isVisible());
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), PROBE);
    assert.equal(await page.locator('img[src="x"]').count(), 0);

    await page.getByRole('textbox', { name: 'Name' }).fill('Alice Liddell');
    await page.getByRole('textbox', { name: 'Email' }).fill('not an address');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const region = page.getByRole('region', { name: 'Profile' });
    await region.getByRole('alert').waitFor();
    assert.ok(await region.getByText('must be an email address').isVisible(), 'the reason shows beside the field');
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Alice Liddell', 'the form kept its values');
    assert.equal(await page.getByRole('textbox', { name: 'Email' }).getAttribute('aria-invalid'), 'true');

    await page.getByRole('textbox', { name: 'Email' }).fill('alice@example.test');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Profile saved. alice@example.test is not confirmed yet' }).waitFor();
    const got = await api(srv.issuer, admin, 'GET', `/users/${u.id}`);
    assert.equal(got.json.name, 'Alice Liddell');
    assert.equal(got.json.email, 'alice@example.test');
    assert.equal(got.json.email_verified, false, 'a new address is unverified');
    assertCsp(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('password: a wrong current password is shown beside it; the new one works at the token endpoint', async () => {
    const u = await person();
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    const section = page.getByRole('region', { name: 'Password' });
    await section.getByLabel('Current password').fill('wrong password');
    await section.getByLabel('New password').fill('A-new-password-99');
    await section.getByRole('button', { name: 'Change password' }).click();
    await section.getByRole('alert').waitFor();
    assert.equal(await section.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    await section.getByLabel('Current password').fill(u.password);
    await section.getByRole('button', { name: 'Change password' }).click();
    await section.getByRole('status').waitFor();
    assert.equal((await passwordGrant(u, 'A-new-password-99')).status, 200);
    assert.equal((await passwordGrant(u)).status, 400);
    await page.context().close();
  });

  test('TOTP enrolment with a code computed here: recovery codes shown once with a download; the password grant then needs MFA', async () => {
    const u = await person();
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    const section = page.getByRole('region', { name: 'Two-step verification' });
    await section.getByRole('button', { name: 'Set up authenticator app' }).click();
    await section.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const secret = await section.getByRole('textbox', { name: 'Secret key' }).inputValue();
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    for (const [name, size] of Object.entries(SIZES)) {
      await page.setViewportSize(size);
      await assertAccessible(page, `account, TOTP setup, ${name}`);
      await shot(page, `account-totp-${name}`);
    }
    await section.getByRole('textbox', { name: 'Code' }).fill('000000');
    await section.getByRole('button', { name: 'Verify' }).click();
    await section.getByRole('alert').waitFor();
    assert.equal(await section.getByRole('textbox', { name: 'Code' }).inputValue(), '000000');
    await section.getByRole('textbox', { name: 'Code' }).fill(totp(secret));
    await section.getByRole('button', { name: 'Verify' }).click();
    const codes = section.getByRole('region', { name: 'Your recovery codes' });
    await codes.waitFor().catch(async (e) => { await shot(page, 'debug-codes'); throw e; });
    assert.equal(await codes.getByRole('listitem').count(), 10);
    const [download] = await Promise.all([page.waitForEvent('download'), codes.getByRole('link', { name: 'Download codes' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.equal(text.trim().split('\n').length, 10);
    assert.ok(text.includes((await codes.getByRole('listitem').first().textContent()).trim()));
    await assertAccessible(page, 'account, recovery codes');
    await codes.getByRole('button', { name: 'I have saved them' }).click();
    assert.equal(await codes.count(), 0, 'the codes are gone once dismissed');

    const r = await passwordGrant(u);
    assert.equal(r.status, 403);
    assert.equal(r.json.error, 'mfa_required');
    assert.ok(r.json.mfa_methods.includes('totp') && r.json.mfa_methods.includes('recovery_code'));
    const mfa = await api(srv.issuer, admin, 'GET', `/users/${u.id}/mfa`);
    assert.equal(mfa.status, 200);
    assert.match(JSON.stringify(mfa.json), /totp/);
    assert.ok(await section.getByRole('button', { name: 'Turn off authenticator app' }).isVisible());
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('email codes: the destination, a code sent, the code typed; the preferred method; turned off with password and a fresh code', async () => {
    const spool = await spoolDir();
    const prov = await api(srv.issuer, admin, 'POST', '/providers',
      { name: 'Spool', kind: 'email', plugin: 'file', config: { dir: spool, default: true } });
    assert.equal(prov.status, 201, JSON.stringify(prov.json));
    const u = await person();
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    const section = page.getByRole('region', { name: 'Two-step verification' });
    await section.getByRole('button', { name: 'Set up email codes' }).click();
    const email = section.getByRole('group', { name: 'Email codes' });
    const app = section.getByRole('group', { name: 'Authenticator app' });
    await email.getByRole('textbox', { name: 'Email address' }).fill(u.email);
    await email.getByRole('button', { name: 'Send code' }).click();
    const msg = await nextMessage(spool, 0);
    assert.equal(msg.to, u.email);
    await email.getByRole('textbox', { name: 'Code' }).fill(codeIn(msg.text));
    await email.getByRole('button', { name: 'Verify' }).click();
    await section.getByRole('region', { name: 'Your recovery codes' }).waitFor();
    await section.getByRole('button', { name: 'I have saved them' }).click();
    const r = await passwordGrant(u);
    assert.equal(r.json.error, 'mfa_required');
    assert.ok(r.json.mfa_methods.includes('email'));

    // A second method brings the choice of the one asked first. It is another way in, so the
    // person shows the factor they have first: no authenticator app to ask a code of, so they
    // sign in again (password and an emailed code) and come back to the button.
    await app.getByRole('button', { name: 'Set up authenticator app' }).click();
    const confirmIt = page.getByRole('dialog', { name: 'Confirm it is you' });
    await confirmIt.getByRole('textbox', { name: 'Authentication code' }).waitFor({ state: 'hidden' });
    await assertAccessible(page, 'step-up without an authenticator app');
    const sent = (await readSpool(spool)).length;
    await confirmIt.getByRole('button', { name: 'Sign in again instead' }).click();
    await page.getByLabel('Username or email').fill(u.username);
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('input[name="code"]').fill(codeIn((await nextMessage(spool, sent)).text));
    await page.locator('button.primary').click();
    await page.getByRole('button', { name: 'Sign out' }).first().waitFor({ timeout: 15000 });
    await app.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = await app.getByRole('textbox', { name: 'Secret key' }).inputValue();
    await app.getByRole('textbox', { name: 'Code' }).fill(totp(secret));
    await app.getByRole('button', { name: 'Verify' }).click();
    await section.getByRole('combobox', { name: 'Ask first for' }).selectOption({ label: 'Email codes' });
    await section.getByRole('button', { name: 'Save preferred method' }).click();
    await section.getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor();
    assert.equal((await api(srv.issuer, admin, 'GET', `/users/${u.id}/mfa`)).json.preferred, 'email');

    const count = (await readSpool(spool)).length;
    await email.getByRole('button', { name: 'Send a code' }).click();
    const again = await nextMessage(spool, count);
    await email.getByLabel('Password', { exact: true }).fill(u.password);
    await email.getByRole('textbox', { name: 'Code' }).fill(codeIn(again.text));
    await email.getByRole('button', { name: 'Turn off email codes' }).click();
    await page.getByRole('dialog', { name: 'Turn off email codes?' }).getByRole('button', { name: 'Turn off' }).click();
    await section.getByRole('button', { name: 'Set up email codes' }).waitFor();
    assert.deepEqual((await passwordGrant(u)).json.mfa_methods.filter((m) => m !== 'recovery_code'), ['totp'], 'email is off, TOTP stays');
    assert.deepEqual(page.errors, []);
    await page.context().close();
    await rm(spool, { recursive: true, force: true });
  });

  test('keyboard alone: the skip link, a confirmation opened with Enter and closed with Escape, focus returned', async () => {
    const u = await person();
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    await page.getByRole('table', { name: 'Your sessions' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    const others = page.getByRole('button', { name: 'Sign out all other sessions' });
    await others.focus();
    await page.keyboard.press('Enter');
    const dlg = page.getByRole('dialog', { name: 'Sign out all other sessions?' });
    await dlg.waitFor();
    assert.ok(await dlg.evaluate((d) => d.contains(document.activeElement)), 'focus moved into the dialog');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' });
    assert.ok(await others.evaluate((b) => b === document.activeElement), 'focus is back on the button');
    await page.context().close();
  });

  test('sessions: each listed, one signed out, then all others; the API agrees', async () => {
    const u = await person();
    const others = [];
    for (let i = 0; i < 2; i++) {
      const p = await consolePage(browser);
      await signInTo(p, srv.issuer, 'account', u.username, u.password);
      others.push(p);
    }
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    const section = page.getByRole('region', { name: 'Sessions' });
    const table = section.getByRole('table', { name: 'Your sessions' });
    await table.getByRole('row').nth(3).waitFor();
    assert.equal(await table.getByRole('row').count(), 4, 'a header and three sessions');
    await table.getByRole('button', { name: 'Sign out' }).first().click();
    const dlg = page.getByRole('dialog', { name: 'Sign out this session?' });
    await assertAccessible(page, 'account, confirmation dialog');
    await dlg.getByRole('button', { name: 'Sign out' }).click();
    await section.getByRole('status').filter({ hasText: 'Session signed out.' }).waitFor();
    const open = async () => (await api(srv.issuer, admin, 'GET', `/users/${u.id}/sessions`)).json.items.length;
    assert.equal(await open(), 2);
    await section.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await page.getByRole('dialog', { name: 'Sign out all other sessions?' }).getByRole('button', { name: 'Sign out others' }).click();
    await section.getByRole('status').filter({ hasText: 'All other sessions were signed out.' }).waitFor();
    assert.equal(await open(), 1);
    // This console still works (its own session stayed).
    await page.reload();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    for (const p of others) await p.context().close();
    await page.context().close();
  });

  test('Sign out goes through end_session with the id_token as hint: no confirmation page, the session ends', async () => {
    const u = await person();
    const page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', u.username, u.password);
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username or email').waitFor({ timeout: 15000 });
    assert.ok(page.url().includes('/oauth2/authorize'), 'back at the sign-in page');
    const sessions = await api(srv.issuer, admin, 'GET', `/users/${u.id}/sessions`);
    assert.equal(sessions.json.items.length, 0);
    await page.context().close();
  });

  test('the own-token calls behind the page: applications have no profile; another person\'s session is not found', async () => {
    const a = await person();
    const b = await person();
    const tokenOf = async (u) => (await passwordGrant(u)).json.access_token;
    const [ta, tb] = [await tokenOf(a), await tokenOf(b)];
    assert.equal((await api(srv.issuer, admin, 'PATCH', '/me', { name: 'x' })).status, 403);
    assert.equal((await api(srv.issuer, admin, 'GET', '/me/sessions')).status, 403);
    assert.equal((await api(srv.issuer, ta, 'PATCH', '/me', { username: 'renamed' })).status, 400, 'only the profile fields');
    assert.equal((await api(srv.issuer, ta, 'PATCH', '/me', { email: b.email })).status, 409);
    const mixed = await api(srv.issuer, ta, 'PATCH', '/me', { email: 'Mixed.Case@Example.TEST', name: null });
    assert.deepEqual([mixed.status, mixed.json.email, mixed.json.name], [200, 'mixed.case@example.test', null]);
    const mine = (await api(srv.issuer, tb, 'GET', '/me/sessions')).json.items;
    assert.equal(mine.length, 1);
    assert.equal(mine[0].current, true);
    assert.equal((await api(srv.issuer, ta, 'DELETE', `/me/sessions/${mine[0].id}`)).status, 404);
    assert.equal((await api(srv.issuer, tb, 'GET', '/me')).status, 200, 'b is still signed in');
    assert.equal((await api(srv.issuer, tb, 'DELETE', `/me/sessions/${mine[0].id}`)).status, 204);
    assert.equal((await api(srv.issuer, tb, 'GET', '/me')).status, 401, 'ending one\'s own session revokes its tokens');
  });

  test('every state at phone and desktop sizes: accessible, screenshotted, with the CSP', async () => {
    const u = await person({ name: 'Grace Hopper' });
    for (const [name, size] of Object.entries(SIZES)) {
      const page = await consolePage(browser, size);
      await signInTo(page, srv.issuer, 'account', u.username, u.password);
      await page.getByRole('table', { name: 'Your sessions' }).waitFor();
      await assertAccessible(page, `account page, ${name}`);
      await shot(page, `account-${name}`);
      await page.getByRole('button', { name: 'Sign out all other sessions' }).click();
      await page.getByRole('dialog').waitFor();
      await assertAccessible(page, `account dialog, ${name}`);
      await shot(page, `account-dialog-${name}`);
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      assertCsp(page);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    }
  });
});

describe('console tokens', { skip: skip ?? false }, () => {
  test('the access token is refreshed before it expires, and only in memory', async () => {
    const srv = await startServer({ env: { PORTCULLIS_ACCESS_TTL: 30 } });
    const browser = await launchBrowser();
    try {
      const admin = await adminToken(srv.issuer);
      await api(srv.issuer, admin, 'POST', '/users', { username: 'tess', password: 'Tess-password-1' });
      const page = await consolePage(browser);
      await signInTo(page, srv.issuer, 'account', 'tess', 'Tess-password-1');
      const signedIn = Date.now();
      const refresh = await page.waitForRequest((r) => r.url().endsWith('/oauth2/token') &&
        new URLSearchParams(r.postData() || '').get('grant_type') === 'refresh_token', { timeout: 40000 });
      assert.ok(refresh && Date.now() - signedIn < 30000, 'refreshed within the 30 s lifetime');
      const answer = await (await refresh.response()).json();
      assert.ok(answer.access_token);
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
      assert.ok(!stored.includes(answer.access_token) && !stored.includes(answer.refresh_token), 'no token in web storage or cookies');
      // The page keeps working with the refreshed token.
      await page.getByRole('textbox', { name: 'Name' }).fill('Tess');
      await page.getByRole('button', { name: 'Save profile' }).click();
      await page.getByRole('status').filter({ hasText: 'Profile saved.' }).waitFor();
      await page.context().close();
    } finally {
      await browser.close();
      await srv.stop();
    }
  });
});
