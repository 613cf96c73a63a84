// SPDX-License-Identifier: Apache-2.0
// OIDC Back-Channel Logout 1.0: ending a session posts a signed logout token to each application
// that received tokens of it, from an outbox, retried, without slowing the request that ended it.
// The receiver below verifies every token with jose as a relying party would (§2.6).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { adminToken, api, createApp, createUser, jwtPayload, oauthPost, startServer } from './lib/server.mjs';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A relying party's back-channel endpoint: records what it verified; `plan` says how to answer. */
function receiver() {
  const got = [];
  const plan = {}; // path -> list of statuses to answer in turn (then 200); delayMs
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ path: req.url, type: req.headers['content-type'], token: new URLSearchParams(body).get('logout_token'), at: Date.now() });
      const p = plan[req.url] || {};
      const status = p.statuses?.length ? p.statuses.shift() : 200;
      setTimeout(() => { res.writeHead(status); res.end(); }, p.delayMs || 0);
    });
  });
  return { server, got, plan };
}

async function waitFor(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The code flow by plain HTTP for a first-party confidential app: tokens and the browser cookie. */
async function signIn(issuer, app, user) {
  const verifier = randomBytes(32).toString('base64url');
  const q = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: app.redirect_uris[0], scope: 'openid',
    state: 's', nonce: 'n', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });
  const r = await fetch(`${issuer}/oauth2/authorize?${q}`);
  const html = await r.text();
  const field = (n) => html.match(new RegExp(`name="${n}"[^>]*value="([^"]*)"`))?.[1]
    ?? html.match(new RegExp(`value="([^"]*)"[^>]*name="${n}"`))?.[1];
  const cookies = (x) => (x.headers.getSetCookie?.() || []).map((c) => c.split(';')[0]);
  const jar = cookies(r);
  const login = await fetch(`${issuer}/oauth2/authorize/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.join('; ') },
    body: new URLSearchParams({ request: field('request'), csrf: field('csrf'), username: user.username, password: user.password }),
  });
  assert.ok([302, 303].includes(login.status), await login.text());
  const code = new URL(login.headers.get('location')).searchParams.get('code');
  const t = await oauthPost(issuer, 'token', { grant_type: 'authorization_code', code, redirect_uri: app.redirect_uris[0], code_verifier: verifier },
    [app.client_id, app.client_secret]);
  assert.equal(t.status, 200, JSON.stringify(t.json));
  return { tokens: t.json, cookie: [...jar, ...cookies(login)].join('; ') };
}

describe('back-channel logout', () => {
  let srv, admin, rp, base, jwks, appA, appB, appIdle;

  before(async () => {
    rp = receiver();
    await new Promise((ok) => rp.server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${rp.server.address().port}`;
    srv = await startServer({ env: { PORTCULLIS_WEBHOOK_RETRY_DIVISOR: 100 } });
    admin = await adminToken(srv.issuer);
    jwks = createRemoteJWKSet(new URL(`${srv.issuer}/oauth2/jwks`));
    const app = (name) => createApp(srv.issuer, admin, {
      grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:9/cb'], first_party: true,
      post_logout_redirect_uris: ['http://127.0.0.1:9/bye'], backchannel_logout_uri: `${base}/${name}`,
    });
    [appA, appB, appIdle] = [await app('a'), await app('b'), await app('idle')];
  });
  after(async () => {
    await srv?.stop();
    rp?.server.close();
  });

  /** §2.6: what a relying party checks before it logs anyone out. */
  async function verifyLogoutToken(token, app) {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: srv.issuer, audience: app.client_id, typ: 'logout+jwt', maxTokenAge: '2 minutes',
    });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.deepEqual(payload.events, { [EVENT]: {} });
    assert.equal(payload.nonce, undefined, '§2.4: a logout token never has a nonce');
    assert.equal(typeof payload.jti, 'string');
    assert.equal(typeof payload.sid, 'string');
    return payload;
  }

  test('discovery says back-channel logout is supported, with sid', async () => {
    const meta = await (await fetch(`${srv.issuer}/.well-known/openid-configuration`)).json();
    assert.equal(meta.backchannel_logout_supported, true);
    assert.equal(meta.backchannel_logout_session_supported, true);
  });

  test('an administrator ending the sessions notifies each application of the session, and only them', async () => {
    const user = await createUser(srv.issuer, admin);
    const a = await signIn(srv.issuer, appA, user);
    const b = await signIn(srv.issuer, appB, user);
    const sids = [jwtPayload(a.tokens.id_token).sid, jwtPayload(b.tokens.id_token).sid];
    rp.plan['/a'] = { delayMs: 3000 }; // a slow relying party
    const since = rp.got.length;
    const t0 = Date.now();
    const r = await api(srv.issuer, admin, 'DELETE', `/users/${user.id}/sessions`);
    assert.equal(r.status, 204);
    assert.ok(Date.now() - t0 < 2000, `the request does not wait for the relying parties (${Date.now() - t0} ms)`);
    const got = await waitFor('two logout tokens', () => {
      const mine = rp.got.slice(since);
      return mine.length >= 2 && mine;
    });
    delete rp.plan['/a'];
    const byPath = Object.fromEntries(got.map((g) => [g.path, g]));
    assert.deepEqual(Object.keys(byPath).sort(), ['/a', '/b']);
    assert.match(byPath['/a'].type, /^application\/x-www-form-urlencoded/);
    const pa = await verifyLogoutToken(byPath['/a'].token, appA);
    const pb = await verifyLogoutToken(byPath['/b'].token, appB);
    assert.equal(pa.sub, user.id);
    assert.equal(pa.sid, sids[0]);
    assert.equal(pb.sid, sids[1]);
    // a token for A does not pass as one for B
    await assert.rejects(verifyLogoutToken(byPath['/a'].token, appB));
    assert.ok(!rp.got.some((g) => g.path === '/idle'), 'an application that got no token of the session hears nothing');
  });

  test('a failed delivery is retried until the relying party accepts it', async () => {
    const user = await createUser(srv.issuer, admin);
    const a = await signIn(srv.issuer, appA, user);
    rp.plan['/a'] = { statuses: [500, 503] };
    const since = rp.got.length;
    const r = await api(srv.issuer, admin, 'PATCH', `/users/${user.id}`, { status: 'disabled' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const got = await waitFor('three attempts', () => {
      const mine = rp.got.slice(since).filter((g) => g.path === '/a');
      return mine.length >= 3 && mine;
    });
    const ps = await Promise.all(got.map((g) => verifyLogoutToken(g.token, appA)));
    assert.ok(ps.every((p) => p.sid === jwtPayload(a.tokens.id_token).sid));
    await new Promise((ok) => setTimeout(ok, 300));
    assert.equal(rp.got.slice(since).filter((g) => g.path === '/a').length, 3, 'nothing after the success');
  });

  test('RP-initiated logout and deleting a user notify too', async () => {
    const user = await createUser(srv.issuer, admin);
    const a = await signIn(srv.issuer, appA, user);
    let since = rp.got.length;
    const q = new URLSearchParams({ id_token_hint: a.tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:9/bye' });
    const end = await fetch(`${srv.issuer}/oauth2/end_session?${q}`, { redirect: 'manual', headers: { cookie: a.cookie } });
    assert.ok([302, 303].includes(end.status), `end_session: ${end.status} ${await end.text()}`);
    const one = await waitFor('a logout after end_session', () => rp.got.slice(since).find((g) => g.path === '/a'));
    assert.equal((await verifyLogoutToken(one.token, appA)).sid, jwtPayload(a.tokens.id_token).sid);

    const again = await signIn(srv.issuer, appB, user);
    since = rp.got.length;
    assert.equal((await api(srv.issuer, admin, 'DELETE', `/users/${user.id}`)).status, 204);
    const two = await waitFor('a logout after deletion', () => rp.got.slice(since).find((g) => g.path === '/b'));
    assert.equal((await verifyLogoutToken(two.token, appB)).sid, jwtPayload(again.tokens.id_token).sid);
  });

  test('a backchannel_logout_uri must be an absolute URL the outbound rules allow', async () => {
    const r = await api(srv.issuer, admin, 'POST', '/applications', { name: 'x', backchannel_logout_uri: 'not a url' });
    assert.equal(r.status, 400);
    assert.ok('backchannel_logout_uri' in r.json.fields);
    const ok = await api(srv.issuer, admin, 'GET', `/applications/${appA.id}`);
    assert.equal(ok.json.backchannel_logout_uri, `${base}/a`);
  });
});
