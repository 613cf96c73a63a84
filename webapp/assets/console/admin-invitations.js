// SPDX-License-Identifier: Apache-2.0
// Admin › Users › Invitations (API.md §12): invite by email (a link to choose a password), the
// invitations with their status, and revoking a pending one.
import { api } from './api.js';
import { checkboxes, confirmAction, dialog, errorBox, field, h, note, onSubmit, when } from './ui.js';
import { pagedList } from './list.js';

const STATUS = { pending: 'Pending', accepted: 'Accepted', revoked: 'Revoked', expired: 'Expired' };

/** The Invitations panel of the Users page; `allNames(resource)` lists roles or groups (or null). */
export function invitationsPanel(root, ctx, allNames) {
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'h-invitations' }, h('h2', { id: 'h-invitations' }, 'Invitations'));
  if (ctx.can('users', 'create')) {
    panel.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => invite(root, allNames, list) }, 'Invite someone')));
  }
  const list = pagedList(panel, {
    path: '/invitations', caption: 'Invitations', headers: ['Email', 'Status', 'Expires', 'Action'],
    row: (i) => [i.email, STATUS[i.status] || i.status, when(i.expires_at), revokeButton(i, ctx, () => list.reload(), panel)],
  });
  root.append(panel);
}

function revokeButton(i, ctx, reload, panel) {
  if (i.status !== 'pending' || !ctx.can('users', 'delete')) return '—';
  return h('button', {
    type: 'button', class: 'secondary small', 'aria-label': `Revoke the invitation of ${i.email}`,
    onclick: async () => {
      if (!(await confirmAction('Revoke this invitation?', `The link sent to ${i.email} stops working.`, { confirm: 'Revoke' }))) return;
      try { await api('DELETE', `/invitations/${encodeURIComponent(i.id)}`); reload(); } catch (e) { panel.append(errorBox(e)); }
    },
  }, 'Revoke');
}

async function invite(root, allNames, list) {
  const [roles, groups] = await Promise.all([allNames('roles'), allNames('groups')]).catch(() => [null, null]);
  const form = h('form', { novalidate: true },
    field('Email', { name: 'email', type: 'email', required: true, autocomplete: 'off' }),
    field('Name', { name: 'name', autocomplete: 'off' }),
    roles ? checkboxes('Roles', 'roles', roles) : null,
    groups ? checkboxes('Groups', 'groups', groups) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send invitation')));
  const d = dialog('Invite someone', form);
  onSubmit(form, async (v) => {
    const body = { email: v.email.trim() };
    if (v.name) body.name = v.name;
    if (v.roles?.length) body.roles = v.roles;
    if (v.groups?.length) body.groups = v.groups;
    const made = await api('POST', '/invitations', body);
    d.close();
    note(root, `Invitation sent to ${made.email}.`);
    list.reload();
  });
}
