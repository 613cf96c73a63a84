// SPDX-License-Identifier: Apache-2.0
// Two nodes on one PostgreSQL: a policy written on one is applied by the other within a second
// (its compiled policy set is dropped through the change feed), and so is a user's new attribute. Needs PC_E2E_PG_URI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createUser, unique } from './lib/server.mjs';
import { havePg, seenWithin, startTwoNodes } from './lib/nodes.mjs';

describe('policies across two nodes', { skip: !havePg && 'needs PC_E2E_PG_URI' }, () => {
  let a, b, adminA, adminB;

  before(async () => {
    [a, b] = await startTwoNodes();
    adminA = await adminToken(a.issuer);
    adminB = await adminToken(b.issuer);
  });
  after(async () => { await b?.stop(); await a?.stop(); });

  test('a deny policy written on one node refuses at the other within a second, and its removal too', async (t) => {
    const roleName = unique('role');
    await api(a.issuer, adminA, 'POST', '/roles', { name: roleName, permissions: ['vault:open'] });
    const u = await createUser(a.issuer, adminA, { roles: [roleName] });
    const check = async () => (await api(b.issuer, adminB, 'POST', '/authorize',
      { resource: 'vault', action: 'open', sub: u.username, resource_id: 'v1' })).json.authorized;
    assert.equal(await check(), true); // B has compiled the tenant's (empty) policy set
    const p = await api(a.issuer, adminA, 'POST', '/policies', {
      name: unique('pol'), effect: 'deny', actions: ['vault:*'], condition: { eq: ['resource.id', 'v1'] },
    });
    assert.equal(p.status, 201, JSON.stringify(p.json));
    t.diagnostic(`deny seen after ${await seenWithin(async () => (await check()) === false)} ms`);
    assert.equal((await api(a.issuer, adminA, 'DELETE', `/policies/${p.json.id}`)).status, 204);
    t.diagnostic(`removal seen after ${await seenWithin(async () => (await check()) === true)} ms`);
  });

  test("a user's new attributes decide at the other node within a second", async (t) => {
    const pol = await api(a.issuer, adminA, 'POST', '/policies', {
      name: unique('pol'), effect: 'allow', actions: ['vip:enter'], condition: { eq: ['subject.properties.tier', 'gold'] },
    });
    assert.equal(pol.status, 201, JSON.stringify(pol.json));
    const u = await createUser(a.issuer, adminA, { attributes: { tier: 'silver' } });
    const check = async () => (await api(b.issuer, adminB, 'POST', '/authorize',
      { resource: 'vip', action: 'enter', sub: u.id })).json.authorized;
    assert.equal(await check(), false); // node B now holds the subject's facts in its cache
    assert.equal((await api(a.issuer, adminA, 'PATCH', `/users/${u.id}`, { attributes: { tier: 'gold' } })).status, 200);
    t.diagnostic(`attribute seen after ${await seenWithin(async () => (await check()) === true)} ms`);
  });
});
