/* /results/<exam>: the announcement, once final; its final checkpoint's signature checked here. */
import {
  $, api, el, exam, failure, fmtInt, fmtScore, fmtTime, getJson, onLanguage, t,
} from "./common.js";
import { verifyCheckpoint } from "./verifier.js";

const POLL_MS = 30000;
let data = null;
let signed = null;

function renderHead() {
  const cols = [
    el("th", { scope: "col", className: "num" }, t("pub.rs.col_rank")),
    el("th", { scope: "col" }, t("pub.rs.col_no")),
    el("th", { scope: "col" }, t("pub.rs.col_name")),
    ...data.sections.map((s) => el("th", { scope: "col", className: "num sec-col", title: s.title },
      el("span", { className: "sec-code" }, s.code),
      el("span", { className: "sr-only" }, ` ${s.title}`),
      s.pass_mark == null ? null
        : el("span", { className: "th-sub" }, t("pub.rs.pass_mark", { mark: fmtScore(s.pass_mark) })))),
    el("th", { scope: "col", className: "num" }, t("pub.rs.col_total")),
    el("th", { scope: "col" }, t("pub.rs.col_result")),
  ];
  $("results-head").replaceChildren(...cols);
}

function scoreCell(section, value) {
  const below = section.pass_mark != null && typeof value === "number" && value < section.pass_mark;
  return el("td", { className: below ? "num below" : "num" }, fmtScore(value),
    below ? el("span", { className: "sr-only" }, ` (${t("pub.rs.below")})`) : null);
}

function renderRows() {
  const rows = data.rows.map((r) => el("tr", {
    dataset: { passed: String(r.passed), participant: r.participant_no },
  },
  el("td", { className: "num rank" }, r.rank ?? "–"),
  el("td", { className: "pno", translate: "no" }, r.participant_no),
  el("td", { className: "name" }, r.name || ""),
  ...data.sections.map((s) => scoreCell(s, (r.sections || {})[s.code])),
  el("td", { className: "num total" }, fmtScore(r.total)),
  el("td", {}, el("span", { className: "pass-badge", dataset: { passed: String(r.passed) } },
    el("span", { className: "mark-icon", "aria-hidden": "true" }, r.passed ? "✓" : "✕"),
    " ", t(r.passed ? "pub.rs.passed" : "pub.rs.failed")))));
  $("results-rows").replaceChildren(...rows);
  applyFilter();
}

function applyFilter() {
  const q = $("filter").value.trim().toLowerCase();
  let shown = 0;
  for (const tr of $("results-rows").rows) {
    const hit = !q || tr.textContent.toLowerCase().includes(q);
    tr.hidden = !hit;
    if (hit) shown += 1;
  }
  $("filter-none").hidden = shown > 0 || !data.rows.length;
}

function render() {
  if (!data) return;
  $("exam-title").textContent = data.title || exam;
  document.title = `${data.title || exam} — ${t("pub.rs.title")}`;
  const passed = data.rows.filter((r) => r.passed).length;
  $("summary").textContent = t("pub.rs.summary", { n: fmtInt(data.rows.length),
    passed: fmtInt(passed) });
  renderHead();
  renderRows();
  const cp = data.final_checkpoint;
  $("final-size").textContent = cp ? fmtInt(cp.size) : "–";
  $("final-time").textContent = cp ? fmtTime(cp.time) : "–";
  $("final-root").textContent = cp ? cp.root : "–";
  const line = $("final-signed");
  line.dataset.ok = String(signed);
  line.textContent = t(signed ? "pub.rs.final_signed_ok" : "pub.rs.final_signed_bad");
}

async function load() {
  const answer = await getJson(api(`/exams/${encodeURIComponent(exam)}/announcement`));
  $("loading").hidden = true;
  if (answer.status === 409 && answer.body.error === "not_final") {
    $("not-final").hidden = false;
    const record = await getJson(api(`/exams/${encodeURIComponent(exam)}/transparency`));
    if (record.ok && record.body.title) $("exam-title").textContent = record.body.title;
    window.setTimeout(load, POLL_MS);
    return;
  }
  if (!answer.ok) {
    $("load-error").hidden = false;
    $("load-error").textContent = failure(answer, exam);
    return;
  }
  data = answer.body;
  data.sections = Array.isArray(data.sections) ? data.sections : [];
  data.rows = Array.isArray(data.rows) ? data.rows : [];
  signed = Boolean(data.final_checkpoint) &&
    verifyCheckpoint(data.public_key, exam, data.final_checkpoint);
  $("not-final").hidden = true;
  $("announcement").hidden = false;
  render();
}

$("filter").addEventListener("input", applyFilter);
onLanguage(render);
load();
