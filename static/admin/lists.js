/* The banks table and the exams table (the home page shows both, their own pages one each). */
import { $, api, el, enc, fmtNumber, onLang, showError, statusBadge, t } from "./common.js";

function emptyState(textKey, href, linkKey) {
  return el("div", { class: "empty" },
    el("p", { i18n: textKey }),
    el("a", { class: "btn btn-primary", href, i18n: linkKey }));
}

function bankTable(banks, compact) {
  return el("div", { class: "table-wrap" }, el("table", { class: "data", id: "banks" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "a.banks.code" }),
      el("th", { scope: "col", i18n: "a.banks.title_col" }),
      el("th", { scope: "col", class: "num", i18n: "a.banks.revision" }),
      el("th", { scope: "col", class: "num", i18n: "a.banks.questions" }),
      el("th", { scope: "col", class: "actions-col" }, el("span", { class: "sr-only", i18n: "a.actions" })))),
    el("tbody", {}, banks.map((b) => el("tr", { dataset: { bank: b.bank } },
      el("th", { scope: "row" }, el("a", { href: `/admin/banks/${enc(b.bank)}` }, el("code", { text: b.bank }))),
      el("td", { text: b.title || "" }),
      el("td", { class: "num", text: fmtNumber(b.revision) }),
      el("td", { class: "num", text: fmtNumber(b.questions) }),
      el("td", { class: "actions-col" },
        el("a", { class: "btn btn-sm", href: `/admin/banks/${enc(b.bank)}`,
          "aria-label": t("a.banks.open_label", { bank: b.bank }), i18n: "a.banks.open" }),
        compact ? null : " ",
        compact ? null : el("a", { class: "btn btn-sm btn-quiet", href: `/api/v1/banks/${enc(b.bank)}/export`,
          download: `${b.bank}.yaml`, i18n: "a.banks.export" })))))));
}

function examTable(exams) {
  return el("div", { class: "table-wrap" }, el("table", { class: "data", id: "exams" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "a.exams.code" }),
      el("th", { scope: "col", i18n: "a.exams.title_col" }),
      el("th", { scope: "col", i18n: "a.exams.status" }),
      el("th", { scope: "col", class: "num", i18n: "a.exams.duration" }),
      el("th", { scope: "col", class: "actions-col" }, el("span", { class: "sr-only", i18n: "a.actions" })))),
    el("tbody", {}, exams.map((e) => el("tr", { dataset: { exam: e.exam } },
      el("th", { scope: "row" }, el("a", { href: `/admin/exams/${enc(e.exam)}` }, el("code", { text: e.exam }))),
      el("td", { text: e.title || "" }),
      el("td", {}, statusBadge(e.status)),
      el("td", { class: "num", text: t("a.minutes", { n: e.duration_minutes ?? "—" }) }),
      el("td", { class: "actions-col" },
        el("a", { class: "btn btn-sm", href: `/admin/exams/${enc(e.exam)}`,
          "aria-label": t("a.exams.manage_label", { exam: e.exam }), i18n: "a.exams.manage" })))))));
}

/** Load GET /banks into `#banks-table` (errors into `#banks-error`); re-render on a language switch. */
export async function showBanks({ compact = false } = {}) {
  const box = $("banks-table");
  const res = await api("/banks");
  box.removeAttribute("aria-busy");
  if (!res.ok) {
    box.replaceChildren();
    showError($("banks-error"), res.data, res.status);
    return null;
  }
  const render = () => box.replaceChildren(res.data.banks.length ? bankTable(res.data.banks, compact)
    : emptyState("a.banks.empty", "/admin/banks/upload", "a.banks.upload"));
  render();
  onLang(render);
  return res.data.banks;
}

export async function showExams() {
  const box = $("exams-table");
  const res = await api("/exams");
  box.removeAttribute("aria-busy");
  if (!res.ok) {
    box.replaceChildren();
    showError($("exams-error"), res.data, res.status);
    return null;
  }
  const render = () => box.replaceChildren(res.data.exams.length ? examTable(res.data.exams)
    : emptyState("a.exams.empty", "/admin/exams/new", "a.exams.new"));
  render();
  onLang(render);
  return res.data.exams;
}
