// SPDX-License-Identifier: Apache-2.0
// Refresh retries within the grace window, sessions that end (session_ttl, idle timeout, a new
// password), and the cache sizes in /metrics. A restart with PORTCULLIS_TEST_CLOCK_OFFSET moves
// the server's clock to expire things without waiting.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, adminToken, api, createUser, get, introspect, passwordGrant,
  startServer, tokenRequest,
} from './lib/server.mjs';

const refresh = (srv, token) => tokenRequest(srv.issuer, ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET,
  { grant_type: 'refresh_token', refresh_token: token });

async function signIn(srv, user) {
  const r = await passwordGrant(srv.issuer, user.username, user.password, 'openid profile');
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json;
}

async function refreshed(srv, token) {
  const r = await refresh(srv, token);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(typeof r.json.refresh_token, 'string');
  return r.json;
}

async function refused(srv, token, why) {
  const r = await refresh(srv, token);
  assert.equal(r.status, 400, `${why}: ${JSON.stringify(r.json)}`);
  assert.equal(r.json.error, 'invalid_grant', why);
  assert.equal(r.json.access_token, undefined, why);
}

/** The same store and port (so the same issuer), with the clock moved `offset` seconds on. */
async function restart(srv, env, offset) {
  await srv.stop({ keepDir: true });
  return startServer({ dir: srv.dir, port: srv.port, env: { ...env, PORTCULLIS_TEST_CLOCK_OFFSET: offset } });
}

describe('sessions and tokens', () => {
  const servers = [];
  after(async () => {
    for (const s of servers) await s.stop({ keepDir: false });
  });

  async function fresh(env = {}) {
    const srv = await startServer({ env });
    servers.push(srv);
    const user = await createUser(srv.issuer, await adminToken(srv.issuer));
    return { srv, user };
  }

  test('a refresh retried with the replaced token within the grace gives a working pair; after it, the chain is revoked', async () => {
    const env = { PORTCULLIS_REFRESH_GRACE: 30 };
    let { srv, user } = await fresh(env);
    const first = await signIn(srv, user);
    // The rotation commits but its answer is lost: the client still holds `first`.
    const lost = await refreshed(srv, first.refresh_token);
    const retry = await refreshed(srv, first.refresh_token);
    assert.notEqual(retry.refresh_token, lost.refresh_token);
    assert.equal((await introspect(srv.issuer, retry.access_token)).active, true);
    assert.equal((await introspect(srv.issuer, retry.refresh_token)).active, true);
    // The chain goes on from the retry's token.
    const next = await refreshed(srv, retry.refresh_token);
    assert.equal((await introspect(srv.issuer, next.access_token)).active, true);

    // Past the window the replaced token is a replay again: the whole chain goes.
    const again = await refreshed(srv, next.refresh_token);
    srv = await restart(srv, env, 31);
    servers[servers.length - 1] = srv;
    await refused(srv, next.refresh_token, 'the replaced token after the grace');
    await refused(srv, again.refresh_token, 'the chain after a replay');
    assert.equal((await introspect(srv.issuer, again.access_token)).active, false);
  });

  test('the successor whose answer was lost stops working once a retry replaced it', async () => {
    const { srv, user } = await fresh();
    const first = await signIn(srv, user);
    const lost = await refreshed(srv, first.refresh_token);
    const retry = await refreshed(srv, first.refresh_token);
    await refused(srv, lost.refresh_token, 'the lost successor');
    assert.equal((await introspect(srv.issuer, lost.refresh_token)).active, false);
    // Someone held the lost token after all: that is a replay, and the grant is cut.
    await refused(srv, retry.refresh_token, 'the chain after the lost token came back');
  });

  test('with refresh_grace 0 the replaced token revokes the chain at once', async () => {
    const { srv, user } = await fresh({ PORTCULLIS_REFRESH_GRACE: 0 });
    const first = await signIn(srv, user);
    const second = await refreshed(srv, first.refresh_token);
    await refused(srv, first.refresh_token, 'no grace');
    await refused(srv, second.refresh_token, 'the chain after a replay');
  });

  test('a refresh after session_ttl is invalid_grant', async () => {
    const env = { PORTCULLIS_SESSION_TTL: 120 };
    let { srv, user } = await fresh(env);
    const tokens = await signIn(srv, user);
    const early = await refreshed(srv, tokens.refresh_token);
    srv = await restart(srv, env, 121);
    servers[servers.length - 1] = srv;
    // The refresh token itself lives 30 days; its session did not.
    await refused(srv, early.refresh_token, 'past session_ttl');
    assert.equal((await introspect(srv.issuer, early.refresh_token)).active, false);
  });

  test('a session unused for session_idle_ttl ends; a refresh counts as use', async () => {
    const env = { PORTCULLIS_SESSION_IDLE_TTL: 300 };
    let { srv, user } = await fresh(env);
    const used = await signIn(srv, user);
    const idle = await signIn(srv, user);
    srv = await restart(srv, env, 200);
    servers[servers.length - 1] = srv;
    const kept = await refreshed(srv, used.refresh_token);
    srv = await restart(srv, env, 450);
    servers[servers.length - 1] = srv;
    // 250 s since its last use: still alive. 450 s since the other was opened: ended.
    await refreshed(srv, kept.refresh_token);
    await refused(srv, idle.refresh_token, 'idle past session_idle_ttl');
  });

  test('changing one\'s own password ends the other sessions and their tokens, not the caller\'s', async () => {
    const { srv, user } = await fresh();
    const mine = await signIn(srv, user);
    const other = await signIn(srv, user);
    const otherNext = await refreshed(srv, other.refresh_token);
    const r = await api(srv.issuer, mine.access_token, 'PUT', '/me/password',
      { current_password: user.password, new_password: 'Another-Horse-42' });
    assert.equal(r.status, 204, JSON.stringify(r.json));

    await refused(srv, otherNext.refresh_token, 'the other session after a password change');
    assert.equal((await introspect(srv.issuer, otherNext.access_token)).active, false);
    assert.equal((await introspect(srv.issuer, other.access_token)).active, false);
    // The caller's session goes on: its access token, and its refresh token.
    assert.equal((await introspect(srv.issuer, mine.access_token)).active, true);
    assert.equal((await api(srv.issuer, mine.access_token, 'GET', '/me')).status, 200);
    const myNext = await refreshed(srv, mine.refresh_token);
    assert.equal((await introspect(srv.issuer, myNext.access_token)).active, true);
  });

  test('/metrics shows the entries and bytes of the token, permission and application caches', async () => {
    const { srv, user } = await fresh();
    const tokens = await signIn(srv, user);
    assert.equal((await introspect(srv.issuer, tokens.access_token)).active, true);
    assert.equal((await api(srv.issuer, tokens.access_token, 'GET', '/me/permissions')).status, 200);
    const m = await get(`${srv.base}/metrics`);
    assert.equal(m.status, 200);
    const value = (name, cache) => {
      const line = m.json.split('\n').find((l) => l.startsWith(`${name}{cache="${cache}"} `));
      assert.ok(line, `${name}{cache="${cache}"} in /metrics`);
      return Number(line.split(' ')[1]);
    };
    assert.ok(value('portcullis_cache_entries', 'token') >= 1);
    assert.ok(value('portcullis_cache_bytes', 'token') > 0);
    assert.equal(value('portcullis_cache_max_bytes', 'token'), 16 * 1024 * 1024);
    assert.ok(value('portcullis_cache_entries', 'permission') >= 1);
    assert.ok(value('portcullis_cache_bytes', 'application') > 0);
  });
});
