// SPDX-License-Identifier: Apache-2.0
// Admin › Identity providers (API.md §14): upstream OIDC, OAuth 2.0 and LDAP sign-in; the client
// secret and bind password are write-only (shown as set, replaceable).
import { issuer } from './api.js';
import { field, h } from './ui.js';
import { crud } from './crud.js';

const MASK = '********';
const secretsOf = (p) => Object.keys(p?.config || {}).filter((k) => p.config[k] === MASK);
const NEW_SECRETS = { oidc: ['client_secret'], oauth2: ['client_secret'], ldap: ['bind_password'] };

function configText(p) {
  const c = { ...(p?.config || {}) };
  for (const k of secretsOf(p)) delete c[k];
  return JSON.stringify(c, null, 2);
}

const list = (s) => (s || '').split(',').map((x) => x.trim()).filter(Boolean);

export default crud({
  resource: 'identity-providers', perm: 'identity_providers', title: 'Identity providers', singular: 'identity provider',
  headers: ['Name', 'Shown as', 'Kind', 'Enabled'],
  row: (p, href) => [h('a', { href }, p.name), p.display_name, p.kind, p.enabled ? 'Yes' : 'No'],
  details: (p) => h('dl', { class: 'props' },
    h('dt', {}, 'Kind'), h('dd', {}, p.kind),
    h('dt', {}, 'Redirect URI to register upstream'), h('dd', {}, h('code', {}, `${issuer}/federation/${p.name}/callback`)),
    h('dt', {}, 'Secrets'), h('dd', {}, secretsOf(p).map((k) => `${k} (set)`).join(', ') || '—')),
  async fields(p) {
    return [p ? null : field('Name', { name: 'name', value: '', required: true, hint: 'Lowercase letters, digits, - and _: it appears in the redirect URI.' }),
      field('Display name', { name: 'display_name', value: p?.display_name || '', required: true, hint: 'The login page shows "Sign in with" and this.' }),
      p ? null : field('Kind', { name: 'kind', options: [['oidc', 'OpenID Connect'], ['oauth2', 'OAuth 2.0'], ['ldap', 'LDAP directory']], value: 'oidc' }),
      field('Configuration (JSON)', { name: 'config', rows: 7, secret: true, value: p ? configText(p) : '{\n  "issuer": "https://",\n  "client_id": ""\n}', hint: 'See docs/federation.md for each kind. Secrets are sealed and never shown again.' }),
      ...(p ? secretsOf(p) : ['client_secret']).map((k) => field(p ? `New ${k}` : 'Client secret or bind password', { name: `secret:${k}`, type: 'password', autocomplete: 'off', secret: true, hint: p ? 'Set; leave empty to keep it.' : 'Leave empty for none.' })),
      field('Default roles', { name: 'default_roles', value: (p?.default_roles || []).join(', '), hint: 'Role names, separated by commas, for people created at their first sign-in.' }),
      field('Link by email', { name: 'link_by_email', options: [['never', 'Never'], ['verified', 'When the upstream verified the email']], value: p?.link_by_email || 'never' }),
      field('Enabled', { name: 'enabled', type: 'checkbox', value: p ? p.enabled : true }),
      field('Create users at their first sign-in', { name: 'jit', type: 'checkbox', value: p ? p.jit : true }),
      field('Trust the upstream\u2019s two-step verification', { name: 'trust_mfa', type: 'checkbox', value: Boolean(p?.trust_mfa) })];
  },
  body(v, p) {
    let config;
    try { config = JSON.parse(v.config || '{}'); } catch {
      const e = new Error('The configuration is not valid JSON.');
      Object.assign(e, { title: 'Invalid configuration', fields: { config: 'not valid JSON' } });
      throw e;
    }
    for (const [k, val] of Object.entries(v)) {
      if (!k.startsWith('secret:') || !val) continue;
      const name = p ? k.slice(7) : (NEW_SECRETS[v.kind] || ['client_secret'])[0];
      config[name] = val;
    }
    for (const k of p ? secretsOf(p) : []) if (!(k in config)) config[k] = MASK;
    const body = { display_name: v.display_name.trim(), config, default_roles: list(v.default_roles),
      link_by_email: v.link_by_email, enabled: v.enabled, jit: v.jit, trust_mfa: v.trust_mfa };
    return p ? body : { name: v.name.trim(), kind: v.kind, ...body };
  },
});
