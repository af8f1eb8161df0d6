// Vessel: what a ship did, from its AIS. Its dated identity history and the list
// entries its identifiers match (GET /vessels/{key}), and a map of its track, its
// events and the ports around them (GET /vessels/{key}/map), drawn offline as SVG
// from Natural Earth's 1:50m coastline that the server sends with the map: no tile
// server. Pan by dragging or with the arrow keys, zoom with the wheel or + / −.
//
// Route: #/vessel/<IMO or MMSI>?from=YYYY-MM-DD&to=YYYY-MM-DD&event=<event start>
// (links from transaction findings and vessel matches carry the event to show).

import { api, errorBox } from "../api.js";
import { dateInput, readDate } from "../dates.js";
import { $, $$, activate } from "../dom.js";
import { badge, fmtNum, words } from "../format.js";
import { html, render } from "../html.js";

/** The route's vessel key and period: `#/vessel/9080649?from=…&to=…&event=…`. */
function routeParams() {
  const m = location.hash.match(/^#\/vessel\/?([^?]*)\??(.*)$/) || [];
  const params = new URLSearchParams(m[2] || "");
  return {
    key: decodeURIComponent(m[1] || ""),
    from: params.get("from") || "",
    to: params.get("to") || "",
    event: params.get("event") || "",
  };
}

/** The hash of a vessel page (used by the links from other pages). */
export function vesselHref(key, { from, to, event } = {}) {
  const q = new URLSearchParams();
  if (from) q.set("from", from);
  if (to) q.set("to", to);
  if (event) q.set("event", event);
  const qs = q.toString();
  return `#/vessel/${encodeURIComponent(key)}${qs ? "?" + qs : ""}`;
}

/** YYYY-MM-DD `days` before or after an RFC 3339 time. */
export function dayShift(time, days) {
  const t = new Date(time);
  if (Number.isNaN(t.getTime())) return "";
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** The link to the map of an event (a month around it). */
export function eventHref(key, e) {
  return vesselHref(key, { from: dayShift(e.start, -30), to: dayShift(e.end, 30), event: e.start });
}

export async function show(main) {
  const p = routeParams();
  render(
    main,
    html`
  <h1>Vessel</h1>
  <p class="lede">What a ship did, from its AIS: identities broadcast, list entries matched, and its track with port calls, encounters and dark periods on a map drawn offline.</p>
  <form id="vessel-form" class="card inline" aria-label="Vessel">
    <div><label for="vessel-key">IMO number or MMSI</label><input id="vessel-key" name="key" required placeholder="9080649" value="${p.key}" autocomplete="off" spellcheck="false"></div>
    <div><label for="vessel-from">From <span class="muted">(YYYY-MM-DD)</span></label>${dateInput("vessel-from", p.from, { name: "from" })}</div>
    <div><label for="vessel-to">To</label>${dateInput("vessel-to", p.to, { name: "to" })}</div>
    <button class="primary" type="submit">Show</button>
  </form>
  <div id="vessel-body" aria-live="polite">${!p.key && html`<p class="empty card">Enter an IMO number (7 digits) or an MMSI (9 digits), or follow a vessel link from a transaction's findings or matches.</p>`}</div>`,
  );
  $("#vessel-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    try {
      const key = $("#vessel-key").value.trim();
      const from = readDate($("#vessel-from"), "From", { optional: true });
      const to = readDate($("#vessel-to"), "To", { optional: true });
      location.hash = vesselHref(key, { from, to });
    } catch (e) {
      render($("#vessel-body"), errorBox(e));
    }
  });
  if (!p.key) {
    $("#vessel-key").focus();
    return;
  }
  await load(p);
}

async function load(p) {
  const out = $("#vessel-body");
  render(out, html`<p class="empty card">Loading…</p>`);
  const period = new URLSearchParams();
  if (p.from) period.set("from", p.from);
  if (p.to) period.set("to", p.to);
  const key = encodeURIComponent(p.key);
  let profile;
  try {
    profile = await api(`/vessels/${key}`);
  } catch (e) {
    render(out, errorBox(e));
    return;
  }
  let map = null;
  let mapError = null;
  if (profile.ais) {
    try {
      map = await api(`/vessels/${key}/map?${period}`);
    } catch (e) {
      mapError = e;
    }
  }
  render(
    out,
    html`
    <section class="card" id="vessel-profile">${profileView(profile)}</section>
    ${
      map
        ? html`<section class="card" id="vessel-map-card" aria-labelledby="vessel-map-title">
        <div class="toolbar"><h2 id="vessel-map-title">Track ${p.from || p.to ? html`<span class="muted">${p.from || "…"} – ${p.to || "…"}</span>` : ""}</h2>
          <div class="map-tools"><button type="button" id="map-zoom-in" aria-label="Zoom in">+</button><button type="button" id="map-zoom-out" aria-label="Zoom out">−</button><button type="button" id="map-reset">Fit</button></div></div>
        <div id="vessel-map" class="map" tabindex="0" aria-label="Map of the vessel's track: drag or use the arrow keys to pan, the wheel or + and − to zoom">${mapSvg(map)}</div>
        <p class="meta">${map.tracks.reduce((n, t) => n + t.points.length, 0)} positions · ${map.events.length} events · ${map.ports.length} ports in view · coastline: Natural Earth 1:50m (public domain; generalised, the coast can be off by a few km) · equirectangular, scaled at the map's mid-latitude</p>
        </section>
        <section class="card" aria-labelledby="vessel-events-title"><h2 id="vessel-events-title">Events</h2>${eventsTable(map.events, p.event)}</section>`
        : mapError
          ? errorBox(mapError)
          : html`<p class="muted card">No AIS track for this vessel: only the list entries above are known.</p>`
    }`,
  );
  if (map) wireMap(map, p.event);
}

function profileView(v) {
  const ais = v.ais;
  const identities = (v.history && v.history.identities) || [];
  const mmsis = ais
    ? ais.mmsis.map(
        (m) => html`<span class="mono">${m.mmsi}</span> ${m.flag ? badge(m.flag, m.dprk ? "b-red" : "b-grey") : badge("no flag", "b-grey")}${m.dprk && html` <strong>DPRK flag (MID 445)</strong>`} `,
      )
    : "";
  return html`
    <h2 id="vessel-label">${v.label}</h2>
    ${
      ais
        ? html`<dl class="kv"><dt>AIS</dt><dd>${fmtNum(ais.positions)} positions, ${ais.first_seen} – ${ais.last_seen}, ${ais.events} events</dd><dt>MMSIs</dt><dd>${mmsis}</dd></dl>`
        : html`<p class="muted">No AIS track.</p>`
    }
    ${
      identities.length > 0 &&
      html`<h3>Identities broadcast</h3><table id="vessel-identities"><thead><tr><th>From</th><th>To</th><th>MMSI</th><th>IMO</th><th>Name</th><th>Call sign</th><th>Flag (MID)</th></tr></thead><tbody>${identities.map(
        (i) => html`<tr><td class="mono">${i.from}</td><td class="mono">${i.to}</td><td class="mono">${i.mmsi}</td><td class="mono">${i.imo ?? ""}</td><td>${i.name ?? ""}</td><td class="mono">${i.call_sign ?? ""}</td><td>${i.flag ? i.flag.country || i.flag.allocated_to : ""}</td></tr>`,
      )}</tbody></table>`
    }
    <h3>List entries <span class="muted">(as of ${v.as_of})</span></h3>
    ${
      v.list_matches.length
        ? html`<table id="vessel-list-matches"><thead><tr><th>Entry</th><th>Matched by</th><th>IMO / MMSI / flag on the list</th></tr></thead><tbody>${v.list_matches.map(
            (m) => html`<tr class="list-match" data-ref="${m.ref}"><td><strong>${m.caption}</strong> <span class="mono">${m.ref}</span><div class="hint">${m.source} · ${m.programs.join(", ")}${m.listed_on && ` · listed ${m.listed_on}`}</div></td>
            <td>${m.by} <span class="mono">${m.value}</span>${m.by === "name" && html`<div class="hint">score ${m.score.toFixed(2)}</div>`}</td><td class="mono">${[m.imo.join(", "), m.mmsi.join(", "), m.flag.join(", ")].filter(Boolean).join(" · ")}</td></tr>`,
          )}</tbody></table>`
        : html`<p class="muted">No list entry matches its IMO number, MMSIs or names.</p>`
    }`;
}

// ---------------------------------------------------------------- the map

/** Projection: x = lon · cos(mid-latitude), y = −lat (degrees), so the map keeps its shape. */
function projection(bounds) {
  const k = Math.cos((((bounds.north + bounds.south) / 2) * Math.PI) / 180);
  return { k, x: (lon) => lon * k, y: (lat) => -lat };
}

function points(list, pr) {
  return list.map(([lat, lon]) => `${pr.x(lon).toFixed(5)},${pr.y(lat).toFixed(5)}`).join(" ");
}

const EVENT_SHAPES = {
  port_visit: "square",
  encounter: "diamond",
  loitering: "ring",
  gap: "ring",
};

function eventTitle(e) {
  const who = e.other ? ` with ${e.other.name || "MMSI " + e.other.mmsi}${e.other.dprk_flag ? " (DPRK flag)" : ""}` : "";
  const port = e.port ? ` at ${e.port.name}${e.port.dprk ? " (DPRK)" : ""}` : "";
  return `${words(e.kind)}${port}${who}: ${e.start} – ${e.end}`;
}

function mapSvg(map) {
  const pr = projection(map.bounds);
  const coast = map.coastline.map((line) => html`<polyline class="coast" vector-effect="non-scaling-stroke" points="${points(line, pr)}"/>`);
  const tracks = map.tracks.map(
    (t) => html`<polyline class="track" data-track="${t.track}" vector-effect="non-scaling-stroke" points="${points(
      t.points.map((p) => [p[1], p[2]]),
      pr,
    )}"><title>track ${t.track}, MMSI ${t.mmsi}, ${t.points.length} positions</title></polyline>`,
  );
  const ports = map.ports.map(
    (p) => html`<g class="port${p.dprk ? " dprk" : ""}" data-port="${p.name}"><circle class="marker" data-r="3" vector-effect="non-scaling-stroke" cx="${pr.x(p.position.lon)}" cy="${pr.y(p.position.lat)}" r="0.01"><title>${p.name} (${p.country}${p.unlocode && `, ${p.unlocode}`}), WPI ${p.wpi}</title></circle>${
      p.dprk && html`<text class="port-label" data-size="12" x="${pr.x(p.position.lon)}" y="${pr.y(p.position.lat)}">${p.name}</text>`
    }</g>`,
  );
  const events = map.events.map((e, i) => {
    if (!e.position) return "";
    const x = pr.x(e.position.lon);
    const y = pr.y(e.position.lat);
    const gapLine =
      e.kind === "gap" && e.end_position
        ? html`<line class="gap-line" vector-effect="non-scaling-stroke" x1="${x}" y1="${y}" x2="${pr.x(e.end_position.lon)}" y2="${pr.y(e.end_position.lat)}"/>`
        : "";
    return html`<g class="event ev-${e.kind}" data-kind="${e.kind}" data-index="${i}" data-start="${e.start}">${gapLine}<path class="marker shape-${EVENT_SHAPES[e.kind] || "dot"}" data-r="6" data-x="${x}" data-y="${y}" vector-effect="non-scaling-stroke" d=""><title>${eventTitle(e)}</title></path></g>`;
  });
  return html`<svg id="vessel-svg" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="vessel-map-title" preserveAspectRatio="xMidYMid meet">
    <g class="coastline">${coast}</g><g class="ports">${ports}</g><g class="tracks">${tracks}</g><g class="events">${events}</g></svg>`;
}

/** A marker's outline of half-size `r` (map units) centred on (x, y). */
function shape(kind, x, y, r) {
  switch (kind) {
    case "square":
      return `M${x - r},${y - r}h${2 * r}v${2 * r}h${-2 * r}z`;
    case "diamond":
      return `M${x},${y - r * 1.3}l${r * 1.3},${r * 1.3}l${-r * 1.3},${r * 1.3}l${-r * 1.3},${-r * 1.3}z`;
    case "ring":
    default:
      return `M${x - r},${y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0z`;
  }
}

function wireMap(map, focusEvent) {
  const svg = $("#vessel-svg");
  const box = $("#vessel-map");
  const pr = projection(map.bounds);
  const full = {
    x: pr.x(map.bounds.west),
    y: pr.y(map.bounds.north),
    w: pr.x(map.bounds.east) - pr.x(map.bounds.west),
    h: map.bounds.north - map.bounds.south,
  };
  let view = { ...full };

  // Markers and labels keep their size on screen: their map size follows the zoom.
  const redraw = () => {
    svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
    const rect = svg.getBoundingClientRect();
    const unitsPerPixel = Math.max(view.w / Math.max(rect.width, 1), view.h / Math.max(rect.height, 1));
    for (const c of $$("circle.marker", svg)) c.setAttribute("r", String(Number(c.dataset.r) * unitsPerPixel));
    for (const m of $$("path.marker", svg)) {
      const kind = [...m.classList].find((c) => c.startsWith("shape-")).slice(6);
      m.setAttribute("d", shape(kind, Number(m.dataset.x), Number(m.dataset.y), Number(m.dataset.r) * unitsPerPixel));
    }
    for (const t of $$("text.port-label", svg)) {
      t.setAttribute("font-size", String(Number(t.dataset.size) * unitsPerPixel));
      // The halo is in map units (text takes no non-scaling stroke).
      t.setAttribute("stroke-width", String(3 * unitsPerPixel));
      t.setAttribute("dx", String(5 * unitsPerPixel));
    }
  };
  const zoom = (factor, cx = view.x + view.w / 2, cy = view.y + view.h / 2) => {
    const w = Math.min(Math.max(view.w * factor, full.w / 2000), 400);
    const h = (view.h * w) / view.w;
    view = { x: cx - ((cx - view.x) * w) / view.w, y: cy - ((cy - view.y) * h) / view.h, w, h };
    redraw();
  };
  const panBy = (dxPixels, dyPixels) => {
    const rect = svg.getBoundingClientRect();
    const s = Math.max(view.w / Math.max(rect.width, 1), view.h / Math.max(rect.height, 1));
    view = { ...view, x: view.x - dxPixels * s, y: view.y - dyPixels * s };
    redraw();
  };
  const focus = (e) => {
    if (!e.position) return;
    const r = 0.15;
    const x = pr.x(e.position.lon);
    const y = pr.y(e.position.lat);
    view = { x: x - r * 1.6, y: y - r, w: r * 3.2, h: r * 2 };
    redraw();
    for (const g of $$("g.event", svg)) g.classList.toggle("selected", g.dataset.start === e.start && g.dataset.kind === e.kind);
    for (const row of $$("tr.event-row")) row.classList.toggle("selected", row.dataset.start === e.start && row.dataset.kind === e.kind);
  };

  svg.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      const rect = svg.getBoundingClientRect();
      const cx = view.x + ((ev.clientX - rect.left) / rect.width) * view.w;
      const cy = view.y + ((ev.clientY - rect.top) / rect.height) * view.h;
      zoom(ev.deltaY > 0 ? 1.25 : 0.8, cx, cy);
    },
    { passive: false },
  );
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => {
    drag = { x: ev.clientX, y: ev.clientY };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    panBy(ev.clientX - drag.x, ev.clientY - drag.y);
    drag = { x: ev.clientX, y: ev.clientY };
  });
  svg.addEventListener("pointerup", () => {
    drag = null;
  });
  box.addEventListener("keydown", (ev) => {
    const step = 40;
    const keys = {
      ArrowLeft: () => panBy(step, 0),
      ArrowRight: () => panBy(-step, 0),
      ArrowUp: () => panBy(0, step),
      ArrowDown: () => panBy(0, -step),
      "+": () => zoom(0.8),
      "=": () => zoom(0.8),
      "-": () => zoom(1.25),
    };
    if (keys[ev.key]) {
      keys[ev.key]();
      ev.preventDefault();
      ev.stopPropagation();
    }
  });
  $("#map-zoom-in").addEventListener("click", () => zoom(0.8));
  $("#map-zoom-out").addEventListener("click", () => zoom(1.25));
  $("#map-reset").addEventListener("click", () => {
    view = { ...full };
    redraw();
  });
  for (const row of $$("tr.event-row")) {
    activate(row, () => focus(map.events[Number(row.dataset.index)]));
  }
  redraw();
  const target = focusEvent && map.events.find((e) => e.start === focusEvent);
  if (target) focus(target);
}

function eventWhat(e) {
  const d = e.details || {};
  switch (e.kind) {
    case "port_visit":
      return html`${e.port ? e.port.name : ""} ${e.port && e.port.dprk ? badge("DPRK port", "b-red") : ""}<div class="hint">${e.port && e.port.unlocode} · ${d.stopped ? "stopped" : "silent in port"}${d.exited === false ? " · still in port at the end of the track" : ""}</div>`;
    case "encounter":
      return html`with ${e.other ? e.other.name || "MMSI " + e.other.mmsi : "?"} ${e.other && e.other.dprk_flag ? badge("DPRK flag", "b-red") : ""}<div class="hint">median ${fmtNum(d.median_distance_m)} m apart</div>`;
    case "gap":
      return html`${fmtNum(d.hours)} h silent · ${words(d.class)}`;
    case "loitering":
      return html`${fmtNum(d.hours)} h at ${fmtNum(d.mean_speed_knots)} kn`;
    case "identity_change":
      return html`${d.field}: ${d.old ?? ""} → ${d.new ?? ""}`;
    case "list_mismatch":
      return html`${d.list_reference}: listed ${d.field} ${d.listed}, broadcast ${d.broadcast}`;
    default:
      return "";
  }
}

function eventsTable(events, focusEvent) {
  if (!events.length) return html`<p class="muted">No events in this period.</p>`;
  return html`<table id="vessel-events"><thead><tr><th>Event</th><th>Start</th><th>End</th><th>Where</th><th>What</th></tr></thead><tbody>${events.map(
    (e, i) => html`<tr class="clickable event-row${e.start === focusEvent ? " selected" : ""}" tabindex="0" data-index="${i}" data-kind="${e.kind}" data-start="${e.start}">
      <td>${badge(words(e.kind), e.kind === "port_visit" && e.port && e.port.dprk ? "b-red" : "b-grey")}</td><td class="mono">${e.start}</td><td class="mono">${e.end}</td>
      <td class="mono">${e.position ? `${e.position.lat.toFixed(4)}, ${e.position.lon.toFixed(4)}` : ""}</td><td>${eventWhat(e)}</td></tr>`,
  )}</tbody></table>`;
}
