// SPDX-License-Identifier: Apache-2.0
// A stranger cannot hold the HTTP layer: many-field forms, oversized bodies, NUL bytes,
// many connections from one address, slowly trickled requests; and the signals an
// operator sends (SIGHUP keeps running, SIGTERM drains with Connection: close).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, basic, get, startServer,
} from './lib/server.mjs';

/** Polls `check` until it returns a truthy value or `ms` pass. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A raw TCP connection: everything received is kept in `data`, `closed` resolves when
 * the server ends it. `localAddress` picks the client address.
 */
function rawConnection(port, { localAddress } = {}) {
  return new Promise((ok, fail) => {
    const sock = connect({ port, host: '127.0.0.1', localAddress });
    const conn = { sock, data: '', isClosed: false };
    conn.closed = new Promise((r) => sock.on('close', () => { conn.isClosed = true; r(); }));
    sock.on('data', (d) => { conn.data += d.toString('latin1'); });
    sock.on('error', () => { /* a reset counts as closed */ });
    sock.once('connect', () => ok(conn));
    sock.once('error', fail);
  });
}

/** Waits until `conn.data` holds a whole response (head, and Content-Length body bytes). */
function response(conn, ms = 10000) {
  return until(() => {
    const end = conn.data.indexOf('\r\n\r\n');
    if (end < 0) return conn.isClosed ? { closedEarly: true } : null;
    const head = conn.data.slice(0, end);
    const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (conn.data.length < end + 4 + len) return null;
    const body = conn.data.slice(end + 4, end + 4 + len);
    conn.data = conn.data.slice(end + 4 + len);
    return { status: Number(head.split(' ')[1]), head, body };
  }, ms, 'a response');
}

const withTimeout = (p, ms, what) => Promise.race([
  p, new Promise((_, fail) => setTimeout(() => fail(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
]);

/** Form fields f0..f(n-1) as a urlencoded body. */
const manyFields = (n) => Array.from({ length: n }, (_, i) => `f${i}=v`).join('&');

const tokenHeaders = {
  'content-type': 'application/x-www-form-urlencoded',
  authorization: basic(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET),
};

describe('forms, bodies and NUL bytes', () => {
  let srv, issuer, admin;

  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_MAX_BODY: 1048576, PORTCULLIS_LOG_LEVEL: 'info' } });
    issuer = srv.issuer;
    admin = await adminToken(issuer);
  });
  after(async () => { await srv?.stop(); });

  test('a form with more than 1,000 fields is 400 invalid_request; 1,000 are fine', async () => {
    const ok = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST', headers: tokenHeaders, body: `grant_type=client_credentials&${manyFields(999)}`,
    });
    assert.equal(ok.status, 200, await ok.text());
    const r = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST', headers: tokenHeaders, body: `grant_type=client_credentials&${manyFields(1000)}`,
    });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'invalid_request');
  });

  test('32,000 fields are refused at once while others are served', async () => {
    const body = manyFields(32000); // 277 KB, under this server's 1 MiB body limit
    const t0 = Date.now();
    const [big, health] = await Promise.all([
      fetch(`${issuer}/oauth2/token`, { method: 'POST', headers: tokenHeaders, body }),
      get(`${srv.base}/healthz`),
    ]);
    const ms = Date.now() - t0;
    assert.equal(big.status, 400);
    assert.equal((await big.json()).error, 'invalid_request');
    assert.equal(health.status, 200);
    assert.ok(ms < 2000, `answered in ${ms} ms (the quadratic parse took seconds)`);
  });

  test('an oversized Content-Length is 413 before any body byte is sent', async () => {
    const c = await rawConnection(srv.port);
    c.sock.write('POST /t/default/oauth2/token HTTP/1.1\r\nHost: x\r\n'
      + 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\n');
    const r = await response(c, 5000);
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).error, 'invalid_request');
    assert.match(r.head, /\r\nx-request-id: [0-9a-f]{32}\r\n/i, 'the refusal has a request id like any answer');
    c.sock.destroy();
  });

  test('too many header fields or cookies is 431 with a request id, and leaves an access line', async () => {
    const fields = Array.from({ length: 101 }, (_, i) => `X-F${i}: v\r\n`).join('');
    const cookies = `Cookie: ${Array.from({ length: 201 }, (_, i) => `c${i}=v`).join('; ')}\r\n`;
    for (const [what, extra] of [['101 header fields', fields], ['201 cookies', cookies]]) {
      const c = await rawConnection(srv.port);
      c.sock.write(`GET /t/default/.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n${extra}\r\n`);
      const r = await response(c, 5000);
      c.sock.destroy();
      assert.equal(r.status, 431, what);
      assert.deepEqual(JSON.parse(r.body), { error: 'invalid_request', error_description: 'too many header fields' }, what);
      const id = /\r\nx-request-id: ([0-9a-f]{32})\r\n/i.exec(r.head)?.[1];
      assert.ok(id, `${what}: the refusal has a request id like any answer:\n${r.head}`);
      await until(() => srv.output().split('\n').some((l) => l.includes(id) && /\b431\b/.test(l) && l.includes('access')),
        5000, `${what}: an access line with status 431 and request id ${id}`);
    }
  });

  test('%00 in a form value is 400 invalid_request at the token endpoint', async () => {
    const r = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST', headers: tokenHeaders, body: 'grant_type=client_credentials&scope=openid%00admin',
    });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'invalid_request');
  });

  test('a parameter sent twice is 400 invalid_request (RFC 6749 §3.1); resource may repeat', async () => {
    const twice = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST', headers: tokenHeaders, body: 'grant_type=client_credentials&scope=openid&scope=profile',
    });
    assert.equal(twice.status, 400);
    const j = await twice.json();
    assert.equal(j.error, 'invalid_request');
    assert.match(j.error_description, /scope/);
    const once = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST', headers: tokenHeaders, body: 'grant_type=client_credentials&scope=openid',
    });
    assert.equal(once.status, 200);
    const resources = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST', headers: tokenHeaders,
      body: 'grant_type=client_credentials&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example',
    });
    assert.notEqual((await resources.json()).error, 'invalid_request', 'resource is not refused for repeating');
    const page = await fetch(`${issuer}/oauth2/authorize?client_id=admin-cli&client_id=other&response_type=code`);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /more than once/);
  });

  test('%00 in form-urlencoded Basic credentials is 400, not a shortened client_id', async () => {
    // 'admin-cli%00anything' used to authenticate as admin-cli.
    for (const [id, secret] of [[`${ADMIN_CLIENT_ID}%00x`, ADMIN_CLIENT_SECRET], [ADMIN_CLIENT_ID, `${ADMIN_CLIENT_SECRET}%00x`]]) {
      const r = await fetch(`${issuer}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      assert.equal(r.status, 400, id);
      assert.equal((await r.json()).error, 'invalid_request');
    }
  });

  test('a query string with more than 1,000 fields is answered 400, not left hanging', async () => {
    const query = (n) => Array.from({ length: n }, (_, i) => `field${i}=value${i}`).join('&');
    const ok = await fetch(`${issuer}/.well-known/openid-configuration?${query(1000)}`);
    assert.equal(ok.status, 200);
    const over = await fetch(`${issuer}/.well-known/openid-configuration?${query(1001)}`);
    assert.equal(over.status, 400);
    assert.equal((await over.json()).error, 'invalid_request');
  });

  test('%00 in a query value is 400 AUT-0009 under /api/v1, an error page on pages', async () => {
    const r = await api(issuer, admin, 'GET', '/users?q=ad%00zzz');
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'AUT-0009');
    const p = await fetch(`${issuer}/oauth2/authorize?client_id=admin-cli%00&response_type=code`);
    assert.equal(p.status, 400);
    assert.match(p.headers.get('content-type'), /text\/html/);
  });

  test('SIGHUP keeps the server running and says so in the log', async () => {
    srv.child.kill('SIGHUP');
    await until(() => /SIGHUP/.test(srv.output()), 10000, 'the SIGHUP log line');
    assert.equal((await get(`${srv.base}/healthz`)).status, 200);
    assert.equal(srv.child.exitCode, null);
  });

  test('while draining on SIGTERM, a kept-alive connection is answered with Connection: close', async () => {
    const kept = await rawConnection(srv.port);
    kept.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const first = await response(kept);
    assert.equal(first.status, 200);
    assert.doesNotMatch(first.head, /connection:\s*close/i);
    // A request whose head has arrived (the 100 Continue proves it) keeps the server draining.
    const slow = await rawConnection(srv.port);
    const form = 'grant_type=client_credentials';
    slow.sock.write('POST /t/default/oauth2/token HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n'
      + `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n`
      + `Authorization: ${tokenHeaders.authorization}\r\n\r\n`);
    await until(() => slow.data.includes('100 Continue'), 10000, '100 Continue');
    slow.data = '';
    srv.child.kill('SIGTERM');
    await until(() => /no longer accepting/.test(srv.output()), 10000, 'the drain log line');
    kept.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = await response(kept);
    assert.equal(second.status, 200);
    assert.match(second.head, /\r\nconnection:\s*close/i);
    await withTimeout(kept.closed, 10000, 'the kept-alive connection to close');
    slow.sock.write(form);
    const last = await response(slow);
    assert.equal(last.status, 200);
    assert.match(last.head, /\r\nconnection:\s*close/i);
    assert.equal(await withTimeout(srv.exited, 15000, 'the server to exit'), 0);
  });
});

describe('connections per client address', () => {
  let srv;

  before(async () => { srv = await startServer({ env: { PORTCULLIS_MAX_CONNECTIONS_PER_IP: 4 } }); });
  after(async () => { await srv?.stop(); });

  test('past the limit one address is refused while another is served', async () => {
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await rawConnection(srv.port));
    const extra = await rawConnection(srv.port);
    extra.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await withTimeout(extra.closed, 10000, 'the fifth connection to be refused');
    assert.doesNotMatch(extra.data, /^HTTP\/1\.1 200/);

    const other = await rawConnection(srv.port, { localAddress: '127.0.0.2' });
    other.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal((await response(other)).status, 200);

    held[0].sock.destroy();
    await until(async () => {
      const again = await rawConnection(srv.port);
      again.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const r = await response(again);
      again.sock.destroy();
      return r.status === 200;
    }, 10000, 'a slot for 127.0.0.1 after one connection closed');
    for (const c of held) c.sock.destroy();
  });
});

describe('a deadline for reading a request', () => {
  let srv;

  before(async () => { srv = await startServer({ env: { PORTCULLIS_REQUEST_READ_TIMEOUT: 2 } }); });
  after(async () => { await srv?.stop(); });

  test('a connection trickling header bytes is closed by the deadline', async () => {
    const c = await rawConnection(srv.port);
    const t0 = Date.now();
    c.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let i = 0;
    const trickle = setInterval(() => { if (!c.isClosed) c.sock.write(`X-Slow-${i++}: y\r\n`); }, 200);
    try {
      await withTimeout(c.closed, 15000, 'the slow connection to be closed');
    } finally {
      clearInterval(trickle);
    }
    const ms = Date.now() - t0;
    assert.ok(ms >= 1500, `closed after ${ms} ms, not before the 2 s deadline`);
    assert.equal(c.data, '', 'no answer to a request never completed');
    assert.equal((await get(`${srv.base}/healthz`)).status, 200);
  });
});
