// SPDX-License-Identifier: Apache-2.0
// Admin › Applications: create (the secret shown once, copyable), redirect URIs, grant types,
// rotate the secret, link delivery providers and choose defaults, delete.
import { api } from './api.js';
import { checkboxes, confirmAction, dialog, errorBox, field, h, note, onSubmit, secretField } from './ui.js';
import { crud } from './crud.js';

const GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:portcullis:params:oauth:grant-type:mfa'];
const lines = (s) => s.split(/\s+/).map((x) => x.trim()).filter(Boolean);

/** The secret of a new or rotated confidential application, shown this once. */
function showSecret(app, secret) {
  const body = h('div', {},
    h('p', {}, 'Copy the secret now: it is shown only this once.'),
    secretField('Client ID', app.client_id), secretField('Client secret', secret),
    h('div', { class: 'actions' }));
  const d = dialog('Client secret', body);
  body.lastChild.append(h('button', { type: 'button', class: 'primary', onclick: () => d.close() }, 'Done'));
}

async function providersPanel(app, root, ctx, again) {
  if (!ctx.can('providers', 'read')) return null;
  let all;
  try { all = (await api('GET', '/providers?limit=200')).items; } catch (e) { return errorBox(e); }
  const panel = h('form', { class: 'panel', novalidate: true }, h('h2', {}, 'Delivery providers'));
  const edit = ctx.can('applications', 'update');
  const linked = app.providers || [];
  const names = all.map((p) => `${p.name} (${p.kind})`);
  const set = checkboxes('Linked providers', 'linked', names, all.filter((p) => linked.includes(p.id)).map((p) => `${p.name} (${p.kind})`));
  panel.append(set);
  for (const kind of ['email', 'sms']) {
    const opts = [['', 'None'], ...all.filter((p) => p.kind === kind).map((p) => [p.id, p.name])];
    panel.append(field(kind === 'email' ? 'Default email provider' : 'Default SMS provider', { name: kind, options: opts, value: app.default_providers?.[kind] || '' }));
  }
  if (!edit) { panel.querySelectorAll('input, select').forEach((c) => { c.disabled = true; }); return panel; }
  panel.append(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save providers')));
  onSubmit(panel, async (v) => {
    const base = `/applications/${encodeURIComponent(app.id)}`;
    const want = all.filter((p) => v.linked.includes(`${p.name} (${p.kind})`)).map((p) => p.id);
    for (const p of all) {
      if (want.includes(p.id) && !linked.includes(p.id)) await api('PUT', `${base}/providers/${p.id}`);
      if (!want.includes(p.id) && linked.includes(p.id)) await api('DELETE', `${base}/providers/${p.id}`);
    }
    await api('PUT', `${base}/default-providers`, { email: v.email || null, sms: v.sms || null });
    await again();
    note(root, 'Providers saved.');
  });
  return panel;
}

export default crud({
  resource: 'applications', title: 'Applications', singular: 'application',
  headers: ['Name', 'Client ID', 'Type', 'Grant types'],
  row: (a, href) => [h('a', { href }, a.name), h('code', {}, a.client_id), a.type, (a.grant_types || []).join(', ')],
  details: (a) => h('dl', { class: 'props' },
    h('dt', {}, 'Client ID'), h('dd', {}, h('code', {}, a.client_id)),
    h('dt', {}, 'Type'), h('dd', {}, a.type + (a.first_party ? ', first-party' : '')),
    h('dt', {}, 'Redirect URIs'), h('dd', {}, (a.redirect_uris || []).join(' ') || '—')),
  async fields(a) {
    return [field('Name', { name: 'name', value: a?.name || '', required: true }),
      a ? null : field('Type', { name: 'type', options: [['confidential', 'Confidential (has a secret)'], ['public', 'Public (PKCE, no secret)']], value: 'confidential' }),
      checkboxes('Grant types', 'grant_types', GRANTS, a?.grant_types || ['authorization_code', 'refresh_token']),
      field('Redirect URIs', { name: 'redirect_uris', rows: 3, value: (a?.redirect_uris || []).join('\n'), hint: 'One absolute URI per line.' }),
      field('Post-logout redirect URIs', { name: 'post_logout_redirect_uris', rows: 2, value: (a?.post_logout_redirect_uris || []).join('\n') })];
  },
  body: (v, a) => ({
    name: v.name.trim(), ...(a ? {} : { type: v.type }), grant_types: v.grant_types,
    redirect_uris: lines(v.redirect_uris), post_logout_redirect_uris: lines(v.post_logout_redirect_uris),
  }),
  // The consoles' own client: deleting it here would lock everyone out of the consoles.
  keep: (a) => a.client_id === 'portcullis-console',
  created(app, root) {
    note(root, `${app.name} created.`);
    if (app.client_secret) showSecret(app, app.client_secret);
  },
  async extra(app, root, ctx, again) {
    const parts = [];
    if (ctx.can('applications', 'update') && app.type === 'confidential') {
      const rotate = h('button', { type: 'button', class: 'secondary' }, 'Rotate secret');
      rotate.addEventListener('click', async () => {
        if (!(await confirmAction('Rotate the secret?', 'The current secret stops working at once.', { confirm: 'Rotate' }))) return;
        try { showSecret(app, (await api('POST', `/applications/${encodeURIComponent(app.id)}/secret`)).client_secret); } catch (e) { rotate.after(errorBox(e)); }
      });
      parts.push(h('div', { class: 'actions' }, rotate));
    }
    parts.push(await providersPanel(app, root, ctx, again));
    return parts;
  },
});
