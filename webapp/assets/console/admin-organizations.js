// SPDX-License-Identifier: Apache-2.0
// Admin › Organizations (API.md §18): the customers of this tenant, searched and paged; create,
// edit and delete one; its members with their membership roles (admin-org-members.js).
import { field, h, when } from './ui.js';
import { crud } from './crud.js';
import { allNames } from './admin-users.js';
import { membersPanel } from './admin-org-members.js';

export default crud({
  resource: 'organizations', title: 'Organizations', singular: 'organization', search: 'Search organizations',
  headers: ['Name', 'Slug', 'Created'],
  row: (o, href) => [h('a', { href }, o.name), o.slug, when(o.created_at)],
  details: (o) => h('dl', { class: 'props' },
    h('dt', {}, 'Slug'), h('dd', {}, h('code', {}, o.slug)),
    h('dt', {}, 'Logo'), h('dd', {}, o.logo_url ? h('code', {}, o.logo_url) : '—'),
    h('dt', {}, 'Created'), h('dd', {}, when(o.created_at)),
    h('dt', {}, 'Id'), h('dd', {}, h('code', {}, o.id))),
  async fields(o) {
    return [field('Name', { name: 'name', value: o?.name || '', required: true }),
      field('Slug', { name: 'slug', value: o?.slug || '', required: true, autocomplete: 'off', hint: 'Lowercase letters, digits and -; people may type it at sign-in (organization=).' }),
      field('Logo URL', { name: 'logo_url', type: 'url', value: o?.logo_url || '', hint: 'An https:// address; leave empty for none.' })];
  },
  body(v, o) {
    const body = { name: v.name.trim(), slug: v.slug.trim() };
    if (v.logo_url.trim()) body.logo_url = v.logo_url.trim();
    else if (o?.logo_url) body.logo_url = null;
    return body;
  },
  removal: (o) => `${o.name} and every membership in it are removed for good; its members' tokens for it stop working at once. Their accounts stay.`,
  extra: (o, root, ctx) => membersPanel(o, root, ctx, (r) => allNames(ctx, r)),
});
