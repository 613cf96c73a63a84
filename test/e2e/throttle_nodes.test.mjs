// SPDX-License-Identifier: Apache-2.0
// Throttling holds across nodes (docs/scaling.md): on PostgreSQL the failure counters live in
// the store, so failed sign-ins and failed client authentications spread over two nodes trip
// the limit at the configured count, not at twice it. Needs PC_E2E_PG_URI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, createApp, createUser, passwordGrant, tokenRequest } from './lib/server.mjs';
import { havePg, startTwoNodes } from './lib/nodes.mjs';

const LIMIT = 4;

describe('throttling across two nodes on one PostgreSQL', { skip: !havePg && 'needs PC_E2E_PG_URI' }, () => {
  let a, b, admin;

  before(async () => {
    [a, b] = await startTwoNodes({
      PORTCULLIS_LIMIT_ACCOUNT: LIMIT, PORTCULLIS_LIMIT_ACCOUNT_GLOBAL: 1000, PORTCULLIS_LIMIT_ADDRESS: 1000,
    });
    admin = await adminToken(a.issuer);
  });
  after(async () => { await b?.stop(); await a?.stop(); });

  test('failed sign-ins alternating between nodes lock the account at the limit', async () => {
    const u = await createUser(a.issuer, admin);
    for (let i = 0; i < LIMIT; i += 1) {
      const node = i % 2 === 0 ? a : b;
      const r = await passwordGrant(node.issuer, u.username, `wrong-${i}-Password`);
      assert.equal(r.status, 400, `failure ${i + 1} of ${LIMIT}: ${JSON.stringify(r.json)}`);
    }
    // Each node saw LIMIT / 2 failures itself; together they reached the limit.
    for (const node of [a, b]) {
      const r = await passwordGrant(node.issuer, u.username, u.password);
      assert.equal(r.status, 429, `locked on every node, even with the right password: ${JSON.stringify(r.json)}`);
      assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
    }
  });

  test('one fewer failure than the limit locks nothing, and a success clears the count', async () => {
    const u = await createUser(a.issuer, admin);
    for (let i = 0; i < LIMIT - 1; i += 1) {
      assert.equal((await passwordGrant((i % 2 ? b : a).issuer, u.username, `nope-${i}-Password`)).status, 400);
    }
    assert.equal((await passwordGrant(b.issuer, u.username, u.password)).status, 200);
    // The success forgot the failures for the cluster: LIMIT - 1 more are allowed again.
    for (let i = 0; i < LIMIT - 1; i += 1) {
      assert.equal((await passwordGrant((i % 2 ? a : b).issuer, u.username, `again-${i}-Password`)).status, 400);
    }
    assert.equal((await passwordGrant(a.issuer, u.username, u.password)).status, 200);
  });

  test('failed client authentications alternating between nodes trip the limit', async () => {
    const app = await createApp(a.issuer, admin);
    for (let i = 0; i < LIMIT; i += 1) {
      const r = await tokenRequest((i % 2 ? b : a).issuer, app.client_id, `wrong-secret-${i}`, { grant_type: 'client_credentials' });
      assert.equal(r.status, 401, `failure ${i + 1}: ${JSON.stringify(r.json)}`);
    }
    for (const node of [a, b]) {
      const r = await tokenRequest(node.issuer, app.client_id, 'wrong-secret-again', { grant_type: 'client_credentials' });
      assert.equal(r.status, 429, `the next guess is refused on every node: ${JSON.stringify(r.json)}`);
    }
    // The right secret is never throttled (failures elsewhere cannot lock a client out).
    const ok = await tokenRequest(b.issuer, app.client_id, app.client_secret, { grant_type: 'client_credentials' });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
  });
});
