// SPDX-License-Identifier: Apache-2.0
// Two nodes on one PostgreSQL database: tokens of one are valid at the other,
// and a revocation, a user deletion or a role change made on one is seen by
// the other within a second (the change feed, woken by LISTEN/NOTIFY).
// Needs PC_E2E_PG_URI (CTest runs it against its throwaway PostgreSQL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, oauthPost, passwordGrant, unique } from './lib/server.mjs';
import { activeAt, havePg, seenWithin, startTwoNodes } from './lib/nodes.mjs';

describe('two nodes on one PostgreSQL', { skip: !havePg && 'needs PC_E2E_PG_URI' }, () => {
  let a, b, adminA, adminB;

  before(async () => {
    [a, b] = await startTwoNodes();
    adminA = await adminToken(a.issuer);
    adminB = await adminToken(b.issuer);
  });
  after(async () => { await b?.stop(); await a?.stop(); });

  test('a token issued by one node is active at the other', async () => {
    assert.equal(await activeAt(b.issuer, adminA), true);
    assert.equal(await activeAt(a.issuer, adminB), true);
    const me = await api(b.issuer, adminA, 'GET', '/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.client_id, 'admin-cli');
  });

  test('a revocation on one node is seen by the other within a second', async (t) => {
    const u = await createUser(a.issuer, adminA);
    const tok = (await passwordGrant(a.issuer, u.username, u.password)).json.access_token;
    assert.equal(await activeAt(b.issuer, tok), true); // B has verified and cached it
    const r = await oauthPost(a.issuer, 'revoke', { token: tok }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]);
    assert.equal(r.status, 200);
    t.diagnostic(`seen after ${await seenWithin(async () => (await activeAt(b.issuer, tok)) === false)} ms`);
  });

  test('a user deleted on one node is locked out at the other within a second', async (t) => {
    const u = await createUser(a.issuer, adminA);
    const tok = (await passwordGrant(a.issuer, u.username, u.password)).json.access_token;
    assert.equal((await fetch(`${b.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tok}` } })).status, 200);
    assert.equal((await api(a.issuer, adminA, 'DELETE', `/users/${u.id}`)).status, 204);
    t.diagnostic(`seen after ${await seenWithin(async () =>
      (await fetch(`${b.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tok}` } })).status === 401)} ms`);
    assert.equal((await passwordGrant(b.issuer, u.username, u.password)).json.error, 'invalid_grant');
  });

  test('a role change on one node shows in permission checks at the other within a second', async (t) => {
    const role = unique('ledger');
    const created = await api(a.issuer, adminA, 'POST', '/roles', { name: role, permissions: ['ledger:read'] });
    const u = await createUser(a.issuer, adminA, { roles: [role] });
    const check = async () => (await api(b.issuer, adminB, 'POST', '/authorize',
      { resource: 'ledger', action: 'post', sub: u.id })).json.authorized;
    assert.equal(await check(), false); // B compiles and caches the set
    await api(a.issuer, adminA, 'PATCH', `/roles/${created.json.id}`, { permissions: ['ledger:read', 'ledger:post'] });
    t.diagnostic(`seen after ${await seenWithin(async () => (await check()) === true)} ms`);
  });
});
