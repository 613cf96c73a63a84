// SPDX-License-Identifier: Apache-2.0
// Small progressive enhancements of the sign-in pages: no double submission. The pages work without it.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form')) {
    form.addEventListener('submit', (event) => {
      // Disabled buttons would drop approve/deny from the form: refuse a second submit instead.
      if (form.dataset.sent) event.preventDefault();
      form.dataset.sent = '1';
      form.setAttribute('aria-busy', 'true');
    });
  }
});
