// SPDX-License-Identifier: Apache-2.0
// Webhook receivers on 127.0.0.1 for the end-to-end tests: each request is
// verified with the Standard Webhooks library and recorded.
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { api } from './server.mjs';

/**
 * Starts a receiver. `answer(req, n)` (optional) returns the status for the
 * n-th request (from 1), 'hang' to never answer, or {status, headers, delay}. Each request is recorded
 * as {id, headers, body, verified, status}; `secrets` is the list of secrets
 * accepted (set it after creating the webhook).
 */
export async function startReceiver(answer = () => 200) {
  const rec = { requests: [], secrets: [], hanging: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': req.headers['webhook-id'],
        'webhook-timestamp': req.headers['webhook-timestamp'],
        'webhook-signature': req.headers['webhook-signature'],
      };
      const verified = rec.secrets.map((s) => {
        try { new Webhook(s).verify(body, headers); return true; } catch { return false; }
      });
      const status = answer(req, rec.requests.length + 1);
      rec.requests.push({ id: headers['webhook-id'], headers, body, json: safeJson(body), verified, status, at: Date.now() });
      if (status === 'hang') { rec.hanging.push(res); return; }
      if (typeof status === 'object') {
        const reply = () => { res.writeHead(status.status, status.headers); res.end(); };
        if (status.delay) setTimeout(reply, status.delay); else reply();
        return;
      }
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  rec.url = `http://127.0.0.1:${server.address().port}/hook`;
  rec.port = server.address().port;
  rec.close = () => new Promise((ok) => {
    for (const r of rec.hanging) r.destroy();
    server.closeAllConnections?.();
    server.close(() => ok());
  });
  return rec;
}

function safeJson(s) { try { return JSON.parse(s); } catch { return null; } }

/** Waits until `probe()` is truthy (polling), failing after `ms`. Returns its value. */
export async function until(probe, ms, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates a webhook; returns the API answer's JSON (with the secret). */
export async function createWebhook(issuer, token, fields) {
  const r = await api(issuer, token, 'POST', '/webhooks', fields);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

/** Every item of a paginated list. */
export async function listAll(issuer, token, path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(issuer, token, 'GET', `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    items.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return items;
}
