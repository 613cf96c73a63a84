// SPDX-License-Identifier: Apache-2.0
// The ldap identity provider (API.md §14) against a real slapd (lib/ldap.mjs): sign-in through the
// password grant and the login page in Chromium, provisioning, groups mapped to roles at every
// sign-in, a directory that is down (503, not a wrong password), wrong passwords (counted),
// filter injection, and TLS (ldaps://, StartTLS) refusing a certificate it cannot verify.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as client from 'openid-client';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createApp, getToken, jwtPayload, passwordGrant, startServer,
} from './lib/server.mjs';
import {
  GROUPS_DN, LDAP_USERS, PEOPLE_DN, SERVICE_DN, SERVICE_PASSWORD, groupDn, slapdMissing, startLdap, userDn,
} from './lib/ldap.mjs';
import { browserMissing, launchBrowser, onLoginPage, signIn } from './lib/browser.mjs';
import { SIZES, assertAccessible, shot } from './lib/console.mjs';
import { startRp } from './lib/rp.mjs';
import { enrolTotp, mfaGrant, totp } from './lib/mfa.mjs';

const skip = slapdMissing();
const LIMIT = 3; // PORTCULLIS_LIMIT_ACCOUNT: wrong passwords before an account locks at an address

describe('ldap identity provider', { skip: skip ?? false }, () => {
  let ldap; let srv; let admin; let idp;

  /** The provider's config for this directory; `over` replaces members. */
  const config = (over = {}) => ({
    url: ldap.url,
    bind_dn: SERVICE_DN,
    bind_password: SERVICE_PASSWORD,
    user_base: PEOPLE_DN,
    user_filter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    group_base: GROUPS_DN,
    // Spelled otherwise than the directory does: DNs are compared as DNs.
    group_roles: { 'CN=Engineers, OU=groups, DC=example, DC=org': 'engineer', [groupDn('auditors')]: 'auditor' },
    ...over,
  });
  /** Runs SQL on the running server's store (SQLite takes a second client); returns what it printed. */
  const sql = (q) => execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); '
    + 'r=c.execute(sys.argv[2]).fetchall(); c.commit(); print("".join(str(x[0]) for x in r), end="")', join(srv.dir, 'p.db'), q]).toString();
  /** The login page's password form, posted without a browser: the answer. */
  let formApp;
  async function loginForm(username, password) {
    formApp ??= await createApp(srv.issuer, admin, {
      name: 'Form', type: 'public', first_party: true, grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:9/cb'],
    });
    const u = new URL(`${srv.issuer}/oauth2/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: formApp.client_id, redirect_uri: 'http://127.0.0.1:9/cb', scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }))
      u.searchParams.set(k, v);
    const page = await fetch(u);
    const html = await page.text();
    const field = (n) => html.match(new RegExp(`name="${n}" value="([^"]*)"`))[1].replace(/&amp;/g, '&');
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return fetch(`${srv.issuer}/oauth2/authorize/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ request: field('request'), csrf: field('csrf'), username, password }).toString(),
    });
  }
  const permissions = async (token) => (await api(srv.issuer, token, 'GET', '/me/permissions')).json.permissions;
  const findUser = async (username) => (await api(srv.issuer, admin, 'GET', `/users?q=${encodeURIComponent(username)}`))
    .json.items.find((u) => u.username === username);

  before(async () => {
    ldap = await startLdap();
    srv = await startServer({ env: { PORTCULLIS_LIMIT_ACCOUNT: LIMIT, PORTCULLIS_LOG_LEVEL: 'info' } });
    admin = await adminToken(srv.issuer);
    for (const [name, permission] of [['engineer', 'ledger:post'], ['auditor', 'reports:read'], ['member', 'profile:read']]) {
      const r = await api(srv.issuer, admin, 'POST', '/roles', { name, permissions: [permission] });
      assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'corp', display_name: 'Example Corp directory', kind: 'ldap', enabled: true, jit: true,
      default_roles: ['member'], config: config(),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    idp = r.json;
  });
  after(async () => {
    await srv?.stop();
    await ldap?.destroy();
  });

  test('the service password is write-only, and a config that breaks a rule names the member', async () => {
    const shown = (await api(srv.issuer, admin, 'GET', `/identity-providers/${idp.id}`)).json;
    assert.notEqual(shown.config.bind_password, SERVICE_PASSWORD);
    assert.doesNotMatch(JSON.stringify(shown), new RegExp(SERVICE_PASSWORD));
    for (const [over, field] of [
      [{ user_filter: '(uid=alice)' }, 'config.user_filter'],
      [{ user_filter: 'uid={username}' }, 'config.user_filter'],
      [{ url: 'ldap://ldap.example.org' }, 'config.url'], // a password in clear across a network
      [{ url: 'https://ldap.example.org' }, 'config.url'],
      [{ user_base: undefined }, 'config.user_base'],
      [{ timeout: 0 }, 'config.timeout'],
      [{ attributes: { shoe_size: 'x' } }, 'config.attributes'],
    ]) {
      const body = { name: `bad-${field.replace(/\W/g, '')}`, display_name: 'Bad', kind: 'ldap', config: config(over) };
      const res = await api(srv.issuer, admin, 'POST', '/identity-providers', body);
      assert.equal(res.status, 400, `${JSON.stringify(over)}: ${JSON.stringify(res.json)}`);
      assert.equal(res.json.code, 'AUT-0009');
      assert.ok(field in res.json.fields, `${JSON.stringify(over)} names ${field}: ${JSON.stringify(res.json.fields)}`);
    }
  });

  test('a directory is no redirect provider: /auth/providers does not list it', async () => {
    const r = await fetch(`${srv.issuer}/api/v1/auth/providers`);
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()).items, []);
  });

  test('password grant with TOTP: after the mfa grant the tokens still say fed and name the directory', async () => {
    const first = await passwordGrant(srv.issuer, 'hank', LDAP_USERS.hank.password);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const secret = await enrolTotp(srv.issuer, first.json.access_token);
    const r = await passwordGrant(srv.issuer, 'hank', LDAP_USERS.hank.password);
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.equal(r.json.error, 'mfa_required');
    const done = await mfaGrant(srv.issuer, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET], r.json.mfa_token, 'totp', totp(secret));
    assert.equal(done.status, 200, JSON.stringify(done.json));
    const id = jwtPayload(done.json.id_token);
    assert.deepEqual(id.amr, ['pwd', 'fed', 'otp', 'mfa']);
    assert.equal(id.idp, 'corp');
  });

  test('password grant: the first sign-in provisions the user with default roles and group roles', async () => {
    assert.equal(await findUser('alice'), undefined, 'nobody before the first sign-in');
    const r = await passwordGrant(srv.issuer, 'alice', LDAP_USERS.alice.password);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const me = (await api(srv.issuer, r.json.access_token, 'GET', '/me')).json;
    assert.equal(me.username, 'alice');
    assert.equal(me.email, LDAP_USERS.alice.mail);
    assert.deepEqual((await permissions(r.json.access_token)).sort(), ['ledger:post', 'profile:read', 'reports:read']);
    assert.ok(jwtPayload(r.json.access_token).amr.includes('fed'), 'amr carries fed');
    const user = await findUser('alice');
    assert.equal(user.family_name, 'Archer');
    const ids = (await api(srv.issuer, admin, 'GET', `/users/${user.id}/identities`)).json.items;
    assert.deepEqual(ids.map((i) => i.provider), ['corp']);
    // The second sign-in is the same user, not a second one.
    const again = await passwordGrant(srv.issuer, 'alice', LDAP_USERS.alice.password);
    assert.equal(again.status, 200, JSON.stringify(again.json));
    assert.equal(jwtPayload(again.json.access_token).sub, user.id);
  });

  test('groups map to roles at every sign-in', async () => {
    const leave = `dn: ${groupDn('engineers')}\nchangetype: modify\ndelete: member\nmember: ${userDn('alice')}\n`;
    await ldap.modify(leave);
    let r = await passwordGrant(srv.issuer, 'alice', LDAP_USERS.alice.password);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual((await permissions(r.json.access_token)).sort(), ['profile:read', 'reports:read'],
      'out of the group, out of the role');
    await ldap.modify(`dn: ${groupDn('engineers')}\nchangetype: modify\nadd: member\nmember: ${userDn('alice')}\n`);
    r = await passwordGrant(srv.issuer, 'alice', LDAP_USERS.alice.password);
    assert.ok((await permissions(r.json.access_token)).includes('ledger:post'), 'back in the group, back in the role');
  });

  test('concurrent sign-ins each get their own conversation with the directory', async () => {
    const who = ['alice', 'dave', 'alice', 'dave', 'alice', 'dave', 'alice', 'dave'];
    const answers = await Promise.all(who.map((u) => passwordGrant(srv.issuer, u, LDAP_USERS[u].password)));
    assert.deepEqual(answers.map((r) => r.status), who.map(() => 200), JSON.stringify(answers.map((r) => r.json.error)));
    const subs = answers.map((r) => jwtPayload(r.json.access_token).sub);
    assert.equal(new Set(subs).size, 2, 'two people, two users');
  });

  test('filter injection matches nobody: refused, nobody provisioned', async () => {
    const before_ = (await api(srv.issuer, admin, 'GET', '/users?limit=200')).json.items.length;
    for (const username of ['*)(uid=*', '*', 'al*', 'alice)(uid=*', '*)(|(uid=*']) {
      const r = await passwordGrant(srv.issuer, username, LDAP_USERS.alice.password);
      assert.equal(r.status, 400, `${username}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error, 'invalid_grant');
    }
    // Nor does an empty password, which a directory would take as an unauthenticated bind.
    const empty = await passwordGrant(srv.issuer, 'bob', '');
    assert.ok(empty.status === 400, JSON.stringify(empty.json));
    assert.equal((await api(srv.issuer, admin, 'GET', '/users?limit=200')).json.items.length, before_);
  });

  test('the right password but nobody here to be: said as such, audited, never counted, nobody created', async () => {
    // frank's email is a local user's: provisioning him would take it
    const local = await api(srv.issuer, admin, 'POST', '/users', { username: 'frank-local', email: LDAP_USERS.frank.mail, password: 'Frank-Local-Pass-1' });
    assert.equal(local.status, 201, JSON.stringify(local.json));
    for (let i = 0; i <= LIMIT; i++) { // more than the lockout allows: none of them counts
      const r = await passwordGrant(srv.issuer, 'frank', LDAP_USERS.frank.password);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.error, 'invalid_grant');
      assert.match(r.json.error_description, /already uses the email address of your directory account/);
    }
    assert.equal(await findUser('frank'), undefined);
    assert.match(srv.output(), /directory sign-in refused: tenant=default provider=corp reason="email of an existing user"/);
    const refused = (await api(srv.issuer, admin, 'GET', '/audit?type=login.refused')).json.items;
    assert.ok(refused.some((e) => e.details.provider === 'corp'), JSON.stringify(refused));
    // provisioning off: gina is nobody here
    assert.equal((await api(srv.issuer, admin, 'PATCH', `/identity-providers/${idp.id}`, { jit: false })).status, 200);
    try {
      const r = await passwordGrant(srv.issuer, 'gina', LDAP_USERS.gina.password);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.match(r.json.error_description, /not linked to an account here/);
      assert.equal(await findUser('gina'), undefined);
    } finally {
      await api(srv.issuer, admin, 'PATCH', `/identity-providers/${idp.id}`, { jit: true });
    }
  });

  test('a wrong password counts as usual and locks the account at this address', async () => {
    for (let i = 0; i < LIMIT; i += 1) {
      const r = await passwordGrant(srv.issuer, 'carol', `wrong-${i}`);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.error, 'invalid_grant');
    }
    const locked = await passwordGrant(srv.issuer, 'carol', LDAP_USERS.carol.password);
    assert.equal(locked.status, 429, JSON.stringify(locked.json));
    const failed = (await api(srv.issuer, admin, 'GET', '/audit?type=login.failed&limit=50')).json.items;
    assert.ok(failed.length >= LIMIT);
  });

  test('the directory down: 503 with Retry-After, logged with the reason, never counted', async () => {
    await ldap.stop();
    try {
      for (let i = 0; i < LIMIT + 2; i += 1) {
        const r = await passwordGrant(srv.issuer, 'bob', LDAP_USERS.bob.password);
        assert.equal(r.status, 503, JSON.stringify(r.json));
        assert.equal(r.json.error, 'temporarily_unavailable');
        assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
      }
      assert.match(srv.output(), /provider=corp .*Can't contact LDAP server/);
      assert.doesNotMatch(srv.output(), new RegExp(`${SERVICE_PASSWORD}|${LDAP_USERS.bob.password}`));
      assert.equal(await findUser('bob'), undefined, 'no user is created');
    } finally {
      await ldap.start();
    }
    const r = await passwordGrant(srv.issuer, 'bob', LDAP_USERS.bob.password);
    assert.equal(r.status, 200, `no failure was counted while it was down: ${JSON.stringify(r.json)}`);
    assert.deepEqual((await permissions(r.json.access_token)).sort(), ['profile:read', 'reports:read']);
  });

  for (const [what, path, value, log] of [
    ['secrets sealed under another master key', '$.bind_password."$sealed"', 'v1.garbage',
      /directory sign-in failed: tenant=default provider=corp reason="its secrets cannot be unsealed \(master key changed\?\)"/],
    ['a stored config that breaks a rule', '$.user_filter', '(uid=alice)',
      /provider=corp tenant=\S+: config\.user_filter must contain \{username\}/],
  ]) {
    test(`${what}: "not configured correctly" (500), logged, never counted as a wrong password`, async () => {
      // what a store moved to a server with another master key holds, or one written before a rule
      const sqlPath = `'${path}'`;
      const saved = sql(`SELECT json_extract(config, ${sqlPath}) FROM identity_providers WHERE id = '${idp.id}'`);
      sql(`UPDATE identity_providers SET config = json_set(config, ${sqlPath}, '${value}') WHERE id = '${idp.id}'`);
      try {
        for (let i = 0; i <= LIMIT; i += 1) {
          const r = await passwordGrant(srv.issuer, 'bob', LDAP_USERS.bob.password);
          assert.equal(r.status, 500, JSON.stringify(r.json));
          assert.equal(r.json.error, 'server_error');
          assert.match(r.json.error_description, /not configured correctly/);
        }
        const page = await loginForm('bob', LDAP_USERS.bob.password);
        assert.equal(page.status, 500);
        assert.match(await page.text(), /The sign-in with your directory account is not configured correctly\. Tell your administrator\./);
        assert.match(srv.output(), log);
        assert.doesNotMatch(srv.output(), new RegExp(`${SERVICE_PASSWORD}|${LDAP_USERS.bob.password}`));
      } finally {
        sql(`UPDATE identity_providers SET config = json_set(config, ${sqlPath}, '${saved}') WHERE id = '${idp.id}'`);
      }
      const r = await passwordGrant(srv.issuer, 'bob', LDAP_USERS.bob.password);
      assert.equal(r.status, 200, `no failure was counted: ${JSON.stringify(r.json)}`);
    });
  }

  test('a directory user deleted or disabled here is refused with the right password, logged, nothing written', async () => {
    const first = await passwordGrant(srv.issuer, 'dave', LDAP_USERS.dave.password); // linked (or provisioned) here
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const dave = await findUser('dave');
    for (const [what, off, on] of [
      ['deleted', () => api(srv.issuer, admin, 'DELETE', `/users/${dave.id}`), () => api(srv.issuer, admin, 'POST', `/users/${dave.id}/restore`)],
      ['disabled', () => api(srv.issuer, admin, 'PATCH', `/users/${dave.id}`, { status: 'disabled' }),
        () => api(srv.issuer, admin, 'PATCH', `/users/${dave.id}`, { status: 'active' })],
    ]) {
      assert.ok([200, 204].includes((await off()).status), what);
      try {
        const r = await passwordGrant(srv.issuer, 'dave', LDAP_USERS.dave.password);
        assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
        assert.equal(r.json.error, 'invalid_grant');
        assert.match(r.json.error_description, /This account is disabled/);
      } finally {
        assert.ok([200, 204].includes((await on()).status), what);
      }
    }
    assert.match(srv.output(), /directory sign-in refused: tenant=default provider=corp reason="account disabled, frozen or deleted"/);
    const refused = (await api(srv.issuer, admin, 'GET', '/audit?type=login.refused')).json.items;
    assert.ok(refused.some((e) => e.details.reason === 'account disabled, frozen or deleted'), JSON.stringify(refused));
    const users = (await api(srv.issuer, admin, 'GET', '/users?q=dave')).json.items;
    assert.deepEqual(users.map((u) => u.id), [dave.id], 'nobody else was provisioned for dave');
  });

  test('TLS: ldaps:// and StartTLS with the right CA work; a certificate that fails is refused', async () => {
    // Each success provisions its person, who is then asked of the providers linked to them
    // only: the refusals come first, with bob, and each success has a person of its own.
    const cases = [
      [{ url: ldap.ldapsUrl, ca_file: ldap.otherCaFile }, 'bob', 503],
      [{ url: ldap.ldapsUrl }, 'bob', 503], // the system's CAs do not know the test CA
      [{ url: ldap.ldapsUrl.replace('127.0.0.1', 'localhost'), ca_file: ldap.caFile }, 'bob', 503], // not its name
      [{ start_tls: true, ca_file: ldap.otherCaFile }, 'bob', 503],
      [{ url: ldap.ldapsUrl, ca_file: ldap.caFile }, 'alice', 200],
      [{ start_tls: true, ca_file: ldap.caFile }, 'dave', 200],
    ];
    // A tenant of its own, one provider per case: the directory is the only thing that changes.
    const t = await api(srv.base + '/t/default', admin, 'POST', '/tenants', {
      slug: 'tls', name: 'TLS', admin: { username: 'admin', password: 'Tls-Admin-Pass-1' } });
    assert.equal(t.status, 201, JSON.stringify(t.json));
    const issuer = t.json.issuer;
    const tadmin = (await getToken(issuer, 'admin-cli', t.json.admin_client.client_secret)).access_token;
    for (const [over, who, status] of cases) {
      const created = await api(issuer, tadmin, 'POST', '/identity-providers', {
        name: 'tls', display_name: 'TLS', kind: 'ldap', config: config({ ...over, group_roles: {} }) });
      assert.equal(created.status, 201, JSON.stringify(created.json));
      const r = await passwordGrant(issuer, who, LDAP_USERS[who].password, 'openid',
        ['admin-cli', t.json.admin_client.client_secret]);
      assert.equal(r.status, status, `${JSON.stringify(over)}: ${JSON.stringify(r.json)}`);
      assert.equal((await api(issuer, tadmin, 'DELETE', `/identity-providers/${created.json.id}`)).status, 204);
    }
    assert.match(srv.output(), /TLS handshake \(certificate not trusted, or not for this host\) failed/);
    assert.match(srv.output(), /StartTLS failed/);
  });

  test('the outbound rule holds for the directory: with private addresses off, 127.0.0.1 is refused', async () => {
    const strict = await startServer({ env: { PORTCULLIS_OUTBOUND_ALLOW_PRIVATE: 'false' } });
    try {
      const token = await adminToken(strict.issuer);
      const r = await api(strict.issuer, token, 'POST', '/identity-providers', {
        name: 'corp', display_name: 'Corp', kind: 'ldap', config: config({ group_roles: {} }) });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      const g = await passwordGrant(strict.issuer, 'bob', LDAP_USERS.bob.password);
      assert.equal(g.status, 503, JSON.stringify(g.json));
      assert.match(strict.output(), /outbound connection refused: address=127\.0\.0\.1/);
    } finally {
      await strict.stop();
    }
  });

  describe('the login page in Chromium', { skip: browserMissing() ?? false }, () => {
    let browser; let rp; let app; let oidc;

    before(async () => {
      browser = await launchBrowser();
      rp = await startRp();
      app = await createApp(srv.issuer, admin, {
        // First-party, so that its tokens may read /me/permissions (and no consent is asked).
        name: 'Ledger', type: 'public', first_party: true, grant_types: ['authorization_code'],
        redirect_uris: [rp.redirectUri],
      });
      oidc = await client.discovery(new URL(srv.issuer), app.client_id, undefined, client.None(),
        { execute: [client.allowInsecureRequests] });
    });
    after(async () => {
      await browser?.close();
      await rp?.close();
    });

    async function authorize(page) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(oidc, {
        redirect_uri: rp.redirectUri, scope: 'openid profile', state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      await page.goto(url.href);
      assert.ok(await onLoginPage(page), 'the login page is shown');
      return { verifier, state };
    }

    test('a directory user with TOTP: the ID token says pwd, fed, otp and mfa, and names the directory', async () => {
      const setup = await passwordGrant(srv.issuer, 'erin', LDAP_USERS.erin.password); // provisions erin
      assert.equal(setup.status, 200, JSON.stringify(setup.json));
      const secret = await enrolTotp(srv.issuer, setup.json.access_token);
      const ctx = await browser.newContext({ viewport: SIZES.desktop });
      const page = await ctx.newPage();
      const req = await authorize(page);
      await signIn(page, 'erin', LDAP_USERS.erin.password);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      await assertAccessible(page, 'the MFA step after a directory password');
      await page.getByRole('textbox').fill(totp(secret));
      await Promise.all([
        page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }),
        page.getByRole('button', { name: 'Verify' }).click(),
      ]);
      const tokens = await client.authorizationCodeGrant(oidc, new URL(page.url()),
        { pkceCodeVerifier: req.verifier, expectedState: req.state });
      const claims = jwtPayload(tokens.id_token);
      assert.deepEqual(claims.amr, ['pwd', 'fed', 'otp', 'mfa']);
      assert.equal(claims.idp, 'corp');
      await ctx.close();
    });

    test('the right directory password but nobody here to be: the error page says why', async () => {
      const ctx = await browser.newContext({ viewport: SIZES.phone });
      const page = await ctx.newPage();
      await authorize(page);
      const [resp] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        signIn(page, 'frank', LDAP_USERS.frank.password),
      ]);
      assert.equal(resp.status(), 403);
      await page.getByRole('alert').filter({ hasText: /already uses the email address of your directory account/ }).waitFor();
      assert.doesNotMatch(await page.locator('main').innerText(), /wrong username or password/i);
      await assertAccessible(page, 'the error page of a directory person without an account');
      await shot(page, 'idp-ldap-refused-phone');
      await ctx.close();
    });

    for (const [size, viewport] of Object.entries(SIZES)) {
      test(`a directory user signs in (${size})`, async () => {
        const ctx = await browser.newContext({ viewport });
        const page = await ctx.newPage();
        const req = await authorize(page);
        // the plugin's describe(): no button, a sentence beside the password form
        assert.ok(await page.getByText('You can sign in with your Example Corp directory username and password.').isVisible());
        assert.equal(await page.getByRole('button', { name: /Sign in with Example Corp/ }).count(), 0);
        await assertAccessible(page, `the login page with a directory (${size})`);
        await shot(page, `idp-ldap-login-${size}`);
        await Promise.all([
          page.waitForURL((u) => u.href.startsWith(rp.redirectUri), { timeout: 15000 }),
          signIn(page, 'bob', LDAP_USERS.bob.password),
        ]);
        const tokens = await client.authorizationCodeGrant(oidc, new URL(page.url()),
          { pkceCodeVerifier: req.verifier, expectedState: req.state });
        assert.ok((await permissions(tokens.access_token)).includes('reports:read'));
        await ctx.close();
      });

      test(`the directory down shows the error page, not a wrong password (${size})`, async () => {
        const ctx = await browser.newContext({ viewport });
        const page = await ctx.newPage();
        await authorize(page);
        await ldap.stop();
        try {
          const [resp] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === 'POST'),
            signIn(page, 'alice', LDAP_USERS.alice.password),
          ]);
          assert.equal(resp.status(), 503);
          await assert.doesNotReject(page.getByRole('alert').filter({ hasText: /directory that checks your password cannot be reached/ }).waitFor());
          assert.doesNotMatch(await page.locator('main').innerText(), /wrong username or password/i);
          await shot(page, `idp-ldap-down-${size}`);
          await assertAccessible(page, 'the error page');
        } finally {
          await ldap.start();
        }
        await ctx.close();
      });
    }
  });
});
