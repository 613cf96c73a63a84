// SPDX-License-Identifier: Apache-2.0
// A software passkey for API tests without a browser: answers creation options with a registration
// response (attestation "none", ES256, flags UP UV) the way an authenticator and a browser would.
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64u = (b) => Buffer.from(b).toString('base64url');

// The little CBOR (RFC 8949) a COSE key and an attestation object need.
function cbor(v) {
  const head = (major, n) => (n < 24 ? Buffer.from([major << 5 | n])
    : n < 256 ? Buffer.from([major << 5 | 24, n]) : Buffer.from([major << 5 | 25, n >> 8, n & 255]));
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

/**
 * The RegistrationResponseJSON for `publicKey` (creation options JSON) from `origin`. The key is kept on
 * the returned object (non-enumerable) for softAssertion().
 */
export function softRegistration(publicKey, origin) {
  const { publicKey: pub, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = pub.export({ format: 'jwk' });
  const id = randomBytes(16);
  const cose = new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, 'base64url')], [-3, Buffer.from(jwk.y, 'base64url')]]);
  const authData = Buffer.concat([createHash('sha256').update(publicKey.rp.id).digest(), Buffer.from([0x45, 0, 0, 0, 0]),
    Buffer.alloc(16), Buffer.from([0, id.length]), id, cbor(cose)]);
  const cdj = JSON.stringify({ type: 'webauthn.create', challenge: publicKey.challenge, origin, crossOrigin: false });
  const att = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
  const reg = { id: b64u(id), rawId: b64u(id), type: 'public-key', clientExtensionResults: {},
    response: { clientDataJSON: b64u(cdj), attestationObject: b64u(att), transports: ['internal'] } };
  Object.defineProperty(reg, 'key', { value: { privateKey, rpId: publicKey.rp.id, userId: publicKey.user.id, count: 0 } });
  return reg;
}

/** The AuthenticationResponseJSON of registered credential `reg` for request options `publicKey`. */
export function softAssertion(reg, publicKey, origin) {
  const k = reg.key;
  k.count += 1;
  const count = Buffer.alloc(4);
  count.writeUInt32BE(k.count);
  const authData = Buffer.concat([createHash('sha256').update(k.rpId).digest(), Buffer.from([0x05]), count]);
  const cdj = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: publicKey.challenge, origin, crossOrigin: false }));
  const sig = sign('sha256', Buffer.concat([authData, createHash('sha256').update(cdj).digest()]), k.privateKey);
  return { id: reg.id, rawId: reg.id, type: 'public-key', clientExtensionResults: {},
    response: { clientDataJSON: b64u(cdj), authenticatorData: b64u(authData), signature: b64u(sig), userHandle: k.userId } };
}
