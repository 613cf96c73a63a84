// SPDX-License-Identifier: Apache-2.0
// Admin › Settings: the tenant's settings (API.md §13) from GET /tenant, saved with PATCH /tenant.
// Only what changed is sent (an emptied box sends null: back to the default); each error shows
// beside its field ("settings.reset_ttl" -> the box named so). Read-only without tenant:update.
import { api } from './api.js';
import { errorBox, field, fill, h, note, onSubmit } from './ui.js';

const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
// [setting, label, kind, hint]; kind: number | alg | bool | registration
const SETTINGS = [
  ['Tokens and sessions', [
    ['access_ttl', 'Access token lifetime (seconds)', 'number', '30 to 86400.'],
    ['refresh_ttl', 'Refresh token lifetime (seconds)', 'number', '60 to 31536000.'],
    ['session_ttl', 'Browser session lifetime (seconds)', 'number', '60 to 31536000.'],
    ['code_ttl', 'Authorization code lifetime (seconds)', 'number', '1 to 600.'],
    ['access_token_alg', 'Access token signing algorithm', 'alg'],
    ['id_token_alg', 'ID token signing algorithm', 'alg'],
  ]],
  ['Sign-in and people', [
    ['registration', 'Self-registration', 'registration'],
    ['password_min_length', 'Minimum password length', 'number', '8 to 1024 characters.'],
    ['mfa_required', 'Require a second factor for everyone', 'bool', 'People without one enrol at their next sign-in.'],
    ['max_users', 'Maximum users', 'number', 'Empty: unlimited.'],
  ]],
  ['Links by email', [
    ['reset_ttl', 'Password reset link lifetime (seconds)', 'number', '60 to 604800.'],
    ['verify_ttl', 'Verification link lifetime (seconds)', 'number', '60 to 2592000.'],
    ['invitation_ttl', 'Invitation lifetime (seconds)', 'number', '60 to 2592000.'],
  ]],
  ['Limits', [
    ['max_roles_per_user', 'Roles per user', 'number', '1 to 10000.'],
    ['max_permissions_per_role', 'Permissions per role', 'number', '1 to 100000.'],
    ['max_roles', 'Roles in this organisation', 'number', '1 to 100000.'],
  ]],
];

function control([key, label, kind, hint], value) {
  const name = `settings.${key}`;
  if (kind === 'alg') return field(label, { name, options: ALGS, value });
  if (kind === 'registration') return field(label, { name, options: [['closed', 'Closed'], ['open', 'Open: anyone may create an account']], value });
  if (kind === 'bool') return field(label, { name, type: 'checkbox', value, hint });
  return field(label, { name, type: 'number', value: value ?? '', hint });
}

/** The value a control stands for, in the API's type. */
function valueOf(kind, raw) {
  if (kind === 'bool') return raw === true;
  if (kind === 'number') return raw === '' ? null : Number(raw);
  return raw;
}

function stepUpFields(s) {
  const on = s.step_up != null;
  return h('fieldset', {}, h('legend', {}, 'Step-up'),
    field('Require a fresh second factor for sensitive changes', { name: 'step_up_on', type: 'checkbox', value: on }),
    field('Permissions that need it', { name: 'settings.step_up.permissions', rows: 2, value: (s.step_up?.permissions || ['users:*', 'roles:*', 'applications:*']).join('\n'), hint: 'One resource:action per line.' }),
    field('Maximum age of the second factor (seconds)', { name: 'settings.step_up.max_age', type: 'number', value: s.step_up?.max_age ?? 300 }));
}

function stepUpValue(v) {
  if (!v.step_up_on) return null;
  const max = v['settings.step_up.max_age'];
  return { permissions: v['settings.step_up.permissions'].split(/\s+/).filter(Boolean), max_age: max === '' ? null : Number(max) };
}

/** The body of PATCH /tenant: the name and every setting that differs from what was loaded. */
function changes(v, t) {
  const settings = {};
  for (const [, list] of SETTINGS) {
    for (const [key, , kind] of list) {
      const now = valueOf(kind, v[`settings.${key}`]);
      if (JSON.stringify(now) !== JSON.stringify(t.settings[key] ?? null)) settings[key] = now;
    }
  }
  const step = stepUpValue(v);
  if (JSON.stringify(step) !== JSON.stringify(t.settings.step_up ?? null)) settings.step_up = step;
  const body = {};
  if (v.name.trim() !== (t.name || '')) body.name = v.name.trim();
  if (Object.keys(settings).length) body.settings = settings;
  return body;
}

export default async function settings(root, ctx) {
  let t;
  try { t = await api('GET', '/tenant'); } catch (e) { fill(root, h('h1', {}, 'Settings'), errorBox(e)); return; }
  const edit = ctx.can('tenant', 'update');
  const form = h('form', { novalidate: true, class: 'settings' },
    h('fieldset', {}, h('legend', {}, 'Organisation'),
      field('Name', { name: 'name', value: t.name || '', required: true }),
      h('p', { class: 'muted' }, `Slug: ${t.slug}`)),
    SETTINGS.map(([legend, list]) => h('fieldset', {}, h('legend', {}, legend), list.map((s) => control(s, t.settings[s[0]])))),
    stepUpFields(t.settings));
  fill(root, h('h1', {}, 'Settings'), form);
  if (!edit) {
    form.querySelectorAll('input, select, textarea').forEach((c) => { c.disabled = true; });
    form.prepend(h('p', { class: 'muted' }, 'You may read these settings but not change them.'));
    return;
  }
  form.append(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')));
  onSubmit(form, async (v) => {
    const body = changes(v, t);
    if (!Object.keys(body).length) { note(root, 'Nothing changed.'); return; }
    t = await api('PATCH', '/tenant', body);
    note(root, 'Settings saved.');
  });
}
