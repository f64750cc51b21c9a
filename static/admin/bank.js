/* /admin/banks/<bank>: revisions, counts per category and type, and a question browser whose
 * preview uses the candidate page's own markup and stylesheet, plus the key and points. */
import {
  $, api, el, enc, fmtDateTime, fmtNumber, onLang, showError, t, typeName,
} from "./common.js";

const BANK = document.body.dataset.bank;
const LETTERS = "ABCDEFGHIJ";
const PAGE = 50;
const params = new URLSearchParams(window.location.search);

const state = {
  detail: null,
  revision: Number(params.get("revision")) || null,
  category: params.get("category") || "",
  offset: 0,
  page: null, // {total, questions}
  current: params.get("q") || null,
  showKey: true,
};

function remember() {
  const url = new URL(window.location.href);
  const set = (k, v) => (v ? url.searchParams.set(k, v) : url.searchParams.delete(k));
  set("revision", state.revision && state.revision !== state.detail.revisions[0].revision
    ? state.revision : null);
  set("category", state.category);
  set("q", state.current);
  window.history.replaceState(null, "", url);
}

async function loadDetail() {
  const q = state.revision ? `?revision=${state.revision}` : "";
  const res = await api(`/banks/${enc(BANK)}${q}`);
  $("categories").removeAttribute("aria-busy");
  if (!res.ok) {
    $("categories").replaceChildren();
    showError($("bank-error"), res.data, res.status);
    if (res.status === 404 && !state.detail) {
      $("bank-body").hidden = true;
      document.querySelectorAll(".page-actions > *").forEach((n) => { n.hidden = true; });
      $("bank-error").after(el("a", { class: "btn", href: "/admin/banks", i18n: "a.banks.back" }));
    }
    return false;
  }
  state.detail = res.data;
  state.revision = res.data.revision;
  if (state.category && !res.data.categories[state.category]) state.category = "";
  renderDetail();
  return true;
}

function renderDetail() {
  const d = state.detail;
  document.title = `${d.title || d.bank} — ${t("a.app.title")}`;
  $("bank-title").replaceChildren(d.title || d.bank, " ", el("code", { class: "title-code", text: d.bank }));
  const rev = d.revisions.find((r) => r.revision === d.revision);
  $("bank-sub").textContent = t("a.bank.sub", {
    rev: d.revision, n: fmtNumber(rev ? rev.questions : 0), source: rev ? rev.source : "—",
  });

  const sel = $("revision");
  sel.replaceChildren(...d.revisions.map((r) => el("option", { value: String(r.revision),
    text: t(r.revision === d.revisions[0].revision ? "a.bank.rev_latest" : "a.bank.rev_option",
      { rev: r.revision, n: fmtNumber(r.questions) }) })));
  sel.value = String(d.revision);
  $("btn-export").href = `/api/v1/banks/${enc(BANK)}/export?revision=${d.revision}`;
  $("btn-export").setAttribute("download", `${BANK}-rev${d.revision}.yaml`);

  // Counts per category and type.
  const cats = Object.entries(d.categories).sort(([a], [b]) => a.localeCompare(b));
  const types = [...new Set(cats.flatMap(([, c]) => Object.keys(c.types)))].sort();
  const total = cats.reduce((s, [, c]) => s + c.count, 0);
  $("categories").replaceChildren(el("div", { class: "table-wrap" }, el("table", { class: "data compact cat-table", id: "cat-table" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", i18n: "a.bank.category" }),
      el("th", { scope: "col", class: "num", i18n: "a.bank.count" }),
      types.map((ty) => el("th", { scope: "col", class: "num", text: typeName(ty) })))),
    el("tbody", {}, cats.map(([cat, c]) => el("tr", { dataset: { category: cat } },
      el("th", { scope: "row" }, el("span", { class: "sec-code", text: cat })),
      el("td", { class: "num", text: fmtNumber(c.count) }),
      types.map((ty) => el("td", { class: "num", text: c.types[ty] ? fmtNumber(c.types[ty]) : "—" }))))),
    el("tfoot", {}, el("tr", {},
      el("th", { scope: "row", i18n: "a.total" }),
      el("td", { class: "num", text: fmtNumber(total) }),
      types.map((ty) => el("td", { class: "num",
        text: fmtNumber(cats.reduce((s, [, c]) => s + (c.types[ty] || 0), 0)) })))))));

  $("revisions").replaceChildren(el("div", { class: "table-wrap scroll-y" }, el("table", { class: "data compact" },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", class: "num", i18n: "a.bank.revision" }),
      el("th", { scope: "col", i18n: "a.bank.source" }),
      el("th", { scope: "col", class: "num", i18n: "a.bank.count" }),
      el("th", { scope: "col", i18n: "a.bank.created" }))),
    el("tbody", {}, d.revisions.map((r) => el("tr", { class: r.revision === d.revision ? "is-current" : "" },
      el("td", { class: "num" }, r.revision === d.revision
        ? el("strong", { text: r.revision }) : el("a", { href: `?revision=${r.revision}`, text: r.revision })),
      el("td", {}, el("span", { class: "source", text: r.source })),
      el("td", { class: "num", text: fmtNumber(r.questions) }),
      el("td", { text: fmtDateTime(r.created) })))))));

  const catSel = $("category");
  catSel.replaceChildren(
    el("option", { value: "", text: t("a.bank.all_categories", { n: fmtNumber(total) }) }),
    ...cats.map(([cat, c]) => el("option", { value: cat, text: `${cat} (${fmtNumber(c.count)})` })));
  catSel.value = state.category;
}

async function loadPage() {
  const q = new URLSearchParams({ revision: state.revision, offset: state.offset, limit: PAGE });
  if (state.category) q.set("category", state.category);
  $("q-list").setAttribute("aria-busy", "true");
  const res = await api(`/banks/${enc(BANK)}/questions?${q}`);
  $("q-list").removeAttribute("aria-busy");
  if (!res.ok) {
    showError($("bank-error"), res.data, res.status);
    return;
  }
  state.page = res.data;
  renderList();
  const found = state.page.questions.find((x) => x.id === state.current);
  if (found) renderPreview(found);
  else if (state.page.questions.length) select(state.page.questions[0].id, false);
  else $("preview").replaceChildren(el("p", { class: "muted", i18n: "a.bank.no_questions" }));
}

/** The first words of a question, without Markdown marks, for the list. */
function gist(text) {
  return (text || "").replace(/!\[[^\]]*\]\([^)]*\)/g, "🖼").replace(/[*_`#>|]/g, "")
    .replace(/\s+/g, " ").trim().slice(0, 90);
}

function renderList() {
  const p = state.page;
  const first = p.total ? state.offset + 1 : 0;
  const last = Math.min(state.offset + p.questions.length, p.total);
  $("q-count").textContent = t("a.bank.showing", { first, last, total: fmtNumber(p.total) });
  $("page-info").textContent = t("a.bank.page", {
    page: Math.floor(state.offset / PAGE) + 1, pages: Math.max(1, Math.ceil(p.total / PAGE)),
  });
  $("page-prev").disabled = state.offset === 0;
  $("page-next").disabled = state.offset + PAGE >= p.total;
  $("q-list").replaceChildren(...p.questions.map((q, i) => el("li", {},
    el("button", {
      type: "button", class: "q-item", dataset: { qid: q.id },
      "aria-current": q.id === state.current ? "true" : null,
    },
    el("span", { class: "q-item-head" },
      el("span", { class: "q-item-no", text: state.offset + i + 1 }),
      el("code", { class: "q-item-id", text: q.id }),
      el("span", { class: "sec-code", text: q.category }),
      el("span", { class: `badge type-badge type-${q.type}`, text: typeName(q.type) })),
    el("span", { class: "q-item-text", text: gist(q.text) })))));
}

function select(qid, focusPreview = true) {
  state.current = qid;
  remember();
  $("q-list").querySelectorAll(".q-item").forEach((b) => {
    if (b.dataset.qid === qid) b.setAttribute("aria-current", "true");
    else b.removeAttribute("aria-current");
  });
  const q = state.page.questions.find((x) => x.id === qid);
  if (q) renderPreview(q);
  if (focusPreview) $("preview-heading")?.focus({ preventScroll: true });
}

function optionLabel(q, opt) {
  if (opt.html) return { html: opt.html };
  if (opt.text) return { text: opt.text };
  if (q.type === "true_false") return { text: t(opt.key === "F" ? "q.false" : "q.true") };
  return { text: "" };
}

/** One question as the candidate page draws it (exam.css classes), plus the admin's marks. */
function renderPreview(q) {
  const hintKey = q.type === "multiple" ? "q.hint_multiple"
    : q.type === "true_false" ? "q.hint_true_false" : "q.hint_single";
  const text = el("div", { class: "q-text" });
  if (q.html) text.innerHTML = q.html; // rendered and sanitised by the server (allow-list)
  else {
    text.textContent = q.text || "";
    text.classList.add("plain");
  }
  const best = Math.max(...(q.options || []).map((o) => (typeof o.points === "number" ? o.points : -Infinity)));
  const options = (q.options || []).map((opt, i) => {
    const body = el("span", { class: "opt-text" });
    const content = optionLabel(q, opt);
    if (content.html != null) body.innerHTML = content.html;
    else body.textContent = content.text;
    const marks = el("span", { class: "a-marks" });
    if (opt.correct) marks.append(el("span", { class: "a-badge a-key", i18n: "a.bank.key" }));
    if (opt.points !== undefined && opt.points !== null) {
      marks.append(el("span", { class: `a-badge a-points${opt.points === best ? " is-best" : ""}`,
        dataset: { points: opt.points },
        text: t("a.bank.points", { n: opt.points }) }));
    }
    return el("div", {
      class: `option${opt.correct ? " is-key" : ""}`, dataset: { key: opt.key },
    },
    el("span", { class: "opt-letter", text: LETTERS[i] || opt.key }), body, marks);
  });
  const meta = el("p", { class: "a-qmeta" },
    el("span", { class: `badge type-badge type-${q.type}`, text: typeName(q.type) }),
    q.difficulty !== null && q.difficulty !== undefined
      ? el("span", { class: "badge", text: t("a.bank.difficulty", { n: q.difficulty }) }) : null,
    ...(q.tags || []).map((tag) => el("span", { class: "badge badge-tag", text: tag })));

  const keyToggle = el("label", { class: "check key-toggle" },
    el("input", { type: "checkbox", id: "show-key", checked: state.showKey }),
    el("span", { i18n: "a.bank.show_key" }));
  keyToggle.querySelector("input").addEventListener("change", (ev) => {
    state.showKey = ev.target.checked;
    $("preview-card").classList.toggle("hide-key", !state.showKey);
  });

  const card = el("section", {
    class: `card q-panel a-preview${state.showKey ? "" : " hide-key"}`, id: "preview-card",
    "aria-labelledby": "preview-heading",
  },
  el("div", { class: "q-head" },
    el("div", { class: "q-where" },
      el("p", { class: "q-section", text: q.category }),
      el("h3", { class: "q-position", id: "preview-heading", tabindex: "-1",
        text: t("a.bank.question_id", { id: q.id }) })),
    meta),
  el("div", { class: "q-body" }, text,
    el("fieldset", { class: "options" },
      el("legend", { class: "q-hint", text: t(hintKey) }),
      el("div", { class: "options-list", dataset: { type: q.type } }, options))),
  q.explanation ? el("div", { class: "a-explanation" },
    el("h4", { i18n: "a.bank.explanation" }),
    el("p", { class: "hint", i18n: "a.bank.explanation_hint" }),
    el("div", { class: "a-explanation-text", text: q.explanation })) : null);
  $("preview").replaceChildren(el("div", { class: "preview-tools" },
    el("span", { class: "preview-label", i18n: "a.bank.preview" }), keyToggle), card);
}

$("q-list").addEventListener("click", (ev) => {
  const b = ev.target.closest(".q-item");
  if (b) select(b.dataset.qid);
});

$("q-list").addEventListener("keydown", (ev) => {
  if (!["ArrowDown", "ArrowUp"].includes(ev.key)) return;
  const items = [...$("q-list").querySelectorAll(".q-item")];
  const i = items.indexOf(document.activeElement);
  if (i < 0) return;
  const next = items[ev.key === "ArrowDown" ? Math.min(i + 1, items.length - 1) : Math.max(i - 1, 0)];
  ev.preventDefault();
  next.focus();
  select(next.dataset.qid, false);
});

$("page-prev").addEventListener("click", () => {
  state.offset = Math.max(0, state.offset - PAGE);
  state.current = null;
  loadPage();
});

$("page-next").addEventListener("click", () => {
  state.offset += PAGE;
  state.current = null;
  loadPage();
});

$("category").addEventListener("change", (ev) => {
  state.category = ev.target.value;
  state.offset = 0;
  state.current = null;
  loadPage();
});

$("revision").addEventListener("change", async (ev) => {
  state.revision = Number(ev.target.value);
  state.offset = 0;
  state.current = null;
  if (await loadDetail()) loadPage();
});

onLang(() => {
  if (state.detail) renderDetail();
  if (state.page) {
    renderList();
    const q = state.page.questions.find((x) => x.id === state.current);
    if (q) renderPreview(q);
  }
});

(async () => {
  if (await loadDetail()) {
    // A deep link to one question (?q=) opens its page only when it is on the first one.
    await loadPage();
  }
})();
