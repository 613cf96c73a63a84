// SPDX-License-Identifier: Apache-2.0
// Back to the action after signing in again (step-up without an authenticator app): what the
// person was doing is noted before the page leaves (the control that started it, the dialog it
// opened, the values of its plain fields: no password, textarea or field marked data-secret, since
// sessionStorage holds them in plain text), and after the sign-in that dialog opens again
// with those values, or the form's button gets the focus. Nothing is sent by itself.
import { keepAction, takeAction } from './api.js';
import { h } from './ui.js';

let lastClicked = null;
const openers = new WeakMap(); // dialog → the button whose click opened it

addEventListener('click', (ev) => {
  const b = ev.target instanceof Element ? ev.target.closest('button') : null;
  if (b) lastClicked = b;
}, true);
new MutationObserver((changes) => {
  for (const c of changes) for (const n of c.addedNodes) if (n.nodeName === 'DIALOG') openers.set(n, lastClicked);
}).observe(document.body, { childList: true });

const nameOf = (b) => (b.getAttribute('aria-label') || b.textContent).trim();
const named = (app, name) => [...app.querySelectorAll('button')].filter((b) => nameOf(b) === name);
const PLAIN = ['text', 'email', 'url', 'number', 'search', 'tel', 'date', 'datetime-local', 'checkbox', 'radio'];
/** Kept across the sign-in: selects and plain inputs only, never a textarea (a provider's JSON
 * configuration holds passwords and tokens) nor a field marked data-secret or asking for a password. */
const plain = (el) => el.name && !el.closest('[data-secret]') && !/password|one-time-code/.test(el.autocomplete || '') &&
  (el.tagName === 'SELECT' || (el.tagName === 'INPUT' && PLAIN.includes(el.type)));

/** A form's values to carry over a sign-in: [name, value, checked] of each plain field. */
function valuesOf(form) {
  return form ? [...form.elements].filter(plain).map((el) => [el.name, el.value, el.checked]) : [];
}

function restore(form, values) {
  for (const [name, value, checked] of form ? values : []) {
    const el = [...form.elements].find((e) => e.name === name && (!['checkbox', 'radio'].includes(e.type) || e.value === value));
    if (!el) continue;
    if (['checkbox', 'radio'].includes(el.type)) el.checked = checked; else el.value = value;
  }
}

/**
 * What the person is doing now, inside `app`: {name, index, open, values}. `open`: a dialog of
 * the page is open (opened by the button named `name`); else that button runs the action itself.
 */
function current(app) {
  const open = [...document.querySelectorAll('dialog[open]')][0];
  let b = open ? openers.get(open) : lastClicked;
  // A button inside a dialog already closed (a confirmation): the button that opened it.
  while (b && !app.contains(b)) b = openers.get(b.closest('dialog'));
  if (!b) return null;
  const form = open ? open.querySelector('form') : b.form;
  return { name: nameOf(b), index: named(app, nameOf(b)).indexOf(b), open: Boolean(open), values: valuesOf(form) };
}

/** Notes the action in progress, to be taken up again after the sign-in that follows. */
export function noteAction() { keepAction(current(document.getElementById('app'))); }

/** Resolves to probe()'s first truthy value, polled until `ms` pass (then null). */
async function found(probe, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** After a sign-in that left an action noted: open its dialog again, or focus its button. */
export async function resume(app) {
  const a = takeAction();
  const b = a && await found(() => named(app, a.name)[a.index], 10000);
  if (!b) return;
  const say = (form) => form?.prepend(h('p', { class: 'status', role: 'status' }, 'You signed in again. Check the form and send it once more.'));
  if (!a.open) {
    restore(b.form, a.values);
    say(b.form);
    b.focus();
    return;
  }
  b.click();
  const form = await found(() => document.querySelector('dialog[open] form'), 5000);
  restore(form, a.values);
  say(form);
}
