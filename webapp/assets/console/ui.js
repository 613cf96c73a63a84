// SPDX-License-Identifier: Apache-2.0
// DOM helpers of the consoles: elements built with textContent and setAttribute only (never
// innerHTML), forms whose errors show beside their fields, confirmations, tables and pagers.
let uid = 0;
/** A fresh id for label/aria links. */
export const nextId = (p = 'f') => `${p}-${++uid}`;

/**
 * Creates an element. `attrs`: attributes (set with setAttribute; `on*` functions become
 * listeners; false/null/undefined are left out). Children: nodes or strings (inserted as text).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled input inside a .field; returns the wrapper (its input is .control). */
export function field(label, { name, type = 'text', value = '', required = false, hint, autocomplete, options, rows, secret = false } = {}) {
  const id = nextId(name);
  let control;
  if (options) {
    control = h('select', { id, name, required });
    for (const o of options) {
      const [v, text] = Array.isArray(o) ? o : [o, o];
      control.append(h('option', { value: v, selected: v === value }, text));
    }
  } else if (rows) {
    control = h('textarea', { id, name, rows, required });
    control.value = value ?? '';
  } else {
    control = h('input', { id, name, type, required, autocomplete, spellcheck: type === 'text' ? 'false' : null });
    if (type === 'checkbox') control.checked = Boolean(value);
    else control.value = value ?? '';
  }
  if (secret || type === 'password') control.dataset.secret = ''; // never kept across a sign-in (resume.js)
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const wrap = type === 'checkbox'
    ? h('div', { class: 'field check' }, control, h('label', { for: id }, label), hintEl)
    : h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
  wrap.control = control;
  return wrap;
}

/** A fieldset of checkboxes named `name`, one per option, `checked` ticked. */
export function checkboxes(legend, name, options, checked = []) {
  const set = h('fieldset', { class: 'checks' }, h('legend', {}, legend));
  if (options.length === 0) set.append(h('p', { class: 'muted' }, 'None defined yet.'));
  for (const o of options) {
    const id = nextId(name);
    set.append(h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name, value: o, checked: checked.includes(o) }), h('label', { for: id }, o)));
  }
  set.dataset.name = name;
  return set;
}

/** The values of a form: checkbox groups as arrays, the chosen radio button's value, other controls as strings. */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === 'submit' || el.type === 'button') continue;
    if (el.type === 'checkbox' && el.closest('fieldset.checks')) {
      out[el.name] = out[el.name] || [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.type === 'radio') { if (el.checked) out[el.name] = el.value; }
    else out[el.name] = el.value;
  }
  return out;
}

/** Clears the errors a form shows. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error, .form-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid]').forEach((e) => {
    e.removeAttribute('aria-invalid');
    const d = (e.getAttribute('aria-describedby') || '').split(' ').filter((x) => !x.endsWith('-err')).join(' ');
    if (d) e.setAttribute('aria-describedby', d); else e.removeAttribute('aria-describedby');
  });
}

/** The control an error's field name points at: `a.b.c`, else `a.b`, else `a` (a[0] as a). */
function controlFor(form, name) {
  const parts = name.replace(/\[\d+\]/g, '').split('.');
  for (let n = parts.length; n > 0; n--) {
    const c = form.querySelector(`[name="${CSS.escape(parts.slice(0, n).join('.'))}"]`);
    if (c) return c;
  }
  return null;
}

/**
 * Shows an API error in `form`: its title and message at the top, and each entry of
 * `fields` beside the control of that name. The form keeps what was typed.
 */
export function showError(form, err) {
  clearErrors(form);
  const box = h('div', { class: 'alert form-error', role: 'alert' }, h('strong', {}, err.title || 'Error'), ' ', err.message || '');
  form.prepend(box);
  let first = null;
  for (const [name, reason] of Object.entries(err.fields || {})) {
    const control = controlFor(form, name);
    if (!control) { box.append(h('span', { class: 'block' }, `${name}: ${typeof reason === 'string' ? reason : JSON.stringify(reason)}`)); continue; }
    const id = `${control.id || nextId('c')}-err`;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', `${control.getAttribute('aria-describedby') || ''} ${id}`.trim());
    const at = control.closest('.field, fieldset') || control;
    at.append(h('p', { class: 'field-error', id }, typeof reason === 'string' ? reason : JSON.stringify(reason)));
    first = first || control;
  }
  (first || box).focus?.();
  if (!first) { box.setAttribute('tabindex', '-1'); box.focus(); }
}

/**
 * Wires a form: on submit, run `action(values)`; errors show in the form (values kept),
 * the submit button is busy meanwhile.
 */
export function onSubmit(form, action) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      clearErrors(form);
      await action(values(form));
    } catch (e) {
      showError(form, e);
    } finally {
      if (button) button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/** A status line announced to screen readers. */
export function note(el, text) {
  let s = el.querySelector(':scope > .status');
  if (!s) { s = h('p', { class: 'status', role: 'status' }); el.prepend(s); }
  s.textContent = text;
}

/**
 * A modal dialog titled `title` holding `body` nodes. Resolves with the dialog element once
 * shown; closes on Escape or a Close/Cancel button. `onClose` runs after it is closed.
 */
export function dialog(title, body, { onClose } = {}) {
  const titleId = nextId('dlg');
  const d = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' },
    h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, title),
      h('button', { type: 'button', class: 'ghost close', 'aria-label': 'Close', onclick: () => d.close() }, '×')),
    body);
  d.addEventListener('close', () => { d.remove(); onClose?.(); });
  document.body.append(d);
  d.showModal();
  return d;
}

/**
 * Asks before a destructive action. `typed`: a word the person must type to confirm.
 * Resolves true when confirmed.
 */
export function confirmAction(title, message, { confirm = 'Confirm', typed } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const input = typed ? field(`Type ${typed} to confirm`, { name: 'typed', required: true }) : null;
    const form = h('form', { method: 'dialog' }, h('p', {}, message), input,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => d.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'danger' }, confirm)));
    form.addEventListener('submit', (ev) => {
      if (typed && input.control.value !== typed) {
        ev.preventDefault();
        showError(form, { title: 'Not confirmed', message: `Type ${typed} exactly.`, fields: { typed: 'does not match' } });
        return;
      }
      answer = true;
    });
    const d = dialog(title, form, { onClose: () => resolve(answer) });
  });
}

/** A table with a caption and column headers; `rows` are arrays of cells (nodes or text). */
export function table(caption, headers, rows) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {}, h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((c, i) => h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, 'data-label': headers[i] }, c))))
        : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'Nothing here yet.')))));
}

/** An error box for a failed load, with the API's title and message. */
export function errorBox(err) {
  return h('div', { class: 'alert', role: 'alert' }, h('strong', {}, err.title || 'Error'), ' ', err.message || String(err));
}

/** A button that copies `text` to the clipboard, saying so. */
export function copyButton(label, text) {
  const b = h('button', { type: 'button', class: 'secondary small' }, label);
  b.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(text); b.textContent = 'Copied'; } catch { b.textContent = 'Select and copy'; }
  });
  return b;
}

/** "2026-12-04 18:40" from an RFC 3339 string or Unix seconds. */
export function when(t) {
  if (t === null || t === undefined || t === '') return '—';
  const d = typeof t === 'number' || /^\d+$/.test(t) ? new Date(Number(t) * 1000) : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().slice(0, 16).replace('T', ' ');
}

/** A read-only, labelled text box holding a secret to copy, with a Copy button. */
export function secretField(label, value) {
  const f = field(label, { name: 'secret-view', value, autocomplete: 'off', secret: true });
  f.control.readOnly = true;
  f.control.classList.add('secret');
  f.control.removeAttribute('name');
  f.append(h('div', { class: 'actions' }, copyButton(`Copy ${label.toLowerCase()}`, value)));
  return f;
}
