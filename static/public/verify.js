/* /verify: a receipt code (typed, pasted, or after '#' from the QR) checked in the browser.
 *
 * The receipt is decoded and rebuilt into its Merkle leaf here; the server only supplies the
 * inclusion proof and the published record, and neither is believed without checking:
 * the proof must lead to the checkpoint's root, the checkpoint must carry a valid Ed25519
 * signature of the exam's key, and it must be one of the published, consistent checkpoints.
 */
import {
  $, api, el, failure, fmtInt, fmtScore, fmtTime, getJson, hashCode, onLanguage, t,
} from "./common.js";
import {
  decodeReceipt, leafHash, receiptLeaf, toHex, verifyCheckpoint, verifyConsistency,
  verifyInclusion,
} from "./verifier.js";

let run = 0; // the latest check; answers of earlier ones are dropped
let S = null; // what the latest check found, kept to re-render in another language

/* ---- the check ---------------------------------------------------------------------- */

async function check(code) {
  const mine = (run += 1);
  S = { verdict: "working", checks: [], receipt: null, record: null };
  render();
  const decoded = decodeReceipt(code);
  if (!decoded.ok) {
    S.verdict = "fail";
    S.reason = { key: decoded.reason === "empty" ? "pub.vf.r_empty" : "pub.vf.r_decode" };
    render();
    return;
  }
  const r = decoded.receipt;
  S.receipt = r;
  const leaf = leafHash(receiptLeaf(r));
  S.checks.push({ ok: true, key: "pub.vf.c_decode", params: { exam: r.exam, seq: r.seq } });
  S.checks.push({ ok: true, key: "pub.vf.c_leaf", hashes: { hash: toHex(leaf) } });
  render();

  // The proof first, then the record: a checkpoint the proof names is then always in it.
  const base = `/exams/${encodeURIComponent(r.exam)}`;
  const proofAnswer = await getJson(api(`${base}/proof/${r.seq}`));
  if (mine !== run) return;
  if (!proofAnswer.ok) {
    S.verdict = proofAnswer.body.error === "exam_not_found" ? "fail" : "pending";
    S.reason = proofAnswer.body.error === "not_checkpointed"
      ? { key: "pub.vf.pending_text" } : { text: failure(proofAnswer, r.exam) };
    render();
    return;
  }
  const recordAnswer = await getJson(api(`${base}/transparency`));
  if (mine !== run) return;
  if (!recordAnswer.ok) {
    S.verdict = "pending";
    S.reason = { text: failure(recordAnswer, r.exam) };
    render();
    return;
  }
  const proof = proofAnswer.body;
  const record = recordAnswer.body;
  S.record = record;
  const cp = proof.checkpoint || {};
  const published = Array.isArray(record.checkpoints) ? record.checkpoints : [];
  const latest = published[published.length - 1];
  const shortRoot = { root: cp.root };
  const key = { key: record.public_key };

  const rightEvent = proof.seq === r.seq && proof.index === r.seq - 1;
  const included = rightEvent && verifyInclusion(leaf, r.seq - 1, cp.size, proof.proof, cp.root);
  S.checks.push({
    ok: included,
    key: included ? "pub.vf.c_inclusion_ok" : "pub.vf.c_inclusion_bad",
    params: { seq: r.seq, size: () => fmtInt(cp.size) },
    hashes: shortRoot,
  });

  const signed = verifyCheckpoint(record.public_key, r.exam, cp);
  S.checks.push({
    ok: signed,
    key: signed ? "pub.vf.c_signature_ok" : "pub.vf.c_signature_bad",
    params: { size: () => fmtInt(cp.size), time: () => fmtTime(cp.time) },
    hashes: key,
  });

  const inRecord = isPublished(record, cp, latest);
  S.checks.push({
    ok: inRecord,
    key: inRecord ? "pub.vf.c_published_ok" : "pub.vf.c_published_bad",
    params: { latest: () => (latest ? fmtInt(latest.size) : "–") },
  });

  if (!rightEvent) S.reason = { key: "pub.vf.r_index", params: { seq: r.seq } };
  else if (!included) S.reason = { key: "pub.vf.r_inclusion" };
  else if (!signed) S.reason = { key: "pub.vf.r_signature" };
  else if (!inRecord) S.reason = { key: "pub.vf.r_published" };
  else S.reason = { key: "pub.vf.ok_text", params: { exam: r.exam } };
  S.verdict = rightEvent && included && signed && inRecord ? "ok" : "fail";
  render();
}

/** Is `cp` one of the published checkpoints, and is the latest one signed and consistent with it? */
function isPublished(record, cp, latest) {
  const same = (a) => a && a.size === cp.size && a.root === cp.root && a.time === cp.time &&
    a.signature === cp.signature;
  if (!latest || !record.checkpoints.some(same)) return false;
  if (same(latest)) return true;
  if (!verifyCheckpoint(record.public_key, record.exam, latest)) return false;
  const entry = (latest.consistency || []).find((p) => p && p.from === cp.size);
  return Boolean(entry) && verifyConsistency(cp.size, latest.size, cp.root, latest.root, entry.proof);
}

/* ---- the page ------------------------------------------------------------------------- */

const WORDS = { ok: "pub.vf.ok", fail: "pub.vf.fail", pending: "pub.vf.pending",
  working: "pub.vf.working" };

function render() {
  $("outcome").hidden = !S;
  if (!S) return;
  const banner = $("verdict");
  banner.dataset.state = S.verdict;
  $("verdict-word").textContent = t(WORDS[S.verdict]);
  const reason = S.reason || {};
  $("verdict-text").textContent = reason.text ||
    (reason.key ? t(reason.key, resolve(reason.params)) : "");
  $("btn-retry").hidden = S.verdict !== "pending";
  renderClaims();
  renderChecks();
}

function renderClaims() {
  const r = S.receipt;
  $("claims").hidden = !r;
  if (!r) return;
  const note = $("claims-note");
  note.hidden = S.verdict !== "ok" && S.verdict !== "fail";
  note.dataset.ok = String(S.verdict === "ok");
  note.textContent = t(S.verdict === "ok" ? "pub.vf.claims_proven" : "pub.vf.claims_unproven");
  const fact = (key, value) => [el("dt", {}, t(key)), el("dd", {}, value)];
  const scored = r.scored;
  $("claims-facts").replaceChildren(
    ...fact("pub.vf.claim_exam", el("code", { translate: "no" }, r.exam)),
    ...fact("pub.vf.claim_attempt", String(r.attempt ?? "–")),
    ...fact("pub.vf.claim_event", `#${r.seq}`),
    ...fact("pub.vf.claim_time", fmtTime(r.at)),
    ...(scored.scorer !== undefined ? fact("pub.vf.claim_scorer", String(scored.scorer)) : []),
  );
  const sections = scored.sections && typeof scored.sections === "object" ? scored.sections : {};
  const titles = sectionTitles();
  const order = [...Object.keys(titles).filter((c) => c in sections),
    ...Object.keys(sections).filter((c) => !(c in titles)).sort()];
  $("claims-scores").replaceChildren(...order.map((code) => el("tr", {},
    el("th", { scope: "row" }, el("span", { className: "sec-code" }, code),
      titles[code] ? el("span", { className: "sec-title" }, ` ${titles[code]}`) : null),
    el("td", { className: "num" }, fmtScore(sections[code])))));
  $("claims-total").textContent = fmtScore(scored.total);
  const passed = $("claims-passed");
  passed.hidden = typeof scored.passed !== "boolean";
  if (!passed.hidden) {
    passed.dataset.passed = String(scored.passed);
    passed.replaceChildren(
      el("span", { className: "sr-only" }, `${t("pub.vf.claim_verdict")}: `),
      el("span", { className: "mark-icon", "aria-hidden": "true" }, scored.passed ? "✓" : "✕"),
      " ", t(scored.passed ? "pub.rs.passed" : "pub.rs.failed"));
  }
}

/** Section code -> title, from the revealed rules when the exam's are public. */
function sectionTitles() {
  const defn = S.record && S.record.reveal && S.record.reveal.material &&
    S.record.reveal.material.definition;
  const out = {};
  if (defn && Array.isArray(defn.sections)) {
    for (const s of defn.sections) if (s && s.code) out[s.code] = s.title || "";
  }
  return out;
}

function renderChecks() {
  $("checks-card").hidden = !S.checks.length;
  $("checks").replaceChildren(...S.checks.map((c) => {
    const text = t(c.key, resolve(c.params));
    // {hash}-style placeholders become shortened hashes in code, the whole one in the title.
    const parts = text.split(/\{(\w+)\}/);
    const body = parts.map((part, i) => (i % 2 && c.hashes && part in c.hashes
      ? hashCode(c.hashes[part]) : part));
    return el("li", { className: "check", dataset: { ok: String(c.ok) } },
      el("span", { className: "mark-icon", "aria-hidden": "true" }, c.ok ? "✓" : "✕"),
      el("span", { className: "sr-only" }, `${t(c.ok ? "pub.vf.check_ok" : "pub.vf.check_fail")}: `),
      el("span", { className: "check-text" }, ...body));
  }));
  const exam = S.receipt && S.receipt.exam;
  $("exam-links").hidden = !exam || !S.record;
  if (exam) {
    $("link-transparency").href = `/transparency/${encodeURIComponent(exam)}`;
    $("link-results").href = `/results/${encodeURIComponent(exam)}`;
    $("link-results").parentElement.hidden = !(S.record && S.record.revealed);
  }
}

/** Params whose values are functions are formatted now, in the current language. */
function resolve(params) {
  return Object.fromEntries(Object.entries(params || {})
    .map(([k, v]) => [k, typeof v === "function" ? v() : v]));
}

function codeFromHash() {
  const raw = window.location.hash.slice(1);
  try {
    return decodeURIComponent(raw).trim();
  } catch (_e) {
    return raw.trim();
  }
}

$("verify-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const code = $("receipt-input").value.replace(/\s+/g, "");
  if (code) window.history.replaceState(null, "", `#${code}`);
  check(code);
});

$("btn-retry").addEventListener("click", () => check($("receipt-input").value));

window.addEventListener("hashchange", () => {
  const code = codeFromHash();
  if (code && code !== $("receipt-input").value.trim()) {
    $("receipt-input").value = code;
    check(code);
  }
});

onLanguage(render);

const initial = codeFromHash();
if (initial) {
  $("receipt-input").value = initial;
  check(initial);
}
