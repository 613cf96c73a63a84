// SPDX-License-Identifier: Apache-2.0
// The shape most admin sections share: a paged list with a New button, a create dialog, and a
// detail page with an edit form and Delete, each shown only as far as permissions allow.
import { api } from './api.js';
import { confirmAction, dialog, errorBox, fill, h, note, onSubmit } from './ui.js';
import { pagedList, searchBox } from './list.js';

/**
 * spec: {resource, perm?, title, singular, headers, row(item, href), fields(item|null) -> Promise<nodes>,
 *        body(values, item|null) -> request body, created?(item, root), details?(item) -> nodes,
 *        extra?(item, root, ctx, again) -> nodes, keep?(item) -> true when it must not be deleted here,
 *        heading?(item) -> the detail page's title (default: its name),
 *        search?: the label of a search box (the list then sends ?q=), removal?(item) -> what Delete asks}
 * perm: the permission resource when it differs from the API path (identity_providers).
 */
export function crud(spec) {
  return async function section(root, ctx, [id]) {
    if (id) return detail(root, ctx, spec, id);
    const head = h('div', { class: 'page-head' }, h('h1', {}, spec.title));
    if (ctx.can(spec.perm || spec.resource, 'create')) head.append(h('button', { type: 'button', class: 'primary', onclick: () => create(root, ctx, spec, list) }, `New ${spec.singular}`));
    let q = '';
    fill(root, head, spec.search ? searchBox(spec.search, (text) => { q = text; list.reload(); }) : null);
    const list = pagedList(root, {
      path: `/${spec.resource}${spec.listQuery || ''}`, caption: spec.title, headers: spec.headers, params: () => ({ q }),
      row: (x) => spec.row(x, `#/${spec.route || spec.resource}/${encodeURIComponent(x.id)}`),
    });
  };
}

async function create(root, ctx, spec, list) {
  const form = h('form', { novalidate: true }, await spec.fields(null, ctx),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create')));
  const d = dialog(`New ${spec.singular}`, form);
  onSubmit(form, async (v) => {
    const made = await api('POST', `/${spec.resource}`, spec.body(v, null));
    d.close();
    list.reload();
    if (spec.created) spec.created(made, root);
    else note(root, `${made.name} created.`);
  });
}

async function detail(root, ctx, spec, id) {
  const path = `/${spec.resource}/${encodeURIComponent(id)}`;
  let item;
  try { item = await api('GET', path); } catch (e) { fill(root, h('h1', {}, spec.title), errorBox(e)); return; }
  const again = () => detail(root, ctx, spec, id);
  fill(root, h('p', {}, h('a', { href: `#/${spec.route || spec.resource}` }, `← All ${spec.title.toLowerCase()}`)),
    h('h1', {}, spec.heading ? spec.heading(item) : item.name || item.id), spec.details ? spec.details(item) : null);
  if (spec.extra) root.append(...[].concat(await spec.extra(item, root, ctx, again)).filter(Boolean));
  if (ctx.can(spec.perm || spec.resource, 'update')) {
    const form = h('form', { novalidate: true, class: 'panel' }, h('h2', {}, `Edit ${spec.singular}`), await spec.fields(item, ctx),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save changes')));
    onSubmit(form, async (v) => {
      await api('PATCH', path, spec.body(v, item));
      await again();
      note(root, 'Changes saved.');
    });
    root.append(form);
  }
  if (ctx.can(spec.perm || spec.resource, 'delete') && !(spec.keep && spec.keep(item))) {
    const del = h('button', { type: 'button', class: 'danger' }, `Delete ${spec.singular}`);
    del.addEventListener('click', async () => {
      if (!(await confirmAction(`Delete ${spec.heading ? spec.heading(item) : item.name || 'this'}?`, spec.removal ? spec.removal(item) : `The ${spec.singular} is removed for good.`, { confirm: 'Delete' }))) return;
      try { await api('DELETE', path); } catch (e) { del.after(errorBox(e)); return; }
      location.hash = `#/${spec.route || spec.resource}`;
    });
    root.append(h('div', { class: 'actions' }, del));
  }
}
