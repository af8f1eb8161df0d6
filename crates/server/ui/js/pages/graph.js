// Ownership & control graph: the neighbourhood of a party (GET /graph/{id})
// drawn as SVG, with its exposure under a rule on a date (GET /exposure/{id}).
// Listed parties are marked, the exposure paths highlighted, shares written
// on the ownership edges; drag to pan, wheel or the buttons to zoom, click a
// party to centre on it. Route: #/graph/<id>?at=YYYY-MM-DD&rule=un&depth=2.
//
// Plain SVG rather than a graph library: a neighbourhood is at most 400
// parties (the server's limit), a ring layout around the centre reads well at
// that size, and the UI stays dependency-free under its strict CSP.

import { api, errorBox } from "../api.js";
import { dateInput, readDate } from "../dates.js";
import { $, $$ } from "../dom.js";
import { badge } from "../format.js";
import { html, render } from "../html.js";

const RULES = [
  ["un", "UN asset freeze (1718 para. 8(d))"],
  ["ofac", "OFAC 50 Percent Rule"],
  ["eu", "EU ownership and control"],
  ["uk", "UK ownership and control"],
];

/** The hash that opens the graph page on `id` (a graph key, list id or reference). */
export function graphHref(id, { at, rule } = {}) {
  const q = new URLSearchParams();
  if (at) q.set("at", at);
  if (rule) q.set("rule", rule);
  const qs = q.toString();
  return `#/graph/${encodeURIComponent(id)}${qs ? "?" + qs : ""}`;
}

/** A link to the graph view, for match and finding rows. */
export function graphLink(id, opts = {}) {
  if (!id) return "";
  return html`<a class="graph-link" href="${graphHref(id, opts)}" title="Ownership and control graph">graph</a>`;
}

function hashParams() {
  const m = location.hash.match(/^#\/graph(?:\/([^?]*))?(?:\?(.*))?$/) || [];
  const q = new URLSearchParams(m[2] || "");
  return {
    id: m[1] ? decodeURIComponent(m[1]) : "",
    at: q.get("at") || "",
    rule: q.get("rule") || "un",
    depth: q.get("depth") || "2",
  };
}

export function show(main) {
  const p = hashParams();
  render(
    main,
    html`
  <h1>Ownership &amp; control</h1>
  <p class="lede">Who owns or controls a party, and whether that makes it exposed to a designated party on a date: the paths from the designated parties, with their sources.</p>
  <form id="graph-form" class="card toolbar" aria-label="Party">
    <div class="grow"><label for="graph-id">Party <span class="muted">(list reference, graph key or exact name)</span></label><input id="graph-id" name="id" value="${p.id}" placeholder="KPe.047" required spellcheck="false"></div>
    <div><label for="graph-at">As of <span class="muted">(YYYY-MM-DD)</span></label>${dateInput("graph-at", p.at, { name: "at" })}</div>
    <div><label for="graph-rule">Rule</label><select id="graph-rule" name="rule">${RULES.map(
      ([v, label]) => html`<option value="${v}" ${v === p.rule ? "selected" : ""}>${label}</option>`,
    )}</select></div>
    <div><label for="graph-depth">Depth</label><select id="graph-depth" name="depth">${[1, 2, 3, 4].map(
      (d) => html`<option ${String(d) === p.depth ? "selected" : ""}>${d}</option>`,
    )}</select></div>
    <button class="primary" type="submit">Show</button>
  </form>
  <section id="graph-exposure" class="card" aria-live="polite"></section>
  <section id="graph-view" class="card"></section>`,
  );
  $("#graph-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    try {
      const at = readDate($("#graph-at"), "As of", { optional: true });
      const id = $("#graph-id").value.trim();
      const href = graphHref(id, { at, rule: $("#graph-rule").value });
      const depth = $("#graph-depth").value;
      location.hash = href + (depth !== "2" ? (href.includes("?") ? "&" : "?") + "depth=" + depth : "");
    } catch (e) {
      render($("#graph-exposure"), errorBox(e));
    }
  });
  if (p.id) load(p);
  else {
    render($("#graph-exposure"), html`<p class="empty">Enter a party, or open the graph from a match or a finding.</p>`);
    $("#graph-id").focus();
  }
}

async function load(p) {
  const exposureOut = $("#graph-exposure");
  const viewOut = $("#graph-view");
  render(exposureOut, html`<p class="empty">Loading…</p>`);
  const id = encodeURIComponent(p.id);
  const at = p.at ? `at=${encodeURIComponent(p.at)}` : "";
  let exposure = null;
  try {
    exposure = await api(`/exposure/${id}?rule=${encodeURIComponent(p.rule)}${at && "&" + at}`);
    renderExposure(exposureOut, exposure);
  } catch (e) {
    render(exposureOut, errorBox(e));
  }
  try {
    const g = await api(`/graph/${id}?depth=${encodeURIComponent(p.depth)}${at && "&" + at}`);
    renderGraph(viewOut, g, exposure, p);
  } catch (e) {
    render(viewOut, errorBox(e));
  }
}

const STATUS_CLASS = { designated: "b-prohibited", proven: "b-prohibited", indicative: "b-review", none: "b-permitted" };

function renderExposure(out, e) {
  const paths = e.paths.map(
    (path, i) => html`<li class="exposure-path" data-path="${i}">${badge(path.proven ? "proven" : "indicative", path.proven ? "b-red" : "b-amber")} ${path.text}
      <div class="hint">${path.steps.map((s) => html`<span class="step">${s.from_caption} → ${s.to_caption}${s.share && ` (${s.share})`}${s.start && `, from ${s.start}`}${s.end && ` to ${s.end}`}</span> `)}</div></li>`,
  );
  render(
    out,
    html`<div class="toolbar caps-head"><h2 id="graph-title">${e.entity.caption} <span class="mono muted">${e.entity.id}</span></h2>
      <span id="graph-status">${badge(e.status, STATUS_CLASS[e.status] || "b-grey")}</span></div>
    <p id="graph-summary">${e.rule_title}, ${e.as_of} (threshold ${e.threshold})${e.stake_percent != null && html`: stake counted <strong>${e.stake_percent} %</strong>`}. ${e.summary}</p>
    ${paths.length > 0 && html`<ol id="graph-paths" class="paths">${paths}</ol>`}
    ${e.paths_truncated && html`<p class="meta">More paths exist than are shown.</p>`}`,
  );
}

/** (from, to) of an FtM relation entity, in the direction Resolute recorded it. */
function ends(r) {
  const p = r.properties;
  if (r.schema === "Ownership") return [p.owner[0], p.asset[0]];
  if (r.schema === "Directorship") return [p.organization[0], p.director[0]];
  return [p.subject[0], p.object[0]];
}

function edgeLabel(r) {
  const p = r.properties;
  if (r.schema === "Ownership") return p.percentage ? `${p.percentage[0]} %` : "owner, share unknown";
  return (p.role || [r.schema])[0];
}

function listedOn(entity, at) {
  const ds = (entity.resolute && entity.resolute.designations) || [];
  return ds.some((d) => (!at || !d.listed_on || d.listed_on <= at) && (!d.removed_on || !at || at < d.removed_on));
}

/** Rings around the centre by distance; each ring ordered by its parents' angles. */
function layout(center, ids, edges) {
  const adj = new Map(ids.map((id) => [id, []]));
  for (const e of edges) {
    adj.get(e.from)?.push(e.to);
    adj.get(e.to)?.push(e.from);
  }
  const dist = new Map([[center, 0]]);
  const queue = [center];
  while (queue.length) {
    const n = queue.shift();
    for (const m of adj.get(n) || []) {
      if (!dist.has(m)) {
        dist.set(m, dist.get(n) + 1);
        queue.push(m);
      }
    }
  }
  const rings = [];
  for (const id of ids) {
    const d = dist.get(id) ?? 1;
    (rings[d] ||= []).push(id);
  }
  const pos = new Map([[center, { x: 0, y: 0, a: 0 }]]);
  rings.forEach((ring, d) => {
    if (d === 0 || !ring) return;
    const parentAngle = (id) => {
      const as = (adj.get(id) || []).filter((m) => pos.has(m)).map((m) => pos.get(m).a);
      return as.length ? as.reduce((s, a) => s + a, 0) / as.length : 0;
    };
    ring.sort((a, b) => parentAngle(a) - parentAngle(b));
    const radius = 190 * d + Math.max(0, ring.length - 12) * 6;
    ring.forEach((id, i) => {
      const a = (2 * Math.PI * i) / ring.length - Math.PI / 2 + d * 0.3;
      pos.set(id, { x: radius * Math.cos(a), y: radius * Math.sin(a), a });
    });
  });
  return pos;
}

function short(text, n = 28) {
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}

function renderGraph(out, g, exposure, p) {
  const byId = new Map(g.entities.map((e) => [e.id, e]));
  const edges = g.relations
    .map((r) => {
      const [from, to] = ends(r);
      return { id: r.id, from, to, r };
    })
    .filter((e) => byId.has(e.from) && byId.has(e.to));
  const pos = layout(g.center, [...byId.keys()], edges);
  const onPath = new Set();
  const pathNodes = new Set();
  for (const path of exposure ? exposure.paths : []) {
    for (const s of path.steps) {
      onPath.add(s.relation);
      pathNodes.add(s.from);
      pathNodes.add(s.to);
    }
  }
  const at = g.as_of || p.at;
  const lines = edges.map((e) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    // Stop the line short of the target circle so the arrowhead shows.
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const x2 = b.x - (dx / len) * 26;
    const y2 = b.y - (dy / len) * 26;
    const cls = `edge ${e.r.schema.toLowerCase()}${onPath.has(e.id) ? " on-path" : ""}${e.r.resolute && e.r.resolute.former ? " former" : ""}`;
    return html`<g class="${cls}" data-relation="${e.id}" data-from="${e.from}" data-to="${e.to}">
      <line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" marker-end="url(#${onPath.has(e.id) ? "arrow-path" : "arrow"})"/>
      <text class="edge-label" x="${((a.x + b.x) / 2).toFixed(1)}" y="${((a.y + b.y) / 2 - 4).toFixed(1)}" text-anchor="middle">${short(edgeLabel(e.r), 24)}</text></g>`;
  });
  const nodes = [...byId.values()].map((e) => {
    const q = pos.get(e.id);
    const listed = listedOn(e, at);
    const cls = `node${listed ? " listed" : ""}${e.id === g.center ? " center" : ""}${pathNodes.has(e.id) ? " on-path" : ""}`;
    return html`<g class="${cls}" data-id="${e.id}" tabindex="0" role="link" aria-label="${`${e.caption}${listed ? " (listed)" : ""}`}" transform="translate(${q.x.toFixed(1)} ${q.y.toFixed(1)})">
      <circle r="${e.id === g.center ? 24 : 20}"/><text class="glyph" text-anchor="middle" dy="5">${e.schema === "Person" ? "P" : e.schema === "Vessel" ? "V" : "C"}</text>
      <text class="caption" text-anchor="middle" y="38">${short(e.caption)}</text><title>${e.caption} (${e.id})${listed ? " — listed" : ""}</title></g>`;
  });
  const xs = [...pos.values()].map((q) => q.x);
  const ys = [...pos.values()].map((q) => q.y);
  const pad = 120;
  const fit = {
    x: Math.min(...xs) - pad,
    y: Math.min(...ys) - pad,
    w: Math.max(...xs) - Math.min(...xs) + 2 * pad,
    h: Math.max(...ys) - Math.min(...ys) + 2 * pad,
  };
  const rows = edges.map(
    (e) => html`<tr class="relation-row${onPath.has(e.id) ? " on-path" : ""}" data-relation="${e.id}"><td>${byId.get(e.from).caption}</td><td>${e.r.schema}${e.r.properties.role && html`<div class="hint">${e.r.properties.role[0]}</div>`}</td><td>${byId.get(e.to).caption}</td>
      <td class="num">${e.r.properties.percentage ? e.r.properties.percentage[0] + " %" : ""}</td><td class="dates">${(e.r.properties.startDate || [""])[0]}${e.r.properties.endDate && ` – ${e.r.properties.endDate[0]}`}</td>
      <td class="hint">${provenance(e.r)}</td></tr>`,
  );
  render(
    out,
    html`<div class="toolbar caps-head"><h2>Neighbourhood, ${g.depth} relation${g.depth === 1 ? "" : "s"} out${at && `, as of ${at}`}</h2>
      <div class="actions"><button id="zoom-in" type="button" aria-label="Zoom in">+</button><button id="zoom-out" type="button" aria-label="Zoom out">−</button><button id="zoom-fit" type="button">Fit</button></div></div>
    <p class="meta">${g.entities.length} parties, ${edges.length} relations${g.truncated && " (truncated: more parties are within reach)"}. Drag to pan, scroll to zoom, click a party to centre on it.</p>
    <svg id="graph-svg" class="graph" role="img" aria-label="${`Ownership and control graph around ${byId.get(g.center)?.caption || g.center}`}" viewBox="${`${fit.x} ${fit.y} ${fit.w} ${fit.h}`}">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead" d="M0,0 L10,5 L0,10 z"/></marker>
      <marker id="arrow-path" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrowhead on-path" d="M0,0 L10,5 L0,10 z"/></marker></defs>
      <g class="edges">${lines}</g><g class="nodes">${nodes}</g></svg>
    <div class="legend"><span><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="4" class="listed-swatch"/></svg> listed on the date</span><span><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="4" class="party-swatch"/></svg> not listed</span><span class="path-key">━ exposure path</span><span>arrows: owner → owned, organisation → director, subject → object</span></div>
    <details class="gap"><summary>Relations (${edges.length})</summary>
    <table id="graph-relations"><thead><tr><th>From</th><th>Relation</th><th>To</th><th class="num">Share</th><th>Dates</th><th>Source</th></tr></thead><tbody>${rows}</tbody></table></details>`,
  );
  bindPanZoom($("#graph-svg"), fit);
  for (const n of $$("#graph-svg .node")) {
    const open = () => {
      if (n.dataset.id !== g.center) location.hash = graphHref(n.dataset.id, { at: p.at, rule: p.rule });
    };
    n.addEventListener("click", (ev) => {
      if (!n.closest("svg").dataset.dragged) open(ev);
    });
    n.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") open(ev);
    });
  }
}

function provenance(r) {
  const pv = r.resolute && r.resolute.provenance;
  if (!pv) return "";
  if (pv.statement_id) return `BODS statement ${pv.statement_id}`;
  if (pv.line != null) return `${pv.file} line ${pv.line}${pv.cited ? ` — ${pv.cited}` : ""}`;
  if (pv.reference) return `UN list ${pv.reference}: “${short(pv.quote || "", 120)}”`;
  if (pv.ent_num) return `OFAC SDN ${pv.ent_num} (Linked To)`;
  return pv.label || "";
}

/** Pan by dragging, zoom with the wheel and the buttons, by moving the viewBox. */
function bindPanZoom(svg, fit) {
  let view = { ...fit };
  const apply = () => svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  const zoom = (factor, cx = view.x + view.w / 2, cy = view.y + view.h / 2) => {
    const w = Math.min(fit.w * 4, Math.max(fit.w / 20, view.w * factor));
    const k = w / view.w;
    view = { x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k, w, h: view.h * k };
    apply();
  };
  const toView = (ev) => {
    const r = svg.getBoundingClientRect();
    return { x: view.x + ((ev.clientX - r.left) / r.width) * view.w, y: view.y + ((ev.clientY - r.top) / r.height) * view.h };
  };
  svg.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      const c = toView(ev);
      zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, c.x, c.y);
    },
    { passive: false },
  );
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, view: { ...view }, moved: false };
    delete svg.dataset.dragged;
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    const dx = ((ev.clientX - drag.x) / r.width) * view.w;
    const dy = ((ev.clientY - drag.y) / r.height) * view.h;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 4) {
      drag.moved = true;
      svg.dataset.dragged = "1";
      svg.setPointerCapture(ev.pointerId);
    }
    if (drag.moved) {
      view = { ...view, x: drag.view.x - dx, y: drag.view.y - dy };
      apply();
    }
  });
  const end = () => {
    drag = null;
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
  $("#zoom-in").addEventListener("click", () => zoom(1 / 1.3));
  $("#zoom-out").addEventListener("click", () => zoom(1.3));
  $("#zoom-fit").addEventListener("click", () => {
    view = { ...fit };
    apply();
  });
}
