// SPDX-License-Identifier: Apache-2.0
// Two nodes on one PostgreSQL share a webhook backlog (API.md §17): 2,000
// events queued while no node delivers are then delivered by two nodes with
// two workers each, every one exactly once here (the receiver always answers
// 200, so no attempt is ever repeated, and two at once would be a double claim).
// Needs PC_E2E_PG_URI (CTest runs it against its throwaway PostgreSQL).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { adminToken, api, get, startServer } from './lib/server.mjs';
import { storeEnv } from './lib/store.mjs';
import { createWebhook, startReceiver, until } from './lib/webhooks.mjs';

const pg = Boolean(process.env.PC_E2E_PG_URI);
const EVENTS = 2000;

function delivered(metrics) {
  const hit = /portcullis_webhook_deliveries_total\{outcome="delivered"\} (\d+)/.exec(metrics);
  return hit ? Number(hit[1]) : 0;
}

describe('two nodes on one PostgreSQL', { skip: !pg && 'needs PC_E2E_PG_URI' }, () => {
  let producer, a, b, rx;
  const inFlight = new Map();
  let overlaps = 0;
  let t0;

  before(async () => {
    // The receiver notes any webhook-id that arrives while the same id is still being answered.
    rx = await startReceiver((req) => {
      const id = req.headers['webhook-id'];
      if (inFlight.get(id)) overlaps += 1;
      inFlight.set(id, true);
      setTimeout(() => inFlight.set(id, false), 5);
      return { status: 200, delay: 5 };
    });
    const shared = { ...storeEnv(), PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true' };
    producer = await startServer({ env: { ...shared, PORTCULLIS_WEBHOOK_WORKERS: '0' } });
    shared.PORTCULLIS_MASTER_KEY_FILE = `${producer.dir}/master.key`;
    const admin = await adminToken(producer.issuer);
    const w = await createWebhook(producer.issuer, admin, { url: rx.url, events: ['group.updated'] });
    rx.secrets.push(w.secret);
    const started = Date.now();
    const g = await api(producer.issuer, admin, 'POST', '/groups', { name: 'backlog' });
    assert.equal(g.status, 201);
    // 2,000 group.updated events, queued while no node delivers
    let next = 0;
    const worker = async () => {
      while (next < EVENTS) {
        const n = next++;
        const r = await api(producer.issuer, admin, 'PATCH', `/groups/${g.json.id}`, { description: `v${n}` });
        assert.equal(r.status, 200);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(rx.requests.length, 0);
    console.log(`# ${EVENTS} events queued in ${Date.now() - started} ms`);
    t0 = Date.now();
    await producer.stop({ keepDir: true });
    [a, b] = await Promise.all([1, 2].map(() => startServer({ env: { ...shared, PORTCULLIS_WEBHOOK_WORKERS: '2' } })));
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await rx?.close();
    if (producer) await rm(producer.dir, { recursive: true, force: true });
  });

  test('deliver the backlog: none lost, none twice at once', { timeout: 120000 }, async (t) => {
    await until(() => new Set(rx.requests.map((q) => q.id)).size >= EVENTS, 60000, 'all events delivered');
    t.diagnostic(`${EVENTS} events delivered by two nodes in ${Date.now() - t0} ms (from the producer's stop)`);
    await new Promise((r) => setTimeout(r, 500));
    const ids = rx.requests.map((q) => q.id);
    assert.equal(new Set(ids).size, EVENTS);
    assert.equal(overlaps, 0, 'concurrent duplicate attempts');
    assert.equal(ids.length, EVENTS, 'attempts beyond one per event');
    assert.ok(rx.requests.every((q) => q.verified[0]));
    assert.equal(new Set(rx.requests.map((q) => q.json.data.id)).size, EVENTS, 'one audit event each');
    const [ma, mb] = [delivered((await get(`${a.base}/metrics`)).json), delivered((await get(`${b.base}/metrics`)).json)];
    t.diagnostic(`node A delivered ${ma}, node B ${mb}`);
    assert.equal(ma + mb, EVENTS);
    assert.ok(ma > 0 && mb > 0, 'both nodes took part');
  });
});
