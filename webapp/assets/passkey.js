// SPDX-License-Identifier: Apache-2.0
// Passkeys on the sign-in pages: asks the browser for an assertion and posts it (WebAuthn L2 §5.1.4).
// A module (deferred): it runs before DOMContentLoaded.
import { assertionJSON, requestOptions } from './webauthn-json.js';

// The request options: on the page (the MFA step), or asked for now, which makes the challenge
// (the login page: a page nobody uses for a passkey costs the server nothing). The answer also
// carries the form's request, now naming that challenge.
async function requestOptionsJSON(form, mediation) {
  if (form.dataset.passkeyOptions) return JSON.parse(form.dataset.passkeyOptions);
  const field = form.querySelector('input[name="request"]');
  const body = new URLSearchParams({ request: field.value, csrf: form.querySelector('input[name="csrf"]').value });
  // Conditional UI asks for nearly every page and has a limit of its own, apart from the button's.
  if (mediation === 'conditional') body.set('mediation', 'conditional');
  const r = await fetch(form.dataset.passkeyFetch, { method: 'POST', body, credentials: 'same-origin' });
  if (!r.ok) throw new Error(`passkey options: ${r.status}`);
  const answer = await r.json();
  field.value = answer.request;
  return answer.publicKey;
}

function setup(form) {
  const button = form.querySelector('[data-passkey-start]');
  const error = form.querySelector('[data-passkey-error]');
  let pending = null;

  async function ask(mediation) {
    if (pending) pending.abort();
    const ctl = new AbortController();
    pending = ctl;
    try {
      const options = await requestOptionsJSON(form, mediation);
      if (ctl.signal.aborted) return;
      const cred = await navigator.credentials.get({ publicKey: requestOptions(options), mediation, signal: ctl.signal });
      if (!cred) return;
      const field = form.querySelector('[data-passkey-response]');
      field.disabled = false;
      field.value = JSON.stringify(assertionJSON(cred));
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
    startWithUsername(form, () => PublicKeyCredential.isConditionalMediationAvailable()
      .then((ok) => { if (ok) ask('conditional'); }, () => {}));
  }
}

// Runs `start` once the person comes to the username field (focus or input), or now if it has the
// focus: a page loaded with the name filled in (the password focused) makes no challenge unused.
function startWithUsername(form, start) {
  const user = form.querySelector('input[autocomplete~="webauthn"]');
  if (!user || document.activeElement === user) { start(); return; }
  const once = () => {
    user.removeEventListener('focus', once);
    user.removeEventListener('input', once);
    start();
  };
  user.addEventListener('focus', once);
  user.addEventListener('input', once);
}

document.addEventListener('DOMContentLoaded', () => {
  if (!window.PublicKeyCredential) return;
  for (const form of document.querySelectorAll('form[data-passkey-options], form[data-passkey-fetch]')) setup(form);
});
