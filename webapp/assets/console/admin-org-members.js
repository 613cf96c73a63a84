// SPDX-License-Identifier: Apache-2.0
// Admin › Organizations › Members (API.md §18): add a user found by search, set a member's
// membership roles (the API refuses roles beyond the caller's own: 403 shown beside them), remove
// a member; and, for the user page, the organizations of one user.
import { allowed, api, query } from './api.js';
import { checkboxes, confirmAction, dialog, errorBox, field, fill, h, note, onSubmit, table } from './ui.js';
import { pagedList } from './list.js';

const GRANT_HINT = 'You can give only roles whose permissions you hold yourself.';
const nameOf = (m) => m.username || m.user_id;

/** Checkboxes of every role (with roles:read), else a box of role names. */
function rolesControl(names, held = []) {
  if (!names) return field('Membership roles', { name: 'roles', value: held.join(', '), hint: `Role names, separated by commas. ${GRANT_HINT}` });
  const set = checkboxes('Membership roles', 'roles', names, held);
  set.append(h('p', { class: 'hint' }, GRANT_HINT));
  return set;
}
const rolesOf = (v) => (Array.isArray(v.roles) ? v.roles : (v.roles || '').split(',').map((x) => x.trim()).filter(Boolean));

/** Of the chosen `roles`, those carrying a permission the caller lacks: "billing (invoices:pay)". */
async function beyond(ctx, roles) {
  if (!ctx.can('roles', 'read')) return [];
  const all = (await api('GET', '/roles?limit=200')).items.filter((r) => roles.includes(r.name));
  return all.map((r) => [r.name, r.permissions.filter((p) => !allowed(ctx.perms, ...p.split(':')))])
    .filter(([, lacking]) => lacking.length).map(([name, lacking]) => `${name} (${lacking.join(', ')})`);
}

/** PUT the membership; a refusal (403) is said beside the roles, naming what is beyond the caller. */
async function putMember(ctx, org, userId, roles) {
  try {
    await api('PUT', `/organizations/${encodeURIComponent(org.id)}/members/${encodeURIComponent(userId)}`, { roles });
  } catch (e) {
    if (e.status !== 403) throw e;
    const over = await beyond(ctx, roles).catch(() => []);
    e.fields = { ...e.fields, roles: over.length ? `Beyond your own permissions: ${over.join('; ')}.` : e.message };
    throw e;
  }
}

/** The Members panel of an organization's page. `allNames(resource)` lists role names (or null). */
export function membersPanel(org, root, ctx, allNames) {
  const edit = ctx.can('organizations', 'update');
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'h-members' }, h('h2', { id: 'h-members' }, 'Members'));
  const done = (text) => { note(root, text); list.reload(); };
  if (edit) panel.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => addMember(org, ctx, allNames, done) }, 'Add member')));
  const who = (m) => (ctx.can('users', 'read') && m.username ? h('a', { href: `#/users/${encodeURIComponent(m.user_id)}` }, m.username) : nameOf(m));
  const list = pagedList(panel, {
    path: `/organizations/${encodeURIComponent(org.id)}/members`, caption: 'Members',
    headers: edit ? ['Member', 'Membership roles', 'Actions'] : ['Member', 'Membership roles'],
    row: (m) => [who(m), m.roles.join(', ') || '—', ...(edit ? [memberActions(ctx, org, m, allNames, done, panel)] : [])],
  });
  return panel;
}

function memberActions(ctx, org, m, allNames, done, panel) {
  const name = nameOf(m);
  const roles = async () => {
    const form = h('form', { novalidate: true }, rolesControl(await allNames('roles').catch(() => null), m.roles),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save roles')));
    const d = dialog(`Roles of ${name} in ${org.name}`, form);
    onSubmit(form, async (v) => { await putMember(ctx, org, m.user_id, rolesOf(v)); d.close(); done(`Roles of ${name} saved.`); });
  };
  const remove = async () => {
    if (!(await confirmAction(`Remove ${name}?`, `${name} leaves ${org.name}: their tokens and sign-ins for it stop working at once. Their account stays.`, { confirm: 'Remove' }))) return;
    try { await api('DELETE', `/organizations/${encodeURIComponent(org.id)}/members/${encodeURIComponent(m.user_id)}`); done(`${name} removed.`); } catch (e) { panel.append(errorBox(e)); }
  };
  return h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'secondary small', 'aria-label': `Change the roles of ${name}`, onclick: roles }, 'Change roles'),
    h('button', { type: 'button', class: 'danger small', 'aria-label': `Remove ${name}`, onclick: remove }, 'Remove'));
}

/** Without users:read, a box for the user's id; with it, a search and a choice of results. */
function userPicker(ctx) {
  if (!ctx.can('users', 'read')) return { nodes: [field('User id', { name: 'user_id', required: true, autocomplete: 'off' })], label: (id) => id };
  const found = new Map();
  const find = field('Find a user', { name: 'find', type: 'search', autocomplete: 'off', hint: 'Part of a username, email or name.' });
  const results = h('fieldset', { class: 'checks' }, h('legend', {}, 'User'), h('p', { class: 'muted' }, 'Search, then choose one.'));
  const search = async () => {
    try {
      const res = await api('GET', `/users${query({ q: find.control.value.trim(), limit: 10 })}`);
      fill(results, h('legend', {}, 'User'), res.items.length ? null : h('p', { class: 'muted' }, 'No user matches.'));
      for (const u of res.items) {
        const id = `pick-${u.id}`;
        found.set(u.id, u.username);
        results.append(h('div', { class: 'check' }, h('input', { type: 'radio', id, name: 'user_id', value: u.id }), h('label', { for: id }, u.email ? `${u.username} (${u.email})` : u.username)));
      }
    } catch (e) { fill(results, h('legend', {}, 'User'), errorBox(e)); }
  };
  find.control.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); search(); } });
  const button = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: search }, 'Search users'));
  return { nodes: [find, button, results], label: (id) => found.get(id) || id };
}

async function addMember(org, ctx, allNames, done) {
  const picker = userPicker(ctx);
  const form = h('form', { novalidate: true }, picker.nodes, rolesControl(await allNames('roles').catch(() => null)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add member')));
  const d = dialog(`Add a member to ${org.name}`, form);
  onSubmit(form, async (v) => {
    const id = (v.user_id || '').trim();
    if (!id) throw { title: 'No user chosen', message: 'Search for the person and choose them.', fields: { [ctx.can('users', 'read') ? 'find' : 'user_id']: 'choose a user' } };
    await putMember(ctx, org, id, rolesOf(v));
    d.close();
    done(`${picker.label(id)} added to ${org.name}.`);
  });
}

/** The Organizations panel of a user's page: each membership with its roles. */
export function userOrganizations(u) {
  const body = h('div', { 'aria-busy': 'true' });
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'h-user-orgs' }, h('h2', { id: 'h-user-orgs' }, 'Organizations'), body);
  api('GET', `/users/${encodeURIComponent(u.id)}/organizations`).then(
    (res) => fill(body, table('Organizations', ['Organization', 'Slug', 'Membership roles'], res.items.map((o) =>
      [h('a', { href: `#/organizations/${encodeURIComponent(o.id)}` }, o.name), o.slug, o.roles.join(', ') || '—']))),
    (e) => fill(body, errorBox(e))).finally(() => body.removeAttribute('aria-busy'));
  return panel;
}
