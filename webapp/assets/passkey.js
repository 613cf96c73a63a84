// SPDX-License-Identifier: Apache-2.0
// Passkeys on the sign-in pages: asks the browser for an assertion and posts it (WebAuthn L2 §5.1.4).
// An ES module (deferred): its DOMContentLoaded listener is in place before the event.
import * as b64 from './b64url.js';

// The options' JSON form to what navigator.credentials.get() takes.
function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return Object.assign({}, json, {
    challenge: b64.decode(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => Object.assign({}, c, { id: b64.decode(c.id) })),
  });
}

// AuthenticationResponseJSON, as PublicKeyCredential.toJSON() gives it.
function responseJSON(cred) {
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

function setup(form) {
  const options = JSON.parse(form.dataset.passkeyOptions);
  const button = form.querySelector('[data-passkey-start]');
  const error = form.querySelector('[data-passkey-error]');
  let pending = null;

  async function ask(mediation) {
    if (pending) pending.abort();
    const ctl = new AbortController();
    pending = ctl;
    try {
      const cred = await navigator.credentials.get({ publicKey: requestOptions(options), mediation, signal: ctl.signal });
      if (!cred) return;
      const field = form.querySelector('[data-passkey-response]');
      field.disabled = false;
      field.value = JSON.stringify(responseJSON(cred));
      // The login form posts a passkey to its own endpoint (the password fields are not needed).
      if (form.dataset.passkeyAction) form.action = form.dataset.passkeyAction;
      form.submit();
    } catch (e) {
      if (ctl.signal.aborted || mediation === 'conditional') return;
      error.textContent = 'The passkey could not be used. Try again, or choose another way.';
      error.setAttribute('role', 'alert'); // only once there is something to say
      error.hidden = false;
    }
  }
  button.addEventListener('click', () => ask(undefined));
  const only = form.querySelector('[data-passkey-only]');
  if (only) only.hidden = false;
  // Conditional UI: the browser offers passkeys in the username field's autofill (§5.1.4.1).
  if ('passkeyConditional' in form.dataset && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then((ok) => { if (ok) ask('conditional'); }, () => {});
  }
}

document.addEventListener('DOMContentLoaded', () => {
  if (!window.PublicKeyCredential) return;
  for (const form of document.querySelectorAll('form[data-passkey-options]')) setup(form);
});
