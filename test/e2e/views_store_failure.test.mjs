// SPDX-License-Identifier: Apache-2.0
// A management view that reads several things answers 503 AUT-0020 when any of those reads
// fails, never a record with empty parts: one table the view reads beside the record is
// renamed away while the server runs (the record itself still loads), then put back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { adminToken, api, createApp, createUser, runCli, startServer, unique } from './lib/server.mjs';
import { storeEnv, storeName } from './lib/store.mjs';

describe(`views are whole or 503 (${storeName})`, () => {
  let srv; let admin; let store; let user; let app; let group;

  /** Runs SQL on the running server's store. */
  function sql(q) {
    if (store.PORTCULLIS_STORE) return execFileSync('psql', [store.PORTCULLIS_STORE, '-v', 'ON_ERROR_STOP=1', '-qc', q]);
    return execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()',
      join(srv.dir, 'p.db'), q]);
  }

  /** Runs `fn` while `table` is renamed away, and puts it back however `fn` ends. */
  async function without(table, fn) {
    sql(`ALTER TABLE ${table} RENAME TO ${table}_away`);
    try { await fn(); } finally { sql(`ALTER TABLE ${table}_away RENAME TO ${table}`); }
  }

  function assertUnavailable(r, what) {
    assert.equal(r.status, 503, `${what}: ${r.status} ${JSON.stringify(r.json)}`);
    assert.equal(r.json.code, 'AUT-0020', what);
    for (const k of ['code', 'title', 'message']) assert.ok(k in r.json, `${what}: the error body has ${k}`);
    assert.ok(Number(r.headers.get('retry-after')) > 0, `${what}: Retry-After`);
  }

  before(async () => {
    store = storeEnv();
    srv = await startServer({ env: store });
    admin = await adminToken(srv.issuer);
    const role = unique('role');
    assert.equal((await api(srv.issuer, admin, 'POST', '/roles', { name: role, permissions: ['users:read'] })).status, 201);
    group = (await api(srv.issuer, admin, 'POST', '/groups', { name: unique('group'), roles: [role] })).json;
    user = await createUser(srv.issuer, admin, { roles: [role], groups: [group.name] });
    app = await createApp(srv.issuer, admin, { roles: [role] });
  });
  after(async () => { await srv?.stop(); });

  /** Without `table`, the record and the list are 503; with it back, the record is whole. */
  async function wholeOr503(table, resource, id, whole) {
    await without(table, async () => {
      assertUnavailable(await api(srv.issuer, admin, 'GET', `/${resource}/${id}`), `GET /${resource}/{id} without ${table}`);
      assertUnavailable(await api(srv.issuer, admin, 'GET', `/${resource}?limit=200`), `GET /${resource} without ${table}`);
    });
    const r = await api(srv.issuer, admin, 'GET', `/${resource}/${id}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    whole(r.json);
  }

  test('a user whose identities or second factors cannot be read is 503, alone and in the list', async () => {
    for (const table of ['user_identities', 'mfa_factors']) {
      await wholeOr503(table, 'users', user.id,
        (u) => assert.deepEqual([u.groups, u.roles.length, u.identities], [[group.name], 1, []]));
    }
  });

  test('an application whose delivery providers cannot be read is 503', async () => {
    await wholeOr503('app_providers', 'applications', app.id, (a) => assert.equal(a.roles.length, 1));
  });

  test('creating an application whose view cannot be read stores nothing, so its one-time secret is never lost', async () => {
    const body = { name: unique('app'), type: 'confidential', grant_types: ['client_credentials'] };
    await without('app_providers', async () => {
      assertUnavailable(await api(srv.issuer, admin, 'POST', '/applications', body), 'POST /applications without app_providers');
    });
    const list = await api(srv.issuer, admin, 'GET', '/applications?limit=200');
    assert.ok(!list.json.items.some((a) => a.name === body.name), 'a 503 create left no application behind');
    const again = await api(srv.issuer, admin, 'POST', '/applications', body);
    assert.equal(again.status, 201, `the retry creates it: ${JSON.stringify(again.json)}`);
    assert.equal(typeof again.json.client_secret, 'string', 'and shows its secret');
    assert.deepEqual(again.json.providers, []);
  });

  test('a group whose roles cannot be read is 503', async () => {
    await wholeOr503('group_roles', 'groups', group.id, (g) => assert.equal(g.roles.length, 1));
  });

  test('a tenant export that cannot read group memberships fails rather than write a short file', async () => {
    const exportTenant = () => runCli(['admin', 'tenant', 'export'], { dir: srv.dir, env: { ...store, PORTCULLIS_LOG_LEVEL: 'error' } });
    await without('group_members', async () => {
      const r = await exportTenant();
      assert.notEqual(r.code, 0, `export without group_members: ${r.stdout}`);
      assert.doesNotMatch(r.stdout, /"format"/, 'no document is written');
      assert.match(r.stderr, /cannot read tenant/);
    });
    const r = await exportTenant();
    assert.equal(r.code, 0, r.stderr);
    const exported = JSON.parse(r.stdout).users.find((u) => u.username === user.username);
    assert.deepEqual(exported.groups, [group.name]);
  });
});
