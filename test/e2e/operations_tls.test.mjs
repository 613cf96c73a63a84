// SPDX-License-Identifier: Apache-2.0
// Native HTTPS and IPv6 listening (docs/operations.md): the server speaks TLS with tls_cert_file and
// tls_key_file, takes a renewed certificate on SIGHUP without dropping a request, keeps the old one when
// the new pair is broken, and refuses to start with a key of another certificate or half a pair;
// `listen` and `metrics_listen` take [IPv6]:PORT.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer } from './lib/server.mjs';

const opensslMissing = (() => {
  try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return null; } catch { return 'openssl not installed'; }
})();

/** A self-signed certificate for 127.0.0.1 and its key, written as NAME.crt and NAME.key in dir. */
function makeCert(dir, name) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** GET over HTTPS trusting only `ca`: {status, body, subject} (the served certificate's CN). */
function httpsGet(url, ca) {
  return new Promise((ok, fail) => {
    const req = request(url, { ca, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      const subject = res.socket.getPeerCertificate().subject?.CN;
      res.on('data', (d) => { body += d; });
      res.on('end', () => ok({ status: res.statusCode, body, subject }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', fail);
    req.end();
  });
}

async function until(probe, what, ms = 20000) {
  const t0 = Date.now();
  for (;;) {
    try { if (await probe()) return; } catch { /* not yet */ }
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('native HTTPS', { skip: opensslMissing ?? false }, () => {
  let dir; let first; let second; let srv; let port; let cert; let key;
  const read = (path) => execFileSync('cat', [path]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-tls-'));
    first = makeCert(dir, 'first');
    second = makeCert(dir, 'second');
    cert = join(dir, 'server.crt');
    key = join(dir, 'server.key');
    await copyFile(first.cert, cert);
    await copyFile(first.key, key);
    port = await freePort();
    srv = await startServer({
      port, wait: false,
      env: { PORTCULLIS_TLS_CERT_FILE: cert, PORTCULLIS_TLS_KEY_FILE: key, PORTCULLIS_LOG_LEVEL: 'info' },
    });
    await until(async () => (await httpsGet(`https://127.0.0.1:${port}/readyz`, read(first.cert))).status === 200, 'ready over HTTPS');
  });
  after(async () => {
    await srv?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('serves HTTPS, and the default issuer says https', async () => {
    const r = await httpsGet(`https://127.0.0.1:${port}/t/default/.well-known/openid-configuration`, read(first.cert));
    assert.equal(r.status, 200);
    assert.equal(r.subject, 'first');
    assert.equal(JSON.parse(r.body).issuer, `https://127.0.0.1:${port}/t/default`);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/readyz`), 'no plain HTTP on the TLS listener');
    assert.match(srv.output(), /listening on 127\.0\.0\.1:\d+ \(HTTPS\)/);
  });

  test('SIGHUP takes a renewed certificate; a broken pair leaves the old one serving', async () => {
    await copyFile(second.cert, cert);
    await copyFile(second.key, key);
    srv.child.kill('SIGHUP');
    await until(async () => (await httpsGet(`https://127.0.0.1:${port}/readyz`, read(second.cert))).subject === 'second',
      'the renewed certificate is served');
    assert.match(srv.output(), /TLS certificate reloaded/);

    await copyFile(first.key, key); // the key of another certificate
    srv.child.kill('SIGHUP');
    await until(() => /TLS certificate not reloaded.*does not belong/.test(srv.output()), `the refusal is logged: ${srv.output().slice(-600)}`);
    const still = await httpsGet(`https://127.0.0.1:${port}/readyz`, read(second.cert));
    assert.deepEqual([still.status, still.subject], [200, 'second']);

    await writeFile(cert, 'not a certificate');
    srv.child.kill('SIGHUP');
    await until(() => /cannot read the TLS certificate/.test(srv.output()), 'an unreadable file is logged');
    assert.equal((await httpsGet(`https://127.0.0.1:${port}/readyz`, read(second.cert))).status, 200);
    assert.equal(srv.child.exitCode, null, 'still running');
  });

  test('a key of another certificate, or half a pair, is refused at start with a clear message', async () => {
    for (const [env, message] of [
      [{ PORTCULLIS_TLS_CERT_FILE: first.cert, PORTCULLIS_TLS_KEY_FILE: second.key }, /does not belong to the certificate/],
      [{ PORTCULLIS_TLS_CERT_FILE: first.cert }, /go together/],
      [{ PORTCULLIS_TLS_CERT_FILE: join(dir, 'missing.crt'), PORTCULLIS_TLS_KEY_FILE: first.key }, /cannot read the TLS certificate/],
    ]) {
      const bad = await startServer({ env, wait: false });
      const code = await bad.exited;
      assert.notEqual(code, 0, JSON.stringify(env));
      assert.match(bad.output(), message);
      await bad.stop();
    }
  });
});

describe('IPv6 listening', () => {
  let srv; let port; let metrics;

  before(async () => {
    port = await freePort();
    metrics = await freePort();
    srv = await startServer({
      port, wait: false,
      env: { PORTCULLIS_LISTEN: `[::1]:${port}`, PORTCULLIS_METRICS_LISTEN: `[::1]:${metrics}` },
    });
    await until(async () => (await fetch(`http://[::1]:${port}/readyz`)).status === 200, 'ready on [::1]');
  });
  after(async () => { await srv?.stop(); });

  test('listen and metrics_listen take [IPv6]:PORT; the default issuer keeps the brackets', async () => {
    const d = await (await fetch(`http://[::1]:${port}/t/default/.well-known/openid-configuration`)).json();
    assert.equal(d.issuer, `http://[::1]:${port}/t/default`);
    const m = await fetch(`http://[::1]:${metrics}/metrics`);
    assert.equal(m.status, 200);
    assert.match(await m.text(), /^# HELP portcullis_build_info /m);
  });

  test('an address without brackets or a host name is refused with the expected form', async () => {
    for (const listen of ['::1:8080', 'localhost:8080', '127.0.0.1']) {
      const bad = await startServer({ env: { PORTCULLIS_LISTEN: listen }, wait: false });
      assert.notEqual(await bad.exited, 0, listen);
      assert.match(bad.output(), /must be IPV4:PORT or \[IPV6\]:PORT/, listen);
      await bad.stop();
    }
  });
});
