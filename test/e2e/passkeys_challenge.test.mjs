// SPDX-License-Identifier: Apache-2.0
// Passkeys (issue #19): the login page offers a passkey without making a challenge; the challenge is
// made when the person asks for one (the button, or the browser's conditional UI starting), through
// POST /oauth2/authorize/passkey/options with the page's sealed request and CSRF token. A stranger
// loading the login page writes nothing, a forged call is refused, and the call is rate limited (429):
// the conditional UI's calls (one per page a person uses) apart from, and more generously than, the button's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { adminToken, createApp, freePort, startServer } from './lib/server.mjs';
import { askPasskeyOptions, loginForm } from './lib/webauthn.mjs';

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
    // A short window: 20 button calls a minute per address make 40 per 60-second window (conditional UI: 240).
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

  const loginPage = () => loginForm(loginUrl);
  const askOptions = (form, opts) => askPasskeyOptions(options, form, opts);

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

  test('many conditional UI calls from one address (a shared NAT) leave the button its own; they too are bounded', async () => {
    const form = await loginPage();
    const before = challengeRows(srv.dir);
    for (let i = 0; i < 60; i++) { // more than the 40 a window allowed all calls together before
      const r = await askOptions(form, { mediation: 'conditional' });
      assert.equal(r.status, 200, `conditional call ${i + 1}: ${JSON.stringify(r.json)}`);
    }
    const button = await askOptions(form);
    assert.equal(button.status, 200, `the button after 60 page loads: ${JSON.stringify(button.json)}`);
    let last; let n = 60;
    while (n < 300 && last?.status !== 429) { last = await askOptions(form, { mediation: 'conditional' }); n++; }
    assert.equal(last.status, 429, `conditional calls are bounded (${n} made)`);
    assert.ok(Number(last.headers.get('retry-after')) > 0);
    assert.equal(n, 241, 'the 241st conditional call of the 60-second window is refused');
    assert.ok(challengeRows(srv.dir) - before <= 241, 'a refused call writes no challenge');
    assert.equal((await askOptions(form)).status, 200, 'the button still answers');
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
