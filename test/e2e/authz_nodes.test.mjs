// SPDX-License-Identifier: Apache-2.0
// Two nodes on one PostgreSQL: a policy written on one is applied by the other within a second
// (its compiled policy set is dropped through the change feed). Needs PC_E2E_PG_URI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createUser, startServer, unique } from './lib/server.mjs';
import { storeEnv } from './lib/store.mjs';

const pg = Boolean(process.env.PC_E2E_PG_URI);
const WITHIN_MS = 1000;

async function seenWithin(probe) {
  const t0 = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - t0;
    if (Date.now() - t0 > WITHIN_MS) assert.fail(`not seen within ${WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('policies across two nodes', { skip: !pg && 'needs PC_E2E_PG_URI' }, () => {
  let a, b, adminA, adminB;

  before(async () => {
    const shared = { ...storeEnv(), PORTCULLIS_PUBLIC_URL: 'http://portcullis.test' };
    a = await startServer({ env: shared });
    b = await startServer({ env: { ...shared, PORTCULLIS_MASTER_KEY_FILE: `${a.dir}/master.key` } });
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
});
