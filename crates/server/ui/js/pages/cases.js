// Cases: the review queue (GET /cases), one case (GET /cases/{id}) and its
// decision (POST /cases/{id}/close), and the false positives it cleared
// (GET /suppressions).

import { api, errorBox } from "../api.js";
import { refreshChrome } from "../chrome.js";
import { $, $$, activate } from "../dom.js";
import { badge, fmtTs, scoreCell, words } from "../format.js";
import { html, render } from "../html.js";

export async function show(main) {
  render(
    main,
    html`
  <h1>Review cases</h1>
  <p class="lede">A screening whose best hit is a match, or a transaction that needs review, opens a case. Closing one as a false positive clears that query–entry pair on later screenings until the list entry changes.</p>
  <div class="split">
    <section class="card">
      <div class="toolbar"><div><label for="cases-status">Show</label><select id="cases-status"><option value="open">Open</option><option value="closed">Closed</option><option value="all">All</option></select></div></div>
      <div id="cases-table"><p class="empty">Loading…</p></div>
    </section>
    <section id="case-detail" class="card" aria-live="polite"><p class="empty">Select a case (click, or focus a row and press Enter).</p></section>
  </div>
  <section class="card"><h2>Suppressions (cleared false positives)</h2><div id="supp-table"><p class="empty">Loading…</p></div></section>`,
  );
  const load = async () => {
    try {
      const status = $("#cases-status").value;
      const r = await api("/cases?status=" + encodeURIComponent(status));
      render(
        $("#cases-table"),
        r.cases.length
          ? html`<table><thead><tr><th>#</th><th>Opened</th><th>Kind</th><th>Summary</th><th>Score</th><th>Status</th></tr></thead><tbody>${r.cases.map(caseRow)}</tbody></table>`
          : html`<p class="empty">No ${status} cases.</p>`,
      );
      for (const row of $$(".case-row")) {
        activate(row, () => {
          for (const other of $$(".case-row")) other.classList.toggle("selected", other === row);
          showCase(row.dataset.caseId, load);
        });
      }
      const s = await api("/suppressions");
      render(
        $("#supp-table"),
        s.suppressions.length
          ? html`<table><thead><tr><th>#</th><th>Entry</th><th>Case</th><th>By</th><th>Note</th><th>Status</th></tr></thead><tbody>${s.suppressions.map(suppressionRow)}</tbody></table>`
          : html`<p class="empty">No suppressions.</p>`,
      );
    } catch (e) {
      render($("#cases-table"), errorBox(e));
    }
  };
  $("#cases-status").addEventListener("change", load);
  await load();
}

function caseRow(c) {
  const status =
    c.status === "open" ? badge("open", "b-amber") : badge(words(c.resolution), c.resolution === "true_match" ? "b-red" : "b-green");
  return html`
    <tr class="clickable case-row" tabindex="0" data-case-id="${c.id}" data-kind="${c.kind}" data-entity-ref="${c.entity_ref || ""}"><td class="num">${c.id}</td><td>${fmtTs(c.opened_at)}</td><td>${c.kind}</td>
    <td>${c.entity_caption || ""} <span class="mono">${c.entity_ref || ""}</span><div class="hint">${c.summary}</div></td>
    <td>${c.score != null && scoreCell(c.score, true)}</td><td>${status}</td></tr>`;
}

function suppressionRow(x) {
  const status = x.status === "active" ? badge("active", "b-green") : badge(words(x.status), "b-grey");
  return html`
    <tr><td class="num">${x.id}</td><td>${x.entity ? x.entity.caption : x.entity_id} <span class="mono">${x.entity ? x.entity.ref : ""}</span></td><td>#${x.case_id}</td>
    <td>${x.created_by}<div class="hint">${fmtTs(x.created_at)}</div></td><td>${x.note}</td><td>${status}</td></tr>`;
}

async function showCase(id, reload) {
  const out = $("#case-detail");
  try {
    const { case: c, entity } = await api("/cases/" + encodeURIComponent(id));
    const queryText =
      c.query && c.query.properties
        ? Object.entries(c.query.properties)
            .map(([k, v]) => `${k}: ${[].concat(v).join(", ")}`)
            .join("\n")
        : JSON.stringify(c.query, null, 1);
    const open = c.status === "open";
    render(
      out,
      html`<h2>Case #${c.id} ${open ? badge("open", "b-amber") : badge("closed", "b-grey")}</h2>
      <dl class="kv"><dt>Opened</dt><dd>${fmtTs(c.opened_at)}</dd><dt>Screening</dt><dd class="mono">${c.screening_id} · audit #${c.audit_seq}</dd>
      <dt>Query</dt><dd><pre class="explanation">${queryText}</pre></dd>
      <dt>List entry</dt><dd>${
        entity
          ? html`<strong>${entity.caption}</strong> <span class="mono">${entity.ref}</span><div class="hint">${(entity.programs || []).join(", ")}${entity.listed_on && ` · listed ${entity.listed_on}`}</div>`
          : c.entity_ref || "—"
      }</dd>
      <dt>Score</dt><dd>${c.score != null ? scoreCell(c.score, true) : "—"}</dd>${c.decision && html`<dt>Decision</dt><dd>${badge(c.decision, "b-" + c.decision)}</dd>`}
      <dt>Summary</dt><dd>${c.summary}</dd>
      ${!open && html`<dt>Resolution</dt><dd>${c.resolution} by ${c.closed_by} at ${fmtTs(c.closed_at)}</dd><dt>Note</dt><dd>${c.note}</dd>`}</dl>
      ${
        open &&
        html`<form id="close-form"><label for="case-note">Decision note (required)</label><textarea id="case-note" required placeholder="Why: identifiers, dates of birth, addresses compared…"></textarea>
        <div class="actions"><button id="close-tm" class="danger" type="button">True match</button><button id="close-fp" class="good" type="button">False positive</button></div><div id="close-error"></div></form>`
      }`,
    );
    if (!open) return;
    const close = async (resolution) => {
      const note = $("#case-note").value.trim();
      if (!note) {
        render($("#close-error"), errorBox({ message: "Write a note: the decision is recorded in the audit log." }));
        $("#case-note").focus();
        return;
      }
      try {
        await api(`/cases/${encodeURIComponent(id)}/close`, { method: "POST", body: { resolution, note } });
        await reload();
        await showCase(id, reload);
        refreshChrome();
      } catch (e) {
        render($("#close-error"), errorBox(e));
      }
    };
    $("#close-tm").addEventListener("click", () => close("true_match"));
    $("#close-fp").addEventListener("click", () => close("false_positive"));
    $("#case-note").focus();
  } catch (e) {
    render(out, errorBox(e));
  }
}
