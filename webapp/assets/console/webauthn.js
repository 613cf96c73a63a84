// SPDX-License-Identifier: Apache-2.0
// WebAuthn in the consoles (issue #19): base64url, the JSON forms of options and responses, and a
// step-up with a passkey (the Portcullis-Step-Up proof, API.md §16, docs/passkeys.md).
import { api } from './api.js';

export const b64 = {
  decode(s) {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
  },
  encode(buf) {
    let bin = '';
    for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
};

// PublicKeyCredentialRequestOptionsJSON to what navigator.credentials.get() takes.
function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return Object.assign({}, json, {
    challenge: b64.decode(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => Object.assign({}, c, { id: b64.decode(c.id) })),
  });
}

// AuthenticationResponseJSON, as PublicKeyCredential.toJSON() gives it.
function assertionJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  return {
    id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type, clientExtensionResults: {},
    response: {
      clientDataJSON: b64.encode(r.clientDataJSON), authenticatorData: b64.encode(r.authenticatorData),
      signature: b64.encode(r.signature), userHandle: r.userHandle ? b64.encode(r.userHandle) : undefined,
    },
  };
}

let factors = null;
/** The signed-in person's second factors (GET /me/mfa enabled, asked once); no passkey without WebAuthn. */
export function secondFactors() {
  factors ??= api('GET', '/me/mfa').then((m) => m.enabled || [], () => []);
  return factors.then((list) => (window.PublicKeyCredential ? list : list.filter((m) => m !== 'webauthn')));
}

/**
 * Step-up with a passkey: a challenge for this person and session, the browser's assertion,
 * and the server's short-lived proof for the Portcullis-Step-Up header. Rejects when none.
 */
export async function passkeyProof() {
  const { publicKey } = await api('POST', '/me/step-up/webauthn');
  const cred = await navigator.credentials.get({ publicKey: requestOptions(publicKey) });
  if (!cred) throw new Error('no passkey');
  return (await api('POST', '/me/step-up/webauthn/verify', { credential: assertionJSON(cred) })).step_up;
}
