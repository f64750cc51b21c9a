/* /admin/banks/upload: a dry run first (every problem with its line), then the real import. */
import {
  $, api, el, enc, fmtBytes, fmtNumber, focusHeading, hideBox, notice, onLang, problemsTable,
  Progress, showError, t, typeName, upload,
} from "./common.js";

const fileInput = $("file");
const skip = $("skip-invalid");
const checkBtn = $("btn-check");
const saveBtn = $("btn-save");
const progress = new Progress($("progress"));
const progressSave = new Progress($("progress-save"));

let report = null; // the dry run's answer for the file now chosen
let reportFile = null;
let existing = new Map(); // bank code -> latest revision
let busy = false;

api("/banks").then((res) => {
  if (res.ok) existing = new Map(res.data.banks.map((b) => [b.bank, b.revision]));
  if (report) renderReport();
});

function form(dryRun) {
  const data = new FormData();
  data.append("file", fileInput.files[0]);
  if (dryRun) data.append("dry_run", "true");
  if (skip.checked) data.append("skip_invalid", "true");
  return data;
}

function setBusy(on) {
  busy = on;
  checkBtn.disabled = on;
  saveBtn.disabled = on || !canSave();
  fileInput.disabled = on;
}

fileInput.addEventListener("change", () => {
  // A new file: the old report says nothing about it.
  report = null;
  reportFile = null;
  $("report").hidden = true;
  $("done").hidden = true;
  hideBox($("upload-error"));
  fileInput.removeAttribute("aria-invalid");
  checkBtn.textContent = t("a.upload.check");
});

$("upload-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (busy) return;
  hideBox($("upload-error"));
  const f = fileInput.files[0];
  if (!f) {
    fileInput.setAttribute("aria-invalid", "true");
    showError($("upload-error"), { error: "no_file" }, 400);
    fileInput.focus();
    return;
  }
  $("done").hidden = true;
  $("report").hidden = true; // the old report says nothing about this check
  report = null;
  setBusy(true);
  const res = await upload("/banks", form(true), (p) => progress.update(p));
  progress.hide();
  setBusy(false);
  if (res.data && res.data.dry_run) {
    report = res.data;
    reportFile = f;
    renderReport();
    $("report").hidden = false;
    focusHeading($("step-report"));
  } else {
    $("report").hidden = true;
    showError($("upload-error"), res.data, res.status,
      res.status === 0 ? { heading: "a.upload.not_sent" } : {});
  }
});

function canSave() {
  if (!report || !report.bank || !report.questions) return false;
  return report.problems.length === 0 || skip.checked;
}

skip.addEventListener("change", () => {
  if (report) renderReport();
});

function categoriesTable(categories) {
  const types = [...new Set(Object.values(categories).flatMap((c) => Object.keys(c.types)))].sort();
  return el("div", { class: "table-wrap" }, el("table", { class: "data compact cat-table" },
    el("caption", { i18n: "a.bank.per_category" }),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "a.bank.category" }),
      el("th", { scope: "col", class: "num", i18n: "a.bank.count" }),
      types.map((ty) => el("th", { scope: "col", class: "num", text: typeName(ty) })))),
    el("tbody", {}, Object.entries(categories).sort().map(([cat, c]) => el("tr", {},
      el("th", { scope: "row" }, el("span", { class: "sec-code", text: cat })),
      el("td", { class: "num", text: fmtNumber(c.count) }),
      types.map((ty) => el("td", { class: "num", text: c.types[ty] ? fmtNumber(c.types[ty]) : "—" })))))));
}

function renderReport() {
  const r = report;
  const n = r.problems.length;
  const summary = $("report-summary");
  if (!r.bank) {
    summary.replaceChildren(notice("error", el("p", {}, el("strong", { i18n: "a.upload.unreadable" })),
      el("p", { i18n: "a.upload.fix_and_retry" })));
  } else if (n === 0) {
    summary.replaceChildren(notice("ok", el("p", {}, el("strong", {
      text: t("a.upload.clean", { n: fmtNumber(r.questions), bank: r.bank }) }))));
  } else {
    summary.replaceChildren(notice("error",
      el("p", {}, el("strong", { text: t("a.upload.problems", { n }) })),
      el("p", { text: skip.checked ? t("a.upload.problems_skip", { n: fmtNumber(r.questions) })
        : t("a.upload.problems_all_or_nothing") })));
  }

  const facts = $("report-facts");
  facts.replaceChildren();
  const fact = (key, value) => facts.append(el("div", {}, el("dt", { i18n: key }), el("dd", {}, value)));
  fact("a.upload.file", `${reportFile.name} · ${fmtBytes(reportFile.size)}`);
  if (r.bank) {
    const code = el("span", {}, el("code", { text: r.bank }));
    if (r.bank_code_from === "file name") code.append(" ", el("span", { class: "hint", i18n: "a.upload.code_from_name" }));
    fact("a.upload.bank_code", code);
    if (r.title) fact("a.upload.bank_title", r.title);
    const rev = existing.get(r.bank);
    fact("a.upload.revision", rev ? t("a.upload.next_revision", { rev: rev + 1, bank: r.bank })
      : t("a.upload.new_bank"));
  }
  fact("a.upload.readable", fmtNumber(r.questions));

  $("report-categories").replaceChildren(Object.keys(r.categories || {}).length
    ? categoriesTable(r.categories) : "");
  $("report-problems").replaceChildren(n ? el("div", { class: "problems-block" },
    el("h3", { text: t("a.upload.problem_list", { n }) }),
    el("p", { class: "hint", i18n: "a.upload.problem_hint" }),
    problemsTable(r.problems)) : "");

  saveBtn.hidden = !r.bank;
  saveBtn.disabled = busy || !canSave();
  saveBtn.textContent = n && skip.checked ? t("a.upload.save_skip", { n: fmtNumber(r.questions) })
    : t("a.upload.save");
  const hint = $("save-hint");
  hint.textContent = !r.bank ? "" : canSave() ? "" : n ? t("a.upload.save_blocked") : t("a.upload.nothing");
  checkBtn.textContent = t("a.upload.check_again");
}

onLang(() => {
  if (report) renderReport();
  else checkBtn.textContent = t("a.upload.check");
});

saveBtn.addEventListener("click", async () => {
  if (busy || !canSave()) return;
  hideBox($("save-error"));
  setBusy(true);
  const res = await upload("/banks", form(false), (p) => progressSave.update(p));
  progressSave.hide();
  setBusy(false);
  if (res.status !== 201) {
    showError($("save-error"), res.data, res.status,
      { heading: res.status === 0 ? "a.upload.not_sent" : "a.upload.save_failed" });
    return;
  }
  renderDone(res.data);
});

function renderDone(d) {
  $("report").hidden = true;
  const body = $("done-body");
  const skipped = d.skipped || [];
  const render = () => {
    body.replaceChildren(
      notice("ok", el("p", {}, el("strong", {
        text: t("a.upload.done", { bank: d.bank, rev: d.revision, n: fmtNumber(d.imported) }) })),
      el("p", { text: t("a.upload.done_detail", { skipped: skipped.length, media: d.media || 0 }) })),
      skipped.length ? el("div", { class: "problems-block" },
        el("h3", { text: t("a.upload.skipped_list", { n: skipped.length }) }),
        problemsTable(skipped)) : "",
      el("div", { class: "button-row" },
        el("a", { class: "btn btn-primary", href: `/admin/banks/${enc(d.bank)}`, i18n: "a.upload.view_bank" }),
        el("a", { class: "btn", href: `/admin/exams/new?bank=${enc(d.bank)}`, i18n: "a.upload.make_exam" }),
        el("a", { class: "btn btn-quiet", href: "/admin/banks/upload", i18n: "a.upload.another" })));
  };
  render();
  onLang(render);
  $("done").hidden = false;
  focusHeading($("step-done"));
}
