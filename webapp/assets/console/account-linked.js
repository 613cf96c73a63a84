// SPDX-License-Identifier: Apache-2.0
// Account › Linked accounts (API.md §14): identities at other providers (GET /me/identities),
// Unlink for each (refused for the last way to sign in), Link for each provider not linked yet:
// that opens the server's own form, which posts with the CSRF token (docs/federation.md).
import { api, issuer } from './api.js';
import { confirmAction, errorBox, fill, h, note, table, when } from './ui.js';

export default function linked(root) {
  const body = h('div');

  async function load() {
    try {
      const [mine, offered] = await Promise.all([api('GET', '/me/identities'), api('GET', '/auth/providers')]);
      const have = new Set(mine.items.map((i) => i.provider));
      const rows = mine.items.map((i) => [i.provider || '—', i.email || i.subject, when(i.linked_at),
        h('button', { type: 'button', class: 'secondary small', onclick: () => unlink(i) }, `Unlink ${i.provider}`)]);
      const links = offered.items.filter((p) => !have.has(p.name)).map((p) =>
        h('a', { class: 'button secondary', href: `${issuer}/federation/${encodeURIComponent(p.name)}/start?link=1` }, `Link ${p.display_name}`));
      fill(body,
        rows.length ? table('Your linked accounts', ['Provider', 'Account', 'Linked', 'Action'], rows)
          : h('p', { class: 'muted' }, 'No account at another provider is linked.'),
        links.length ? h('div', { class: 'actions' }, links) : null);
    } catch (e) { fill(body, errorBox(e)); }
  }

  async function unlink(i) {
    if (!(await confirmAction(`Unlink ${i.provider}?`, 'You can no longer sign in with that account until you link it again.', { confirm: 'Unlink' }))) return;
    try { await api('DELETE', `/me/identities/${encodeURIComponent(i.provider)}`); } catch (e) { body.prepend(errorBox(e)); return; }
    note(root, 'Account unlinked.');
    load();
  }

  fill(root, body);
  load();
}
