// Client-side table filters: a text box (every word must appear in the row)
// and selects that match a row's data-* attribute exactly.

import { html } from "./html.js";

/**
 * The filter bar. `fields`: [{key, label, values: [{value, label}]}]; a row
 * matches a select when its `data-<key>` equals the chosen value.
 */
export function filterBar(id, fields) {
  return html`<div class="toolbar filter" id="${id}" role="search" aria-label="Filter the table">
    <div><label for="${id}-text">Filter</label><input id="${id}-text" type="search" placeholder="words in any column" autocomplete="off" spellcheck="false"></div>
    ${fields.map(
      (f) => html`<div><label for="${id}-${f.key}">${f.label}</label><select id="${id}-${f.key}" data-key="${f.key}">
        <option value="">All</option>${f.values.map((v) => html`<option value="${v.value}">${v.label}</option>`)}</select></div>`,
    )}
    <span class="muted filter-count" id="${id}-count" aria-live="polite"></span></div>`;
}

/** Distinct values of `key` in `items`, sorted, as select options. */
export function optionsOf(items, key, label = (v) => v) {
  const values = Array.from(new Set(items.map((x) => String(x[key])))).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return values.map((v) => ({ value: v, label: label(v) }));
}

/**
 * Filter the rows `rows()` returns whenever the bar changes; returns the
 * function that applies the filter (call it again after the table re-renders).
 */
export function wireFilter(id, rows) {
  const bar = document.getElementById(id);
  const count = document.getElementById(`${id}-count`);
  const apply = () => {
    const words = bar.querySelector("input").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const selects = Array.from(bar.querySelectorAll("select"))
      .filter((s) => s.value)
      .map((s) => [s.dataset.key, s.value]);
    const all = rows();
    let shown = 0;
    for (const row of all) {
      const text = row.textContent.toLowerCase();
      const keep = words.every((w) => text.includes(w)) && selects.every(([k, v]) => row.dataset[k] === v);
      row.hidden = !keep;
      if (keep) shown++;
    }
    count.textContent = all.length ? `${shown} of ${all.length} shown` : "";
  };
  bar.addEventListener("input", apply);
  bar.addEventListener("change", apply);
  apply();
  return apply;
}
