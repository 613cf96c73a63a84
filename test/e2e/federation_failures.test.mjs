// SPDX-License-Identifier: Apache-2.0
// Federation (API.md §14) when something goes wrong: each failure ends on the error page with a
// sentence a person understands, a server log line that says why (provider, reason, no secret),
// and no user and no link written. The store is changed under the running server with SQLite's
// own client (a sealed secret that does not open, a sealed request that does not, a table that
// is gone while a sign-in is linked or provisioned); the clock is moved by a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { adminToken, api, createUser, startServer } from './lib/server.mjs';
import { Jar, authorizeUrl, federationSetup, passwordSession as signedIn, postPageForm, toCallback } from './lib/federation.mjs';

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT = { clientId: 'portcullis-fail', clientSecret: 'upstream-secret-fail-1' };

describe('federation failures', () => {
  let srv; let dir; let admin; let app; let up; let gh;

  /** Runs SQL on the store of the running server (SQLite takes a second writer). */
  const sql = (q) => execFileSync('python3', ['-c',
    'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()', join(dir, 'p.db'), q]);

  /** Runs `fn` while `table` is renamed away, and puts it back however `fn` ends. */
  async function without(table, fn) {
    sql(`ALTER TABLE ${table} RENAME TO ${table}_away`);
    try { return await fn(); } finally { sql(`ALTER TABLE ${table}_away RENAME TO ${table}`); }
  }

  const provider = async (body) => {
    const r = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      kind: 'oidc', config: { issuer: up.issuer, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, ...body,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
  };

  /** A sign-in at `name` as upstream `subject`; `between` runs before the callback is visited. */
  async function signIn(name, subject, claims = {}, between = async () => {}) {
    up.mode = 'good';
    up.subject = subject;
    up.claims = claims;
    const jar = new Jar();
    const cb = await toCallback(jar, srv.issuer, name, authorizeUrl(srv.issuer, app, REDIRECT).url);
    await between();
    const r = await jar.fetch(cb);
    return { r, text: r.status === 302 ? '' : await r.text() };
  }

  const usersWith = async (q) => (await api(srv.issuer, admin, 'GET', `/users?q=${encodeURIComponent(q)}`)).json.items;
  const identitiesOf = async (id) => (await api(srv.issuer, admin, 'GET', `/users/${id}/identities`)).json.items;
  const logged = (re) => assert.match(srv.output(), re);

  before(async () => {
    ({ srv, admin, up, gh, app } = await federationSetup(CLIENT, REDIRECT));
    dir = srv.dir;
  });
  after(async () => {
    await up?.close();
    await gh?.close();
    await srv?.stop({ keepDir: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('secrets sealed under another master key: "not configured correctly" (500), logged, nobody created', async () => {
    const p = await provider({ name: 'resealed', display_name: 'Resealed SSO' });
    // what a store moved to a server with another master key holds: a sealed value that does not open
    sql(`UPDATE identity_providers SET config = json_set(config, '$.client_secret."$sealed"', 'v1.garbage') WHERE id = '${p.id}'`);
    const r = await postPageForm(new Jar(), srv.issuer, authorizeUrl(srv.issuer, app, REDIRECT).url, '/federation/resealed/start');
    assert.equal(r.status, 500);
    assert.match(await r.text(), /This sign-in option is not configured correctly\. Tell your administrator\./);
    logged(/federated sign-in failed: tenant=default provider=resealed reason="its secrets cannot be unsealed \(master key changed\?\)"/);
    assert.doesNotMatch(srv.output(), new RegExp(CLIENT.clientSecret));
  });

  test('link_by_email never links a disabled or frozen user: refused first, nothing written', async () => {
    await provider({ name: 'byemail', display_name: 'By Email', link_by_email: 'verified' });
    for (const [what, patch] of [['disabled', { status: 'disabled' }],
      ['frozen', { disabled_until: new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z') }]]) {
      const u = await createUser(srv.issuer, admin, { email: `${what}-sso@corp.test` });
      const set = await api(srv.issuer, admin, 'PATCH', `/users/${u.id}`, { email_verified: true, ...patch });
      assert.equal(set.status, 200, JSON.stringify(set.json));
      const { r, text } = await signIn('byemail', `${what}-upstream`, { email: `${what}-sso@corp.test`, email_verified: true });
      assert.equal(r.status, 403, text);
      assert.match(text, /This account is disabled\. Ask your administrator\./);
      assert.deepEqual(await identitiesOf(u.id), [], `no identity was linked to the ${what} user`);
      assert.equal((await usersWith(`${what}-sso@corp.test`)).length, 1, 'and no user was created');
      logged(/federated sign-in failed: tenant=default provider=byemail reason="account disabled or frozen"/);
    }
  });

  test('link_by_email finds the local user whatever the case of the upstream\'s email (Unicode case folding)', async () => {
    for (const [local, upstream] of [['Case.Fold@corp.test', 'CASE.FOLD@CORP.TEST'], ['straße@corp.test', 'STRASSE@CORP.TEST']]) {
      const u = await createUser(srv.issuer, admin, { email: local });
      assert.equal((await api(srv.issuer, admin, 'PATCH', `/users/${u.id}`, { email_verified: true })).status, 200);
      const { r, text } = await signIn('byemail', `fold-${u.id}`, { email: upstream, email_verified: true });
      assert.equal(r.status, 302, text);
      assert.deepEqual((await identitiesOf(u.id)).map((i) => i.provider), ['byemail'], `${upstream} is ${local}`);
    }
  });

  test('the store fails while provisioning: 503 "temporarily unavailable", logged with the step, nobody half-made', async () => {
    await provider({ name: 'jit', display_name: 'JIT SSO', default_roles: ['viewer'] });
    const { r, text } = await signIn('jit', 'store-jit', { email: 'store-jit@corp.test' },
      () => sql('ALTER TABLE principal_roles RENAME TO principal_roles_away'));
    sql('ALTER TABLE principal_roles_away RENAME TO principal_roles');
    assert.equal(r.status, 503, text);
    assert.match(text, /temporarily unavailable/);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.deepEqual(await usersWith('store-jit@corp.test'), []);
    logged(/federated sign-in failed: tenant=default provider=jit reason="the store failed while provisioning the user \(PC_ERR_STORAGE\)"/);
    // and the store back, the same person signs in
    assert.equal((await signIn('jit', 'store-jit', { email: 'store-jit@corp.test' })).r.status, 302);
  });

  test('the store fails while looking up the linked identity: 503, logged with the step', async () => {
    const { r, text } = await signIn('jit', 'store-lookup', {}, () => sql('ALTER TABLE user_identities RENAME TO user_identities_away'));
    sql('ALTER TABLE user_identities_away RENAME TO user_identities');
    assert.equal(r.status, 503, text);
    logged(/federated sign-in failed: tenant=default provider=jit reason="the store failed while looking up the linked identity \(PC_ERR_STORAGE\)"/);
  });

  /** A browser session of a new local user (password sign-in through the login form). */
  async function passwordSession() {
    const u = await createUser(srv.issuer, admin);
    return { u, jar: await signedIn(srv.issuer, authorizeUrl(srv.issuer, app, REDIRECT).url, u) };
  }

  test('a link not started from the account page is refused and logged: another site, no form token, no session', async () => {
    const { jar } = await passwordSession();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const [why, send, status, says] of [
      ['a link started by another site \\(Sec-Fetch-Site is not same-origin\\)',
        () => jar.fetch(`${srv.issuer}/federation/jit/start?link=1`, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, /started from your account page/],
      ['a link posted without this browser\'s form token \\(CSRF\\)',
        () => jar.fetch(`${srv.issuer}/federation/jit/start`, { method: 'POST', headers: form, body: 'link=1' }), 403, /started from your account page/],
      ['a link without a signed-in session',
        () => new Jar().fetch(`${srv.issuer}/federation/jit/start?link=1`), 401, /Sign in to your account first/],
      ['the start was posted without a form',
        () => jar.fetch(`${srv.issuer}/federation/jit/start`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 400,
        /not a form this server understands/],
    ]) {
      const r = await send();
      assert.equal(r.status, status, why);
      assert.match(await r.text(), says);
      logged(new RegExp(`federated sign-in failed: tenant=default provider=jit reason="${why}"`));
    }
  });

  test('the store fails while linking from the account page: 503, logged, nothing linked', async () => {
    const { u, jar } = await passwordSession();
    const linkPage = await (await jar.fetch(`${srv.issuer}/federation/jit/start?link=1`)).text();
    const csrf = linkPage.match(/name="csrf" value="([^"]+)"/)[1];
    up.mode = 'good';
    up.subject = 'store-link';
    const start = await jar.fetch(`${srv.issuer}/federation/jit/start`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ link: '1', csrf }).toString(),
    });
    assert.equal(start.status, 303);
    const cb = (await fetch(start.headers.get('location'), { redirect: 'manual' })).headers.get('location');
    const r = await without('user_identities', () => jar.fetch(cb));
    assert.equal(r.status, 503, await r.text());
    assert.deepEqual(await identitiesOf(u.id), []);
    logged(/federated sign-in failed: tenant=default provider=jit reason="the store failed while linking the identity to the signed-in user \(PC_ERR_STORAGE\)"/);
  });

  test('the sealed authorization request does not open at the callback: "took too long", logged with the state\'s age', async () => {
    const { r, text } = await signIn('jit', 'sealed-away', {}, () => sql("UPDATE federation_states SET return_to = 'v1.not-sealed-here'"));
    assert.equal(r.status, 400, text);
    assert.match(text, /The sign-in took too long\. Start again from the application\./);
    logged(/federated sign-in failed: tenant=default provider=jit reason="the sealed authorization request expired or does not open \(state started \d+ s ago\)"/);
  });

  test('oauth2: a token endpoint that answers 200 with an error is a refusal, logged with its (sanitised) code', async () => {
    const r0 = await api(srv.issuer, admin, 'POST', '/identity-providers', {
      name: 'octo', display_name: 'OctoHub', kind: 'oauth2', config: {
        authorization_endpoint: `${gh.origin}/authorize`, token_endpoint: `${gh.origin}/token`,
        userinfo_endpoint: `${gh.origin}/user`, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret,
      },
    });
    assert.equal(r0.status, 201, JSON.stringify(r0.json));
    gh.tokenError = 'bad_verification_code"><b>injected</b>';
    try {
      const jar = new Jar();
      const r = await jar.fetch(await toCallback(jar, srv.issuer, 'octo', authorizeUrl(srv.issuer, app, REDIRECT).url));
      const text = await r.text();
      assert.equal(r.status, 400, text);
      assert.match(text, /could not be verified/);
      assert.deepEqual(await usersWith(gh.user.email), []);
      logged(/federated sign-in failed: tenant=default provider=octo reason="the upstream refused: error=bad_verification_code"/);
      assert.doesNotMatch(srv.output(), /injected/);
    } finally {
      gh.tokenError = undefined;
    }
  });

  test('a provider disabled while the person was at the upstream: "not available" (404), logged', async () => {
    const p = await provider({ name: 'goneoff', display_name: 'Gone Off' });
    const { r, text } = await signIn('goneoff', 'gone-off', {},
      async () => assert.equal((await api(srv.issuer, admin, 'PATCH', `/identity-providers/${p.id}`, { enabled: false })).status, 200));
    assert.equal(r.status, 404, text);
    assert.match(text, /This sign-in option is not available\./);
    logged(/federated sign-in failed: tenant=default provider=goneoff reason="the provider is disabled, or no plugin serves it for redirects"/);
  });

  // last: it restarts the server with its clock moved on
  test('a sign-in that stayed at the upstream too long: "expired" (400), logged with the state\'s age, nobody created', async () => {
    const { r, text } = await signIn('jit', 'too-slow', { email: 'too-slow@corp.test' }, async () => {
      await srv.stop({ keepDir: true });
      srv = await startServer({ dir, port: srv.port, env: { PORTCULLIS_TEST_CLOCK_OFFSET: 700 } });
    });
    assert.equal(r.status, 400, text);
    assert.match(text, /This sign-in has expired or was already used\. Start again from the application\./);
    admin = await adminToken(srv.issuer);
    assert.deepEqual(await usersWith('too-slow@corp.test'), []);
    logged(/federated sign-in failed: tenant=default provider=jit reason="expired state \(started 7\d\d s ago; a sign-in may take 600 s\)"/);
  });
});
