/* /admin/exams/<exam>: its definition, open/close with a reason, candidates (import, then the
 * passwords shown once with cards to print), results and the recent actions. */
import {
  $, api, el, enc, fmtDateTime, fmtNumber, focusHeading, hasText, hideBox, notice, onLang,
  Progress, showError, statusBadge, t, upload,
} from "./common.js";
import { csvLine, parseCandidates } from "./csv.js";
import { saveCards } from "./cards-store.js";

const EXAM = document.body.dataset.exam;
let exam = null; // GET /exams/<exam>
let parsedCsv = null; // the chosen candidate file, read here for names and a count
let creds = null; // [{participant_no, name, password}] of the last import, in memory only
let credsKept = false; // printed (cards page) or downloaded

/* ---- the exam ---------------------------------------------------------------------------- */

async function loadExam() {
  const res = await api(`/exams/${enc(EXAM)}`);
  $("definition").removeAttribute("aria-busy");
  if (!res.ok) {
    $("definition").replaceChildren();
    showError($("exam-error"), res.data, res.status);
    if (res.status === 404) {
      $("exam-body").hidden = true;
      document.querySelectorAll("#exam-actions .btn").forEach((b) => { b.hidden = true; });
      $("exam-notice").replaceChildren(el("a", { class: "btn", href: "/admin/exams", i18n: "a.exams.back" }));
    }
    return;
  }
  exam = res.data;
  renderExam();
}

function scoringText(scoring) {
  if (scoring === "weighted") return t("a.exam.scoring_weighted");
  const s = t("a.exam.scoring_fixed", { c: scoring.correct, w: scoring.wrong ?? 0, b: scoring.blank ?? 0 });
  return scoring.partial ? `${s}; ${t("a.exam.partial")}` : s;
}

function passRuleText(rule) {
  if (rule === "every_section") return t("a.exam.rule_every");
  const parts = [];
  if (rule.total !== undefined && rule.total !== null) parts.push(t("a.exam.rule_total", { n: rule.total }));
  Object.entries(rule.min || {}).forEach(([code, n]) => parts.push(t("a.exam.rule_min", { code, n })));
  return parts.join("; ");
}

function renderExam() {
  const d = exam.definition;
  document.title = `${exam.title || exam.exam} — ${t("a.app.title")}`;
  $("exam-title").replaceChildren(exam.title || exam.exam, " ", el("code", { class: "title-code", text: exam.exam }), " ",
    statusBadge(exam.status));
  $("exam-sub").textContent = t("a.exam.sub", {
    minutes: d.duration_minutes, n: d.sections.reduce((s, x) => s + x.draw.reduce((a, y) => a + y.count, 0), 0),
    sections: d.sections.length,
  });
  $("btn-open").hidden = exam.status !== "draft";
  $("btn-close").hidden = exam.status !== "open";
  $("link-scoreboard").hidden = !(d.scoreboard && d.scoreboard.public);
  $("cand-count").textContent = fmtNumber(exam.candidates);
  $("btn-import").disabled = exam.status === "closed";

  const rows = d.sections.map((s) => el("tr", {},
    el("th", { scope: "row" }, el("span", { class: "sec-code", text: s.code }),
      s.title && s.title !== s.code ? el("span", { class: "sec-title", text: ` ${s.title}` }) : null),
    el("td", {}, s.draw.map((dr) => el("div", {},
      el("a", { href: `/admin/banks/${enc(dr.bank)}?category=${enc(dr.category)}` }, el("code", { text: dr.bank })),
      ` · ${dr.category}`))),
    el("td", { class: "num", text: fmtNumber(s.draw.reduce((a, y) => a + y.count, 0)) }),
    el("td", { text: scoringText(s.scoring) }),
    el("td", { class: "num", text: s.pass_mark ?? "—" })));
  const sb = d.scoreboard || {};
  const facts = el("dl", { class: "facts facts-2" },
    el("div", {}, el("dt", { i18n: "a.exam.pass_rule" }), el("dd", { text: passRuleText(d.pass_rule) })),
    el("div", {}, el("dt", { i18n: "a.exam.tie_break" }), el("dd", { text: (d.tie_break || []).join(" → ") })),
    el("div", {}, el("dt", { i18n: "a.exam.shuffle" }), el("dd", { text: [
      d.shuffle_questions ? t("a.exam.shuffle_q") : null, d.shuffle_options ? t("a.exam.shuffle_o") : null,
    ].filter(Boolean).join(", ") || t("a.exam.no_shuffle") })),
    el("div", {}, el("dt", { i18n: "a.exam.result_to_candidate" }), el("dd", { text: t(`a.exam.result_${d.result_to_candidate}`) })),
    el("div", {}, el("dt", { i18n: "a.exam.scoreboard" }), el("dd", { text: sb.public
      ? t("a.exam.sb_public", { names: t(`a.form.names_${sb.names}`), mode: t(`a.form.mode_${sb.mode === "live" ? "live" : "submit"}`) })
      : t("a.exam.sb_private") })),
    el("div", {}, el("dt", { i18n: "a.exam.revisions" }), el("dd", { text: Object.keys(exam.revisions || {}).length
      ? Object.entries(exam.revisions).map(([b, r]) => t("a.exam.rev_pinned", { bank: b, rev: r })).join(", ")
      : t("a.exam.rev_unpinned") })));
  $("definition").replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "data compact", id: "sections-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "a.exam.section" }),
      el("th", { scope: "col", i18n: "a.exam.draw" }),
      el("th", { scope: "col", class: "num", i18n: "a.exam.count" }),
      el("th", { scope: "col", i18n: "a.exam.scoring" }),
      el("th", { scope: "col", class: "num", i18n: "a.exam.pass_mark" }))),
    el("tbody", {}, rows))), facts);
}

/* ---- open / close with a reason ------------------------------------------------------------- */

const dialog = $("state-dialog");
let action = null;

function openDialog(which) {
  action = which;
  hideBox($("state-error"));
  $("state-reason").value = "";
  $("state-reason").removeAttribute("aria-invalid");
  $("state-reason-err").hidden = true;
  renderDialog();
  dialog.showModal();
  $("state-reason").focus();
}

function renderDialog() {
  if (!action) return;
  $("state-h").textContent = t(`a.exam.${action}_q`, { exam: EXAM });
  $("state-body").textContent = t(`a.exam.${action}_body`, { n: exam ? exam.candidates : 0 });
  const btn = $("state-confirm");
  btn.textContent = t(`a.exam.${action}`);
  btn.className = `btn ${action === "open" ? "btn-success" : "btn-danger"}`;
}

$("btn-open").addEventListener("click", () => openDialog("open"));
$("btn-close").addEventListener("click", () => openDialog("close"));
$("state-cancel").addEventListener("click", () => dialog.close());

$("state-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const reason = $("state-reason").value.trim();
  if (reason.length < 3) {
    $("state-reason").setAttribute("aria-invalid", "true");
    $("state-reason-err").textContent = t("a.exam.reason_required");
    $("state-reason-err").hidden = false;
    $("state-reason").focus();
    return;
  }
  const btn = $("state-confirm");
  btn.disabled = true;
  const res = await api(`/exams/${enc(EXAM)}/${action}`, { method: "POST", body: { reason } });
  btn.disabled = false;
  if (!res.ok) {
    showError($("state-error"), res.data, res.status, { heading: `a.exam.${action}_failed` });
    return;
  }
  dialog.close();
  const done = action;
  action = null;
  await loadExam();
  setNotice(() => notice("ok", el("p", { text: t(`a.exam.${done}_done`, { exam: EXAM }) })));
  loadAudit();
});

/* ---- candidates ------------------------------------------------------------------------------ */

const candProgress = new Progress($("cand-progress"));

$("cand-file").addEventListener("change", async () => {
  hideBox($("cand-error"));
  parsedCsv = null;
  const f = $("cand-file").files[0];
  if (!f) {
    $("cand-preview").replaceChildren();
    return;
  }
  parsedCsv = parseCandidates(await f.text());
  renderCandPreview();
});

function renderCandPreview() {
  if (!parsedCsv) return;
  const p = parsedCsv;
  if (p.error === "header" || p.error === "empty") {
    $("cand-preview").replaceChildren(notice("warn", el("p", { text: t("a.cand.bad_header", {
      missing: (p.missing || ["participant_no", "name"]).join(", ") }) })));
    return;
  }
  $("cand-preview").replaceChildren(notice("info", el("p", { text: t("a.cand.read", { n: fmtNumber(p.rows.length) }) }),
    p.rows.length ? el("p", { class: "hint", text: p.rows.slice(0, 3).map((r) => `${r.participant_no} ${r.name}`).join(" · ")
      + (p.rows.length > 3 ? " · …" : "") }) : null));
}

$("cand-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  hideBox($("cand-error"));
  const f = $("cand-file").files[0];
  if (!f) {
    $("cand-file").setAttribute("aria-invalid", "true");
    showError($("cand-error"), { error: "no_file" }, 400);
    $("cand-file").focus();
    return;
  }
  $("cand-file").removeAttribute("aria-invalid");
  if (creds && !credsKept && !window.confirm(t("a.creds.replace_confirm"))) return;
  const form = new FormData();
  form.append("file", f);
  $("btn-import").disabled = true;
  const res = await upload(`/exams/${enc(EXAM)}/candidates`, form, (p) => candProgress.update(p));
  candProgress.hide();
  $("btn-import").disabled = false;
  if (res.status !== 201) {
    showError($("cand-error"), res.data, res.status, { heading: "a.cand.failed" });
    return;
  }
  const names = new Map((parsedCsv ? parsedCsv.rows : []).map((r) => [r.participant_no, r.name]));
  creds = res.data.credentials.map((c) => ({ ...c, name: names.get(c.participant_no) || "" }));
  if (exam) {
    exam.candidates += res.data.created;
    $("cand-count").textContent = fmtNumber(exam.candidates);
  }
  credsKept = false;
  $("cand-form").reset();
  $("cand-preview").replaceChildren();
  parsedCsv = null;
  renderCreds();
  $("creds").hidden = false;
  focusHeading($("creds"));
  $("creds").scrollIntoView({ block: "start" });
  loadExam();
  loadAudit();
});

function renderCreds() {
  if (!creds) return;
  $("creds-h").textContent = t("a.creds.heading_n", { n: fmtNumber(creds.length) });
  $("creds-table").replaceChildren(el("details", { class: "creds-details" },
    el("summary", { text: t("a.creds.show_table", { n: fmtNumber(creds.length) }) }),
    el("div", { class: "table-wrap scroll-y" }, el("table", { class: "data compact", id: "creds-list" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", i18n: "a.cards.participant_no" }),
        el("th", { scope: "col", i18n: "a.cards.name" }),
        el("th", { scope: "col", i18n: "a.cards.password" }))),
      el("tbody", {}, creds.map((c) => el("tr", {},
        el("td", {}, el("code", { text: c.participant_no })),
        el("td", { text: c.name }),
        el("td", {}, el("code", { class: "password", text: c.password })))))))));
}

function downloadCsv() {
  const lines = [csvLine(["participant_no", "name", "password", "exam"])]
    .concat(creds.map((c) => csvLine([c.participant_no, c.name, c.password, EXAM])));
  const blob = new Blob([`\uFEFF${lines.join("\r\n")}\r\n`], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: `${EXAM}-kata-sandi.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  credsKept = true;
}

$("btn-creds-csv").addEventListener("click", () => {
  if (creds) downloadCsv();
});

$("btn-cards").addEventListener("click", () => {
  if (!creds) return;
  // The cards page reads them from this tab's sessionStorage (never from the server).
  saveCards(EXAM, { exam: EXAM, title: exam ? exam.title : EXAM, rows: creds });
  credsKept = true;
});

window.addEventListener("beforeunload", (ev) => {
  if (creds && !credsKept) {
    ev.preventDefault();
    ev.returnValue = "";
  }
});

/* ---- results -------------------------------------------------------------------------------- */

async function loadResults() {
  const res = await api(`/exams/${enc(EXAM)}/results`);
  if (!res.ok) {
    $("results").replaceChildren();
    showError($("results-error"), res.data, res.status);
    return;
  }
  hideBox($("results-error"));
  renderResults(res.data.results || []);
}

let lastResults = null;

function renderResults(results) {
  lastResults = results;
  if (!results.length) {
    $("results").replaceChildren(el("p", { class: "muted", i18n: "a.results.none" }));
    return;
  }
  const codes = exam ? exam.definition.sections.map((s) => s.code)
    : [...new Set(results.flatMap((r) => Object.keys(r.sections || {})))];
  const passMarks = Object.fromEntries((exam ? exam.definition.sections : [])
    .map((sec) => [sec.code, sec.pass_mark]));
  const scored = results.filter((r) => r.total !== null && r.total !== undefined).length;
  const passed = results.filter((r) => r.passed === true).length;
  const statusText = (s) => (hasText(`a.results.status.${s}`) ? t(`a.results.status.${s}`) : s);
  $("results").replaceChildren(
    el("p", { class: "results-summary" }, t("a.results.summary", {
      n: fmtNumber(results.length), scored: fmtNumber(scored), passed: fmtNumber(passed) }),
    Object.values(passMarks).some((m) => typeof m === "number")
      ? el("span", { class: "hint below-legend" }, " ", el("span", { class: "below-mark", text: "123" }),
        ` = ${t("a.results.below_legend")}`) : null),
    el("div", { class: "table-wrap scroll-y tall" }, el("table", { class: "data compact results", id: "results-table" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", class: "num", i18n: "a.results.rank" }),
        el("th", { scope: "col", i18n: "a.cards.participant_no" }),
        el("th", { scope: "col", i18n: "a.cards.name" }),
        el("th", { scope: "col", i18n: "a.results.status" }),
        codes.map((c) => el("th", { scope: "col", class: "num" }, el("span", { class: "sec-code", text: c }))),
        el("th", { scope: "col", class: "num", i18n: "a.total" }),
        el("th", { scope: "col", i18n: "a.results.passed" }))),
      el("tbody", {}, results.map((r) => el("tr", {},
        el("td", { class: "num", text: r.rank ?? "—" }),
        el("td", {}, el("code", { text: r.participant_no })),
        el("td", { text: r.name }),
        el("td", { text: statusText(r.status) }),
        codes.map((c) => {
          const v = r.sections && r.sections[c] !== undefined ? r.sections[c] : null;
          const mark = passMarks[c];
          const below = v !== null && typeof mark === "number" && Number(v) < mark;
          return el("td", { class: `num${below ? " below-mark" : ""}` }, v === null ? "—" : String(v),
            below ? el("span", { class: "sr-only", text: ` (${t("a.results.below", { n: mark })})` }) : null);
        }),
        el("td", { class: "num strong", text: r.total ?? "—" }),
        el("td", {}, r.passed === true ? el("span", { class: "badge badge-pass", i18n: "a.results.pass" })
          : r.passed === false ? el("span", { class: "badge badge-fail", i18n: "a.results.fail" }) : "—")))))));
}

$("btn-reload-results").addEventListener("click", loadResults);

/* ---- recent actions ----------------------------------------------------------------------------- */

let lastAudit = null;

async function loadAudit() {
  const res = await api(`/exams/${enc(EXAM)}/audit`);
  if (!res.ok) {
    $("audit").replaceChildren(el("p", { class: "muted", text: res.data.message || "" }));
    return;
  }
  lastAudit = (res.data.actions || []).filter((a) => !a.candidate).slice(0, 8);
  renderAudit();
}

function renderAudit() {
  if (!lastAudit) return;
  if (!lastAudit.length) {
    $("audit").replaceChildren(el("p", { class: "muted", i18n: "a.audit.none" }));
    return;
  }
  const kind = (k) => (hasText(`a.audit.kind.${k}`) ? t(`a.audit.kind.${k}`) : k);
  $("audit").replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "data compact" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "a.audit.when" }),
      el("th", { scope: "col", i18n: "a.audit.who" }),
      el("th", { scope: "col", i18n: "a.audit.what" }),
      el("th", { scope: "col", i18n: "a.audit.reason" }))),
    el("tbody", {}, lastAudit.map((a) => el("tr", {},
      el("td", { text: fmtDateTime(a.at) }),
      el("td", { text: a.by || "—" }),
      el("td", { text: kind(a.kind) + (a.kind === "candidates_added" && a.detail && a.detail.candidates
        ? ` (${fmtNumber(a.detail.candidates.length)})` : "") }),
      el("td", { text: a.reason || "—" })))))));
}

/* ---- start ----------------------------------------------------------------------------------- */

onLang(() => {
  if (exam) renderExam();
  renderDialog();
  renderCandPreview();
  renderCreds();
  if (lastResults) renderResults(lastResults);
  renderAudit();
  setNotice(noticeFn);
});

let noticeFn = null;

function setNotice(fn) {
  noticeFn = fn;
  $("exam-notice").replaceChildren(fn ? fn() : "");
}

if (new URLSearchParams(window.location.search).get("created") === "1") {
  setNotice(() => notice("ok",
    el("p", {}, el("strong", { text: t("a.exam.created", { exam: EXAM }) })),
    el("p", { i18n: "a.exam.created_next" })));
  window.history.replaceState(null, "", window.location.pathname);
}

loadExam().then(() => {
  if (!exam) return;
  loadResults();
  loadAudit();
});
