/* The public score screen: `/scoreboard` socket, no sign-in, read-only.
 *
 * `watch` answers with the board (title, sections with pass marks, rows); `scoreboard` events
 * then carry the full list of rows each time (at most a few a second). Long lists turn pages
 * by themselves: as many rows as fit the screen, a new page every PAGE_SECONDS.
 *
 * Options in the address, for the person setting up the TV: ?seconds=8 (time per page),
 * ?rows=15 (rows per page instead of "as many as fit"), ?lang=en.
 */
const $ = (id) => document.getElementById(id);
const t = (key, params) => window.I18n.t(key, params);

const EXAM = document.body.dataset.exam;
const params = new URLSearchParams(window.location.search);
const PAGE_SECONDS = Math.min(120, Math.max(3, Number(params.get("seconds")) || 8));
const FIXED_ROWS = Math.max(0, Math.floor(Number(params.get("rows")) || 0));
const RETRY_MS = 30_000;
const STATUS_ICON = { active: "▶", paused: "❚❚", ended: "✓", not_started: "○" };

const board = {
  title: null,
  sections: null, // [{code, title, pass_mark}] or null until known
  rows: [],
  page: 0,
  updatedAt: null,
  problem: null, // {heading, text} while the board cannot be shown
  live: "connecting",
};
const lastTotals = new Map();
let fresh = new Set();
let pageTimer = null;
let retryTimer = null;
let freshTimer = null;

/* ---- numbers and names ------------------------------------------------------------------- */

function num(n) {
  if (n === null || n === undefined) return null;
  return Number(n).toLocaleString(window.I18n.locale(), { maximumFractionDigits: 2 });
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/* ---- header, live state, pager ------------------------------------------------------------ */

function renderHead() {
  const title = board.title || EXAM;
  $("board-title").textContent = title;
  document.title = `${title} — ${t("sb.title")}`;
  $("live").dataset.state = board.live;
  $("live-text").textContent = t(board.live === "online" ? "sb.live"
    : board.live === "offline" ? "sb.offline" : "sb.connecting");
  $("updated").textContent = board.updatedAt ? t("sb.updated", {
    time: new Date(board.updatedAt).toLocaleTimeString(window.I18n.locale(), { hour12: false }),
  }) : "";
}

function sections() {
  if (board.sections) return board.sections;
  // No section list from the server: the codes the rows carry, without pass marks.
  const codes = [];
  for (const row of board.rows) {
    for (const code of Object.keys(row.sections || {})) {
      if (!codes.includes(code)) codes.push(code);
    }
  }
  return codes.map((code) => ({ code, title: code, pass_mark: null }));
}

function renderColumns() {
  const head = $("board-head-row");
  head.querySelectorAll(".b-sec").forEach((th) => th.remove());
  const before = head.querySelector(".b-total");
  for (const sec of sections()) {
    const th = el("th", "b-sec");
    th.scope = "col";
    th.title = sec.title || sec.code;
    th.append(el("span", "sec-code", sec.code));
    if (sec.pass_mark !== null && sec.pass_mark !== undefined) {
      th.append(el("span", "sec-mark", `≥ ${num(sec.pass_mark)}`));
      th.setAttribute("aria-label", `${sec.code}, ${t("sb.col.section_mark",
        { mark: num(sec.pass_mark) })}`);
    }
    head.insertBefore(th, before);
  }
}

/** Rows per page: ?rows=, or as many whole rows as the screen holds. */
function pageSize() {
  if (FIXED_ROWS) return FIXED_ROWS;
  const wrap = $("board-table-wrap");
  const thead = $("board-table").tHead;
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
  const rowH = 4 * rem; // --row-h
  const room = wrap.clientHeight - (thead ? thead.offsetHeight : 0);
  return Math.max(3, Math.floor(room / rowH));
}

function pageCount() {
  return Math.max(1, Math.ceil(board.rows.length / pageSize()));
}

function renderPager() {
  const pages = pageCount();
  $("pager").hidden = pages <= 1 || !!board.problem;
  $("pager-text").textContent = t("sb.page", { n: board.page + 1, total: pages });
}

function restartPageClock() {
  clearInterval(pageTimer);
  const fill = $("pager-fill");
  fill.classList.remove("running");
  if (pageCount() <= 1 || board.problem) return;
  void fill.offsetWidth; // restart the CSS animation
  fill.classList.add("running");
  pageTimer = setInterval(nextPage, PAGE_SECONDS * 1000);
}

function nextPage() {
  board.page = (board.page + 1) % pageCount();
  const table = $("board-table");
  table.classList.remove("turning");
  void table.offsetWidth;
  table.classList.add("turning");
  renderRows();
  const fill = $("pager-fill");
  fill.classList.remove("running");
  void fill.offsetWidth;
  fill.classList.add("running");
}

/* ---- rows ------------------------------------------------------------------------------------ */

function rowNode(row, secs) {
  const tr = el("tr");
  tr.dataset.status = row.status;
  tr.dataset.top = String(row.rank !== null && row.rank <= 3);
  if (fresh.has(row.participant_no)) tr.classList.add("fresh");

  const scored = row.total !== null && row.total !== undefined;
  tr.append(el("td", "b-rank-cell", row.rank ?? t("sb.not_scored")));
  tr.append(el("td", "b-no-cell", row.participant_no));
  const name = el("td", "b-name-cell", row.name || t("sb.name_hidden"));
  if (!row.name) name.classList.add("muted");
  tr.append(name);

  let failed = false;
  for (const sec of secs) {
    const value = (row.sections || {})[sec.code];
    const td = el("td", "b-sec-cell");
    if (value === undefined || value === null) {
      td.append(el("span", "muted", t("sb.not_scored")));
    } else {
      const hasMark = sec.pass_mark !== null && sec.pass_mark !== undefined;
      const pass = !hasMark || value >= sec.pass_mark;
      if (hasMark) {
        td.dataset.pass = String(pass);
        const mark = el("span", "mark", pass ? "✓" : "✗");
        mark.setAttribute("aria-hidden", "true");
        td.append(mark);
        td.title = t(pass ? "sb.pass" : "sb.fail");
      }
      td.append(num(value));
      if (hasMark && !pass) {
        failed = true;
        td.append(el("span", "sr-only", ` (${t("sb.fail")})`));
      }
    }
    tr.append(td);
  }
  tr.dataset.fail = String(failed);
  tr.append(el("td", "b-total-cell", scored ? num(row.total) : t("sb.not_scored")));
  const status = el("td", "b-status-cell");
  const icon = el("span", "status-icon", STATUS_ICON[row.status] || "");
  icon.setAttribute("aria-hidden", "true");
  status.append(icon, t(`sb.status.${row.status}`));
  tr.append(status);
  return tr;
}

function renderRows() {
  const size = pageSize();
  const pages = pageCount();
  if (board.page >= pages) board.page = 0;
  const secs = sections();
  const slice = board.rows.slice(board.page * size, (board.page + 1) * size);
  $("board-body").replaceChildren(...slice.map((row) => rowNode(row, secs)));
  $("board-empty").hidden = board.rows.length > 0 || !!board.problem;
  renderPager();
}

function renderAll() {
  renderHead();
  const problem = board.problem;
  document.body.dataset.problem = String(!!problem);
  $("board-message").hidden = !problem;
  $("board-table-wrap").hidden = !!problem;
  if (problem) {
    $("board-message-icon").textContent = problem.icon;
    $("board-message-heading").textContent = t(problem.heading);
    $("board-message-text").textContent = t(problem.text, { exam: EXAM, message: problem.message });
  }
  renderColumns();
  renderRows();
}

function takeRows(rows) {
  // Rows whose total changed (or that are new) glow once.
  fresh = new Set();
  const first = lastTotals.size === 0;
  for (const row of rows) {
    const before = lastTotals.get(row.participant_no);
    if (!first && before !== row.total) fresh.add(row.participant_no);
    lastTotals.set(row.participant_no, row.total);
  }
  clearTimeout(freshTimer);
  freshTimer = setTimeout(() => fresh.clear(), 3000); // a page turn later must not glow again
  const pagesBefore = pageCount();
  board.rows = rows;
  board.updatedAt = Date.now();
  renderHead();
  renderColumns();
  renderRows();
  if (pageCount() !== pagesBefore) restartPageClock();
}

/* ---- the socket ---------------------------------------------------------------------------------- */

const socket = window.io("/scoreboard", { transports: ["websocket", "polling"] });

function setLive(state) {
  board.live = state;
  renderHead();
}

async function fetchSections() {
  try {
    const res = await fetch(`/api/v1/public/exams/${encodeURIComponent(EXAM)}/scoreboard`);
    if (!res.ok) return;
    const data = await res.json();
    if (Array.isArray(data.sections)) board.sections = data.sections;
    if (data.title) board.title = data.title;
    renderAll();
  } catch (_e) {
    /* the section codes from the rows will do */
  }
}

function watch() {
  clearTimeout(retryTimer);
  // Changes only: each event carries the rows that changed, not the whole board.
  socket.timeout(10_000).emit("watch", { exam: EXAM, changes: true }, (err, ack) => {
    if (err || !ack) {
      retryTimer = setTimeout(watch, 5_000);
      return;
    }
    if (!ack.ok) {
      const known = { not_public: "sb.not_public", exam_not_found: "sb.not_found" }[ack.error];
      board.problem = known
        ? { icon: ack.error === "not_public" ? "✕" : "?", heading: `${known}.heading`,
          text: `${known}.text` }
        : { icon: "!", heading: "sb.error.heading", text: "sb.error.text",
          message: ack.message || ack.error || "" };
      board.rows = [];
      renderAll();
      restartPageClock();
      retryTimer = setTimeout(watch, RETRY_MS); // it may be made public, or created, later
      return;
    }
    board.problem = null;
    if (ack.title) board.title = ack.title;
    if (Array.isArray(ack.sections)) board.sections = ack.sections;
    else if (!board.sections) fetchSections();
    lastTotals.clear();
    takeRows(ack.rows || []);
    renderAll();
    restartPageClock();
  });
}

socket.on("connect", () => {
  setLive("online");
  watch();
});
socket.on("disconnect", () => setLive("offline"));
socket.on("connect_error", () => setLive("offline"));
socket.on("scoreboard", (msg) => {
  if (msg && msg.exam === EXAM && Array.isArray(msg.rows) && !board.problem) takeRows(msg.rows);
});
socket.on("scoreboard_changes", (msg) => {
  if (msg && msg.exam === EXAM && Array.isArray(msg.rows) && !board.problem) {
    takeRows(mergeChanges(board.rows || [], msg));
  }
});

/** The board after a `scoreboard_changes` event, ordered as the server orders it. */
function mergeChanges(rows, msg) {
  const byNo = new Map(rows.map((r) => [r.participant_no, r]));
  for (const no of msg.removed || []) byNo.delete(no);
  for (const [no, rank] of Object.entries(msg.ranks || {})) {
    const row = byNo.get(no);
    if (row) byNo.set(no, { ...row, rank });
  }
  for (const row of msg.rows) byNo.set(row.participant_no, row);
  return [...byNo.values()].sort(boardOrder);
}

function boardOrder(a, b) {
  const unrankedA = a.rank === null || a.rank === undefined;
  const unrankedB = b.rank === null || b.rank === undefined;
  if (unrankedA !== unrankedB) return unrankedA ? 1 : -1;
  if (!unrankedA && a.rank !== b.rank) return a.rank - b.rank;
  if (a.participant_no === b.participant_no) return 0;
  return a.participant_no < b.participant_no ? -1 : 1;
}

/* ---- the screen ------------------------------------------------------------------------------------ */

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    renderRows();
    restartPageClock();
  }, 200);
});

document.addEventListener("langchange", renderAll);

// A TV should not fall asleep while showing the board (where the browser allows it).
async function keepAwake() {
  try {
    if (navigator.wakeLock && document.visibilityState === "visible") {
      await navigator.wakeLock.request("screen");
    }
  } catch (_e) {
    /* not allowed here: the TV's own settings decide */
  }
}
document.addEventListener("visibilitychange", keepAwake);
keepAwake();

document.getElementById("pager-fill").style.animationDuration = `${PAGE_SECONDS}s`;
renderAll();
