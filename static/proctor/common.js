/* What every staff page shares: the JSON API, error texts, times, the exam picker, sign-out. */

export const $ = (id) => document.getElementById(id);
export const t = (key, params) => window.I18n.t(key, params);

/** True when `key` has a translation (I18n.t answers a missing key with the key itself). */
export function hasText(key) {
  return t(key) !== key;
}

/** Call /api/v1`path`; the session cookie is the credential. Never throws. */
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
  let data = {};
  try {
    data = (await res.json()) || {};
  } catch (_e) {
    data = {};
  }
  return { ok: res.ok, status: res.status, data };
}

/** A sentence for a refusal {error, message} (HTTP answer or socket ack) in the page's language. */
export function errorText(data, status) {
  const code = (data && data.error) || "";
  if (code === "network" || status === 0) return t("p.err.network");
  if (code && hasText(`p.err.${code}`)) return t(`p.err.${code}`);
  if (status >= 500) return t("p.err.server", { status });
  const message = (data && (data.message || data.error)) || `HTTP ${status}`;
  return t("p.err.unknown", { message });
}

/** Codes that mean "sign in again". */
export function isAuthError(data, status) {
  const code = (data && data.error) || "";
  return status === 401 || ["unauthorized", "bad_token", "token_revoked", "no_token"].includes(code);
}

let signingOut = false; // a sign-out in progress: the socket's drop is expected, not "expired"

export function toLogin(reason) {
  if (signingOut) return;
  const next = window.location.pathname + window.location.search;
  const q = new URLSearchParams({ next });
  if (reason) q.set("why", reason);
  window.location.assign(`/proctor/login?${q}`);
}

const pad = (n) => String(n).padStart(2, "0");

/** 5025000 ms -> "01:23:45"; negative counts as zero. */
export function fmtClock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

export function fmtTime(ms) {
  return new Date(ms).toLocaleTimeString(window.I18n.locale(), { hour12: false });
}

export function fmtDateTime(ms) {
  const d = new Date(ms);
  return `${d.toLocaleDateString(window.I18n.locale(), {
    day: "2-digit", month: "short", year: "numeric",
  })} ${d.toLocaleTimeString(window.I18n.locale(), { hour12: false })}`;
}

export function fmtNumber(n) {
  return typeof n === "number" ? n.toLocaleString(window.I18n.locale()) : String(n);
}

/** Re-run `fn` whenever the language switches (it builds text that data-i18n cannot reach). */
export function onLang(fn) {
  document.addEventListener("langchange", () => fn());
}

/* ---- the exam picker: ?exam= first, then the last one watched, then the first open one -- */

const EXAM_KEY = "proctor.exam";

export class ExamPicker {
  constructor(select, onPick) {
    this.select = select;
    this.onPick = onPick;
    this.exams = [];
    select.addEventListener("change", () => this.pick(select.value));
    onLang(() => this.render());
  }

  async load() {
    const res = await api("/exams");
    if (!res.ok) return res;
    this.exams = res.data.exams || [];
    const fromUrl = new URLSearchParams(window.location.search).get("exam");
    let remembered = null;
    try {
      remembered = window.localStorage.getItem(EXAM_KEY);
    } catch (_e) {
      /* storage may be off */
    }
    const known = (code) => code && this.exams.some((e) => e.exam === code);
    const first = this.exams.find((e) => e.status === "open") || this.exams[0];
    this.current = known(fromUrl) ? fromUrl : known(remembered) ? remembered
      : first ? first.exam : null;
    this.render();
    if (this.current) this.pick(this.current);
    return res;
  }

  get exam() {
    return this.exams.find((e) => e.exam === this.current) || null;
  }

  setStatus(code, status) {
    const e = this.exams.find((x) => x.exam === code);
    if (e) e.status = status;
    this.render();
  }

  render() {
    const sel = this.select;
    sel.replaceChildren(...this.exams.map((e) => {
      const opt = document.createElement("option");
      opt.value = e.exam;
      opt.textContent = t("p.exam.option", {
        title: e.title || e.exam, code: e.exam, status: t(`p.exam.status.${e.status}`),
      });
      return opt;
    }));
    sel.disabled = this.exams.length === 0;
    if (this.current) sel.value = this.current;
  }

  pick(code) {
    this.current = code;
    try {
      window.localStorage.setItem(EXAM_KEY, code);
    } catch (_e) {
      /* storage may be off */
    }
    const url = new URL(window.location.href);
    url.searchParams.set("exam", code);
    window.history.replaceState(null, "", url);
    document.querySelectorAll("[data-nav]").forEach((a) => {
      const href = new URL(a.href, window.location.href);
      href.searchParams.set("exam", code);
      a.href = href.pathname + href.search;
    });
    this.onPick(code);
  }
}

/* ---- sign-out, on every staff page that has the button ---------------------------------- */

const logout = $("btn-logout");
if (logout) {
  logout.addEventListener("click", async () => {
    logout.disabled = true;
    signingOut = true;
    await api("/logout", { method: "POST" }); // an expired session is signed out already
    window.location.assign("/proctor/login?why=signed_out");
  });
}
