// SPDX-License-Identifier: Apache-2.0
// Failover of the PostgreSQL primary (docs/high-availability.md): a primary and a synchronous
// streaming standby on 127.0.0.1, two Portcullis nodes on a multi-host store URI
// (target_session_attrs=read-write) under a write and token load. The primary is stopped as a
// crash would stop it and the standby promoted: both nodes serve again without a restart,
// answering 503 quickly meanwhile; every acknowledged user creation and refresh-token rotation
// is there afterwards; a revocation made just before the failure is in force on both nodes;
// and the nodes follow the new primary's change feed (LISTEN again). Reports the window.
// Runs where CTest provides PostgreSQL (PC_E2E_PG_URI says one can run here), else skipped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, oauthPost, passwordGrant, startServer, tokenRequest, unique,
} from './lib/server.mjs';
import { activeAt, seenWithin } from './lib/nodes.mjs';
import { startPrimaryAndStandby } from './lib/pg_pair.mjs';

const pgAvailable = Boolean(process.env.PC_E2E_PG_URI);
const QUICK_MS = 3000; // an answer while no primary is reachable comes within this
const RECOVER_MS = 30000; // both nodes serve again within this of the promotion

/** fetch with a deadline: {status, json, ms}, or {status: 0} when it did not answer in time. */
async function timed(url, init = {}) {
  const t0 = Date.now();
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(QUICK_MS * 3) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, ms: Date.now() - t0 };
  } catch (e) {
    return { status: 0, error: e.message, ms: Date.now() - t0 };
  }
}

const createUser = (node, token) => {
  const username = unique('fo');
  return timed(`${node.issuer}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'Correct-Horse-9' }),
  });
};

const refresh = (node, rt) => timed(`${node.issuer}/oauth2/token`, {
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_CLIENT_SECRET}`).toString('base64')}`,
  },
  body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt }).toString(),
});

describe('failover of the PostgreSQL primary', { skip: !pgAvailable && 'needs PC_E2E_PG_URI' }, () => {
  let pair, a, b, adminA, adminB;
  const log = { statuses: {}, slowest: 0 };

  before(async () => {
    pair = await startPrimaryAndStandby();
    const env = { PORTCULLIS_STORE: pair.uri, PORTCULLIS_PUBLIC_URL: 'http://portcullis.test', PORTCULLIS_CHANGE_POLL_MS: 200 };
    a = await startServer({ env });
    b = await startServer({ env: { ...env, PORTCULLIS_MASTER_KEY_FILE: `${a.dir}/master.key` } });
    adminA = await adminToken(a.issuer);
    adminB = await adminToken(b.issuer);
  });
  after(async () => { await b?.stop(); await a?.stop(); pair?.stop(); });

  test('both nodes serve again without a restart and nothing acknowledged is lost', async (t) => {
    const users = []; // acknowledged creations: [node, id]
    let rotations = 0;
    let running = true;
    const note = (r) => {
      log.statuses[r.status] = (log.statuses[r.status] || 0) + 1;
      if (r.status === 503 || r.status === 0) log.slowest = Math.max(log.slowest, r.ms);
    };
    const person = await (async () => {
      const r = await createUser(a, adminA);
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json;
    })();
    const first = await passwordGrant(a.issuer, person.username, 'Correct-Horse-9', 'openid offline_access');
    assert.equal(first.status, 200, JSON.stringify(first.json));
    let refreshToken = first.json.refresh_token; // the last one acknowledged
    assert.ok(refreshToken, 'a refresh token');

    const writer = async (node, token) => {
      while (running) {
        const r = await createUser(node, token);
        note(r);
        if (r.status === 201) users.push([node, r.json.id]);
        else assert.equal(r.status, 503, `a user creation: ${r.status} ${JSON.stringify(r.json)}`);
      }
    };
    const rotator = async () => {
      for (let i = 0; running; i += 1) {
        const r = await refresh(i % 2 ? b : a, refreshToken);
        note(r);
        if (r.status === 200) { refreshToken = r.json.refresh_token; rotations += 1; }
        else assert.ok([503, 0].includes(r.status), `refresh: ${r.status} ${JSON.stringify(r.json)}`);
      }
    };
    const tokens = async () => {
      for (let i = 0; running; i += 1) {
        const node = i % 2 ? b : a;
        const r = await timed(`${node.issuer}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_CLIENT_SECRET}`).toString('base64')}` },
          body: 'grant_type=client_credentials',
        });
        note(r);
        if (r.status === 200) note(await timed(`${(i % 2 ? a : b).issuer}/oauth2/introspect`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${ADMIN_CLIENT_ID}:${ADMIN_CLIENT_SECRET}`).toString('base64')}` },
          body: new URLSearchParams({ token: r.json.access_token }).toString(),
        }));
      }
    };
    const load = [writer(a, adminA), writer(b, adminB), rotator(), tokens()];
    await new Promise((ok) => setTimeout(ok, 1500));

    // A revocation just before the failure, seen by both nodes.
    const victim = (await passwordGrant(b.issuer, person.username, 'Correct-Horse-9')).json.access_token;
    assert.equal(await activeAt(a.issuer, victim), true);
    assert.equal((await oauthPost(b.issuer, 'revoke', { token: victim }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET])).status, 200);
    await seenWithin(async () => (await activeAt(a.issuer, victim)) === false);

    const before = users.length;
    const t0 = Date.now();
    pair.stopPrimaryHard();
    const stopped = Date.now() - t0;
    // While no primary is reachable, answers come quickly (503), not after a hang.
    const down = await createUser(a, adminA);
    assert.ok([503].includes(down.status), `no primary: ${down.status} ${JSON.stringify(down.json)}`);
    assert.ok(down.ms < QUICK_MS, `answered in ${down.ms} ms`);
    pair.promoteStandby();
    const promoted = Date.now() - t0;
    const back = {};
    await Promise.all([['a', a, adminA], ['b', b, adminB]].map(async ([name, node, token]) => {
      for (;;) {
        const r = await createUser(node, token);
        if (r.status === 201) { users.push([node, r.json.id]); back[name] = Date.now() - t0; return; }
        assert.ok([503, 0].includes(r.status), `node ${name} during the failover: ${r.status} ${JSON.stringify(r.json)}`);
        if (Date.now() - t0 > RECOVER_MS) assert.fail(`node ${name} did not serve again within ${RECOVER_MS} ms`);
        await new Promise((ok) => setTimeout(ok, 50));
      }
    }));
    await new Promise((ok) => setTimeout(ok, 1000));
    running = false;
    await Promise.all(load);
    t.diagnostic(`primary stopped in ${stopped} ms, standby promoted at ${promoted} ms; node a wrote again at ${back.a} ms, `
      + `node b at ${back.b} ms after the stop; slowest 503 ${log.slowest} ms; statuses ${JSON.stringify(log.statuses)}`);
    t.diagnostic(`${users.length} users acknowledged (${before} before the failure), ${rotations} rotations`);
    assert.ok(log.slowest < QUICK_MS, `503 answers came within ${QUICK_MS} ms (slowest ${log.slowest})`);
    assert.ok(before > 0 && rotations > 0, 'the load ran before the failure');

    // Every acknowledged creation is there, asked of the other node.
    for (const [node, id] of users) {
      const other = node === a ? b : a;
      const r = await timed(`${other.issuer}/api/v1/users/${id}`, { headers: { authorization: `Bearer ${other === a ? adminA : adminB}` } });
      assert.equal(r.status, 200, `user ${id} acknowledged before or after the failover is there`);
    }
    // The last acknowledged rotation is there: its token is the one that refreshes now.
    const r = await refresh(b, refreshToken);
    assert.equal(r.status, 200, `the last acknowledged refresh token works: ${JSON.stringify(r.json)}`);
    // The revocation made just before the failure is in force on both nodes.
    assert.equal(await activeAt(a.issuer, victim), false);
    assert.equal(await activeAt(b.issuer, victim), false);
    // Both follow the new primary's feed: a revocation on one reaches the other (LISTEN again).
    const fresh = (await passwordGrant(a.issuer, person.username, 'Correct-Horse-9')).json.access_token;
    assert.equal(await activeAt(b.issuer, fresh), true);
    assert.equal((await oauthPost(a.issuer, 'revoke', { token: fresh }, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET])).status, 200);
    t.diagnostic(`a revocation after the failover seen by the other node in ${await seenWithin(async () => (await activeAt(b.issuer, fresh)) === false)} ms`);
  });
});
