// SPDX-License-Identifier: Apache-2.0
// Admin › Audit log: newest first, filtered by type, actor and time, paged.
import { field, fill, h, when } from './ui.js';
import { pagedList } from './list.js';

export default function audit(root) {
  let filters = {};
  const form = h('form', { class: 'toolbar', 'aria-label': 'Filter events' },
    field('Type', { name: 'type', hint: 'e.g. user.created' }),
    field('Actor', { name: 'actor', hint: 'user id, client_id or system' }),
    field('Since', { name: 'since', type: 'datetime-local', hint: 'in your local time' }),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'));
  fill(root, h('h1', {}, 'Audit log'), form);
  const list = pagedList(root, {
    path: '/audit', caption: 'Audit events', headers: ['Time', 'Type', 'Actor', 'Subject', 'Address', 'Details'], params: () => filters,
    row: (e) => [when(e.time), e.type, e.actor || '—', e.subject || '—', e.ip || '—', h('code', {}, JSON.stringify(e.details || {}))],
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const since = form.elements.since.value;
    filters = { type: form.elements.type.value.trim(), actor: form.elements.actor.value.trim(),
      since: since ? new Date(since).toISOString().replace(/\.\d+Z$/, 'Z') : '' };
    list.reload();
  });
}
