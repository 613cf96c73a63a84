// SPDX-License-Identifier: Apache-2.0
// /metrics as Prometheus reads it: every family with HELP and TYPE once, build and process
// metrics, sign-ins by outcome, MFA verifications, the store's pool and query latency, cache hits,
// the change feed's age; metrics_listen moves it off the public listener; promtool.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, api, createUser, freePort, passwordGrant, startServer } from './lib/server.mjs';
import { enrolTotp, mfaGrant, totpAt, userToken } from './lib/mfa.mjs';

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

  test('MFA verifications by method and outcome, store pool and latency, cache lookups, change feed', async () => {
    const admin = await adminToken(srv.issuer);
    const user = await createUser(srv.issuer, admin);
    const secret = await enrolTotp(srv.issuer, await userToken(srv.issuer, user, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET]));
    const step = await passwordGrant(srv.issuer, user.username, user.password);
    assert.equal(step.json.error, 'mfa_required');
    const wrong = await mfaGrant(srv.issuer, [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET], step.json.mfa_token, 'totp', '000000' === totpAt(secret, 1) ? '111111' : '000000');
    assert.equal(wrong.status, 400);
    for (let i = 0; i < 3; i++) assert.equal((await api(srv.issuer, admin, 'GET', '/users?limit=1')).status, 200);
    // A change every node must hear of: an entry in the change feed.
    assert.equal((await api(srv.issuer, admin, 'PATCH', `/users/${user.id}`, { attributes: { tier: 'gold' } })).status, 200);
    const { samples } = parseExposition(await (await fetch(`${srv.base}/metrics`)).text());
    assert.equal(value(samples, 'portcullis_mfa_verifications_total', 'method="totp",outcome="success"'), 1, 'the enrolment');
    assert.equal(value(samples, 'portcullis_mfa_verifications_total', 'method="totp",outcome="failure"'), 1, 'the wrong code');
    assert.ok(value(samples, 'portcullis_store_query_duration_seconds_count', 'statement="SELECT"') > 10);
    assert.ok(value(samples, 'portcullis_store_query_duration_seconds_count', 'statement="INSERT"') > 0);
    assert.ok(value(samples, 'portcullis_store_query_duration_seconds_sum', 'statement="SELECT"') > 0);
    assert.ok(value(samples, 'portcullis_store_pool_connections', 'driver="sqlite"') >= 1);
    assert.ok(value(samples, 'portcullis_store_pool_in_use', 'driver="sqlite"') >= 0);
    const hits = samples.filter(([n]) => n === 'portcullis_cache_hits_total').reduce((a, [, , v]) => a + v, 0);
    const misses = samples.filter(([n]) => n === 'portcullis_cache_misses_total').reduce((a, [, , v]) => a + v, 0);
    assert.ok(hits > 0 && misses > 0, `hits ${hits}, misses ${misses}: repeated calls hit, first ones miss`);
    const age = value(samples, 'portcullis_change_feed_age_seconds');
    assert.ok(age >= 0 && age < 10, `the feed was read ${age} s ago`);
    assert.ok(value(samples, 'portcullis_change_feed_position') > 0);
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
