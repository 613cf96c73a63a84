// SPDX-License-Identifier: Apache-2.0
// Webhooks (API.md §17): the API, Standard Webhooks signatures checked with the
// specification's own library, retries with one webhook-id, the timeout, the
// test event, an endpoint disabled after its 24 hours, and the metrics.
// The retry schedule runs 100 times faster (webhook_retry_divisor, a test setting).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminToken, api, createApp, createUser, getToken, get, startServer, unique } from './lib/server.mjs';
import { Webhook } from 'standardwebhooks';
import { createWebhook, listAll, startReceiver, until } from './lib/webhooks.mjs';

const FAST = { PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true', PORTCULLIS_WEBHOOK_RETRY_DIVISOR: '100' };

let srv, issuer, admin;
const receivers = [];

async function receiver(answer) {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

/** A client_credentials token of an application holding exactly `perms`. */
async function tokenWith(perms) {
  const role = unique('role');
  assert.equal((await api(issuer, admin, 'POST', '/roles', { name: role, permissions: perms })).status, 201);
  const app = await createApp(issuer, admin, { roles: [role] });
  return (await getToken(issuer, app.client_id, app.client_secret)).access_token;
}

before(async () => {
  srv = await startServer({ env: FAST });
  issuer = srv.issuer;
  admin = await adminToken(issuer);
});
after(async () => {
  await srv?.stop();
  for (const r of receivers) await r.close();
});

describe('the webhooks API', () => {
  test('create shows the secret once; get, list, patch and delete never show it', async () => {
    const rx = await receiver();
    const w = await createWebhook(issuer, admin, { url: rx.url, events: ['user.created'], description: 'crm sync' });
    assert.match(w.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(w.secret.slice(6), 'base64').length, 24);
    assert.deepEqual([w.url, w.events, w.enabled, w.description], [rx.url, ['user.created'], true, 'crm sync']);
    const got = await api(issuer, admin, 'GET', `/webhooks/${w.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.json.secret, undefined);
    assert.equal(JSON.stringify(got.json).includes(w.secret.slice(6)), false);
    const list = await listAll(issuer, admin, '/webhooks');
    assert.ok(list.some((x) => x.id === w.id && x.secret === undefined));
    const p = await api(issuer, admin, 'PATCH', `/webhooks/${w.id}`, { events: ['user.created', 'user.deleted'], enabled: false });
    assert.equal(p.status, 200, JSON.stringify(p.json));
    assert.deepEqual([p.json.events, p.json.enabled, p.json.secret], [['user.created', 'user.deleted'], false, undefined]);
    const rot = await api(issuer, admin, 'POST', `/webhooks/${w.id}/secret`);
    assert.equal(rot.status, 200);
    assert.match(rot.json.secret, /^whsec_/);
    assert.notEqual(rot.json.secret, w.secret);
    assert.equal((await api(issuer, admin, 'DELETE', `/webhooks/${w.id}`)).status, 204);
    assert.equal((await api(issuer, admin, 'GET', `/webhooks/${w.id}`)).status, 404);
    const audit = await api(issuer, admin, 'GET', `/audit?limit=200`);
    const types = audit.json.items.filter((e) => e.subject === w.id).map((e) => e.type);
    for (const t of ['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted']) assert.ok(types.includes(t), t);
  });

  test('bad bodies are 400 naming the field', async () => {
    const cases = [
      [{ url: 'ftp://example.com/x', events: ['*'] }, 'AUT-0009', 'url'],
      [{ url: 'not a url', events: ['*'] }, 'AUT-0009', 'url'],
      [{ url: 'https://example.com/x', events: [] }, 'AUT-0009', 'events'],
      [{ url: 'https://example.com/x', events: ['User Created'] }, 'AUT-0009', 'events'],
      [{ url: 'https://example.com/x' }, 'AUT-0001', 'events'],
      [{ url: 'https://example.com/x', events: ['*'], secret: 'mine' }, 'AUT-0003', 'secret'],
    ];
    for (const [body, code, field] of cases) {
      const r = await api(issuer, admin, 'POST', '/webhooks', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.code, code, JSON.stringify(r.json));
      assert.ok(field in r.json.fields, JSON.stringify(r.json));
    }
  });

  test('403 without webhooks permissions, and without audit:read to subscribe', async () => {
    const none = await tokenWith(['users:read']);
    for (const [m, p] of [['GET', '/webhooks'], ['POST', '/webhooks']]) {
      const r = await api(issuer, none, m, p, m === 'POST' ? { url: 'https://example.com/', events: ['*'] } : undefined);
      assert.equal(r.status, 403);
      assert.equal(r.json.code, 'AUT-0008');
    }
    // webhooks:* alone may manage, but not subscribe to events it could not read
    const noAudit = await tokenWith(['webhooks:*']);
    assert.equal((await api(issuer, noAudit, 'GET', '/webhooks')).status, 200);
    const refused = await api(issuer, noAudit, 'POST', '/webhooks', { url: 'https://example.com/', events: ['*'] });
    assert.equal(refused.status, 403);
    assert.match(refused.json.message, /audit:read/);
    const w = await createWebhook(issuer, admin, { url: 'https://example.com/', events: ['user.created'] });
    assert.equal((await api(issuer, noAudit, 'PATCH', `/webhooks/${w.id}`, { events: ['*'] })).status, 403);
    const both = await tokenWith(['webhooks:*', 'audit:read']);
    assert.equal((await api(issuer, both, 'PATCH', `/webhooks/${w.id}`, { events: ['*'] })).status, 200);
    assert.equal((await api(issuer, both, 'DELETE', `/webhooks/${w.id}`)).status, 204);
  });
});

describe('deliveries', () => {
  test('subscribed events arrive signed in the Standard Webhooks format; others do not', async () => {
    const rx = await receiver();
    const w = await createWebhook(issuer, admin, { url: rx.url, events: ['user.created'] });
    rx.secrets.push(w.secret);
    const u = await createUser(issuer, admin);
    assert.equal((await api(issuer, admin, 'DELETE', `/users/${u.id}`)).status, 204); // user.deleted: not subscribed
    const marker = await createUser(issuer, admin); // delivered after the deletion was queued, if it were
    await until(() => rx.requests.some((q) => q.json?.data?.subject === marker.id), 10000, 'second user.created');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(rx.requests.map((q) => q.json.type), ['user.created', 'user.created']);
    const q = rx.requests.find((x) => x.json.data.subject === u.id);
    assert.deepEqual(q.verified, [true]);
    assert.equal(q.json.id, q.id);
    assert.equal(q.json.tenant, 'default');
    assert.match(q.json.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const audit = await api(issuer, admin, 'GET', `/audit?type=user.created&limit=200`);
    assert.deepEqual(q.json.data, audit.json.items.find((e) => e.subject === u.id));
    assert.match(q.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    // the library refuses another secret and a changed body: the check can fail
    assert.throws(() => new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(q.body, q.headers));
    assert.throws(() => new Webhook(w.secret).verify(q.body.replace('user.created', 'user.createx'), q.headers));
  });

  test('after a secret rotation both signatures are sent and both secrets verify', async () => {
    const rx = await receiver();
    const w = await createWebhook(issuer, admin, { url: rx.url, events: ['user.created'] });
    const rot = await api(issuer, admin, 'POST', `/webhooks/${w.id}/secret`);
    rx.secrets.push(w.secret, rot.json.secret);
    const u = await createUser(issuer, admin);
    const q = await until(() => rx.requests.find((x) => x.json?.data?.subject === u.id), 10000, 'delivery');
    assert.deepEqual(q.verified, [true, true]);
    assert.equal(q.headers['webhook-signature'].split(' ').length, 2);
  });

  test('500 twice then 200: three attempts with one webhook-id, listed newest first', async () => {
    const rx = await receiver((req, n) => (n <= 2 ? 500 : 200));
    const w = await createWebhook(issuer, admin, { url: rx.url, events: ['user.created'] });
    rx.secrets.push(w.secret);
    await createUser(issuer, admin);
    await until(() => rx.requests.length >= 3, 15000, 'three attempts');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.requests.length, 3);
    assert.equal(new Set(rx.requests.map((q) => q.id)).size, 1);
    assert.ok(rx.requests.every((q) => q.verified[0]));
    const d = await until(async () => {
      const items = await listAll(issuer, admin, `/webhooks/${w.id}/deliveries`);
      return items.length === 3 && items[0].status === 'delivered' && items;
    }, 5000, 'three recorded attempts');
    assert.deepEqual(d.map((x) => [x.attempt, x.status, x.response_status]), [[3, 'delivered', 200], [2, 'failed', 500], [1, 'failed', 500]]);
    assert.equal(new Set(d.map((x) => x.event_id)).size, 1);
    assert.equal(d[0].next_attempt_at, null);
    assert.match(d[1].next_attempt_at, /Z$/);
    assert.deepEqual(Object.keys(d[0]).sort(), ['attempt', 'created_at', 'error', 'event_id', 'id', 'next_attempt_at', 'response_status', 'status', 'type']);
  });

  test('a receiver that hangs is cut at 10 s and retried', { timeout: 60000 }, async () => {
    const rx = await receiver((req, n) => (n === 1 ? 'hang' : 200));
    const w = await createWebhook(issuer, admin, { url: rx.url, events: ['webhook.test'] });
    const t = await api(issuer, admin, 'POST', `/webhooks/${w.id}/test`);
    assert.equal(t.status, 202);
    await until(() => rx.requests.length >= 2, 25000, 'the retry');
    const gap = rx.requests[1].at - rx.requests[0].at;
    assert.ok(gap >= 9500 && gap < 20000, `retried after ${gap} ms`);
    assert.equal(rx.requests[0].id, rx.requests[1].id);
    assert.equal(rx.requests[0].json.type, 'webhook.test');
    const d = await until(async () => {
      const items = await listAll(issuer, admin, `/webhooks/${w.id}/deliveries`);
      return items.length === 2 && items[0].status === 'delivered' && items;
    }, 5000, 'attempts recorded');
    assert.equal(d[1].status, 'failed');
    assert.match(d[1].error, /time/i);
  });

  test('the metrics count deliveries by outcome and show the queue', async () => {
    const m = await get(`${srv.base}/metrics`);
    const text = typeof m.json === 'string' ? m.json : m.text;
    assert.match(text, /portcullis_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
    assert.match(text, /portcullis_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
    assert.match(text, /portcullis_webhook_queue_depth \d+/);
    assert.match(text, /portcullis_webhook_oldest_pending_seconds \d+/);
  });
});

describe('an endpoint failing for 24 hours', () => {
  let s2, admin2;
  // 10,000 times faster: the 24 hours last 8.6 s.
  before(async () => {
    s2 = await startServer({ env: { ...FAST, PORTCULLIS_WEBHOOK_RETRY_DIVISOR: '10000' } });
    admin2 = await adminToken(s2.issuer);
  });
  after(async () => { await s2?.stop(); });

  test('is given up, disabled and audited webhook.disabled', { timeout: 60000 }, async () => {
    const rx = await receiver(() => 503);
    const w = await createWebhook(s2.issuer, admin2, { url: rx.url, events: ['user.created'] });
    await createUser(s2.issuer, admin2);
    const gone = await until(async () => {
      const g = await api(s2.issuer, admin2, 'GET', `/webhooks/${w.id}`);
      return g.json.enabled === false && g;
    }, 30000, 'disabled');
    assert.equal(gone.json.enabled, false);
    const audit = await api(s2.issuer, admin2, 'GET', '/audit?type=webhook.disabled');
    assert.ok(audit.json.items.some((e) => e.subject === w.id && e.actor === 'system'));
    const d = await listAll(s2.issuer, admin2, `/webhooks/${w.id}/deliveries`);
    assert.ok(d.length >= 8, `${d.length} attempts`);
    assert.ok(d.every((x) => x.status === 'failed' && x.response_status === 503));
    const n = rx.requests.length;
    await createUser(s2.issuer, admin2);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(rx.requests.length, n, 'a disabled webhook receives nothing');
  });
});

describe('retention', () => {
  test('delivered rows are pruned after the audit retention period; the webhook stays', { timeout: 60000 }, async () => {
    const rx = await receiver();
    let s3 = await startServer({ env: FAST });
    const { dir, port } = s3;
    try {
      let a3 = await adminToken(s3.issuer);
      const w = await createWebhook(s3.issuer, a3, { url: rx.url, events: ['user.created'] });
      await createUser(s3.issuer, a3);
      await until(async () => (await listAll(s3.issuer, a3, `/webhooks/${w.id}/deliveries`)).some((d) => d.status === 'delivered'), 10000, 'a delivery');
      await s3.stop({ keepDir: true });
      // 91 days later (audit_retention_days is 90): the first worker prunes as it starts.
      s3 = await startServer({ env: { ...FAST, PORTCULLIS_TEST_CLOCK_OFFSET: String(91 * 86400) }, dir, port });
      a3 = await adminToken(s3.issuer);
      await until(async () => (await listAll(s3.issuer, a3, `/webhooks/${w.id}/deliveries`)).length === 0, 10000, 'pruned');
      assert.equal((await api(s3.issuer, a3, 'GET', `/webhooks/${w.id}`)).status, 200);
    } finally {
      await s3.stop({ keepDir: false });
    }
  });
});
