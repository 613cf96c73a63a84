// SPDX-License-Identifier: Apache-2.0
// Admin › Policies (API.md §15): allow and deny rules over actions, principals and a condition.
// The condition is JSON; the server compiles it and a compile error shows beside the box.
import { ApiError } from './api.js';
import { field, h } from './ui.js';
import { crud } from './crud.js';

const list = (s) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const join = (a) => (a || []).join('\n');

/** The condition box's JSON, or null when empty; bad JSON is an error beside the box. */
function condition(text) {
  if (!text.trim()) return null;
  try { return JSON.parse(text); } catch (e) {
    throw new ApiError({ status: 400, title: 'Invalid condition', message: 'The condition is not valid JSON.', fields: { condition: e.message } });
  }
}

export default crud({
  resource: 'policies', title: 'Policies', singular: 'policy',
  headers: ['Name', 'Effect', 'Actions'],
  row: (p, href) => [h('a', { href }, p.name), p.effect === 'deny' ? 'Deny' : 'Allow', (p.actions || []).join(', ')],
  details: (p) => h('dl', { class: 'props' },
    h('dt', {}, 'Effect'), h('dd', {}, p.effect === 'deny' ? 'Deny' : 'Allow'),
    h('dt', {}, 'Actions'), h('dd', {}, (p.actions || []).join(', ')),
    h('dt', {}, 'Condition'), h('dd', {}, p.condition ? h('code', {}, JSON.stringify(p.condition)) : '—')),
  async fields(p) {
    return [field('Name', { name: 'name', value: p?.name || '', required: true }),
      field('Effect', { name: 'effect', options: [['allow', 'Allow'], ['deny', 'Deny']], value: p?.effect || 'allow' }),
      field('Actions', { name: 'actions', rows: 2, value: join(p?.actions), hint: 'resource:action patterns, one per line (for example todo:update or ledger:*).' }),
      h('fieldset', {}, h('legend', {}, 'Principals'), h('p', { class: 'hint' }, 'All empty: the policy applies to everyone.'),
        field('Roles', { name: 'principals.roles', value: (p?.principals?.roles || []).join(', '), hint: 'Role names, separated by commas.' }),
        field('Groups', { name: 'principals.groups', value: (p?.principals?.groups || []).join(', ') }),
        field('Users', { name: 'principals.users', value: (p?.principals?.users || []).join(', '), hint: 'User ids.' })),
      field('Condition', { name: 'condition', rows: 4, value: p?.condition ? JSON.stringify(p.condition, null, 2) : '', hint: 'Optional JSON, for example {"eq":["resource.properties.ownerID","subject.id"]}.' })];
  },
  body(v) {
    const cond = condition(v.condition);
    return {
      name: v.name.trim(), effect: v.effect, actions: list(v.actions),
      principals: { roles: list(v['principals.roles']), groups: list(v['principals.groups']), users: list(v['principals.users']) },
      ...(cond ? { condition: cond } : {}), // the API keeps a condition once set (no null)
    };
  },
});
