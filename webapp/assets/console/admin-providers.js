// SPDX-License-Identifier: Apache-2.0
// Admin › Providers: email and SMS delivery; secrets are write-only (shown as set, replaceable).
import { field, h } from './ui.js';
import { crud } from './crud.js';

const MASK = '********';
const secretsOf = (p) => Object.keys(p?.config || {}).filter((k) => p.config[k] === MASK);

function configText(p) {
  const c = { ...(p?.config || {}) };
  for (const k of secretsOf(p)) delete c[k];
  delete c.default;
  return JSON.stringify(c, null, 2);
}

export default crud({
  resource: 'providers', title: 'Providers', singular: 'provider',
  headers: ['Name', 'Kind', 'Plugin', 'Default'],
  row: (p, href) => [h('a', { href }, p.name), p.kind, p.plugin, p.config?.default ? 'Yes' : 'No'],
  details: (p) => h('dl', { class: 'props' }, h('dt', {}, 'Kind'), h('dd', {}, p.kind), h('dt', {}, 'Plugin'), h('dd', {}, p.plugin),
    h('dt', {}, 'Secrets'), h('dd', {}, secretsOf(p).map((k) => `${k} (set)`).join(', ') || '—')),
  async fields(p) {
    return [field('Name', { name: 'name', value: p?.name || '', required: true }),
      p ? null : field('Kind', { name: 'kind', options: [['email', 'Email'], ['sms', 'SMS']], value: 'email' }),
      p ? null : field('Plugin', { name: 'plugin', value: '', required: true, hint: 'smtp, http_sms or file.' }),
      field('Configuration (JSON)', { name: 'config', rows: 6, secret: true, value: p ? configText(p) : '{}', hint: 'Secrets such as passwords and tokens are sealed and never shown again.' }),
      ...secretsOf(p).map((k) => field(`New ${k}`, { name: `secret:${k}`, type: 'password', autocomplete: 'off', secret: true, hint: 'Set; leave empty to keep it.' })),
      field(`Default provider of its kind`, { name: 'default', type: 'checkbox', value: Boolean(p?.config?.default) })];
  },
  body(v, p) {
    let config;
    try { config = JSON.parse(v.config || '{}'); } catch {
      const e = new Error('The configuration is not valid JSON.');
      Object.assign(e, { title: 'Invalid configuration', fields: { config: 'not valid JSON' } });
      throw e;
    }
    for (const [k, val] of Object.entries(v)) if (k.startsWith('secret:') && val) config[k.slice(7)] = val;
    if (v.default) config.default = true;
    return p ? { name: v.name.trim(), config } : { name: v.name.trim(), kind: v.kind, plugin: v.plugin.trim(), config };
  },
});
