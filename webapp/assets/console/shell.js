// SPDX-License-Identifier: Apache-2.0
// What both consoles share around their sections: sign-in, the top bar, a failure page.
import { allowed, api, issuer, onStepUp, signIn, signOut } from './api.js';
import { visibleSections } from './admin-sections.js';
import { dialog, errorBox, field, fill, h, showError } from './ui.js';
import { noteAction } from './resume.js';
import { passkeyProof, secondFactors } from './webauthn.js';


/**
 * Signs in, loads the person and their permissions, and draws the top bar (a link to the
 * other console when it has something to show, and Sign out). Resolves to
 * {me, perms, can(resource, action)}, or shows the failure and rejects.
 */
export async function start(other) {
  const app = document.getElementById('app');
  try {
    await signIn();
    onStepUp(askForCode);
    const [me, { permissions }] = await Promise.all([api('GET', '/me'), api('GET', '/me/permissions')]);
    const can = (resource, action) => allowed(permissions, resource, action);
    const bar = document.getElementById('topbar-actions');
    fill(bar, h('span', { class: 'who' }, me.name || me.username || ''));
    if (other === 'admin' && visibleSections(can).length > 0) bar.append(h('a', { href: `${issuer}/ui/admin` }, 'Administration'));
    if (other === 'account') bar.append(h('a', { href: `${issuer}/ui/account` }, 'Your account'));
    bar.append(h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Sign out'));
    return { me, perms: permissions, can };
  } catch (e) {
    fill(app, errorBox(e), h('p', {}, h('a', { href: location.pathname }, 'Try again')));
    throw e;
  }
}

/**
 * Step-up (API.md §16): the action asked for a fresh second factor. Resolves to the code
 * typed or to { stepUp } after "Use a passkey" (the action then runs again with it), to null
 * for "sign in again" (after which the page takes the person back to the action: resume.js),
 * or rejects.
 */
function askForCode(problem) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const code = field('Authentication code', { name: 'code', autocomplete: 'one-time-code', hint: 'The six digits your authenticator app shows now.' });
    code.control.setAttribute('inputmode', 'numeric');
    const confirm = h('button', { type: 'submit', class: 'primary' }, 'Confirm');
    const again = h('button', { type: 'button', class: 'secondary', onclick: () => { answered = true; d.close(); noteAction(); resolve(null); } }, 'Sign in again instead');
    const actions = h('div', { class: 'actions' }, again, confirm);
    const form = h('form', { novalidate: true },
      h('p', {}, 'This change needs a fresh confirmation that it is you.'), code, actions);
    // A person with a passkey confirms with it instead of a code.
    const usePasskey = async () => {
      try {
        const stepUp = await passkeyProof();
        answered = true;
        d.close();
        resolve({ stepUp });
      } catch {
        showError(form, { title: 'Not accepted', message: 'The passkey could not be used. Try again, or type a code.' });
      }
    };
    // No authenticator app: no code to ask for; a passkey, else a sign-in with the factor they have.
    secondFactors().then((enabled) => {
      const noApp = !enabled.includes('totp');
      const use = enabled.includes('webauthn') && h('button', { type: 'button', class: noApp ? 'primary' : 'secondary', onclick: usePasskey }, 'Use a passkey');
      if (use) actions.prepend(use);
      if (!noApp) return;
      code.hidden = true;
      confirm.hidden = true;
      if (!use) again.className = 'primary';
      (use || again).focus();
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const v = code.control.value.replace(/\s/g, '');
      if (!/^\d{6,8}$/.test(v)) { showError(form, { title: 'Code needed', message: 'Type the code your authenticator app shows.', fields: { code: 'six digits' } }); return; }
      answered = true;
      d.close();
      resolve(v);
    });
    const d = dialog('Confirm it is you', form, { onClose: () => { if (!answered) reject(new Error('cancelled')); } });
    if (problem) showError(form, { title: 'Not accepted', message: problem, fields: { code: problem } });
    code.control.focus();
  });
}
