// SPDX-License-Identifier: Apache-2.0
// A DPoP-bound access token (RFC 9449 §7) is a credential only with a proof of its key, wherever
// the server accepts access tokens: the AuthZEN API and token exchange (RFC 8693) as well as
// userinfo and the management API (dpop.test.mjs). Introspection still reports the binding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, ADMIN_PASSWORD, adminToken, createApp, introspect, jwtPayload, startServer,
} from './lib/server.mjs';
import { dpopKey, dpopTokenRequest, proof } from './lib/dpop.mjs';

const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const adminCli = [ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET];

describe('DPoP-bound tokens wherever access tokens are accepted', () => {
  let srv, issuer, key, bound, unbound, support;

  /** The administrator's token from the password grant, bound to `k` when given. */
  async function adminSignIn(k) {
    const r = await dpopTokenRequest(issuer, adminCli,
      { grant_type: 'password', username: 'admin', password: ADMIN_PASSWORD, scope: 'openid profile' }, k);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json;
  }

  before(async () => {
    srv = await startServer();
    issuer = srv.issuer;
    key = await dpopKey();
    const t = await adminSignIn(key);
    assert.equal(t.token_type, 'DPoP');
    bound = t.access_token;
    unbound = (await adminSignIn()).access_token;
    support = await createApp(issuer, await adminToken(issuer), {
      grant_types: [TE], scopes: ['openid', 'profile'], first_party: true,
    });
  });
  after(async () => { await srv?.stop(); });

  describe('AuthZEN (/access/v1/evaluation)', () => {
    const question = { subject: { type: 'user', id: 'admin' }, action: { name: 'users:read' }, resource: { type: 'users', id: 'x' } };
    const evaluate = async (authorization, dpop) => {
      const r = await fetch(`${issuer}/access/v1/evaluation`, {
        method: 'POST', body: JSON.stringify(question),
        headers: { 'content-type': 'application/json', authorization, ...(dpop ? { dpop } : {}) },
      });
      return { status: r.status, headers: r.headers, json: await r.json() };
    };
    const url = () => `${issuer}/access/v1/evaluation`;

    test('a bound token as a bearer token is 401 with a DPoP challenge', async () => {
      const r = await evaluate(`Bearer ${bound}`);
      assert.equal(r.status, 401, JSON.stringify(r.json));
      assert.match(r.headers.get('www-authenticate'), /DPoP/);
      assert.match(r.json, /DPoP/);
    });

    test('with a fresh proof of its key it is answered; a replayed proof, another key or no ath is 401', async () => {
      const good = await proof(key, 'POST', url(), { token: bound });
      const ok = await evaluate(`DPoP ${bound}`, good);
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(ok.json.decision, true);
      const refused = {
        replayed: good,
        'no proof': undefined,
        'another key': await proof(await dpopKey(), 'POST', url(), { token: bound }),
        'no ath': await proof(key, 'POST', url()),
        'another URL': await proof(key, 'POST', `${issuer}/access/v1/evaluations`, { token: bound }),
      };
      for (const [what, p] of Object.entries(refused))
        assert.equal((await evaluate(`DPoP ${bound}`, p)).status, 401, what);
    });

    test('an unbound token works as a bearer token and is refused under the DPoP scheme', async () => {
      assert.equal((await evaluate(`Bearer ${unbound}`)).status, 200);
      const r = await evaluate(`DPoP ${unbound}`, await proof(key, 'POST', url(), { token: unbound }));
      assert.equal(r.status, 401);
    });
  });

  describe('token exchange (subject_token)', () => {
    const exchange = (subject, k) => dpopTokenRequest(issuer, [support.client_id, support.client_secret],
      { grant_type: TE, subject_token: subject, subject_token_type: AT, scope: 'openid' }, k);

    test('a bound subject_token without a proof, or with a proof of another key, is invalid_grant', async () => {
      for (const [what, k] of [['no proof', undefined], ['another key', await dpopKey()]]) {
        const r = await exchange(bound, k);
        assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
        assert.equal(r.json.error, 'invalid_grant', what);
        assert.match(r.json.error_description, /DPoP/, what);
      }
    });

    test('with a proof of its key it is exchanged for a token bound to the same key, which introspection reports', async () => {
      const r = await exchange(bound, key);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.token_type, 'DPoP');
      assert.equal(r.json.issued_token_type, AT);
      assert.deepEqual(jwtPayload(r.json.access_token).cnf, { jkt: key.jkt });
      const seen = await introspect(issuer, r.json.access_token);
      assert.equal(seen.active, true);
      assert.equal(seen.token_type, 'DPoP');
      assert.deepEqual(seen.cnf, { jkt: key.jkt });
    });

    test('an unbound subject_token is exchanged as before; actor_token stays unsupported', async () => {
      const r = await exchange(unbound);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.token_type, 'Bearer');
      const actor = await dpopTokenRequest(issuer, [support.client_id, support.client_secret],
        { grant_type: TE, subject_token: unbound, subject_token_type: AT, actor_token: bound, actor_token_type: AT }, key);
      assert.equal(actor.status, 400);
      assert.equal(actor.json.error, 'invalid_request');
    });
  });
});
