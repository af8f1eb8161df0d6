// Regime: the resolutions on a timeline, the measures in force on a date
// (GET /regime), what changed between two dates (GET /regime/diff), with a
// client-side filter on the measure tables.

import { api, errorBox } from "../api.js";
import { dateInput, readDate } from "../dates.js";
import { $, $$ } from "../dom.js";
import { filterBar, optionsOf, wireFilter } from "../filter.js";
import { kindColor, kindColorsInUse, swatch, verificationBadge, words } from "../format.js";
import { html, render } from "../html.js";

const AT_STORAGE = "resolute-regime-at";

export async function show(main) {
  const at = sessionStorage.getItem(AT_STORAGE) || "2017-10-02";
  render(
    main,
    html`
  <h1>DPRK sanctions regime</h1>
  <p class="lede">Security Council resolutions 1718 (2006) to 2397 (2017) as dated, cited measures.</p>
  <section class="card timeline"><h2>Timeline of resolutions and their measures, 2006–2018</h2><div id="regime-chart"><p class="empty">Loading…</p></div><div id="regime-legend" class="legend"></div></section>
  <section class="card">
    <form id="regime-form" class="toolbar" aria-label="Measures on a date" novalidate>
      <div><label for="regime-at">Measures in force on</label>${dateInput("regime-at", at)}</div>
      <button class="primary" type="submit">Show</button>
      <div><label for="regime-from">Changes from</label>${dateInput("regime-from", "2017-08-04")}</div>
      <div><label for="regime-to">to</label>${dateInput("regime-to", "2017-08-06")}</div>
      <button id="regime-diff" type="button">Compare</button>
    </form>
    <div id="regime-filter-slot"></div>
    <div id="regime-list" aria-live="polite"></div>
  </section>`,
  );
  let timeline = null;
  let refilter = () => {};
  const addFilter = (measures) => {
    if ($("#regime-filter")) return;
    render(
      $("#regime-filter-slot"),
      filterBar("regime-filter", [
        { key: "resolution", label: "Resolution", values: optionsOf(measures, "resolution") },
        { key: "kind", label: "Kind", values: optionsOf(measures, "kind", words) },
      ]),
    );
    refilter = wireFilter("regime-filter", () => $$("#regime-list tr.measure-row"));
  };
  try {
    timeline = await api("/regime/timeline");
    drawTimeline(timeline, at);
    addFilter(timeline.measures || []);
  } catch (e) {
    render($("#regime-chart"), errorBox(e));
  }
  const list = $("#regime-list");
  const showAt = async () => {
    try {
      const date = readDate($("#regime-at"), "Measures in force on");
      sessionStorage.setItem(AT_STORAGE, date);
      if (timeline) drawTimeline(timeline, date);
      const r = await api("/regime?at=" + encodeURIComponent(date));
      addFilter(r.measures);
      render(list, html`<h2>${r.count} measures in force on ${r.at}</h2>${measureTable(r.measures)}`);
      refilter();
    } catch (e) {
      render(list, errorBox(e));
    }
  };
  $("#regime-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    showAt();
  });
  $("#regime-diff").addEventListener("click", async () => {
    try {
      const from = readDate($("#regime-from"), "Changes from");
      const to = readDate($("#regime-to"), "Changes to");
      const r = await api(`/regime/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
      const d = r.diff;
      const changed = (d.changed || []).map((c) => ({ date: c.date, measure: c.measure && c.measure.id, what: c.what || c.change }));
      render(
        list,
        html`<h2>From ${r.from} to ${r.to}</h2>
        <h2>Came into force (${d.came_into_force.length})</h2>${measureTable(d.came_into_force)}
        <h2 class="gap">Ended (${d.ended.length})</h2>${measureTable(d.ended)}
        ${changed.length > 0 && html`<h2 class="gap">Changed (${changed.length})</h2><pre class="explanation">${JSON.stringify(changed, null, 1)}</pre>`}`,
      );
      refilter();
    } catch (e) {
      render(list, errorBox(e));
    }
  });
  showAt();
}

function measureTable(measures) {
  if (!measures || !measures.length) return html`<p class="muted">None.</p>`;
  const rows = measures.map(
    (m) => html`
    <tr class="measure-row" data-resolution="${m.resolution}" data-kind="${m.kind}" data-id="${m.id}"><td><strong>${m.resolution}</strong></td><td class="mono">${(m.paragraphs || []).join(", ")}</td>
    <td><strong>${m.title}</strong><div class="hint">${m.summary}</div><div class="hint mono">${m.id}</div></td>
    <td><span class="badge b-grey kind">${swatch(kindColor(m.kind))} ${words(m.kind)}</span></td>
    <td class="mono dates">${m.effective}${m.ends && html`<br>→ ${m.ends}`}${m.superseded_by && html`<div class="hint">superseded by ${m.superseded_by}</div>`}</td>
    <td>${verificationBadge(m)}</td></tr>`,
  );
  return html`<table class="measures"><thead><tr><th>Resolution</th><th>Para.</th><th>Measure</th><th>Kind</th><th>In force</th><th>Verification</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function drawTimeline(t, at) {
  const resolutions = (t.resolutions || []).slice().sort((a, b) => a.number - b.number);
  const [y0, y1, W, left, right, rowH, top] = [2006, 2019, 1200, 70, 16, 26, 24];
  const x = (d) => {
    const dt = new Date(d + "T00:00:00Z");
    const years = dt.getUTCFullYear() + (dt.getUTCMonth() * 30.4 + dt.getUTCDate()) / 365.25;
    return left + ((Math.min(Math.max(years, y0), y1) - y0) / (y1 - y0)) * (W - left - right);
  };
  // Each resolution gets lanes so that its measures do not overlap.
  let yCursor = top;
  const parts = [];
  for (const r of resolutions) {
    const lanes = [];
    const placed = (t.measures || [])
      .filter((m) => m.resolution === r.number)
      .sort((a, b) => a.effective.localeCompare(b.effective))
      .map((m) => {
        const x0 = x(m.effective);
        const x1 = Math.max(x(m.ends || `${y1}-01-01`), x0 + 4);
        let lane = lanes.findIndex((end) => end < x0 - 2);
        if (lane < 0) {
          lane = lanes.length;
          lanes.push(0);
        }
        lanes[lane] = x1;
        return { m, x0, x1, lane };
      });
    const laneCount = Math.max(1, Math.min(lanes.length, 6));
    const laneH = Math.max(4, Math.min(10, (rowH * 1.6) / laneCount));
    const height = Math.max(rowH, laneCount * (laneH + 2) + 8);
    parts.push(html`<line class="axis" x1="${left}" x2="${W - right}" y1="${yCursor + height}" y2="${yCursor + height}" stroke-opacity=".25"/>`);
    parts.push(html`<text class="res-label" x="6" y="${yCursor + height / 2 + 4}">${r.number}</text>`);
    parts.push(html`<circle cx="${x(r.adopted)}" cy="${yCursor + height / 2}" r="3.5" fill="#111"><title>S/RES/${r.number} adopted ${r.adopted}</title></circle>`);
    for (const p of placed) {
      if (p.lane >= 6) continue;
      const y = yCursor + 4 + p.lane * (laneH + 2);
      parts.push(
        html`<rect class="m" tabindex="0" x="${p.x0.toFixed(1)}" y="${y.toFixed(1)}" width="${(p.x1 - p.x0).toFixed(1)}" height="${laneH.toFixed(1)}" rx="2" fill="${kindColor(p.m.kind)}"><title>${p.m.id} — ${p.m.title} (${p.m.effective}${p.m.ends && ` → ${p.m.ends}`})</title></rect>`,
      );
    }
    yCursor += height;
  }
  const H = yCursor + 26;
  for (let y = y0; y <= y1; y++) {
    const xx = x(`${y}-01-01`);
    parts.push(html`<line class="axis" x1="${xx}" x2="${xx}" y1="${top - 6}" y2="${H - 20}" stroke-opacity="${y % 5 === 0 ? 0.5 : 0.15}"/><text x="${xx - 14}" y="${H - 6}">${y}</text>`);
  }
  if (at) {
    const xa = x(at);
    parts.push(html`<line class="today" x1="${xa}" x2="${xa}" y1="${top - 10}" y2="${H - 20}"/><text x="${xa + 4}" y="${top - 12}" fill="#b42318">${at}</text>`);
  }
  render($("#regime-chart"), html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Timeline of DPRK sanctions resolutions and their measures">${parts}</svg>`);
  render($("#regime-legend"), html`${kindColorsInUse().map(([kind, color]) => html`<span>${swatch(color)}${words(kind)}</span>`)}`);
}

