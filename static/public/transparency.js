/* /transparency/<exam>: the published record, every signature and proof re-checked here. */
import {
  $, api, copyButton, el, exam, failure, fmtInt, fmtTime, getJson, hashCode, onLanguage, t,
} from "./common.js";
import { checkCommitment, checkHistory } from "./verifier.js";

let record = null;
let verdicts = [];
let commitmentOk = null;

function renderSummary() {
  const box = $("summary");
  const cps = record.checkpoints;
  const bad = verdicts.filter((v) => !v.signed || v.consistent === false).length;
  if (!cps.length) {
    box.dataset.state = "pending";
    $("summary-text").textContent = t("pub.tr.summary_none");
  } else if (bad) {
    box.dataset.state = "fail";
    $("summary-text").textContent = t("pub.tr.summary_bad", { n: bad });
  } else {
    box.dataset.state = "ok";
    $("summary-text").textContent = t("pub.tr.summary_ok", { n: cps.length });
  }
  $("summary-note").hidden = !cps.length;
}

function renderRecord() {
  $("exam-title").textContent = record.title || exam;
  document.title = `${record.title || exam} — ${t("pub.tr.title")}`;
  const status = $("exam-status");
  status.hidden = false;
  status.dataset.status = record.status;
  status.textContent = t(`pub.status.${record.status}`);

  $("key-text").textContent = t("pub.tr.key_text", { algorithm: record.algorithm });
  $("public-key").textContent = record.public_key;
  $("key-copy").replaceChildren(copyButton(() => record.public_key));

  $("commitment").textContent = record.commitment || "–";
  const state = $("commit-state");
  if (!record.commitment) {
    state.dataset.ok = "";
    state.textContent = t("pub.tr.commit_none");
  } else if (!record.revealed) {
    state.dataset.ok = "";
    state.textContent = t("pub.tr.commit_hidden");
  } else {
    state.dataset.ok = String(commitmentOk);
    state.textContent = t(commitmentOk ? "pub.tr.commit_ok" : "pub.tr.commit_bad");
  }

  const rows = record.checkpoints.map((cp, i) => {
    const v = verdicts[i];
    const sizes = v.problems.filter((p) => p.from !== undefined).map((p) => p.from);
    let consistent;
    if (v.consistent === null) consistent = mark(null, t("pub.tr.consistent_first"));
    else if (v.consistent) consistent = mark(true, t("pub.tr.consistent_ok", { n: i }));
    else consistent = mark(false, t("pub.tr.consistent_bad", { sizes: sizes.join(", ") }));
    return el("tr", { dataset: { size: cp.size, signed: v.signed, consistent: v.consistent } },
      el("td", { className: "num" }, i + 1),
      el("td", { className: "num" }, fmtInt(cp.size)),
      el("td", {}, fmtTime(cp.time)),
      el("td", {}, hashCode(cp.root, 12, 6)),
      el("td", { className: "col-signed" },
        mark(v.signed, t(v.signed ? "pub.tr.signed_ok" : "pub.tr.signed_bad"))),
      el("td", { className: "col-consistent" }, consistent));
  });
  $("cp-rows").replaceChildren(...rows);

  $("bundle-item").hidden = !record.revealed;
  $("results-item").hidden = !record.revealed;
  $("bundle-later").hidden = record.revealed;
  renderSummary();
}

/** A tick, a cross or a dash, with the words beside it (colour is never the only sign). */
function mark(ok, words) {
  const icon = ok === null ? "–" : ok ? "✓" : "✕";
  return el("span", { className: "mark", dataset: { ok: ok === null ? "" : String(ok) } },
    el("span", { className: "mark-icon", "aria-hidden": "true" }, icon), " ", words);
}

async function load() {
  const answer = await getJson(api(`/exams/${encodeURIComponent(exam)}/transparency`));
  if (!answer.ok) {
    $("summary").hidden = true;
    const box = $("load-error");
    box.hidden = false;
    box.textContent = failure(answer, exam);
    return;
  }
  record = answer.body;
  const checkpoints = Array.isArray(record.checkpoints) ? record.checkpoints : [];
  record.checkpoints = checkpoints;
  verdicts = checkHistory(record.public_key, exam, checkpoints);
  commitmentOk = record.revealed && record.reveal
    ? checkCommitment(record.commitment, record.reveal) : null;
  $("record").hidden = false;
  renderRecord();
}

onLanguage(() => {
  if (record) renderRecord();
});
load();
