// SPDX-License-Identifier: Apache-2.0
// Outbound calls (API.md §20): with outbound_allow_private off, providers reach no loopback listener, by number or
// by name; CR/LF never gets into a header; a moved provider loses its secrets; a gateway that never answers
// stalls neither the server nor the resend throttle.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, startServer, tokenRequest,
} from './lib/server.mjs';
import { createProvider, startGateway, userToken } from './lib/mfa.mjs';

const ADMIN = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];
const OFF = { PORTCULLIS_OUTBOUND_ALLOW_PRIVATE: 'false' };

/** A TCP listener on 127.0.0.1 that counts the connections reaching it (and drops them). */
function startListener() {
  let connections = 0;
  const server = createTcpServer((sock) => { connections++; sock.destroy(); });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({
    port: server.address().port,
    connections: () => connections,
    close: () => new Promise((done) => server.close(() => done())),
  })));
}

/** Waits until the audit log holds an event of `type` about `subject`; returns it. */
async function auditEvent(issuer, admin, type, subject, timeoutMs = 25000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(issuer, admin, 'GET', `/audit?type=${type}`);
    const e = r.json.items?.find((i) => i.subject === subject);
    if (e) return e;
    if (Date.now() > deadline) throw new Error(`no ${type} event for ${subject} within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** A user with an access token of their own. */
async function newUser(issuer, admin) {
  const user = await createUser(issuer, admin);
  return { user, token: await userToken(issuer, user, ADMIN) };
}

describe('outbound_allow_private off (the default)', () => {
  let srv; let admin; let listener;

  before(async () => {
    srv = await startServer({ env: OFF });
    admin = await adminToken(srv.issuer);
    listener = await startListener();
  });
  after(async () => { await srv?.stop(); await listener?.close(); });

  test('save time: http:// needs a numeric loopback address; names never are, allow_insecure does not help', async () => {
    const base = { name: 'sms-ssrf', kind: 'sms', plugin: 'http-sms' };
    for (const config of [
      { url: `http://127.0.0.1.evil.example:${listener.port}/send` },
      { url: `http://localhost:${listener.port}/send` },
      { url: `http://127.0.0.1@evil.example:${listener.port}/send` },
      { url: 'http://sms.example.test/send', allow_insecure: true },
    ]) {
      const r = await api(srv.issuer, admin, 'POST', '/providers', { ...base, config });
      assert.equal(r.status, 400, JSON.stringify(config));
      assert.equal(r.json.code, 'AUT-0009');
      assert.match(r.json.fields.config, /^url must be https:\/\//);
    }
    const smtp = await api(srv.issuer, admin, 'POST', '/providers', {
      name: 'smtp-port', kind: 'email', plugin: 'smtp', config: { host: 'mail.example.test', port: listener.port, security: 'none', from: 'a@example.test' },
    });
    assert.equal(smtp.status, 400);
    assert.match(smtp.json.fields.config, /^port must be 25, 465, 587 or 2525/);
    assert.equal(listener.connections(), 0);
  });

  test('send time: loopback by number or by name is refused before connecting, and the failure is audited', async () => {
    // Accepted when saved (a numeric loopback http:// URL; an https:// host name), refused when used.
    const p = await createProvider(srv.issuer, admin, {
      name: 'sms-loopback', kind: 'sms', plugin: 'http-sms', config: { url: `http://127.0.0.1:${listener.port}/send` },
    });
    const a = await newUser(srv.issuer, admin);
    assert.equal((await api(srv.issuer, a.token, 'POST', '/me/mfa/sms', { phone_number: '+15550100001' })).status, 204);
    assert.equal((await auditEvent(srv.issuer, admin, 'mfa.delivery_failed', a.user.id)).details.provider_id, p.id);

    const moved = await api(srv.issuer, admin, 'PATCH', `/providers/${p.id}`, { config: { url: `https://localhost:${listener.port}/send` } });
    assert.equal(moved.status, 200, JSON.stringify(moved.json));
    const b = await newUser(srv.issuer, admin);
    assert.equal((await api(srv.issuer, b.token, 'POST', '/me/mfa/sms', { phone_number: '+15550100002' })).status, 204);
    await auditEvent(srv.issuer, admin, 'mfa.delivery_failed', b.user.id);
    assert.equal(listener.connections(), 0, 'no request reached the listener');
    assert.match(srv.output(), /outbound connection refused: address=127\.0\.0\.1 is loopback/);
    await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
  });

  test('CR or LF in a header value or an SMTP field is refused when saved', async () => {
    const sms = { name: 'sms-crlf', kind: 'sms', plugin: 'http-sms' };
    const url = 'https://sms.example.test/send';
    const smtp = { name: 'smtp-crlf', kind: 'email', plugin: 'smtp' };
    const mail = { host: 'mail.example.test', port: 587, from: 'a@example.test' };
    for (const body of [
      { ...sms, config: { url, authorization: 'Bearer abc\r\nX-Injected: 1' } },
      { ...sms, config: { url, authorization: 'Bearer abc\nX-Injected: 1' } },
      { ...sms, config: { url, headers: { 'X-Tenant': 'a\r\nX-Injected: 1' } } },
      { ...sms, config: { url, headers: { 'X-Tenant\r\nX-Injected': '1' } } },
      { ...sms, config: { mode: 'twilio', account_sid: 'AC1/../x', auth_token: 't', from: '+15005550006' } },
      { ...smtp, config: { ...mail, from_name: 'Login\r\nBcc: victim@example.test' } },
      { ...smtp, config: { ...mail, subject: 'Code\r\nBcc: victim@example.test' } },
      { ...smtp, config: { ...mail, from: 'a@example.test\r\nRCPT TO:<b@example.test>' } },
      { ...smtp, config: { ...mail, host: 'mail.example.test\r\nHELO x' } },
      { ...smtp, config: { ...mail, username: 'u\r\nAUTH x', password: 'p' } },
    ]) {
      const r = await api(srv.issuer, admin, 'POST', '/providers', body);
      assert.equal(r.status, 400, JSON.stringify(body.config));
      assert.equal(r.json.code, 'AUT-0009');
      assert.ok(r.json.fields.config, JSON.stringify(r.json));
    }
    assert.equal((await api(srv.issuer, admin, 'POST', '/providers', { ...sms, config: { url, authorization: 'Bearer abc', headers: { 'X-Tenant': 'a' } } })).status, 201);
  });
});

describe('outbound_allow_private turned off after a provider was saved', () => {
  test('an SMTP server on localhost and a port that is no mail port: the connection is refused when sending', async () => {
    const listener = await startListener();
    // Saved while private calls were allowed (any port, any address) ...
    const first = await startServer();
    let srv;
    try {
      let admin = await adminToken(first.issuer);
      await createProvider(first.issuer, admin, {
        name: 'smtp-local', kind: 'email', plugin: 'smtp', config: { host: 'localhost', port: listener.port, security: 'none', from: 'a@example.test', timeout_ms: 2000 },
      });
      await first.stop({ keepDir: true });
      // ... and used after the operator turned them off.
      srv = await startServer({ dir: first.dir, port: first.port, env: OFF });
      admin = await adminToken(srv.issuer);
      const a = await newUser(srv.issuer, admin);
      assert.equal((await api(srv.issuer, a.token, 'POST', '/me/mfa/email', { email: 'a@example.test' })).status, 204);
      assert.equal((await auditEvent(srv.issuer, admin, 'mfa.delivery_failed', a.user.id)).details.plugin, 'smtp');
      assert.equal(listener.connections(), 0, 'nothing reached the SMTP listener');
      assert.match(srv.output(), /outbound connection refused: address=(127\.0\.0\.1|::1) is loopback/);
    } finally {
      await (srv ?? first).stop({ keepDir: false });
      await listener.close();
    }
  });
});

describe('outbound_allow_private on (local gateways)', () => {
  let srv; let admin;

  before(async () => {
    // Two HTTP workers, as on a two-core machine: two stuck sends would have held them all.
    srv = await startServer({ env: { PORTCULLIS_THREADS: '2' } });
    admin = await adminToken(srv.issuer);
  });
  after(async () => { await srv?.stop(); });

  test('a PATCH that changes only the URL drops the stored secret: the new gateway never sees it', async () => {
    const old = await startGateway();
    const moved = await startGateway();
    try {
      const p = await createProvider(srv.issuer, admin, {
        name: 'sms-move', kind: 'sms', plugin: 'http-sms',
        config: { url: `${old.url}/send`, authorization: 'Bearer old-secret-123', headers: { 'X-Tenant': 'default' } },
      });
      const shown = (await api(srv.issuer, admin, 'GET', `/providers/${p.id}`)).json.config;
      assert.equal(shown.authorization, '********');
      // What a console sends back: everything as shown, the mask included, with a new URL.
      const r = await api(srv.issuer, admin, 'PATCH', `/providers/${p.id}`, { config: { ...shown, url: `${moved.url}/send` } });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.config.authorization, undefined, 'the secret is gone, and shown absent');
      assert.equal((await api(srv.issuer, admin, 'GET', `/providers/${p.id}`)).json.config.authorization, undefined);
      const a = await newUser(srv.issuer, admin);
      assert.equal((await api(srv.issuer, a.token, 'POST', '/me/mfa/sms', { phone_number: '+15550100003' })).status, 204);
      const deadline = Date.now() + 10000;
      while (moved.requests.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 25));
      assert.equal(moved.requests.length, 1);
      assert.equal(moved.requests[0].headers.authorization, undefined);
      assert.equal(moved.requests[0].headers['x-tenant'], 'default');
      assert.ok(!JSON.stringify(moved.requests).includes('old-secret-123'));
      assert.equal(old.requests.length, 0);
      // Sent again with the new URL, a secret is kept as usual.
      const again = await api(srv.issuer, admin, 'PATCH', `/providers/${p.id}`, { config: { ...shown, url: `${moved.url}/send`, authorization: 'Bearer new-secret-456' } });
      assert.equal(again.json.config.authorization, '********');
      await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
    } finally {
      await old.close();
      await moved.close();
    }
  });

  test('a gateway that never answers stalls neither the server nor the resend throttle', async () => {
    const sockets = new Set();
    const requests = [];
    const silent = createHttpServer((req) => { requests.push(req.url); });
    silent.on('connection', (s) => { sockets.add(s); });
    await new Promise((ok) => silent.listen(0, '127.0.0.1', ok));
    try {
      const p = await createProvider(srv.issuer, admin, {
        name: 'sms-silent', kind: 'sms', plugin: 'http-sms',
        config: { url: `http://127.0.0.1:${silent.address().port}/send`, timeout_ms: 60000 },
      });
      const users = [];
      for (let i = 0; i < 3; i++) users.push(await newUser(srv.issuer, admin));
      // Three sends at once, each answered once queued.
      const enrolments = await Promise.all(users.map((u, i) => fetch(`${srv.issuer}/api/v1/me/mfa/sms`, {
        method: 'POST', headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ phone_number: `+1555010010${i}` }), signal: AbortSignal.timeout(5000),
      })));
      assert.deepEqual(enrolments.map((r) => r.status), [204, 204, 204]);
      const deadline = Date.now() + 10000;
      while (requests.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 25));
      assert.equal(requests.length, 2, 'two sends in flight, held by the gateway');
      // While they hang, the server answers.
      const health = await fetch(`${srv.base}/healthz`, { signal: AbortSignal.timeout(3000) });
      assert.equal(health.status, 200);
      const token = await Promise.race([
        tokenRequest(srv.issuer, ...ADMIN, { grant_type: 'client_credentials' }),
        new Promise((_, fail) => setTimeout(() => fail(new Error('the token endpoint did not answer within 3 s')), 3000)),
      ]);
      assert.equal(token.status, 200);
      // The send fails at the 10 s cap (not the configured 60 s) and counts for the resend throttle.
      const failed = await auditEvent(srv.issuer, admin, 'mfa.delivery_failed', users[0].user.id, 25000);
      assert.equal(failed.details.provider_id, p.id);
      const resend = await api(srv.issuer, users[0].token, 'POST', '/me/mfa/sms', { phone_number: '+15550100100' });
      assert.equal(resend.status, 429);
      assert.ok(Number(resend.headers.get('retry-after')) > 0);
      await api(srv.issuer, admin, 'DELETE', `/providers/${p.id}`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => silent.close(ok));
    }
  });
});
