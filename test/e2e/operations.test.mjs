// SPDX-License-Identifier: Apache-2.0
// Operations: health, metrics, bootstrap, signals, the CLI, key rotation, throttling, configuration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, api, createApp, createUser, get, getToken, jwtHeader,
  introspect, jwtPayload, passwordGrant, runCli, startServer, tempDir, tokenRequest,
} from './lib/server.mjs';

const BOOTSTRAP_BANNER = /first start/i;

/** The value of one Prometheus sample, or undefined. */
function sample(text, name, labels) {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('health and metrics', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  test('/healthz and /readyz answer 200', async () => {
    assert.equal((await get(`${srv.base}/healthz`)).status, 200);
    assert.equal((await get(`${srv.base}/readyz`)).status, 200);
  });

  test('/metrics is Prometheus text with request and token counters', async () => {
    await getToken(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'client_credentials' });
    await getToken(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'client_credentials' });
    const r = await fetch(`${srv.base}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/plain/);
    const text = await r.text();
    assert.match(text, /^# TYPE portcullis_http_requests_total counter$/m);
    const tokens = sample(text, 'portcullis_http_requests_total', { route: 'token', status: '200' });
    assert.ok(tokens >= 2, `portcullis_http_requests_total{route="token",status="200"} = ${tokens}`);
    assert.ok(sample(text, 'portcullis_http_requests_total', { route: 'readyz', status: '200' }) >= 1);
    const issued = sample(text, 'portcullis_tokens_issued_total', { grant: 'client_credentials' });
    assert.ok(issued >= 2, `portcullis_tokens_issued_total{grant="client_credentials"} = ${issued}`);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfNa]+$/, `a valid sample line: ${line}`);
    }
  });

  test('a failed request is counted under its status', async () => {
    await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'no-such-grant' });
    const text = await (await fetch(`${srv.base}/metrics`)).text();
    assert.ok(sample(text, 'portcullis_http_requests_total', { route: 'token', status: '400' }) >= 1);
  });
});

describe('bootstrap and restart', () => {
  let dir;
  let srv;
  before(async () => { dir = await tempDir(); });
  after(async () => { await srv?.stop(); await rm(dir, { recursive: true, force: true }); });

  test('first start prints generated admin credentials once, and they work; a restart changes nothing', async () => {
    srv = await startServer({ dir, env: { PORTCULLIS_ADMIN_PASSWORD: undefined, PORTCULLIS_ADMIN_CLIENT_SECRET: undefined } });
    const out = srv.output();
    assert.equal(out.match(new RegExp(BOOTSTRAP_BANNER, 'gi'))?.length, 1, `one bootstrap block in:\n${out}`);
    const pw = out.match(/admin user:\s+admin \/ (\S+)/)?.[1];
    const secret = out.match(/admin client:\s+admin-cli \/ (\S+)/)?.[1];
    assert.ok(pw && !pw.startsWith('('), `a generated password in:\n${out}`);
    assert.ok(secret && !secret.startsWith('('), `a generated secret in:\n${out}`);
    assert.notEqual(pw, ADMIN_PASSWORD);
    assert.notEqual(secret, ADMIN_CLIENT_SECRET);

    const cc = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, secret, { grant_type: 'client_credentials' });
    assert.equal(cc.status, 200, JSON.stringify(cc.json));
    const login = await passwordGrant(srv.issuer, 'admin', pw, 'openid', [ADMIN_CLIENT_ID, secret]);
    assert.equal(login.status, 200, JSON.stringify(login.json));

    assert.equal(await srv.stop({ keepDir: true }), 0, 'SIGTERM exits 0');
    // Restart on the same data, this time with other admin values in the environment.
    srv = await startServer({ dir, env: { PORTCULLIS_ADMIN_PASSWORD: 'Something-Else-1', PORTCULLIS_ADMIN_CLIENT_SECRET: 'something-else-secret' } });
    const out2 = srv.output();
    assert.doesNotMatch(out2, BOOTSTRAP_BANNER);
    assert.ok(!out2.includes(secret) && !out2.includes(pw), 'no credential is printed again');
    assert.equal((await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, secret, { grant_type: 'client_credentials' })).status, 200);
    assert.equal((await passwordGrant(srv.issuer, 'admin', pw, 'openid', [ADMIN_CLIENT_ID, secret])).status, 200);
    const changed = await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, 'something-else-secret', { grant_type: 'client_credentials' });
    assert.equal(changed.status, 401, 'a second start does not change the secret');
    assert.equal(await srv.stop({ keepDir: true }), 0);
    srv = undefined;
  });

  test('data created before a restart is still there after it', async () => {
    srv = await startServer({ dir: await tempDir() });
    const u = await createUser(srv.issuer, await adminToken(srv.issuer));
    const d = srv.dir;
    assert.equal(await srv.stop({ keepDir: true }), 0);
    srv = await startServer({ dir: d });
    try {
      const again = await passwordGrant(srv.issuer, u.username, u.password);
      assert.equal(again.status, 200, JSON.stringify(again.json));
      assert.equal(jwtPayload(again.json.access_token).sub, u.id);
    } finally {
      await srv.stop({ keepDir: false });
      srv = undefined;
    }
  });
});

describe('command line', () => {
  let dir;
  before(async () => { dir = await tempDir(); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('portcullis migrate twice: both exit 0, the second has nothing to do', async () => {
    const first = await runCli(['migrate'], { dir });
    assert.equal(first.code, 0, first.stderr);
    assert.doesNotMatch(first.stdout, /nothing to do/i);
    const second = await runCli(['migrate'], { dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout + second.stderr, /nothing to do/i);
  });

  test('portcullis plugins lists the storage and grant plugins with their kinds', async () => {
    const r = await runCli(['plugins'], { dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    const has = (kind, name) => rows.some((row) => row[0] === kind && row[1] === name);
    for (const name of ['sqlite', 'postgresql']) assert.ok(has('storage', name), `storage ${name} in:\n${r.stdout}`);
    for (const name of ['client_credentials', 'password', 'refresh_token']) assert.ok(has('grant', name), `grant ${name} in:\n${r.stdout}`);
  });

  test('portcullis version exits 0 and prints a version', async () => {
    const r = await runCli(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /portcullis\s+\d+\.\d+\.\d+/);
  });

  test('an unknown command exits non-zero', async () => {
    const r = await runCli(['no-such-command']);
    assert.notEqual(r.code, 0);
  });

  test('a store from a newer schema is refused, by migrate and by serve, and left as it was', async () => {
    const own = await tempDir();
    try {
      assert.equal((await runCli(['migrate'], { dir: own })).code, 0);
      // As if a newer Portcullis had migrated this store.
      const db = join(own, 'p.db');
      const sql = (q) => execFileSync('python3', ['-c',
        `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print(r)`, db, q]).toString();
      sql('UPDATE schema_version SET version = 99');
      const m = await runCli(['migrate'], { dir: own });
      assert.notEqual(m.code, 0);
      assert.match(m.stdout + m.stderr, /schema version 99, newer than this build supports/);
      const srv = await startServer({ dir: own, wait: false });
      const code = await srv.exited;
      assert.notEqual(code, 0);
      assert.match(srv.output(), /newer than this build supports/);
      assert.match(sql('SELECT version FROM schema_version'), /\(99,\)/, 'the store is not touched');
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});

describe('signing key rotation', () => {
  let dir;
  let srv;
  before(async () => { dir = await tempDir(); });
  after(async () => { await srv?.stop(); await rm(dir, { recursive: true, force: true }); });

  test('keys rotate on a stopped server: more keys, old tokens still verify, new tokens use a new kid', async () => {
    srv = await startServer({ dir });
    const oldToken = (await getToken(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)).access_token;
    const oldLogin = await passwordGrant(srv.issuer, 'admin', ADMIN_PASSWORD, 'openid');
    assert.equal(oldLogin.status, 200);
    const before_ = (await get(`${srv.issuer}/oauth2/jwks`)).json.keys;
    const { port } = srv;
    assert.equal(await srv.stop({ keepDir: true }), 0);
    srv = undefined;

    const rot = await runCli(['keys', 'rotate', '--tenant', 'default', '--delay', '0'], { dir });
    assert.equal(rot.code, 0, rot.stdout + rot.stderr);

    srv = await startServer({ dir, port }); // the same port: the same issuer
    const after_ = (await get(`${srv.issuer}/oauth2/jwks`)).json.keys;
    assert.ok(after_.length > before_.length, `${after_.length} keys after, ${before_.length} before`);
    const jwks = createLocalJWKSet({ keys: after_ });
    // Tokens minted before are still verifiable: the old keys are still published.
    const old = await jwtVerify(oldToken, jwks, { issuer: srv.issuer });
    assert.equal(old.payload.client_id, ADMIN_CLIENT_ID);
    await jwtVerify(oldLogin.json.id_token, jwks, { issuer: srv.issuer, audience: ADMIN_CLIENT_ID });
    // New tokens are signed with a new key.
    const newToken = (await getToken(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET)).access_token;
    const newKid = jwtHeader(newToken).kid;
    assert.notEqual(newKid, jwtHeader(oldToken).kid);
    assert.ok(!before_.some((k) => k.kid === newKid), 'the new kid was not published before the rotation');
    await jwtVerify(newToken, jwks, { issuer: srv.issuer, audience: srv.issuer });
    const newLogin = await passwordGrant(srv.issuer, 'admin', ADMIN_PASSWORD, 'openid');
    assert.notEqual(jwtHeader(newLogin.json.id_token).kid, jwtHeader(oldLogin.json.id_token).kid);
    await jwtVerify(newLogin.json.id_token, jwks, { issuer: srv.issuer, audience: ADMIN_CLIENT_ID });
    // And the server itself still accepts the old token.
    assert.equal((await introspect(srv.issuer, oldToken)).active, true);
    assert.equal((await api(srv.issuer, oldToken, 'GET', '/me')).status, 200);
  });

  test('keys rotate for an unknown tenant fails', async () => {
    const r = await runCli(['keys', 'rotate', '--tenant', 'no-such-tenant', '--delay', '0'], { dir });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /no-such-tenant/);
  });
});

describe('throttling', () => {
  let srv;
  let admin;
  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_LIMIT_ACCOUNT: '3' } });
    admin = await adminToken(srv.issuer);
  });
  after(async () => { await srv?.stop(); });

  test('after 3 wrong passwords the account is locked: 429 with Retry-After, even for the right password', async () => {
    const u = await createUser(srv.issuer, admin);
    for (let i = 0; i < 3; i += 1) {
      const r = await passwordGrant(srv.issuer, u.username, `wrong-${i}`);
      assert.equal(r.status, 400, `attempt ${i + 1}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error, 'invalid_grant');
    }
    const locked = await passwordGrant(srv.issuer, u.username, 'wrong-again');
    assert.equal(locked.status, 429, JSON.stringify(locked.json));
    assert.equal(locked.json.error, 'temporarily_unavailable');
    assert.match(locked.headers.get('retry-after') || '', /^\d+$/);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    const right = await passwordGrant(srv.issuer, u.username, u.password);
    assert.equal(right.status, 429, 'the right password is refused while locked');
    assert.equal(right.json.error, 'temporarily_unavailable');
    assert.equal(right.json.access_token, undefined);
    assert.match(right.headers.get('retry-after') || '', /^\d+$/);
  });

  test('the lock is per account: another user still signs in', async () => {
    const v = await createUser(srv.issuer, admin);
    const r = await passwordGrant(srv.issuer, v.username, v.password);
    assert.equal(r.status, 200, JSON.stringify(r.json));
  });

  test('failed client authentications are throttled likewise', async () => {
    const app = await createApp(srv.issuer, admin);
    for (let i = 0; i < 3; i += 1) {
      const r = await tokenRequest(srv.issuer, app.client_id, `wrong-${i}`, { grant_type: 'client_credentials' });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
      assert.equal(r.json.error, 'invalid_client');
    }
    const locked = await tokenRequest(srv.issuer, app.client_id, 'wrong-again', { grant_type: 'client_credentials' });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error, 'temporarily_unavailable');
    assert.match(locked.headers.get('retry-after') || '', /^\d+$/);
    // Client ids are public: a stranger's failures must not lock out the holder of the secret.
    const right = await tokenRequest(srv.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
    assert.equal(right.status, 200, 'the right secret still works while guesses are refused');
    assert.ok(right.json.access_token);
    // Other clients are not affected.
    assert.equal((await tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, { grant_type: 'client_credentials' })).status, 200);
  });
});

describe('configuration', () => {
  let dir;
  const servers = [];
  before(async () => { dir = await tempDir(); });
  after(async () => {
    for (const s of servers) await s.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a config file is honoured (access_ttl = 120)', async () => {
    const file = join(dir, 'portcullis.cfg');
    await writeFile(file, '# test configuration\naccess_ttl = 120;\n');
    const srv = await startServer({ env: { PORTCULLIS_CONFIG: file } });
    servers.push(srv);
    const t = await getToken(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
    assert.equal(t.expires_in, 120);
    const p = jwtPayload(t.access_token);
    assert.equal(p.exp - p.iat, 120);
  });

  test('the environment wins over the config file', async () => {
    const file = join(dir, 'portcullis-env.cfg');
    await writeFile(file, 'access_ttl = 120;\n');
    const srv = await startServer({ env: { PORTCULLIS_CONFIG: file, PORTCULLIS_ACCESS_TTL: '300' } });
    servers.push(srv);
    const t = await getToken(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET);
    assert.equal(t.expires_in, 300);
  });

  test('an unknown key in the config file stops the server with a message naming it', async () => {
    const file = join(dir, 'bad.cfg');
    await writeFile(file, 'access_ttl = 120;\nacces_tll = 5;\n');
    const srv = await startServer({ env: { PORTCULLIS_CONFIG: file }, wait: false });
    servers.push(srv);
    const code = await Promise.race([srv.exited, new Promise((r) => setTimeout(() => r('still running'), 15000))]);
    assert.notEqual(code, 'still running', 'the server must not start');
    assert.notEqual(code, 0);
    assert.match(srv.output(), /acces_tll/);
  });

  test('a config file that does not parse stops the server', async () => {
    const file = join(dir, 'syntax.cfg');
    await writeFile(file, 'access_ttl = = ;\n');
    const srv = await startServer({ env: { PORTCULLIS_CONFIG: file }, wait: false });
    servers.push(srv);
    const code = await Promise.race([srv.exited, new Promise((r) => setTimeout(() => r('still running'), 15000))]);
    assert.notEqual(code, 'still running');
    assert.notEqual(code, 0);
    assert.match(srv.output(), /syntax\.cfg/);
  });
});
