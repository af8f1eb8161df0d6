// Resolute web UI: plain JS, no build step. Every call goes through the same
// HTTP API as any client, with the API key the user signed in with.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const h = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const main = $("#main");
const state = { key: sessionStorage.getItem("resolute-key") || "", role: "", page: "" };

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path, { method = "GET", body, raw, contentType } = {}) {
  const headers = { Authorization: "Bearer " + state.key };
  let payload;
  if (raw !== undefined) { payload = raw; headers["Content-Type"] = contentType || "application/octet-stream"; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
  const resp = await fetch(path, { method, headers, body: payload });
  const text = await resp.text();
  let data;
  try { data = text ? JSON.parse(text) : {}; } catch { data = { text }; }
  if (!resp.ok) {
    const err = data.error || {};
    if (resp.status === 401) showLogin("Your key was not accepted: " + (err.message || "unauthorized"));
    throw new ApiError(resp.status, err.code || "http_" + resp.status, err.message || text || resp.statusText);
  }
  return data;
}

function errorBox(e) { return `<p class="error" role="alert">${h(e.message || e)}${e.code ? ` <span class="mono">(${h(e.code)})</span>` : ""}</p>`; }
function badge(text, cls) { return `<span class="badge ${cls}">${h(text)}</span>`; }
function scoreCell(score, hit) {
  const pct = Math.round((score || 0) * 100);
  return `<span class="score ${hit ? "hit" : ""}"><span class="bar"><i style="width:${pct}%"></i></span><span class="mono">${(score || 0).toFixed(2)}</span></span>`;
}
function fmtTs(ts) { return ts ? h(ts.replace("T", " ").replace(/\.\d+Z$/, "Z")) : ""; }

// ---------------------------------------------------------------- login

function showLogin(message) {
  $("#login").hidden = false;
  const err = $("#login-error");
  err.hidden = !message; err.textContent = message || "";
  $("#login-key").focus();
}

async function login(key) {
  state.key = key.trim();
  const me = await api("/me");
  state.role = me.role;
  sessionStorage.setItem("resolute-key", state.key);
  $("#who").innerHTML = `key ${h(me.key_id)} <span class="role">${h(me.role)}</span>`;
  $("#logout").hidden = false;
  $("#login").hidden = true;
  refreshChrome();
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try { await login($("#login-key").value); route(); }
  catch (e) { showLogin(e.status === 401 ? "Unknown or revoked key." : e.message); }
});
$("#logout").addEventListener("click", () => { sessionStorage.removeItem("resolute-key"); state.key = ""; location.hash = "#/screen"; location.reload(); });

async function refreshChrome() {
  try {
    const [ready, cases] = await Promise.all([fetch("/readyz").then((r) => r.json()), api("/cases?status=open&limit=1000")]);
    $("#versions").textContent = "Lists: " + (ready.lists || []).map((l) => l.id).join(" · ") + (ready.regime ? " · " + ready.regime : "");
    const n = (cases.cases || []).length, c = $("#case-count");
    c.hidden = n === 0; c.textContent = n;
  } catch { /* the page shows its own errors */ }
}

// ---------------------------------------------------------------- router

const pages = { screen: pageScreen, transaction: pageTransaction, regime: pageRegime, lists: pageLists, cases: pageCases, audit: pageAudit, impact: pageImpact };

function route() {
  const page = (location.hash.match(/^#\/(\w+)/) || [])[1] || "screen";
  const render = pages[page] || pageScreen;
  state.page = page;
  $$("#nav a").forEach((a) => { const on = a.dataset.page === page; a.classList.toggle("active", on); if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current"); });
  if (!state.key) { showLogin(); return; }
  render();
}
window.addEventListener("hashchange", route);

document.addEventListener("keydown", (ev) => {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const names = ["screen", "transaction", "regime", "lists", "cases", "audit", "impact"];
  if (ev.key >= "1" && ev.key <= "7") { location.hash = "#/" + names[Number(ev.key) - 1]; ev.preventDefault(); }
  if (ev.key === "/") { const f = $("main input, main select, main textarea"); if (f) { f.focus(); ev.preventDefault(); } }
});

// ---------------------------------------------------------------- Screen

function pageScreen() {
  main.innerHTML = `
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
        <div><label for="screen-dob">Date of birth</label><input id="screen-dob" name="birthDate" placeholder="YYYY or YYYY-MM-DD"></div>
        <div><label for="screen-nat">Nationality / country</label><input id="screen-nat" name="nationality" placeholder="kp"></div>
      </div>
      <div class="row">
        <div><label for="screen-threshold">Match threshold</label><input id="screen-threshold" name="threshold" type="number" min="0" max="1" step="0.05" value="0.7"></div>
        <div><label for="screen-limit">Results</label><input id="screen-limit" name="limit" type="number" min="1" max="50" value="10"></div>
      </div>
      <div class="actions"><button id="screen-submit" class="primary" type="submit">Screen</button><span class="hint">Enter to run</span></div>
    </form>
    <section id="screen-results" class="card" aria-live="polite"><p class="empty">Results appear here, best first, each with why it matched.</p></section>
  </div>`;
  $("#screen-name").focus();
  $("#screen-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const props = { name: [f.get("name")] };
    if (f.get("birthDate")) props.birthDate = [f.get("birthDate")];
    if (f.get("nationality")) { props.nationality = [f.get("nationality")]; props.country = [f.get("nationality")]; }
    const body = { queries: { q: { schema: f.get("schema"), properties: props } } };
    const out = $("#screen-results");
    out.innerHTML = `<p class="empty">Screening…</p>`;
    try {
      const qs = `threshold=${encodeURIComponent(f.get("threshold"))}&limit=${encodeURIComponent(f.get("limit"))}`;
      const r = await api(`/match/${encodeURIComponent(f.get("dataset"))}?${qs}`, { method: "POST", body });
      renderMatches(out, r);
      refreshChrome();
    } catch (e) { out.innerHTML = errorBox(e); }
  });
}

function renderMatches(out, r) {
  const resp = r.responses.q;
  if (resp.status !== 200) { out.innerHTML = errorBox(resp.error || { message: "query rejected" }); return; }
  const meta = r.resolute || {};
  const rows = resp.results.map((x, i) => {
    const status = x.suppressed ? badge("suppressed", "b-grey") : x.match ? badge("match", "b-red") : badge("no match", "b-green");
    const supp = x.suppressed ? `<div class="hint">Cleared as false positive in case #${h(x.suppression.case_id)} by ${h(x.suppression.created_by)}: ${h(x.suppression.note)}</div>` : "";
    return `<tr class="result" data-ref="${h(x.ref)}" data-id="${h(x.id)}">
      <td class="num">${i + 1}</td>
      <td>${scoreCell(x.score, x.match)}</td>
      <td><strong>${h(x.caption)}</strong><div class="hint"><span class="mono ref">${h(x.ref)}</span> · ${h(x.schema)} · ${h((x.datasets || []).join(", "))} · ${h((x.programs || []).join(", "))}${x.listed_on ? " · listed " + h(x.listed_on) : ""}</div>
        <details><summary>Why</summary><pre class="explanation">${h(x.explanation_text || "")}</pre></details>${supp}</td>
      <td>${status}</td></tr>`;
  }).join("");
  out.innerHTML = `
    <h2>${resp.total.value} match${resp.total.value === 1 ? "" : "es"} for “${h(resp.query.properties.name[0])}”</h2>
    ${resp.results.length ? `<table><thead><tr><th>#</th><th>Score</th><th>List entry</th><th>Status</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="empty">No list entry scored above the cutoff.</p>`}
    <p class="meta">Screening <span class="mono">${h(meta.screening_id)}</span> · audit record #${h(meta.audit_seq)} · lists ${h((meta.list_versions || []).join(", "))}${(meta.cases || []).length ? ` · <a href="#/cases">case #${h(meta.cases.join(", #"))} opened</a>` : ""}</p>`;
  // The best hit's explanation is open by default: that is what a reviewer reads first.
  const first = $("details", out); if (first) first.open = true;
}

// ---------------------------------------------------------------- Transaction check

function pageTransaction() {
  main.innerHTML = `
  <h1>Transaction check</h1>
  <p class="lede">A goods declaration (or payment, work authorization, joint venture, vessel movement) against the DPRK regime on its date, with every party screened against the lists as of that date.</p>
  <div class="grid">
    <form id="tx-form" class="card" aria-label="Transaction">
      <div class="row">
        <div><label for="tx-id">Reference</label><input id="tx-id" name="id" value="DECL-001"></div>
        <div><label for="tx-kind">Kind</label><select id="tx-kind" name="kind"><option>goods</option><option>payment</option><option>work_authorization</option><option>joint_venture</option><option>vessel</option></select></div>
      </div>
      <div class="row">
        <div><label for="tx-date">Date</label><input id="tx-date" name="date" type="date" required value="2017-10-02"></div>
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
    ${state.role === "admin" ? `<details id="tx-opening"><summary>Set an opening amount (admin)</summary>
      <form id="opening-form" class="inline" aria-label="Opening amount">
        <div><label for="opening-measure">Cap</label><select id="opening-measure" name="measure"></select></div>
        <div><label for="opening-amount">Already used</label><input id="opening-amount" name="amount" type="number" min="0" step="any" required></div>
        <div class="grow"><label for="opening-note">Source of the figure</label><input id="opening-note" name="note" required placeholder="national customs records, 1718 Committee figure…"></div>
        <button class="primary" type="submit">Set</button>
      </form><div id="opening-result" aria-live="polite"></div></details>` : ""}
  </section>`;
  $("#tx-id").focus();
  const loadCaps = () => showCaps($("#tx-date").value);
  $("#tx-date").addEventListener("change", loadCaps);
  $("#tx-caps-refresh").addEventListener("click", loadCaps);
  if ($("#opening-form")) $("#opening-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const [measure, period_start, unit] = $("#opening-measure").value.split("|");
    const out = $("#opening-result");
    try {
      const r = await api("/caps/opening", { method: "POST", body: { measure, period_start, unit, amount: Number($("#opening-amount").value), note: $("#opening-note").value.trim() } });
      out.innerHTML = `<p class="ok">Opening amount set (audit record #${h(r.audit_seq)}): used ${fmtNum(r.balance.used)} of ${fmtNum(r.limit)}, remaining ${fmtNum(r.remaining)}.</p>`;
      loadCaps();
    } catch (e) { out.innerHTML = errorBox(e); }
  });
  loadCaps();
  const build = () => {
    const f = new FormData($("#tx-form"));
    const tx = { id: f.get("id"), kind: f.get("kind"), date: f.get("date") };
    for (const k of ["hs_code", "description", "origin", "from", "to", "unit"]) if (f.get(k)) tx[k] = f.get(k).trim();
    for (const k of ["quantity", "value_usd"]) if (f.get(k)) tx[k] = Number(f.get(k));
    tx.parties = String(f.get("parties") || "").split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
      const m = l.match(/^([\w_]+)\s*:\s*(.*)$/); const role = m ? m[1] : "party"; const rest = m ? m[2] : l;
      const parts = rest.split(","); const p = { role, name: parts[0].trim() };
      if (parts[1] && parts[1].trim()) p.country = parts[1].trim();
      return p;
    });
    const ex = String(f.get("exception_claims") || "").split(",").map((s) => s.trim()).filter(Boolean);
    if (ex.length) tx.exception_claims = ex;
    return tx;
  };
  $("#tx-json").addEventListener("click", () => { $("#tx-result").innerHTML = `<h2>Request body</h2><pre class="explanation">${h(JSON.stringify(build(), null, 2))}</pre>`; });
  $("#tx-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("#tx-result");
    out.innerHTML = `<p class="empty">Checking…</p>`;
    try { renderDecision(out, await api("/screen", { method: "POST", body: build() })); refreshChrome(); loadCaps(); }
    catch (e) { out.innerHTML = errorBox(e); }
  });
}

function renderDecision(out, d) {
  if (d.error) { out.innerHTML = errorBox({ message: d.error }); return; }
  const findings = (d.findings || []).map((f) => `<tr class="finding">
      <td>${badge(f.effect, "b-" + f.effect)}</td>
      <td><strong class="citation">${f.resolution ? "Resolution " + h(f.resolution) : "National list"}${f.paragraph ? ", para. " + h(f.paragraph) : ""}</strong><div class="hint mono">${h(f.rule)}</div></td>
      <td>${h(f.summary)}</td>
      <td>${f.verified ? badge("verified", "b-green") : badge("unverified", "b-amber")}</td></tr>`).join("");
  const matches = (d.matches || []).map((m) => `<tr class="party-match${m.suppressed ? " suppressed" : ""}"><td>${h(m.role)}</td><td>${h(m.party ? m.party.value : "")}<div class="hint">matched ${h(m.name)}</div>${m.suppressed ? `<div class="hint">Cleared as false positive in case #${h(m.suppression.case_id)} by ${h(m.suppression.created_by)}: ${h(m.suppression.note)}</div>` : ""}</td><td class="mono">${h(m.ref)}</td><td>${scoreCell(m.score, !m.suppressed)}</td><td>${m.suppressed ? badge("suppressed", "b-grey") : badge("match", "b-red")}</td></tr>`).join("");
  const meta = d.resolute || {};
  out.innerHTML = `
    <div class="decision b-${h(d.decision)}" id="tx-decision">${h(d.decision)}</div>
    <h2>Findings</h2>
    ${findings ? `<table><thead><tr><th>Effect</th><th>Citation</th><th>Why</th><th>Source</th></tr></thead><tbody>${findings}</tbody></table>` : `<p class="empty">No measure applies to this transaction on its date${(d.matches || []).some((m) => m.suppressed) ? "; the party matches below were cleared as false positives" : ""}.</p>`}
    <h2 style="margin-top:16px">Party matches</h2>
    ${matches ? `<table><thead><tr><th>Role</th><th>Party</th><th>List entry</th><th>Score</th><th>Status</th></tr></thead><tbody>${matches}</tbody></table>` : `<p class="muted">No party matched a list entry designated by that date.</p>`}
    <p class="meta">Screening <span class="mono">${h(meta.screening_id)}</span> · audit record #${h(meta.audit_seq)} · ${h(meta.regime_version)}${(meta.cases || []).length ? ` · <a href="#/cases">case #${h(meta.cases.join(", #"))} opened</a>` : ""}</p>`;
}

function fmtNum(v) { return Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 }); }

// The caps in force on a date with what is used and what remains (GET /caps).
async function showCaps(date) {
  const out = $("#tx-caps-table");
  if (!out) return;
  if (!date) { out.innerHTML = `<p class="muted">Enter a date to see the caps in force.</p>`; return; }
  try {
    const r = await api("/caps?at=" + encodeURIComponent(date));
    $("#tx-caps-title").textContent = `Quantity caps in force on ${r.at}`;
    const rows = r.caps.flatMap((c) => c.limits.map((l) => {
      const pct = l.limit > 0 ? Math.min(100, Math.max(0, (l.used / l.limit) * 100)) : 0;
      const cls = l.remaining <= 0 ? "b-prohibited" : pct >= 80 ? "b-review" : "b-permitted";
      return `<tr class="cap-row" data-measure="${h(c.measure)}" data-unit="${h(l.unit)}">
        <td><strong>Resolution ${h(c.resolution)}, para. ${h(c.paragraph)}</strong><div class="hint">${h(c.title)}</div><div class="hint mono">${h(c.measure)}</div></td>
        <td class="mono">${h(c.period.start)} – ${h(c.period.end)}</td>
        <td class="num">${fmtNum(l.limit)} ${h(l.unit_label)}</td>
        <td class="num cap-used">${fmtNum(l.used)}${l.opening ? `<div class="hint">opening ${fmtNum(l.opening)}</div>` : ""}</td>
        <td class="num cap-remaining">${badge(fmtNum(l.remaining), cls)}</td>
        <td><span class="score"><span class="bar" role="img" aria-label="${pct.toFixed(0)}% used"><i style="width:${pct.toFixed(1)}%"></i></span><span class="mono">${pct.toFixed(0)}%</span></span><div class="hint">${h(l.draws)} draw${l.draws === 1 ? "" : "s"}</div></td></tr>`;
    })).join("");
    out.innerHTML = rows ? `<table><caption class="sr-only">Quantity caps: limit, used and remaining per period</caption><thead><tr><th scope="col">Cap</th><th scope="col">Period</th><th scope="col" class="num">Limit</th><th scope="col" class="num">Used</th><th scope="col" class="num">Remaining</th><th scope="col">Usage</th></tr></thead><tbody>${rows}</tbody></table>
      <p class="meta">Used = opening amount + every supply screened within the cap, across all requests (the ledger is kept in the store).</p>` : `<p class="muted">No quantity cap is in force on ${h(r.at)}.</p>`;
    const sel = $("#opening-measure");
    if (sel) sel.innerHTML = r.caps.flatMap((c) => c.limits.map((l) => `<option value="${h(c.measure + "|" + c.period.start + "|" + l.unit)}">${h(c.resolution)} para. ${h(c.paragraph)} · ${h(c.period.start)} · ${h(l.unit_label)}</option>`)).join("");
  } catch (e) { out.innerHTML = errorBox(e); }
}

// ---------------------------------------------------------------- Regime

const KIND_COLORS = {};
const PALETTE = ["#1d5a96", "#b42318", "#9a5b00", "#1a7f37", "#6941c6", "#c11574", "#0e7090", "#4e5ba6", "#b54708", "#475467", "#107569", "#854a0e", "#3e4784", "#a15c07"];
function kindColor(kind) { if (!KIND_COLORS[kind]) KIND_COLORS[kind] = PALETTE[Object.keys(KIND_COLORS).length % PALETTE.length]; return KIND_COLORS[kind]; }

async function pageRegime() {
  const at = sessionStorage.getItem("resolute-regime-at") || "2017-10-02";
  main.innerHTML = `
  <h1>DPRK sanctions regime</h1>
  <p class="lede">Security Council resolutions 1718 (2006) to 2397 (2017) as dated, cited measures.</p>
  <section class="card timeline"><h2>Timeline of resolutions and their measures, 2006–2018</h2><div id="regime-chart"><p class="empty">Loading…</p></div><div id="regime-legend" class="legend"></div></section>
  <section class="card">
    <form id="regime-form" class="toolbar" aria-label="Measures on a date">
      <div><label for="regime-at">Measures in force on</label><input id="regime-at" type="date" value="${h(at)}" min="2006-01-01" max="2030-12-31"></div>
      <button class="primary" type="submit">Show</button>
      <div><label for="regime-from">Changes from</label><input id="regime-from" type="date" value="2017-08-04"></div>
      <div><label for="regime-to">to</label><input id="regime-to" type="date" value="2017-08-06"></div>
      <button id="regime-diff" type="button">Compare</button>
    </form>
    <div id="regime-list" aria-live="polite"></div>
  </section>`;
  let timeline;
  try { timeline = await api("/regime/timeline"); drawTimeline(timeline, at); } catch (e) { $("#regime-chart").innerHTML = errorBox(e); }
  const show = async (date) => {
    sessionStorage.setItem("resolute-regime-at", date);
    if (timeline) drawTimeline(timeline, date);
    try {
      const r = await api("/regime?at=" + encodeURIComponent(date));
      $("#regime-list").innerHTML = `<h2>${r.count} measures in force on ${h(r.at)}</h2>` + measureTable(r.measures);
    } catch (e) { $("#regime-list").innerHTML = errorBox(e); }
  };
  $("#regime-form").addEventListener("submit", (ev) => { ev.preventDefault(); show($("#regime-at").value); });
  $("#regime-diff").addEventListener("click", async () => {
    try {
      const r = await api(`/regime/diff?from=${encodeURIComponent($("#regime-from").value)}&to=${encodeURIComponent($("#regime-to").value)}`);
      const d = r.diff;
      $("#regime-list").innerHTML = `<h2>From ${h(r.from)} to ${h(r.to)}</h2>
        <h2>Came into force (${d.came_into_force.length})</h2>${measureTable(d.came_into_force)}
        <h2 style="margin-top:14px">Ended (${d.ended.length})</h2>${measureTable(d.ended)}
        ${d.changed && d.changed.length ? `<h2 style="margin-top:14px">Changed (${d.changed.length})</h2><pre class="explanation">${h(JSON.stringify(d.changed.map((c) => ({ date: c.date, measure: c.measure && c.measure.id, what: c.what || c.change })), null, 1))}</pre>` : ""}`;
    } catch (e) { $("#regime-list").innerHTML = errorBox(e); }
  });
  show(at);
}

function measureTable(ms) {
  if (!ms || !ms.length) return `<p class="muted">None.</p>`;
  return `<table><thead><tr><th>Resolution</th><th>Para.</th><th>Measure</th><th>Kind</th><th>In force</th><th></th></tr></thead><tbody>${ms.map((m) => `
    <tr><td><strong>${h(m.resolution)}</strong></td><td class="mono">${h((m.paragraphs || []).join(", "))}</td>
    <td><strong>${h(m.title)}</strong><div class="hint">${h(m.summary)}</div><div class="hint mono">${h(m.id)}</div></td>
    <td><span class="badge" style="background:${kindColor(m.kind)}22;color:${kindColor(m.kind)}">${h(String(m.kind).replace(/_/g, " "))}</span></td>
    <td class="mono">${h(m.effective)}${m.ends ? " → " + h(m.ends) : ""}${m.superseded_by ? `<div class="hint">superseded by ${h(m.superseded_by)}</div>` : ""}</td>
    <td>${m.verified ? badge("verified", "b-green") : badge("unverified", "b-amber")}</td></tr>`).join("")}</tbody></table>`;
}

function drawTimeline(t, at) {
  const res = (t.resolutions || []).slice().sort((a, b) => a.number - b.number);
  const y0 = 2006, y1 = 2019, W = 1200, left = 70, right = 16, rowH = 26, top = 24;
  const x = (d) => { const dt = new Date(d + "T00:00:00Z"); const yrs = dt.getUTCFullYear() + (dt.getUTCMonth() * 30.4 + dt.getUTCDate()) / 365.25; return left + (Math.min(Math.max(yrs, y0), y1) - y0) / (y1 - y0) * (W - left - right); };
  const rows = res.map((r) => ({ r, ms: (t.measures || []).filter((m) => m.resolution === r.number) }));
  // Each resolution gets lanes so its measures do not overlap.
  let yCursor = top; const parts = [];
  for (const row of rows) {
    const lanes = [];
    const placed = row.ms.slice().sort((a, b) => a.effective.localeCompare(b.effective)).map((m) => {
      const x0 = x(m.effective), x1 = Math.max(x(m.ends || `${y1}-01-01`), x0 + 4);
      let lane = lanes.findIndex((end) => end < x0 - 2); if (lane < 0) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = x1; return { m, x0, x1, lane };
    });
    const h0 = Math.max(1, Math.min(lanes.length, 6));
    const laneH = Math.max(4, Math.min(10, (rowH * 1.6) / h0));
    const height = Math.max(rowH, h0 * (laneH + 2) + 8);
    parts.push(`<line class="axis" x1="${left}" x2="${W - right}" y1="${yCursor + height}" y2="${yCursor + height}" stroke-opacity=".25"/>`);
    parts.push(`<text class="res-label" x="6" y="${yCursor + height / 2 + 4}">${h(row.r.number)}</text>`);
    parts.push(`<circle cx="${x(row.r.adopted)}" cy="${yCursor + height / 2}" r="3.5" fill="#111"><title>S/RES/${h(row.r.number)} adopted ${h(row.r.adopted)}</title></circle>`);
    for (const p of placed) {
      if (p.lane >= 6) continue;
      const y = yCursor + 4 + p.lane * (laneH + 2);
      parts.push(`<rect class="m" tabindex="0" x="${p.x0.toFixed(1)}" y="${y.toFixed(1)}" width="${(p.x1 - p.x0).toFixed(1)}" height="${laneH.toFixed(1)}" rx="2" fill="${kindColor(p.m.kind)}"><title>${h(p.m.id)} — ${h(p.m.title)} (${h(p.m.effective)}${p.m.ends ? " → " + h(p.m.ends) : ""})</title></rect>`);
    }
    yCursor += height;
  }
  const H = yCursor + 26;
  for (let y = y0; y <= y1; y++) {
    const xx = x(`${y}-01-01`);
    parts.push(`<line class="axis" x1="${xx}" x2="${xx}" y1="${top - 6}" y2="${H - 20}" stroke-opacity="${y % 5 === 0 ? .5 : .15}"/><text x="${xx - 14}" y="${H - 6}">${y}</text>`);
  }
  if (at) { const xa = x(at); parts.push(`<line class="today" x1="${xa}" x2="${xa}" y1="${top - 10}" y2="${H - 20}"/><text x="${xa + 4}" y="${top - 12}" fill="#b42318">${h(at)}</text>`); }
  $("#regime-chart").innerHTML = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Timeline of DPRK sanctions resolutions and their measures">${parts.join("")}</svg>`;
  $("#regime-legend").innerHTML = Object.entries(KIND_COLORS).map(([k, c]) => `<span><i style="background:${c}"></i>${h(k.replace(/_/g, " "))}</span>`).join("");
  $$("#regime-chart rect.m").forEach((r) => r.addEventListener("keydown", (ev) => { if (ev.key === "Enter") r.dispatchEvent(new MouseEvent("click")); }));
}

// ---------------------------------------------------------------- Lists

async function pageLists() {
  main.innerHTML = `
  <h1>Sanctions lists</h1>
  <p class="lede">The list versions in force and every version loaded. Uploading a new UN XML or OFAC SDN CSV validates it, stores it, puts it in force and shows what changed; a file that does not load changes nothing.</p>
  <div class="split">
    <section class="card"><h2>Versions</h2><div id="lists-table"><p class="empty">Loading…</p></div></section>
    <section>
      <form id="diff-form" class="card" aria-label="Compare versions"><h2>Compare two versions</h2>
        <label for="diff-from">From</label><select id="diff-from"></select>
        <label for="diff-to">To</label><select id="diff-to"></select>
        <div class="actions"><button class="primary" type="submit">Diff</button></div></form>
      <form id="upload-form" class="card" aria-label="Upload a list"><h2>Upload a new version</h2>
        <label for="upload-file">UN Consolidated List XML or OFAC SDN CSV</label><input id="upload-file" type="file" accept=".xml,.csv,text/xml,text/csv">
        <div class="actions"><button class="primary" type="submit">Upload</button><span class="hint">admin role</span></div>
        <div id="upload-result" aria-live="polite"></div></form>
    </section>
  </div>
  <section id="diff-result" class="card" aria-live="polite" hidden></section>`;
  const load = async () => {
    try {
      const r = await api("/lists");
      const rows = r.versions.map((v) => `<tr><td class="mono">${h(v.id)}</td><td>${h(v.source)}</td><td>${h(v.generated || "")}</td><td class="num">${h(v.entity_count)}</td><td class="num">${h(v.issue_count)}</td><td>${fmtTs(v.loaded_at)}<div class="hint">${h(v.loaded_by)} · ${h(v.origin)}</div></td><td>${v.active ? badge("in force", "b-green") : badge("previous", "b-grey")}</td></tr>`).join("");
      $("#lists-table").innerHTML = `<table><thead><tr><th>Version</th><th>List</th><th>Generated</th><th class="num">Entries</th><th class="num">Issues</th><th>Loaded</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
      // Group by list so that "from" and "to" default to two versions of the same list.
      const sorted = r.versions.slice().sort((a, b) => a.source.localeCompare(b.source) || b.loaded_at.localeCompare(a.loaded_at));
      const opts = sorted.map((v) => `<option value="${h(v.id)}" data-source="${h(v.source)}">${h(v.source)} · ${h(v.id)}${v.active ? " (in force)" : ""}</option>`).join("");
      $("#diff-from").innerHTML = opts; $("#diff-to").innerHTML = opts;
      const i = sorted.findIndex((v, k) => k > 0 && v.source === sorted[k - 1].source);
      if (i > 0) { $("#diff-to").selectedIndex = i - 1; $("#diff-from").selectedIndex = i; }
    } catch (e) { $("#lists-table").innerHTML = errorBox(e); }
  };
  $("#diff-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("#diff-result"); out.hidden = false; out.innerHTML = `<p class="empty">Comparing…</p>`;
    try { const r = await api(`/lists/diff?from=${encodeURIComponent($("#diff-from").value)}&to=${encodeURIComponent($("#diff-to").value)}`); out.innerHTML = diffHtml(r.diff, r.from, r.to); }
    catch (e) { out.innerHTML = errorBox(e); }
  });
  $("#upload-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = $("#upload-file").files[0], out = $("#upload-result");
    if (!file) { out.innerHTML = errorBox({ message: "Choose a file first." }); return; }
    out.innerHTML = `<p class="muted">Uploading ${h(file.name)}…</p>`;
    try {
      const r = await api(`/lists?name=${encodeURIComponent(file.name)}`, { method: "POST", raw: await file.arrayBuffer(), contentType: "application/octet-stream" });
      out.innerHTML = `<p class="ok">In force: ${h(r.in_force.id)} (${h(r.in_force.entities)} entries)</p>`;
      if (r.diff) { const d = $("#diff-result"); d.hidden = false; d.innerHTML = diffHtml(r.diff, r.previous, r.in_force.id); }
      load(); refreshChrome();
    } catch (e) { out.innerHTML = errorBox(e); }
  });
  load();
}

function diffHtml(d, from, to) {
  const entry = (e) => `<tr><td class="mono">${h(e.ref)}</td><td>${h(e.name)}</td><td>${h(e.schema)}</td><td>${h((e.programs || []).join(", "))}</td><td>${h(e.listed_on || "")}</td></tr>`;
  const table = (list) => list.length ? `<table><thead><tr><th>Ref</th><th>Name</th><th>Type</th><th>Programs</th><th>Listed</th></tr></thead><tbody>${list.map(entry).join("")}</tbody></table>` : `<p class="muted">None.</p>`;
  return `<h2>${h(from)} → ${h(to)}</h2>
    <p>${badge(d.added.length + " added", "b-red")} ${badge(d.removed.length + " removed", "b-green")} ${badge(d.changed.length + " changed", "b-amber")}</p>
    <h2>Added</h2>${table(d.added)}<h2 style="margin-top:14px">Removed</h2>${table(d.removed)}
    <h2 style="margin-top:14px">Changed</h2>${d.changed.length ? `<table><thead><tr><th>Ref</th><th>Fields</th></tr></thead><tbody>${d.changed.map((c) => `<tr><td class="mono">${h(c.ref)}</td><td>${h((c.fields || []).join(", "))}</td></tr>`).join("")}</tbody></table>` : `<p class="muted">None.</p>`}`;
}

// ---------------------------------------------------------------- Impact & reporting

function usd(v) { return "US$ " + (Number(v) / 1e6).toLocaleString("en-US", { maximumFractionDigits: 1 }) + "m"; }
function pct(v) { return (Number(v) * 100).toFixed(1) + "%"; }

async function pageImpact() {
  main.innerHTML = `
  <h1>Impact &amp; implementation reporting</h1>
  <p class="lede">DPRK export revenue covered by the measures in force on a date (bundled UN Comtrade totals and the published Resolution 2371 estimates as flows), and which member states reported on their implementation.</p>
  <form id="impact-form" class="card inline" aria-label="Impact">
    <label for="impact-at">Measures in force on</label><input id="impact-at" type="date" value="2017-08-05">
    <label for="impact-year">Base year</label><input id="impact-year" type="number" value="2016" min="2006" max="2030">
    <button class="primary" type="submit">Compute</button></form>
  <section id="impact-result" class="card" aria-live="polite"><p class="empty">Computing…</p></section>
  <form id="status-form" class="card inline" aria-label="Reporting status">
    <label for="status-res">Resolution</label><select id="status-res">${[2371, 2375, 2397, 2321, 2270, 2094, 2087, 1874, 1718].map((r) => `<option>${r}</option>`).join("")}</select>
    <label for="status-asof">As of</label><input id="status-asof" type="date">
    <button class="primary" type="submit">Status</button></form>
  <section id="status-result" class="card" aria-live="polite"></section>`;
  const impact = async () => {
    const out = $("#impact-result"); out.innerHTML = `<p class="empty">Computing…</p>`;
    try {
      const r = await api(`/impact?at=${encodeURIComponent($("#impact-at").value)}&year=${encodeURIComponent($("#impact-year").value)}`);
      const rep = r.report;
      const rows = rep.by_resolution.map((x) => `<tr><td>Resolution ${h(x.resolution)}</td><td>${h(x.first_effective)}</td><td class="num">${usd(x.newly_cut_usd)}</td><td class="num">${pct(x.newly_cut_share)}</td><td class="num">${usd(x.cap_reduction_usd)}</td></tr>`).join("");
      out.innerHTML = `<h2>${h(rep.year)} DPRK exports ${usd(rep.total_usd)} · prohibited on ${h(rep.at)}: ${usd(rep.prohibited_usd)} (${pct(rep.share_prohibited)})</h2>
        <table><thead><tr><th>Resolution</th><th>In force from</th><th class="num">Newly cut</th><th class="num">Share of exports</th><th class="num">Cap reduction</th></tr></thead><tbody>${rows}</tbody></table>
        <div class="chart" id="impact-chart">${r.svg}</div>`;
    } catch (e) { out.innerHTML = errorBox(e); }
  };
  const status = async () => {
    const out = $("#status-result"); out.innerHTML = `<p class="empty">Loading…</p>`;
    const asof = $("#status-asof").value;
    try {
      const r = await api(`/reports/status?resolution=${encodeURIComponent($("#status-res").value)}${asof ? `&as_of=${encodeURIComponent(asof)}` : ""}`);
      const s = r.status[0];
      const cls = { reported: "b-green", late: "b-amber", overdue: "b-red", "not reported": "b-grey" };
      const rows = s.states.map((x) => `<tr><td class="mono">${h(x.state)}</td><td>${h(x.name)}</td><td>${badge(x.status.replace("_", " "), cls[x.status.replace("_", " ")] || "b-grey")}</td><td>${h(x.first_submitted || "")}</td><td class="mono">${h((x.symbols || []).join(", "))}</td></tr>`).join("");
      out.innerHTML = `<h2>${h(s.summary)}</h2>
        <p class="muted">Deadline: ${h(s.deadline || "none set")} — ${h(s.deadline_rule)} ${s.deadline_verified ? badge("verified", "b-green") : badge("unverified", "b-amber")}</p>
        <p>${badge(s.reported + " reported", "b-green")} ${badge(s.late + " late", "b-amber")} ${badge(s.overdue + " overdue", "b-red")} ${badge(s.not_reported + " not reported", "b-grey")} of ${h(s.members)} member states</p>
        <table><thead><tr><th>State</th><th>Name</th><th>Status</th><th>Submitted</th><th>Symbols</th></tr></thead><tbody>${rows}</tbody></table>`;
    } catch (e) { out.innerHTML = errorBox(e); }
  };
  $("#impact-form").addEventListener("submit", (ev) => { ev.preventDefault(); impact(); });
  $("#status-form").addEventListener("submit", (ev) => { ev.preventDefault(); status(); });
  impact(); status();
}

// ---------------------------------------------------------------- Cases

async function pageCases() {
  main.innerHTML = `
  <h1>Review cases</h1>
  <p class="lede">A screening whose best hit is a match, or a transaction that needs review, opens a case. Closing one as a false positive clears that query–entry pair on later screenings until the list entry changes.</p>
  <div class="split">
    <section class="card">
      <div class="toolbar"><div><label for="cases-status">Show</label><select id="cases-status"><option value="open">Open</option><option value="closed">Closed</option><option value="all">All</option></select></div></div>
      <div id="cases-table"><p class="empty">Loading…</p></div>
    </section>
    <section id="case-detail" class="card" aria-live="polite"><p class="empty">Select a case (click, or focus a row and press Enter).</p></section>
  </div>
  <section class="card"><h2>Suppressions (cleared false positives)</h2><div id="supp-table"><p class="empty">Loading…</p></div></section>`;
  const load = async () => {
    try {
      const r = await api("/cases?status=" + $("#cases-status").value);
      $("#cases-table").innerHTML = r.cases.length ? `<table><thead><tr><th>#</th><th>Opened</th><th>Kind</th><th>Summary</th><th>Score</th><th>Status</th></tr></thead><tbody>${r.cases.map((c) => `
        <tr class="clickable case-row" tabindex="0" data-case-id="${h(c.id)}" data-kind="${h(c.kind)}" data-entity-ref="${h(c.entity_ref || "")}"><td class="num">${h(c.id)}</td><td>${fmtTs(c.opened_at)}</td><td>${h(c.kind)}</td>
        <td>${h(c.entity_caption || "")} <span class="mono">${h(c.entity_ref || "")}</span><div class="hint">${h(c.summary)}</div></td>
        <td>${c.score != null ? scoreCell(c.score, true) : ""}</td>
        <td>${c.status === "open" ? badge("open", "b-amber") : badge(String(c.resolution).replace("_", " "), c.resolution === "true_match" ? "b-red" : "b-green")}</td></tr>`).join("")}</tbody></table>` : `<p class="empty">No ${h($("#cases-status").value)} cases.</p>`;
      $$(".case-row").forEach((row) => {
        const open = () => { $$(".case-row").forEach((r) => r.classList.remove("selected")); row.classList.add("selected"); showCase(row.dataset.caseId, load); };
        row.addEventListener("click", open);
        row.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(); });
      });
      const s = await api("/suppressions");
      $("#supp-table").innerHTML = s.suppressions.length ? `<table><thead><tr><th>#</th><th>Entry</th><th>Case</th><th>By</th><th>Note</th><th>Status</th></tr></thead><tbody>${s.suppressions.map((x) => `
        <tr><td class="num">${h(x.id)}</td><td>${h(x.entity ? x.entity.caption : x.entity_id)} <span class="mono">${h(x.entity ? x.entity.ref : "")}</span></td><td>#${h(x.case_id)}</td><td>${h(x.created_by)}<div class="hint">${fmtTs(x.created_at)}</div></td><td>${h(x.note)}</td>
        <td>${x.status === "active" ? badge("active", "b-green") : badge(x.status.replace(/_/g, " "), "b-grey")}</td></tr>`).join("")}</tbody></table>` : `<p class="empty">No suppressions.</p>`;
    } catch (e) { $("#cases-table").innerHTML = errorBox(e); }
  };
  $("#cases-status").addEventListener("change", load);
  await load();
}

async function showCase(id, reload) {
  const out = $("#case-detail");
  try {
    const { case: c, entity } = await api("/cases/" + encodeURIComponent(id));
    const query = c.query && c.query.properties ? Object.entries(c.query.properties).map(([k, v]) => `${k}: ${[].concat(v).join(", ")}`).join("\n") : JSON.stringify(c.query, null, 1);
    out.innerHTML = `<h2>Case #${h(c.id)} ${c.status === "open" ? badge("open", "b-amber") : badge("closed", "b-grey")}</h2>
      <dl class="kv"><dt>Opened</dt><dd>${fmtTs(c.opened_at)}</dd><dt>Screening</dt><dd class="mono">${h(c.screening_id)} · audit #${h(c.audit_seq)}</dd>
      <dt>Query</dt><dd><pre class="explanation">${h(query)}</pre></dd>
      <dt>List entry</dt><dd>${entity ? `<strong>${h(entity.caption)}</strong> <span class="mono">${h(entity.ref)}</span><div class="hint">${h((entity.programs || []).join(", "))}${entity.listed_on ? " · listed " + h(entity.listed_on) : ""}</div>` : h(c.entity_ref || "—")}</dd>
      <dt>Score</dt><dd>${c.score != null ? scoreCell(c.score, true) : "—"}</dd>${c.decision ? `<dt>Decision</dt><dd>${badge(c.decision, "b-" + c.decision)}</dd>` : ""}
      <dt>Summary</dt><dd>${h(c.summary)}</dd>
      ${c.status === "closed" ? `<dt>Resolution</dt><dd>${h(c.resolution)} by ${h(c.closed_by)} at ${fmtTs(c.closed_at)}</dd><dt>Note</dt><dd>${h(c.note)}</dd>` : ""}</dl>
      ${c.status === "open" ? `<form id="close-form"><label for="case-note">Decision note (required)</label><textarea id="case-note" required placeholder="Why: identifiers, dates of birth, addresses compared…"></textarea>
        <div class="actions"><button id="close-tm" class="danger" type="button">True match</button><button id="close-fp" class="good" type="button">False positive</button></div><div id="close-error"></div></form>` : ""}`;
    const close = async (resolution) => {
      const note = $("#case-note").value.trim();
      if (!note) { $("#close-error").innerHTML = errorBox({ message: "Write a note: the decision is recorded in the audit log." }); $("#case-note").focus(); return; }
      try { await api(`/cases/${encodeURIComponent(id)}/close`, { method: "POST", body: { resolution, note } }); await reload(); await showCase(id, reload); refreshChrome(); }
      catch (e) { $("#close-error").innerHTML = errorBox(e); }
    };
    if (c.status === "open") {
      $("#close-tm").addEventListener("click", () => close("true_match"));
      $("#close-fp").addEventListener("click", () => close("false_positive"));
      $("#case-note").focus();
    }
  } catch (e) { out.innerHTML = errorBox(e); }
}

// ---------------------------------------------------------------- Audit

async function pageAudit() {
  main.innerHTML = `
  <h1>Audit log</h1>
  <p class="lede">Every screening, case decision, list load and key change, in a hash chain: each record carries the hash of the one before, so an edited, deleted or reordered record is found.</p>
  <section class="card">
    <div class="toolbar"><button id="audit-verify" class="primary" type="button">Verify the chain</button><div id="audit-status" aria-live="polite" style="flex:1"></div></div>
  </section>
  <section class="card">
    <div class="toolbar"><div><label for="audit-kind">Kind</label><select id="audit-kind"><option value="">All</option><option>screening.name</option><option>screening.transaction</option><option>case.closed</option><option>list.loaded</option><option>key.created</option><option>key.revoked</option><option>suppression.revoked</option><option>cap.opening_set</option></select></div>
      <span id="audit-total" class="muted"></span></div>
    <div id="audit-log"><p class="empty">Loading…</p></div>
    <div class="actions"><button id="audit-more" type="button" hidden>Older records</button></div>
  </section>`;
  let before = null;
  const load = async (append) => {
    try {
      const kind = $("#audit-kind").value;
      const r = await api(`/audit?limit=50${kind ? "&kind=" + encodeURIComponent(kind) : ""}${append && before ? "&before=" + before : ""}`);
      $("#audit-total").textContent = `${r.total} records in the log`;
      const rows = r.records.map((x) => `<tr class="audit-row" data-kind="${h(x.kind)}"><td class="num">${h(x.seq)}</td><td>${fmtTs(x.ts)}</td><td>${badge(x.kind, x.kind.startsWith("case") ? "b-amber" : "b-grey")}</td><td class="mono">${h(x.actor)}</td>
        <td>${h(auditSummary(x))}<details><summary>Record</summary><pre class="explanation">${h(JSON.stringify(x.payload, null, 1))}</pre></details></td>
        <td class="mono" title="prev ${h(x.prev_hash)}">${h(x.hash.slice(0, 12))}…</td></tr>`).join("");
      const table = $("#audit-log table tbody");
      if (append && table) table.insertAdjacentHTML("beforeend", rows);
      else $("#audit-log").innerHTML = r.records.length ? `<table><thead><tr><th>#</th><th>Time</th><th>Kind</th><th>Actor</th><th>What</th><th>Hash</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="empty">No records.</p>`;
      before = r.records.length ? r.records[r.records.length - 1].seq : null;
      $("#audit-more").hidden = r.records.length < 50;
    } catch (e) { $("#audit-log").innerHTML = errorBox(e); }
  };
  $("#audit-kind").addEventListener("change", () => load(false));
  $("#audit-more").addEventListener("click", () => load(true));
  $("#audit-verify").addEventListener("click", async () => {
    const out = $("#audit-status");
    out.innerHTML = `<span class="muted">Verifying…</span>`;
    try {
      const r = await api("/audit/verify");
      out.innerHTML = r.ok
        ? `<div class="banner ok" id="verify-ok">Chain intact: ${h(r.records)} records verified · head ${h(r.head_hash.slice(0, 16))}…</div>`
        : `<div class="banner error" id="verify-bad">Chain broken at record ${h(r.first_bad.seq)} (${h(r.first_bad.problem)}): ${h(r.first_bad.detail)}</div>`;
    } catch (e) { out.innerHTML = errorBox(e); }
  });
  load(false);
}

function auditSummary(x) {
  const p = x.payload || {};
  switch (x.kind) {
    case "screening.name": {
      const qs = Object.values(p.queries || {});
      return qs.map((q) => { const n = q.query && q.query.properties && q.query.properties.name; const top = (q.results || [])[0]; return `${n ? n[0] : "?"} → ${top ? `${top.ref} ${top.score.toFixed(2)}${top.suppressed ? " (suppressed)" : top.match ? " (match)" : ""}` : "no hit"}`; }).join("; ");
    }
    case "screening.transaction": return (p.transactions || []).map((t) => `${(t.output || {}).id || "?"}: ${(t.output || {}).decision || (t.output || {}).error || "?"}`).join("; ")
      + ((p.cap_draws || []).length ? ` · drew ${p.cap_draws.map((d) => `${fmtNum(d.amount)} ${d.unit} on ${d.measure}`).join(", ")}` : "");
    case "cap.opening_set": return `opening ${fmtNum(p.opening)} ${p.unit} on ${p.measure_id} for the period from ${p.period_start}${p.previous_opening != null ? ` (was ${fmtNum(p.previous_opening)})` : ""}: ${p.note}`;
    case "case.closed": return `case #${p.case_id} closed as ${String(p.resolution).replace("_", " ")} (${p.entity_ref || ""}): ${p.note}`;
    case "list.loaded": return `${p.version} (${p.entities} entries)${p.previous ? " replacing " + p.previous : ""}`;
    case "key.created": return `key ${p.key_id} (${p.role}) created`;
    case "key.revoked": return `key ${p.key_id} revoked`;
    default: return JSON.stringify(p).slice(0, 160);
  }
}

// ---------------------------------------------------------------- start

(async () => {
  if (state.key) {
    try { await login(state.key); } catch { state.key = ""; }
  }
  route();
})();
