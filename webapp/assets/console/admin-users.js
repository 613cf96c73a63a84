// SPDX-License-Identifier: Apache-2.0
// Admin › Users: search and page through users, create one, and a user page with edit, roles and
// groups, reset password, reset MFA, end sessions, delete and restore.
import { api } from './api.js';
import { checkboxes, confirmAction, dialog, errorBox, field, fill, h, note, onSubmit, when } from './ui.js';
import { pagedList, searchBox } from './list.js';
import { userOrganizations } from './admin-org-members.js';
import { invitationsPanel } from './admin-invitations.js';

const frozen = (u) => u.disabled_until && new Date(u.disabled_until) > new Date();
const status = (u) => (u.deleted ? 'Deleted' : frozen(u) ? `Frozen until ${when(u.disabled_until)} UTC` : u.status === 'disabled' ? 'Disabled' : 'Active');

/** Every name of roles or groups (for the assignment checkboxes); [] without permission. */
export async function allNames(ctx, resource) {
  if (!ctx.can(resource, 'read')) return null;
  const res = await api('GET', `/${resource}?limit=200`);
  return res.items.map((x) => x.name);
}

export default async function users(root, ctx, [id]) {
  if (id) return userPage(root, ctx, id);
  let q = '';
  const search = searchBox('Search users', (text) => { q = text; list.reload(); });
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Users'));
  if (ctx.can('users', 'create')) head.append(h('button', { type: 'button', class: 'primary', onclick: () => newUser(ctx, list, root) }, 'New user'));
  fill(root, head, search);
  const list = pagedList(root, {
    path: '/users', caption: 'Users', headers: ['Username', 'Email', 'Status'], params: () => ({ q }),
    row: (u) => [h('a', { href: `#/users/${encodeURIComponent(u.id)}` }, u.username), u.email || '—', status(u)],
  });
  if (ctx.can('users', 'read')) invitationsPanel(root, ctx, (r) => allNames(ctx, r));
}

function newUser(ctx, list, root) {
  const form = h('form', { novalidate: true },
    field('Username', { name: 'username', required: true, autocomplete: 'off' }),
    field('Email', { name: 'email', type: 'email', autocomplete: 'off' }),
    field('Name', { name: 'name', autocomplete: 'off' }),
    field('Password', { name: 'password', type: 'password', autocomplete: 'new-password', hint: 'Leave empty to let the person set one by a reset link.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create')));
  const d = dialog('New user', form);
  onSubmit(form, async (v) => {
    const body = { username: v.username.trim() };
    for (const k of ['email', 'name', 'password']) if (v[k]) body[k] = v[k];
    const u = await api('POST', '/users', body);
    d.close();
    note(root, `User ${u.username} created.`);
    list.reload();
  });
}

async function userPage(root, ctx, id) {
  let u;
  try { u = await api('GET', `/users/${encodeURIComponent(id)}`); } catch (e) { fill(root, h('h1', {}, 'User'), errorBox(e)); return; }
  const edit = ctx.can('users', 'update');
  fill(root, h('p', {}, h('a', { href: '#/users' }, '← All users')), h('h1', {}, u.username),
    h('dl', { class: 'props' },
      h('dt', {}, 'Status'), h('dd', {}, status(u)),
      h('dt', {}, 'Email'), h('dd', {}, u.email ? `${u.email}${u.email_verified ? ' (verified)' : ' (not verified)'}` : '—'),
      h('dt', {}, 'Name'), h('dd', {}, u.name || '—'),
      h('dt', {}, 'Roles'), h('dd', {}, (u.roles || []).join(', ') || '—'),
      h('dt', {}, 'Groups'), h('dd', {}, (u.groups || []).join(', ') || '—'),
      h('dt', {}, 'Created'), h('dd', {}, when(u.created_at)),
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, u.id))));
  const again = () => userPage(root, ctx, id);
  const actions = h('div', { class: 'actions' });
  const act = async (title, message, confirm, method, path, body, done) => {
    if (!(await confirmAction(title, message, { confirm }))) return;
    try { await api(method, path, body); note(root, done); } catch (e) { actions.after(errorBox(e)); return; }
    again().then(() => note(root, done));
  };
  const base = `/users/${encodeURIComponent(u.id)}`;
  if (edit && 'status' in u && !u.deleted) {
    const off = u.status === 'disabled' && !frozen(u);
    actions.append(h('button', { type: 'button', class: off ? 'secondary' : 'danger',
      onclick: () => act(off ? 'Enable this user?' : 'Disable this user?', off ? 'They can sign in again.' : 'They cannot sign in; their sessions and tokens stop working.',
        off ? 'Enable' : 'Disable', 'PATCH', base, { status: off ? 'active' : 'disabled' }, off ? 'User enabled.' : 'User disabled.') }, off ? 'Enable' : 'Disable'));
  }
  if (edit && !u.deleted && !blocked(u)) actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => freeze(root, base, again) }, 'Freeze'));
  if (edit && !u.deleted && frozen(u)) actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => act('End the freeze?', 'They can sign in again at once.', 'Unfreeze', 'PATCH', base, { disabled_until: null }, 'Freeze ended.') }, 'Unfreeze'));
  if (edit && !u.deleted && u.email && !u.email_verified) actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => act('Send a verification email?', `A link to confirm ${u.email} is sent to that address.`, 'Send', 'POST', `${base}/email/verification`, undefined, 'Verification email sent.') }, 'Send verification email'));
  if (edit && !u.deleted) actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => resetPassword(root, base) }, 'Reset password'));
  if (edit && !u.deleted) actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => act('Reset MFA?', `Every second factor of ${u.username} is removed; they enrol again.`, 'Reset MFA', 'DELETE', `${base}/mfa`, undefined, 'Second factors removed.') }, 'Reset MFA'));
  if (ctx.can('sessions', 'delete') && !u.deleted) actions.append(h('button', { type: 'button', class: 'secondary', onclick: () => act('End all sessions?', `${u.username} is signed out everywhere and their tokens stop working.`, 'End sessions', 'DELETE', `${base}/sessions`, undefined, 'Sessions ended.') }, 'End sessions'));
  if (ctx.can('users', 'delete') && !u.deleted) actions.append(h('button', { type: 'button', class: 'danger', onclick: () => act('Delete this user?', `${u.username} can no longer sign in. Their data is kept and the user can be restored.`, 'Delete', 'DELETE', base, undefined, 'User deleted.') }, 'Delete'));
  if (edit && u.deleted) actions.append(h('button', { type: 'button', class: 'primary', onclick: () => act('Restore this user?', `${u.username} can sign in again.`, 'Restore', 'POST', `${base}/restore`, undefined, 'User restored.') }, 'Restore'));
  if (actions.childElementCount) root.append(actions);
  if (ctx.can('organizations', 'read')) root.append(userOrganizations(u));
  if (!edit || u.deleted) return;
  const [roles, groups] = await Promise.all([allNames(ctx, 'roles'), allNames(ctx, 'groups')]).catch(() => [null, null]);
  const form = h('form', { novalidate: true, class: 'panel' }, h('h2', {}, 'Edit user'),
    field('Username', { name: 'username', value: u.username, required: true }),
    field('Email', { name: 'email', type: 'email', value: u.email || '' }),
    field('Name', { name: 'name', value: u.name || '' }),
    field('Phone number', { name: 'phone_number', type: 'tel', value: u.phone_number || '' }),
    roles ? checkboxes('Roles', 'roles', roles, u.roles || []) : null,
    groups ? checkboxes('Groups', 'groups', groups, u.groups || []) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes')));
  onSubmit(form, async (v) => {
    const body = { username: v.username.trim(), email: v.email || null, name: v.name || null, phone_number: v.phone_number || null };
    if (roles) body.roles = v.roles || [];
    if (groups) body.groups = v.groups || [];
    await api('PATCH', base, body);
    await again();
    note(root, 'Changes saved.');
  });
  root.append(form);
}

function resetPassword(root, base) {
  const form = h('form', { novalidate: true },
    field('New password', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, hint: 'Their sessions end.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set password')));
  const d = dialog('Reset password', form);
  onSubmit(form, async (v) => { await api('POST', `${base}/password`, v); d.close(); note(root, 'Password set; their sessions ended.'); });
}

const blocked = (u) => u.status === 'disabled' || frozen(u);

/** Freeze until a date: sign-in refused and tokens cut until then, then active again by itself. */
function freeze(root, base, again) {
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 16);
  const form = h('form', { novalidate: true },
    field('Frozen until (UTC)', { name: 'until', type: 'datetime-local', value: tomorrow, required: true, hint: 'They cannot sign in until then; their sessions and tokens stop working now.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Freeze')));
  const d = dialog('Freeze this user', form);
  onSubmit(form, async (v) => {
    const at = new Date(`${v.until}:00Z`);
    if (Number.isNaN(at.getTime())) throw { title: 'Invalid date', message: 'Choose a date and time.', fields: { until: 'required' } };
    await api('PATCH', base, { disabled_until: at.toISOString().replace(/\.\d{3}Z$/, 'Z') });
    d.close();
    await again();
    note(root, `Frozen until ${when(at.toISOString())} UTC.`);
  });
}
