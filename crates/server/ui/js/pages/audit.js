// Audit: the hash-chained log (GET /audit), newest first, and its check
// (GET /audit/verify).

import { api, errorBox, query } from "../api.js";
import { $ } from "../dom.js";
import { badge, fmtNum, fmtTs, words } from "../format.js";
import { append, html, render } from "../html.js";

const PAGE = 50;
const KINDS = ["screening.name", "screening.transaction", "case.closed", "list.loaded", "key.created", "key.revoked", "suppression.revoked", "cap.opening_set"];

export function show(main) {
  render(
    main,
    html`
  <h1>Audit log</h1>
  <p class="lede">Every screening, case decision, list load and key change, in a hash chain: each record carries the hash of the one before, so an edited, deleted or reordered record is found.</p>
  <section class="card">
    <div class="toolbar"><button id="audit-verify" class="primary" type="button">Verify the chain</button><div id="audit-status" class="grow" aria-live="polite"></div></div>
  </section>
  <section class="card">
    <div class="toolbar"><div><label for="audit-kind">Kind</label><select id="audit-kind"><option value="">All</option>${KINDS.map((k) => html`<option>${k}</option>`)}</select></div>
      <span id="audit-total" class="muted"></span></div>
    <div id="audit-log"><p class="empty">Loading…</p></div>
    <div class="actions"><button id="audit-more" type="button" hidden>Older records</button></div>
  </section>`,
  );
  let before = null;
  const load = async (more) => {
    try {
      const r = await api(`/audit?${query({ limit: PAGE, kind: $("#audit-kind").value, before: more ? before : null })}`);
      $("#audit-total").textContent = `${r.total} records in the log`;
      const rows = html`${r.records.map(auditRow)}`;
      const body = $("#audit-log table tbody");
      if (more && body) append(body, rows);
      else
        render(
          $("#audit-log"),
          r.records.length
            ? html`<table><thead><tr><th>#</th><th>Time</th><th>Kind</th><th>Actor</th><th>What</th><th>Hash</th></tr></thead><tbody>${rows}</tbody></table>`
            : html`<p class="empty">No records.</p>`,
        );
      before = r.records.length ? r.records[r.records.length - 1].seq : null;
      $("#audit-more").hidden = r.records.length < PAGE;
    } catch (e) {
      render($("#audit-log"), errorBox(e));
    }
  };
  $("#audit-kind").addEventListener("change", () => load(false));
  $("#audit-more").addEventListener("click", () => load(true));
  $("#audit-verify").addEventListener("click", async () => {
    const out = $("#audit-status");
    render(out, html`<span class="muted">Verifying…</span>`);
    try {
      const r = await api("/audit/verify");
      render(
        out,
        r.ok
          ? html`<div class="banner ok" id="verify-ok">Chain intact: ${r.records} records verified · head ${String(r.head_hash).slice(0, 16)}…</div>`
          : html`<div class="banner error" id="verify-bad">Chain broken at record ${r.first_bad.seq} (${r.first_bad.problem}): ${r.first_bad.detail}</div>`,
      );
    } catch (e) {
      render(out, errorBox(e));
    }
  });
  load(false);
}

function auditRow(x) {
  return html`<tr class="audit-row" data-kind="${x.kind}"><td class="num">${x.seq}</td><td>${fmtTs(x.ts)}</td><td>${badge(x.kind, x.kind.startsWith("case") ? "b-amber" : "b-grey")}</td><td class="mono">${x.actor}</td>
    <td>${auditSummary(x)}<details><summary>Record</summary><pre class="explanation">${JSON.stringify(x.payload, null, 1)}</pre></details></td>
    <td class="mono" title="prev ${x.prev_hash}">${String(x.hash).slice(0, 12)}…</td></tr>`;
}

/** One line saying what a record records (plain text; escaped by the caller). */
function auditSummary(x) {
  const p = x.payload || {};
  switch (x.kind) {
    case "screening.name":
      return Object.values(p.queries || {})
        .map((q) => {
          const names = q.query && q.query.properties && q.query.properties.name;
          const top = (q.results || [])[0];
          const hit = top ? `${top.ref} ${top.score.toFixed(2)}${top.suppressed ? " (suppressed)" : top.match ? " (match)" : ""}` : "no hit";
          return `${names ? names[0] : "?"} → ${hit}`;
        })
        .join("; ");
    case "screening.transaction": {
      const decisions = (p.transactions || []).map((t) => `${(t.output || {}).id || "?"}: ${(t.output || {}).decision || (t.output || {}).error || "?"}`).join("; ");
      const draws = (p.cap_draws || []).map((d) => `${fmtNum(d.amount)} ${d.unit} on ${d.measure}`).join(", ");
      return decisions + (draws ? ` · drew ${draws}` : "");
    }
    case "cap.opening_set":
      return `opening ${fmtNum(p.opening)} ${p.unit} on ${p.measure_id} for the period from ${p.period_start}${p.previous_opening != null ? ` (was ${fmtNum(p.previous_opening)})` : ""}: ${p.note}`;
    case "case.closed":
      return `case #${p.case_id} closed as ${words(p.resolution)} (${p.entity_ref || ""}): ${p.note}`;
    case "list.loaded":
      return `${p.version} (${p.entities} entries)${p.previous ? " replacing " + p.previous : ""}`;
    case "key.created":
      return `key ${p.key_id} (${p.role}) created`;
    case "key.revoked":
      return `key ${p.key_id} revoked`;
    default:
      return JSON.stringify(p).slice(0, 160);
  }
}
