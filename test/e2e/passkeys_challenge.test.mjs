// SPDX-License-Identifier: Apache-2.0
// Passkeys (issue #19): the login page offers a passkey without making a challenge; the challenge is
// made when the person asks for one (the button, or the browser's conditional UI starting), through
// POST /oauth2/authorize/passkey/options with the page's sealed request and CSRF token. A stranger
// loading the login page writes nothing, a forged call is refused, and the call is rate limited (429).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { adminToken, createApp, freePort, startServer } from './lib/server.mjs';

/** Rows of the single-use challenge table (shared with the consent form nonces). */
function challengeRows(dir) {
  return Number(execFileSync('python3', ['-c',
    'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT count(*) FROM consent_nonces").fetchone()[0])',
    join(dir, 'p.db')]).toString().trim());
}

describe('the login page\'s passkey challenge, on demand', () => {
  let srv; let issuer; let loginUrl; let options;

  before(async () => {
    const port = await freePort();
    // A short window: 20 calls a minute per address make 40 per 60-second window.
    srv = await startServer({ port, env: { PORTCULLIS_PUBLIC_URL: `http://localhost:${port}`, PORTCULLIS_LIMIT_WINDOW: '60' } });
    issuer = srv.issuer;
    options = `${issuer}/oauth2/authorize/passkey/options`;
    const admin = await adminToken(issuer);
    const app = await createApp(issuer, admin, {
      name: 'Difference Engine', type: 'public', grant_types: ['authorization_code'],
      redirect_uris: ['https://app.example.test/cb'],
    });
    loginUrl = `${issuer}/oauth2/authorize?` + new URLSearchParams({
      response_type: 'code', client_id: app.client_id, redirect_uri: 'https://app.example.test/cb', scope: 'openid',
      state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGWSstw-cM', code_challenge_method: 'S256',
    });
  });
  after(async () => { await srv?.stop(); });

  /** The login page as a browser gets it: its form's request and csrf, and the CSRF cookie. */
  async function loginPage() {
    const r = await fetch(loginUrl);
    const html = await r.text();
    assert.equal(r.status, 200, html.slice(0, 300));
    const field = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
    const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    return { html, request: field('request'), csrf: field('csrf'), cookie };
  }

  function askOptions(form, { cookie = form.cookie, csrf = form.csrf } = {}) {
    return fetch(options, {
      method: 'POST', body: new URLSearchParams({ request: form.request, csrf }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    }).then(async (r) => ({ status: r.status, headers: r.headers, json: await r.json() }));
  }

  test('loading the login page 25 times writes no challenge; the page offers the passkey by the endpoint', async () => {
    const before = challengeRows(srv.dir);
    let page;
    for (let i = 0; i < 25; i++) page = await loginPage();
    assert.equal(challengeRows(srv.dir), before, 'no challenge rows from page views');
    assert.match(page.html, /data-passkey-fetch="[^"]*\/oauth2\/authorize\/passkey\/options"/);
    assert.match(page.html, /Sign in with a passkey/);
    assert.doesNotMatch(page.html, /data-passkey-options=/, 'no challenge on the page itself');
  });

  test('asked with the page\'s form, it makes one challenge and seals it into the form\'s request', async () => {
    const form = await loginPage();
    const before = challengeRows(srv.dir);
    const r = await askOptions(form);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(Buffer.from(r.json.publicKey.challenge, 'base64url').length, 32);
    assert.equal(r.json.publicKey.rpId, 'localhost');
    assert.equal(r.json.publicKey.userVerification, 'required');
    assert.ok(r.json.request && r.json.request !== form.request, 'a new sealed request');
    assert.equal(challengeRows(srv.dir), before + 1);
  });

  test('without the page\'s CSRF cookie or with another token it is refused, and writes nothing', async () => {
    const form = await loginPage();
    const before = challengeRows(srv.dir);
    const noCookie = await askOptions(form, { cookie: '' });
    assert.equal(noCookie.status, 400);
    assert.equal(noCookie.json.error, 'invalid_request');
    const otherToken = await askOptions(form, { csrf: 'A'.repeat(43) });
    assert.equal(otherToken.status, 400);
    const json = await fetch(options, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 400);
    assert.equal(challengeRows(srv.dir), before);
  });

  test('an address asking too often is answered 429 with Retry-After', async () => {
    const form = await loginPage();
    let last;
    for (let i = 0; i < 45 && last?.status !== 429; i++) last = await askOptions(form, { cookie: '' });
    assert.equal(last.status, 429, JSON.stringify(last.json));
    assert.equal(last.json.error, 'temporarily_unavailable');
    assert.ok(Number(last.headers.get('retry-after')) > 0);
    // The login page itself still shows (a password sign-in is not held up by the passkey limit).
    assert.equal((await fetch(loginUrl)).status, 200);
  });
});
