/* /admin/exams/new: an exam definition (CONTRACT §2.2) from a form, or from a file.
 * The form knows, for each chosen bank, how many questions each category holds, and refuses
 * a count above that before anything is sent; the server checks again, and its problems are
 * shown against the fields they name. */
import {
  $, api, el, enc, fmtNumber, hideBox, onLang, Progress, setFieldLabeller, showError, t, upload,
} from "./common.js";
import {
  addSection, chosenCategory, clearFieldErrors, ensureDetail, getBanks, int, minsByCode,
  onSectionsChange, passRule, refresh, removeAllSections, sections, setBanks, setTieOrder,
  tieCodes,
} from "./exam-sections.js";

const CODE_RE = /^[a-z0-9][a-z0-9-]*$/;
const SECTION_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const params = new URLSearchParams(window.location.search);
let codeTouched = false;

/* ---- identity -------------------------------------------------------------------------- */

function slug(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

$("exam-title").addEventListener("input", () => {
  if (!codeTouched) $("exam-code").value = slug($("exam-title").value);
});
$("exam-code").addEventListener("input", () => {
  codeTouched = $("exam-code").value !== "";
});

/* ---- the definition and its checks ---------------------------------------------------------- */

function definition() {
  const def = {
    exam: $("exam-code").value.trim(),
    title: $("exam-title").value.trim(),
    duration_minutes: int($("duration")),
    shuffle_questions: $("shuffle-questions").checked,
    shuffle_options: $("shuffle-options").checked,
    sections: sections.map((s) => {
      const out = {
        code: s.code.value.trim(),
        title: s.title.value.trim() || undefined,
        draw: [{ bank: s.bankSel.value, category: s.catSel.value, count: int(s.count) }],
        scoring: s.weighted.checked ? "weighted" : {
          correct: int(s.correct), wrong: int(s.wrong) ?? 0, blank: int(s.blank) ?? 0,
          ...(s.partial.checked && !s.partial.closest("label").hidden ? { partial: true } : {}),
        },
      };
      if (int(s.passMark) !== null) out.pass_mark = int(s.passMark);
      return out;
    }),
    tie_break: tieCodes(),
    result_to_candidate: $("result-to-candidate").value,
    scoreboard: { public: $("sb-public").checked, names: $("sb-names").value, mode: $("sb-mode").value },
  };
  if (passRule() === "every_section") def.pass_rule = "every_section";
  else {
    const rule = {};
    if (int($("pass-total")) !== null) rule.total = int($("pass-total"));
    const mins = minsByCode();
    if (Object.keys(mins).length) rule.min = mins;
    def.pass_rule = rule;
  }
  return def;
}

/** Every problem the browser can see: [{input, message}]. */
function check(def) {
  const errs = [];
  const add = (input, key, p) => errs.push({ input, message: t(key, p) });
  if (!def.title) add($("exam-title"), "a.v.required");
  if (!def.exam) add($("exam-code"), "a.v.required");
  else if (!CODE_RE.test(def.exam)) add($("exam-code"), "a.v.exam_code");
  if (def.duration_minutes === null || def.duration_minutes < 1 || def.duration_minutes > 1440) {
    add($("duration"), "a.v.duration");
  }
  if (!sections.length) add($("btn-add-section"), "a.v.no_sections");
  const seenCodes = new Set();
  const seenPools = new Set();
  sections.forEach((s, i) => {
    const d = def.sections[i];
    const where = { n: i + 1 };
    if (!d.code) add(s.code, "a.v.required");
    else if (!SECTION_RE.test(d.code)) add(s.code, "a.v.section_code");
    else if (seenCodes.has(d.code)) add(s.code, "a.v.section_dup", { code: d.code });
    seenCodes.add(d.code);
    const draw = d.draw[0];
    if (!draw.bank) add(s.bankSel, "a.v.required");
    if (!draw.category) add(s.catSel, draw.bank ? "a.v.required" : "a.v.bank_first");
    const pool = `${draw.bank}/${draw.category}`;
    if (draw.bank && draw.category && seenPools.has(pool)) add(s.catSel, "a.v.pool_dup", where);
    seenPools.add(pool);
    const info = chosenCategory(s);
    if (draw.count === null || draw.count < 1) add(s.count, "a.v.count");
    else if (info && draw.count > info.count) {
      add(s.count, "a.v.count_over", { n: draw.count, have: info.count, cat: draw.category });
    }
    if (d.scoring === "weighted") {
      if (info && Object.keys(info.types).some((ty) => ty !== "weighted")) {
        add(s.weighted, "a.v.weighted_mixed", { cat: draw.category });
      }
    } else {
      if (d.scoring.correct === null || d.scoring.correct < 0 || d.scoring.correct > 1000) add(s.correct, "a.v.correct");
      if (int(s.wrong) === null && s.wrong.value.trim() !== "") add(s.wrong, "a.v.integer");
      if (int(s.blank) === null && s.blank.value.trim() !== "") add(s.blank, "a.v.integer");
    }
    if (def.pass_rule === "every_section" && d.pass_mark === undefined) {
      add(s.passMark, s.passMark.value.trim() ? "a.v.integer" : "a.v.pass_mark");
    }
  });
  if (def.pass_rule !== "every_section" && def.pass_rule.total === undefined && !def.pass_rule.min) {
    add($("pass-total"), "a.v.rule_total");
  }
  return errs;
}

function fieldLabel(input) {
  const section = input.closest(".section-card");
  const label = document.querySelector(`label[for="${input.id}"]`)
    || input.closest(".radio-group")?.querySelector(".label-like");
  const name = label ? label.textContent.trim() : input.id;
  if (!section) return name;
  const i = sections.findIndex((s) => s.node === section);
  const code = sections[i] ? sections[i].code.value.trim() : "";
  return `${t("a.form.section_n", { n: i + 1, code: code ? `· ${code}` : "" })} — ${name}`;
}

let submitted = false; // after a first attempt, the list of problems follows every edit

function showFieldErrors(errs, { focus = true } = {}) {
  clearFieldErrors(document);
  const box = $("form-errors");
  if (!errs.length) {
    box.hidden = true;
    return;
  }
  for (const { input, message } of errs) {
    input.setAttribute("aria-invalid", "true");
    const holder = $(`${input.id}-err`) || input.closest(".section-card")?.querySelector(`[id$="-scoring-err"]`);
    if (holder) {
      holder.textContent = holder.hidden ? message : `${holder.textContent} ${message}`;
      holder.hidden = false;
      if (!input.getAttribute("aria-describedby")?.includes(holder.id)) {
        input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${holder.id}`.trim());
      }
    }
  }
  box.replaceChildren(el("span", { class: "notice-icon", "aria-hidden": "true", text: "!" }),
    el("div", {}, el("p", {}, el("strong", { text: t("a.v.summary", { n: errs.length }) })),
      el("ul", { class: "error-links" }, errs.map(({ input, message }) => el("li", {},
        el("a", { href: `#${input.id}`, dataset: { target: input.id } }, `${fieldLabel(input)}: ${message}`))))));
  box.hidden = false;
  if (focus) box.focus();
}

$("form-errors").addEventListener("click", (ev) => {
  const a = ev.target.closest("a[data-target]");
  if (!a) return;
  ev.preventDefault();
  const input = $(a.dataset.target);
  input.scrollIntoView({ block: "center" });
  input.focus();
});

/** Server problem fields ("sections[1].draw[0].count") -> the input they concern. */
function inputForField(fieldName) {
  if (!fieldName) return null;
  const top = { exam: "exam-code", title: "exam-title", duration_minutes: "duration",
    shuffle_questions: "shuffle-questions", shuffle_options: "shuffle-options",
    result_to_candidate: "result-to-candidate", "scoreboard.public": "sb-public",
    "scoreboard.names": "sb-names", "scoreboard.mode": "sb-mode", tie_break: "tie-list",
    pass_rule: "pass-total" };
  const root = fieldName.split(/[[.]/)[0];
  if (fieldName in top) return $(top[fieldName]);
  if (root === "pass_rule") return $("pass-total");
  const m = /^sections\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?(?:\.(\w+))?/.exec(fieldName);
  if (!m) return top[root] ? $(top[root]) : null;
  const s = sections[Number(m[1])];
  if (!s) return null;
  const part = m[3] || m[2];
  return { code: s.code, title: s.title, bank: s.bankSel, category: s.catSel, count: s.count,
    draw: s.count, scoring: s.weighted.checked ? s.weighted : s.correct, correct: s.correct,
    wrong: s.wrong, blank: s.blank, partial: s.partial, pass_mark: s.passMark }[part] || s.code;
}

setFieldLabeller((name) => {
  const input = inputForField(name);
  return input && input.id ? fieldLabel(input) : null;
});

/* ---- summary, submit --------------------------------------------------------------------- */

function summary() {
  const def = definition();
  const total = def.sections.reduce((s, d) => s + (d.draw[0].count || 0), 0);
  const box = $("summary");
  box.replaceChildren();
  const fact = (key, value) => box.append(el("div", {}, el("dt", { i18n: key }), el("dd", {}, value)));
  fact("a.form.exam_code", def.exam ? el("code", { text: def.exam }) : "—");
  fact("a.form.duration", def.duration_minutes ? t("a.minutes", { n: def.duration_minutes }) : "—");
  fact("a.form.total_questions", fmtNumber(total));
  fact("a.form.sections", el("span", { class: "sec-list" }, def.sections.map((d) => el("span", { class: "sec-chip" },
    el("span", { class: "sec-code", text: d.code || "?" }), ` ${d.draw[0].count ?? "?"}`))));
  $("json-preview").textContent = JSON.stringify(def, null, 2);
}

function edited() {
  summary();
  if (submitted) showFieldErrors(check(definition()), { focus: false });
}

onSectionsChange(summary);
$("exam-form").addEventListener("input", edited);
$("exam-form").addEventListener("change", edited);

let busy = false;

$("exam-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (busy) return;
  hideBox($("server-error"));
  const def = definition();
  const errs = check(def);
  submitted = true;
  showFieldErrors(errs);
  if (errs.length) return;
  busy = true;
  const btn = $("btn-create");
  btn.disabled = true;
  btn.textContent = t("a.form.creating");
  const res = await api("/exams", { method: "POST", body: def });
  busy = false;
  btn.disabled = false;
  btn.textContent = t("a.form.create");
  if (res.status === 201) {
    window.location.assign(`/admin/exams/${enc(res.data.exam || def.exam)}?created=1`);
    return;
  }
  // Mark the fields the server names, then show all of its problems.
  const marked = (res.data.problems || []).map((p) => ({ input: inputForField(p.field), message: p.message }))
    .filter((x) => x.input && x.input.id);
  if (res.data.error === "exam_exists") marked.push({ input: $("exam-code"), message: t("a.err.exam_exists") });
  clearFieldErrors(document);
  for (const { input, message } of marked) {
    input.setAttribute("aria-invalid", "true");
    const holder = $(`${input.id}-err`);
    if (holder) {
      holder.textContent = message;
      holder.hidden = false;
    }
  }
  $("form-errors").hidden = true;
  showError($("server-error"), res.data, res.status, { heading: "a.form.refused" });
  $("server-error").scrollIntoView({ block: "nearest" });
});

/* ---- preset ---------------------------------------------------------------------------- */

const SKD = [
  { code: "TWK", title: "Tes Wawasan Kebangsaan", category: "TWK", count: 30,
    scoring: { correct: 5, wrong: 0, blank: 0 }, pass_mark: 65 },
  { code: "TIU", title: "Tes Intelegensia Umum", category: "TIU", count: 35,
    scoring: { correct: 5, wrong: 0, blank: 0 }, pass_mark: 80 },
  { code: "TKP", title: "Tes Karakteristik Pribadi", category: "TKP", count: 45,
    scoring: "weighted", pass_mark: 166 },
];

$("btn-preset").addEventListener("click", async () => {
  // The bank: the first section's when it holds the SKD counts, else the first bank that
  // does, else the bank with the most TWK, TIU and TKP questions.
  const fits = (d) => d && SKD.every((s) => d.categories[s.category]
    && d.categories[s.category].count >= s.count);
  const size = (d) => (d ? SKD.reduce((n, s) => n + (d.categories[s.category]?.count || 0), 0) : 0);
  const chosen = sections[0] && sections[0].bankSel.value;
  let bank = chosen && fits(await ensureDetail(chosen)) ? chosen : "";
  if (!bank) {
    let best = 0;
    for (const b of getBanks()) {
      const d = await ensureDetail(b.bank);
      if (fits(d)) {
        bank = b.bank;
        break;
      }
      if (size(d) > best) {
        best = size(d);
        bank = b.bank;
      }
    }
  }
  removeAllSections();
  SKD.forEach((s) => addSection({ ...s, bank }));
  setTieOrder(["TKP", "TIU", "TWK"]);
  if (!$("exam-title").value) {
    $("exam-title").value = "SKD CPNS";
    if (!codeTouched) $("exam-code").value = "skd-cpns";
  }
  $("duration").value = "100";
  $("result-to-candidate").value = "score_and_pass";
  document.querySelector("input[name=pass_rule][value=every_section]").checked = true;
  $("rule-total").hidden = true;
  refresh();
  sections[0].code.focus();
});

$("btn-add-section").addEventListener("click", () => {
  const s = addSection({ bank: sections.length ? sections[sections.length - 1].bankSel.value : undefined });
  s.code.focus();
});

/* ---- from a file ----------------------------------------------------------------------- */

const fileProgress = new Progress($("file-progress"));

$("file-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  hideBox($("file-error"));
  const f = $("exam-file").files[0];
  if (!f) {
    showError($("file-error"), { error: "no_file" }, 400);
    return;
  }
  const data = new FormData();
  data.append("file", f);
  $("btn-file").disabled = true;
  const res = await upload("/exams", data, (p) => fileProgress.update(p));
  fileProgress.hide();
  $("btn-file").disabled = false;
  if (res.status === 201) {
    window.location.assign(`/admin/exams/${enc(res.data.exam)}?created=1`);
    return;
  }
  showError($("file-error"), res.data, res.status, { heading: "a.form.refused" });
});

/* ---- start ----------------------------------------------------------------------------- */

(async () => {
  const res = await api("/banks");
  if (!res.ok) {
    showError($("bank-load-error"), res.data, res.status);
  } else {
    setBanks(res.data.banks);
    if (!res.data.banks.length) {
      $("bank-load-error").replaceChildren(el("span", { class: "notice-icon", "aria-hidden": "true", text: "!" }),
        el("div", {}, el("p", { i18n: "a.form.no_banks" }),
          el("a", { href: "/admin/banks/upload", i18n: "a.banks.upload" })));
      $("bank-load-error").className = "notice notice-warn";
      $("bank-load-error").hidden = false;
    }
  }
  addSection({ bank: params.get("bank") || undefined });
})();
