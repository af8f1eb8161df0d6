// Shared renderings: badges, score bars, numbers, timestamps, verification.
// Everything returns markup from `html`, so values are escaped.
// No inline style attributes (the UI runs under a CSP without 'unsafe-inline'):
// bars are SVG rects sized by attribute, colours are classes or SVG fills.

import { html } from "./html.js";

export function badge(text, cls) {
  return html`<span class="badge ${cls}">${text}</span>`;
}

/** A 0–100 bar as an SVG (width by attribute, so CSP-safe). */
export function bar(percent, label) {
  const p = Math.max(0, Math.min(100, Number(percent) || 0));
  return html`<svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" ${
    label ? html`role="img" aria-label="${label}"` : html`aria-hidden="true"`
  }><rect class="track" width="100" height="6"/><rect class="fill" width="${p.toFixed(1)}" height="6"/></svg>`;
}

export function scoreCell(score, hit) {
  const s = Number(score) || 0;
  return html`<span class="score ${hit ? "hit" : ""}">${bar(s * 100)}<span class="mono">${s.toFixed(2)}</span></span>`;
}

/** 2024-05-03T10:11:12.345Z → 2024-05-03 10:11:12Z. */
export function fmtTs(ts) {
  return ts ? String(ts).replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
}

export function fmtNum(v) {
  return Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** US$ millions, one decimal: "US$ 799.1m". */
export function usd(v) {
  return "US$ " + (Number(v) / 1e6).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + "m";
}

export function pct(v) {
  return (Number(v) * 100).toFixed(1) + "%";
}

/** snake_case → words. */
export function words(v) {
  return String(v ?? "").replace(/_/g, " ");
}

// How a measure's paragraph was checked (the regime's `verification` kinds).
const VERIFICATION = {
  verbatim: ["verbatim text", "b-green", "checked against the verbatim text of the resolution"],
  council_citation: ["Council citation", "b-green", "checked against the Security Council's own citation of the paragraph"],
  implementing_act: ["implementing act", "b-amber", "taken from a national or regional implementing act, not the resolution text"],
  secondary: ["secondary source", "b-amber", "taken from a secondary source; not checked against the resolution text"],
};

/**
 * The verification of a finding or measure: its `verification` kind when the
 * data carries one (verbatim, council_citation, implementing_act, secondary),
 * else verified / unverified. `measure` (optional) is the measure the finding cites.
 */
export function verificationBadge(item, measure) {
  const field = item.verification ?? (measure && measure.verification);
  const kind = typeof field === "string" ? field : field && field.kind;
  if (kind && VERIFICATION[kind]) {
    const [label, cls, title] = VERIFICATION[kind];
    return html`<span class="badge ${cls} verification" data-verification="${kind}" title="${title}">${label}</span>`;
  }
  const verified = item.verified ?? (measure && measure.verified);
  const note = typeof field === "string" ? field : "";
  return verified
    ? html`<span class="badge b-green verification" data-verification="verified" title="${note}">verified</span>`
    : html`<span class="badge b-amber verification" data-verification="unverified" title="${note}">unverified</span>`;
}

// Colours for measure kinds, in order of first use (chart fills and swatches).
const PALETTE = ["#1d5a96", "#b42318", "#9a5b00", "#1a7f37", "#6941c6", "#c11574", "#0e7090", "#4e5ba6", "#b54708", "#475467", "#107569", "#854a0e", "#3e4784", "#a15c07"];
const kindColors = new Map();
export function kindColor(kind) {
  if (!kindColors.has(kind)) kindColors.set(kind, PALETTE[kindColors.size % PALETTE.length]);
  return kindColors.get(kind);
}
export function kindColorsInUse() {
  return Array.from(kindColors.entries());
}

/** A small colour square (SVG, so its colour is an attribute, not a style). */
export function swatch(color) {
  return html`<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="${color}"/></svg>`;
}
