/* What the public pages share: words, the public JSON, formatting, building elements. */

export const t = (key, params) => window.I18n.t(key, params);
export const $ = (id) => document.getElementById(id);

export const exam = document.body.dataset.exam || "";

export function api(path) {
  return `/api/v1/public${path}`;
}

/**
 * GET a public JSON document: {ok, status, body}. A network failure gives status 0; an
 * error answer keeps the server's {"error", "message"} in body.
 */
export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  } catch (_e) {
    return { ok: false, status: 0, body: { error: "network" } };
  }
  let body = null;
  try {
    body = await response.json();
  } catch (_e) {
    body = { error: "not_json", message: response.statusText };
  }
  return { ok: response.ok, status: response.status, body: body || {} };
}

/** The words for a failed getJson(). */
export function failure(answer, examCode) {
  const code = answer.body && answer.body.error;
  if (answer.status === 0) return t("pub.err.network");
  if (code === "exam_not_found") return t("pub.err.exam_not_found", { exam: examCode });
  return t("pub.err.server", { status: answer.status, message: answer.body.message || code });
}

export function fmtTime(ms) {
  if (!Number.isFinite(ms)) return "–";
  return new Intl.DateTimeFormat(window.I18n.locale(), {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  }).format(new Date(ms));
}

/** A score as published: a number, or an exact "p/q" written as a decimal. */
export function fmtScore(value) {
  let v = value;
  if (typeof v === "string" && /^-?\d+\/\d+$/.test(v)) {
    const [p, q] = v.split("/").map(Number);
    v = p / q;
  }
  if (typeof v !== "number" || !Number.isFinite(v)) return String(v ?? "–");
  return new Intl.NumberFormat(window.I18n.locale(), { maximumFractionDigits: 2 }).format(v);
}

export function fmtInt(v) {
  return Number.isFinite(v) ? new Intl.NumberFormat(window.I18n.locale()).format(v) : "–";
}

/** First 16 and last 8 characters of a long code, for display. */
export function shorten(text, head = 16, tail = 8) {
  const s = String(text || "");
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}

/** Build an element: el("td", {className: "num", title: "x"}, "text", child, …). */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "className") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A hash or key in monospace, shortened, with the whole value in its title. */
export function hashCode(hex, head = 16, tail = 8) {
  return el("code", { className: "hash", title: hex, translate: "no" }, shorten(hex, head, tail));
}

/** A "Salin" button that copies `text` (clipboard where allowed, selection otherwise). */
export function copyButton(getText) {
  const btn = el("button", { type: "button", className: "btn btn-quiet btn-small copy-btn" },
    t("pub.copy"));
  btn.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(getText());
      btn.textContent = t("pub.copied");
      window.setTimeout(() => {
        btn.textContent = t("pub.copy");
      }, 1500);
    } catch (_e) {
      /* plain http LAN: no clipboard API; the text itself is selectable */
    }
  });
  return btn;
}

/** Re-run `render` whenever the language changes. */
export function onLanguage(render) {
  document.addEventListener("langchange", () => render());
}
