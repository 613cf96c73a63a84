// SPDX-License-Identifier: Apache-2.0
// Webhooks survive crashes (the transactional outbox, API.md §17): under a
// load of user creations the server is killed with SIGKILL several times while
// deliveries are pending; after the restarts every user.created event in the
// audit trail has reached the receiver at least once, and nothing else has.
// Runs on SQLite, and on PostgreSQL when PC_E2E_PG_URI is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { adminToken, api, createUser, freePort, get, startServer, tempDir } from './lib/server.mjs';
import { storeEnv, storeName } from './lib/store.mjs';
import { createWebhook, listAll, startReceiver, until } from './lib/webhooks.mjs';

const KILLS = 3;
// Cheap password hashing, so that users are created faster than they are delivered.
const ENV = { PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true', PORTCULLIS_WEBHOOK_RETRY_DIVISOR: '100', PORTCULLIS_ARGON2_M_COST: '64', PORTCULLIS_ARGON2_T_COST: '1' };

async function queueDepth(base) {
  try {
    const m = await get(`${base}/metrics`);
    const hit = /portcullis_webhook_queue_depth (\d+)/.exec(m.json);
    return hit ? Number(hit[1]) : -1;
  } catch { return -1; }
}

/** Creates users with `parallel` requests at a time until stop() is called; failures (the kill) are ignored. */
function load(issuer, token, parallel) {
  let running = true;
  const one = async () => {
    while (running) {
      try { await createUser(issuer, token); } catch { await new Promise((r) => setTimeout(r, 20)); }
    }
  };
  const all = Promise.all(Array.from({ length: parallel }, one));
  return { stop: async () => { running = false; await all; } };
}

test(`every subscribed event is delivered across kill -9 (${storeName})`, { timeout: 180000 }, async (t) => {
  // A slow receiver, so that a backlog is pending when the server dies.
  const rx = await startReceiver(() => ({ status: 200, delay: 150 }));
  const dir = await tempDir();
  const port = await freePort();
  const env = { ...ENV, ...storeEnv() };
  let srv = await startServer({ env, dir, port });
  let admin = await adminToken(srv.issuer);
  const w = await createWebhook(srv.issuer, admin, { url: rx.url, events: ['user.created'] });
  rx.secrets.push(w.secret);
  let pendingAtKill = 0;
  try {
    for (let k = 0; k < KILLS; k++) {
      const l = load(srv.issuer, admin, 4);
      await until(async () => (await queueDepth(srv.base)) >= 10, 30000, 'a backlog');
      pendingAtKill = Math.max(pendingAtKill, await queueDepth(srv.base));
      srv.child.kill('SIGKILL');
      await srv.exited;
      await l.stop();
      srv = await startServer({ env, dir, port });
      admin = await adminToken(srv.issuer);
    }
    t.diagnostic(`up to ${pendingAtKill} messages pending at a kill`);
    const events = (await listAll(srv.issuer, admin, '/audit?type=user.created')).map((e) => e.id);
    assert.ok(events.length >= 20, `${events.length} users created`);
    const got = () => new Set(rx.requests.map((q) => q.json?.data?.id));
    // Rows a killed node had leased wait for their lease (20 s) to pass.
    await until(() => events.every((id) => got().has(id)), 90000, 'every event delivered');
    assert.ok(rx.requests.every((q) => q.verified[0]), 'every request verifies');
    const unknown = [...got()].filter((id) => !events.includes(id));
    assert.deepEqual(unknown, [], 'nothing delivered for an event that was not recorded');
    // Rows the killed nodes had leased are taken again once their lease passes: the queue empties.
    await until(async () => (await queueDepth(srv.base)) === 0, 60000, 'an empty queue');
    const attempts = await listAll(srv.issuer, admin, `/webhooks/${w.id}/deliveries`);
    assert.ok(attempts.every((a) => a.status !== 'pending'), 'no attempt left pending');
    t.diagnostic(`${attempts.filter((a) => a.error === 'interrupted').length} attempts interrupted by a kill`);
    const dups = rx.requests.length - got().size;
    t.diagnostic(`${events.length} events, ${rx.requests.length} requests (${dups} repeated after a crash)`);
  } finally {
    await srv.stop({ keepDir: true });
    await rx.close();
    await rm(dir, { recursive: true, force: true });
  }
});
