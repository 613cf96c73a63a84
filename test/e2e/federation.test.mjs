// SPDX-License-Identifier: Apache-2.0
// Federation (API.md §14) without a browser: the identity-provider API and its two questions,
// sign-in through an OIDC upstream written here so that it can lie (nonce, key, issuer, iss
// parameter), state replay and another browser's state, an upstream that is down, the oauth2
// plugin against a GitHub-like server, linking (409 when linked elsewhere) and unlinking.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, createUser, freePort, tokenRequest } from './lib/server.mjs';
import { readFile, readdir } from 'node:fs/promises';
import {
  Jar, authorizeUrl, federationSetup, passwordSession as signedIn, startFakeOidc, toCallback,
} from './lib/federation.mjs';
import { enrolTotp, totp, userToken } from './lib/mfa.mjs';

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT = { clientId: 'portcullis-down', clientSecret: 'upstream-secret-1' };

describe('federation', () => {
  let srv; let admin; let app; let up; let gh;

  before(async () => {
    ({ srv, admin, up, gh, app } = await federationSetup(CLIENT, REDIRECT));
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'fake', display_name: 'Fake SSO', kind: 'oidc', default_roles: ['viewer'],
      config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  });
  after(async () => {
    await up?.close();
    await gh?.close();
    const code = await srv?.stop();
    if (srv && code !== 0) console.log(`portcullis exited with ${code}:\n${srv.output()}`);
  });

  /** A whole federated sign-in through `name`; returns the callback's response and the jar. */
  async function signIn(name, jar = new Jar()) {
    const req = authorizeUrl(srv.issuer, app, REDIRECT);
    const cb = await toCallback(jar, srv.issuer, name, req.url);
    const r = await jar.fetch(cb);
    return { r, jar, cb, req, text: r.status === 302 ? '' : await r.text() };
  }

  /** The ID token of a sign-in that came back to the application with a code. */
  async function idToken({ r, req, text }) {
    assert.equal(r.status, 302, text);
    const back = new URL(r.headers.get('location'));
    assert.equal(back.origin + back.pathname, REDIRECT);
    const t = await tokenRequest(srv.issuer, undefined, undefined, {
      grant_type: 'authorization_code', code: back.searchParams.get('code'), redirect_uri: REDIRECT,
      client_id: app.client_id, code_verifier: req.verifier,
    });
    assert.equal(t.status, 200, JSON.stringify(t.json));
    return JSON.parse(Buffer.from(t.json.id_token.split('.')[1], 'base64url'));
  }

  const usersNamed = async (q) => (await api(srv.issuer, admin, 'GET', `/users?q=${encodeURIComponent(q)}`)).json.items;

  test('the API: secrets write-only, validation, duplicates, /auth/providers without a token', async () => {
    const got = await api(srv.issuer, admin, 'GET', '/identity-providers');
    const fake = got.json.items.find((p) => p.name === 'fake');
    assert.equal(fake.config.client_secret, '********');
    assert.deepEqual(fake.default_roles, ['viewer']);
    assert.equal(fake.link_by_email, 'never');
    let r = await api(srv.issuer, admin, 'POST', '/identity-providers', { name: 'x', display_name: 'X', kind: 'saml' });
    assert.equal(r.status, 400);
    assert.ok(r.json.fields.kind);
    r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'y', display_name: 'Y', kind: 'oidc', default_roles: ['no-such-role'], config: { issuer: up.issuer, client_id: 'c' },
    });
    assert.equal(r.status, 400);
    assert.ok(r.json.fields.default_roles);
    r = await api(srv.issuer, admin, 'POST', '/identity-providers', { name: 'z', display_name: 'Z', kind: 'oidc', config: { client_id: 'c' } });
    assert.equal(r.status, 400);
    assert.ok(r.json.fields['config.issuer']);
    r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'fake', display_name: 'Again', kind: 'oidc', config: { issuer: up.issuer, client_id: 'c' },
    });
    assert.equal(r.status, 409);
    assert.equal(r.json.code, 'AUT-0011');
    // A PATCH that shows the mask keeps the stored secret (a later sign-in still redeems codes).
    r = await api(srv.issuer, admin, 'PATCH', `/identity-providers/${fake.id}`, { display_name: 'Fake SSO', config: { ...fake.config } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const pub = await fetch(`${srv.issuer}/api/v1/auth/providers`);
    const list = await pub.json();
    assert.equal(pub.status, 200);
    assert.deepEqual(list.items.find((p) => p.name === 'fake'),
      { name: 'fake', display_name: 'Fake SSO', kind: 'oidc', label: 'Sign in with Fake SSO', icon: 'openid' });
  });

  test('each plugin describes its providers: the login page and /auth/providers show what describe() says', async () => {
    // an oauth2 provider at GitHub's address: the plugin recognises the upstream for the logo hint
    const gh2 = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'github', display_name: 'GitHub', kind: 'oauth2', config: {
        authorization_endpoint: 'https://github.com/login/oauth/authorize', token_endpoint: 'https://github.com/login/oauth/access_token',
        userinfo_endpoint: 'https://api.github.com/user', client_id: 'gh-client', client_secret: 'gh-secret',
      },
    });
    assert.equal(gh2.status, 201, JSON.stringify(gh2.json));
    try {
      const list = (await (await fetch(`${srv.issuer}/api/v1/auth/providers`)).json()).items;
      assert.deepEqual(list.find((p) => p.name === 'github'),
        { name: 'github', display_name: 'GitHub', kind: 'oauth2', label: 'Sign in with GitHub', icon: 'github' });
      const html = await (await new Jar().fetch(authorizeUrl(srv.issuer, app, REDIRECT).url)).text();
      assert.match(html, /action="[^"]*\/federation\/github\/start"[^>]*>.*?<button type="submit" class="secondary" data-icon="github">Sign in with GitHub<\/button>/s);
      assert.match(html, /<button type="submit" class="secondary" data-icon="openid">Sign in with Fake SSO<\/button>/);
    } finally {
      await api(srv.issuer, admin, 'DELETE', `/identity-providers/${gh2.json.id}`);
    }
  });

  test('two questions: the permission, then whether the caller may hand out what the provider does', async () => {
    const role = await api(srv.issuer, admin, 'POST', '/roles', { name: 'idp-admin', permissions: ['identity_providers:*', 'viewer:x'] });
    assert.equal(role.status, 201);
    const u = await createUser(srv.issuer, admin, { roles: ['idp-admin'] });
    const pw = await tokenRequest(srv.issuer, 'admin-cli', 'e2e-admin-cli-secret-0123456789',
      { grant_type: 'password', username: u.username, password: u.password, scope: 'openid' });
    const token = pw.json.access_token;
    const base = { display_name: 'Mine', kind: 'oidc', config: { issuer: up.issuer, client_id: 'c' } };
    // holds identity_providers:* but not docs:read, which the role viewer grants
    let r = await api(srv.issuer, token, 'POST', '/identity-providers', { ...base, name: 'mine1', default_roles: ['viewer'] });
    assert.equal(r.status, 403);
    // linking by email lets the upstream sign in as existing users: users:impersonate
    r = await api(srv.issuer, token, 'POST', '/identity-providers', { ...base, name: 'mine2', link_by_email: 'verified' });
    assert.equal(r.status, 403);
    r = await api(srv.issuer, token, 'POST', '/identity-providers', { ...base, name: 'mine3' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // and may not touch the admin's provider that hands out viewer
    const fake = (await api(srv.issuer, admin, 'GET', '/identity-providers')).json.items.find((p) => p.name === 'fake');
    assert.equal((await api(srv.issuer, token, 'DELETE', `/identity-providers/${fake.id}`)).status, 403);
    const plain = await createUser(srv.issuer, admin);
    const pt = (await tokenRequest(srv.issuer, 'admin-cli', 'e2e-admin-cli-secret-0123456789',
      { grant_type: 'password', username: plain.username, password: plain.password, scope: 'openid' })).json.access_token;
    assert.equal((await api(srv.issuer, pt, 'GET', '/identity-providers')).status, 403);
  });

  test('re-pointing a provider that has linked identities needs users:impersonate', async () => {
    const corp = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'corp', display_name: 'Corp', kind: 'oidc',
      config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    });
    assert.equal(corp.status, 201, JSON.stringify(corp.json));
    const tokenWith = async (name, permissions) => {
      assert.equal((await api(srv.issuer, admin, 'POST', '/roles', { name, permissions })).status, 201);
      const u = await createUser(srv.issuer, admin, { roles: [name] });
      return (await tokenRequest(srv.issuer, 'admin-cli', 'e2e-admin-cli-secret-0123456789',
        { grant_type: 'password', username: u.username, password: u.password, scope: 'openid' })).json.access_token;
    };
    const editor = await tokenWith('idp-editor', ['identity_providers:*']);
    const repoint = { config: { issuer: 'https://sso.attacker.example', client_id: 'theirs' } };
    // nobody linked yet: re-pointing hands over nobody
    let r = await api(srv.issuer, editor, 'PATCH', `/identity-providers/${corp.json.id}`, { config: { issuer: up.issuer, client_id: 'other' } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    r = await api(srv.issuer, admin, 'PATCH', `/identity-providers/${corp.json.id}`, { config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    up.mode = 'good';
    up.subject = 'corp-boss';
    up.claims = {};
    await idToken(await signIn('corp')); // provisions a user linked through corp
    // now the new upstream could answer the linked subject and sign in as that user
    r = await api(srv.issuer, editor, 'PATCH', `/identity-providers/${corp.json.id}`, repoint);
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.match(r.json.message, /users:impersonate/);
    for (const config of [{ issuer: up.issuer, client_id: CLIENT.clientId, claims: { email: 'upn' } }, { issuer: up.issuer }]) {
      r = await api(srv.issuer, editor, 'PATCH', `/identity-providers/${corp.json.id}`, { config });
      assert.equal(r.status, 403, JSON.stringify(config));
    }
    const got = (await api(srv.issuer, admin, 'GET', `/identity-providers/${corp.json.id}`)).json;
    assert.equal(got.config.issuer, up.issuer, 'unchanged');
    assert.equal(got.config.client_id, CLIENT.clientId);
    // what does not decide who a subject is stays the editor's
    r = await api(srv.issuer, editor, 'PATCH', `/identity-providers/${corp.json.id}`, { display_name: 'Corp SSO' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    r = await api(srv.issuer, editor, 'PATCH', `/identity-providers/${corp.json.id}`,
      { config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: 'rotated-secret', scopes: ['openid'] } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const trusted = await tokenWith('idp-trusted', ['identity_providers:*', 'users:impersonate']);
    r = await api(srv.issuer, trusted, 'PATCH', `/identity-providers/${corp.json.id}`, repoint);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/identity-providers/${corp.json.id}`)).status, 204);
  });

  test('first sign-in provisions with default_roles; the second is the same user; amr has fed', async () => {
    up.mode = 'good';
    up.subject = 'alice-upstream';
    up.claims = { email: 'alice@corp.test', email_verified: true, preferred_username: 'alice', name: 'Alice Upstream' };
    const first = await signIn('fake');
    const claims = await idToken(first);
    assert.ok(claims.amr.includes('fed'), JSON.stringify(claims.amr));
    assert.equal(claims.idp, 'fake', 'the ID token names the provider');
    const [alice] = await usersNamed('alice@corp.test');
    assert.equal(claims.sub, alice.id);
    assert.equal(alice.username, 'alice');
    assert.equal(alice.email_verified, true);
    assert.deepEqual(alice.roles, ['viewer']);
    assert.equal(alice.identities.length, 1);
    assert.equal(alice.identities[0].provider, 'fake');
    assert.equal(alice.identities[0].subject, 'alice-upstream');
    const again = await idToken(await signIn('fake'));
    assert.equal(again.sub, alice.id, 'the second sign-in is the same user');
    assert.equal((await usersNamed('alice@corp.test')).length, 1);
    const audit = (await api(srv.issuer, admin, 'GET', `/audit?type=login.succeeded`)).json.items;
    assert.ok(audit.some((e) => e.subject === alice.id && e.details.provider === 'fake'));
    const linked = (await api(srv.issuer, admin, 'GET', `/audit?type=identity.linked`)).json.items;
    assert.ok(linked.some((e) => e.subject === alice.id && e.details.provider === 'fake'));
  });

  test('link_by_email links only to a local email that is verified here: no pre-hijacking', async () => {
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'byemail', display_name: 'By Email', kind: 'oidc', link_by_email: 'verified',
      config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // someone made an account with the victim's address, which nobody proved here
    const squatter = await createUser(srv.issuer, admin, { email: 'victim-sso@corp.test' });
    assert.equal(squatter.email_verified, false);
    up.mode = 'good';
    up.subject = 'victim-sso-upstream';
    up.claims = { email: 'victim-sso@corp.test', email_verified: true };
    const refused = await signIn('byemail');
    assert.equal(refused.r.status, 409, refused.text);
    assert.match(refused.text, /already exists here/);
    assert.match(refused.text, /verify its email address/);
    const ids = await api(srv.issuer, admin, 'GET', `/users/${squatter.id}/identities`);
    assert.deepEqual(ids.json.items, [], 'the upstream identity was not linked to the squatter');
    assert.equal((await usersNamed('victim-sso@corp.test')).length, 1, 'and no user was created');
    // once the address is verified here, the same sign-in links and signs in
    const v = await api(srv.issuer, admin, 'PATCH', `/users/${squatter.id}`, { email_verified: true });
    assert.equal(v.status, 200, JSON.stringify(v.json));
    const claims = await idToken(await signIn('byemail'));
    assert.equal(claims.sub, squatter.id);
    up.claims = {};
  });

  for (const [mode, what] of [['nonce', 'a nonce that is not ours'], ['key', 'an ID token signed by another key'],
    ['iss', 'an ID token of another issuer'], ['issparam', 'an iss parameter naming another issuer']]) {
    test(`refused: ${what}; no user is created`, async () => {
      up.mode = mode;
      up.subject = `victim-${mode}`;
      up.claims = { email: `victim-${mode}@corp.test`, email_verified: true };
      const { r, text } = await signIn('fake');
      up.mode = 'good';
      assert.equal(r.status, 400);
      assert.match(text, /could not be verified/);
      assert.equal((await usersNamed(`victim-${mode}@corp.test`)).length, 0);
      assert.match(srv.output(), /federated sign-in failed: tenant=default provider=fake/);
    });
  }

  for (const [error, status, says] of [
    ['access_denied', 403, /did not sign you in \(perhaps the sign-in was cancelled there\)/],
    ['temporarily_unavailable', 503, /cannot sign you in right now/],
    ['invalid_scope', 400, /refused this sign-in request/],
  ]) {
    test(`the upstream answers error=${error}: a page that says what happened, logged, nobody created`, async () => {
      up.mode = 'error';
      up.error = `${error}"><b>injected</b>`; // whatever comes is sanitised before the log
      up.subject = `error-${error}`;
      up.claims = { email: `error-${error}@corp.test` };
      const { r, text } = await signIn('fake');
      up.mode = 'good';
      assert.equal(r.status, status, text);
      assert.match(text, says);
      assert.doesNotMatch(text, /could not be verified|injected/);
      assert.equal((await usersNamed(`error-${error}@corp.test`)).length, 0);
      assert.match(srv.output(), new RegExp(`federated sign-in failed: tenant=default provider=fake reason="the upstream answered error=${error}"`));
      assert.doesNotMatch(srv.output(), /injected/);
    });
  }

  test('a default role deleted since the provider was written: a clear page, logged, nobody half-made', async () => {
    const role = await api(srv.issuer, admin, 'POST', '/roles', { name: 'short-lived', permissions: ['docs:read'] });
    assert.equal(role.status, 201);
    const p = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'stale', display_name: 'Stale SSO', kind: 'oidc', default_roles: ['short-lived'],
      config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
    });
    assert.equal(p.status, 201, JSON.stringify(p.json));
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/roles/${role.json.id}`)).status, 204);
    up.mode = 'good';
    up.subject = 'stale-upstream';
    up.claims = { email: 'stale@corp.test', email_verified: true };
    const { r, text } = await signIn('stale');
    assert.equal(r.status, 500, text);
    assert.match(text, /This sign-in option is not configured correctly\. Tell your administrator\./);
    assert.equal((await usersNamed('stale@corp.test')).length, 0);
    assert.match(srv.output(), /federated provisioning refused: tenant=\S+ provider=stale: a default role no longer exists \(short-lived\)/);
    assert.match(srv.output(), /federated sign-in failed: tenant=default provider=stale reason="a default role of the provider no longer exists"/);
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/identity-providers/${p.json.id}`)).status, 204);
    up.claims = {};
  });

  test('client_secret_post as well as client_secret_basic', async () => {
    up.mode = 'good';
    up.subject = 'alice-upstream';
    await idToken(await signIn('fake'));
    assert.equal(up.lastAuth, 'client_secret_basic', 'the default');
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'fakepost', display_name: 'Fake SSO by post', kind: 'oidc', config: {
        issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret,
        token_endpoint_auth_method: 'client_secret_post',
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    up.subject = 'post-user';
    up.claims = { email: 'post-user@corp.test' };
    await idToken(await signIn('fakepost'));
    assert.equal(up.lastAuth, 'client_secret_post');
    assert.equal((await api(srv.issuer, admin, 'PATCH', `/identity-providers/${r.json.id}`, { enabled: false })).status, 200);
    up.claims = {};
  });

  test('a state is used once: the replayed callback is refused', async () => {
    up.mode = 'good';
    up.subject = 'alice-upstream';
    const first = await signIn('fake');
    assert.equal(first.r.status, 302);
    const replay = await first.jar.fetch(first.cb);
    assert.equal(replay.status, 400);
    assert.match(await replay.text(), /expired or was already used/);
  });

  test('a state from another browser session is refused', async () => {
    up.mode = 'good';
    up.subject = 'alice-upstream';
    const victim = new Jar();
    const cb = await toCallback(victim, srv.issuer, 'fake', authorizeUrl(srv.issuer, app, REDIRECT).url);
    const attacker = new Jar();
    const r = await attacker.fetch(cb);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /started in another browser/);
    assert.equal(attacker.c.has('pc_session'), false);
  });

  test('an upstream that is down: the error page says so, 503, and nobody is signed in', async () => {
    const port = await freePort();
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'down', display_name: 'Down SSO', kind: 'oidc', config: { issuer: `http://127.0.0.1:${port}`, client_id: 'c' },
    });
    assert.equal(r.status, 201);
    const jar = new Jar();
    const page = await jar.fetch(authorizeUrl(srv.issuer, app, REDIRECT).url);
    const html = await page.text();
    const form = html.match(/action="[^"]*\/federation\/down\/start"[^>]*>(.*?)<\/form>/s)[1];
    const v = (n) => form.match(new RegExp(`name="${n}" value="([^"]*)"`))[1].replace(/&amp;/g, '&');
    const start = await jar.fetch(`${srv.issuer}/federation/down/start`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: v('request'), csrf: v('csrf') }).toString(),
    });
    assert.equal(start.status, 503);
    assert.ok(start.headers.get('retry-after'));
    assert.match(await start.text(), /cannot be reached/);
    assert.equal(jar.c.has('pc_session'), false);
  });

  describe('an upstream that fails, then comes back: discovery is fetched again, no restart here', () => {
    let moving;
    const subjects = [];
    const moved = (n) => ({ authorize: `/v${n}/authorize`, token: `/v${n}/token`, jwks: `/v${n}/jwks` });
    /** A sign-in at `moving` as a new person: the callback's answer, and whether a user came of it. */
    async function attempt(walk = (jar, req) => toCallback(jar, srv.issuer, 'moving', req.url), between = async () => {}) {
      const jar = new Jar();
      const req = authorizeUrl(srv.issuer, app, REDIRECT);
      moving.subject = `moving-${subjects.length}`;
      moving.claims = { email: `${moving.subject}@moving.test` };
      subjects.push(moving.subject);
      const cb = await walk(jar, req);
      await between();
      const r = await jar.fetch(cb);
      return { r, req, text: r.status === 302 ? '' : await r.text(), users: await usersNamed(`${moving.subject}@moving.test`) };
    }

    before(async () => {
      moving = await startFakeOidc(CLIENT);
      const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
        name: 'moving', display_name: 'Moving SSO', kind: 'oidc',
        config: { issuer: moving.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret },
      });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      await idToken(await attempt()); // discovery and keys are cached now
    });
    after(() => moving?.close());

    test('down at the callback: a clear 503 page, no user; back on new endpoints and keys, the next sign-in works', async () => {
      const failed = await attempt(undefined, () => moving.stop());
      assert.equal(failed.r.status, 503, failed.text);
      assert.match(failed.text, /identity provider cannot be reached right now/);
      assert.ok(failed.r.headers.get('retry-after'));
      assert.deepEqual(failed.users, [], 'no user from a failed sign-in');
      assert.match(srv.output(), /federated sign-in failed: tenant=default provider=moving reason="cannot reach http:\/\/127\.0\.0\.1:\d+\/token"/);
      moving.paths = moved(2);
      await moving.rotate();
      await moving.start();
      const next = await attempt();
      const claims = await idToken(next);
      assert.equal(claims.amr[0], 'fed');
      assert.equal(next.users.length, 1);
    });

    test('redeployed between the upstream and the callback (its token endpoint moved): 503, and the next sign-in works', async () => {
      const failed = await attempt(undefined, async () => {
        await moving.stop();
        moving.paths = moved(3);
        await moving.rotate();
        await moving.start();
      });
      assert.equal(failed.r.status, 503, failed.text);
      assert.match(failed.text, /identity provider cannot be reached right now/);
      assert.deepEqual(failed.users, []);
      const next = await attempt();
      await idToken(next);
      assert.ok(moving.calls.includes('/v3/authorize'), 'the browser went to the new authorization endpoint');
    });

    test('new keys at a new JWKS address while everything is cached: the same sign-in fetches both again', async () => {
      moving.paths = { ...moving.paths, jwks: '/v4/jwks' };
      await moving.rotate();
      const r = await attempt();
      await idToken(r);
      assert.equal(r.users.length, 1);
    });
  });

  test('oauth2: code + state + PKCE, then the userinfo; subject and claims mapped', async () => {
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'octo', display_name: 'OctoHub', kind: 'oauth2', config: {
        authorization_endpoint: `${gh.origin}/authorize`, token_endpoint: `${gh.origin}/token`,
        userinfo_endpoint: `${gh.origin}/user`, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret,
        scopes: ['read:user'],
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const claims = await idToken(await signIn('octo'));
    assert.match(gh.challenges.at(-1), /^[A-Za-z0-9_-]{43}$/, 'a PKCE challenge was sent');
    const [octo] = await usersNamed('octo@example.test');
    assert.equal(claims.sub, octo.id);
    assert.equal(octo.username, 'octo');
    assert.equal(octo.name, 'Octo Cat');
    assert.equal(octo.email_verified, false, 'an unverified upstream email stays unverified');
    assert.deepEqual(octo.identities.map((i) => [i.provider, i.subject]), [['octo', '4242']]);
  });

  /** A browser session of `u` (password sign-in through the login form) in a new jar. */
  const passwordSession = (u) => signedIn(srv.issuer, authorizeUrl(srv.issuer, app, REDIRECT).url, u);

  /** The account page's link form of `fake`: its action and CSRF token (the GET starts nothing). */
  async function linkForm(jar) {
    const page = await jar.fetch(`${srv.issuer}/federation/fake/start?link=1`);
    const text = await page.text();
    assert.equal(page.status, 200, text);
    return { text, action: text.match(/<form method="post" action="([^"]+)"/)[1], csrf: text.match(/name="csrf" value="([^"]+)"/)[1] };
  }
  const postLink = (jar, action, fields) => jar.fetch(action, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
  });

  async function linkFrom(jar) {
    const { action, csrf } = await linkForm(jar);
    const start = await postLink(jar, action, { link: '1', csrf });
    assert.equal(start.status, 303, await start.clone().text());
    const upstream = await fetch(start.headers.get('location'), { redirect: 'manual' });
    return jar.fetch(upstream.headers.get('location'));
  }

  test('a link starts only from this server\'s form: a POST with the CSRF token of the cookie', async () => {
    up.mode = 'good';
    const gus = await createUser(srv.issuer, admin);
    const jar = await passwordSession(gus);
    const calls = up.calls.length;
    // a plain navigation (no Sec-Fetch-Site, as from an old browser or a top-level link) starts nothing
    const { text, action, csrf } = await linkForm(jar);
    assert.match(text, /Link your Fake SSO account\?/);
    assert.equal(up.calls.length, calls, 'the upstream was not contacted');
    for (const fields of [{ link: '1' }, { link: '1', csrf: 'x'.repeat(43) }]) {
      const r = await postLink(jar, action, fields);
      assert.equal(r.status, 403, JSON.stringify(fields));
      assert.match(await r.text(), /started from your account page/);
    }
    // another browser's form token is not this one's
    const other = await linkForm(await passwordSession(gus));
    assert.equal((await postLink(jar, action, { link: '1', csrf: other.csrf })).status, 403);
    const ok = await postLink(jar, action, { link: '1', csrf });
    assert.equal(ok.status, 303);
    assert.ok(ok.headers.get('location').startsWith(`${up.issuer}/authorize?`));
  });

  test('link from the account page: 409 when linked elsewhere; unlink refuses the last way to sign in', async () => {
    up.mode = 'good';
    const bob = await createUser(srv.issuer, admin);
    const jar = await passwordSession(bob);
    up.subject = 'alice-upstream'; // already alice's
    const taken = await linkFrom(jar);
    assert.equal(taken.status, 409);
    assert.match(await taken.text(), /already linked/);
    // another site may not start a link on the browser's session
    const forged = await jar.fetch(`${srv.issuer}/federation/fake/start?link=1`, { headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(forged.status, 403);
    up.subject = 'bob-upstream';
    const ok = await linkFrom(jar);
    assert.equal(ok.status, 302);
    assert.match(ok.headers.get('location'), /\/ui\/account#linked-accounts$/);
    let ids = await api(srv.issuer, admin, 'GET', `/users/${bob.id}/identities`);
    assert.deepEqual(ids.json.items.map((i) => [i.provider, i.subject]), [['fake', 'bob-upstream']]);

    const [alice] = await usersNamed('alice@corp.test');
    const last = await api(srv.issuer, admin, 'DELETE', `/users/${alice.id}/identities/fake`);
    assert.equal(last.status, 400);
    assert.equal(last.json.code, 'AUT-0009');
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/users/${bob.id}/identities/fake`)).status, 204);
    ids = await api(srv.issuer, admin, 'GET', `/users/${bob.id}/identities`);
    assert.deepEqual(ids.json.items, []);
    const audit = (await api(srv.issuer, admin, 'GET', '/audit?type=identity.unlinked')).json.items;
    assert.ok(audit.some((e) => e.subject === bob.id && e.details.provider === 'fake'));
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/users/${bob.id}/identities/fake`)).status, 404);
  });

  test('a user with a second factor is asked for it after the upstream; trust_mfa takes the upstream\'s', async () => {
    up.mode = 'good';
    up.claims = {};
    const mia = await createUser(srv.issuer, admin);
    up.subject = 'mia-upstream';
    assert.equal((await linkFrom(await passwordSession(mia))).status, 302);
    const secret = await enrolTotp(srv.issuer, await userToken(srv.issuer, mia, ['admin-cli', 'e2e-admin-cli-secret-0123456789']));
    const { r, jar, text, req } = await signIn('fake');
    assert.equal(r.status, 200, 'the MFA step, not a code');
    assert.match(text, /name="code"/);
    const form = text.match(/<form[^>]*action="[^"]*\/oauth2\/authorize\/mfa"[^>]*>(.*?)<\/form>/s)[1];
    const v = (n) => form.match(new RegExp(`name="${n}" value="([^"]*)"`))[1].replace(/&amp;/g, '&');
    const done = await jar.fetch(`${srv.issuer}/oauth2/authorize/mfa`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: v('request'), csrf: v('csrf'), method: 'totp', code: totp(secret) }).toString(),
    });
    assert.equal(done.status, 303);
    const claims = await idToken({ r: { status: 302, headers: done.headers }, req, text: '' });
    assert.equal(claims.sub, mia.id);
    assert.ok(claims.amr.includes('fed') && claims.amr.includes('mfa') && !claims.amr.includes('pwd'), JSON.stringify(claims.amr));
    assert.equal(claims.idp, 'fake');

    // trusted: the upstream's own second factor (amr mfa) counts; an upstream without it does not
    const fake = (await api(srv.issuer, admin, 'GET', '/identity-providers')).json.items.find((p) => p.name === 'fake');
    assert.equal((await api(srv.issuer, admin, 'PATCH', `/identity-providers/${fake.id}`, { trust_mfa: true })).status, 200);
    up.claims = { amr: ['pwd', 'mfa'] };
    const trusted = await idToken(await signIn('fake'));
    assert.deepEqual(trusted.amr, ['fed', 'mfa']);
    up.claims = { amr: ['pwd'] };
    assert.equal((await signIn('fake')).r.status, 200, 'without the upstream\'s mfa the step is asked');
    await api(srv.issuer, admin, 'PATCH', `/identity-providers/${fake.id}`, { trust_mfa: false });
    up.claims = {};
  });

  test('the upstream client secret is sealed at rest', async () => {
    const files = (await readdir(srv.dir)).filter((f) => f.startsWith('p.db')); // with the WAL
    assert.ok(files.length > 0);
    for (const f of files)
      assert.equal((await readFile(`${srv.dir}/${f}`)).includes(Buffer.from(CLIENT.clientSecret)), false, f);
  });
});
