// SPDX-License-Identifier: Apache-2.0
// Access log, request ids and trusted proxies: forwarding headers are believed only from the
// proxies named in trusted_proxies, and every request leaves one log line without secrets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import {
  ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, api, runCli, startServer, tempDir,
} from './lib/server.mjs';
import { rm } from 'node:fs/promises';

/** A raw password grant with extra headers; resolves {status, headers}. */
function rawToken(srv, headers, password = 'wrong-password-1') {
  const body = new URLSearchParams({ grant_type: 'password', username: 'admin', password, scope: 'openid' }).toString();
  return new Promise((ok, fail) => {
    const req = request(`${srv.issuer}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body),
        authorization: 'Basic ' + Buffer.from(`admin-cli:${ADMIN_CLIENT_SECRET}`).toString('base64'), ...headers,
      },
    }, (res) => { res.resume(); res.on('end', () => ok({ status: res.statusCode, headers: res.headers })); });
    req.on('error', fail);
    req.end(body);
  });
}

async function lastFailureIp(srv) {
  const r = await api(srv.issuer, await adminToken(srv.issuer), 'GET', '/audit?type=login.failed');
  assert.equal(r.status, 200);
  return r.json.items[0]?.ip;
}

/** The JSON log lines of a server so far. */
const jsonLines = (srv) => srv.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

/** Waits until a log line satisfies `pred` (lines are written after the answer is sent). */
async function waitLine(srv, pred) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = jsonLines(srv).find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no such log line in:\n${srv.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('behind no trusted proxy', () => {
  let srv;
  before(async () => { srv = await startServer({ env: { PORTCULLIS_LOG_LEVEL: 'info', PORTCULLIS_LOG_FORMAT: 'json' } }); });
  after(async () => { await srv?.stop(); });

  test('X-Forwarded-For, Forwarded and X-Request-Id from the peer are ignored', async () => {
    const r = await rawToken(srv, {
      'x-forwarded-for': '203.0.113.7', forwarded: 'for=198.51.100.4', 'x-request-id': 'chosen-by-client',
    });
    assert.equal(r.status, 400);
    assert.match(r.headers['x-request-id'], /^[0-9a-f]{32}$/, 'a generated request id is echoed');
    assert.equal(await lastFailureIp(srv), '127.0.0.1', 'the audit records the peer');
    const line = await waitLine(srv, (l) => l.request_id === r.headers['x-request-id'] && l.msg === 'access');
    assert.equal(line.ip, '127.0.0.1');
  });

  test('one access line per request, with its fields and no secret', async () => {
    const r = await rawToken(srv, {}, ADMIN_PASSWORD);
    assert.equal(r.status, 200);
    const id = r.headers['x-request-id'];
    const line = await waitLine(srv, (l) => l.request_id === id && l.msg === 'access');
    assert.equal(line.method, 'POST');
    assert.equal(line.route, 'token');
    assert.equal(line.status, 200);
    assert.equal(line.tenant, 'default');
    assert.equal(line.client_id, 'admin-cli');
    assert.equal(typeof line.duration_ms, 'number');
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(jsonLines(srv).filter((l) => l.request_id === id && l.msg === 'access').length, 1);
    for (const secret of [ADMIN_PASSWORD, ADMIN_CLIENT_SECRET]) assert.ok(!srv.output().includes(secret), 'no secret is logged');
    const tokens = await (await fetch(`${srv.issuer}/.well-known/openid-configuration`)).json();
    assert.ok(tokens.issuer);
  });
});

describe('behind a trusted proxy', () => {
  let srv;
  before(async () => {
    srv = await startServer({ env: { PORTCULLIS_LOG_LEVEL: 'info', PORTCULLIS_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' } });
  });
  after(async () => { await srv?.stop(); });

  test('the forwarded client is audited and the proxy\'s request id echoed and logged', async () => {
    const r = await rawToken(srv, { 'x-forwarded-for': '203.0.113.7, 10.1.2.3', 'x-request-id': 'proxy-req-42' });
    assert.equal(r.status, 400);
    assert.equal(r.headers['x-request-id'], 'proxy-req-42');
    assert.equal(await lastFailureIp(srv), '203.0.113.7', 'trusted hops are skipped from the right');
    const deadline = Date.now() + 5000;
    while (!/request_id=proxy-req-42 access method=POST route=token status=400 /.test(srv.output())) {
      assert.ok(Date.now() < deadline, `no text access line in:\n${srv.output()}`);
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.match(srv.output(), /request_id=proxy-req-42 access .*ip=203\.0\.113\.7 tenant=default client_id=admin-cli/);
    // The audit event is on the log too, with its tenant and the request's id.
    assert.match(srv.output(), /request_id=proxy-req-42 audit tenant=[0-9a-f-]{36} type=login\.failed actor=\S+ subject=\S+ ip=203\.0\.113\.7/);
  });

  test('Forwarded (RFC 7239) is preferred, and a forged leftmost entry does not win', async () => {
    await rawToken(srv, { forwarded: 'for=192.0.2.1, for="[2001:db8::5]:443";proto=https, for=10.9.9.9' });
    assert.equal(await lastFailureIp(srv), '2001:db8::5');
  });

  test('an invalid X-Request-Id is replaced', async () => {
    const r = await rawToken(srv, { 'x-request-id': 'bad id with spaces' });
    assert.match(r.headers['x-request-id'], /^[0-9a-f]{32}$/);
  });
});

describe('settings', () => {
  test('a bad trusted_proxies entry or log_format stops the server with a message', async () => {
    const dir = await tempDir();
    try {
      const bad = await startServer({ dir, wait: false, env: { PORTCULLIS_TRUSTED_PROXIES: '10.0.0.0/33' } });
      assert.equal(await bad.exited, 1);
      assert.match(bad.output(), /PORTCULLIS_TRUSTED_PROXIES: "10\.0\.0\.0\/33" is not an address or CIDR block/);
      const fmt = await runCli(['migrate'], { dir, env: { PORTCULLIS_LOG_FORMAT: 'xml' } });
      assert.equal(fmt.code, 1);
      assert.match(fmt.stderr, /PORTCULLIS_LOG_FORMAT must be text or json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
