// SPDX-License-Identifier: Apache-2.0
// Truth under faults: while PostgreSQL is down, requests that need the store
// answer 503 with Retry-After, never "wrong password", invalid_grant, 401 or
// active:false, and nothing is counted against anyone; once it is back, the
// right password works at once and the tokens issued before are valid again.
// It starts its own throwaway PostgreSQL (scripts/pg-test-server.sh) so that it
// can stop and restart it without disturbing other tests. It runs where CTest
// provides PostgreSQL (PC_E2E_PG_URI is set), else it is skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createApp, createUser, get, oauthPost,
  passwordGrant, startServer, tokenRequest,
} from './lib/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = resolve(here, '../../scripts/pg-test-server.sh');
const pgAvailable = Boolean(process.env.PC_E2E_PG_URI);
const ROUNDS = 5; // requests of each kind while the store is down: more than the account limit
const ACCOUNT_LIMIT = 3;

/** Polls `probe` every 100 ms until it returns true; fails after `ms`. */
async function until(what, probe, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The throwaway cluster of `dir`: stop and start it in place (same port, same data). */
function cluster(dir) {
  const read = (f) => readFileSync(join(dir, f), 'utf8').trim();
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bindir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(`${d}/pg_ctl`));
  const asOwner = (args) => (process.getuid() === 0
    ? execFileSync('runuser', ['-u', 'postgres', '--', ...args], { cwd: '/', stdio: 'pipe' })
    : execFileSync(args[0], args.slice(1), { stdio: 'pipe' }));
  const pgCtl = (...args) => asOwner([`${bindir}/pg_ctl`, '-D', read('datadir'), '-w', '-t', '60', ...args]);
  return {
    stop: () => pgCtl('stop', '-m', 'fast'),
    start: () => pgCtl('-l', read('logfile'), 'start', '-o',
      `-c listen_addresses=127.0.0.1 -p ${read('port')} -k ${read('sockdir')} -c fsync=off -c max_connections=200`),
    sql: (statement) => execFileSync('psql', [read('uri').replace(/\/[^/]*$/, '/postgres'), '-v', 'ON_ERROR_STOP=1', '-qc', statement]),
  };
}

/** Asserts the answer of a store that cannot answer: 503, Retry-After, and `check` of the body. */
function assertUnavailable(r, what, check) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${JSON.stringify(r.json)}`);
  assert.ok(Number(r.headers.get('retry-after')) > 0, `${what}: Retry-After`);
  check(r.json);
}
const oauthUnavailable = (j) => assert.equal(j.error, 'temporarily_unavailable', JSON.stringify(j));

/** A login form for a public client: the sealed request, its CSRF token and cookie. */
async function loginForm(issuer, app) {
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: app.redirect_uris[0], scope: 'openid',
    state: 's', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });
  const r = await fetch(`${issuer}/oauth2/authorize?${q}`);
  const html = await r.text();
  const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1]
    ?? html.match(new RegExp(`value="([^"]*)"[^>]*name="${name}"`))?.[1];
  const cookie = (r.headers.getSetCookie?.() || []).map((c) => c.split(';')[0]).join('; ');
  assert.equal(r.status, 200, html);
  return { request: field('request'), csrf: field('csrf'), cookie };
}

function postLogin(issuer, form, username, password) {
  return fetch(`${issuer}/oauth2/authorize/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ request: form.request, csrf: form.csrf, username, password }).toString(),
  });
}

describe('truth under faults on PostgreSQL', { skip: !pgAvailable && 'needs PostgreSQL (PC_E2E_PG_URI)' }, () => {
  let pgDir, pg, srv, admin, user, userToken, form;
  const introspectAs = (token) => oauthPost(srv.issuer, 'introspect', { token }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]);
  const userinfo = (token) => get(`${srv.issuer}/oauth2/userinfo`, { authorization: `Bearer ${token}` });
  const clientCredentials = () => tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'client_credentials' });

  before(async () => {
    pgDir = await mkdtemp(join(tmpdir(), 'portcullis-faults-pg-'));
    const uri = execFileSync('bash', [SCRIPT, 'start', pgDir], { encoding: 'utf8' }).trim();
    pg = cluster(pgDir);
    srv = await startServer({ env: { PORTCULLIS_STORE: uri, PORTCULLIS_LIMIT_ACCOUNT: ACCOUNT_LIMIT } });
    admin = await adminToken(srv.issuer);
    user = await createUser(srv.issuer, admin);
    userToken = (await passwordGrant(srv.issuer, user.username, user.password)).json.access_token;
    const app = await createApp(srv.issuer, admin, {
      type: 'public', grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:9/cb'], first_party: true,
    });
    form = await loginForm(srv.issuer, app);
  });
  after(async () => {
    await srv?.stop();
    try { pg?.start(); } catch { /* already running */ }
    if (pgDir) execFileSync('bash', [SCRIPT, 'stop', pgDir], { stdio: 'ignore' });
    if (pgDir) await rm(pgDir, { recursive: true, force: true });
  });

  test('with the store up, the light load succeeds', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      assert.equal((await passwordGrant(srv.issuer, user.username, user.password)).status, 200);
      assert.equal((await clientCredentials()).status, 200);
      assert.equal((await api(srv.issuer, admin, 'GET', '/me')).status, 200);
      assert.equal((await introspectAs(userToken)).json.active, true);
      assert.equal((await userinfo(userToken)).status, 200);
    }
  });

  test('with PostgreSQL stopped: 503 and Retry-After, never an authentication failure', async () => {
    pg.stop();
    await until('/readyz says not ready', async () => (await get(`${srv.base}/readyz`)).status === 503, 10000);
    // A node trusts its caches for a few change-feed polls after the store's last answer
    // (docs/scaling.md): wait until that window has passed, then every answer must be 503.
    await until('cached clients are no longer trusted', async () => (await clientCredentials()).status === 503, 15000);
    for (let i = 0; i < ROUNDS; i++) {
      assertUnavailable(await passwordGrant(srv.issuer, user.username, user.password), 'password grant', oauthUnavailable);
      assertUnavailable(await clientCredentials(), 'client_credentials', oauthUnavailable);
      assertUnavailable(await api(srv.issuer, admin, 'GET', '/me'), '/api/v1/me',
        (j) => assert.equal(j.code, 'AUT-0020', JSON.stringify(j)));
      assertUnavailable(await introspectAs(userToken), 'introspection', oauthUnavailable);
      assertUnavailable(await userinfo(userToken), 'userinfo', oauthUnavailable);
    }
    // A tenant the node has not cached: the store cannot say it is unknown, so not 404.
    const other = `${srv.base}/t/not-cached-${Date.now().toString(36)}`;
    assertUnavailable(await passwordGrant(other, user.username, user.password), 'another tenant', oauthUnavailable);
    assertUnavailable(await api(other, admin, 'GET', '/me'), 'another tenant, /api/v1',
      (j) => assert.equal(j.code, 'AUT-0020', JSON.stringify(j)));
    const page = await postLogin(srv.issuer, form, user.username, user.password);
    const html = await page.text();
    assert.equal(page.status, 503, html);
    assert.ok(Number(page.headers.get('retry-after')) > 0, 'the login page has Retry-After');
    assert.match(html, /temporarily unavailable/i);
    assert.doesNotMatch(html, /wrong username or password/i);
  });

  test('with PostgreSQL back: the right password works at once and old tokens are valid', async () => {
    pg.start();
    await until('/readyz says ready', async () => (await get(`${srv.base}/readyz`)).status === 200, 30000);
    // The change feed is read again within a poll interval; until then the answer may
    // still be 503, but never a refusal: no failure was counted while the store was down.
    let r;
    await until('the password grant answers', async () => {
      r = await passwordGrant(srv.issuer, user.username, user.password);
      assert.ok(r.status === 200 || r.status === 503, `${r.status} ${JSON.stringify(r.json)}`);
      return r.status === 200;
    }, 5000);
    assert.ok(r.json.access_token);
    assert.equal((await introspectAs(userToken)).json.active, true);
    assert.equal((await userinfo(userToken)).status, 200);
    assert.equal((await api(srv.issuer, admin, 'GET', '/me')).status, 200);
    const page = await postLogin(srv.issuer, form, user.username, user.password);
    assert.ok([302, 303].includes(page.status), `login after the outage: ${page.status}`);
  });

  test('a read-only PostgreSQL makes /readyz not ready', async () => {
    pg.sql('ALTER SYSTEM SET default_transaction_read_only = on');
    pg.sql('SELECT pg_reload_conf()');
    try {
      await until('/readyz says not ready', async () => (await get(`${srv.base}/readyz`)).status === 503, 10000);
    } finally {
      pg.sql('ALTER SYSTEM RESET default_transaction_read_only');
      pg.sql('SELECT pg_reload_conf()');
    }
    await until('/readyz says ready again', async () => (await get(`${srv.base}/readyz`)).status === 200, 10000);
  });
});
