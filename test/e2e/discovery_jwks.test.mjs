// SPDX-License-Identifier: Apache-2.0
// Discovery (OIDC Discovery 1.0, RFC 8414) and the key set (RFC 7517).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, get, runCli, startServer } from './lib/server.mjs';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
// The grant plugins every build has; more may be loaded (authorization_code, ...).
const BASE_GRANTS = ['client_credentials', 'password', 'refresh_token'];
const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri',
  'introspection_endpoint', 'revocation_endpoint'];

describe('discovery and JWKS', () => {
  let srv;
  let loadedGrants;
  before(async () => {
    srv = await startServer();
    // The grant plugins the same plugin directory offers, as `portcullis plugins` lists them.
    const r = await runCli(['plugins'], { dir: srv.dir });
    assert.equal(r.code, 0, r.stderr);
    loadedGrants = r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((row) => row[0] === 'grant').map((row) => row[1]).sort();
  });
  after(async () => { await srv?.stop(); });

  test('openid-client discovers the default tenant', async () => {
    const config = await client.discovery(new URL(srv.issuer), ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET, undefined,
      { execute: [client.allowInsecureRequests] });
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, srv.issuer);
    assert.equal(meta.token_endpoint, `${srv.issuer}/oauth2/token`);
    assert.equal(meta.jwks_uri, `${srv.issuer}/oauth2/jwks`);
  });

  for (const doc of ['openid-configuration', 'oauth-authorization-server']) {
    test(`/.well-known/${doc} names the issuer, the loaded grants and endpoints under the issuer`, async () => {
      const r = await get(`${srv.issuer}/.well-known/${doc}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      const meta = r.json;
      assert.equal(meta.issuer, `${srv.base}/t/default`);
      assert.ok(!meta.issuer.endsWith('/'), 'issuer has no trailing slash');
      for (const g of BASE_GRANTS) assert.ok(loadedGrants.includes(g), `grant plugin ${g} is built`);
      for (const g of BASE_GRANTS) assert.ok(meta.grant_types_supported.includes(g), `${g} is supported`);
      // Exactly one grant type per loaded grant plugin (a plugin named device_code serves
      // urn:ietf:params:oauth:grant-type:device_code; token_exchange serves RFC 8693's
      // ...:token-exchange, C identifiers having no hyphen), and nothing else.
      assert.equal(meta.grant_types_supported.length, loadedGrants.length,
        `${JSON.stringify(meta.grant_types_supported)} vs plugins ${JSON.stringify(loadedGrants)}`);
      for (const name of loadedGrants) {
        const served = meta.grant_types_supported.filter((g) => g === name || g.endsWith(`:${name}`) ||
          g.endsWith(`:${name.replace(/_/g, '-')}`));
        assert.equal(served.length, 1, `grant plugin ${name} appears once in ${JSON.stringify(meta.grant_types_supported)}`);
      }
      for (const e of ENDPOINTS) {
        assert.equal(typeof meta[e], 'string', `${e} is present`);
        assert.ok(meta[e].startsWith(`${srv.issuer}/`), `${e} = ${meta[e]} is under the issuer`);
      }
      assert.equal(meta.token_endpoint, `${srv.issuer}/oauth2/token`);
      assert.equal(meta.userinfo_endpoint, `${srv.issuer}/oauth2/userinfo`);
      assert.equal(meta.introspection_endpoint, `${srv.issuer}/oauth2/introspect`);
      assert.equal(meta.revocation_endpoint, `${srv.issuer}/oauth2/revoke`);
      assert.ok(meta.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
      assert.ok(meta.token_endpoint_auth_methods_supported.includes('client_secret_post'));
      assert.ok(meta.id_token_signing_alg_values_supported.includes('RS256'));
      assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    });
  }

  test('both well-known documents are the same document', async () => {
    const a = await get(`${srv.issuer}/.well-known/openid-configuration`);
    const b = await get(`${srv.issuer}/.well-known/oauth-authorization-server`);
    assert.deepEqual(a.json, b.json);
  });

  test('JWKS publishes at least four public signing keys and no private parts', async () => {
    const r = await get(`${srv.issuer}/oauth2/jwks`);
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.json.keys));
    assert.ok(r.json.keys.length >= 4, `${r.json.keys.length} keys`);
    const kids = new Set();
    for (const k of r.json.keys) {
      assert.equal(typeof k.kid, 'string');
      assert.ok(k.kid.length > 0);
      assert.equal(typeof k.alg, 'string');
      assert.equal(k.use, 'sig');
      assert.ok(['RSA', 'EC', 'OKP'].includes(k.kty), `kty ${k.kty}`);
      for (const m of PRIVATE_MEMBERS) assert.equal(k[m], undefined, `key ${k.kid} exposes private member "${m}"`);
      kids.add(k.kid);
    }
    assert.equal(kids.size, r.json.keys.length, 'kids are unique');
    const algs = new Set(r.json.keys.map((k) => k.alg));
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA']) assert.ok(algs.has(alg), `a key for ${alg}`);
  });

  test('an unknown tenant is 404 on discovery and JWKS', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/oauth2/jwks']) {
      const r = await get(`${srv.base}/t/no-such-tenant${path}`);
      assert.equal(r.status, 404, path);
    }
  });
});
