// Lists: the versions loaded (GET /lists), a diff of two (GET /lists/diff),
// an upload (POST /lists, admin), and the entries themselves: browse and
// search (GET /search/{dataset}) with one entry's full record (GET /entities/{id}).

import { api, errorBox, query } from "../api.js";
import { refreshChrome } from "../chrome.js";
import { $, $$, activate } from "../dom.js";
import { badge, fmtTs, words } from "../format.js";
import { html, render } from "../html.js";

const PAGE_SIZE = 10;

export function show(main) {
  render(
    main,
    html`
  <h1>Sanctions lists</h1>
  <p class="lede">The list versions in force and every version loaded. Uploading a new UN XML or OFAC SDN CSV validates it, stores it, puts it in force and shows what changed; a file that does not load changes nothing.</p>
  <div class="split">
    <div>
      <section class="card"><h2>Versions</h2><div id="lists-table"><p class="empty">Loading…</p></div></section>
      <section class="card" aria-labelledby="entries-title">
        <h2 id="entries-title">Entries</h2>
        <form id="entries-form" class="toolbar" role="search" aria-label="Search list entries">
          <div><label for="entries-dataset">List</label><select id="entries-dataset">
            <option value="default">All lists</option><option value="un_sc_sanctions">UN Consolidated</option><option value="us_ofac_sdn">OFAC SDN</option></select></div>
          <div class="grow"><label for="entries-q">Name</label><input id="entries-q" type="search" placeholder="a name, alias or part of one" autocomplete="off" spellcheck="false"></div>
          <button id="entries-submit" class="primary" type="submit">Search</button>
        </form>
        <div id="entries-table" aria-live="polite"><p class="empty">Loading…</p></div>
        <div class="actions"><button id="entries-prev" type="button" disabled>Previous</button><button id="entries-next" type="button" disabled>Next</button><span id="entries-range" class="muted"></span></div>
      </section>
    </div>
    <div>
      <form id="diff-form" class="card" aria-label="Compare versions"><h2>Compare two versions</h2>
        <label for="diff-from">From</label><select id="diff-from"></select>
        <label for="diff-to">To</label><select id="diff-to"></select>
        <div class="actions"><button id="diff-submit" class="primary" type="submit">Diff</button><span id="diff-hint" class="hint" aria-live="polite"></span></div></form>
      <form id="upload-form" class="card" aria-label="Upload a list"><h2>Upload a new version</h2>
        <label for="upload-file">UN Consolidated List XML or OFAC SDN CSV</label><input id="upload-file" type="file" accept=".xml,.csv,text/xml,text/csv">
        <div class="actions"><button class="primary" type="submit">Upload</button><span class="hint">admin role</span></div>
        <div id="upload-result" aria-live="polite"></div></form>
      <section id="entry-detail" class="card" aria-live="polite"><p class="empty">Select an entry (click, or focus a row and press Enter) to see its full record.</p></section>
    </div>
  </div>
  <section id="diff-result" class="card" aria-live="polite" hidden></section>
  </div>`,
  );
  loadVersions();
  $("#diff-from").addEventListener("change", checkPair);
  $("#diff-to").addEventListener("change", checkPair);
  $("#diff-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("#diff-result");
    out.hidden = false;
    render(out, html`<p class="empty">Comparing…</p>`);
    try {
      const r = await api(`/lists/diff?${query({ from: $("#diff-from").value, to: $("#diff-to").value })}`);
      render(out, diffHtml(r.diff, r.from, r.to));
    } catch (e) {
      render(out, errorBox(e));
    }
  });
  $("#upload-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = $("#upload-file").files[0];
    const out = $("#upload-result");
    if (!file) {
      render(out, errorBox({ message: "Choose a file first." }));
      return;
    }
    render(out, html`<p class="muted">Uploading ${file.name}…</p>`);
    try {
      const r = await api(`/lists?name=${encodeURIComponent(file.name)}`, { method: "POST", raw: await file.arrayBuffer(), contentType: "application/octet-stream" });
      render(out, html`<p class="ok">In force: ${r.in_force.id} (${r.in_force.entities} entries)</p>`);
      if (r.diff) {
        const d = $("#diff-result");
        d.hidden = false;
        render(d, diffHtml(r.diff, r.previous, r.in_force.id));
      }
      loadVersions();
      refreshChrome();
    } catch (e) {
      render(out, errorBox(e));
    }
  });
  wireEntries();
}

async function loadVersions() {
  try {
    const r = await api("/lists");
    const rows = r.versions.map(
      (v) => html`<tr><td class="mono id">${v.id}</td><td>${v.source}</td><td>${v.generated || ""}</td><td class="num">${v.entity_count}</td><td class="num">${v.issue_count}</td>
        <td>${fmtTs(v.loaded_at)}<div class="hint">${v.loaded_by} · ${v.origin}</div></td><td>${v.active ? badge("in force", "b-green") : badge("previous", "b-grey")}</td></tr>`,
    );
    render(
      $("#lists-table"),
      html`<table><thead><tr><th>Version</th><th>List</th><th>Generated</th><th class="num">Entries</th><th class="num">Issues</th><th>Loaded</th><th></th></tr></thead><tbody>${rows}</tbody></table>`,
    );
    const sorted = r.versions.slice().sort((a, b) => a.source.localeCompare(b.source) || String(b.loaded_at).localeCompare(String(a.loaded_at)));
    const options = html`${sorted.map((v) => html`<option value="${v.id}" data-source="${v.source}">${v.source} · ${v.id}${v.active && " (in force)"}</option>`)}`;
    render($("#diff-from"), options);
    render($("#diff-to"), options);
    const [from, to] = defaultPair(r.versions);
    $("#diff-from").value = from || "";
    $("#diff-to").value = to || "";
    checkPair();
  } catch (e) {
    render($("#lists-table"), errorBox(e));
  }
}

/** A diff needs two different versions of one list: say so, and hold the button, otherwise. */
function checkPair() {
  const from = $("#diff-from").selectedOptions[0];
  const to = $("#diff-to").selectedOptions[0];
  const sources = Array.from($("#diff-from").options).map((o) => o.dataset.source);
  const oneEach = sources.length === new Set(sources).size;
  let problem = "";
  if (!from || !to) problem = "No list version is loaded.";
  else if (oneEach) problem = "Each list has one version loaded: upload a new version to compare it with the one in force.";
  else if (from.dataset.source !== to.dataset.source) problem = "These are versions of two different lists: pick two versions of the same list.";
  else if (from.value === to.value) problem = "Pick two different versions.";
  $("#diff-submit").disabled = Boolean(problem);
  $("#diff-hint").textContent = problem;
}

/**
 * The versions the compare picker starts with: what the last upload of a
 * list changed (the version in force against the one loaded before it, same
 * list); with one version per list, two different versions; never one
 * version against itself unless only one exists.
 */
export function defaultPair(versions) {
  const newestFirst = versions.slice().sort((a, b) => String(b.loaded_at).localeCompare(String(a.loaded_at)) || String(b.id).localeCompare(String(a.id)));
  const byActive = newestFirst.slice().sort((a, b) => Number(Boolean(b.active)) - Number(Boolean(a.active)));
  for (const to of byActive) {
    const from = newestFirst.find((v) => v.source === to.source && v.id !== to.id);
    if (from) return [from.id, to.id];
  }
  if (newestFirst.length >= 2) return [newestFirst[1].id, newestFirst[0].id];
  return newestFirst.length ? [newestFirst[0].id, newestFirst[0].id] : [null, null];
}

function diffHtml(d, from, to) {
  const entry = (e) => html`<tr><td class="mono">${e.ref}</td><td>${e.name}</td><td>${e.schema}</td><td>${(e.programs || []).join(", ")}</td><td>${e.listed_on || ""}</td></tr>`;
  const table = (list) =>
    list.length
      ? html`<table><thead><tr><th>Ref</th><th>Name</th><th>Type</th><th>Programs</th><th>Listed</th></tr></thead><tbody>${list.map(entry)}</tbody></table>`
      : html`<p class="muted">None.</p>`;
  const changed = d.changed.length
    ? html`<table><thead><tr><th>Ref</th><th>Fields</th></tr></thead><tbody>${d.changed.map((c) => html`<tr><td class="mono">${c.ref}</td><td>${(c.fields || []).join(", ")}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">None.</p>`;
  return html`<h2>${from} → ${to}</h2>
    <p>${badge(d.added.length + " added", "b-red")} ${badge(d.removed.length + " removed", "b-green")} ${badge(d.changed.length + " changed", "b-amber")}</p>
    <h2>Added</h2>${table(d.added)}<h2 class="gap">Removed</h2>${table(d.removed)}
    <h2 class="gap">Changed</h2>${changed}`;
}

// ---------------------------------------------------------------- entries

function wireEntries() {
  // What is shown: the request that produced it, to page from.
  const current = { dataset: "default", q: "", offset: 0 };
  const load = async (next) => {
    const out = $("#entries-table");
    const range = $("#entries-range");
    range.textContent = "Loading…";
    try {
      const r = await api(`/search/${encodeURIComponent(next.dataset)}?${query({ q: next.q, limit: PAGE_SIZE, offset: next.offset })}`);
      const results = r.results || [];
      // A server that does not page answers the first page again: say so
      // rather than showing the same entries as "page 2".
      if (next.offset > 0 && Number(r.offset || 0) !== next.offset) {
        range.textContent = "This server returns only the first page of results; refine the search to narrow them.";
        $("#entries-next").disabled = true;
        return;
      }
      Object.assign(current, next);
      render(out, entriesTable(results, next.offset));
      for (const row of $$("#entries-table tr.entry-row")) activate(row, () => showEntry(row));
      // A total beyond this page is a true total; a full page may have more after it
      // (some servers count only the page they return).
      const shownTo = next.offset + results.length;
      const total = r.total && typeof r.total.value === "number" && r.total.value > shownTo ? r.total : null;
      $("#entries-prev").disabled = next.offset === 0;
      $("#entries-next").disabled = !(total || results.length === PAGE_SIZE);
      range.textContent = results.length
        ? `Entries ${next.offset + 1}–${shownTo}${total ? ` of ${total.relation === "eq" ? "" : "at least "}${total.value}` : ""}`
        : next.offset > 0
          ? "No more entries."
          : "";
    } catch (e) {
      $("#entries-prev").disabled = true;
      $("#entries-next").disabled = true;
      range.textContent = "";
      // Browsing without a search term needs `q` to be optional on the server.
      if (e.status === 400 && !next.q) {
        render(out, html`<p class="muted" id="entries-hint">Type a name to search the entries: this server lists entries for a search term only.</p>`);
      } else {
        render(out, errorBox(e));
      }
    }
  };
  $("#entries-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    load({ dataset: $("#entries-dataset").value, q: $("#entries-q").value.trim(), offset: 0 });
  });
  $("#entries-prev").addEventListener("click", () => load({ ...current, offset: Math.max(0, current.offset - PAGE_SIZE) }));
  $("#entries-next").addEventListener("click", () => load({ ...current, offset: current.offset + PAGE_SIZE }));
  load(current);
}

function entriesTable(results, offset) {
  if (!results.length) return html`<p class="empty">No entry found.</p>`;
  return html`<table><thead><tr><th>#</th><th>Entry</th><th>Type</th><th>List</th><th>Listed</th></tr></thead><tbody>${results.map(
    (e, i) => html`<tr class="clickable entry-row" tabindex="0" data-id="${e.id}" data-ref="${e.ref || ""}">
      <td class="num">${offset + i + 1}</td><td><strong>${e.caption}</strong><div class="hint mono">${e.ref || e.id}</div></td>
      <td>${e.schema}</td><td>${(e.datasets || []).join(", ")}<div class="hint">${(e.programs || []).join(", ")}</div></td><td class="mono">${e.listed_on || ""}</td></tr>`,
  )}</tbody></table>`;
}

async function showEntry(row) {
  for (const r of $$("#entries-table tr.entry-row")) r.classList.toggle("selected", r === row);
  const out = $("#entry-detail");
  render(out, html`<p class="empty">Loading…</p>`);
  try {
    const e = await api("/entities/" + encodeURIComponent(row.dataset.id));
    const props = Object.entries(e.properties || {}).sort(([a], [b]) => a.localeCompare(b));
    render(
      out,
      html`<h2 id="entry-caption">${e.caption}</h2>
      <dl class="kv"><dt>Reference</dt><dd class="mono">${e.ref || ""}</dd><dt>Id</dt><dd class="mono">${e.id}</dd>
        <dt>Type</dt><dd>${e.schema}</dd><dt>Lists</dt><dd>${(e.datasets || []).join(", ")}</dd>
        <dt>Programmes</dt><dd>${(e.programs || []).join(", ")}</dd><dt>Listed on</dt><dd class="mono">${e.listed_on || "—"}</dd></dl>
      ${
        (e.names || []).length > 0 &&
        html`<h2 class="gap">Names</h2><table class="entry-names"><thead><tr><th>Name</th><th>Kind</th><th>Quality</th></tr></thead><tbody>${e.names.map(
          (n) => html`<tr><td>${n.value}</td><td>${words(n.kind)}</td><td>${words(n.quality)}</td></tr>`,
        )}</tbody></table>`
      }
      <h2 class="gap">Properties</h2>
      <dl class="kv entry-props">${props.map(([k, v]) => html`<dt>${k}</dt><dd>${[].concat(v).join("; ")}</dd>`)}</dl>`,
    );
  } catch (e) {
    render(out, errorBox(e));
  }
}
