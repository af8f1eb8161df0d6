// Impact & reporting: DPRK export revenue removed by the measures in force on
// a date (GET /impact), drawn here from the report's timeline so that the
// chart and the table below it are the same numbers, and which member states
// reported on their implementation (GET /reports, /reports/status).

import { api, errorBox, query } from "../api.js";
import { dateInput, readDate } from "../dates.js";
import { $, $$ } from "../dom.js";
import { filterBar, optionsOf, wireFilter } from "../filter.js";
import { badge, pct, swatch, usd, verificationBadge, words } from "../format.js";
import { html, render } from "../html.js";

// Resolutions with a national implementation report request, newest first.
const REPORTING_RESOLUTIONS = [2371, 2375, 2397, 2321, 2270, 2094, 2087, 1874, 1718];

export function show(main) {
  render(
    main,
    html`
  <h1>Impact &amp; implementation reporting</h1>
  <p class="lede">DPRK export revenue covered by the measures in force on a date (bundled UN Comtrade totals and the published Resolution 2371 estimates as flows), and which member states reported on their implementation.</p>
  <form id="impact-form" class="card inline" aria-label="Impact" novalidate>
    <label for="impact-at">Measures in force on</label>${dateInput("impact-at", "2017-08-05")}
    <label for="impact-year">Base year</label><input id="impact-year" type="number" value="2016" min="2006" max="2030">
    <button class="primary" type="submit">Compute</button></form>
  <section id="impact-result" class="card" aria-live="polite"><p class="empty">Computing…</p></section>
  <section id="impact-measures" class="card" hidden></section>
  <form id="status-form" class="card inline" aria-label="Reporting status" novalidate>
    <label for="status-res">Resolution</label><select id="status-res">${REPORTING_RESOLUTIONS.map((r) => html`<option>${r}</option>`)}</select>
    <label for="status-asof">As of</label>${dateInput("status-asof", "")}
    <button class="primary" type="submit">Status</button></form>
  <section id="status-result" class="card" aria-live="polite"></section>`,
  );
  $("#impact-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    showImpact();
  });
  $("#status-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    showStatus();
  });
  showImpact();
  showStatus();
}

// ---------------------------------------------------------------- impact

async function showImpact() {
  const out = $("#impact-result");
  const measuresOut = $("#impact-measures");
  try {
    const at = readDate($("#impact-at"), "Measures in force on");
    render(out, html`<p class="empty">Computing…</p>`);
    const r = await api(`/impact?${query({ at, year: $("#impact-year").value })}`);
    const rep = r.report;
    const removed = removedAt(rep);
    const rows = rep.by_resolution.map((x) => {
      const value = removed.get(x.resolution) || 0;
      return html`<tr class="impact-res" data-resolution="${x.resolution}" data-removed="${value}">
        <td>Resolution ${x.resolution}</td><td class="mono">${x.first_effective}</td>
        <td class="num removed"><strong>${usd(value)}</strong></td>
        <td class="num">${usd(x.newly_cut_usd)}</td><td class="num">${usd(x.cap_reduction_usd)}</td>
        <td class="num">${pct(rep.total_usd > 0 ? value / rep.total_usd : 0)}</td></tr>`;
    });
    const totalRemoved = Array.from(removed.values()).reduce((a, b) => a + b, 0);
    render(
      out,
      html`<h2>${rep.year} DPRK exports ${usd(rep.total_usd)} · prohibited on ${rep.at}: ${usd(rep.prohibited_usd)} (${pct(rep.share_prohibited)})</h2>
        <div class="chart" id="impact-chart">${impactChart(rep)}</div>
        <table id="impact-table"><caption class="sr-only">Base-year exports removed by each resolution on ${rep.at}, as in the chart</caption>
          <thead><tr><th>Resolution</th><th>First in force</th><th class="num">Removed on ${rep.at}</th><th class="num">of which banned outright</th><th class="num">of which held back by caps</th><th class="num">Share of exports</th></tr></thead>
          <tbody>${rows}</tbody>
          <tfoot><tr><th colspan="2">All resolutions</th><th class="num" id="impact-total-removed">${usd(totalRemoved)}</th><th class="num">${usd(rep.newly_cut_usd)}</th><th class="num">${usd(rep.by_resolution.reduce((a, x) => a + x.cap_reduction_usd, 0))}</th><th class="num">${pct(rep.total_usd > 0 ? totalRemoved / rep.total_usd : 0)}</th></tr></tfoot></table>
        <p class="meta">“Removed on ${rep.at}” is the height of each resolution's band in the chart on that date: the base-year value it banned outright (counted once, for the resolution that first banned a flow) plus what its caps held back. Shares are of all ${rep.year} exports (${words(rep.total_basis)}).</p>`,
    );
    const measures = rep.by_resolution.flatMap((x) => x.measures.map((m) => ({ ...m, resolution: x.resolution })));
    measuresOut.hidden = false;
    render(
      measuresOut,
      html`<h2>Measures up to ${rep.at}</h2>
      ${filterBar("impact-filter", [
        { key: "resolution", label: "Resolution", values: optionsOf(measures, "resolution") },
        { key: "kind", label: "Kind", values: optionsOf(measures, "kind", words) },
      ])}
      ${measureTable(measures)}`,
    );
    wireFilter("impact-filter", () => $$("#impact-measures tr.impact-measure"));
  } catch (e) {
    render(out, errorBox(e));
    measuresOut.hidden = true;
  }
}

/** Value removed by each resolution on the report's date: the timeline's last point. */
function removedAt(rep) {
  const last = (rep.timeline || []).filter((p) => p.date <= rep.at).pop();
  return new Map(Object.entries((last && last.removed_by_resolution) || {}).map(([r, v]) => [Number(r), v]));
}

function measureTable(measures) {
  if (!measures.length) return html`<p class="muted">No measure in force by that date.</p>`;
  return html`<table class="impact-measures"><thead><tr><th>Resolution</th><th>Para.</th><th>Measure</th><th>Kind</th><th>In force</th><th class="num">Base-year value in scope</th><th class="num">Banned outright</th><th class="num">Held back by cap</th><th>Verification</th></tr></thead><tbody>${measures.map(
    (m) => html`<tr class="impact-measure" data-resolution="${m.resolution}" data-kind="${m.kind}">
      <td>${m.resolution}</td><td class="mono">${m.paragraph}</td><td><strong>${m.title}</strong><div class="hint mono">${m.id}</div><div class="hint">HS ${(m.hs || []).join(", ")}</div></td>
      <td>${words(m.kind)}</td><td class="mono dates">${m.effective}${m.ends && html`<br>→ ${m.ends}`}${!m.in_force_at_date && html`<div class="hint">not in force on the date</div>`}</td>
      <td class="num">${usd(m.scope_usd)}</td><td class="num">${usd(m.newly_cut_usd)}</td><td class="num">${usd(m.cap_reduction_usd)}</td><td>${verificationBadge(m)}</td></tr>`,
  )}</tbody></table>`;
}

// ---------------------------------------------------------------- the chart

// Okabe–Ito colours (as in the server's SVG), distinguishable with colour-vision deficiency.
const BAND_COLORS = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442"];
const CAP_ALLOWED_COLOR = "#c8c8c8";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = 86400000;

const dayOf = (iso) => Date.parse(iso + "T00:00:00Z");
const monthKey = (t) => new Date(t).toISOString().slice(0, 7);

/** First days of the months from the month of `from` (exclusive if not the 1st) to `to`. */
function monthStarts(from, to) {
  const d = new Date(from);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (t < from) t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const out = [];
  while (t <= to) {
    out.push(t);
    const n = new Date(t);
    t = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1);
  }
  return out;
}

/** A round step for about `target` ticks up to `max`. */
function niceStep(max, target) {
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
}

/**
 * The stacked step chart of the value removed by each resolution over time
 * (US$ million), from the report's timeline: every month on the date axis is
 * ticked and labelled (every third month past three years), and the band
 * heights on the report's date are the "Removed on" column of the table.
 */
function impactChart(rep) {
  const timeline = rep.timeline || [];
  const first = timeline.findIndex((p) => p.cap_allowed_usd > 0 || Object.values(p.removed_by_resolution).some((v) => Math.abs(v) > 0));
  if (first < 0) return html`<p class="muted" id="impact-chart-empty">No measure in force by ${rep.at} removes any of these exports.</p>`;
  const points = timeline.slice(first);
  const at = dayOf(rep.at);
  const start = Date.UTC(new Date(dayOf(points[0].date)).getUTCFullYear(), new Date(dayOf(points[0].date)).getUTCMonth() - 1, 1);
  const endDate = new Date(at + 31 * DAY);
  const end = Date.UTC(endDate.getUTCFullYear(), endDate.getUTCMonth() + 1, 1);
  const resolutions = Array.from(new Set(points.flatMap((p) => Object.keys(p.removed_by_resolution).map(Number)))).sort((a, b) => a - b);
  const stackTop = (p) => Object.values(p.removed_by_resolution).reduce((a, b) => a + b, 0) + p.cap_allowed_usd;
  const reference = rep.commodity_rows_usd || 0;
  const maxM = Math.max(...points.map(stackTop), reference) / 1e6 || 1;
  const step = niceStep(maxM * 1.08, 6);
  const yMax = Math.ceil((maxM * 1.08) / step) * step;

  const [W, H, left, right, top, bottom] = [960, 400, 64, 16, 28, 52];
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const x = (t) => left + ((t - start) / (end - start)) * plotW;
  const y = (usdValue) => top + plotH - (usdValue / 1e6 / yMax) * plotH;
  const parts = [];

  // Y axis: grid lines and US$ million labels.
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    const yy = y(v * 1e6);
    parts.push(html`<line class="grid" x1="${left}" x2="${W - right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}"/><text class="y-label" x="${left - 8}" y="${(yy + 4).toFixed(1)}" text-anchor="end">${v.toLocaleString("en-US")}</text>`);
  }
  parts.push(html`<text class="axis-title" x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">US$ million</text>`);

  // X axis: a tick on the first of every month, labelled with the month
  // (and the year under January and under the first month shown).
  const months = monthStarts(start, end);
  const every = months.length > 36 ? 3 : 1;
  months.forEach((t, i) => {
    const xx = x(t);
    const month = new Date(t).getUTCMonth();
    const labelled = month % every === 0 || every === 1;
    parts.push(html`<line class="tick" x1="${xx.toFixed(1)}" x2="${xx.toFixed(1)}" y1="${top + plotH}" y2="${top + plotH + (labelled ? 6 : 3)}"/>`);
    if (labelled) {
      parts.push(html`<text class="month" data-month="${monthKey(t)}" x="${xx.toFixed(1)}" y="${top + plotH + 19}" text-anchor="middle">${MONTHS[month]}</text>`);
    }
    if (month === 0 || i === 0) {
      parts.push(html`<text class="year" x="${xx.toFixed(1)}" y="${top + plotH + 36}" text-anchor="middle">${new Date(t).getUTCFullYear()}</text>`);
    }
  });
  parts.push(html`<line class="axis" x1="${left}" x2="${W - right}" y1="${top + plotH}" y2="${top + plotH}"/>`);

  // The bands: each point's state holds until the next point (the last one to the edge).
  const bands = resolutions.map((r, k) => ({ key: String(r), label: `UNSCR ${r}`, color: BAND_COLORS[k % BAND_COLORS.length], value: (p) => p.removed_by_resolution[r] || 0 }));
  bands.push({ key: "cap-allowed", label: "still allowed under a cap", color: CAP_ALLOWED_COLOR, value: (p) => p.cap_allowed_usd });
  const used = bands.filter((b) => points.some((p) => b.value(p) > 0.5));
  points.forEach((p, i) => {
    const x0 = x(dayOf(p.date));
    const x1 = i + 1 < points.length ? x(dayOf(points[i + 1].date)) : x(end);
    let base = 0;
    for (const b of used) {
      const v = b.value(p);
      if (v > 0.5) {
        parts.push(html`<rect class="band" data-band="${b.key}" data-date="${p.date}" data-usd="${v}" x="${x0.toFixed(2)}" y="${y(base + v).toFixed(2)}" width="${Math.max(0, x1 - x0).toFixed(2)}" height="${(y(base) - y(base + v)).toFixed(2)}" fill="${b.color}"><title>${b.label}: ${usd(v)} from ${p.date}</title></rect>`);
      }
      base += v;
    }
  });

  // The base-year value of all commodity rows, for scale.
  if (reference > 0) {
    const yy = y(reference);
    parts.push(html`<line class="reference" x1="${left}" x2="${W - right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}"/>`);
  }
  // The days on which the removed value changed, labelled with the resolutions whose share changed.
  let previous = {};
  let level = 0;
  let lastX = -Infinity;
  for (const p of points) {
    const changed = Object.keys({ ...previous, ...p.removed_by_resolution }).filter((r) => Math.abs((previous[r] || 0) - (p.removed_by_resolution[r] || 0)) > 1);
    previous = p.removed_by_resolution;
    if (!changed.length) continue;
    const xx = x(dayOf(p.date));
    level = xx - lastX < 170 ? level + 1 : 0;
    lastX = xx;
    const ly = top - 8 + level * 14;
    parts.push(html`<line class="event" x1="${xx.toFixed(1)}" x2="${xx.toFixed(1)}" y1="${ly + 3}" y2="${top + plotH}"/><text class="event-label" x="${(xx + 3).toFixed(1)}" y="${ly}">${p.date} UNSCR ${changed.join(", ")}</text>`);
  }
  // The report's date.
  parts.push(html`<line class="at" x1="${x(at).toFixed(1)}" x2="${x(at).toFixed(1)}" y1="${top}" y2="${top + plotH}"/>`);

  const legend = html`<div class="legend" id="impact-legend">${used.map((b) => html`<span>${swatch(b.color)}${b.label}</span>`)}${
    reference > 0 && html`<span><svg class="swatch" viewBox="0 0 16 10" aria-hidden="true"><line class="reference" x1="0" x2="16" y1="5" y2="5"/></svg>base-year value of the commodity rows: ${usd(reference)}</span>`
  }</div>`;
  return html`<svg class="impact" viewBox="0 0 ${W} ${H}" role="img" aria-label="DPRK exports of ${rep.year} removed by the UN measures over time, by resolution, in US$ million; the table below gives the values on ${rep.at}">${parts}</svg>${legend}`;
}

// ---------------------------------------------------------------- reporting

const STATUS_CLASS = { reported: "b-green", late: "b-amber", overdue: "b-red", not_reported: "b-grey" };

async function showStatus() {
  const out = $("#status-result");
  try {
    const resolution = $("#status-res").value;
    const asOf = readDate($("#status-asof"), "As of", { optional: true });
    render(out, html`<p class="empty">Loading…</p>`);
    const [all, forResolution, status] = await Promise.all([
      api("/reports"),
      api(`/reports?${query({ resolution })}`),
      api(`/reports/status?${query({ resolution, as_of: asOf })}`),
    ]);
    const s = status.status[0];
    const deadline = html`<p class="muted">Deadline: ${s.deadline || "none set"} — ${s.deadline_rule} ${s.deadline_verified ? badge("verified", "b-green") : badge("unverified", "b-amber")}</p>`;
    // Without any imported report every member state would read "overdue":
    // that says nothing about the states, only that no data was imported.
    if (!all.count) {
      render(
        out,
        html`<h2>Resolution ${s.resolution}</h2>
        <p class="banner b-grey" id="status-none">No member-state reports recorded: no implementation report has been imported, so who reported cannot be shown.</p>
        ${deadline}
        <p class="hint">Record reports with <code>resolute reports add --state CHN --resolution ${s.resolution} --submitted YYYY-MM-DD --symbol S/AC.49/…</code> or <code>POST /reports</code>.</p>`,
      );
      return;
    }
    const noneForThis = !forResolution.count;
    const rows = s.states.map(
      (x) => html`<tr class="state-row" data-status="${x.status}"><td class="mono">${x.state}</td><td>${x.name}</td><td>${badge(words(x.status), STATUS_CLASS[x.status] || "b-grey")}</td><td class="mono">${x.first_submitted || ""}</td><td class="mono">${(x.symbols || []).join(", ")}</td></tr>`,
    );
    const notYetDue = s.not_reported - s.overdue;
    render(
      out,
      html`<h2>${s.summary}</h2>
        ${deadline}
        ${noneForThis && html`<p class="banner b-amber" id="status-none-for">No report on resolution ${s.resolution} is recorded (${all.count} recorded on other resolutions): “overdue” here means none was imported.</p>`}
        <p>${badge(`${s.on_time} reported by the deadline`, "b-green")} ${badge(`${s.late} late`, "b-amber")} ${badge(`${s.overdue} overdue`, "b-red")} ${badge(`${notYetDue} not yet due`, "b-grey")} of ${s.members} member states</p>
        ${filterBar("status-filter", [
          {
            key: "status",
            label: "Status",
            values: ["reported", "late", "overdue", "not_reported"].map((v) => ({ value: v, label: words(v) })),
          },
        ])}
        <table id="status-table"><thead><tr><th>State</th><th>Name</th><th>Status</th><th>Submitted</th><th>Symbols</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
    wireFilter("status-filter", () => $$("#status-table tr.state-row"));
  } catch (e) {
    render(out, errorBox(e));
  }
}
