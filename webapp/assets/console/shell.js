// SPDX-License-Identifier: Apache-2.0
// What both consoles share around their sections: sign-in, the top bar, a failure page.
import { allowed, api, issuer, signIn, signOut } from './api.js';
import { errorBox, fill, h } from './ui.js';

// Permissions that open at least one section of the admin console.
const ADMIN_RESOURCES = /^(\*|users|groups|roles|applications|providers|audit|tenants|sessions):/;

/**
 * Signs in, loads the person and their permissions, and draws the top bar (a link to the
 * other console when it has something to show, and Sign out). Resolves to
 * {me, perms, can(resource, action)}, or shows the failure and rejects.
 */
export async function start(other) {
  const app = document.getElementById('app');
  try {
    await signIn();
    const [me, { permissions }] = await Promise.all([api('GET', '/me'), api('GET', '/me/permissions')]);
    const can = (resource, action) => allowed(permissions, resource, action);
    const bar = document.getElementById('topbar-actions');
    fill(bar, h('span', { class: 'who' }, me.name || me.username || ''));
    if (other === 'admin' && permissions.some((p) => ADMIN_RESOURCES.test(p))) bar.append(h('a', { href: `${issuer}/ui/admin` }, 'Administration'));
    if (other === 'account') bar.append(h('a', { href: `${issuer}/ui/account` }, 'Your account'));
    bar.append(h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Sign out'));
    return { me, perms: permissions, can };
  } catch (e) {
    fill(app, errorBox(e), h('p', {}, h('a', { href: location.pathname }, 'Try again')));
    throw e;
  }
}
