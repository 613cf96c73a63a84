// SPDX-License-Identifier: Apache-2.0
// DPoP (RFC 9449) for the tests: a client key, and proofs made by hand with jose.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { basic } from './server.mjs';

/** A DPoP key pair with its public JWK and RFC 7638 thumbprint (jkt). */
export async function dpopKey(alg = 'ES256') {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return { ...pair, jwk, alg, jkt: await calculateJwkThumbprint(jwk) };
}

/** A DPoP proof (RFC 9449 §4.2); `claims` override or (undefined) remove the defaults; `token` adds ath. */
export function proof(key, htm, htu, { token, ...claims } = {}) {
  const body = { jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) };
  if (token) body.ath = createHash('sha256').update(token).digest('base64url');
  Object.assign(body, claims);
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return new SignJWT(body).setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk }).sign(key.privateKey);
}

/**
 * A token request to {issuer}/oauth2/token with client_secret_basic, and a proof of `key` when
 * given. Returns {status, headers, json}.
 */
export async function dpopTokenRequest(issuer, [clientId, secret], params, key) {
  const url = `${issuer}/oauth2/token`;
  const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) };
  if (key) headers.dpop = await proof(key, 'POST', url);
  const r = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params) });
  return { status: r.status, headers: r.headers, json: await r.json() };
}
