// SPDX-License-Identifier: Apache-2.0
// Admin › Tenants (default tenant only): create one, showing its admin-cli secret once; delete
// with the slug typed to confirm.
import { api } from './api.js';
import { confirmAction, dialog, errorBox, field, fill, h, note, onSubmit, secretField, when } from './ui.js';
import { pagedList } from './list.js';

export default function tenants(root, ctx) {
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Tenants'));
  if (ctx.can('tenants', 'create')) head.append(h('button', { type: 'button', class: 'primary', onclick: () => create() }, 'New tenant'));
  fill(root, head);
  const canDelete = ctx.can('tenants', 'delete');
  const list = pagedList(root, {
    path: '/tenants', caption: 'Tenants', headers: ['Slug', 'Name', 'Issuer', 'Created', 'Action'],
    row: (t) => [t.slug, t.name || '—', h('code', {}, t.issuer), when(t.created_at),
      canDelete && t.slug !== 'default' ? h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${t.slug}`, onclick: () => remove(t) }, 'Delete') : '—'],
  });

  async function remove(t) {
    if (!(await confirmAction(`Delete tenant ${t.slug}?`, 'Every user, application, key and event of this tenant is removed for good.', { confirm: 'Delete tenant', typed: t.slug }))) return;
    try { await api('DELETE', `/tenants/${encodeURIComponent(t.slug)}`); note(root, `Tenant ${t.slug} deleted.`); } catch (e) { root.append(errorBox(e)); }
    list.reload();
  }

  function create() {
    const form = h('form', { novalidate: true },
      field('Slug', { name: 'slug', required: true, hint: 'Lower-case letters, digits and dashes; part of the issuer URL.' }),
      field('Name', { name: 'name' }),
      field('Admin username', { name: 'username', required: true, autocomplete: 'off' }),
      field('Admin password', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }),
      field('Admin email', { name: 'email', type: 'email', autocomplete: 'off' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create')));
    const d = dialog('New tenant', form);
    onSubmit(form, async (v) => {
      const admin = { username: v.username.trim(), password: v.password };
      if (v.email) admin.email = v.email;
      let t;
      try {
        t = await api('POST', '/tenants', { slug: v.slug.trim(), ...(v.name ? { name: v.name } : {}), admin });
      } catch (e) {
        // Errors about the nested admin object name admin.username etc.: show them on those fields.
        const f = {};
        for (const [k, r] of Object.entries(e.fields || {})) {
          if (k === 'admin' && typeof r === 'object') for (const [ak, ar] of Object.entries(r)) f[ak] = ar;
          else f[k] = r;
        }
        e.fields = f;
        throw e;
      }
      d.close();
      list.reload();
      const secret = t.admin_client.client_secret;
      const body = h('div', {}, h('p', {}, `Tenant ${t.slug} is ready at ${t.issuer}. Copy the admin-cli secret now: it is shown only this once.`),
        secretField('Client ID', t.admin_client.client_id), secretField('Client secret', secret),
        h('div', { class: 'actions' }));
      const shown = dialog('Tenant created', body);
      body.lastChild.append(h('button', { type: 'button', class: 'primary', onclick: () => shown.close() }, 'Done'));
    });
  }
}
