// SPDX-License-Identifier: Apache-2.0
// Large tenants (docs/scaling.md): user lists page by cursor without losing or repeating anyone
// while users are being created, on either store; on PostgreSQL the list, a status filter and
// a substring search are planned on the indexes of schema 15 (EXPLAIN), not by reading the table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { adminToken, api, createUser, startServer } from './lib/server.mjs';
import { storeEnv, storeName } from './lib/store.mjs';

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
      ['a status filter', tenant, " AND status = 'disabled'", /users_tenant_status/],
      ['a search', other, ` AND (${['username', 'email', 'name', 'given_name', 'family_name']
        .map((c) => `coalesce(${c}, '')`).join(' || chr(31) || ')}) ILIKE '%zq7x%' ESCAPE '\\'`, /users_search\b/],
    ];
    for (const [what, t, where, index] of cases) {
      const p = plan(t, where);
      assert.match(p, index, `${what} uses its index:\n${p}`);
      assert.doesNotMatch(p, /Seq Scan on users/, `${what} does not read the table:\n${p}`);
    }
  });
});
