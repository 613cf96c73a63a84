// SPDX-License-Identifier: Apache-2.0
// Authorization code binding to a DPoP key (RFC 9449 §10): dpop_jkt at the authorization endpoint
// and at PAR, or the DPoP proof of the push itself (§10.1); a bound code is redeemed only with a
// proof of that key (else invalid_grant). Driven by openid-client, with hand-made proofs for MUSTs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { adminToken, createApp, createUser, jwtPayload, signInByForm, startServer } from './lib/server.mjs';
import { dpopKey, proof } from './lib/dpop.mjs';

const insecure = { execute: [client.allowInsecureRequests] };
const redirectUri = 'http://127.0.0.1:9/cb';

describe('DPoP authorization code binding', () => {
  let srv, issuer, user, app, rp;

  before(async () => {
    srv = await startServer();
    issuer = srv.issuer;
    const admin = await adminToken(issuer);
    user = await createUser(issuer, admin);
    app = await createApp(issuer, admin, {
      type: 'public', grant_types: ['authorization_code'], redirect_uris: [redirectUri], first_party: true,
    });
    rp = await client.discovery(new URL(issuer), app.client_id, undefined, client.None(), insecure);
  });
  after(async () => { await srv?.stop(); });

  /** A DPoP handle of openid-client with its key's thumbprint. */
  async function handle() {
    const pair = await client.randomDPoPKeyPair('ES256');
    return { DPoP: client.getDPoPHandle(rp, pair), jkt: await calculateJwkThumbprint(await exportJWK(pair.publicKey)) };
  }

  /** Sign in through an authorization request with `extra` parameters (pushed when `push`). */
  async function codeFor(extra = {}, push) {
    const verifier = client.randomPKCECodeVerifier();
    const params = {
      redirect_uri: redirectUri, scope: 'openid', state: 'st', code_challenge_method: 'S256',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), ...extra,
    };
    const url = push ? await client.buildAuthorizationUrlWithPAR(rp, params, push)
      : client.buildAuthorizationUrl(rp, params);
    return { back: await signInByForm(issuer, url, user), checks: { pkceCodeVerifier: verifier, expectedState: 'st' } };
  }

  const refusedAs = (error) => (e) => e.error === error;

  test('a code asked for with dpop_jkt is redeemed only with a proof of that key', async () => {
    const mine = await handle();
    const thief = await handle();
    let c = await codeFor({ dpop_jkt: mine.jkt });
    await assert.rejects(client.authorizationCodeGrant(rp, c.back, c.checks), refusedAs('invalid_grant'), 'no proof');
    c = await codeFor({ dpop_jkt: mine.jkt });
    await assert.rejects(client.authorizationCodeGrant(rp, c.back, c.checks, undefined, { DPoP: thief.DPoP }),
      refusedAs('invalid_grant'), 'another key');
    c = await codeFor({ dpop_jkt: mine.jkt });
    const tokens = await client.authorizationCodeGrant(rp, c.back, c.checks, undefined, { DPoP: mine.DPoP });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    assert.deepEqual(jwtPayload(tokens.access_token).cnf, { jkt: mine.jkt });
  });

  test('a malformed dpop_jkt goes back to the client as invalid_request', async () => {
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri, scope: 'openid', state: 'st', code_challenge_method: 'S256',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), dpop_jkt: 'not a thumbprint',
    });
    const r = await fetch(url, { redirect: 'manual' });
    assert.ok([302, 303].includes(r.status), `status ${r.status}`);
    const back = new URL(r.headers.get('location'));
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description'), /dpop_jkt/);
  });

  test('the DPoP proof of a pushed request binds the code (openid-client); another key is invalid_grant', async () => {
    const mine = await handle();
    let c = await codeFor({}, { DPoP: mine.DPoP });
    await assert.rejects(client.authorizationCodeGrant(rp, c.back, c.checks, undefined, { DPoP: (await handle()).DPoP }),
      refusedAs('invalid_grant'));
    c = await codeFor({}, { DPoP: mine.DPoP });
    const tokens = await client.authorizationCodeGrant(rp, c.back, c.checks, undefined, { DPoP: mine.DPoP });
    assert.deepEqual(jwtPayload(tokens.access_token).cnf, { jkt: mine.jkt });
  });

  test('a pushed dpop_jkt binds the code without a proof at the push', async () => {
    const mine = await handle();
    let c = await codeFor({ dpop_jkt: mine.jkt }, {});
    await assert.rejects(client.authorizationCodeGrant(rp, c.back, c.checks), refusedAs('invalid_grant'));
    c = await codeFor({ dpop_jkt: mine.jkt }, {});
    const tokens = await client.authorizationCodeGrant(rp, c.back, c.checks, undefined, { DPoP: mine.DPoP });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  });

  test('at PAR, dpop_jkt of another key than the proof, a bad proof or a malformed dpop_jkt is refused', async () => {
    const key = await dpopKey();
    const other = await dpopKey();
    const par = `${issuer}/oauth2/par`;
    const push = async (extra, dpop) => {
      const r = await fetch(par, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop } : {}) },
        body: new URLSearchParams({
          client_id: app.client_id, response_type: 'code', redirect_uri: redirectUri, scope: 'openid',
          code_challenge_method: 'S256', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', ...extra,
        }),
      });
      return { status: r.status, json: await r.json() };
    };
    const cases = [
      ['dpop_jkt of another key', { dpop_jkt: other.jkt }, await proof(key, 'POST', par), 'invalid_request'],
      ['a proof for the token endpoint', {}, await proof(key, 'POST', `${issuer}/oauth2/token`), 'invalid_dpop_proof'],
      ['a malformed dpop_jkt', { dpop_jkt: 'x' }, undefined, 'invalid_request'],
    ];
    for (const [what, extra, dpop, error] of cases) {
      const r = await push(extra, dpop);
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error, error, what);
    }
    const same = await push({ dpop_jkt: key.jkt }, await proof(key, 'POST', par));
    assert.equal(same.status, 201, JSON.stringify(same.json));
  });
});
