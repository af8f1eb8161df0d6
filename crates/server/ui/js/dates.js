// Dates are ISO 8601 (YYYY-MM-DD) everywhere: what the user sees, types and
// what the API takes. A browser's <input type=date> shows the locale's format
// (08/05/2017 in en-US), so date fields are text fields with a pattern.

import { html } from "./html.js";

const ISO_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}";

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A date field: text, ISO pattern, placeholder YYYY-MM-DD. */
export function dateInput(id, value = "", { required = false, name = "" } = {}) {
  return html`<input id="${id}" ${name && html`name="${name}"`} class="date" type="text" inputmode="numeric"
    pattern="${ISO_PATTERN}" maxlength="10" placeholder="YYYY-MM-DD" title="a date as YYYY-MM-DD"
    autocomplete="off" spellcheck="false" value="${value}" ${required && html`required`}>`;
}

/** Typing 20170805 gives 2017-08-05 (applied to every date field on the page). */
export function normaliseDateTyping(root) {
  root.addEventListener("input", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLInputElement) || !el.classList.contains("date")) return;
    const digits = /^(\d{4})(\d{2})(\d{2})$/.exec(el.value.trim());
    if (digits) el.value = `${digits[1]}-${digits[2]}-${digits[3]}`;
    el.removeAttribute("aria-invalid");
  });
}

/**
 * The ISO date in `input`, checked. An empty optional field gives "";
 * anything else that is not a real YYYY-MM-DD date throws a message naming the field.
 */
export function readDate(input, label, { optional = false } = {}) {
  const value = input.value.trim();
  if (!value && optional) return "";
  if (isIsoDate(value)) {
    input.removeAttribute("aria-invalid");
    return value;
  }
  input.setAttribute("aria-invalid", "true");
  input.focus();
  throw new Error(
    value
      ? `${label}: “${value}” is not a date; write it as YYYY-MM-DD, e.g. 2017-08-05.`
      : `${label}: enter a date as YYYY-MM-DD, e.g. 2017-08-05.`,
  );
}
