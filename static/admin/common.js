/* What every admin page shares: the JSON API, uploads with progress, error and problem
 * display, small DOM helpers, numbers and dates, sign-out. The session cookie is the
 * credential; a page never redirects on its own when the session ends (that would lose a
 * half-filled form or passwords shown once): it says so and links to the sign-in page. */

export const $ = (id) => document.getElementById(id);
export const t = (key, params) => window.I18n.t(key, params);

/** True when `key` has a translation (I18n.t answers a missing key with the key itself). */
export function hasText(key) {
  return t(key) !== key;
}

/** Re-run `fn` whenever the language switches (for text that data-i18n cannot reach). */
export function onLang(fn) {
  document.addEventListener("langchange", () => fn());
}

/** document.createElement with attributes, classes and children in one call. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "i18n") {
      node.dataset.i18n = value;
      node.textContent = t(value);
    } else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name in node && typeof value !== "string") node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Call /api/v1`path` with JSON; never throws: {ok, status, data}. */
export async function api(path, { method = "GET", body } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api/v1${path}`, init);
  } catch (_e) {
    return { ok: false, status: 0, data: { error: "network" } };
  }
  return { ok: res.ok, status: res.status, data: await readJson(res.status, () => res.text()) };
}

async function readJson(status, getText) {
  let text = "";
  try {
    text = await getText();
    const data = JSON.parse(text);
    return data && typeof data === "object" ? data : {};
  } catch (_e) {
    // Not JSON: an HTML error page from a proxy, or a server failure. Keep a hint of it.
    return status >= 200 && status < 300 ? {} : { error: "not_json", message: text.slice(0, 200) };
  }
}

/**
 * POST a FormData to /api/v1`path` with XMLHttpRequest, so that the upload reports progress:
 * onProgress({phase: "upload", percent}) while bytes go out, then {phase: "processing"}.
 */
export function upload(path, form, onProgress = () => {}) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1${path}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.withCredentials = true;
    xhr.upload.addEventListener("progress", (ev) => {
      if (ev.lengthComputable) {
        onProgress({ phase: "upload", percent: Math.round((ev.loaded / ev.total) * 100) });
      }
    });
    xhr.upload.addEventListener("load", () => onProgress({ phase: "processing" }));
    xhr.addEventListener("load", async () => {
      const data = await readJson(xhr.status, async () => xhr.responseText);
      resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data });
    });
    xhr.addEventListener("error", () => resolve({ ok: false, status: 0, data: { error: "network" } }));
    xhr.addEventListener("abort", () => resolve({ ok: false, status: 0, data: { error: "aborted" } }));
    onProgress({ phase: "upload", percent: 0 });
    xhr.send(form);
  });
}

/* ---- errors ------------------------------------------------------------------------- */

/** A sentence in the page's language for a refusal {error, message}. */
export function errorText(data, status) {
  const code = (data && data.error) || "";
  if (code === "network" || status === 0) return t("a.err.network");
  if (code && hasText(`a.err.${code}`)) return t(`a.err.${code}`);
  if (status === 401) return t("a.err.unauthorized");
  if (status >= 500) return t("a.err.server", { status });
  return t("a.err.unknown", { status });
}

export function isAuthError(data, status) {
  return status === 401 || ["unauthorized", "token_revoked"].includes(data && data.error);
}

function loginLink() {
  const next = window.location.pathname + window.location.search;
  return el("a", { href: `/proctor/login?${new URLSearchParams({ next })}`, target: "_blank",
    rel: "noopener", i18n: "a.err.login_again" });
}

/** Field labels for the problems table: "sections[1].draw[0].count" -> a readable place. */
let fieldLabeller = null;
export function setFieldLabeller(fn) {
  fieldLabeller = fn;
}

/** A table of problems [{line, field, message}]: one row each, nothing summarised away. */
export function problemsTable(problems, { caption } = {}) {
  const withLine = problems.some((p) => p.line !== null && p.line !== undefined);
  const head = el("tr", {},
    withLine ? el("th", { scope: "col", class: "num", i18n: "a.problems.line" }) : null,
    el("th", { scope: "col", i18n: "a.problems.field" }),
    el("th", { scope: "col", i18n: "a.problems.message" }));
  const rows = problems.map((p) => {
    const label = fieldLabeller ? fieldLabeller(p.field) : null;
    return el("tr", {},
      withLine ? el("td", { class: "num line-no", text: p.line ?? "—" }) : null,
      el("td", { class: "field-cell" },
        label ? el("span", { class: "field-label", text: label }) : null,
        p.field ? el("code", { text: p.field }) : "—"),
      el("td", { class: "problem-msg", text: p.message || "" }));
  });
  return el("div", { class: "table-wrap problems-wrap" },
    el("table", { class: "data problems" },
      caption ? el("caption", { text: caption }) : null,
      el("thead", {}, head), el("tbody", {}, rows)));
}

/**
 * Fill `box` (a .notice-error element) with the refusal: a sentence in the page's language,
 * the server's own message, every problem in a table, and a sign-in link for a lost session.
 */
const shownErrors = new Map();

export function showError(box, data, status, options = {}) {
  shownErrors.set(box, [data, status, options]);
  renderError(box, data, status, options);
}

function renderError(box, data, status, { heading } = {}) {
  box.replaceChildren();
  box.hidden = false;
  box.classList.add("notice", "notice-error", "error-box");
  box.setAttribute("role", "alert");
  const body = el("div", { class: "error-body" });
  body.append(el("p", { class: "error-title" },
    el("strong", { text: heading ? t(heading) : errorText(data, status) })));
  if (heading) body.append(el("p", { text: errorText(data, status) }));
  if (data && data.message && data.error !== "network") {
    body.append(el("p", { class: "server-message" },
      el("span", { i18n: "a.err.server_said" }), " ", el("q", { text: data.message })));
  }
  if (data && Array.isArray(data.participant_nos) && data.participant_nos.length) {
    body.append(el("p", {}, t("a.err.already", { list: data.participant_nos.join(", ") })));
  }
  if (data && Array.isArray(data.problems) && data.problems.length) {
    body.append(el("p", { class: "problem-count",
      text: t("a.problems.count", { n: data.problems.length }) }));
    body.append(problemsTable(data.problems));
  }
  if (isAuthError(data, status)) body.append(el("p", {}, loginLink()));
  box.append(el("span", { class: "notice-icon", "aria-hidden": "true", text: "!" }), body);
}

onLang(() => shownErrors.forEach((args, box) => {
  if (!box.hidden) renderError(box, ...args);
}));

export function hideBox(box) {
  shownErrors.delete(box);
  box.hidden = true;
  box.replaceChildren();
}

/** A .notice-ok / .notice-warn message with an icon. */
export function notice(kind, ...children) {
  const icon = { ok: "✓", warn: "!", error: "!", info: "i" }[kind] || "i";
  return el("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
    el("span", { class: "notice-icon", "aria-hidden": "true", text: icon }),
    el("div", { class: "notice-body" }, ...children));
}

/* ---- formats ------------------------------------------------------------------------ */

export function fmtNumber(n) {
  return typeof n === "number" ? n.toLocaleString(window.I18n.locale()) : String(n ?? "—");
}

export function fmtDateTime(ms) {
  if (!ms) return "—";
  const d = new Date(ms);
  return `${d.toLocaleDateString(window.I18n.locale(), {
    day: "2-digit", month: "short", year: "numeric",
  })} ${d.toLocaleTimeString(window.I18n.locale(), { hour12: false, hour: "2-digit",
    minute: "2-digit" })}`;
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A status badge: draft / open / closed. */
export function statusBadge(status) {
  return el("span", { class: `badge status-${status}`, dataset: { status },
    text: hasText(`a.status.${status}`) ? t(`a.status.${status}`) : status });
}

export function typeName(type) {
  return hasText(`a.type.${type}`) ? t(`a.type.${type}`) : type;
}

export const enc = encodeURIComponent;

/** Keep the focus where a screen reader user expects it after content is replaced. */
export function focusHeading(node) {
  if (!node) return;
  if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
  node.focus();
}

/* ---- a progress line for uploads ------------------------------------------------------ */

export class Progress {
  constructor(box) {
    this.box = box;
    this.bar = box.querySelector("progress");
    this.text = box.querySelector(".progress-text");
  }

  update({ phase, percent }) {
    this.box.hidden = false;
    if (phase === "upload") {
      this.bar.max = 100;
      this.bar.value = percent;
      this.text.textContent = t("a.progress.upload", { percent });
    } else {
      this.bar.removeAttribute("value"); // indeterminate while the server reads the file
      this.text.textContent = t("a.progress.processing");
    }
  }

  hide() {
    this.box.hidden = true;
  }
}

/* ---- file inputs: a button and the chosen name in the page's language; drop to choose ---- */

function enhanceFileInput(input) {
  const name = el("span", { class: "file-name" });
  const button = el("span", { class: "btn btn-sm file-button", "aria-hidden": "true" });
  const render = () => {
    button.textContent = t("a.file.choose");
    const f = input.files && input.files[0];
    name.textContent = f ? `${f.name} · ${fmtBytes(f.size)}` : t("a.file.none");
    name.classList.toggle("is-empty", !f);
  };
  const box = el("label", { class: "file-pick" });
  input.classList.add("file-native");
  input.replaceWith(box);
  box.append(input, button, name, el("span", { class: "file-drop-hint", i18n: "a.file.drop" }));
  input.addEventListener("change", render);
  if (input.form) input.form.addEventListener("reset", () => setTimeout(render));
  box.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    box.classList.add("is-over");
  });
  box.addEventListener("dragleave", () => box.classList.remove("is-over"));
  box.addEventListener("drop", (ev) => {
    ev.preventDefault();
    box.classList.remove("is-over");
    if (!ev.dataTransfer || !ev.dataTransfer.files.length || input.disabled) return;
    input.files = ev.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  onLang(render);
  render();
}

document.querySelectorAll("input[type=file].input-file").forEach(enhanceFileInput);

/* ---- sign-out --------------------------------------------------------------------------- */

const logout = $("btn-logout");
if (logout) {
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    await api("/logout", { method: "POST" });
    window.location.assign("/proctor/login?why=signed_out");
  });
}
