// Markup from templates that escape by default.
//
//   html`<td>${name}</td>`   escapes `name` (&, <, >, ", ' become entities)
//   html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`   nests without double escaping
//   raw(trusted)             passes trusted markup through unchanged (use sparingly)
//
// null, undefined and false render as nothing, so `${cond && html`…`}` works.
// `render(element, markup)` and `append` are the only writers of HTML in the UI,
// and they take markup built here only: a plain string is refused, not trusted.

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for an HTML text node or a quoted attribute value. */
export function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Markup that is already safe; only `html` and `raw` make one. */
export class Markup {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

/** Trusted markup, inserted as is. */
export function raw(text) {
  return new Markup(String(text ?? ""));
}

function part(value) {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(part).join("");
  return escape(value);
}

/** The tagged template: every interpolation is escaped unless it is Markup. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Markup(out);
}

/** Replace the content of `element` with `markup` (built by `html`). */
export function render(element, markup) {
  if (!(markup instanceof Markup)) throw new TypeError("render() takes markup built with html`…`");
  element.innerHTML = markup.text;
  return element;
}

/** Append `markup` at the end of `element`. */
export function append(element, markup) {
  if (!(markup instanceof Markup)) throw new TypeError("append() takes markup built with html`…`");
  element.insertAdjacentHTML("beforeend", markup.text);
  return element;
}
