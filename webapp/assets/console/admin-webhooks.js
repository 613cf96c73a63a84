// SPDX-License-Identifier: Apache-2.0
// Admin › Webhooks (API.md §17): subscriptions to audit events; the signing secret shown once
// (on creation and rotation), a test event, and the delivery attempts, newest first.
import { api } from './api.js';
import { confirmAction, dialog, errorBox, field, h, note, secretField, when } from './ui.js';
import { crud } from './crud.js';
import { pagedList } from './list.js';

const events = (s) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
const title = (w) => w.description || w.url;

function showSecret(secret) {
  const body = h('div', {}, h('p', {}, 'Copy the signing secret now: it is shown only this once.'),
    secretField('Signing secret', secret), h('div', { class: 'actions' }));
  const d = dialog('Signing secret', body);
  body.lastChild.append(h('button', { type: 'button', class: 'primary', onclick: () => d.close() }, 'Done'));
}

function deliveries(w) {
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'h-deliveries' }, h('h2', { id: 'h-deliveries' }, 'Deliveries'));
  const list = pagedList(panel, {
    path: `/webhooks/${encodeURIComponent(w.id)}/deliveries`, caption: 'Deliveries',
    headers: ['Event', 'Attempt', 'Status', 'Answer', 'Time', 'Next attempt'],
    row: (d) => [d.type, String(d.attempt), d.status, d.response_status ? String(d.response_status) : d.error || '—', when(d.created_at), when(d.next_attempt_at)],
  });
  panel.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary small', onclick: () => list.reload() }, 'Refresh deliveries')));
  return { panel, list };
}

export default crud({
  resource: 'webhooks', title: 'Webhooks', singular: 'webhook', heading: title,
  headers: ['Endpoint', 'Events', 'Enabled'],
  row: (w, href) => [h('a', { href }, title(w)), (w.events || []).join(', '), w.enabled ? 'Yes' : 'No'],
  details: (w) => h('dl', { class: 'props' },
    h('dt', {}, 'URL'), h('dd', {}, h('code', {}, w.url)),
    h('dt', {}, 'Events'), h('dd', {}, (w.events || []).join(', ')),
    h('dt', {}, 'Enabled'), h('dd', {}, w.enabled ? 'Yes' : 'No')),
  async fields(w) {
    return [field('URL', { name: 'url', type: 'url', value: w?.url || '', required: true, hint: 'An https:// address that receives a POST per event.' }),
      field('Events', { name: 'events', rows: 2, value: (w?.events || ['*']).join('\n'), hint: 'Audit event types, one per line (for example user.created), or * for all.' }),
      field('Description', { name: 'description', value: w?.description || '' }),
      field('Enabled', { name: 'enabled', type: 'checkbox', value: w ? w.enabled : true })];
  },
  body: (v) => ({ url: v.url.trim(), events: events(v.events), description: v.description, enabled: v.enabled }),
  created(w, root) {
    note(root, 'Webhook created.');
    if (w.secret) showSecret(w.secret);
  },
  async extra(w, root, ctx) {
    const bar = h('div', { class: 'actions' });
    const base = `/webhooks/${encodeURIComponent(w.id)}`;
    if (ctx.can('webhooks', 'update')) {
      const rotate = h('button', { type: 'button', class: 'secondary' }, 'Rotate secret');
      rotate.addEventListener('click', async () => {
        if (!(await confirmAction('Rotate the signing secret?', 'A new secret signs every delivery; the old one also signs for 24 hours so that receivers can switch.', { confirm: 'Rotate' }))) return;
        try { showSecret((await api('POST', `${base}/secret`)).secret); } catch (e) { bar.after(errorBox(e)); }
      });
      const test = h('button', { type: 'button', class: 'secondary' }, 'Send test event');
      test.addEventListener('click', async () => {
        try { await api('POST', `${base}/test`); note(root, 'Test event queued.'); list.reload(); } catch (e) { bar.after(errorBox(e)); }
      });
      bar.append(rotate, test);
    }
    const { panel, list } = deliveries(w);
    return [bar.childElementCount ? bar : null, panel];
  },
});
