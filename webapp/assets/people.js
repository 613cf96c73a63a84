// SPDX-License-Identifier: Apache-2.0
// The reset, verification, invitation and registration pages: each form goes to its API call as JSON.
'use strict';

function show(el, text) {
  el.textContent = text;
  el.hidden = false;
}

// The contract's error body {code, title, message, fields}, said in words; the named fields marked.
function explain(form, body) {
  const fields = body && typeof body.fields === 'object' ? body.fields : {};
  let first = null;
  for (const input of form.querySelectorAll('input:not([type=hidden])')) {
    const bad = input.name in fields;
    input.setAttribute('aria-invalid', bad ? 'true' : 'false');
    if (bad && !first) first = input;
  }
  const details = Object.entries(fields).map(([name, reason]) => `${name.replace('_', ' ')} ${reason}`);
  if ('token' in fields) return { text: 'This link is no longer valid: it was used already, or it expired. Ask for a new one.', first };
  const text = (body && body.message) || 'Something went wrong. Try again later.';
  return { text: details.length ? `${text}: ${details.join('; ')}.` : text, first };
}

function payload(form) {
  const out = {};
  for (const [name, value] of new FormData(form)) if (value !== '') out[name] = value;
  return out;
}

async function submit(form, event) {
  event.preventDefault();
  if (form.dataset.sent) return;
  const error = document.getElementById('form-error');
  const done = document.getElementById('form-done');
  form.dataset.sent = '1';
  form.setAttribute('aria-busy', 'true');
  error.hidden = true;
  try {
    const r = await fetch(form.dataset.api, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload(form)), credentials: 'omit',
    });
    const text = await r.text();
    if (r.ok) {
      form.hidden = true;
      show(done, form.dataset.done);
      if (form.dataset.return) {
        const a = document.createElement('a');
        a.href = form.dataset.return;
        a.textContent = 'Back to sign in';
        done.append(' ', a);
      }
      done.focus();
      return;
    }
    const { text: said, first } = explain(form, text ? JSON.parse(text) : null);
    show(error, r.status === 429 ? 'Too many attempts. Wait a minute, then try again.' : said);
    (first || error).focus();
  } catch {
    show(error, 'The server could not be reached. Try again.');
  } finally {
    delete form.dataset.sent;
    form.removeAttribute('aria-busy');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[data-api]')) form.addEventListener('submit', (e) => submit(form, e));
  for (const el of document.querySelectorAll('[role=status], [role=alert]')) el.setAttribute('tabindex', '-1');
});
