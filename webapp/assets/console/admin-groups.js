// SPDX-License-Identifier: Apache-2.0
// Admin › Groups: name, description and the roles members receive.
import { checkboxes, field, h } from './ui.js';
import { crud } from './crud.js';
import { allNames } from './admin-users.js';

export default crud({
  resource: 'groups', title: 'Groups', singular: 'group',
  headers: ['Name', 'Description', 'Roles', 'Members'],
  row: (g, href) => [h('a', { href }, g.name), g.description || '—', (g.roles || []).join(', ') || '—', String((g.members || []).length)],
  details: (g) => h('dl', { class: 'props' }, h('dt', {}, 'Members'), h('dd', {}, String((g.members || []).length))),
  async fields(g, ctx) {
    const roles = await allNames(ctx, 'roles');
    return [field('Name', { name: 'name', value: g?.name || '', required: true }),
      field('Description', { name: 'description', value: g?.description || '' }),
      roles ? checkboxes('Roles', 'roles', roles, g?.roles || []) : null];
  },
  body: (v) => ({ name: v.name.trim(), description: v.description, ...(v.roles ? { roles: v.roles } : {}) }),
});
