/* The live table of candidates: one <tr> per candidate, patched in place as rows arrive.
 *
 * A `candidate` push replaces one row's data; only the cells whose text changed are touched,
 * and filtering, sorting and the summary run at most once per batch (BATCH_MS), so a room of
 * 1,000 candidates costs a handful of DOM writes per event, never a rebuild of the table.
 *
 * Time left is shown from the row's deadline and this PC's clock. Proctor PCs are trusted
 * staff machines synchronised with the room's network time, and the figure only informs the
 * proctor: the server's clock alone decides when an attempt ends.
 */
import { fmtClock, t } from "./common.js";

const BATCH_MS = 60;
const STATUS_ICON = { not_started: "○", active: "▶", paused: "❚❚", ended: "✓" };
const STATUS_ORDER = { paused: 0, active: 1, not_started: 2, ended: 3 };
const WORKING = new Set(["active", "paused"]);

const byNo = (a, b) => a.data.participant_no.localeCompare(b.data.participant_no, undefined,
  { numeric: true });

export class Roster {
  /**
   * @param {HTMLTableSectionElement} tbody
   * @param {HTMLTemplateElement} template  one <tr> with the cells
   * @param {object} hooks  onRefresh(stats), onIncidents(entry, added), onOffline(entry)
   */
  constructor(tbody, template, hooks) {
    this.tbody = tbody;
    this.template = template.content.firstElementChild;
    this.hooks = hooks;
    this.entries = new Map();
    this.order = [];
    this.filter = { q: "", status: "" };
    this.sortKey = "no";
    this.timer = null;
    this.orderDirty = true;
  }

  /** Replace every row (after `watch`): the ack is the truth. */
  reset(rows) {
    this.entries.clear();
    this.order = [];
    const frag = document.createDocumentFragment();
    const now = Date.now();
    for (const row of rows) {
      const entry = this._create(row, now);
      frag.append(entry.tr);
    }
    this.tbody.replaceChildren(frag);
    this.orderDirty = true;
    this.tick(now);
    this._refreshNow();
  }

  clear() {
    this.reset([]);
  }

  get(no) {
    return this.entries.get(no);
  }

  /** One changed row from the server. */
  upsert(row) {
    const now = Date.now();
    let entry = this.entries.get(row.participant_no);
    if (!entry) {
      entry = this._create(row, now);
      this.tbody.append(entry.tr);
    } else {
      const before = entry.data;
      entry.data = { ...before, ...row };
      entry.receivedAt = now;
      this._render(entry);
      if ((row.incidents ?? 0) > (before.incidents ?? 0)) {
        this.hooks.onIncidents(entry, row.incidents - (before.incidents ?? 0));
      }
      if (before.connected && !entry.data.connected && WORKING.has(entry.data.status)) {
        this.hooks.onOffline(entry);
      }
    }
    this._tickOne(entry, now);
    this.orderDirty = true;
    this._schedule();
  }

  /** Apply a deadline we already know from an ack, before the push arrives. */
  patch(no, fields) {
    const entry = this.entries.get(no);
    if (entry) this.upsert({ ...entry.data, ...fields });
  }

  setFilter(filter) {
    this.filter = { ...this.filter, ...filter };
    this._refreshNow();
  }

  setSort(key) {
    this.sortKey = key;
    this.orderDirty = true;
    this._refreshNow();
  }

  /** Every second: the time-left cells of the rows on show. */
  tick(now = Date.now()) {
    for (const entry of this.entries.values()) {
      if (!entry.tr.hidden) this._tickOne(entry, now);
    }
  }

  /** Language switched: every text this module wrote. */
  relabel() {
    for (const entry of this.entries.values()) {
      entry.shown = {};
      this._render(entry);
      this._tickOne(entry, Date.now());
    }
    this._refreshNow();
  }

  /* ---- rows ---------------------------------------------------------------------------- */

  _create(row, now) {
    const tr = this.template.cloneNode(true);
    const q = (sel) => tr.querySelector(sel);
    const entry = {
      data: row,
      receivedAt: now,
      tr,
      shown: {},
      cells: {
        no: q(".c-no"),
        name: q(".c-name"),
        badge: q(".badge"),
        badgeIcon: q(".badge-icon"),
        badgeText: q(".badge-text"),
        conn: q(".conn-cell"),
        connText: q(".conn-label"),
        progCell: q(".c-prog"),
        progText: q(".prog-text"),
        prog: q(".prog"),
        time: q(".time-left"),
        timeCell: q(".c-time"),
        extra: q(".time-extra"),
        score: q(".c-score"),
        inc: q(".inc-btn"),
        menu: q(".menu-btn"),
        menuText: q(".menu-btn-text"),
      },
    };
    tr.dataset.no = row.participant_no;
    this.entries.set(row.participant_no, entry);
    this._render(entry);
    return entry;
  }

  /** Write `value` into `el` (as `prop`) only when it differs from what was written last. */
  _set(entry, key, el, value, prop = "textContent") {
    if (entry.shown[key] === value) return;
    entry.shown[key] = value;
    if (prop === "textContent") el.textContent = value;
    else if (prop.startsWith("data-") || prop.startsWith("aria-") || prop === "title") {
      if (value === null) el.removeAttribute(prop);
      else el.setAttribute(prop, value);
    } else el[prop] = value;
  }

  _render(entry) {
    const r = entry.data;
    const c = entry.cells;
    const tr = entry.tr;
    const status = r.status || "not_started";
    const name = r.name || "";
    this._set(entry, "no", c.no, r.participant_no);
    this._set(entry, "name", c.name, name);
    this._set(entry, "status", tr, status, "data-status");
    this._set(entry, "badgeIcon", c.badgeIcon, STATUS_ICON[status] || "?");
    this._set(entry, "badgeText", c.badgeText, t(`p.status.${status}`));

    const conn = r.connected ? "on" : "off";
    this._set(entry, "conn", tr, conn, "data-conn");
    this._set(entry, "connText", c.connText, t(r.connected ? "p.conn.on" : "p.conn.off"));
    // Disconnected while the clock runs is what a proctor must see at once.
    this._set(entry, "alert", tr, !r.connected && WORKING.has(status) ? "offline" : null,
      "data-alert");

    const answered = r.answered ?? 0;
    const total = r.total ?? 0;
    this._set(entry, "progText", c.progText, `${answered}/${total}`);
    this._set(entry, "prog", c.prog, total ? answered / total : 0, "value");
    this._set(entry, "progTitle", c.progCell, t("p.progress.label", { answered, total }), "title");

    const extra = r.extra_minutes || 0;
    this._set(entry, "extra", c.extra, extra ? t("p.time.extra", { n: extra }) : "");
    this._set(entry, "extraTitle", c.extra,
      extra ? t("p.time.extra_label", { n: extra }) : null, "title");

    this._set(entry, "score", c.score, r.score === undefined || r.score === null
      ? "—" : String(r.score));

    const inc = r.incidents || 0;
    this._set(entry, "inc", c.inc, inc ? `⚠ ${inc}` : "0");
    this._set(entry, "incHot", tr, inc ? "yes" : null, "data-incidents");
    this._set(entry, "incLabel", c.inc,
      t("p.inc.button", { n: inc, no: r.participant_no }), "aria-label");
    this._set(entry, "incDisabled", c.inc, inc === 0, "disabled");

    this._set(entry, "menuText", c.menuText, t("p.menu.button"));
    this._set(entry, "menuLabel", c.menu,
      t("p.menu.label", { no: r.participant_no, name }), "aria-label");
  }

  /** Milliseconds left, or null when no clock runs (not started, ended). */
  remaining(entry, now = Date.now()) {
    const r = entry.data;
    if (r.deadline == null || !WORKING.has(r.status)) return null;
    // While paused the server moves the deadline along with its own clock, so what was left
    // when the row was sent is what is still left.
    if (r.status === "paused") return r.deadline - entry.receivedAt;
    return r.deadline - now;
  }

  _tickOne(entry, now) {
    const left = this.remaining(entry, now);
    let text = "—";
    let level = "none";
    if (left !== null) {
      text = fmtClock(left);
      if (entry.data.status === "paused") {
        level = "paused";
        text = `❚❚ ${text}`;
      } else if (left <= 0) level = "over";
      else if (left <= 5 * 60_000) level = "danger";
      else if (left <= 10 * 60_000) level = "warn";
      else level = "normal";
    }
    this._set(entry, "time", entry.cells.time, text);
    this._set(entry, "timeLevel", entry.cells.timeCell, level, "data-level");
  }

  /* ---- filter, sort, summary ------------------------------------------------------------ */

  _schedule() {
    if (this.timer === null) this.timer = setTimeout(() => this._refreshNow(), BATCH_MS);
  }

  _matches(entry) {
    const r = entry.data;
    const { q, status } = this.filter;
    if (status === "offline") {
      if (r.connected || !WORKING.has(r.status)) return false;
    } else if (status === "incidents") {
      if (!r.incidents) return false;
    } else if (status && r.status !== status) return false;
    if (!q) return true;
    return r.participant_no.toLowerCase().includes(q)
      || (r.name || "").toLowerCase().includes(q);
  }

  _compare() {
    const key = this.sortKey;
    const now = Date.now();
    if (key === "status") {
      return (a, b) => STATUS_ORDER[a.data.status] - STATUS_ORDER[b.data.status] || byNo(a, b);
    }
    if (key === "time") {
      const left = (e) => {
        const ms = this.remaining(e, now);
        return ms === null ? Infinity : ms;
      };
      return (a, b) => left(a) - left(b) || STATUS_ORDER[a.data.status]
        - STATUS_ORDER[b.data.status] || byNo(a, b);
    }
    if (key === "progress") {
      const frac = (e) => (e.data.total ? (e.data.answered || 0) / e.data.total : 0);
      return (a, b) => frac(a) - frac(b) || byNo(a, b);
    }
    if (key === "incidents") {
      return (a, b) => (b.data.incidents || 0) - (a.data.incidents || 0) || byNo(a, b);
    }
    return byNo;
  }

  /**
   * Put the rows in `sorted` order moving as few <tr> as possible: the rows that are already
   * in order (a longest increasing run of their current places) stay, the others move. One
   * candidate changing place moves one row, not the whole table.
   */
  _reorder(sorted) {
    const place = new Map();
    Array.from(this.tbody.children).forEach((tr, i) => place.set(tr, i));
    const seq = sorted.map((e) => (place.has(e.tr) ? place.get(e.tr) : -1));
    const keep = new Set(longestIncreasing(seq).map((i) => sorted[i].tr));
    let next = null; // insert each moved row before the following row, from the end
    for (let i = sorted.length - 1; i >= 0; i -= 1) {
      const tr = sorted[i].tr;
      if (!keep.has(tr)) this.tbody.insertBefore(tr, next);
      next = tr;
    }
  }

  _refreshNow() {
    clearTimeout(this.timer);
    this.timer = null;
    const all = [...this.entries.values()];
    if (this.orderDirty) {
      const sorted = all.slice().sort(this._compare());
      const same = sorted.length === this.order.length
        && sorted.every((e, i) => e === this.order[i]);
      if (!same) {
        const focused = document.activeElement;
        this._reorder(sorted);
        if (focused && focused !== document.activeElement && focused.isConnected) {
          focused.focus({ preventScroll: true });
        }
      }
      this.order = sorted;
      this.orderDirty = false;
    }
    const stats = { all: all.length, shown: 0, active: 0, paused: 0, not_started: 0,
      ended: 0, offline: 0, incidents: 0 };
    const now = Date.now();
    for (const e of all) {
      const show = this._matches(e);
      if (e.tr.hidden === show) {
        e.tr.hidden = !show;
        if (show) this._tickOne(e, now);
      }
      if (show) stats.shown += 1;
      stats[e.data.status] = (stats[e.data.status] || 0) + 1;
      if (!e.data.connected && WORKING.has(e.data.status)) stats.offline += 1;
      stats.incidents += e.data.incidents || 0;
    }
    this.hooks.onRefresh(stats);
  }
}

/** Indexes into `seq` of one longest strictly increasing subsequence (values -1 never count). */
function longestIncreasing(seq) {
  const tails = []; // tails[k]: index in seq of the smallest tail of a run of length k + 1
  const prev = new Array(seq.length).fill(-1);
  for (let i = 0; i < seq.length; i += 1) {
    if (seq[i] < 0) continue;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < seq[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const out = [];
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) out.push(i);
  return out.reverse();
}
