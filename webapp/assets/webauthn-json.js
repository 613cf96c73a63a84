// SPDX-License-Identifier: Apache-2.0
// WebAuthn's JSON forms (issue #19), shared by the sign-in pages and the consoles: request options
// to what navigator.credentials.get() takes, and the AuthenticationResponseJSON of an assertion.
import * as b64 from './b64url.js';

/** PublicKeyCredentialRequestOptionsJSON to what navigator.credentials.get() takes. */
export function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return Object.assign({}, json, {
    challenge: b64.decode(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => Object.assign({}, c, { id: b64.decode(c.id) })),
  });
}

/** AuthenticationResponseJSON, as PublicKeyCredential.toJSON() gives it. */
export function assertionJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  return {
    id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type, clientExtensionResults: {},
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    response: {
      clientDataJSON: b64.encode(r.clientDataJSON), authenticatorData: b64.encode(r.authenticatorData),
      signature: b64.encode(r.signature), userHandle: r.userHandle ? b64.encode(r.userHandle) : undefined,
    },
  };
}
