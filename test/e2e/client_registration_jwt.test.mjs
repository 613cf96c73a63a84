// SPDX-License-Identifier: Apache-2.0
// Dynamic client registration (RFC 7591 §2) of private_key_jwt clients: inline jwks or a jwks_uri
// fetched under the outbound rules (API.md §20); openid-client then authenticates with RFC 7523
// assertions. Malformed key sets, and a loopback jwks_uri where private addresses are not
// allowed, are invalid_client_metadata.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get as httpGet } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import * as client from 'openid-client';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { adminToken, registrationMode, startServer } from './lib/server.mjs';

const insecure = { execute: [client.allowInsecureRequests] };

async function signingKey(alg, kid) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWKS document on a loopback port, counting its connections and fetches. */
async function jwksHost(keys) {
  const host = { fetches: 0, connections: 0 };
  host.server = createServer((req, res) => {
    host.fetches += 1;
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys }));
  });
  host.server.on('connection', () => { host.connections += 1; });
  await new Promise((ok) => host.server.listen(0, '127.0.0.1', ok));
  host.url = `http://127.0.0.1:${host.server.address().port}/jwks.json`;
  return host;
}

async function openServer(env) {
  const srv = await startServer({ env });
  await registrationMode(srv.issuer, await adminToken(srv.issuer), 'open');
  return srv;
}

function register(issuer, body) {
  return fetch(`${issuer}/oauth2/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, json: await r.json() }));
}

/** openid-client authenticating as `clientId` with private_key_jwt and `key`. */
async function keyClient(issuer, clientId, key) {
  const config = await client.discovery(new URL(issuer), clientId, undefined,
    client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), insecure);
  return client.clientCredentialsGrant(config);
}

describe('registering private_key_jwt clients', () => {
  let srv, ec, rsa, host;

  before(async () => {
    ec = await signingKey('ES256', 'ec-1');
    rsa = await signingKey('PS256', 'rsa-1');
    host = await jwksHost([rsa.jwk]);
    srv = await openServer({}); // the tests' allowlist: PORTCULLIS_OUTBOUND_ALLOW_PRIVATE=true
  });
  after(async () => { await srv?.stop(); host?.server.close(); });

  test('with inline jwks: no secret, the keys in the metadata, and openid-client authenticates', async () => {
    const r = await register(srv.issuer, {
      client_name: 'Keyed batch', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [ec.jwk] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.token_endpoint_auth_method, 'private_key_jwt');
    assert.equal(r.json.client_secret, undefined, 'a key-authenticated client gets no secret');
    assert.deepEqual(r.json.jwks, { keys: [ec.jwk] });
    const tokens = await keyClient(srv.issuer, r.json.client_id, ec);
    assert.ok(tokens.access_token);
    await assert.rejects(keyClient(srv.issuer, r.json.client_id, await signingKey('ES256', 'ec-1')),
      (e) => e.status === 401, 'another key with the same kid: 401 invalid_client');
    const read = await fetch(r.json.registration_client_uri, { headers: { authorization: `Bearer ${r.json.registration_access_token}` } });
    assert.deepEqual((await read.json()).jwks, { keys: [ec.jwk] });
  });

  test('with a jwks_uri the outbound rules allow: fetched, and openid-client authenticates', async () => {
    const r = await register(srv.issuer, {
      grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: host.url,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.jwks_uri, host.url);
    const before_ = host.fetches;
    assert.ok((await keyClient(srv.issuer, r.json.client_id, rsa)).access_token);
    assert.ok(host.fetches > before_, 'the key set was fetched');
  });

  test('malformed or missing keys are invalid_client_metadata', async () => {
    const base = { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' };
    const cases = {
      'no keys': {},
      'keys not an array': { jwks: { keys: 'x' } },
      'not a JWK Set': { jwks: [ec.jwk] },
      'a private key': { jwks: { keys: [{ ...ec.jwk, d: 'AAAA' }] } },
      'a symmetric key': { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
      'no signing key': { jwks: { keys: [{ ...ec.jwk, use: 'enc' }] } },
      'jwks and jwks_uri': { jwks: { keys: [ec.jwk] }, jwks_uri: host.url },
      'jwks_uri not a string': { jwks_uri: 42 },
      'jwks_uri not a URL': { jwks_uri: 'jwks.json' },
    };
    for (const [what, extra] of Object.entries(cases)) {
      const r = await register(srv.issuer, { ...base, ...extra });
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error, 'invalid_client_metadata', what);
    }
  });

  test('RFC 7592: a private_key_jwt client cannot become a secret client', async () => {
    const r = await register(srv.issuer, {
      grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [ec.jwk] },
    });
    const put = await fetch(r.json.registration_client_uri, {
      method: 'PUT', body: JSON.stringify({ client_id: r.json.client_id, grant_types: ['client_credentials'] }),
      headers: { authorization: `Bearer ${r.json.registration_access_token}`, 'content-type': 'application/json' },
    });
    assert.equal(put.status, 400);
    assert.equal((await put.json()).error, 'invalid_client_metadata');
  });
});

describe('a jwks_uri where private addresses are not allowed', () => {
  let srv, host;

  before(async () => {
    host = await jwksHost([(await signingKey('ES256', 'k')).jwk]);
    srv = await openServer({ PORTCULLIS_OUTBOUND_ALLOW_PRIVATE: 'false' });
  });
  after(async () => { await srv?.stop(); host?.server.close(); });

  test('a loopback http:// jwks_uri is invalid_client_metadata', async () => {
    const r = await register(srv.issuer, {
      grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: host.url,
    });
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.equal(r.json.error, 'invalid_client_metadata');
    assert.match(r.json.error_description, /jwks_uri/);
  });

  test('an https:// jwks_uri that resolves to loopback is never connected to: the assertion fails', async () => {
    const key = await signingKey('ES256', 'k');
    const r = await register(srv.issuer, {
      grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: host.url.replace('http:', 'https:'),
    });
    assert.equal(r.status, 201, JSON.stringify(r.json)); // API.md §20: the address is checked when connecting
    await assert.rejects(keyClient(srv.issuer, r.json.client_id, key), (e) => e.status === 401);
    assert.equal(host.connections, 0);
  });
});

/** A jwks_uri that accepts connections and never answers, counting them. */
async function stallingHost() {
  const host = { connections: 0, sockets: [] };
  host.server = createTcpServer((sock) => { host.connections += 1; host.sockets.push(sock); });
  await new Promise((ok) => host.server.listen(0, '127.0.0.1', ok));
  host.url = `http://127.0.0.1:${host.server.address().port}/jwks.json`;
  host.close = () => { host.sockets.forEach((s) => s.destroy()); host.server.close(); };
  return host;
}

async function until(what, cond, ms = 10000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/** GET on a connection of its own (never one queued behind a busy worker); resolves with ms taken. */
function timedGet(url) {
  const t0 = Date.now();
  return new Promise((ok, ko) => {
    httpGet(url, { agent: false }, (res) => { res.resume(); res.on('end', () => ok({ status: res.statusCode, ms: Date.now() - t0 })); })
      .on('error', ko);
  });
}

describe('a jwks_uri that never answers', () => {
  let srv, stall;

  before(async () => {
    stall = await stallingHost();
    srv = await openServer({ PORTCULLIS_THREADS: '2' });
  });
  after(async () => { await srv?.stop(); stall?.close(); });

  test('20 concurrent assertions hold no more than one fetch, and the server keeps answering', async () => {
    const r = await register(srv.issuer, {
      grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt', jwks_uri: stall.url,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const id = r.json.client_id;
    const key = await signingKey('ES256', 'k');
    const assertion = () => new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' }).setIssuer(id).setSubject(id)
      .setAudience(`${srv.issuer}/oauth2/token`).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
    const token = async () => fetch(`${srv.issuer}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials', client_id: id, client_assertion: await assertion(),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      }),
    }).then((res) => res.status);
    const pending = Promise.all(Array.from({ length: 20 }, token));
    await until('the jwks_uri to be asked', () => stall.connections > 0);
    const health = await timedGet(`${srv.base}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(health.ms < 2000, `/healthz took ${health.ms} ms while assertions waited on the jwks_uri`);
    const statuses = await pending;
    assert.ok(statuses.every((s) => s === 401 || s === 429), `every forged assertion is refused: ${statuses}`);
    assert.ok(stall.connections <= 2, `the stalling jwks_uri was connected to ${stall.connections} times`);
  });
});
