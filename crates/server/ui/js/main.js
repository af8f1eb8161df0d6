// Resolute web UI: ES modules, no build step. Every call goes through the same
// HTTP API as any client, with the API key the user signed in with.
// This entry module signs in, routes #/page to its module and binds the keys.

import { api, forgetKey, onUnauthorized, rememberKey, session } from "./api.js";
import { refreshChrome } from "./chrome.js";
import { normaliseDateTyping } from "./dates.js";
import { $, $$ } from "./dom.js";
import { html, render } from "./html.js";
import * as audit from "./pages/audit.js";
import * as cases from "./pages/cases.js";
import * as impact from "./pages/impact.js";
import * as lists from "./pages/lists.js";
import * as regime from "./pages/regime.js";
import * as screen from "./pages/screen.js";
import * as transaction from "./pages/transaction.js";

// In the order of the navigation and of the keys 1–7.
const PAGES = [
  ["screen", screen],
  ["transaction", transaction],
  ["regime", regime],
  ["lists", lists],
  ["cases", cases],
  ["audit", audit],
  ["impact", impact],
];
const pageByName = new Map(PAGES);

// ---------------------------------------------------------------- sign-in

function showLogin(message) {
  $("#login").hidden = false;
  const err = $("#login-error");
  err.hidden = !message;
  err.textContent = message || "";
  $("#login-key").focus();
}
onUnauthorized(showLogin);

async function login(key) {
  session.key = key.trim();
  const me = await api("/me");
  session.role = me.role;
  session.keyId = me.key_id;
  rememberKey(session.key);
  render($("#who"), html`key ${me.key_id} <span class="role">${me.role}</span>`);
  $("#logout").hidden = false;
  $("#login").hidden = true;
  refreshChrome();
}

$("#login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await login($("#login-key").value);
    route();
  } catch (e) {
    showLogin(e.status === 401 ? "Unknown or revoked key." : e.message);
  }
});

$("#logout").addEventListener("click", () => {
  forgetKey();
  location.hash = "#/screen";
  location.reload();
});

// ---------------------------------------------------------------- routing

function route() {
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1] || "screen";
  const page = pageByName.get(name) || screen;
  for (const a of $$("#nav a")) {
    const active = a.dataset.page === name;
    a.classList.toggle("active", active);
    if (active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!session.key) {
    showLogin();
    return;
  }
  page.show($("#main"));
}
window.addEventListener("hashchange", route);

// ---------------------------------------------------------------- keys

document.addEventListener("keydown", (ev) => {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key >= "1" && ev.key <= String(PAGES.length)) {
    location.hash = "#/" + PAGES[Number(ev.key) - 1][0];
    ev.preventDefault();
  }
  if (ev.key === "/") {
    const field = $("main input, main select, main textarea");
    if (field) {
      field.focus();
      ev.preventDefault();
    }
  }
});

normaliseDateTyping($("#main"));

// The skip link moves the focus to the page without touching the route (#/page).
$(".skip").addEventListener("click", (ev) => {
  ev.preventDefault();
  $("#main").focus();
});

// ---------------------------------------------------------------- start

(async () => {
  if (session.key) {
    try {
      await login(session.key);
    } catch {
      forgetKey();
    }
  }
  route();
})();
