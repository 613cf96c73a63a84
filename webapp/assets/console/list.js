// SPDX-License-Identifier: Apache-2.0
// A cursor-paginated list for the admin sections: a table, Previous/Next pages, reload.
import { api, query } from './api.js';
import { errorBox, field, fill, h, table } from './ui.js';

/**
 * Renders GET `path` (with `params()`) into `root` as a table captioned `caption` with
 * `headers`, one row per item from `row(item)`. Returns {reload()}.
 */
export function pagedList(root, { path, caption, headers, row, params = () => ({}), limit = 20 }) {
  let cursors = [null];
  let page = 0;
  const body = h('div');
  const prev = h('button', { type: 'button', class: 'secondary small', onclick: () => go(page - 1) }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary small', onclick: () => go(page + 1) }, 'Next page');
  const pager = h('nav', { class: 'pager', 'aria-label': `${caption} pages` }, prev, next);

  async function go(n) {
    body.setAttribute('aria-busy', 'true');
    try {
      const res = await api('GET', `${path}${query({ ...params(), limit, cursor: cursors[n] })}`);
      page = n;
      cursors[n + 1] = res.next_cursor;
      fill(body, table(caption, headers, res.items.map(row)));
      prev.disabled = page === 0;
      next.disabled = !res.next_cursor;
      pager.hidden = page === 0 && !res.next_cursor;
    } catch (e) {
      fill(body, errorBox(e));
    } finally {
      body.removeAttribute('aria-busy');
    }
  }
  root.append(body, pager);
  const reload = () => { cursors = [null]; return go(0); };
  reload();
  return { reload };
}

/**
 * A search form labelled `label` (a search landmark); `onSearch(text)` runs on submit with
 * the trimmed text.
 */
export function searchBox(label, onSearch) {
  const form = h('form', { class: 'toolbar', role: 'search' },
    field(label, { name: 'q', type: 'search' }),
    h('button', { type: 'submit', class: 'secondary' }, 'Search'));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); onSearch(form.elements.q.value.trim()); });
  return form;
}
