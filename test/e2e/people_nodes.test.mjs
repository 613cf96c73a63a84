// SPDX-License-Identifier: Apache-2.0
// Disable and freeze on two nodes sharing one PostgreSQL: a user disabled on one node has
// every token refused at the other within a second (the change feed's "user" entry, no row
// per token), and cannot sign in there. Needs PC_E2E_PG_URI (CTest runs it on its PostgreSQL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createUser, passwordGrant } from './lib/server.mjs';
import { activeAt, havePg, seenWithin, startTwoNodes } from './lib/nodes.mjs';

describe('disable and freeze across two nodes on one PostgreSQL', { skip: !havePg && 'needs PC_E2E_PG_URI' }, () => {
  let a, b, adminA;

  before(async () => {
    [a, b] = await startTwoNodes();
    adminA = await adminToken(a.issuer);
  });
  after(async () => { await b?.stop(); await a?.stop(); });

  for (const [what, patch] of [
    ['disabled', () => ({ status: 'disabled' })],
    ['frozen', () => ({ disabled_until: new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z') })],
  ]) {
    test(`a user ${what} on one node has every token refused at the other within a second`, async (t) => {
      const u = await createUser(a.issuer, adminA);
      const tok = (await passwordGrant(b.issuer, u.username, u.password, 'openid offline_access')).json;
      assert.equal(await activeAt(b.issuer, tok.access_token), true); // B has verified and cached it
      assert.equal((await api(b.issuer, tok.access_token, 'GET', '/me')).status, 200);
      const r = await api(a.issuer, adminA, 'PATCH', `/users/${u.id}`, patch());
      assert.equal(r.status, 200, JSON.stringify(r.json));
      t.diagnostic(`seen after ${await seenWithin(async () => (await activeAt(b.issuer, tok.access_token)) === false)} ms`);
      assert.equal((await api(b.issuer, tok.access_token, 'GET', '/me')).status, 401);
      assert.equal(await activeAt(b.issuer, tok.refresh_token), false);
      const again = await passwordGrant(b.issuer, u.username, u.password);
      assert.equal(again.json.error_description, 'account disabled');
    });
  }
});
