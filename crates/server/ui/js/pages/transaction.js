// Transaction check: a declaration, payment, work authorization, joint
// venture or vessel movement against the regime on its date (POST /screen),
// and the quantity caps in force with their usage (GET /caps).

import { api, errorBox, measureIndex, session } from "../api.js";
import { refreshChrome } from "../chrome.js";
import { dateInput, readDate } from "../dates.js";
import { $ } from "../dom.js";
import { badge, bar, fmtNum, scoreCell, verificationBadge } from "../format.js";
import { html, render } from "../html.js";

export function show(main) {
  render(
    main,
    html`
  <h1>Transaction check</h1>
  <p class="lede">A goods declaration (or payment, work authorization, joint venture, vessel movement) against the DPRK regime on its date, with every party screened against the lists as of that date.</p>
  <div class="grid">
    <form id="tx-form" class="card" aria-label="Transaction" novalidate>
      <div class="row">
        <div><label for="tx-id">Reference</label><input id="tx-id" name="id" value="DECL-001"></div>
        <div><label for="tx-kind">Kind</label><select id="tx-kind" name="kind"><option>goods</option><option>payment</option><option>work_authorization</option><option>joint_venture</option><option>vessel</option></select></div>
      </div>
      <div class="row">
        <div><label for="tx-date">Date <span class="muted">(YYYY-MM-DD)</span></label>${dateInput("tx-date", "2017-10-02", { required: true, name: "date" })}</div>
        <div><label for="tx-hs">HS code</label><input id="tx-hs" name="hs_code" placeholder="2701" value="2701"></div>
      </div>
      <label for="tx-desc">Description</label><input id="tx-desc" name="description" value="Anthracite coal">
      <div class="row">
        <div><label for="tx-origin">Origin</label><input id="tx-origin" name="origin" value="KP" maxlength="2"></div>
        <div><label for="tx-from">From → to</label><div class="row"><input id="tx-from" name="from" value="KP" maxlength="2" aria-label="From"><input id="tx-to" name="to" value="CN" maxlength="2" aria-label="To"></div></div>
      </div>
      <div class="row">
        <div><label for="tx-qty">Quantity</label><div class="row"><input id="tx-qty" name="quantity" type="number" step="any" value="5000"><select id="tx-unit" name="unit" aria-label="Unit"><option>t</option><option>kg</option><option>bbl</option><option>item</option></select></div></div>
        <div><label for="tx-value">Value (USD)</label><input id="tx-value" name="value_usd" type="number" step="any" value="450000"></div>
      </div>
      <label for="tx-parties">Parties <span class="muted">(one per line: role: name [, country])</span></label>
      <textarea id="tx-parties" name="parties">exporter: Korea Mining Development Trading Corporation, KP
importer: Dandong Trading Co, CN</textarea>
      <label for="tx-exceptions">Exceptions claimed <span class="muted">(ids, comma-separated)</span></label><input id="tx-exceptions" name="exception_claims" placeholder="">
      <div class="actions"><button id="tx-submit" class="primary" type="submit">Check</button><button id="tx-json" type="button">Show JSON</button></div>
    </form>
    <section id="tx-result" class="card" aria-live="polite"><p class="empty">The decision appears here with the paragraphs it rests on.</p></section>
  </div>
  <section id="tx-caps" class="card" aria-labelledby="tx-caps-title">
    <div class="toolbar caps-head"><h2 id="tx-caps-title">Quantity caps in force</h2><button id="tx-caps-refresh" type="button">Refresh</button></div>
    <div id="tx-caps-table" aria-live="polite"><p class="empty">Loading…</p></div>
    ${
      session.role === "admin" &&
      html`<details id="tx-opening"><summary>Set an opening amount (admin)</summary>
      <form id="opening-form" class="inline" aria-label="Opening amount">
        <div><label for="opening-measure">Cap</label><select id="opening-measure" name="measure"></select></div>
        <div><label for="opening-amount">Already used</label><input id="opening-amount" name="amount" type="number" min="0" step="any" required></div>
        <div class="grow"><label for="opening-note">Source of the figure</label><input id="opening-note" name="note" required placeholder="national customs records, 1718 Committee figure…"></div>
        <button class="primary" type="submit">Set</button>
      </form><div id="opening-result" aria-live="polite"></div></details>`
    }
  </section>`,
  );
  $("#tx-id").focus();
  const loadCaps = () => showCaps();
  $("#tx-date").addEventListener("change", loadCaps);
  $("#tx-caps-refresh").addEventListener("click", loadCaps);
  const opening = $("#opening-form");
  if (opening) {
    opening.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const [measure, period_start, unit] = $("#opening-measure").value.split("|");
      const out = $("#opening-result");
      try {
        const body = { measure, period_start, unit, amount: Number($("#opening-amount").value), note: $("#opening-note").value.trim() };
        const r = await api("/caps/opening", { method: "POST", body });
        render(out, html`<p class="ok">Opening amount set (audit record #${r.audit_seq}): used ${fmtNum(r.balance.used)} of ${fmtNum(r.limit)}, remaining ${fmtNum(r.remaining)}.</p>`);
        loadCaps();
      } catch (e) {
        render(out, errorBox(e));
      }
    });
  }
  loadCaps();
  $("#tx-json").addEventListener("click", () => {
    const out = $("#tx-result");
    try {
      render(out, html`<h2>Request body</h2><pre class="explanation">${JSON.stringify(build(), null, 2)}</pre>`);
    } catch (e) {
      render(out, errorBox(e));
    }
  });
  $("#tx-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("#tx-result");
    try {
      const tx = build();
      render(out, html`<p class="empty">Checking…</p>`);
      const decision = await api("/screen", { method: "POST", body: tx });
      await renderDecision(out, decision);
      refreshChrome();
      loadCaps();
    } catch (e) {
      render(out, errorBox(e));
    }
  });
}

/** The transaction JSON from the form (throws on a date that is not YYYY-MM-DD). */
function build() {
  const f = new FormData($("#tx-form"));
  const tx = { id: f.get("id"), kind: f.get("kind"), date: readDate($("#tx-date"), "Date") };
  for (const k of ["hs_code", "description", "origin", "from", "to", "unit"]) if (f.get(k)) tx[k] = f.get(k).trim();
  for (const k of ["quantity", "value_usd"]) if (f.get(k)) tx[k] = Number(f.get(k));
  tx.parties = String(f.get("parties") || "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = line.match(/^([\w_]+)\s*:\s*(.*)$/);
      const parts = (m ? m[2] : line).split(",");
      const party = { role: m ? m[1] : "party", name: parts[0].trim() };
      if (parts[1] && parts[1].trim()) party.country = parts[1].trim();
      return party;
    });
  const exceptions = String(f.get("exception_claims") || "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (exceptions.length) tx.exception_claims = exceptions;
  return tx;
}

async function renderDecision(out, d) {
  if (d.error) {
    render(out, errorBox({ message: d.error }));
    return;
  }
  // The measure each finding cites, for its verification kind; without it
  // (regime unavailable) the finding's own verified flag is shown.
  const measures = await measureIndex().catch(() => new Map());
  const findings = (d.findings || []).map(
    (f) => html`<tr class="finding" data-rule="${f.rule}">
      <td>${badge(f.effect, "b-" + f.effect)}</td>
      <td><strong class="citation">${f.resolution ? `Resolution ${f.resolution}` : "National list"}${f.paragraph && `, para. ${f.paragraph}`}</strong><div class="hint mono">${f.rule}</div></td>
      <td>${f.summary}</td>
      <td>${verificationBadge(f, measures.get(f.rule))}</td></tr>`,
  );
  const matches = (d.matches || []).map(
    (m) => html`<tr class="party-match${m.suppressed ? " suppressed" : ""}"><td>${m.role}</td>
      <td>${m.party ? m.party.value : ""}<div class="hint">matched ${m.name}</div>${
        m.suppressed && html`<div class="hint">Cleared as false positive in case #${m.suppression.case_id} by ${m.suppression.created_by}: ${m.suppression.note}</div>`
      }</td>
      <td class="mono">${m.ref}</td><td>${scoreCell(m.score, !m.suppressed)}</td><td>${m.suppressed ? badge("suppressed", "b-grey") : badge("match", "b-red")}</td></tr>`,
  );
  const meta = d.resolute || {};
  const cases = meta.cases || [];
  const anySuppressed = (d.matches || []).some((m) => m.suppressed);
  render(
    out,
    html`
    <div class="decision b-${d.decision}" id="tx-decision">${d.decision}</div>
    <h2>Findings</h2>
    ${
      findings.length
        ? html`<table id="tx-findings"><thead><tr><th>Effect</th><th>Citation</th><th>Why</th><th title="how the paragraph was checked">Verification</th></tr></thead><tbody>${findings}</tbody></table>`
        : html`<p class="empty">No measure applies to this transaction on its date${anySuppressed && "; the party matches below were cleared as false positives"}.</p>`
    }
    <h2 class="gap">Party matches</h2>
    ${
      matches.length
        ? html`<table><thead><tr><th>Role</th><th>Party</th><th>List entry</th><th>Score</th><th>Status</th></tr></thead><tbody>${matches}</tbody></table>`
        : html`<p class="muted">No party matched a list entry designated by that date.</p>`
    }
    <p class="meta">Screening <span class="mono">${meta.screening_id}</span> · audit record #${meta.audit_seq} · ${meta.regime_version}${
      cases.length > 0 && html` · <a href="#/cases">case #${cases.join(", #")} opened</a>`
    }</p>`,
  );
}

// The caps in force on the form's date with what is used and what remains (GET /caps).
async function showCaps() {
  const out = $("#tx-caps-table");
  if (!out) return;
  let date;
  try {
    date = readDate($("#tx-date"), "Date", { optional: true });
  } catch (e) {
    render(out, errorBox(e));
    return;
  }
  if (!date) {
    render(out, html`<p class="muted">Enter a date to see the caps in force.</p>`);
    return;
  }
  try {
    const r = await api("/caps?at=" + encodeURIComponent(date));
    $("#tx-caps-title").textContent = `Quantity caps in force on ${r.at}`;
    const rows = r.caps.flatMap((c) =>
      c.limits.map((l) => {
        const used = l.limit > 0 ? Math.min(100, Math.max(0, (l.used / l.limit) * 100)) : 0;
        const cls = l.remaining <= 0 ? "b-prohibited" : used >= 80 ? "b-review" : "b-permitted";
        return html`<tr class="cap-row" data-measure="${c.measure}" data-unit="${l.unit}">
        <td><strong>Resolution ${c.resolution}, para. ${c.paragraph}</strong><div class="hint">${c.title}</div><div class="hint mono">${c.measure}</div></td>
        <td class="mono">${c.period.start} – ${c.period.end}</td>
        <td class="num">${fmtNum(l.limit)} ${l.unit_label}</td>
        <td class="num cap-used">${fmtNum(l.used)}${l.opening ? html`<div class="hint">opening ${fmtNum(l.opening)}</div>` : ""}</td>
        <td class="num cap-remaining">${badge(fmtNum(l.remaining), cls)}</td>
        <td><span class="score">${bar(used, `${used.toFixed(0)}% used`)}<span class="mono">${used.toFixed(0)}%</span></span><div class="hint">${l.draws} draw${l.draws === 1 ? "" : "s"}</div></td></tr>`;
      }),
    );
    render(
      out,
      rows.length
        ? html`<table><caption class="sr-only">Quantity caps: limit, used and remaining per period</caption><thead><tr><th scope="col">Cap</th><th scope="col">Period</th><th scope="col" class="num">Limit</th><th scope="col" class="num">Used</th><th scope="col" class="num">Remaining</th><th scope="col">Usage</th></tr></thead><tbody>${rows}</tbody></table>
      <p class="meta">Used = opening amount + every supply screened within the cap, across all requests (the ledger is kept in the store).</p>`
        : html`<p class="muted">No quantity cap is in force on ${r.at}.</p>`,
    );
    const select = $("#opening-measure");
    if (select) {
      render(
        select,
        html`${r.caps.flatMap((c) =>
          c.limits.map((l) => html`<option value="${`${c.measure}|${c.period.start}|${l.unit}`}">${c.resolution} para. ${c.paragraph} · ${c.period.start} · ${l.unit_label}</option>`),
        )}`,
      );
    }
  } catch (e) {
    render(out, errorBox(e));
  }
}
