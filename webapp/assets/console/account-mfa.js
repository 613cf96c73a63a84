// SPDX-License-Identifier: Apache-2.0
// Account › Two-step verification: enrol TOTP (QR image and secret), email and SMS (code step),
// recovery codes shown once, the preferred method, and turning a method off (password + code).
import { api } from './api.js';
import { confirmAction, copyButton, errorBox, field, fill, h, note, onSubmit, secretField } from './ui.js';

const METHODS = [
  ['totp', 'Authenticator app'],
  ['email', 'Email codes'],
  ['sms', 'Text message codes'],
];
const label = (m) => (m === 'webauthn' ? 'Passkeys' : (METHODS.find(([k]) => k === m) || [m, m])[1]);

export default function mfa(root) {
  let state = { enabled: [], preferred: null, recovery_codes_left: 0 };
  const summary = h('div');
  const methods = h('div');
  const codesArea = h('div');

  async function load() {
    try {
      state = await api('GET', '/me/mfa');
    } catch (e) { fill(summary, errorBox(e)); return; }
    fill(summary, h('p', {}, state.enabled.length
      ? `On: ${state.enabled.map(label).join(', ')}. Recovery codes left: ${state.recovery_codes_left}.`
      : 'Off. Add a second step so that a password alone cannot open your account.'));
    fill(methods, ...METHODS.map(([m, name]) => methodBlock(m, name)), preferredForm(), recoveryBlock());
  }

  function methodBlock(m, name) {
    const body = h('div');
    const on = state.enabled.includes(m);
    const block = h('div', { class: 'subsection', role: 'group', 'aria-label': name }, h('h3', {}, name, ' ', h('span', { class: on ? 'badge on' : 'badge' }, on ? 'On' : 'Off')), body);
    if (on) fill(body, disableForm(m, name));
    else fill(body, h('button', { type: 'button', class: 'secondary', onclick: () => enrol(m, name, body) }, `Set up ${name.toLowerCase()}`));
    return block;
  }

  async function enrol(m, name, body) {
    if (m === 'totp') {
      try {
        const t = await api('POST', '/me/mfa/totp');
        fill(body,
          h('p', {}, 'Scan this code with your authenticator app, or type the key below into it.'),
          h('img', { class: 'qr', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(t.qr_svg)}`, alt: 'QR code for your authenticator app', width: 200, height: 200 }),
          secretField('Secret key', t.secret),
          verifyForm(m, name));
      } catch (e) { body.prepend(errorBox(e)); }
      return;
    }
    const dest = m === 'email'
      ? field('Email address', { name: 'email', type: 'email', autocomplete: 'email', required: true })
      : field('Phone number', { name: 'phone_number', type: 'tel', autocomplete: 'tel', required: true, hint: 'In international form, e.g. +447700900123.' });
    const form = h('form', { novalidate: true }, dest, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send code')));
    onSubmit(form, async (v) => {
      await api('POST', `/me/mfa/${m}`, v);
      form.after(verifyForm(m, name));
      form.querySelector('button[type="submit"]').textContent = 'Send again';
      note(body, 'A code is on its way.');
    });
    fill(body, form);
  }

  function verifyForm(m, name) {
    const form = h('form', { novalidate: true },
      field('Code', { name: 'code', autocomplete: 'one-time-code', required: true }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Verify')));
    onSubmit(form, async (v) => {
      const first = state.enabled.length === 0;
      await api('POST', `/me/mfa/${m}/verify`, { code: v.code.trim() });
      await load();
      note(root, `${name} is on.`);
      if (first) await newCodes(); // §13: right after the first factor, the codes are shown once
    });
    return form;
  }

  function disableForm(m, name) {
    const form = h('form', { novalidate: true },
      field('Password', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
      field('Code', { name: 'code', autocomplete: 'one-time-code', required: true,
        hint: m === 'totp' ? 'A current code from your app.' : 'Send a code, then type it here.' }),
      h('div', { class: 'actions' },
        m === 'totp' ? null : h('button', { type: 'button', class: 'secondary', onclick: () => sendCode(m, form) }, 'Send a code'),
        h('button', { type: 'submit', class: 'danger' }, `Turn off ${name.toLowerCase()}`)));
    onSubmit(form, async (v) => {
      if (!(await confirmAction(`Turn off ${name.toLowerCase()}?`, 'You will no longer be asked for this step when you sign in.', { confirm: 'Turn off' }))) return;
      await api('DELETE', `/me/mfa/${m}`, { password: v.password, code: v.code.trim() });
      await load();
      note(root, `${name} is off.`);
    });
    return form;
  }

  async function sendCode(m, form) {
    try { await api('POST', `/me/mfa/${m}`, {}); note(form, 'A code is on its way.'); } catch (e) { form.prepend(errorBox(e)); }
  }

  function preferredForm() {
    if (state.enabled.length < 2) return null;
    const form = h('form', { novalidate: true, class: 'subsection' }, h('h3', {}, 'Preferred method'),
      field('Ask first for', { name: 'method', options: state.enabled.map((m) => [m, label(m)]), value: state.preferred }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save preferred method')));
    onSubmit(form, async (v) => { await api('PUT', '/me/mfa/preferred', { method: v.method }); note(form, 'Saved.'); });
    return form;
  }

  function recoveryBlock() {
    if (state.enabled.length === 0) return null;
    return h('div', { class: 'subsection' }, h('h3', {}, 'Recovery codes'),
      h('p', {}, 'Each code signs you in once when your other methods are out of reach.'),
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        if (await confirmAction('Create new recovery codes?', 'Your current recovery codes stop working.', { confirm: 'Create new codes' })) await newCodes();
      } }, 'Create new recovery codes'));
  }

  async function newCodes() {
    try {
      const { codes } = await api('POST', '/me/mfa/recovery-codes');
      const text = `${codes.join('\n')}\n`;
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      fill(codesArea, h('div', { class: 'notice', role: 'region', 'aria-labelledby': 'codes-title' },
        h('h3', { id: 'codes-title', tabindex: '-1' }, 'Your recovery codes'),
        h('p', {}, 'They are shown only this once. Keep them somewhere safe.'),
        h('ul', { class: 'codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))),
        h('div', { class: 'actions' },
          h('a', { class: 'button secondary', href: url, download: 'recovery-codes.txt' }, 'Download codes'),
          copyButton('Copy codes', text),
          h('button', { type: 'button', class: 'secondary', onclick: () => { URL.revokeObjectURL(url); fill(codesArea); } }, 'I have saved them'))));
      codesArea.querySelector('h3').focus();
      await load();
    } catch (e) { fill(codesArea, errorBox(e)); }
  }

  fill(root, summary, codesArea, methods);
  // A passkey added or removed (account-passkeys.js); the first factor of all brings recovery codes.
  document.addEventListener('mfa-changed', (e) => (e.detail?.first ? newCodes() : load()));
  load();
}
