// The HTTP API client: every call the UI makes goes through `api`, with the
// key the user signed in with, exactly as any other client would call it.

import { html } from "./html.js";

const KEY_STORAGE = "resolute-key";

export const session = {
  key: sessionStorage.getItem(KEY_STORAGE) || "",
  role: "",
  keyId: "",
};

export function rememberKey(key) {
  session.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetKey() {
  session.key = "";
  sessionStorage.removeItem(KEY_STORAGE);
}

let unauthorized = () => {};
/** What to do when the server refuses the key (main.js shows the login form). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/**
 * An error answer. For 5xx answers `message` is never the server's text (it
 * may hold database or file-system detail meant for the operator's log); the
 * `reference` (when the server gives one) ties the plain sentence to that log.
 */
export class ApiError extends Error {
  constructor(status, code, message, reference) {
    super(message);
    this.status = status;
    this.code = code;
    this.reference = reference || "";
  }
}

/** The plain sentence for a server-side failure (5xx). */
function serverFailure(status, reference) {
  const what =
    status === 503
      ? "The server cannot answer this right now (it is not ready or a resource it needs is missing)"
      : "Something went wrong on the server";
  return reference ? `${what}; reference ${reference}.` : `${what} (HTTP ${status}); the details are in the server's log.`;
}

export async function api(path, { method = "GET", body, raw, contentType } = {}) {
  const headers = { Authorization: "Bearer " + session.key };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers["Content-Type"] = contentType || "application/octet-stream";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, "network", "Cannot reach the server: check that it is running and try again.");
  }
  const text = await resp.text();
  let data;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const err = (data && typeof data.error === "object" && data.error) || {};
    if (resp.status >= 500) {
      throw new ApiError(resp.status, err.code || "http_" + resp.status, serverFailure(resp.status, err.reference), err.reference);
    }
    const message = err.message || (data && data.detail) || resp.statusText || "request refused";
    if (resp.status === 401) unauthorized("Your key was not accepted: " + message);
    throw new ApiError(resp.status, err.code || "http_" + resp.status, message);
  }
  return data ?? {};
}

/** An error as an alert box (any thrown value, an ApiError or `{message}`). */
export function errorBox(e) {
  const message = (e && e.message) || String(e);
  const showCode = e && e.code && e.status >= 400 && e.status < 500;
  return html`<p class="error" role="alert">${message}${showCode && html` <span class="mono">(${e.code})</span>`}</p>`;
}

let measures = null;
/**
 * Every measure of the regime by id (from `/regime/timeline`), fetched once:
 * transaction findings name their measure, and the UI shows its verification.
 */
export function measureIndex() {
  if (!measures) {
    measures = api("/regime/timeline")
      .then((t) => new Map((t.measures || []).map((m) => [m.id, m])))
      .catch((e) => {
        measures = null;
        throw e;
      });
  }
  return measures;
}

/** `a=1&b=2` from an object, skipping empty values. */
export function query(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
}
