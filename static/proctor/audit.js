/* The audit trail of one exam: every staff action with who, when and why; printable. */
import {
  $, api, errorText, ExamPicker, fmtDateTime, fmtNumber, hasText, isAuthError, onLang, t,
  toLogin,
} from "./common.js";

let actions = [];
let loadedAt = null;
let state = "loading"; // loading | ready | error
let failure = null;

const picker = new ExamPicker($("exam-select"), () => load());

// Detail fields that repeat a column (at, exam), are internal (attempt) or moved (why).
const UNSHOWN = new Set(["at", "attempt", "exam", "why", "reason", "minutes", "deadline",
  "candidates", "revisions", "text"]);

function describe(action) {
  const d = action.detail || {};
  const parts = [];
  if (typeof d.minutes === "number") parts.push(t("p.detail.minutes", { n: d.minutes }));
  if (typeof d.deadline === "number") {
    parts.push(t("p.detail.deadline", { time: fmtDateTime(d.deadline) }));
  }
  if (Array.isArray(d.candidates)) {
    parts.push(t("p.detail.count", { n: fmtNumber(d.candidates.length) }));
  }
  if (d.revisions && typeof d.revisions === "object") {
    const banks = Object.entries(d.revisions).map(([bank, rev]) => `${bank} r${rev}`);
    parts.push(t("p.detail.revisions", { banks: banks.join(", ") }));
  }
  if (typeof d.text === "string") parts.push(t("p.detail.text", { text: d.text }));
  for (const [key, value] of Object.entries(d)) {
    if (UNSHOWN.has(key) || value === null || value === undefined || value === "") continue;
    const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
    parts.push(`${key}: ${shown.length > 120 ? `${shown.slice(0, 119)}…` : shown}`);
  }
  return parts.join(" · ");
}

/** The proctor's reason; a forced finish keeps it as `why` (its `reason` is "proctor"). */
function reasonOf(action) {
  const d = action.detail || {};
  if (action.kind === "ended" && typeof d.why === "string") return d.why;
  return action.reason;
}

function kindLabel(kind) {
  return hasText(`p.kind.${kind}`) ? t(`p.kind.${kind}`) : kind;
}

function textOf(action) {
  return [action.by, action.candidate, reasonOf(action), kindLabel(action.kind), describe(action)]
    .join(" ").toLowerCase();
}

function cell(tag, cls, text) {
  const el = document.createElement(tag);
  el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render() {
  const exam = picker.exam;
  $("audit-sub").textContent = exam
    ? t("p.audit.sub", { title: exam.title || exam.exam, code: exam.exam }) : "";
  const q = $("a-filter").value.trim().toLowerCase();
  const shown = q ? actions.filter((a) => textOf(a).includes(q)) : actions;
  $("audit-body").replaceChildren(...shown.map((a) => {
    const tr = document.createElement("tr");
    const at = cell("td", "a-at");
    const time = document.createElement("time");
    time.dateTime = new Date(a.at).toISOString();
    time.textContent = fmtDateTime(a.at);
    at.append(time);
    const kind = cell("td", "a-kind");
    const badge = cell("span", "kind", kindLabel(a.kind));
    badge.dataset.kind = a.kind;
    kind.append(badge);
    const seq = cell("td", "a-seq num", String(a.seq));
    const everyone = !a.candidate && a.kind === "message";
    const candidate = cell("td", everyone ? "a-cand a-all" : "a-cand",
      a.candidate || (everyone ? t("p.audit.all") : "—"));
    tr.append(seq, at, cell("td", "a-by", a.by || "—"), kind,
      candidate, cell("td", "a-reason", reasonOf(a) || "—"),
      cell("td", "a-detail", describe(a)));
    return tr;
  }));
  const empty = $("audit-empty");
  if (state === "loading") {
    empty.hidden = false;
    empty.textContent = t("p.audit.loading");
  } else if (state === "error") {
    empty.hidden = true;
  } else {
    empty.hidden = shown.length > 0;
    empty.textContent = t(actions.length ? "p.audit.no_match" : "p.audit.none");
  }
  $("audit-count").textContent = state === "ready"
    ? t("p.audit.count", { shown: fmtNumber(shown.length), total: fmtNumber(actions.length) })
    : "";
  $("print-meta").textContent = exam && loadedAt ? t("p.audit.printed", {
    time: fmtDateTime(loadedAt), user: document.body.dataset.user || "",
    title: exam.title || exam.exam, code: exam.exam,
  }) : "";
  $("page-error").hidden = !failure;
  if (failure) $("page-error-text").textContent = failure();
}

async function load() {
  const code = picker.current;
  if (!code) return;
  state = "loading";
  render();
  const res = await api(`/exams/${encodeURIComponent(code)}/audit`);
  if (code !== picker.current) return;
  if (res.ok) {
    actions = res.data.actions || [];
    loadedAt = Date.now();
    state = "ready";
    failure = null;
  } else if (isAuthError(res.data, res.status)) {
    toLogin("expired");
    return;
  } else {
    actions = [];
    state = "error";
    failure = () => errorText(res.data, res.status);
  }
  render();
}

$("a-filter").addEventListener("input", render);
$("btn-refresh").addEventListener("click", load);
$("btn-print").addEventListener("click", () => window.print());
onLang(render);

picker.load().then((res) => {
  if (!res.ok) {
    if (isAuthError(res.data, res.status)) {
      toLogin("expired");
      return;
    }
    state = "error";
    failure = () => errorText(res.data, res.status);
  } else if (!picker.exams.length) {
    state = "ready";
    failure = () => t("p.exam.empty");
  }
  render();
});
