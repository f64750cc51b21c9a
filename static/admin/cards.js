/* /admin/exams/<exam>/cards: printable login cards, 8 to an A4 sheet, each with the participant
 * number, name, password, the exam and its login address with a QR code of that address.
 * The passwords come from this tab's sessionStorage (put there by the import) or from the
 * password CSV the admin downloaded then; the server cannot show them again. */
import { $, api, el, enc, fmtNumber, notice, onLang, t } from "./common.js";
import { forgetCards, loadCards } from "./cards-store.js";
import { parseCandidates } from "./csv.js";

const EXAM = document.body.dataset.exam;
const PER_SHEET = 8;
const loginUrl = `${window.location.origin}/?exam=${enc(EXAM)}`;

let data = loadCards(EXAM); // {exam, title, rows: [{participant_no, name, password}]}
let title = data ? data.title : EXAM;
let qrSrc = null;
let noticeFn = null;

function setNotice(fn) {
  noticeFn = fn;
  $("cards-notice").replaceChildren(fn ? fn() : "");
}

/** The QR code of the login address as a data: URL (img-src allows data:). */
function qrDataUrl() {
  if (qrSrc) return qrSrc;
  if (typeof window.qrcode !== "function") return null;
  const qr = window.qrcode(0, "M");
  qr.addData(loginUrl);
  qr.make();
  qrSrc = qr.createDataURL(6, 0);
  return qrSrc;
}

function card(row) {
  const src = qrDataUrl();
  return el("article", { class: "login-card", dataset: { participant: row.participant_no } },
    el("header", { class: "lc-head" },
      el("span", { class: "lc-mark", "aria-hidden": "true", text: "CAT" }),
      el("div", { class: "lc-title" },
        el("p", { class: "lc-kind", i18n: "a.cards.card_title" }),
        el("p", { class: "lc-exam", text: title })),
      el("div", { class: "lc-examcode" },
        el("p", { class: "lc-kind", i18n: "a.cards.exam_code" }),
        el("p", { class: "lc-code", text: EXAM }))),
    el("div", { class: "lc-body" },
      el("dl", { class: "lc-fields" },
        el("div", {}, el("dt", { i18n: "a.cards.participant_no" }), el("dd", { class: "lc-no", text: row.participant_no })),
        el("div", {}, el("dt", { i18n: "a.cards.name" }), el("dd", { class: "lc-name", text: row.name || "—" })),
        el("div", {}, el("dt", { i18n: "a.cards.password" }), el("dd", {},
          el("span", { class: "lc-password", text: row.password })))),
      src ? el("img", { class: "lc-qr", src, width: "120", height: "120",
        alt: t("a.cards.qr_alt", { url: loginUrl }) }) : null),
    el("footer", { class: "lc-foot" },
      el("p", { class: "lc-url" }, el("span", { i18n: "a.cards.address" }), " ", el("strong", { text: loginUrl })),
      el("p", { class: "lc-note", i18n: "a.cards.note" })));
}

function render() {
  const sheets = $("sheets");
  if (!data || !data.rows.length) {
    sheets.replaceChildren();
    $("btn-print").disabled = true;
    $("btn-forget").disabled = true;
    $("cards-sub").textContent = "";
    if (!noticeFn) {
      setNotice(() => notice("warn", el("p", {}, el("strong", { i18n: "a.cards.none" })),
        el("p", { i18n: "a.cards.none_detail" }),
        el("p", {}, el("a", { href: `/admin/exams/${enc(EXAM)}`, i18n: "a.cards.back" }))));
    }
    return;
  }
  if (typeof window.qrcode !== "function") {
    setNotice(() => notice("error", el("p", { i18n: "a.cards.no_qr_lib" })));
  }
  $("cards-sub").textContent = t("a.cards.sub", {
    n: fmtNumber(data.rows.length), sheets: Math.ceil(data.rows.length / PER_SHEET), title,
  });
  const out = [];
  for (let i = 0; i < data.rows.length; i += PER_SHEET) {
    out.push(el("section", { class: "sheet", "aria-label": t("a.cards.sheet", { n: i / PER_SHEET + 1 }) },
      data.rows.slice(i, i + PER_SHEET).map(card)));
  }
  sheets.replaceChildren(...out);
  $("btn-print").disabled = false;
  $("btn-forget").disabled = false;
}

$("btn-print").addEventListener("click", () => window.print());

$("btn-forget").addEventListener("click", () => {
  if (!window.confirm(t("a.cards.forget_confirm"))) return;
  forgetCards(EXAM);
  data = null;
  setNotice(() => notice("ok", el("p", { i18n: "a.cards.forgotten" })));
  render();
});

$("creds-file").addEventListener("change", async () => {
  const f = $("creds-file").files[0];
  if (!f) return;
  const parsed = parseCandidates(await f.text());
  const unquote = (s) => (/^'[=+\-@]/.test(s) ? s.slice(1) : s);
  const rows = parsed.rows.filter((r) => r.participant_no && r.password && (!r.exam || r.exam === EXAM))
    .map((r) => ({ participant_no: unquote(r.participant_no), name: unquote(r.name || ""),
      password: r.password }));
  if (!parsed.columns.includes("password") || !rows.length) {
    setNotice(() => notice("error", el("p", { text: t("a.cards.bad_file", { name: f.name }) })));
    return;
  }
  data = { exam: EXAM, title, rows };
  setNotice(() => notice("ok", el("p", { text: t("a.cards.loaded", { n: fmtNumber(rows.length), name: f.name }) })));
  render();
});

onLang(() => {
  setNotice(noticeFn);
  render();
});

// The exam's title, for a file loaded without it (and to be sure it is the current one).
api(`/exams/${enc(EXAM)}`).then((res) => {
  if (res.ok && res.data.title) {
    title = res.data.title;
    render();
  }
});
render();
