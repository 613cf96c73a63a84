// SPDX-License-Identifier: Apache-2.0
// Account › Profile: the person's own name, email and phone number (PATCH /me).
import { api } from './api.js';
import { field, fill, h, note, onSubmit } from './ui.js';

export default function profile(root, ctx) {
  const { me } = ctx;
  const form = h('form', { novalidate: true },
    h('p', { class: 'muted' }, 'Username: ', h('strong', {}, me.username || '')),
    field('Name', { name: 'name', value: me.name || '', autocomplete: 'name' }),
    field('Email', { name: 'email', type: 'email', value: me.email || '', autocomplete: 'email' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save profile')));
  onSubmit(form, async (v) => {
    const body = { name: v.name || null };
    if (v.email !== (me.email || '')) body.email = v.email || null;
    const saved = await api('PATCH', '/me', body);
    Object.assign(me, { name: saved.name, email: saved.email });
    // A new address is unverified; the server sent it a link when it has an email provider.
    note(root, body.email && !saved.email_verified ? `Profile saved. ${saved.email} is not confirmed yet: a confirmation link goes there when this organisation sends email.` : 'Profile saved.');
  });
  fill(root, form);
}
