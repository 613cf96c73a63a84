// SPDX-License-Identifier: Apache-2.0
// Account › Password: change one's own password (PUT /me/password); other sessions end.
import { api } from './api.js';
import { field, fill, h, note, onSubmit } from './ui.js';

export default function password(root) {
  const form = h('form', { novalidate: true },
    field('Current password', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true }),
    field('New password', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true,
      hint: 'Changing it signs you out everywhere else.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Change password')));
  onSubmit(form, async (v) => {
    await api('PUT', '/me/password', v);
    form.reset();
    note(root, 'Password changed. Your other sessions were signed out.');
  });
  fill(root, form);
}
