// SPDX-License-Identifier: Apache-2.0
// Federation in headless Chromium (API.md §14): the npm oidc-provider (an upstream nobody here
// wrote) and a second Portcullis tenant as upstreams; the login page's "Sign in with" buttons by
// role and name, with axe at phone and desktop sizes; first sign-in provisions, the second is the
// same user; the account console's Linked accounts and the admin console's Identity providers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { ADMIN_PASSWORD, adminToken, api, createApp, createUser, freePort, startServer } from './lib/server.mjs';
import { browserMissing, launchBrowser } from './lib/browser.mjs';
import { authorizeUrl } from './lib/federation.mjs';
import { SIZES, assertAccessible, consolePage, shot, signInTo } from './lib/console.mjs';
import { startRp } from './lib/rp.mjs';

const skip = browserMissing();

/** oidc-provider on 127.0.0.1 with one client; any login name is a user (its dev interactions). */
async function startOidcProvider(redirectUri) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'portcullis', client_secret: 'op-secret-0123456789', redirect_uris: [redirectUri],
      grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'op-1', alg: 'RS256', use: 'sig' }] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@op.test`, email_verified: true, name: `OP ${id}`, preferred_username: id }),
    }),
    cookies: { keys: ['e2e-cookie-key'] },
    features: { devInteractions: { enabled: true } },
  });
  const server = createServer(provider.callback());
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { issuer, close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }) };
}

describe('federation in the browser', { skip: skip ?? false }, () => {
  let srv; let admin; let browser; let op; let rp; let app;

  before(async () => {
    srv = await startServer();
    admin = await adminToken(srv.issuer);
    browser = await launchBrowser();
    rp = await startRp();
    op = await startOidcProvider(`${srv.issuer}/federation/corp/callback`);
    app = await createApp(srv.issuer, admin, {
      name: 'Portal', type: 'public', grant_types: ['authorization_code'], redirect_uris: [rp.redirectUri], first_party: true,
    });
    let r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'corp', display_name: 'Corp OP', kind: 'oidc',
      config: { issuer: op.issuer, client_id: 'portcullis', client_secret: 'op-secret-0123456789' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // A second Portcullis tenant is an upstream too, with a user and a client for this one.
    r = await api(srv.issuer, admin, 'POST', '/tenants', { slug: 'upstream', name: 'Upstream', admin: { username: 'root', password: 'Root-Pass-123' } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const upIssuer = `${srv.base}/t/upstream`;
    const upAdmin = r.json.admin_client;
    const upToken = (await (await fetch(`${upIssuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`admin-cli:${upAdmin.client_secret}`).toString('base64') },
      body: 'grant_type=client_credentials',
    })).json()).access_token;
    const client = await createApp(upIssuer, upToken, {
      name: 'Downstream', type: 'confidential', grant_types: ['authorization_code'], first_party: true,
      redirect_uris: [`${srv.issuer}/federation/upstream-portcullis/callback`],
    });
    await createUser(upIssuer, upToken, { username: 'carol', email: 'carol@upstream.test', password: 'Carol-Pass-123' });
    r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'upstream-portcullis', display_name: 'Upstream Portcullis', kind: 'oidc',
      config: { issuer: upIssuer, client_id: client.client_id, client_secret: client.client_secret },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  });
  after(async () => {
    await browser?.close();
    await op?.close();
    await rp?.close();
    const code = await srv?.stop();
    if (srv && code !== 0) console.log(`portcullis exited with ${code}:\n${srv.output()}`);
  });

  const landed = (page) => page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 20000 });

  /** The user id the application's code stands for (exchanged at the token endpoint). */
  async function subjectOf(page, verifier) {
    const code = new URL(page.url()).searchParams.get('code');
    const r = await fetch(`${srv.issuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: rp.redirectUri, client_id: app.client_id, code_verifier: verifier }).toString(),
    });
    const t = await r.json();
    assert.equal(r.status, 200, JSON.stringify(t));
    return JSON.parse(Buffer.from(t.id_token.split('.')[1], 'base64url'));
  }

  /** Sign in as `login` at oidc-provider from the login page; returns the ID token's claims. */
  async function throughOp(login, size = SIZES.desktop) {
    const ctx = await browser.newContext({ viewport: size });
    const page = await ctx.newPage();
    const req = authorizeUrl(srv.issuer, app, rp.redirectUri);
    await page.goto(req.url);
    await page.getByRole('button', { name: 'Sign in with Corp OP' }).click();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await landed(page);
    const claims = await subjectOf(page, req.verifier);
    await ctx.close();
    return claims;
  }

  test('the login page offers each enabled provider by name, accessibly, at phone and desktop sizes', async () => {
    for (const [label, size] of Object.entries(SIZES)) {
      const page = await consolePage(browser, size);
      await page.goto(authorizeUrl(srv.issuer, app, rp.redirectUri).url);
      assert.ok(await page.getByRole('button', { name: 'Sign in with Corp OP' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Sign in with Upstream Portcullis' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Sign in', exact: true }).isVisible(), 'the password form stays');
      await assertAccessible(page, `login page with providers (${label})`);
      await shot(page, `federation-login-${label}`);
      await page.context().close();
    }
  });

  test('oidc-provider: the first sign-in provisions the user, the second signs in the same one', async () => {
    const first = await throughOp('dana', SIZES.phone);
    assert.ok(first.amr.includes('fed'));
    const users = (await api(srv.issuer, admin, 'GET', '/users?q=dana@op.test')).json.items;
    assert.equal(users.length, 1);
    assert.equal(first.sub, users[0].id);
    assert.equal(users[0].username, 'dana');
    assert.deepEqual(users[0].identities.map((i) => [i.provider, i.subject]), [['corp', 'dana']]);
    const second = await throughOp('dana');
    assert.equal(second.sub, first.sub);
  });

  test('a second Portcullis tenant as the upstream', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const req = authorizeUrl(srv.issuer, app, rp.redirectUri);
    await page.goto(req.url);
    await page.getByRole('button', { name: 'Sign in with Upstream Portcullis' }).click();
    await page.getByLabel('Username or email').fill('carol');
    await page.getByLabel('Password').fill('Carol-Pass-123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await landed(page);
    const claims = await subjectOf(page, req.verifier);
    const [carol] = (await api(srv.issuer, admin, 'GET', '/users?q=carol@upstream.test')).json.items;
    assert.equal(claims.sub, carol.id);
    assert.equal(carol.identities[0].provider, 'upstream-portcullis');
    await ctx.close();
  });

  test('account console: Linked accounts links at the upstream, refuses one linked elsewhere, unlinks', async () => {
    const erin = await createUser(srv.issuer, admin, { username: 'erin', password: 'Erin-Pass-123' });
    for (const [label, size] of Object.entries(SIZES)) {
      const page = await consolePage(browser, size);
      await signInTo(page, srv.issuer, 'account', erin.username, erin.password);
      const region = page.getByRole('region', { name: 'Linked accounts' });
      await region.getByText('No account at another provider is linked.').waitFor();
      await assertAccessible(page, `account console, linked accounts (${label})`);
      await shot(page, `federation-account-${label}`);
      // Link opens this server's own form: nothing starts before Continue (a POST with its CSRF token)
      await region.getByRole('link', { name: 'Link Corp OP' }).click();
      await page.getByRole('heading', { name: 'Link your Corp OP account?' }).waitFor();
      await page.getByRole('button', { name: 'Continue to Corp OP' }).waitFor();
      await assertAccessible(page, `link confirmation (${label})`);
      await shot(page, `federation-link-${label}`);
      await page.context().close();
    }
    let page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', erin.username, erin.password);
    const region = page.getByRole('region', { name: 'Linked accounts' });
    // dana is linked to another user already: 409 on the error page
    await region.getByRole('link', { name: 'Link Corp OP' }).click();
    await page.getByRole('button', { name: 'Continue to Corp OP' }).click();
    await page.locator('input[name="login"]').fill('dana');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const resp = page.waitForResponse((r) => r.url().includes('/federation/corp/callback'));
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal((await resp).status(), 409);
    assert.match(await page.locator('main').innerText(), /already linked/);
    // a fresh upstream account (a new browser, so no upstream session of dana) links and shows
    await page.context().close();
    page = await consolePage(browser);
    await signInTo(page, srv.issuer, 'account', erin.username, erin.password);
    await page.getByRole('region', { name: 'Linked accounts' }).getByRole('link', { name: 'Link Corp OP' }).click();
    await page.getByRole('button', { name: 'Continue to Corp OP' }).click();
    await page.locator('input[name="login"]').fill('erin-op');
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('region', { name: 'Linked accounts' }).getByRole('button', { name: 'Unlink corp' }).waitFor({ timeout: 20000 });
    let ids = await api(srv.issuer, admin, 'GET', `/users/${erin.id}/identities`);
    assert.equal(ids.json.items.length, 1);
    await page.getByRole('region', { name: 'Linked accounts' }).getByRole('button', { name: 'Unlink corp' }).click();
    await page.getByRole('dialog', { name: 'Unlink corp?' }).getByRole('button', { name: 'Unlink' }).click();
    await page.getByRole('region', { name: 'Linked accounts' }).getByText('No account at another provider is linked.').waitFor();
    ids = await api(srv.issuer, admin, 'GET', `/users/${erin.id}/identities`);
    assert.deepEqual(ids.json.items, []);
    await page.context().close();
  });

  test('admin console: Identity providers lists, creates and shows the redirect URI', async () => {
    for (const [label, size] of Object.entries(SIZES)) {
      const page = await consolePage(browser, size);
      await signInTo(page, srv.issuer, 'admin', 'admin', ADMIN_PASSWORD);
      if (label === 'phone' && await page.getByRole('button', { name: 'Menu' }).count()) await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Identity providers' }).click();
      await page.getByRole('heading', { name: 'Identity providers', level: 1 }).waitFor();
      assert.ok(await page.getByRole('link', { name: 'corp', exact: true }).isVisible());
      await assertAccessible(page, `admin console, identity providers (${label})`);
      await shot(page, `federation-admin-${label}`);
      if (label === 'desktop') {
        await page.getByRole('button', { name: 'New identity provider' }).click();
        const d = page.getByRole('dialog', { name: 'New identity provider' });
        await d.getByLabel('Name', { exact: true }).fill('social');
        await d.getByLabel('Display name').fill('Social Login');
        await d.getByLabel('Kind').selectOption('oauth2');
        await d.getByLabel('Configuration (JSON)').fill(JSON.stringify({
          authorization_endpoint: `${op.issuer}/auth`, token_endpoint: `${op.issuer}/token`,
          userinfo_endpoint: `${op.issuer}/me`, client_id: 'social-client',
        }));
        await d.getByLabel('Client secret or bind password').fill('social-secret');
        await d.getByRole('button', { name: 'Create' }).click();
        await d.waitFor({ state: 'detached' });
        const made = (await api(srv.issuer, admin, 'GET', '/identity-providers')).json.items.find((p) => p.name === 'social');
        assert.equal(made.kind, 'oauth2');
        assert.equal(made.config.client_secret, '********');
        await page.getByRole('link', { name: 'social', exact: true }).click();
        await page.getByText(`${srv.issuer}/federation/social/callback`).waitFor(); // the redirect URI to register
      }
      await page.context().close();
    }
  });
});
