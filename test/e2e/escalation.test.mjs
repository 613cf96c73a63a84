// SPDX-License-Identifier: Apache-2.0
// Privilege escalation through applications, roles and groups: every operation that changes or
// removes a target asks whether the caller outranks it; first-party trust needs applications:trust;
// a third-party application's user tokens reach the management API only with portcullis:manage;
// rotating a secret revokes what the old one obtained.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, api, createApp, createUser, getToken,
  introspect, passwordGrant, startServer, tokenRequest, unique,
} from './lib/server.mjs';
import { browserMissing, launchBrowser, onConsentPage, signIn } from './lib/browser.mjs';
import { startRp } from './lib/rp.mjs';

let srv; let issuer; let admin; let adminCli;

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
  adminCli = (await api(issuer, admin, 'GET', '/applications')).json.items.find((a) => a.client_id === ADMIN_CLIENT_ID);
});
after(async () => { await srv?.stop(); });

/** A signed-in user (through admin-cli, first party) holding a role with exactly `perms`. */
async function userWith(perms) {
  const role = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: perms })).status, 201);
  const u = await createUser(issuer, admin, { roles: [role] });
  const tok = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
  return { ...u, role, token: tok };
}

function assertForbidden(r, what) {
  assert.equal(r.status, 403, `${what}: ${JSON.stringify(r.json)}`);
  assert.equal(r.json.code, 'AUT-0008', what);
}

describe('no action on an application that outranks the caller', () => {
  test('applications:update cannot rotate the secret of admin-cli, nor relink its providers', async () => {
    const appAdmin = await userWith(['applications:read', 'applications:update', 'providers:read']);
    assertForbidden(await api(issuer, appAdmin.token, 'POST', `/applications/${adminCli.id}/secret`), 'rotate admin-cli');
    const prov = await api(issuer, admin, 'POST', '/providers',
      { name: unique('mail'), kind: 'email', plugin: 'file', config: { dir: srv.dir } });
    assert.equal(prov.status, 201, JSON.stringify(prov.json));
    assertForbidden(await api(issuer, appAdmin.token, 'PUT', `/applications/${adminCli.id}/providers/${prov.json.id}`), 'link');
    assertForbidden(await api(issuer, appAdmin.token, 'DELETE', `/applications/${adminCli.id}/providers/${prov.json.id}`), 'unlink');
    assertForbidden(await api(issuer, appAdmin.token, 'PUT', `/applications/${adminCli.id}/default-providers`,
      { email: prov.json.id }), 'defaults');
    // admin-cli's secret is untouched and still works.
    assert.ok((await getToken(issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)).access_token);
    // An application the caller outranks (no roles) is fine.
    const mine = await createApp(issuer, admin);
    const rotated = await api(issuer, appAdmin.token, 'POST', `/applications/${mine.id}/secret`);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.json));
    assert.equal((await api(issuer, appAdmin.token, 'PUT', `/applications/${mine.id}/providers/${prov.json.id}`)).status, 204);
  });

  test('applications:delete cannot delete admin-cli', async () => {
    const appAdmin = await userWith(['applications:read', 'applications:delete']);
    assertForbidden(await api(issuer, appAdmin.token, 'DELETE', `/applications/${adminCli.id}`), 'delete admin-cli');
    assert.equal((await api(issuer, admin, 'GET', `/applications/${adminCli.id}`)).status, 200);
    const mine = await createApp(issuer, admin);
    assert.equal((await api(issuer, appAdmin.token, 'DELETE', `/applications/${mine.id}`)).status, 204);
  });
});

describe('no deletion of a role or group that grants more than the caller holds', () => {
  test('roles:delete cannot delete a role granting *:*', async () => {
    const roleAdmin = await userWith(['roles:read', 'roles:delete', 'users:read']);
    const strong = await api(issuer, admin, 'POST', '/roles', { name: unique('strong'), permissions: ['*:*'] });
    assertForbidden(await api(issuer, roleAdmin.token, 'DELETE', `/roles/${strong.json.id}`), 'delete strong role');
    assert.equal((await api(issuer, admin, 'GET', `/roles/${strong.json.id}`)).status, 200);
    const weak = await api(issuer, admin, 'POST', '/roles', { name: unique('weak'), permissions: ['users:read'] });
    assert.equal((await api(issuer, roleAdmin.token, 'DELETE', `/roles/${weak.json.id}`)).status, 204);
  });

  test('groups:delete cannot delete a group whose roles grant more than the caller holds', async () => {
    const groupAdmin = await userWith(['groups:read', 'groups:delete']);
    const strong = await api(issuer, admin, 'POST', '/groups', { name: unique('admins'), roles: ['admin'] });
    assertForbidden(await api(issuer, groupAdmin.token, 'DELETE', `/groups/${strong.json.id}`), 'delete admin group');
    assert.equal((await api(issuer, admin, 'GET', `/groups/${strong.json.id}`)).status, 200);
    const plain = await api(issuer, admin, 'POST', '/groups', { name: unique('plain') });
    assert.equal((await api(issuer, groupAdmin.token, 'DELETE', `/groups/${plain.json.id}`)).status, 204);
  });
});

describe('first-party trust needs applications:trust', () => {
  const perms = ['applications:read', 'applications:create', 'applications:update'];

  test('creating a first-party application needs it', async () => {
    const appAdmin = await userWith(perms);
    const r = await api(issuer, appAdmin.token, 'POST', '/applications',
      { name: unique('fp'), grant_types: ['authorization_code'], redirect_uris: ['https://evil.example.test/cb'], first_party: true });
    assertForbidden(r, 'create first-party');
    const third = await api(issuer, appAdmin.token, 'POST', '/applications', { name: unique('tp'), first_party: false });
    assert.equal(third.status, 201, JSON.stringify(third.json));
    assertForbidden(await api(issuer, appAdmin.token, 'PATCH', `/applications/${third.json.id}`, { first_party: true }), 'promote');
  });

  test("changing a first-party application's redirect URIs, grant types or type needs it", async () => {
    const appAdmin = await userWith(perms);
    const fp = await createApp(issuer, admin, {
      grant_types: ['authorization_code'], redirect_uris: ['https://portal.example.test/cb'], first_party: true,
    });
    for (const change of [
      { redirect_uris: ['https://portal.example.test/cb', 'https://evil.example.test/cb'] },
      { post_logout_redirect_uris: ['https://evil.example.test/bye'] },
      { grant_types: ['authorization_code', 'password'] },
      { type: 'public' },
    ]) {
      assertForbidden(await api(issuer, appAdmin.token, 'PATCH', `/applications/${fp.id}`, change), JSON.stringify(change));
    }
    assertForbidden(await api(issuer, appAdmin.token, 'POST', `/applications/${fp.id}/secret`), 'rotate a first-party secret');
    const after_ = await api(issuer, admin, 'GET', `/applications/${fp.id}`);
    assert.deepEqual(after_.json.redirect_uris, ['https://portal.example.test/cb'], 'nothing was written');
    // A name is no matter of trust; the same redirect URIs sent back unchanged are fine.
    const renamed = await api(issuer, appAdmin.token, 'PATCH', `/applications/${fp.id}`,
      { name: 'Portal', redirect_uris: ['https://portal.example.test/cb'] });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.json));
    // A holder of applications:trust may.
    const trusted = await userWith([...perms, 'applications:trust']);
    const ok = await api(issuer, trusted.token, 'PATCH', `/applications/${fp.id}`,
      { redirect_uris: ['https://portal.example.test/cb', 'https://portal.example.test/cb2'] });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
  });

  test('applications:trust cannot be handed out by whoever lacks it', async () => {
    const roleAdmin = await userWith(['roles:create', 'roles:read', 'applications:update']);
    assertForbidden(await api(issuer, roleAdmin.token, 'POST', '/roles',
      { name: unique('t'), permissions: ['applications:trust'] }), 'grant trust');
  });
});

describe('third-party applications and the scope portcullis:manage', () => {
  test('a user token reaches the management API only with the scope, while the application allows it', async () => {
    const third = await createApp(issuer, admin, {
      grant_types: ['password'], first_party: false, scopes: ['openid', 'portcullis:manage'],
    });
    const creds = [third.client_id, third.client_secret];
    const plain = await passwordGrant(issuer, 'admin', ADMIN_PASSWORD, 'openid', creds);
    assertForbidden(await api(issuer, plain.json.access_token, 'GET', '/users'), 'without the scope');
    const manage = await passwordGrant(issuer, 'admin', ADMIN_PASSWORD, 'openid portcullis:manage', creds);
    assert.equal(manage.status, 200, JSON.stringify(manage.json));
    assert.equal(manage.json.scope, 'openid portcullis:manage');
    assert.equal((await api(issuer, manage.json.access_token, 'GET', '/users')).status, 200);
    // Withdrawn from the application, the scope no longer opens the API.
    assert.equal((await api(issuer, admin, 'PATCH', `/applications/${third.id}`, { scopes: ['openid'] })).status, 200);
    assertForbidden(await api(issuer, manage.json.access_token, 'GET', '/users'), 'after the scope was withdrawn');
  });

  test('allowing the scope, or redirecting an application that has it, needs applications:trust', async () => {
    // A browser session that allowed the scope once is never asked again: whoever may
    // add a redirect URI would receive, with prompt=none, a code carrying an
    // administrator's rights.
    const appAdmin = await userWith(['applications:read', 'applications:create', 'applications:update']);
    assertForbidden(await api(issuer, appAdmin.token, 'POST', '/applications',
      { name: unique('tp'), scopes: ['openid', 'portcullis:manage'] }), 'create with the scope');
    const plain = await createApp(issuer, admin, { scopes: ['openid'] });
    assertForbidden(await api(issuer, appAdmin.token, 'PATCH', `/applications/${plain.id}`,
      { scopes: ['openid', 'portcullis:manage'] }), 'allow the scope later');
    const dash = await createApp(issuer, admin, {
      type: 'public', grant_types: ['authorization_code'], redirect_uris: ['https://dash.example.test/cb'],
      scopes: ['openid', 'portcullis:manage'],
    });
    assertForbidden(await api(issuer, appAdmin.token, 'PATCH', `/applications/${dash.id}`,
      { redirect_uris: ['https://dash.example.test/cb', 'https://evil.example.test/cb'] }), 'add a redirect URI');
    assert.deepEqual((await api(issuer, admin, 'GET', `/applications/${dash.id}`)).json.redirect_uris,
      ['https://dash.example.test/cb'], 'nothing was written');
    // Withdrawing the scope, or renaming, stays under the ordinary rules.
    assert.equal((await api(issuer, appAdmin.token, 'PATCH', `/applications/${dash.id}`, { name: 'Dash' })).status, 200);
    assert.equal((await api(issuer, appAdmin.token, 'PATCH', `/applications/${dash.id}`, { scopes: ['openid'] })).status, 200);
  });

  test('an application not allowed the scope cannot obtain it', async () => {
    const third = await createApp(issuer, admin, { grant_types: ['password'], first_party: false, scopes: ['openid'] });
    const r = await passwordGrant(issuer, 'admin', ADMIN_PASSWORD, 'openid portcullis:manage', [third.client_id, third.client_secret]);
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid_scope');
  });

  test('the consent page warns before the person hands it over', { skip: browserMissing() ?? false }, async () => {
    const rp = await startRp();
    const browser = await launchBrowser();
    try {
      const user = await createUser(issuer, admin);
      const third = await createApp(issuer, admin, {
        name: 'Helpful Dashboard', grant_types: ['authorization_code'], redirect_uris: [rp.redirectUri],
        scopes: ['openid', 'portcullis:manage'],
      });
      const url = new URL(`${issuer}/oauth2/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code', client_id: third.client_id, redirect_uri: rp.redirectUri,
        scope: 'openid portcullis:manage', state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const page = await browser.newPage();
      await page.goto(url.href);
      await signIn(page, user.username, user.password);
      assert.ok(await onConsentPage(page));
      const warning = page.getByRole('listitem').filter({ hasText: 'Warning: act as you in the management API' });
      assert.equal(await warning.count(), 1);
      assert.match(await warning.getAttribute('class'), /alert/);
    } finally {
      await browser.close();
      await rp.close();
    }
  });
});

describe('rotating a secret revokes what the old one obtained', () => {
  test('by default every token of the client dies, and the new secret works at once', async () => {
    const app = await createApp(issuer, admin, { grant_types: ['client_credentials', 'password', 'refresh_token'] });
    const own = (await getToken(issuer, app.client_id, app.client_secret)).access_token;
    const u = await createUser(issuer, admin);
    const userTokens = await passwordGrant(issuer, u.username, u.password, 'openid offline_access', [app.client_id, app.client_secret]);
    assert.equal(userTokens.status, 200, JSON.stringify(userTokens.json));
    const r = await api(issuer, admin, 'POST', `/applications/${app.id}/secret`);
    assert.equal(r.status, 200);
    assert.equal((await introspect(issuer, own)).active, false);
    assert.equal((await introspect(issuer, userTokens.json.access_token)).active, false);
    assert.equal((await introspect(issuer, userTokens.json.refresh_token)).active, false);
    const old = await tokenRequest(issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
    assert.equal(old.status, 401);
    const fresh = (await getToken(issuer, app.client_id, r.json.client_secret)).access_token;
    assert.equal((await introspect(issuer, fresh)).active, true);
    const audit = (await api(issuer, admin, 'GET', '/audit?type=application.secret_rotated&limit=5')).json.items;
    const ev = audit.find((e) => e.subject === app.id);
    assert.equal(ev.details.tokens_revoked, true);
  });

  test('{"revoke_tokens": false} keeps them; a bad flag is refused and rotates nothing', async () => {
    const app = await createApp(issuer, admin);
    const own = (await getToken(issuer, app.client_id, app.client_secret)).access_token;
    const bad = await api(issuer, admin, 'POST', `/applications/${app.id}/secret`, { revoke_tokens: 'no' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'AUT-0009');
    assert.ok((await getToken(issuer, app.client_id, app.client_secret)).access_token, 'the old secret still works');
    const r = await api(issuer, admin, 'POST', `/applications/${app.id}/secret`, { revoke_tokens: false });
    assert.equal(r.status, 200);
    assert.equal((await introspect(issuer, own)).active, true);
  });
});

describe("where a trusted application's one-time codes go needs applications:trust", () => {
  let own; let ownAdmin; let firstParty; let thirdParty;
  const sms = (name, url, extra = {}) => ({ name, kind: 'sms', plugin: 'http-sms', config: { url, ...extra } });

  before(async () => {
    // A server of its own: which provider is a tenant default depends on how many there are.
    own = await startServer();
    ownAdmin = await adminToken(own.issuer);
    firstParty = await createApp(own.issuer, ownAdmin, { grant_types: ['password'], first_party: true });
    thirdParty = await createApp(own.issuer, ownAdmin, { grant_types: ['password'] });
  });
  after(async () => { await own?.stop(); });

  /** A user of the server `own` holding exactly `perms`. */
  async function operator(perms) {
    const role = unique('ops');
    assert.equal((await api(own.issuer, ownAdmin, 'POST', '/roles', { name: role, permissions: perms })).status, 201);
    const u = await createUser(own.issuer, ownAdmin, { roles: [role] });
    return (await passwordGrant(own.issuer, u.username, u.password)).json.access_token;
  }

  test('the first provider of a kind, or one marked default, is every application\'s: trust needed', async () => {
    const op = await operator(['providers:read', 'providers:create', 'providers:update']);
    assertForbidden(await api(own.issuer, op, 'POST', '/providers', sms('only-one', 'https://collector.example.test/sms')), 'the only sms provider');
    const first = await api(own.issuer, ownAdmin, 'POST', '/providers', sms('gateway', 'https://sms.example.test/send'));
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assertForbidden(await api(own.issuer, op, 'POST', '/providers',
      sms('loud', 'https://collector.example.test/sms', { default: true })), 'a new default');
    // The tenant's only sms provider: its destination is every application's.
    assertForbidden(await api(own.issuer, op, 'PATCH', `/providers/${first.json.id}`,
      { config: { url: 'https://collector.example.test/sms' } }), 'moving the default');
    const renamed = await api(own.issuer, op, 'PATCH', `/providers/${first.json.id}`, { name: 'gateway-eu' });
    assert.equal(renamed.status, 200, 'a name is no matter of trust');
    // A second, non-default provider serves no trusted application: fine.
    const second = await api(own.issuer, op, 'POST', '/providers', sms('spare', 'https://spare.example.test/send'));
    assert.equal(second.status, 201, JSON.stringify(second.json));
    const got = await api(own.issuer, ownAdmin, 'GET', `/providers/${first.json.id}`);
    assert.equal(got.json.config.url, 'https://sms.example.test/send', 'nothing was written');
  });

  test("linking a provider to a trusted application, or moving one linked to it, needs trust", async () => {
    const op = await operator(['providers:read', 'providers:create', 'providers:update', 'applications:read', 'applications:update']);
    // The administrator's provider comes first, so the operator's is not the tenant's only one.
    assert.equal((await api(own.issuer, ownAdmin, 'POST', '/providers', sms(unique('admins'), 'https://sms.example.test/a'))).status, 201);
    const mine = await api(own.issuer, op, 'POST', '/providers', sms(unique('mine'), 'https://mine.example.test/send'));
    assert.equal(mine.status, 201, JSON.stringify(mine.json));
    assertForbidden(await api(own.issuer, op, 'PUT', `/applications/${firstParty.id}/default-providers`, { sms: mine.json.id }), 'default on first-party');
    assertForbidden(await api(own.issuer, op, 'PUT', `/applications/${firstParty.id}/providers/${mine.json.id}`), 'link on first-party');
    assert.equal((await api(own.issuer, op, 'PUT', `/applications/${thirdParty.id}/default-providers`, { sms: mine.json.id })).status, 204);
    // Linked by the administrator to the first-party application, its destination is trusted.
    assert.equal((await api(own.issuer, ownAdmin, 'PUT', `/applications/${firstParty.id}/providers/${mine.json.id}`)).status, 204);
    assertForbidden(await api(own.issuer, op, 'PATCH', `/providers/${mine.json.id}`,
      { config: { url: 'https://collector.example.test/sms' } }), 'moving a provider a first-party app uses');
  });
});
