// SPDX-License-Identifier: Apache-2.0
// Policies (API.md §15): CRUD checked at write time, audit, escalation refused, and one decision
// path for POST /api/v1/authorize with deny-overrides, resource ids and properties, and context.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createUser, passwordGrant, startServer, unique } from './lib/server.mjs';

let srv; let issuer; let admin;

before(async () => {
  srv = await startServer();
  issuer = srv.issuer;
  admin = await adminToken(issuer);
});
after(async () => { await srv?.stop(); });

async function role(perms) {
  const name = unique('role');
  const r = await api(issuer, admin, 'POST', '/roles', { name, permissions: perms });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return name;
}

async function userWith(perms) {
  const u = await createUser(issuer, admin, { roles: [await role(perms)] });
  const tok = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
  return { ...u, token: tok };
}

const policy = (fields = {}) => ({
  name: unique('pol'), effect: 'allow', actions: ['doc:update'], ...fields,
});

describe('policies CRUD', () => {
  test('create, read, list, change and delete, each audited', async () => {
    const editor = await role(['doc:read']);
    const created = await api(issuer, admin, 'POST', '/policies', policy({
      actions: ['doc:update', 'doc:delete'], principals: { roles: [editor] },
      condition: { eq: ['resource.properties.ownerID', 'subject.id'] },
    }));
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const p = created.json;
    assert.deepEqual(p.principals, { roles: [editor], groups: [], users: [] });
    assert.deepEqual(p.condition, { eq: ['resource.properties.ownerID', 'subject.id'] });
    assert.match(p.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual((await api(issuer, admin, 'GET', `/policies/${p.id}`)).json, p);
    const list = await api(issuer, admin, 'GET', '/policies?limit=200');
    assert.ok(list.json.items.some((x) => x.id === p.id));
    const patched = await api(issuer, admin, 'PATCH', `/policies/${p.id}`, { effect: 'deny' });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.equal(patched.json.effect, 'deny');
    assert.deepEqual(patched.json.actions, ['doc:update', 'doc:delete']);
    assert.equal((await api(issuer, admin, 'DELETE', `/policies/${p.id}`)).status, 204);
    assert.equal((await api(issuer, admin, 'GET', `/policies/${p.id}`)).status, 404);
    const audit = (await api(issuer, admin, 'GET', '/audit?limit=200')).json.items
      .filter((e) => e.subject === p.id).map((e) => e.type);
    assert.deepEqual(audit.sort(), ['policy.created', 'policy.deleted', 'policy.updated']);
  });

  test('a duplicate name is 409', async () => {
    const body = policy();
    assert.equal((await api(issuer, admin, 'POST', '/policies', body)).status, 201);
    assert.equal((await api(issuer, admin, 'POST', '/policies', body)).json.code, 'AUT-0011');
  });

  const bad = [
    [{ condition: { equals: ['subject.id', 'x'] } }, 'condition', /unknown operator/],
    [{ condition: { eq: ['subject.password_hash', 'x'] } }, 'condition', /path/],
    [{ condition: { lt: ['subject.id', 5] } }, 'condition', /numbers or RFC 3339 times/],
    [{ condition: { ip_in: ['context.ip', '10.0.0.0/33'] } }, 'condition', /CIDR/],
    [{ condition: { in: ['resource.id', 'literal'] } }, 'condition', /list/],
    [{ effect: 'maybe' }, 'effect', /allow or deny/],
    [{ actions: [] }, 'actions', /at least one/],
    [{ actions: ['doc'] }, 'actions[0]', /resource:action/],
    [{ principals: { roles: ['no-such-role'] } }, 'principals.roles[0]', /unknown/],
  ];
  for (const [fields, field, reason] of bad) {
    test(`refused at write time: ${JSON.stringify(fields)}`, async () => {
      const r = await api(issuer, admin, 'POST', '/policies', policy(fields));
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.code, 'AUT-0009');
      assert.match(r.json.fields[field], reason);
    });
  }

  test('a PATCH with a bad condition changes nothing', async () => {
    const p = (await api(issuer, admin, 'POST', '/policies', policy())).json;
    const r = await api(issuer, admin, 'PATCH', `/policies/${p.id}`, { condition: { nope: [] } });
    assert.equal(r.status, 400);
    assert.equal(r.json.fields.condition, 'unknown operator "nope"');
    assert.equal((await api(issuer, admin, 'GET', `/policies/${p.id}`)).json.condition, null);
  });

  test('without policies:create, 403', async () => {
    const u = await userWith(['policies:read', 'doc:update']);
    const r = await api(issuer, u.token, 'POST', '/policies', policy());
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'AUT-0008');
    assert.equal((await api(issuer, u.token, 'GET', '/policies')).status, 200);
  });

  test('a policy over an action the caller does not hold is escalation: 403', async () => {
    const u = await userWith(['policies:create', 'policies:update', 'policies:delete', 'doc:read']);
    const r = await api(issuer, u.token, 'POST', '/policies', policy({ actions: ['doc:update'] }));
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.equal(r.json.code, 'AUT-0008');
    const wide = await api(issuer, u.token, 'POST', '/policies', policy({ actions: ['*:*'] }));
    assert.equal(wide.status, 403);
    // What it holds, it may write; it may not widen that policy, nor touch one beyond it.
    const own = await api(issuer, u.token, 'POST', '/policies', policy({ actions: ['doc:read'] }));
    assert.equal(own.status, 201, JSON.stringify(own.json));
    assert.equal((await api(issuer, u.token, 'PATCH', `/policies/${own.json.id}`, { actions: ['users:delete'] })).status, 403);
    const strong = (await api(issuer, admin, 'POST', '/policies', policy({ actions: ['users:delete'] }))).json;
    assert.equal((await api(issuer, u.token, 'DELETE', `/policies/${strong.id}`)).status, 403);
    assert.equal((await api(issuer, admin, 'GET', `/policies/${strong.id}`)).status, 200);
  });
});

describe('POST /api/v1/authorize with policies', () => {
  test('ownership: an allow policy with a condition over resource properties', async () => {
    const editor = await role(['note:read']);
    await api(issuer, admin, 'POST', '/policies', policy({
      actions: ['note:update'], principals: { roles: [editor] },
      condition: { eq: ['resource.properties.ownerID', 'subject.id'] },
    }));
    const morty = await createUser(issuer, admin, { roles: [editor] });
    const ask = (props) => api(issuer, admin, 'POST', '/authorize', {
      resource: 'note', action: 'update', sub: morty.username, resource_id: 'n1', resource_properties: props,
    });
    assert.equal((await ask({ ownerID: morty.username })).json.authorized, true);
    assert.equal((await ask({ ownerID: 'someone-else' })).json.authorized, false);
    assert.equal((await ask(undefined)).json.authorized, false);
  });

  test('deny-overrides: a deny wins over a role, in a time window and an address range', async () => {
    const ops = await role(['ledger:post']);
    const u = await userWith(['ledger:post']);
    const check = (context) => api(issuer, u.token, 'POST', '/authorize', { resource: 'ledger', action: 'post', context });
    assert.equal((await check({ ip: '10.1.2.3' })).json.authorized, true);
    const deny = await api(issuer, admin, 'POST', '/policies', policy({
      effect: 'deny', actions: ['ledger:*'],
      condition: { any: [{ not: { ip_in: ['context.ip', ['10.0.0.0/8', '2001:db8::/32']] } },
        { gt: ['now', '2020-01-01T00:00:00Z'] }] },
    }));
    assert.equal(deny.status, 201, JSON.stringify(deny.json));
    assert.equal((await check({ ip: '10.1.2.3' })).json.authorized, false); // after 2020
    const narrowed = await api(issuer, admin, 'PATCH', `/policies/${deny.json.id}`, {
      condition: { not: { ip_in: ['context.ip', ['10.0.0.0/8', '2001:db8::/32']] } },
    });
    assert.equal(narrowed.status, 200);
    assert.equal((await check({ ip: '10.1.2.3' })).json.authorized, true);
    assert.equal((await check({ ip: '2001:db8::1' })).json.authorized, true);
    assert.equal((await check({ ip: '192.0.2.1' })).json.authorized, false);
    // No address given: ip_in over a missing value is false, so "not in the ranges" holds: denied.
    assert.equal((await check(undefined)).json.authorized, false);
    void ops;
  });

  test('an allow policy for everyone gives what no role grants; deleting it takes it back', async () => {
    const u = await userWith(['x:y']);
    const check = async () => (await api(issuer, u.token, 'POST', '/authorize', { resource: 'kiosk', action: 'open' })).json.authorized;
    assert.equal(await check(), false);
    const p = (await api(issuer, admin, 'POST', '/policies', policy({ actions: ['kiosk:open'] }))).json;
    assert.equal(await check(), true);
    await api(issuer, admin, 'DELETE', `/policies/${p.id}`);
    assert.equal(await check(), false);
  });

  test("a change to a user's attributes or email reaches the next decision", async () => {
    const p = await api(issuer, admin, 'POST', '/policies', policy({
      actions: ['lounge:enter'],
      condition: { eq: ['subject.properties.tier', 'gold'] },
    }));
    assert.equal(p.status, 201, JSON.stringify(p.json));
    const domain = await api(issuer, admin, 'POST', '/policies', policy({
      actions: ['staffroom:enter'], condition: { starts_with: ['subject.properties.email', 'staff.'] },
    }));
    assert.equal(domain.status, 201, JSON.stringify(domain.json));
    const u = await createUser(issuer, admin, { attributes: { tier: 'silver' } });
    const may = async (resource) => (await api(issuer, admin, 'POST', '/authorize',
      { resource, action: 'enter', sub: u.id })).json.authorized;
    assert.equal(await may('lounge'), false); // the subject's facts are now cached
    assert.equal(await may('staffroom'), false);
    const up = await api(issuer, admin, 'PATCH', `/users/${u.id}`, { attributes: { tier: 'gold' } });
    assert.equal(up.status, 200, JSON.stringify(up.json));
    assert.equal(await may('lounge'), true, 'the new attribute decides at once, not after the cache expires');
    const tok = (await passwordGrant(issuer, u.username, u.password)).json.access_token;
    const moved = await api(issuer, tok, 'PATCH', '/me', { email: `staff.${unique('m')}@example.test` });
    assert.equal(moved.status, 200, JSON.stringify(moved.json));
    assert.equal(await may('staffroom'), true, 'an email changed by its owner decides at once');
    assert.equal((await api(issuer, admin, 'PATCH', `/users/${u.id}`, { attributes: { tier: 'bronze' } })).status, 200);
    assert.equal(await may('lounge'), false);
  });

  test('unknown fields and an unknown subject are refused as before', async () => {
    assert.equal((await api(issuer, admin, 'POST', '/authorize', { resource: 'a', action: 'b', extra: 1 })).json.code, 'AUT-0003');
    assert.equal((await api(issuer, admin, 'POST', '/authorize', { resource: 'a', action: 'b', context: 'x' })).json.code, 'AUT-0009');
    const r = await api(issuer, admin, 'POST', '/authorize', { resource: 'a', action: 'b', sub: 'nobody-here' });
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'AUT-1015');
  });
});
