// SPDX-License-Identifier: Apache-2.0
// /metrics as Prometheus reads it: every family with HELP and TYPE once, build and process
// metrics, sign-ins by outcome; metrics_listen moves it off the public listener; promtool if present.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ADMIN_PASSWORD, freePort, passwordGrant, startServer } from './lib/server.mjs';

/** Checks the text exposition format; returns {families: Map(name -> {help, type}), samples: [[name, labels, value]]}. */
function parseExposition(text) {
  const families = new Map();
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = line.match(/^# (HELP|TYPE) (\S+) (.+)$/);
    if (meta) {
      const f = families.get(meta[2]) ?? {};
      assert.equal(f[meta[1]], undefined, `# ${meta[1]} ${meta[2]} appears twice`);
      f[meta[1]] = meta[3];
      families.set(meta[2], f);
      continue;
    }
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/);
    assert.ok(m, `not a sample line: ${line}`);
    assert.ok(!Number.isNaN(Number(m[3])) || /^[+-]Inf$/.test(m[3]), line);
    samples.push([m[1], m[2] ?? '', Number(m[3])]);
  }
  for (const [name] of samples) {
    const fam = [...families.keys()].find((f) => name === f || name === `${f}_bucket` || name === `${f}_sum` || name === `${f}_count`);
    assert.ok(fam, `${name} has no # TYPE`);
    assert.ok(families.get(fam).HELP, `${fam} has no # HELP`);
  }
  return { families, samples };
}

const value = (samples, name, labels = '') => samples.find(([n, l]) => n === name && l.includes(labels))?.[2];

describe('metrics', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  test('every family has HELP and TYPE once; build, process and sign-in metrics are there', async () => {
    await passwordGrant(srv.issuer, 'admin', 'wrong-password-1');
    await passwordGrant(srv.issuer, 'nobody-here', 'wrong-password-1');
    assert.equal((await passwordGrant(srv.issuer, 'admin', ADMIN_PASSWORD)).status, 200);
    const text = await (await fetch(`${srv.base}/metrics`)).text();
    const { samples } = parseExposition(text);
    assert.match(text, /^portcullis_build_info\{version="\d+\.\d+\.\d+",commit="[^"]+",schema="\d+"\} 1$/m);
    assert.ok(value(samples, 'process_resident_memory_bytes') > 1e6);
    assert.ok(value(samples, 'process_open_fds') > 3);
    assert.ok(value(samples, 'process_cpu_seconds_total') >= 0);
    const start = value(samples, 'process_start_time_seconds');
    assert.ok(Math.abs(start - Date.now() / 1000) < 600, `start time ${start} is about now`);
    assert.equal(value(samples, 'portcullis_login_failures_total', 'reason="wrong_password"'), 1);
    assert.equal(value(samples, 'portcullis_login_failures_total', 'reason="unknown_user"'), 1);
    assert.equal(value(samples, 'portcullis_login_successes_total', 'method="password"'), 1);
  });

  test('promtool check metrics', async (t) => {
    const probe = spawnSync('promtool', ['--version']);
    if (probe.error) { t.skip('promtool not installed (Debian package prometheus)'); return; }
    const text = await (await fetch(`${srv.base}/metrics`)).text();
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});

describe('metrics_listen', () => {
  let srv; let port;
  before(async () => {
    port = await freePort();
    srv = await startServer({ env: { PORTCULLIS_METRICS_LISTEN: `127.0.0.1:${port}` } });
  });
  after(async () => { await srv?.stop(); });

  test('serves /metrics on its own address and not on the public one', async () => {
    const own = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(own.status, 200);
    assert.match(await own.text(), /^# HELP portcullis_http_requests_total /m);
    assert.equal((await fetch(`${srv.base}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/t/default/.well-known/openid-configuration`)).status, 404);
  });
});
