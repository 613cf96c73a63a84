// SPDX-License-Identifier: Apache-2.0
// Sign-in throttling cannot be turned against the account's owner: failures lock the account at
// the failing address only; past a global ceiling the account is slowed, never locked for the
// window, and an address where the owner signed in before is not slowed at all.
// Requests come from different loopback addresses (127.0.0.0/8 is all loopback on Linux).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, basic, createUser, startServer,
} from './lib/server.mjs';

let srv; let admin;

before(async () => {
  srv = await startServer({
    env: { PORTCULLIS_LIMIT_ACCOUNT: 3, PORTCULLIS_LIMIT_ACCOUNT_GLOBAL: 6, PORTCULLIS_LIMIT_ADDRESS: 1000 },
  });
  admin = await adminToken(srv.issuer);
});
after(async () => { await srv?.stop(); });

/** A password grant sent from the loopback address `from`; returns {status, retryAfter, json}. */
function passwordFrom(from, username, password) {
  const payload = new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid' }).toString();
  const url = new URL(`${srv.issuer}/oauth2/token`);
  return new Promise((ok, fail) => {
    const rq = request({
      host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from,
      headers: {
        'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(payload),
        authorization: basic(ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET),
      },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => ok({ status: res.statusCode, retryAfter: Number(res.headers['retry-after']), json: JSON.parse(text || '{}') }));
    });
    rq.on('error', fail);
    rq.end(payload);
  });
}

describe('sign-in throttling', () => {
  test('failures lock the account at the failing address only', async () => {
    const u = await createUser(srv.issuer, admin);
    for (let i = 0; i < 3; i += 1) assert.equal((await passwordFrom('127.0.0.2', u.username, `wrong-${i}-pass`)).status, 400);
    const locked = await passwordFrom('127.0.0.2', u.username, u.password);
    assert.equal(locked.status, 429, 'the attacking address is locked, even with the right password');
    assert.ok(locked.retryAfter > 0);
    const owner = await passwordFrom('127.0.0.3', u.username, u.password);
    assert.equal(owner.status, 200, `the owner elsewhere signs in: ${JSON.stringify(owner.json)}`);
    const events = (await api(srv.issuer, admin, 'GET', '/audit?type=login.locked&limit=20')).json.items;
    assert.ok(events.some((e) => e.subject === u.id && e.ip === '127.0.0.2'));
  });

  test('past the global ceiling the account is slowed, not locked, and known addresses pass', async () => {
    const u = await createUser(srv.issuer, admin);
    // The owner signs in once from home.
    assert.equal((await passwordFrom('127.0.1.1', u.username, u.password)).status, 200);
    // A spread-out attack: two failures each from three addresses reach the ceiling of 6.
    for (const ip of ['127.0.2.1', '127.0.2.2', '127.0.2.3']) {
      for (let i = 0; i < 2; i += 1) assert.equal((await passwordFrom(ip, u.username, `guess-${ip}-${i}`)).status, 400);
    }
    const slowed = await passwordFrom('127.0.2.4', u.username, 'another-guess');
    assert.equal(slowed.status, 429, 'a new address must wait');
    assert.ok(slowed.retryAfter >= 1 && slowed.retryAfter <= 60, `a short delay, not the window: ${slowed.retryAfter}`);
    assert.equal(slowed.json.error, 'temporarily_unavailable');
    // Home is not slowed.
    assert.equal((await passwordFrom('127.0.1.1', u.username, u.password)).status, 200);
    // Anywhere else the right password works once the short delay has passed.
    let r;
    for (const deadline = Date.now() + 15000; Date.now() < deadline;) {
      r = await passwordFrom('127.0.2.5', u.username, u.password);
      if (r.status === 200) break;
      assert.equal(r.status, 429);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    assert.equal(r.status, 200, 'the account was never locked for the window');
    const events = (await api(srv.issuer, admin, 'GET', '/audit?type=login.slowed&limit=20')).json.items;
    assert.ok(events.some((e) => e.subject === u.id), 'the slowdown is audited');
  });
});
