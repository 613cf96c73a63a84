// SPDX-License-Identifier: Apache-2.0
// Large tenants (docs/scaling.md): user lists page by cursor without losing or repeating anyone
// while users are being created, on either store; on both stores the list, a status filter and
// a substring search are planned on the indexes of schemas 15 and 16 (EXPLAIN), not by reading
// the table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, startServer, unique } from './lib/server.mjs';
import { enrolTotp, userToken } from './lib/mfa.mjs';
import { storeEnv, storeName } from './lib/store.mjs';

// ?status=disabled as sql_entities.c writes it: the predicate of users_tenant_inactive first.
const disabledAt = "(status <> 'active' OR disabled_until IS NOT NULL) AND (status <> 'active' OR disabled_until > 1700000000)";

describe(`user lists of a large tenant (${storeName})`, () => {
  let srv, admin, storeUri;

  before(async () => {
    const env = storeEnv();
    storeUri = env.PORTCULLIS_STORE;
    srv = await startServer({ env });
    admin = await adminToken(srv.issuer);
  });
  after(async () => { await srv?.stop(); });

  test('cursor pages stay exact while users are created', async () => {
    const existing = [];
    for (let i = 0; i < 30; i += 1) existing.push((await createUser(srv.issuer, admin, { password: undefined })).id);
    // Between every two pages a user is created (and one more in flight while a page is
    // read): one at a time, so that the listing, 7 a page, always reaches the end.
    const created = [];
    const seen = [];
    let cursor = null;
    do {
      const inFlight = createUser(srv.issuer, admin, { password: undefined });
      const page = await api(srv.issuer, admin, 'GET', `/users?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, JSON.stringify(page.json));
      seen.push(...page.json.items.map((u) => u.id));
      cursor = page.json.next_cursor;
      created.push((await inFlight).id);
    } while (cursor);
    assert.ok(created.length > 0, 'users were created while paging');
    assert.equal(new Set(seen).size, seen.length, 'nobody listed twice');
    for (const id of existing) assert.ok(seen.includes(id), `${id}, there before the listing, is listed`);
    assert.deepEqual([...seen].sort(), seen, 'in id (creation) order');
  });

  // The list reads roles, groups, second factors and identities for the whole page at once
  // (core/api/users_page.c); each item must be what GET /users/{id} shows of that user.
  test('a page shows each user as GET /users/{id} does', async () => {
    const tag = unique('pg');
    const role = `${tag}-ringer`;
    const group = `${tag}-estuary`;
    assert.equal((await api(srv.issuer, admin, 'POST', '/roles', { name: role, permissions: ['users:read'] })).status, 201);
    assert.equal((await api(srv.issuer, admin, 'POST', '/groups', { name: group })).status, 201);
    const a = await createUser(srv.issuer, admin, { username: `${tag}-a`, roles: [role], groups: [group] });
    await createUser(srv.issuer, admin, { username: `${tag}-b` });
    const c = await createUser(srv.issuer, admin, { username: `${tag}-c`, groups: [group] });
    await enrolTotp(srv.issuer, await userToken(srv.issuer, c, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]));
    const page = await api(srv.issuer, admin, 'GET', `/users?q=${tag}&limit=200`);
    assert.equal(page.status, 200, JSON.stringify(page.json));
    assert.deepEqual(page.json.items.map((u) => u.username), [`${tag}-a`, `${tag}-b`, `${tag}-c`]);
    for (const item of page.json.items) {
      const one = await api(srv.issuer, admin, 'GET', `/users/${item.id}`);
      assert.deepEqual(item, one.json, `${item.username} in the list and alone`);
    }
    const [pa, pb, pc] = page.json.items;
    assert.deepEqual([pa.roles, pa.groups, pa.mfa_enabled], [[role], [group], false]);
    assert.deepEqual([pb.roles, pb.groups, pb.mfa_enabled], [[], [], false]);
    assert.deepEqual([pc.roles, pc.groups, pc.mfa_enabled], [[], [group], true]);
    assert.equal(pa.id, a.id);
  });

  test('list, status filter and search are planned on indexes', { skip: storeName !== 'postgresql' && 'PostgreSQL only' }, () => {
    const psql = (sql) => execFileSync('psql', [storeUri, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql]).toString();
    const tenant = psql("SELECT id FROM tenants WHERE slug = 'default'").trim();
    // A tenant of 2,000 (a few disabled) beside a bigger one, so that the planner weighs real
    // costs: reading users in id order and skipping other tenants' would also avoid a sort.
    const other = '0190aaaa-0000-7000-8000-000000000000';
    psql(`INSERT INTO tenants (id, slug, name, settings, created_at) VALUES ('${other}', 'bulk-other', 'Other', '{}', 0);
      INSERT INTO users (id, tenant_id, username, email, name, created_at, updated_at, status)
      SELECT '0190' || lpad(to_hex(g), 28, '0'), CASE WHEN g % 50 = 0 THEN '${tenant}' ELSE '${other}' END,
             'bulk' || g, 'bulk' || g || '@example.test', 'Person ' || g, 0, 0,
             CASE WHEN g % 5000 = 0 THEN 'disabled' ELSE 'active' END
      FROM generate_series(1, 100000) g; ANALYZE users;`);
    // The statements of plugins/storage/sql/sql_crud.c (sql_store_list) for GET /users.
    const plan = (t, where) => psql(`EXPLAIN SELECT * FROM users WHERE tenant_id = '${t}'`
      + ` AND deleted_at IS NULL${where} ORDER BY id ASC LIMIT 51`);
    // The small tenant's list and filter; a search in the big one (in a small one, reading
    // its few users is what the planner rightly prefers).
    const cases = [
      ['the list', tenant, '', /users_tenant_id/],
      ['a status filter', tenant, ` AND ${disabledAt}`, /users_tenant_inactive/],
      ['a search', other, ` AND (${['username', 'email', 'name', 'given_name', 'family_name']
        .map((c) => `coalesce(${c}, '')`).join(' || chr(31) || ')}) ILIKE '%zq7x%' ESCAPE '\\'`, /users_search\b/],
    ];
    for (const [what, t, where, index] of cases) {
      const p = plan(t, where);
      assert.match(p, index, `${what} uses its index:\n${p}`);
      assert.doesNotMatch(p, /Seq Scan on users/, `${what} does not read the table:\n${p}`);
    }
  });

  test('list, status filter and search are planned on indexes (SQLite)', { skip: storeName !== 'sqlite' && 'SQLite only' }, async () => {
    const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 20000', `${srv.dir}/p.db`, q]).toString();
    const tenant = sql("SELECT id FROM tenants WHERE slug = 'default'").trim();
    const other = '0190aaaa-0000-7000-8000-000000000000';
    // 100,000 users beside the default tenant's 5,000, one of whom, far past the first
    // 2,000 a search reads in order, is the only "Zq7x" (written here, so the triggers index it).
    sql(`INSERT INTO tenants (id, slug, name, settings, created_at) VALUES ('${other}', 'bulk-other', 'Other', '{}', 0);
      WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 105000)
      INSERT INTO users (id, tenant_id, username, username_fold, email, email_fold, name, created_at, updated_at, status)
      SELECT printf('0190%028x', n), CASE WHEN n > 100000 THEN '${tenant}' ELSE '${other}' END,
             'bulk' || n, 'bulk' || n, 'bulk' || n || '@example.test', 'bulk' || n || '@example.test',
             CASE WHEN n = 104321 THEN 'Zq7x Rare' ELSE 'Person ' || n END, 1700000000, 1700000000,
             CASE WHEN n % 500 = 0 THEN 'disabled' ELSE 'active' END
      FROM g; ANALYZE;`);
    const found = await api(srv.issuer, admin, 'GET', '/users?q=ZQ7X&limit=10');
    assert.equal(found.status, 200, JSON.stringify(found.json));
    assert.deepEqual(found.json.items.map((u) => u.username), ['bulk104321']);
    // The statements of plugins/storage/sql/sql_crud.c (sql_store_list) for GET /users; a
    // search of 3 or more characters that a page's first 2,000 users do not fill.
    const like = ['username_fold', 'email_fold', 'name', 'given_name', 'family_name']
      .map((c) => `${c} LIKE '%zq7x%' ESCAPE '\\'`).join(' OR ');
    const cases = [
      ['the list', 'users', '', /SEARCH users USING INDEX users_tenant_id/],
      ['a status filter', 'users', ` AND ${disabledAt}`, /SEARCH users USING INDEX users_tenant_inactive/],
      ['a search', 'users NOT INDEXED', ` AND rowid IN (SELECT rowid FROM users_trigrams WHERE users_trigrams MATCH '("zq7" AND "q7x")') AND (${like})`,
        /SEARCH users USING INTEGER PRIMARY KEY[\s\S]*SCAN users_trigrams VIRTUAL TABLE/],
    ];
    for (const [what, from, where, index] of cases) {
      const p = sql(`EXPLAIN QUERY PLAN SELECT * FROM ${from} WHERE tenant_id = '${tenant}'`
        + ` AND deleted_at IS NULL${where} ORDER BY id ASC LIMIT 11`);
      assert.match(p, index, `${what} uses its index:\n${p}`);
      assert.doesNotMatch(p, /SCAN users(?!_)/, `${what} does not read the table:\n${p}`);
    }
  });
});
