/* The sections of the exam form: each draws from one category of a bank (whose counts per
 * category and type are fetched once per bank), with its scoring and pass mark; plus the
 * tie-break order and the per-section minimums, which follow the sections by identity. */
import { $, api, el, enc, fmtNumber, onLang, t, typeName } from "./common.js";

const params = new URLSearchParams(window.location.search);
let banks = []; // [{bank, title, revision, questions}]
const bankDetail = new Map(); // code -> Promise of {categories}
export const sections = []; // [{uid, node, inputs…}] in display order
let uid = 0;
let changed = () => {};

/** Call `fn` after any change that the summary or the checks should see. */
export function onSectionsChange(fn) {
  changed = fn;
}

export function setBanks(list) {
  banks = list;
}

export function getBanks() {
  return banks;
}

export function removeAllSections() {
  sections.splice(0).forEach((s) => s.node.remove());
}

export function clearFieldErrors(root) {
  root.querySelectorAll("[aria-invalid=true]").forEach((n) => n.removeAttribute("aria-invalid"));
  root.querySelectorAll(".field-error").forEach((n) => {
    n.hidden = true;
    n.textContent = "";
  });
}

/* ---- banks --------------------------------------------------------------------------- */

function detailOf(code) {
  if (!code) return Promise.resolve(null);
  if (!bankDetail.has(code)) {
    bankDetail.set(code, api(`/banks/${enc(code)}`).then((res) => (res.ok ? res.data : null)));
  }
  return bankDetail.get(code);
}

function categoriesOf(code) {
  const p = bankDetail.get(code);
  return p && p.settled ? p.settled.categories : null;
}

export async function ensureDetail(code) {
  const d = await detailOf(code);
  bankDetail.get(code).settled = d;
  return d;
}

/* ---- one section --------------------------------------------------------------------- */

function field(id, labelKey, input, hintNode) {
  return el("div", { class: "field" }, el("label", { for: id, i18n: labelKey }), input,
    hintNode || null, el("p", { class: "field-error", id: `${id}-err`, hidden: true }));
}

function numberInput(id, attrs = {}) {
  return el("input", { class: "input input-sm num-input", id, type: "number", step: "1",
    inputmode: "numeric", ...attrs });
}

export function addSection(values = {}) {
  const u = (uid += 1);
  const id = (name) => `s${u}-${name}`;
  const bankSel = el("select", { class: "input input-sm", id: id("bank") },
    el("option", { value: "", i18n: "a.form.choose_bank" }),
    banks.map((b) => el("option", { value: b.bank, text: `${b.bank} — ${b.title || ""}` })));
  const catSel = el("select", { class: "input input-sm", id: id("category") });
  const count = numberInput(id("count"), { min: "1", "aria-describedby": `${id("count")}-avail` });
  const avail = el("p", { class: "hint avail", id: `${id("count")}-avail` });
  const scoringName = `scoring-${u}`;
  const fixed = el("input", { type: "radio", name: scoringName, value: "fixed", checked: true,
    id: id("fixed") });
  const weighted = el("input", { type: "radio", name: scoringName, value: "weighted",
    id: id("weighted") });
  const correct = numberInput(id("correct"), { min: "0", max: "1000", value: "5" });
  const wrong = numberInput(id("wrong"), { min: "-1000", max: "1000", value: "0" });
  const blank = numberInput(id("blank"), { min: "-1000", max: "1000", value: "0" });
  const partial = el("input", { type: "checkbox", id: id("partial") });
  const passMark = numberInput(id("pass"), { min: "-1000000", max: "1000000" });
  const maxInfo = el("p", { class: "hint max-info" });

  const fixedBox = el("div", { class: "scoring-fixed" },
    el("div", { class: "field-grid field-grid-3 tight" },
      field(id("correct"), "a.form.correct", correct),
      field(id("wrong"), "a.form.wrong", wrong),
      field(id("blank"), "a.form.blank", blank)),
    el("label", { class: "check small" }, partial, el("span", { i18n: "a.form.partial" })));

  const node = el("li", { class: "section-card", dataset: { uid: u } },
    el("div", { class: "section-head" },
      el("h3", { class: "section-title" }),
      el("div", { class: "section-tools" },
        el("button", { type: "button", class: "btn btn-xs btn-quiet", dataset: { act: "up" } },
          el("span", { "aria-hidden": "true", text: "↑" }), el("span", { class: "sr-only", i18n: "a.form.move_up" })),
        el("button", { type: "button", class: "btn btn-xs btn-quiet", dataset: { act: "down" } },
          el("span", { "aria-hidden": "true", text: "↓" }), el("span", { class: "sr-only", i18n: "a.form.move_down" })),
        el("button", { type: "button", class: "btn btn-xs btn-quiet btn-remove", dataset: { act: "remove" },
          i18n: "a.form.remove" }))),
    el("div", { class: "field-grid section-grid" },
      field(id("code"), "a.form.sec_code", el("input", { class: "input input-sm mono", id: id("code"),
        maxlength: "32", autocomplete: "off", spellcheck: "false", placeholder: t("a.form.ph_sec_code"),
        "data-i18n-attr": "placeholder:a.form.ph_sec_code" })),
      el("div", { class: "span-4" }, field(id("title"), "a.form.sec_title", el("input", {
        class: "input input-sm", id: id("title"), maxlength: "200", placeholder: t("a.form.sec_title_ph"), "data-i18n-attr": "placeholder:a.form.sec_title_ph" }))),
      el("div", { class: "span-2" }, field(id("bank"), "a.form.bank", bankSel)),
      el("div", { class: "span-2" }, field(id("category"), "a.form.category", catSel)),
      field(id("count"), "a.form.count", count, avail)),
    el("div", { class: "scoring" },
      el("div", { class: "radio-group", role: "radiogroup", "aria-labelledby": id("scoring-label") },
        el("p", { class: "label-like", id: id("scoring-label"), i18n: "a.form.scoring" }),
        el("label", { class: "check" }, fixed, el("span", { i18n: "a.form.scoring_fixed" })),
        el("label", { class: "check" }, weighted, el("span", { i18n: "a.form.scoring_weighted" })),
        el("p", { class: "field-error", id: `${id("scoring")}-err`, hidden: true })),
      fixedBox,
      el("div", { class: "pass-box" }, field(id("pass"), "a.form.pass_mark", passMark), maxInfo)));

  const sec = { uid: u, node, bankSel, catSel, count, avail, fixed, weighted, correct, wrong, blank,
    partial, passMark, fixedBox, maxInfo, id,
    code: node.querySelector(`#${id("code")}`), title: node.querySelector(`#${id("title")}`) };
  sections.push(sec);
  $("sections").append(node);

  bankSel.addEventListener("change", () => fillCategories(sec, true));
  catSel.addEventListener("change", () => categoryChosen(sec, true));
  for (const r of [fixed, weighted]) {
    r.addEventListener("change", () => {
      sec.scoringTouched = true;
      updateSection(sec);
    });
  }
  node.addEventListener("input", (ev) => {
    clearFieldErrors(node);
    updateSection(sec);
    if (ev.target === sec.code) {
      renderTieList();
      renderMins();
    }
  });
  node.addEventListener("click", (ev) => {
    const b = ev.target.closest("[data-act]");
    if (!b) return;
    const i = sections.indexOf(sec);
    if (b.dataset.act === "remove") {
      sections.splice(i, 1);
      node.remove();
    } else {
      const j = b.dataset.act === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= sections.length) return;
      [sections[i], sections[j]] = [sections[j], sections[i]];
      $("sections").replaceChildren(...sections.map((s) => s.node));
      b.focus();
    }
    refresh();
  });

  sec.code.value = values.code || "";
  sec.title.value = values.title || "";
  if (values.count) count.value = String(values.count);
  if (values.pass_mark !== undefined) passMark.value = String(values.pass_mark);
  if (values.scoring === "weighted") weighted.checked = true;
  else if (values.scoring) {
    correct.value = String(values.scoring.correct);
    wrong.value = String(values.scoring.wrong ?? 0);
    blank.value = String(values.scoring.blank ?? 0);
  }
  sec.wantCategory = values.category || "";
  bankSel.value = values.bank || (banks.length === 1 ? banks[0].bank : params.get("bank") || "");
  fillCategories(sec, false);
  refresh();
  return sec;
}

async function fillCategories(sec, userChange) {
  const code = sec.bankSel.value;
  sec.catSel.replaceChildren(el("option", { value: "", text: code ? t("a.loading") : t("a.form.choose_bank_first") }));
  sec.catSel.disabled = !code;
  if (!code) return updateSection(sec);
  const d = await ensureDetail(code);
  if (sec.bankSel.value !== code) return null; // changed again meanwhile
  const cats = d ? Object.entries(d.categories).sort(([a], [b]) => a.localeCompare(b)) : [];
  sec.catSel.replaceChildren(el("option", { value: "", i18n: "a.form.choose_category" }),
    ...cats.map(([cat, c]) => el("option", { value: cat,
      text: t("a.form.category_option", { cat, n: fmtNumber(c.count),
        types: Object.entries(c.types).map(([ty, n]) => `${typeName(ty)} ${n}`).join(", ") }) })));
  const want = sec.wantCategory || sec.catSel.dataset.value;
  if (want && d && d.categories[want]) sec.catSel.value = want;
  else if (!userChange && sec.code.value && d && d.categories[sec.code.value]) sec.catSel.value = sec.code.value;
  sec.wantCategory = "";
  categoryChosen(sec, userChange);
  return null;
}

function categoryChosen(sec, userChange) {
  const info = chosenCategory(sec);
  sec.catSel.dataset.value = sec.catSel.value;
  if (info) {
    const onlyWeighted = Object.keys(info.types).every((ty) => ty === "weighted");
    if (userChange || !sec.scoringTouched) {
      sec.weighted.checked = onlyWeighted;
      sec.fixed.checked = !onlyWeighted;
    }
    if (userChange && !sec.code.value) sec.code.value = sec.catSel.value.slice(0, 32);
  }
  updateSection(sec);
}

export function chosenCategory(sec) {
  const cats = categoriesOf(sec.bankSel.value);
  return cats && sec.catSel.value ? cats[sec.catSel.value] || null : null;
}

export function int(input) {
  const v = input.value.trim();
  if (v === "" || !/^-?\d+$/.test(v)) return null;
  return Number(v);
}

function updateSection(sec) {
  const i = sections.indexOf(sec);
  sec.node.querySelector(".section-title").textContent = t("a.form.section_n", {
    n: i + 1, code: sec.code.value.trim() ? `· ${sec.code.value.trim()}` : "" });
  const info = chosenCategory(sec);
  sec.count.max = info ? String(info.count) : "";
  sec.avail.textContent = info ? t("a.form.available", { n: fmtNumber(info.count) }) : "";
  const over = info && int(sec.count) !== null && int(sec.count) > info.count;
  sec.avail.classList.toggle("is-bad", Boolean(over));
  sec.fixedBox.hidden = sec.weighted.checked;
  const hasMultiple = info && info.types.multiple;
  sec.partial.closest("label").hidden = !hasMultiple;
  const n = int(sec.count);
  const c = int(sec.correct);
  sec.maxInfo.textContent = sec.weighted.checked
    ? t("a.form.max_weighted")
    : n !== null && c !== null ? t("a.form.max_fixed", { n: fmtNumber(n * c) }) : "";
  sec.node.querySelectorAll("[data-act=up]")[0].disabled = i === 0;
  sec.node.querySelectorAll("[data-act=down]")[0].disabled = i === sections.length - 1;
  sec.node.querySelector("[data-act=remove]").disabled = sections.length === 1;
  changed();
}

export function refresh() {
  sections.forEach(updateSection);
  renderTieList();
  renderMins();
  changed();
}

/* ---- pass rule, tie-break ------------------------------------------------------------- */

// Both follow the sections themselves (by uid), so renaming a section keeps its place.
let tieOrder = []; // section uids, best tie-breaker first

const codeOf = (u) => {
  const s = sections.find((x) => x.uid === u);
  return s ? s.code.value.trim() : "";
};

function renderTieList() {
  const uids = sections.map((s) => s.uid);
  tieOrder = tieOrder.filter((u) => uids.includes(u));
  uids.forEach((u) => {
    if (!tieOrder.includes(u)) tieOrder.push(u);
  });
  const shown = tieOrder.filter((u) => codeOf(u));
  const list = $("tie-list");
  const focused = document.activeElement && list.contains(document.activeElement)
    ? [document.activeElement.dataset.uid, document.activeElement.dataset.dir] : null;
  list.replaceChildren(...shown.map((u, i) => el("li", { class: "tie-item" },
    el("span", { class: "tie-no", text: `${i + 1}.` }),
    el("span", { class: "sec-code", text: codeOf(u) }),
    el("button", { type: "button", class: "btn btn-xs btn-quiet", dataset: { uid: u, dir: "-1" },
      disabled: i === 0, "aria-label": t("a.form.tie_up", { code: codeOf(u) }), text: "↑" }),
    el("button", { type: "button", class: "btn btn-xs btn-quiet", dataset: { uid: u, dir: "1" },
      disabled: i === shown.length - 1, "aria-label": t("a.form.tie_down", { code: codeOf(u) }), text: "↓" }))));
  if (!shown.length) list.append(el("li", { class: "hint", i18n: "a.form.tie_empty" }));
  if (focused) {
    const again = list.querySelector(`[data-uid="${focused[0]}"][data-dir="${focused[1]}"]`);
    if (again && !again.disabled) again.focus();
  }
}

$("tie-list").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-uid]");
  if (!b) return;
  const shown = tieOrder.filter((u) => codeOf(u));
  const i = shown.indexOf(Number(b.dataset.uid));
  const j = i + Number(b.dataset.dir);
  if (i < 0 || j < 0 || j >= shown.length) return;
  [shown[i], shown[j]] = [shown[j], shown[i]];
  tieOrder = [...shown, ...tieOrder.filter((u) => !codeOf(u))];
  renderTieList();
  changed();
});

export function passRule() {
  return document.querySelector("input[name=pass_rule]:checked").value;
}

const minValues = new Map(); // uid -> typed value

function renderMins() {
  const box = $("rule-mins");
  box.querySelectorAll("input").forEach((inp) => minValues.set(Number(inp.dataset.uid), inp.value));
  box.replaceChildren(el("p", { class: "label-like", i18n: "a.form.mins" }),
    el("div", { class: "mins-grid" }, sections.filter((s) => s.code.value.trim()).map((s) => {
      const inp = numberInput(`min-${s.uid}`, { value: minValues.get(s.uid) || "" });
      inp.dataset.uid = String(s.uid);
      return el("div", { class: "field field-inline" }, el("label", { for: inp.id },
        el("span", { class: "sec-code", text: s.code.value.trim() })), inp);
    })));
}

document.querySelectorAll("input[name=pass_rule]").forEach((r) => r.addEventListener("change", () => {
  $("rule-total").hidden = passRule() !== "total";
  changed();
}));

/** The section codes in tie-break order (sections without a code yet are left out). */
export function tieCodes() {
  return tieOrder.map(codeOf).filter(Boolean);
}

/** Put the sections with these codes first, in this order. */
export function setTieOrder(codes) {
  const first = codes.map((c) => sections.find((x) => x.code.value === c)).filter(Boolean)
    .map((x) => x.uid);
  tieOrder = [...first, ...tieOrder.filter((u) => !first.includes(u))];
  renderTieList();
}

/** {section code: minimum} as typed for the total pass rule. */
export function minsByCode() {
  const mins = {};
  $("rule-mins").querySelectorAll("input").forEach((inp) => {
    const code = codeOf(Number(inp.dataset.uid));
    if (int(inp) !== null && code) mins[code] = int(inp);
  });
  return mins;
}

// Texts built here (category options, section titles) follow the language switch.
onLang(() => {
  sections.forEach((s) => {
    s.wantCategory = s.catSel.value;
    fillCategories(s, false);
  });
  refresh();
});
