/* The proctor dashboard: pick an exam, watch its room live, act with a reason.
 *
 * Rows come by push only: `watch` answers with every row, then `candidate` events carry each
 * changed row. The only polling-like call is the incident list, fetched again when a row's
 * incident count grows. The /proctor socket is authenticated by the session cookie that
 * POST /api/v1/login set, so no token is kept in the page.
 */
import { ActionDialog, RowMenu } from "./actions.js";
import {
  $, errorText, ExamPicker, fmtNumber, fmtTime, isAuthError, onLang, t, toLogin,
} from "./common.js";
import { IncidentPanel } from "./incidents.js";
import { Roster } from "./roster.js";

const ACK_MS = 10000;

let examCode = null;
let liveState = "connecting";
let lastStats = null;

/* ---- small page helpers ------------------------------------------------------------------ */

let pageError = null;
function showPageError(render) {
  pageError = render;
  $("page-error").hidden = !render;
  if (render) $("page-error-text").textContent = render();
}

const announcer = $("announcer");
let announceTimer = null;
function announce(text) {
  // Re-set the text after a beat so a repeated message is read again.
  announcer.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

let toastTimer = null;
let toastRender = null;
function toast(render, kind = "ok") {
  toastRender = render;
  const box = $("toast");
  box.dataset.kind = kind;
  $("toast-icon").textContent = kind === "ok" ? "✓" : "!";
  $("toast-text").textContent = render();
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
    toastRender = null;
  }, 6000);
}

/* ---- the socket ----------------------------------------------------------------------------- */

const socket = window.io("/proctor", {
  transports: ["websocket", "polling"],
  autoConnect: false,
});

/** Emit with an ack; a timeout or a dropped connection resolves as a refusal. */
function send(event, payload) {
  return new Promise((resolve) => {
    if (!socket.connected) {
      resolve({ ok: false, error: "offline" });
      return;
    }
    socket.timeout(ACK_MS).emit(event, payload, (err, ack) => {
      resolve(err ? { ok: false, error: "timeout" } : ack || { ok: false, error: "timeout" });
    });
  });
}

function setLive(state) {
  liveState = state;
  $("live").dataset.state = state;
  $("live-text").textContent = t(`p.live.${state}`);
  document.body.dataset.live = state;
  $("stale-notice").hidden = state !== "offline";
}

socket.on("connect", () => {
  setLive("online");
  watch();
});

socket.on("disconnect", (reason) => {
  setLive("offline");
  if (reason === "io server disconnect") toLogin("expired"); // token revoked, user disabled
});

socket.on("connect_error", (err) => {
  if (socket.active) {
    setLive("offline"); // a network problem: the client retries by itself
    return;
  }
  toLogin("expired"); // refused at connect: the session is gone or the role cannot proctor
  void err;
});

// Every row that changed in one publisher tick, in one event (`watch` with `batch: true`).
socket.on("candidates", (data) => {
  if (!data || data.exam !== examCode) return;
  for (const row of data.rows) {
    roster.upsert(row);
    menu.refresh(row); // an open menu follows its row (runs after the module has loaded)
  }
});

async function watch() {
  if (!examCode) return;
  const code = examCode;
  const ack = await send("watch", { exam: code, batch: true });
  if (code !== examCode) return; // the proctor picked another exam meanwhile
  if (!ack.ok) {
    if (isAuthError(ack)) {
      toLogin("expired");
      return;
    }
    showPageError(() => errorText(ack, 400));
    return;
  }
  showPageError(null);
  roster.reset(ack.candidates || []);
  incidents.load();
}

/* ---- the exam: picker, header, open/close -------------------------------------------------- */

const picker = new ExamPicker($("exam-select"), (code) => {
  examCode = code;
  renderExam();
  roster.clear();
  incidents.reset(code);
  $("roster-empty").textContent = t("p.roster.loading");
  // A fresh connection leaves the old exam's room; `connect` watches the new one.
  if (socket.connected) socket.disconnect();
  setLive("connecting");
  socket.connect();
});

function renderExam() {
  const exam = picker.exam;
  $("exam-title").textContent = exam ? exam.title || exam.exam : t("p.exam.none");
  const badge = $("exam-status");
  badge.dataset.status = exam ? exam.status : "";
  badge.textContent = exam ? t(`p.exam.status.${exam.status}`) : "";
  // draft -> open -> closed: a closed exam does not reopen.
  $("btn-exam-open").hidden = !exam || exam.status !== "draft";
  $("btn-exam-close").hidden = !exam || exam.status !== "open";
}

function examTarget() {
  const exam = picker.exam;
  return { exam: examCode, title: exam ? exam.title : examCode };
}

$("btn-exam-open").addEventListener("click", (ev) => {
  dialog.open("open", examTarget(), ev.currentTarget);
});
$("btn-exam-close").addEventListener("click", (ev) => {
  dialog.open("close", examTarget(), ev.currentTarget);
});

/* ---- the table ------------------------------------------------------------------------------ */

const roster = new Roster($("roster-body"), $("row-template"), {
  onRefresh(stats) {
    lastStats = stats;
    renderStats();
  },
  onIncidents() {
    incidents.schedule();
  },
  onOffline(entry) {
    announce(t("p.announce.offline", { no: entry.data.participant_no }));
  },
});

function renderStats() {
  const s = lastStats;
  if (!s) return;
  for (const key of ["all", "active", "paused", "not_started", "ended", "offline",
    "incidents"]) {
    const n = s[key] || 0;
    $(`sum-${key}`).textContent = fmtNumber(n);
    const li = $(`sum-${key}`).closest(".sum");
    li.dataset.zero = String(n === 0);
  }
  $("roster-count").textContent = t("p.roster.count", {
    shown: fmtNumber(s.shown), total: fmtNumber(s.all),
  });
  const empty = $("roster-empty");
  empty.hidden = s.shown > 0;
  empty.textContent = s.all === 0 ? t(examCode ? "p.roster.none" : "p.exam.empty")
    : t("p.roster.no_match");
}

const search = $("f-search");
search.addEventListener("input", () => {
  roster.setFilter({ q: search.value.trim().toLowerCase() });
});
$("f-status").addEventListener("change", (ev) => roster.setFilter({ status: ev.target.value }));
$("f-sort").addEventListener("change", (ev) => {
  roster.setSort(ev.target.value);
  markSorted(ev.target.value);
});

function markSorted(key) {
  document.querySelectorAll("#roster thead th[data-col]").forEach((th) => {
    if (th.dataset.col === key) {
      th.setAttribute("aria-sort", key === "incidents" ? "descending" : "ascending");
    } else th.removeAttribute("aria-sort");
  });
}
markSorted("no");

document.addEventListener("keydown", (ev) => {
  if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const tag = (ev.target.tagName || "").toLowerCase();
  if (["input", "textarea", "select"].includes(tag) || $("action-dialog").open) return;
  ev.preventDefault();
  search.focus();
  search.select();
});

setInterval(() => roster.tick(), 1000);

/* ---- row actions ----------------------------------------------------------------------------- */

const menu = new RowMenu($("row-menu"), (action, row, button) => {
  dialog.open(action, { exam: examCode, title: examTarget().title, row }, button);
});

$("roster-body").addEventListener("click", (ev) => {
  const btn = ev.target.closest("[data-do]");
  if (!btn) return;
  const no = btn.closest("tr").dataset.no;
  const entry = roster.get(no);
  if (!entry) return;
  if (btn.dataset.do === "menu") menu.toggle(btn, entry.data);
  else if (btn.dataset.do === "incidents") incidents.showOf(no);
});

$("roster-body").addEventListener("keydown", (ev) => {
  const btn = ev.target.closest("[data-do=menu]");
  if (!btn || !["ArrowDown", "ArrowUp"].includes(ev.key)) return;
  ev.preventDefault();
  const entry = roster.get(btn.closest("tr").dataset.no);
  if (entry) menu.open(btn, entry.data, ev.key === "ArrowUp");
});

const dialog = new ActionDialog(send, (action, target, ack, payload) => {
  const no = target.row ? target.row.participant_no : "";
  if (action === "open" || action === "close") {
    picker.setStatus(ack.exam || target.exam, ack.status);
    renderExam();
    toast(() => t(`p.done.${action}`));
    return;
  }
  if (action === "extend" && typeof ack.deadline === "number") {
    roster.patch(no, { deadline: ack.deadline });
  }
  const total = ack.result && ack.result.total;
  if (action === "force_submit" && total !== undefined && total !== null) {
    toast(() => t("p.done.force_submit_score", { no, total }));
  } else {
    toast(() => t(`p.done.${action}`, { no, minutes: payload.minutes }));
  }
});

/* ---- incidents --------------------------------------------------------------------------------- */

const incidents = new IncidentPanel(roster, {
  announce,
  // A participant number in the incident list finds that candidate's row in the table.
  pick(no) {
    const entry = roster.get(no);
    if (!entry) return;
    if (entry.tr.hidden) {
      search.value = no;
      $("f-status").value = "";
      roster.setFilter({ q: no.toLowerCase(), status: "" });
    }
    entry.tr.scrollIntoView({ block: "center" });
    entry.cells.menu.focus();
    entry.tr.classList.remove("flash");
    void entry.tr.offsetWidth; // restart the highlight animation
    entry.tr.classList.add("flash");
  },
});

/* ---- message everyone ------------------------------------------------------------------------- */

let bcStatus = null;
$("bc-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const box = $("bc-text");
  const text = box.value.trim();
  box.removeAttribute("aria-invalid");
  if (!text) {
    box.setAttribute("aria-invalid", "true");
    bcStatus = () => t("p.err.text_required");
    $("bc-status").textContent = bcStatus();
    box.focus();
    return;
  }
  $("bc-send").disabled = true;
  const ack = await send("message", { exam: examCode, text });
  $("bc-send").disabled = false;
  if (ack.ok) {
    box.value = "";
    const at = Date.now();
    bcStatus = () => t("p.bc.sent", { time: fmtTime(at) });
    $("bc-status").dataset.kind = "ok";
  } else {
    if (isAuthError(ack)) toLogin("expired");
    bcStatus = () => errorText(ack, 400);
    $("bc-status").dataset.kind = "error";
  }
  $("bc-status").textContent = bcStatus();
});

/* ---- language and start ------------------------------------------------------------------------ */

onLang(() => {
  setLive(liveState);
  renderExam();
  roster.relabel();
  incidents.render();
  dialog.relabel();
  if (pageError) showPageError(pageError);
  if (bcStatus) $("bc-status").textContent = bcStatus();
  if (toastRender && !$("toast").hidden) $("toast-text").textContent = toastRender();
});

setLive("connecting");
renderStats();
picker.load().then((res) => {
  if (!res.ok) {
    if (isAuthError(res.data, res.status)) {
      toLogin("expired");
      return;
    }
    showPageError(() => errorText(res.data, res.status));
    return;
  }
  if (!picker.exams.length) {
    $("live").hidden = true;
    $("roster-empty").hidden = false;
    $("roster-empty").textContent = t("p.exam.empty");
  }
});
