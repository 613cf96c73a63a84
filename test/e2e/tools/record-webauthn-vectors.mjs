// SPDX-License-Identifier: Apache-2.0
// Records WebAuthn test vectors for schemes/webauthn/webauthn_test.c: registrations and assertions made by
// Chromium's DevTools virtual authenticator (ES256, RS256, EdDSA; attestation "none"), and "packed" self
// attestations built here with node:crypto (the virtual authenticator signs packed ones with a batch
// certificate). Run from test/e2e: node tools/record-webauthn-vectors.mjs ../../schemes/webauthn/testdata
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { launchBrowser } from '../lib/browser.mjs';
import { addVirtualAuthenticator } from '../lib/webauthn.mjs';

const out = process.argv[2];
if (!out) throw new Error('usage: record-webauthn-vectors.mjs <output directory>');
const b64u = (b) => Buffer.from(b).toString('base64url');
const USER_ID = '0190c0de-7e57-7000-8000-000000000001';

/** One ceremony pair in the page: create() with `alg`, then get() for that credential. */
async function ceremony(page, alg, rpId) {
  return page.evaluate(async ({ alg, rpId, userId }) => {
    const rnd = () => crypto.getRandomValues(new Uint8Array(32));
    const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const c1 = rnd();
    const cred = await navigator.credentials.create({ publicKey: {
      rp: { id: rpId, name: 'Vectors' }, user: { id: new TextEncoder().encode(userId), name: 'alice', displayName: 'Alice' },
      challenge: c1, pubKeyCredParams: [{ type: 'public-key', alg }], attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    } });
    const c2 = rnd();
    const got = await navigator.credentials.get({ publicKey: {
      challenge: c2, rpId, userVerification: 'required', allowCredentials: [{ type: 'public-key', id: cred.rawId }],
    } });
    return { registration: { challenge: enc(c1), credential: cred.toJSON() }, assertion: { challenge: enc(c2), credential: got.toJSON() } };
  }, { alg, rpId, userId: USER_ID });
}

// A minimal CBOR encoder for what COSE keys and attestation objects hold (RFC 8949 §3).
function cbor(v) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([major << 5 | n]);
    if (n < 256) return Buffer.from([major << 5 | 24, n]);
    if (n < 65536) return Buffer.from([major << 5 | 25, n >> 8, n & 255]);
    const b = Buffer.alloc(5); b[0] = major << 5 | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') { const s = Buffer.from(v); return Buffer.concat([head(3, s.length), s]); }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  if (v instanceof Map) return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
  throw new Error(`cbor: ${typeof v}`);
}

/** A "packed" self attestation (WebAuthn L2 §8.2) for a fresh key of `alg`, as a registration response. */
function packedSelf(alg, origin, rpId) {
  const kp = alg === -7 ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const jwk = kp.publicKey.export({ format: 'jwk' });
  const cose = alg === -7
    ? new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]])
    : new Map([[1, 1], [3, -8], [-1, 6], [-2, Buffer.from(jwk.x, 'base64url')]]);
  const credId = createHash('sha256').update(`packed ${alg} ${Date.now()}`).digest().subarray(0, 16);
  const challenge = b64u(createHash('sha256').update(`challenge ${alg} ${Math.random()}`).digest());
  const cdj = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin, crossOrigin: false }));
  const len = Buffer.from([credId.length >> 8, credId.length & 255]);
  const authData = Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([0x45, 0, 0, 0, 0]),
    Buffer.alloc(16), len, credId, cbor(cose)]);
  const signed = Buffer.concat([authData, createHash('sha256').update(cdj).digest()]);
  const sig = alg === -7 ? sign('sha256', signed, kp.privateKey) : sign(null, signed, kp.privateKey);
  const att = cbor(new Map([['fmt', 'packed'], ['attStmt', new Map([['alg', alg], ['sig', sig]])], ['authData', authData]]));
  return { challenge, credential: { id: b64u(credId), rawId: b64u(credId), type: 'public-key', clientExtensionResults: {},
    response: { clientDataJSON: b64u(cdj), attestationObject: b64u(att) } } };
}

const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><title>v</title>'); });
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://localhost:${server.address().port}`;
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await addVirtualAuthenticator(page);
  await page.goto(origin);
  const vectors = { origin, rp_id: 'localhost', user_id: USER_ID, recorded_with: 'Chromium virtual authenticator (ctap2, internal)' };
  for (const [name, alg] of [['es256', -7], ['es256_other', -7], ['rs256', -257], ['eddsa', -8]]) {
    vectors[name] = await ceremony(page, alg, 'localhost');
  }
  vectors.packed_es256 = packedSelf(-7, origin, 'localhost');
  vectors.packed_eddsa = packedSelf(-8, origin, 'localhost');
  writeFileSync(join(out, 'vectors.json'), `${JSON.stringify(vectors, null, 2)}\n`);
  console.log(`wrote ${join(out, 'vectors.json')} (origin ${origin})`);
} finally {
  await browser.close();
  server.close();
}
