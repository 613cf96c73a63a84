// SPDX-License-Identifier: Apache-2.0
// The admin console's later sections in headless Chromium, by role and accessible name only:
// Settings (errors beside their field), Policies (the condition's compile error), Webhooks (the
// secret shown once, rotation, a test event in the deliveries), Users' freeze, invitations and
// verification email, step-up that runs the very action again after the code (or, signing in
// again instead, returns to the very dialog or form), read-only
// sections, and axe with screenshots at phone and desktop sizes. Each task checked through the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, api, tokenRequest } from './lib/server.mjs';
import { startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { SIZES, assertAccessible, assertCsp, consolePage, openSection, settled as settledPage, shot, signInTo } from './lib/console.mjs';
import { codeIn, createProvider, enrolTotp, nextMessage, readSpool, spoolDir, totp } from './lib/mfa.mjs';

const skip = browserMissing();

describe('admin console: settings, policies, webhooks, people', { skip: skip ?? false }, () => {
  let srv; let browser; let admin; let page; let hooks; let received = 0; let spool;

  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    spool = await spoolDir();
    await createProvider(srv.issuer, admin, { name: 'spool', kind: 'email', plugin: 'file', config: { dir: spool, default: true } });
    hooks = createServer((rq, rs) => { rq.resume(); rq.on('end', () => { received++; rs.writeHead(204).end(); }); });
    await new Promise((ok) => hooks.listen(0, '127.0.0.1', ok));
    page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'admin', 'admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    hooks?.close();
    await srv?.stop();
  });

  const call = (method, path, body) => api(srv.issuer, admin, method, path, body);
  const section = (name, p = page) => openSection(p, name);
  const dialog = (name, p = page) => p.getByRole('dialog', { name });
  const settled = (p = page) => settledPage(p);
  const passwordGrant = (username, password) => tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
    { grant_type: 'password', username, password, scope: 'openid' });

  test('Settings: a bad value shows beside its field and saves nothing; a good one is in GET /tenant', async () => {
    await section('Settings');
    const before = (await call('GET', '/tenant')).json.settings;
    await page.getByRole('spinbutton', { name: 'Password reset link lifetime (seconds)' }).fill('10');
    await page.getByRole('combobox', { name: 'Self-registration' }).selectOption('open');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('alert').waitFor();
    const box = page.getByRole('spinbutton', { name: 'Password reset link lifetime (seconds)' });
    assert.equal(await box.getAttribute('aria-invalid'), 'true');
    assert.equal(await box.inputValue(), '10', 'the form keeps what was typed');
    assert.equal((await call('GET', '/tenant')).json.settings.registration, before.registration, 'one bad value writes nothing');
    await box.fill('7200');
    await page.getByRole('checkbox', { name: 'Require a second factor for everyone' }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    const after = (await call('GET', '/tenant')).json.settings;
    assert.equal(after.reset_ttl, 7200);
    assert.equal(after.registration, 'open');
    assert.equal(after.mfa_required, true);
    assert.equal(after.access_ttl, before.access_ttl);
    await call('PATCH', '/tenant', { settings: { registration: 'closed', mfa_required: false, reset_ttl: null } });
  });

  test('Policies: a condition that does not compile is refused beside the box; created, edited, deleted', async () => {
    await section('Policies');
    await page.getByRole('button', { name: 'New policy' }).click();
    const d = dialog('New policy');
    await d.getByRole('textbox', { name: 'Name', exact: true }).fill('owner-may-update');
    await d.getByRole('textbox', { name: 'Actions' }).fill('todo:update\ntodo:delete');
    await d.getByRole('textbox', { name: 'Roles' }).fill('editor'); // no such role: said beside the box
    await d.getByRole('button', { name: 'Create' }).click();
    await d.getByRole('alert').waitFor();
    assert.equal(await d.getByRole('textbox', { name: 'Roles' }).getAttribute('aria-invalid'), 'true');
    await d.getByRole('textbox', { name: 'Roles' }).fill('admin');
    const cond = d.getByRole('textbox', { name: 'Condition' });
    await cond.fill('{"eq":["resource.properties.ownerID"]}');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.getByRole('alert').waitFor();
    assert.equal(await cond.getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, 'policy compile error');
    await shot(page, 'admin-policy-error-desktop');
    await cond.fill('{"eq":["resource.properties.ownerID","subject.id"]}');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.waitFor({ state: 'detached' });
    const made = (await call('GET', '/policies')).json.items.find((p) => p.name === 'owner-may-update');
    assert.deepEqual(made.actions, ['todo:update', 'todo:delete']);
    assert.deepEqual(made.principals.roles, ['admin']);
    assert.deepEqual(made.condition, { eq: ['resource.properties.ownerID', 'subject.id'] });
    await page.getByRole('link', { name: 'owner-may-update' }).click();
    await page.getByRole('heading', { name: 'owner-may-update', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Effect' }).selectOption('deny');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    assert.equal((await call('GET', `/policies/${made.id}`)).json.effect, 'deny');
    await page.getByRole('button', { name: 'Delete policy' }).click();
    await dialog('Delete owner-may-update?').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    assert.equal((await call('GET', `/policies/${made.id}`)).status, 404);
  });

  test('Webhooks: the secret shown once, rotated, a test event delivered and listed', async () => {
    const url = `http://127.0.0.1:${hooks.address().port}/hook`;
    await section('Webhooks');
    await page.getByRole('button', { name: 'New webhook' }).click();
    const d = dialog('New webhook');
    await d.getByRole('textbox', { name: 'URL' }).fill(url);
    await d.getByRole('textbox', { name: 'Events' }).fill('user.created');
    await d.getByRole('textbox', { name: 'Description' }).fill('Ledger sync');
    await d.getByRole('button', { name: 'Create' }).click();
    const s = dialog('Signing secret');
    const first = await s.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.match(first, /^whsec_[A-Za-z0-9+/=]+$/);
    await s.getByRole('button', { name: 'Done' }).click();
    const hook = (await call('GET', '/webhooks')).json.items.find((w) => w.description === 'Ledger sync');
    assert.equal(hook.url, url);
    assert.equal(hook.secret, undefined, 'never shown again');
    await page.getByRole('link', { name: 'Ledger sync' }).click();
    await page.getByRole('heading', { name: 'Ledger sync', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await dialog('Rotate the signing secret?').getByRole('button', { name: 'Rotate' }).click();
    const second = await dialog('Signing secret').getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.notEqual(second, first);
    await dialog('Signing secret').getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Send test event' }).click();
    const table = page.getByRole('table', { name: 'Deliveries' });
    const deadline = Date.now() + 15000;
    while (!(await table.getByRole('cell', { name: 'delivered' }).count())) {
      assert.ok(Date.now() < deadline, 'the test event shows as delivered');
      await page.getByRole('button', { name: 'Refresh deliveries' }).click();
      await settled();
    }
    assert.ok(await table.getByRole('rowheader', { name: 'webhook.test' }).isVisible());
    assert.ok(received >= 1);
    const items = (await call('GET', `/webhooks/${hook.id}/deliveries`)).json.items;
    assert.ok(items.some((x) => x.type === 'webhook.test' && x.status === 'delivered'), JSON.stringify(items));
  });

  test('Users: freeze until a date and unfreeze, send a verification email, invite and revoke', async () => {
    const u = (await call('POST', '/users', { username: 'fred', email: 'fred@example.test', password: 'Fred-password-1' })).json;
    await section('Users');
    await page.getByRole('link', { name: 'fred', exact: true }).click();
    await page.getByRole('heading', { name: 'fred', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Freeze' }).click();
    const f = dialog('Freeze this user');
    await f.getByLabel('Frozen until (UTC)').fill('2099-01-02T03:04');
    await f.getByRole('button', { name: 'Freeze' }).click();
    await page.getByRole('status').filter({ hasText: 'Frozen until 2099-01-02 03:04 UTC.' }).waitFor();
    let now = (await call('GET', `/users/${u.id}`)).json;
    assert.equal(now.disabled_until, '2099-01-02T03:04:00Z');
    assert.equal(now.status, 'disabled');
    assert.equal((await passwordGrant('fred', 'Fred-password-1')).status, 400);
    await page.getByRole('button', { name: 'Unfreeze' }).click();
    await dialog('End the freeze?').getByRole('button', { name: 'Unfreeze' }).click();
    await page.getByRole('status').filter({ hasText: 'Freeze ended.' }).waitFor();
    now = (await call('GET', `/users/${u.id}`)).json;
    assert.equal(now.disabled_until, null);
    assert.equal((await passwordGrant('fred', 'Fred-password-1')).status, 200);

    const seen = (await readSpool(spool)).length;
    await page.getByRole('button', { name: 'Send verification email' }).click();
    await dialog('Send a verification email?').getByRole('button', { name: 'Send' }).click();
    await page.getByRole('status').filter({ hasText: 'Verification email sent.' }).waitFor();
    const m = await nextMessage(spool, seen);
    assert.equal(m.to, 'fred@example.test');
    assert.match(m.text, /\/ui\/verify\?token=/);

    await section('Users');
    await page.getByRole('button', { name: 'Invite someone' }).click();
    const i = dialog('Invite someone');
    await i.getByRole('textbox', { name: 'Email' }).fill('Gina@Example.test');
    await assertAccessible(page, 'invite dialog');
    await i.getByRole('button', { name: 'Send invitation' }).click();
    await i.waitFor({ state: 'detached' });
    const inv = (await call('GET', '/invitations?status=pending')).json.items.find((x) => x.email === 'gina@example.test');
    assert.ok(inv, 'the invitation is pending');
    await page.getByRole('button', { name: 'Revoke the invitation of gina@example.test' }).click();
    await dialog('Revoke this invitation?').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('table', { name: 'Invitations' }).getByRole('cell', { name: 'Revoked' }).first().waitFor();
    assert.equal((await call('GET', `/invitations/${inv.id}`)).json.status, 'revoked');
    assert.deepEqual(page.errors, []);
  });

  test('step-up: the action that asked for it runs again with the authenticator code', async () => {
    // Stella signs in with her password only, then enrols TOTP; the tenant then asks for step-up.
    assert.equal((await call('POST', '/users', { username: 'stella', password: 'Stella-password-1', roles: ['admin'] })).status, 201);
    const p = await consolePage(browser);
    await signInTo(p, srv.issuer, 'admin', 'stella', 'Stella-password-1');
    const secret = await enrolTotp(srv.issuer, (await passwordGrant('stella', 'Stella-password-1')).json.access_token);
    assert.equal((await call('PATCH', '/tenant', { settings: { step_up: { permissions: ['users:create'], max_age: 300 } } })).status, 200);
    try {
      await section('Users', p);
      await p.getByRole('button', { name: 'New user' }).click();
      const d = dialog('New user', p);
      await d.getByRole('textbox', { name: 'Username' }).fill('stepped');
      await d.getByLabel('Password', { exact: true }).fill('Stepped-password-1');
      await d.getByRole('button', { name: 'Create' }).click();
      const ask = dialog('Confirm it is you', p);
      await ask.getByRole('textbox', { name: 'Authentication code' }).fill('000000');
      await assertAccessible(p, 'step-up dialog');
      await shot(p, 'admin-step-up-desktop');
      await ask.getByRole('button', { name: 'Confirm' }).click();
      await ask.getByRole('alert').waitFor(); // the wrong code asks again
      await ask.getByRole('textbox', { name: 'Authentication code' }).fill(totp(secret));
      await ask.getByRole('button', { name: 'Confirm' }).click();
      await d.waitFor({ state: 'detached' });
      await p.getByRole('status').filter({ hasText: 'User stepped created.' }).waitFor();
      assert.ok((await call('GET', '/users?q=stepped')).json.items.some((x) => x.username === 'stepped'));
      assert.deepEqual(p.errors, []);
    } finally {
      await call('PATCH', '/tenant', { settings: { step_up: null } });
      await p.context().close();
    }
  });

  /** An admin `who` signed in to the console (at `viewport`) whose second factor is an emailed code. */
  async function emailedCodeAdmin(who, viewport) {
    assert.equal((await call('POST', '/users', { username: who, password: `${who}-Password-1`, roles: ['admin'] })).status, 201);
    const p = await consolePage(browser, viewport);
    await signInTo(p, srv.issuer, 'admin', who, `${who}-Password-1`);
    const token = (await passwordGrant(who, `${who}-Password-1`)).json.access_token;
    const n = (await readSpool(spool)).length;
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email', { email: `${who}@example.test` })).status, 204);
    const sent = await nextMessage(spool, n);
    assert.equal((await api(srv.issuer, token, 'POST', '/me/mfa/email/verify', { code: codeIn(sent.text) })).status, 204);
    return p;
  }

  /** "Sign in again instead", then the login page with the password and the emailed code;
   * `onLoginPage` runs on the login page before anything is typed there. */
  async function signInAgain(p, who, onLoginPage = async () => {}) {
    await dialog('Confirm it is you', p).getByRole('button', { name: 'Sign in again instead' }).click();
    await p.getByLabel('Username or email').waitFor();
    await onLoginPage();
    await p.getByLabel('Username or email').fill(who);
    await p.getByLabel('Password').fill(`${who}-Password-1`);
    const n = (await readSpool(spool)).length;
    await p.getByRole('button', { name: 'Sign in', exact: true }).click();
    await p.locator('input[name="code"]').fill(codeIn((await nextMessage(spool, n)).text));
    await p.locator('button.primary').click();
    await p.getByRole('button', { name: 'Sign out' }).first().waitFor({ timeout: 15000 });
  }

  test('step-up by signing in again (no authenticator app) returns to the very dialog or form, phone and desktop', async () => {
    // Ed and Fay sign in with their password only, then enrol an emailed code as second factor.
    const people = { phone: 'ed', desktop: 'fay' };
    const target = (await call('POST', '/users', { username: 'rhoda', name: 'Rhoda' })).json;
    const pages = {};
    for (const [size, who] of Object.entries(people)) pages[size] = await emailedCodeAdmin(who, SIZES[size]);
    assert.equal((await call('PATCH', '/tenant', { settings: { step_up: { permissions: ['users:create', 'users:update'], max_age: 300 } } })).status, 200);
    try {
      // Phone: a dialog (New user) opens again with what was typed, but not the password.
      const p = pages.phone;
      await section('Users', p);
      await p.getByRole('button', { name: 'New user' }).click();
      let d = dialog('New user', p);
      await d.getByRole('textbox', { name: 'Username' }).fill('resumed');
      await d.getByRole('textbox', { name: 'Email' }).fill('resumed@example.test');
      await d.getByLabel('Password', { exact: true }).fill('Resumed-password-1');
      await d.getByRole('button', { name: 'Create' }).click();
      await signInAgain(p, 'ed');
      d = dialog('New user', p);
      await d.getByRole('status').filter({ hasText: 'You signed in again' }).waitFor({ timeout: 10000 }); // restored
      assert.equal(await d.getByRole('textbox', { name: 'Username' }).inputValue(), 'resumed');
      assert.equal(await d.getByRole('textbox', { name: 'Email' }).inputValue(), 'resumed@example.test');
      assert.equal(await d.getByLabel('Password', { exact: true }).inputValue(), '', 'no password crosses the sign-in');
      await assertAccessible(p, 'the dialog opened again after signing in (phone)');
      await shot(p, 'admin-step-up-resumed-phone');
      await d.getByLabel('Password', { exact: true }).fill('Resumed-password-1');
      await d.getByRole('button', { name: 'Create' }).click();
      await p.getByRole('status').filter({ hasText: 'User resumed created.' }).waitFor();
      assert.ok((await call('GET', '/users?q=resumed')).json.items.some((x) => x.username === 'resumed'));

      // Desktop: a form on a user's page comes back with the change typed, its button focused.
      const q = pages.desktop;
      await q.goto(`${srv.issuer}/ui/admin#/users/${target.id}`);
      const form = q.locator('form').filter({ has: q.getByRole('heading', { name: 'Edit user' }) });
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Rhoda Renamed');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await signInAgain(q, 'fay');
      const save = form.getByRole('button', { name: 'Save changes' });
      await q.waitForFunction(() => document.activeElement?.textContent === 'Save changes', null, { timeout: 10000 });
      assert.equal(await form.getByRole('textbox', { name: 'Name', exact: true }).inputValue(), 'Rhoda Renamed');
      assert.equal((await call('GET', `/users/${target.id}`)).json.name, 'Rhoda', 'nothing was sent by itself');
      await assertAccessible(q, 'the form back after signing in (desktop)');
      await shot(q, 'admin-step-up-resumed-desktop');
      await save.click();
      await q.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
      assert.equal((await call('GET', `/users/${target.id}`)).json.name, 'Rhoda Renamed');
      assert.deepEqual([...p.errors, ...q.errors], []);
    } finally {
      await call('PATCH', '/tenant', { settings: { step_up: null } });
      for (const x of Object.values(pages)) await x.context().close();
    }
  });

  test('signing in again keeps no secret: a provider configuration never reaches sessionStorage', async () => {
    const p = await emailedCodeAdmin('gus', SIZES.desktop);
    const token = 'tok-s3cret-never-stored';
    assert.equal((await call('PATCH', '/tenant', { settings: { step_up: { permissions: ['providers:create'], max_age: 300 } } })).status, 200);
    try {
      await p.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Providers', exact: true }).click();
      await p.getByRole('button', { name: 'New provider' }).click();
      let d = dialog('New provider', p);
      await d.getByRole('textbox', { name: 'Name' }).fill('Resumed mail');
      await d.getByRole('textbox', { name: 'Plugin' }).fill('smtp');
      await d.getByRole('textbox', { name: 'Configuration (JSON)' }).fill(JSON.stringify({ host: '127.0.0.1', password: token }));
      await d.getByRole('button', { name: 'Create' }).click();
      let stored = '';
      await signInAgain(p, 'gus', async () => {
        stored = await p.evaluate(() => Object.values(sessionStorage).join('\n')); // the login page shares the origin
      });
      assert.match(stored, /Resumed mail/, 'the plain fields are kept');
      assert.doesNotMatch(stored, new RegExp(token), 'the configuration, with its secret, is not');
      d = dialog('New provider', p);
      await d.getByRole('status').filter({ hasText: 'You signed in again' }).waitFor({ timeout: 10000 }); // restored by then
      assert.equal(await d.getByRole('textbox', { name: 'Name' }).inputValue(), 'Resumed mail');
      assert.doesNotMatch(await d.getByRole('textbox', { name: 'Configuration (JSON)' }).inputValue(), new RegExp(token));
      assert.equal(await p.evaluate(() => Object.values(sessionStorage).join('').includes('tok-s3cret')), false);
      assert.deepEqual(p.errors, []);
    } finally {
      await call('PATCH', '/tenant', { settings: { step_up: null } });
      await p.context().close();
    }
  });

  test('the new sections and dialogs at phone and desktop sizes: accessible and screenshotted', async () => {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      for (const name of ['Settings', 'Policies', 'Webhooks', 'Users']) {
        await section(name);
        await settled();
        await assertAccessible(page, `admin ${name}, ${size}`);
        await shot(page, `admin-${name.toLowerCase()}-${size}`);
      }
      await section('Webhooks');
      await page.getByRole('link', { name: 'Ledger sync' }).click();
      await page.getByRole('heading', { name: 'Ledger sync', level: 1 }).waitFor();
      await settled();
      await assertAccessible(page, `admin webhook page, ${size}`);
      await shot(page, `admin-webhook-${size}`);
      await section('Users');
      await page.getByRole('link', { name: 'fred', exact: true }).click();
      await page.getByRole('button', { name: 'Freeze' }).click();
      await assertAccessible(page, `admin freeze dialog, ${size}`);
      await shot(page, `admin-freeze-${size}`);
      await dialog('Freeze this user').getByRole('button', { name: 'Close' }).click();
      await section('Policies');
      await page.getByRole('button', { name: 'New policy' }).click();
      await assertAccessible(page, `admin new policy dialog, ${size}`);
      await shot(page, `admin-new-policy-${size}`);
      await dialog('New policy').getByRole('button', { name: 'Close' }).click();
    }
    assertCsp(page);
    assert.deepEqual(page.errors, []);
  });

  test('a person who may only read settings, policies and webhooks sees them read-only; the API refuses writes', async () => {
    assert.equal((await call('POST', '/roles', { name: 'auditor', permissions: ['tenant:read', 'policies:read', 'webhooks:read'] })).status, 201);
    assert.equal((await call('POST', '/users', { username: 'otto', password: 'Otto-password-1', roles: ['auditor'] })).status, 201);
    const v = await consolePage(browser);
    await signInTo(v, srv.issuer, 'admin', 'otto', 'Otto-password-1');
    const nav = v.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link').first().waitFor();
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Webhooks', 'Policies', 'Settings']);
    await section('Settings', v);
    assert.equal(await v.getByRole('button', { name: 'Save settings' }).count(), 0);
    assert.ok(await v.getByRole('spinbutton', { name: 'Minimum password length' }).isDisabled());
    await section('Policies', v);
    assert.equal(await v.getByRole('button', { name: 'New policy' }).count(), 0);
    await section('Webhooks', v);
    assert.equal(await v.getByRole('button', { name: 'New webhook' }).count(), 0);
    await v.getByRole('link', { name: 'Ledger sync' }).click();
    await v.getByRole('heading', { name: 'Ledger sync', level: 1 }).waitFor();
    for (const name of ['Rotate secret', 'Send test event', 'Save changes', 'Delete webhook'])
      assert.equal(await v.getByRole('button', { name }).count(), 0, `${name} is hidden`);
    await assertAccessible(v, 'read-only webhook');
    await shot(v, 'admin-read-only-webhook-desktop');
    const token = (await passwordGrant('otto', 'Otto-password-1')).json.access_token;
    assert.equal((await api(srv.issuer, token, 'PATCH', '/tenant', { settings: { reset_ttl: 600 } })).status, 403);
    assert.equal((await api(srv.issuer, token, 'POST', '/policies', { name: 'x', effect: 'allow', actions: ['a:b'] })).status, 403);
    assert.equal((await api(srv.issuer, token, 'POST', '/webhooks', { url: 'https://example.test/', events: ['*'] })).status, 403);
    assert.deepEqual(v.errors, []);
    await v.context().close();
  });
});
