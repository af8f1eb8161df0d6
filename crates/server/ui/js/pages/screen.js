// Screen: one name against the lists (POST /match/{dataset}), explained.

import { api, errorBox, query } from "../api.js";
import { refreshChrome } from "../chrome.js";
import { $ } from "../dom.js";
import { badge, scoreCell } from "../format.js";
import { html, render } from "../html.js";

export function show(main) {
  render(
    main,
    html`
  <h1>Name screening</h1>
  <p class="lede">Screen a person, company or vessel against the UN Consolidated List and OFAC SDN. Every screening is recorded in the audit log; a match opens a case.</p>
  <div class="grid">
    <form id="screen-form" class="card" aria-label="Name screening">
      <label for="screen-name">Name</label>
      <input id="screen-name" name="name" required placeholder="e.g. Foreign Trade Bank" autocomplete="off">
      <div class="row">
        <div><label for="screen-schema">Type</label>
          <select id="screen-schema" name="schema">
            <option value="LegalEntity">Any party</option><option>Person</option><option>Organization</option><option>Company</option><option>Vessel</option>
          </select></div>
        <div><label for="screen-dataset">Lists</label>
          <select id="screen-dataset" name="dataset">
            <option value="default">All lists</option><option value="un_sc_sanctions">UN Consolidated</option><option value="us_ofac_sdn">OFAC SDN</option>
          </select></div>
      </div>
      <div class="row">
        <div><label for="screen-dob">Date of birth</label><input id="screen-dob" name="birthDate" placeholder="YYYY or YYYY-MM-DD" pattern="[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?" autocomplete="off"></div>
        <div><label for="screen-nat">Nationality / country</label><input id="screen-nat" name="nationality" placeholder="kp"></div>
      </div>
      <div class="row">
        <div><label for="screen-threshold">Match threshold</label><input id="screen-threshold" name="threshold" type="number" min="0" max="1" step="0.05" value="0.7"></div>
        <div><label for="screen-limit">Results</label><input id="screen-limit" name="limit" type="number" min="1" max="50" value="10"></div>
      </div>
      <div class="actions"><button id="screen-submit" class="primary" type="submit">Screen</button><span class="hint">Enter to run</span></div>
    </form>
    <section id="screen-results" class="card" aria-live="polite"><p class="empty">Results appear here, best first, each with why it matched.</p></section>
  </div>`,
  );
  $("#screen-name").focus();
  $("#screen-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const props = { name: [f.get("name")] };
    if (f.get("birthDate")) props.birthDate = [f.get("birthDate")];
    if (f.get("nationality")) {
      props.nationality = [f.get("nationality")];
      props.country = [f.get("nationality")];
    }
    const body = { queries: { q: { schema: f.get("schema"), properties: props } } };
    const out = $("#screen-results");
    render(out, html`<p class="empty">Screening…</p>`);
    try {
      const qs = query({ threshold: f.get("threshold"), limit: f.get("limit") });
      const r = await api(`/match/${encodeURIComponent(f.get("dataset"))}?${qs}`, { method: "POST", body });
      renderMatches(out, r);
      refreshChrome();
    } catch (e) {
      render(out, errorBox(e));
    }
  });
}

function suppressionNote(s) {
  return html`<div class="hint">Cleared as false positive in case #${s.case_id} by ${s.created_by}: ${s.note}</div>`;
}

function renderMatches(out, r) {
  const resp = r.responses.q;
  if (resp.status !== 200) {
    render(out, errorBox(resp.error || { message: "query rejected" }));
    return;
  }
  const meta = r.resolute || {};
  const rows = resp.results.map((x, i) => {
    const status = x.suppressed ? badge("suppressed", "b-grey") : x.match ? badge("match", "b-red") : badge("no match", "b-green");
    return html`<tr class="result" data-ref="${x.ref}" data-id="${x.id}">
      <td class="num">${i + 1}</td>
      <td>${scoreCell(x.score, x.match)}</td>
      <td><strong>${x.caption}</strong><div class="hint"><span class="mono ref">${x.ref}</span> · ${x.schema} · ${(x.datasets || []).join(", ")} · ${(x.programs || []).join(", ")}${x.listed_on && ` · listed ${x.listed_on}`}</div>
        <details><summary>Why</summary><pre class="explanation">${x.explanation_text || ""}</pre></details>${x.suppressed && suppressionNote(x.suppression)}</td>
      <td>${status}</td></tr>`;
  });
  const n = resp.total.value;
  const cases = meta.cases || [];
  render(
    out,
    html`
    <h2>${n} match${n === 1 ? "" : "es"} for “${resp.query.properties.name[0]}”</h2>
    ${
      resp.results.length
        ? html`<table><thead><tr><th>#</th><th>Score</th><th>List entry</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>`
        : html`<p class="empty">No list entry scored above the cutoff.</p>`
    }
    <p class="meta">Screening <span class="mono">${meta.screening_id}</span> · audit record #${meta.audit_seq} · lists ${(meta.list_versions || []).join(", ")}${
      cases.length > 0 && html` · <a href="#/cases">case #${cases.join(", #")} opened</a>`
    }</p>`,
  );
  // The best hit's explanation is open by default: that is what a reviewer reads first.
  const first = $("details", out);
  if (first) first.open = true;
}
