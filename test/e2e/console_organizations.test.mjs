// SPDX-License-Identifier: Apache-2.0
// The admin console's Organizations section (API.md §18) in headless Chromium, by role and
// accessible name only: search, create (a bad slug refused beside its box), edit, delete after a
// confirmation; members added by a user search, their membership roles changed, removed; the
// user page listing a user's organizations; a role beyond the caller's own refused with the 403
// beside the roles and nothing changed; read-only with organizations:read only, hidden without it;
// axe and screenshots at phone and desktop sizes. Each task is checked through the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, adminToken, api, passwordGrant, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { SIZES, assertAccessible, assertCsp, consolePage, openSection, settled, shot, signInTo } from './lib/console.mjs';

const skip = browserMissing();

describe('admin console: organizations', { skip: skip ?? false }, () => {
  let srv; let browser; let admin; let page; const people = {};

  const call = (method, path, body) => api(srv.issuer, admin, method, path, body);
  const orgBySlug = async (slug) => (await call('GET', `/organizations?q=${slug}`)).json.items.find((o) => o.slug === slug);
  const members = async (o) => Object.fromEntries((await call('GET', `/organizations/${o.id}/members`)).json.items.map((m) => [m.username, m.roles]));
  const dialog = (name, p = page) => p.getByRole('dialog', { name });
  const section = async (name, p = page) => { await openSection(p, name); await settled(p); };
  const navLinks = async (p) => {
    const nav = p.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link').first().waitFor();
    return nav.getByRole('link').allTextContents();
  };
  const openOrg = async (name, p = page) => {
    await section('Organizations', p);
    await p.getByRole('table', { name: 'Organizations' }).getByRole('link', { name, exact: true }).click();
    await p.getByRole('heading', { name, level: 1 }).waitFor();
    await settled(p);
  };
  async function person(username, permissions) {
    const role = `${username}-role`;
    if (permissions) assert.equal((await call('POST', '/roles', { name: role, permissions })).status, 201);
    const r = await call('POST', '/users', { username, email: `${username}@example.test`, password: `${username}-Password-1`, roles: permissions ? [role] : [] });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    people[username] = { ...r.json, password: `${username}-Password-1` };
    return people[username];
  }
  /** Runs `steps(page)` in a console of its own signed in as `username`; no script error. */
  async function asPerson(username, steps) {
    const p = await consolePage(browser);
    try {
      await signInTo(p, srv.issuer, 'admin', username, people[username].password);
      await steps(p);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.context().close();
    }
  }

  before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
    admin = await adminToken(srv.issuer);
    assert.equal((await call('POST', '/roles', { name: 'billing', permissions: ['invoices:read', 'invoices:pay'] })).status, 201);
    assert.equal((await call('POST', '/roles', { name: 'viewer', permissions: ['invoices:read'] })).status, 201);
    await person('olga');
    await person('oskar');
    // Manages organizations and may read invoices, but not pay them: billing is beyond her.
    await person('mona', ['organizations:*', 'users:read', 'roles:read', 'invoices:read']);
    await person('rita', ['organizations:read']);
    await person('nora', ['users:read']);
    await person('ursula', ['organizations:read', 'organizations:update', 'invoices:read']);
    assert.equal((await call('POST', '/organizations', { slug: 'globex', name: 'Globex' })).status, 201);
    page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'admin', 'admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test('create: a bad slug is refused beside its box; the organization is in the API; search and edit', async () => {
    await section('Organizations');
    await page.getByRole('button', { name: 'New organization' }).click();
    const d = dialog('New organization');
    await d.getByRole('textbox', { name: 'Name' }).fill('Acme Corp');
    await d.getByRole('textbox', { name: 'Slug' }).fill('Acme Corp');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.getByRole('alert').waitFor();
    const slug = d.getByRole('textbox', { name: 'Slug' });
    assert.equal(await slug.getAttribute('aria-invalid'), 'true');
    assert.match(await d.locator('.field-error').textContent(), /\^\[a-z0-9\]/, 'the rule is said beside the box');
    assert.equal(await d.getByRole('textbox', { name: 'Name' }).inputValue(), 'Acme Corp', 'the form keeps what was typed');
    assert.equal(await orgBySlug('acme'), undefined, 'nothing created');
    await assertAccessible(page, 'new organization, bad slug');
    await shot(page, 'admin-organization-error-desktop');
    await slug.fill('acme');
    await d.getByRole('button', { name: 'Create' }).click();
    await d.waitFor({ state: 'detached' });
    const acme = await orgBySlug('acme');
    assert.equal(acme.name, 'Acme Corp');
    assert.equal(acme.logo_url, null);

    const table = page.getByRole('table', { name: 'Organizations' });
    await table.getByRole('link', { name: 'Globex' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search organizations' }).fill('acm');
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await settled(page);
    assert.deepEqual(await table.getByRole('link').allTextContents(), ['Acme Corp'], 'search narrows the list');

    await openOrg('Acme Corp');
    await page.getByRole('textbox', { name: 'Name' }).fill('Acme Corporation');
    await page.getByRole('textbox', { name: 'Logo URL' }).fill('https://acme.example/logo.png');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    const now = (await call('GET', `/organizations/${acme.id}`)).json;
    assert.equal(now.name, 'Acme Corporation');
    assert.equal(now.logo_url, 'https://acme.example/logo.png');
    assert.equal(now.slug, 'acme');
    assert.deepEqual(page.errors, []);
  });

  test('members: a user found by search is added with roles, changed, shown on the user page, removed', async () => {
    const acme = await orgBySlug('acme');
    await openOrg('Acme Corporation');
    await page.getByRole('button', { name: 'Add member' }).click();
    const d = dialog('Add a member to Acme Corporation');
    await d.getByRole('button', { name: 'Add member' }).click(); // nobody chosen yet
    await d.getByRole('alert').waitFor();
    assert.equal(await d.getByRole('searchbox', { name: 'Find a user' }).getAttribute('aria-invalid'), 'true');
    await d.getByRole('searchbox', { name: 'Find a user' }).fill('olg');
    await d.getByRole('button', { name: 'Search users' }).click();
    await d.getByRole('radio', { name: 'olga (olga@example.test)' }).check();
    await d.getByRole('checkbox', { name: 'billing' }).check();
    await assertAccessible(page, 'add member dialog');
    await shot(page, 'admin-add-member-desktop');
    await d.getByRole('button', { name: 'Add member' }).click();
    await d.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'olga added to Acme Corporation.' }).waitFor();
    assert.deepEqual(await members(acme), { olga: ['billing'] });
    const row = page.getByRole('table', { name: 'Members' }).getByRole('row').filter({ hasText: 'olga' });
    await row.getByRole('cell', { name: 'billing' }).waitFor();

    await page.getByRole('button', { name: 'Change the roles of olga' }).click();
    const r = dialog('Roles of olga in Acme Corporation');
    assert.ok(await r.getByRole('checkbox', { name: 'billing' }).isChecked(), 'the current roles are ticked');
    await r.getByRole('checkbox', { name: 'billing' }).uncheck();
    await r.getByRole('checkbox', { name: 'viewer' }).check();
    await r.getByRole('button', { name: 'Save roles' }).click();
    await r.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Roles of olga saved.' }).waitFor();
    assert.deepEqual(await members(acme), { olga: ['viewer'] });

    await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'olga' }).click();
    await page.getByRole('heading', { name: 'olga', level: 1 }).waitFor();
    await settled(page);
    const mine = page.getByRole('table', { name: 'Organizations' });
    assert.deepEqual(await mine.getByRole('link').allTextContents(), ['Acme Corporation']);
    await mine.getByRole('cell', { name: 'viewer' }).waitFor();
    await mine.getByRole('link', { name: 'Acme Corporation' }).click();
    await page.getByRole('heading', { name: 'Acme Corporation', level: 1 }).waitFor();

    assert.equal((await call('PUT', `/organizations/${acme.id}/members/${people.oskar.id}`, { roles: [] })).status, 204);
    await openOrg('Acme Corporation');
    await page.getByRole('button', { name: 'Remove oskar' }).click();
    await dialog('Remove oskar?').getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: 'oskar removed.' }).waitFor();
    assert.deepEqual(await members(acme), { olga: ['viewer'] });
    assert.deepEqual(page.errors, []);
  });

  test('a role beyond the caller\'s own: the 403 shows beside the roles and nothing changes', async () => {
    const acme = await orgBySlug('acme');
    await asPerson('mona', async (m) => {
      await openOrg('Acme Corporation', m);
      await m.getByRole('button', { name: 'Change the roles of olga' }).click();
      const r = dialog('Roles of olga in Acme Corporation', m);
      await r.getByRole('checkbox', { name: 'billing' }).check();
      await r.getByRole('button', { name: 'Save roles' }).click();
      const alert = r.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.textContent(), /Permission Denied.*cannot grant a permission the caller does not hold/);
      assert.equal(await r.getByRole('group', { name: 'Membership roles' }).locator('.field-error').textContent(),
        'Beyond your own permissions: billing (invoices:pay).', 'beside the roles: which one, and why');
      assert.ok(await r.getByRole('checkbox', { name: 'billing' }).isChecked(), 'the form keeps the choice');
      await assertAccessible(m, 'membership roles refused');
      await shot(m, 'admin-member-roles-refused-desktop');
      assert.deepEqual(await members(acme), { olga: ['viewer'] }, 'nothing changed');
      // What she holds herself she may give.
      await r.getByRole('checkbox', { name: 'billing' }).uncheck();
      await r.getByRole('button', { name: 'Save roles' }).click();
      await r.waitFor({ state: 'detached' });
      assert.deepEqual(await members(acme), { olga: ['viewer'] });
    });
  });

  test('organizations:read only: everything shown, no control that changes anything', async () => {
    await asPerson('rita', async (v) => {
      assert.deepEqual(await navLinks(v), ['Organizations']);
      await section('Organizations', v);
      assert.equal(await v.getByRole('button', { name: 'New organization' }).count(), 0);
      await openOrg('Acme Corporation', v);
      await v.getByRole('table', { name: 'Members' }).getByRole('cell', { name: 'viewer' }).waitFor();
      for (const name of ['Save changes', 'Delete organization', 'Add member', 'Change the roles of olga', 'Remove olga'])
        assert.equal(await v.getByRole('button', { name }).count(), 0, `${name} is hidden`);
      assert.equal(await v.getByRole('textbox').count(), 0, 'no edit form');
      await assertAccessible(v, 'read-only organization');
      await shot(v, 'admin-read-only-organization-desktop');
      const token = (await passwordGrant(srv.issuer, 'rita', people.rita.password)).json.access_token;
      const acme = await orgBySlug('acme');
      assert.equal((await api(srv.issuer, token, 'PUT', `/organizations/${acme.id}/members/${people.oskar.id}`, { roles: [] })).status, 403);
      assert.equal((await api(srv.issuer, token, 'PATCH', `/organizations/${acme.id}`, { name: 'x' })).status, 403);
      await v.goto(`${srv.issuer}/ui/account`); // the account console links here for her too
      await v.getByRole('link', { name: 'Administration' }).waitFor();
    });
  });

  test('without organizations:read: no section, and no Organizations on the user page', async () => {
    await asPerson('nora', async (v) => {
      assert.deepEqual(await navLinks(v), ['Users']);
      await v.getByRole('table', { name: 'Users' }).getByRole('link', { name: 'olga' }).click();
      await v.getByRole('heading', { name: 'olga', level: 1 }).waitFor();
      await settled(v);
      assert.equal(await v.getByRole('heading', { name: 'Organizations' }).count(), 0);
    });
  });

  test('without users:read and roles:read: the member by id, the roles by name, an unknown one beside its box', async () => {
    const acme = await orgBySlug('acme');
    await asPerson('ursula', async (u) => {
      await openOrg('Acme Corporation', u);
      await u.getByRole('button', { name: 'Add member' }).click();
      const d = dialog('Add a member to Acme Corporation', u);
      await d.getByRole('textbox', { name: 'User id' }).fill(people.oskar.id);
      const roles = d.getByRole('textbox', { name: 'Membership roles' });
      await roles.fill('viewer, auditor');
      await d.getByRole('button', { name: 'Add member' }).click();
      await d.getByRole('alert').waitFor();
      assert.equal(await roles.getAttribute('aria-invalid'), 'true', 'the unknown role is said beside the box');
      assert.equal((await members(acme)).oskar, undefined, 'nothing added');
      await assertAccessible(u, 'add member by id, unknown role');
      await roles.fill('viewer');
      await d.getByRole('button', { name: 'Add member' }).click();
      await d.waitFor({ state: 'detached' });
      assert.deepEqual(await members(acme), { olga: ['viewer'], oskar: ['viewer'] });
    });
  });

  test('every view at phone and desktop sizes: accessible and screenshotted', async () => {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      await section('Organizations');
      await assertAccessible(page, `organizations, ${size}`);
      await shot(page, `admin-organizations-${size}`);
      await page.getByRole('button', { name: 'New organization' }).click();
      await assertAccessible(page, `new organization dialog, ${size}`);
      await shot(page, `admin-new-organization-${size}`);
      await dialog('New organization').getByRole('button', { name: 'Close' }).click();
      await openOrg('Acme Corporation');
      await assertAccessible(page, `organization page, ${size}`);
      await shot(page, `admin-organization-${size}`);
      await page.getByRole('button', { name: 'Add member' }).click();
      await dialog('Add a member to Acme Corporation').getByRole('searchbox', { name: 'Find a user' }).fill('o');
      await dialog('Add a member to Acme Corporation').getByRole('button', { name: 'Search users' }).click();
      await dialog('Add a member to Acme Corporation').getByRole('radio', { name: /^oskar/ }).waitFor();
      await assertAccessible(page, `add member dialog, ${size}`);
      await shot(page, `admin-add-member-${size}`);
      await dialog('Add a member to Acme Corporation').getByRole('button', { name: 'Close' }).click();
      await page.getByRole('button', { name: 'Change the roles of olga' }).click();
      await assertAccessible(page, `member roles dialog, ${size}`);
      await dialog('Roles of olga in Acme Corporation').getByRole('button', { name: 'Close' }).click();
      await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'olga' }).click();
      await page.getByRole('heading', { name: 'olga', level: 1 }).waitFor();
      await settled(page);
      await assertAccessible(page, `user page with organizations, ${size}`);
      await shot(page, `admin-user-organizations-${size}`);
    }
    assertCsp(page);
    assert.deepEqual(page.errors, []);
  });

  test('delete asks first, then the organization and its memberships are gone', async () => {
    await page.setViewportSize(SIZES.desktop);
    const acme = await orgBySlug('acme');
    await openOrg('Acme Corporation');
    await page.getByRole('button', { name: 'Delete organization' }).click();
    const d = dialog('Delete Acme Corporation?');
    assert.match(await d.textContent(), /every membership in it/);
    await d.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await call('GET', `/organizations/${acme.id}`)).status, 200, 'cancel keeps it');
    await page.getByRole('button', { name: 'Delete organization' }).click();
    await dialog('Delete Acme Corporation?').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    assert.equal((await call('GET', `/organizations/${acme.id}`)).status, 404);
    assert.deepEqual((await call('GET', `/users/${people.olga.id}/organizations`)).json.items, []);
    assert.deepEqual(page.errors, []);
  });
});
