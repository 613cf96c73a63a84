// SPDX-License-Identifier: Apache-2.0
// Admin › Roles: name, description and a permission editor offering GET /permissions.
import { api } from './api.js';
import { checkboxes, field, h } from './ui.js';
import { crud } from './crud.js';

// Until GET /permissions (§11) answers, the management API's own permissions.
const RESOURCES = ['users', 'groups', 'roles', 'applications', 'providers', 'sessions', 'audit', 'tenants'];
const FALLBACK = ['*:*', ...RESOURCES.flatMap((r) => ['read', 'create', 'update', 'delete'].map((a) => `${r}:${a}`))];

async function known() {
  try { return (await api('GET', '/permissions')).permissions; } catch { return FALLBACK; }
}

export default crud({
  resource: 'roles', title: 'Roles', singular: 'role',
  headers: ['Name', 'Description', 'Permissions'],
  row: (r, href) => [h('a', { href }, r.name), r.description || '—', (r.permissions || []).join(' ') || '—'],
  async fields(r) {
    const offered = await known();
    const held = r?.permissions || [];
    const other = held.filter((p) => !offered.includes(p));
    return [field('Name', { name: 'name', value: r?.name || '', required: true }),
      field('Description', { name: 'description', value: r?.description || '' }),
      checkboxes('Permissions', 'permissions', offered, held),
      field('Other permissions', { name: 'other', rows: 3, value: other.join('\n'), hint: 'One resource:action per line, e.g. ledger:post.' })];
  },
  body: (v) => ({
    name: v.name.trim(), description: v.description,
    permissions: [...new Set([...(v.permissions || []), ...v.other.split(/\s+/).filter(Boolean)])],
  }),
});
