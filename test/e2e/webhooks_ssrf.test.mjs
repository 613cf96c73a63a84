// SPDX-License-Identifier: Apache-2.0
// Webhooks and server-side request forgery (API.md §17, §20): with
// webhook_allow_private and outbound_allow_private off, plain http://, private,
// loopback and link-local addresses are refused when saved, a host name that
// resolves to loopback is refused at delivery (after DNS, on the address
// connected to), and a redirect is never followed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { adminToken, api, startServer } from './lib/server.mjs';
import { createWebhook, listAll, startReceiver, until } from './lib/webhooks.mjs';

const OFF = { PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'false', PORTCULLIS_OUTBOUND_ALLOW_PRIVATE: 'false' };

/** A TCP listener on 127.0.0.1 that counts the connections it is offered. */
async function countingListener() {
  const l = { connections: 0 };
  const srv = createServer((sock) => { l.connections += 1; sock.destroy(); });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  l.port = srv.address().port;
  l.close = () => new Promise((ok) => srv.close(ok));
  return l;
}

describe('with private addresses not allowed', () => {
  let srv, admin, trap;
  before(async () => {
    srv = await startServer({ env: OFF });
    admin = await adminToken(srv.issuer);
    trap = await countingListener();
  });
  after(async () => { await srv?.stop(); await trap?.close(); });

  test('http://, loopback, 10.x, 169.254.x and [::1] URLs are refused when saved', async () => {
    const urls = [
      `http://127.0.0.1:${trap.port}/hook`,
      'http://hooks.example.com/hook',
      `https://127.0.0.1:${trap.port}/hook`,
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      `https://[::1]:${trap.port}/hook`,
      'https://0.0.0.0/hook',
    ];
    for (const url of urls) {
      const r = await api(srv.issuer, admin, 'POST', '/webhooks', { url, events: ['*'] });
      assert.equal(r.status, 400, url);
      assert.equal(r.json.code, 'AUT-0009');
      assert.ok('url' in r.json.fields, JSON.stringify(r.json));
    }
    const ok = await createWebhook(srv.issuer, admin, { url: 'https://hooks.example.com/x', events: ['*'] });
    const p = await api(srv.issuer, admin, 'PATCH', `/webhooks/${ok.id}`, { url: 'https://10.0.0.8/x' });
    assert.equal(p.status, 400);
    assert.ok('url' in p.json.fields);
    await api(srv.issuer, admin, 'DELETE', `/webhooks/${ok.id}`);
  });

  test('a host name resolving to 127.0.0.1 is refused at delivery, before any connection', async () => {
    const w = await createWebhook(srv.issuer, admin, { url: `https://localhost:${trap.port}/hook`, events: ['webhook.test'] });
    assert.equal((await api(srv.issuer, admin, 'POST', `/webhooks/${w.id}/test`)).status, 202);
    const d = await until(async () => {
      const items = await listAll(srv.issuer, admin, `/webhooks/${w.id}/deliveries`);
      return items.find((x) => x.status === 'failed') && items;
    }, 10000, 'a failed attempt');
    assert.equal(d[d.length - 1].response_status, null);
    assert.match(d[d.length - 1].error, /connect/i);
    assert.equal(trap.connections, 0);
    assert.match(srv.output(), /outbound connection refused: address=127\.0\.0\.1 is loopback \(webhook_allow_private=false\)/);
    await api(srv.issuer, admin, 'DELETE', `/webhooks/${w.id}`);
  });
});

describe('redirects', () => {
  let srv, admin, target, hop;
  before(async () => {
    // The first hop must be reachable for a redirect to be offered at all.
    srv = await startServer({ env: { PORTCULLIS_WEBHOOK_ALLOW_PRIVATE: 'true', PORTCULLIS_WEBHOOK_RETRY_DIVISOR: '1' } });
    admin = await adminToken(srv.issuer);
    target = await startReceiver();
    hop = await startReceiver(() => ({ status: 307, headers: { location: target.url } }));
  });
  after(async () => { await srv?.stop(); await target?.close(); await hop?.close(); });

  test('a redirect to loopback is not followed; the attempt fails with its status', async () => {
    const w = await createWebhook(srv.issuer, admin, { url: hop.url, events: ['webhook.test'] });
    await api(srv.issuer, admin, 'POST', `/webhooks/${w.id}/test`);
    const d = await until(async () => {
      const items = await listAll(srv.issuer, admin, `/webhooks/${w.id}/deliveries`);
      return items.find((x) => x.status === 'failed') && items;
    }, 10000, 'a failed attempt');
    assert.equal(d[0].response_status, 307);
    assert.match(d[0].next_attempt_at, /Z$/); // retried later, at the same URL
    assert.equal(hop.requests.length, 1);
    assert.equal(target.requests.length, 0);
  });
});
