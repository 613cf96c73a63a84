// SPDX-License-Identifier: Apache-2.0
// Account › Passkeys (issue #19): the person's passkeys, adding one with the browser, renaming, removing.
import { api } from './api.js';
import { confirmAction, errorBox, field, fill, h, note, onSubmit, table, when } from './ui.js';
import { b64 } from '../webauthn-json.js';

// PublicKeyCredentialCreationOptionsJSON to what navigator.credentials.create() takes.
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return Object.assign({}, json, {
    challenge: b64.decode(json.challenge),
    user: Object.assign({}, json.user, { id: b64.decode(json.user.id) }),
    excludeCredentials: (json.excludeCredentials || []).map((c) => Object.assign({}, c, { id: b64.decode(c.id) })),
  });
}

// RegistrationResponseJSON, as PublicKeyCredential.toJSON() gives it.
function registrationJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  return {
    id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type, clientExtensionResults: {},
    response: { clientDataJSON: b64.encode(r.clientDataJSON), attestationObject: b64.encode(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : [] },
  };
}

export default function passkeys(root) {
  const list = h('div');
  const adder = h('div', { class: 'subsection' });

  async function load() {
    let items;
    try {
      ({ items } = await api('GET', '/me/mfa/webauthn/credentials'));
    } catch (e) { fill(list, errorBox(e)); return; }
    fill(list, table('Your passkeys', ['Name', 'Added', 'Last used', 'Actions'], items.map((c) => [
      c.name, when(c.created_at), when(c.last_used_at),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary small', 'aria-label': `Rename ${c.name}`, onclick: () => rename(c) }, 'Rename'),
        h('button', { type: 'button', class: 'danger small', 'aria-label': `Remove ${c.name}`, onclick: () => remove(c) }, 'Remove')),
    ])));
  }

  function addForm() {
    const form = h('form', { novalidate: true }, h('h3', {}, 'Add a passkey'),
      h('p', {}, 'A passkey lets you sign in with your device’s screen lock or a security key, without a password.'),
      field('Passkey label', { name: 'name', required: true, hint: 'For example, the device it is on.' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add a passkey')));
    onSubmit(form, async (v) => {
      if (!window.PublicKeyCredential) throw { title: 'Not supported', message: 'This browser cannot create passkeys.' };
      const first = (await api('GET', '/me/mfa')).enabled.length === 0;
      const { publicKey } = await api('POST', '/me/mfa/webauthn', {});
      let cred;
      try {
        cred = await navigator.credentials.create({ publicKey: creationOptions(publicKey) });
      } catch (e) {
        throw { title: 'No passkey was created', message: 'The browser or the device did not create one. Try again.' };
      }
      await api('POST', '/me/mfa/webauthn/verify', { name: v.name.trim(), credential: registrationJSON(cred) });
      form.reset();
      // §13: right after the first second factor, Two-step verification shows new recovery codes once.
      document.dispatchEvent(new CustomEvent('mfa-changed', { detail: { first } }));
      await load();
      note(root, `Passkey “${v.name.trim()}” added.`);
    });
    return form;
  }

  function rename(c) {
    const form = h('form', { novalidate: true, class: 'subsection' },
      field(`New name for ${c.name}`, { name: 'name', value: c.name, required: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save name')));
    onSubmit(form, async (v) => {
      await api('PATCH', `/me/mfa/webauthn/credentials/${encodeURIComponent(c.id)}`, { name: v.name.trim() });
      form.remove();
      await load();
      note(root, 'Passkey renamed.');
    });
    list.after(form);
    form.querySelector('input').focus();
  }

  function remove(c) {
    const form = h('form', { novalidate: true, class: 'subsection' },
      field(`Your password, to remove ${c.name}`, { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger' }, 'Remove passkey')));
    onSubmit(form, async (v) => {
      if (!(await confirmAction(`Remove ${c.name}?`, 'You can no longer sign in with this passkey.', { confirm: 'Remove' }))) return;
      await api('DELETE', `/me/mfa/webauthn/credentials/${encodeURIComponent(c.id)}`, { password: v.password });
      form.remove();
      document.dispatchEvent(new CustomEvent('mfa-changed'));
      await load();
      note(root, 'Passkey removed.');
    });
    list.after(form);
    form.querySelector('input').focus();
  }

  fill(adder, addForm());
  fill(root, list, adder);
  load();
}
