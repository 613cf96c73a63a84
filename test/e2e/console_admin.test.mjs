// SPDX-License-Identifier: Apache-2.0
// The admin console (/ui/admin) in headless Chromium, elements found by role and name only: each
// section's main task checked through the API afterwards, a users:read-only person, names that try
// to inject markup, accessibility at phone and desktop sizes, and the CSP on every console response.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, api, get, startServer, tokenRequest } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { SIZES, assertAccessible, assertCsp, consolePage, shot, signInTo } from './lib/console.mjs';

const skip = browserMissing();
const USER_PROBE = '<img src=x onerror=alert(1)>';
const APP_PROBE = '"><script>alert(1)</script>';

describe('admin console', { skip: skip ?? false }, () => {
  let srv; let browser; let admin; let page;

  before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'admin', 'admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const call = (method, path, body) => api(srv.issuer, admin, method, path, body);
  const section = async (name) => {
    // A test that failed may have left a dialog open: close it so the next one starts clean.
    for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++) await page.keyboard.press('Escape');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
  };
  const dialog = (name) => page.getByRole('dialog', { name });
  const confirm = async (title, button) => {
    await dialog(title).getByRole('button', { name: button }).click();
    await dialog(title).waitFor({ state: 'detached' });
  };
  const passwordGrant = (username, password) => tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
    { grant_type: 'password', username, password, scope: 'openid' });

  test('the navigation offers every working section, Tenants in default', async () => {
    const nav = page.getByRole('navigation', { name: 'Sections' });
    const names = (await nav.getByRole('link').allTextContents()).map((s) => s.trim());
    assert.deepEqual(names, ['Users', 'Organizations', 'Groups', 'Roles', 'Applications', 'Providers', 'Identity providers', 'Webhooks', 'Policies', 'Audit log', 'Settings', 'Tenants']);
  });

  test('Users: create in the console, then GET /users shows it; a refused create keeps the form', async () => {
    await section('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    const d = dialog('New user');
    await d.getByRole('textbox', { name: 'Username' }).fill('admin'); // taken: 409
    await d.getByRole('textbox', { name: 'Email' }).fill('ada@example.test');
    await d.getByLabel('Password', { exact: true }).fill('Ada-password-123');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.getByRole('alert').waitFor();
    assert.equal(await d.getByRole('textbox', { name: 'Email' }).inputValue(), 'ada@example.test', 'kept after the error');
    await d.getByRole('textbox', { name: 'Username' }).fill('ada');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Users' }).getByRole('link', { name: 'ada', exact: true }).waitFor();
    const r = await call('GET', '/users?q=ada');
    const ada = r.json.items.find((u) => u.username === 'ada');
    assert.equal(ada?.email, 'ada@example.test');
    assert.equal((await passwordGrant('ada', 'Ada-password-123')).status, 200);
  });

  test('Users: search and pagination with the API cursor', async () => {
    for (let i = 0; i < 22; i++) assert.equal((await call('POST', '/users', { username: `bulk${String(i).padStart(2, '0')}` })).status, 201);
    await section('Users');
    await page.getByRole('searchbox', { name: 'Search users' }).fill('bulk');
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('table', { name: 'Users' });
    await table.getByRole('link', { name: 'bulk00' }).waitFor();
    assert.equal(await table.getByRole('link').count(), 20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await table.getByRole('link', { name: 'bulk21' }).waitFor();
    assert.equal(await table.getByRole('link').count(), 2);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await table.getByRole('link', { name: 'bulk00' }).waitFor();
  });

  test('a user page: roles and groups, reset password, end sessions, reset MFA, delete and restore', async () => {
    assert.equal((await call('POST', '/roles', { name: 'auditor', permissions: ['audit:read'] })).status, 201);
    assert.equal((await call('POST', '/groups', { name: 'ops' })).status, 201);
    const u = (await call('POST', '/users', { username: 'grace', password: 'Grace-password-1' })).json;
    assert.equal((await passwordGrant('grace', 'Grace-password-1')).status, 200);
    await section('Users');
    await page.getByRole('searchbox', { name: 'Search users' }).fill('grace');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'grace' }).click();
    await page.getByRole('heading', { name: 'grace', level: 1 }).waitFor();
    await page.getByRole('group', { name: 'Roles' }).getByRole('checkbox', { name: 'auditor' }).check();
    await page.getByRole('group', { name: 'Groups' }).getByRole('checkbox', { name: 'ops' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    let got = (await call('GET', `/users/${u.id}`)).json;
    assert.deepEqual([got.roles, got.groups], [['auditor'], ['ops']]);

    await page.getByRole('button', { name: 'Reset password' }).click();
    await dialog('Reset password').getByLabel('New password').fill('Grace-new-password-2');
    await dialog('Reset password').getByRole('button', { name: 'Set password', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Password set' }).waitFor();
    assert.equal((await passwordGrant('grace', 'Grace-new-password-2')).status, 200);

    await page.getByRole('button', { name: 'End sessions' }).click();
    await confirm('End all sessions?', 'End sessions');
    await page.getByRole('status').filter({ hasText: /^Sessions ended\.$/ }).waitFor();
    assert.equal((await call('GET', `/users/${u.id}/sessions`)).json.items.length, 0);

    await page.getByRole('button', { name: 'Reset MFA' }).click();
    await confirm('Reset MFA?', 'Reset MFA');
    await page.getByRole('status').filter({ hasText: 'Second factors removed.' }).waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm('Delete this user?', 'Delete');
    await page.getByRole('button', { name: 'Restore' }).waitFor();
    got = (await call('GET', `/users/${u.id}`)).json;
    assert.equal(got.deleted, true);
    await page.getByRole('button', { name: 'Restore' }).click();
    await confirm('Restore this user?', 'Restore');
    await page.getByRole('button', { name: 'Delete', exact: true }).waitFor();
    assert.equal((await call('GET', `/users/${u.id}`)).json.deleted, false);
  });

  test('Groups and Roles: create through the console, with the permission editor', async () => {
    await section('Groups');
    await page.getByRole('button', { name: 'New group' }).click();
    await dialog('New group').getByRole('textbox', { name: 'Name' }).fill('finance');
    await dialog('New group').getByRole('textbox', { name: 'Description' }).fill('Money people');
    await dialog('New group').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('table', { name: 'Groups' }).getByRole('link', { name: 'finance' }).waitFor();
    assert.ok((await call('GET', '/groups')).json.items.some((g) => g.name === 'finance' && g.description === 'Money people'));

    await section('Roles');
    await page.getByRole('button', { name: 'New role' }).click();
    const d = dialog('New role');
    await d.getByRole('textbox', { name: 'Name' }).fill('clerk');
    await d.getByRole('group', { name: 'Permissions' }).getByRole('checkbox', { name: 'users:read' }).check();
    await d.getByRole('textbox', { name: 'Other permissions' }).fill('ledger:post');
    await d.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('table', { name: 'Roles' }).getByRole('link', { name: 'clerk' }).waitFor();
    const role = (await call('GET', '/roles')).json.items.find((r) => r.name === 'clerk');
    assert.deepEqual(role.permissions.sort(), ['ledger:post', 'users:read']);
  });

  test('Applications: created with the secret shown once and working; renamed as text; rotated; deleted', async () => {
    await section('Applications');
    await page.getByRole('button', { name: 'New application' }).click();
    const d = dialog('New application');
    await d.getByRole('textbox', { name: 'Name' }).fill(APP_PROBE);
    await d.getByRole('group', { name: 'Grant types' }).getByRole('checkbox', { name: 'client_credentials' }).check();
    await d.getByRole('button', { name: 'Create' }).click();
    const s = dialog('Client secret');
    const clientId = await s.getByRole('textbox', { name: 'Client ID' }).inputValue();
    const secret = await s.getByRole('textbox', { name: 'Client secret' }).inputValue();
    await assertAccessible(page, 'admin, secret dialog');
    await s.getByRole('button', { name: 'Done' }).click();
    const ok = await tokenRequest(srv.issuer, clientId, secret, { grant_type: 'client_credentials' });
    assert.equal(ok.status, 200, 'the secret shown works');
    // The name is text in the table and as the heading; no script ran, no element was made of it.
    await page.getByRole('table', { name: 'Applications' }).getByRole('link', { name: APP_PROBE }).click();
    await page.getByRole('heading', { name: APP_PROBE, level: 1 }).waitFor();
    assert.equal(await page.locator('main script').count(), 0);

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await confirm('Rotate the secret?', 'Rotate');
    const fresh = await dialog('Client secret').getByRole('textbox', { name: 'Client secret' }).inputValue();
    await dialog('Client secret').getByRole('button', { name: 'Done' }).click();
    assert.notEqual(fresh, secret);
    assert.equal((await tokenRequest(srv.issuer, clientId, secret, { grant_type: 'client_credentials' })).status, 401);
    assert.equal((await tokenRequest(srv.issuer, clientId, fresh, { grant_type: 'client_credentials' })).status, 200);

    await page.getByRole('textbox', { name: 'Redirect URIs', exact: true }).fill('https://rp.example.test/cb');
    await page.getByRole('group', { name: 'Grant types' }).getByRole('checkbox', { name: 'authorization_code' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    const apps = (await call('GET', '/applications')).json.items;
    const app = apps.find((a) => a.client_id === clientId);
    assert.deepEqual(app.redirect_uris, ['https://rp.example.test/cb']);

    await page.getByRole('button', { name: 'Delete application' }).click();
    await confirm(`Delete ${APP_PROBE}?`, 'Delete');
    await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
    assert.equal((await call('GET', `/applications/${app.id}`)).status, 404);
    assert.deepEqual(page.errors, []);
  });

  test('Providers: secrets are write-only; linked to an application as its default', async () => {
    await section('Providers');
    await page.getByRole('button', { name: 'New provider' }).click();
    const d = dialog('New provider');
    await d.getByRole('textbox', { name: 'Name' }).fill('Office mail');
    await d.getByRole('textbox', { name: 'Plugin' }).fill('smtp');
    await d.getByRole('textbox', { name: 'Configuration (JSON)' }).fill(JSON.stringify({
      host: '127.0.0.1', port: 2525, from: 'no-reply@example.test', username: 'mailer', password: 'pw-s3cret-xyz' }));
    await d.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('table', { name: 'Providers' }).getByRole('link', { name: 'Office mail' }).click();
    await page.getByRole('heading', { name: 'Office mail', level: 1 }).waitFor();
    assert.equal(await page.getByText('pw-s3cret-xyz').count(), 0, 'the secret is never shown');
    assert.ok(await page.getByText('password (set)').isVisible());
    const prov = (await call('GET', '/providers')).json.items.find((p) => p.name === 'Office mail');
    assert.equal(prov.config.password, '********');
    // A save that leaves the secret box empty keeps the secret.
    await page.getByRole('textbox', { name: 'Name' }).fill('Office mail 2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Office mail 2', level: 1 }).waitFor();
    assert.equal((await call('GET', `/providers/${prov.id}`)).json.config.password, '********');

    const app = (await call('POST', '/applications', { name: 'Portal', type: 'confidential', grant_types: ['password'] })).json;
    await section('Applications');
    await page.getByRole('link', { name: 'Portal' }).click();
    await page.getByRole('group', { name: 'Linked providers' }).getByRole('checkbox', { name: 'Office mail 2 (email)' }).check();
    await page.getByRole('combobox', { name: 'Default email provider' }).selectOption({ label: 'Office mail 2' });
    await page.getByRole('button', { name: 'Save providers' }).click();
    await page.getByRole('status').filter({ hasText: 'Providers saved.' }).waitFor();
    const linked = (await call('GET', `/applications/${app.id}`)).json;
    assert.deepEqual(linked.providers, [prov.id]);
    assert.equal(linked.default_providers.email, prov.id);
  });

  test('Audit log: newest first, filtered by type', async () => {
    await section('Audit log');
    await page.getByRole('textbox', { name: 'Type' }).fill('user.created');
    await page.getByRole('button', { name: 'Filter' }).click();
    const table = page.getByRole('table', { name: 'Audit events' });
    await table.getByRole('row').nth(1).waitFor();
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
    const types = await table.getByRole('cell').filter({ hasText: /^user\./ }).allTextContents();
    assert.ok(types.length > 0 && types.every((t) => t === 'user.created'), types.join(','));
    const api1 = (await call('GET', '/audit?type=user.created&limit=20')).json.items;
    assert.equal(await table.getByRole('row').count(), api1.length + 1);
  });

  test('Tenants: created with the admin-cli secret shown once; the new tenant has its console; deleted after typing its slug', async () => {
    await section('Tenants');
    await page.getByRole('button', { name: 'New tenant' }).click();
    const d = dialog('New tenant');
    await d.getByRole('textbox', { name: 'Slug' }).fill('acme');
    await d.getByRole('textbox', { name: 'Name', exact: true }).fill('Acme');
    await d.getByRole('textbox', { name: 'Admin username' }).fill('root');
    await d.getByLabel('Admin password').fill('x');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.getByRole('alert').waitFor(); // too short a password: shown beside it, values kept
    assert.equal(await d.getByRole('textbox', { name: 'Slug' }).inputValue(), 'acme');
    await d.getByLabel('Admin password').fill('Acme-root-password-1');
    await d.getByRole('button', { name: 'Create' }).click();
    const shown = dialog('Tenant created');
    const secret = await shown.getByRole('textbox', { name: 'Client secret' }).inputValue();
    await shown.getByRole('button', { name: 'Done' }).click();
    const acme = `${srv.base}/t/acme`;
    assert.equal((await tokenRequest(acme, 'admin-cli', secret, { grant_type: 'client_credentials' })).status, 200);

    // The new tenant's own console signs its admin in (portcullis-console was created with it).
    const other = await consolePage(browser);
    await signInTo(other, acme, 'admin', 'root', 'Acme-root-password-1');
    const names = await other.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
    assert.ok(names.includes('Users') && !names.includes('Tenants'), names.join(','));
    await other.context().close();

    await page.getByRole('button', { name: 'Delete acme' }).click();
    const c = dialog('Delete tenant acme?');
    await c.getByRole('textbox', { name: 'Type acme to confirm' }).fill('acm');
    await c.getByRole('button', { name: 'Delete tenant' }).click();
    await c.getByRole('alert').waitFor();
    assert.equal((await get(`${acme}/.well-known/openid-configuration`)).status, 200, 'not deleted without the slug');
    await c.getByRole('textbox', { name: 'Type acme to confirm' }).fill('acme');
    await c.getByRole('button', { name: 'Delete tenant' }).click();
    await page.getByRole('status').filter({ hasText: 'Tenant acme deleted.' }).waitFor();
    assert.equal((await get(`${acme}/.well-known/openid-configuration`)).status, 404);
  });

  test('a user named like markup is text in the table and on the user page', async () => {
    const r = await call('POST', '/users', { username: 'probe', name: USER_PROBE, email: 'probe@example.test' });
    assert.equal(r.status, 201);
    const named = await call('POST', '/users', { username: USER_PROBE });
    await section('Users');
    if (named.status === 201) {
      await page.getByRole('searchbox', { name: 'Search users' }).fill('onerror');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('table', { name: 'Users' }).getByRole('link', { name: USER_PROBE }).waitFor();
    }
    await page.getByRole('searchbox', { name: 'Search users' }).fill('probe');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'probe', exact: true }).click();
    await page.getByText(USER_PROBE).first().waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(page.errors, []);
  });

  test('every section, a form dialog and a confirmation at phone and desktop sizes: accessible and screenshotted', async () => {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      for (const name of ['Users', 'Groups', 'Roles', 'Applications', 'Providers', 'Identity providers', 'Audit log', 'Tenants']) {
        await section(name);
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]') && !document.querySelector('main [role="status"]:not(:empty)')?.textContent.includes('Loading'));
        await assertAccessible(page, `admin ${name}, ${size}`);
        await shot(page, `admin-${name.toLowerCase().replace(/ /g, '-')}-${size}`);
      }
      await section('Users');
      await page.getByRole('button', { name: 'New user' }).click();
      await assertAccessible(page, `admin New user dialog, ${size}`);
      await shot(page, `admin-new-user-${size}`);
      await dialog('New user').getByRole('button', { name: 'Close' }).click();
      await page.getByRole('link', { name: 'ada', exact: true }).click();
      await page.getByRole('heading', { name: 'ada', level: 1 }).waitFor();
      await assertAccessible(page, `admin user page, ${size}`);
      await shot(page, `admin-user-${size}`);
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await assertAccessible(page, `admin confirmation, ${size}`);
      await shot(page, `admin-confirm-${size}`);
      await dialog('Delete this user?').getByRole('button', { name: 'Cancel' }).click();
    }
    assertCsp(page);
    assert.deepEqual(page.errors, []);
  });

  test('a person holding only users:read sees Users read-only and nothing else; the API refuses the rest', async () => {
    assert.equal((await call('POST', '/roles', { name: 'viewer', permissions: ['users:read'] })).status, 201);
    assert.equal((await call('POST', '/users', { username: 'vera', password: 'Vera-password-1', roles: ['viewer'] })).status, 201);
    const v = await consolePage(browser);
    await signInTo(v, srv.issuer, 'admin', 'vera', 'Vera-password-1');
    const nav = v.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Users' }).waitFor();
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Users']);
    await v.getByRole('table', { name: 'Users' }).getByRole('link', { name: 'ada', exact: true }).waitFor();
    assert.equal(await v.getByRole('button', { name: 'New user' }).count(), 0);
    await v.getByRole('link', { name: 'ada', exact: true }).click();
    await v.getByRole('heading', { name: 'ada', level: 1 }).waitFor();
    for (const name of ['Reset password', 'Reset MFA', 'End sessions', 'Delete', 'Save changes'])
      assert.equal(await v.getByRole('button', { name, exact: true }).count(), 0, `${name} is hidden`);
    await v.goto(`${srv.issuer}/ui/admin#/roles`);
    await v.getByRole('heading', { name: 'Users', level: 1 }).waitFor(); // an unknown section falls back
    await assertAccessible(v, 'admin, read-only');
    await shot(v, 'admin-read-only-desktop');

    const token = (await passwordGrant('vera', 'Vera-password-1')).json.access_token;
    const as = (method, path, body) => api(srv.issuer, token, method, path, body);
    assert.equal((await as('GET', '/users')).status, 200);
    assert.equal((await as('POST', '/users', { username: 'nope' })).status, 403);
    for (const path of ['/groups', '/roles', '/applications', '/providers', '/audit', '/tenants'])
      assert.equal((await as('GET', path)).status, 403, path);
    assert.deepEqual(v.errors, []);
    await v.context().close();
  });

  test('the account console links to Administration exactly when a section would show: identity_providers:read alone', async () => {
    assert.equal((await call('POST', '/roles', { name: 'idp-viewer', permissions: ['identity_providers:read'] })).status, 201);
    assert.equal((await call('POST', '/users', { username: 'ines', password: 'Ines-password-1', roles: ['idp-viewer'] })).status, 201);
    assert.equal((await call('POST', '/users', { username: 'nils', password: 'Nils-password-1' })).status, 201);
    const v = await consolePage(browser);
    await signInTo(v, srv.issuer, 'account', 'ines', 'Ines-password-1');
    await v.getByRole('link', { name: 'Administration' }).click();
    const nav = v.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Identity providers' }).waitFor();
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Identity providers']);
    await v.context().close();
    const n = await consolePage(browser);
    await signInTo(n, srv.issuer, 'account', 'nils', 'Nils-password-1');
    assert.equal(await n.getByRole('link', { name: 'Administration' }).count(), 0, 'no section, no link');
    await n.context().close();
  });
});

describe('the console application', { skip: skip ?? false }, () => {
  test('is created again at start when it is missing, and follows PUBLIC_URL', async () => {
    let srv = await startServer();
    const admin = await adminToken(srv.issuer);
    const list = async (s, t) => (await api(s.issuer, t, 'GET', '/applications?internal=true&limit=200')).json.items;
    const plain = (await api(srv.issuer, admin, 'GET', '/applications?limit=200')).json.items;
    assert.ok(!plain.some((a) => a.client_id === 'portcullis-console'), 'internal: not listed by default');
    const console1 = (await list(srv, admin)).find((a) => a.client_id === 'portcullis-console');
    assert.equal(console1.internal, true);
    assert.equal(console1.type, 'public');
    assert.equal(console1.first_party, true);
    assert.deepEqual(console1.redirect_uris, [`${srv.issuer}/ui/account`, `${srv.issuer}/ui/admin`]);
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/applications/${console1.id}`)).status, 204);
    const { dir } = srv;
    await srv.stop({ keepDir: true });
    srv = await startServer({ dir, env: { PORTCULLIS_PUBLIC_URL: 'https://id.example.test' } });
    try {
      const again = (await list(srv, await adminToken(srv.issuer))).find((a) => a.client_id === 'portcullis-console');
      assert.deepEqual(again?.redirect_uris, ['https://id.example.test/t/default/ui/account', 'https://id.example.test/t/default/ui/admin']);
    } finally {
      await srv.stop({ keepDir: false });
    }
  });
});
