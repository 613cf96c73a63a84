// SPDX-License-Identifier: Apache-2.0
// Passkeys in the consoles (issue #19): the person's second factors, and a step-up with a passkey
// (the Portcullis-Step-Up proof, API.md §16, docs/passkeys.md).
import { api } from './api.js';
import { assertionJSON, requestOptions } from '../webauthn-json.js';

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
