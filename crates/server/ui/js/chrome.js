// The parts of the page around the current page: the open-case count in the
// navigation and the list versions in the footer.

import { api } from "./api.js";
import { $ } from "./dom.js";

export async function refreshChrome() {
  try {
    const [ready, cases] = await Promise.all([fetch("/readyz").then((r) => r.json()), api("/cases?status=open&limit=1000")]);
    $("#versions").textContent = "Lists: " + (ready.lists || []).map((l) => l.id).join(" · ") + (ready.regime ? " · " + ready.regime : "");
    const open = (cases.cases || []).length;
    const count = $("#case-count");
    count.hidden = open === 0;
    count.textContent = String(open);
  } catch {
    // Each page shows its own errors; the chrome just stays as it was.
  }
}
