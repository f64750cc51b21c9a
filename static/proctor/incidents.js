/* The incident panel: disconnects, second devices, hidden pages; newest first.
 *
 * The list is read from GET /api/v1/exams/<exam>/incidents when the room is watched and again
 * (debounced) whenever a row's incident count grows; nothing polls on a timer.
 */
import {
  $, api, errorText, fmtNumber, fmtTime, isAuthError, t, toLogin,
} from "./common.js";

const SHOWN = 200;
const DEBOUNCE_MS = 700;
const ICON = { disconnect: "✕", reconnect: "↺", second_device: "⧉", hidden: "◐", blur: "◌" };

export class IncidentPanel {
  /**
   * @param {import("./roster.js").Roster} roster  for the candidates' names
   * @param {object} hooks  announce(text), pick(no): a participant number was chosen
   */
  constructor(roster, hooks) {
    this.roster = roster;
    this.hooks = hooks;
    this.exam = null;
    this.list = [];
    this.only = null; // a participant number, or null for everyone
    this.timer = null;
    this.busy = false;
    this.again = false;
    this.lastSeq = null;
    $("inc-filter-clear").addEventListener("click", () => {
      this.only = null;
      this.render();
      $("inc-list").focus();
    });
    $("inc-list").addEventListener("click", (ev) => {
      const who = ev.target.closest(".inc-who");
      if (who && who.dataset.no) this.hooks.pick(who.dataset.no);
    });
  }

  /** Another exam: forget this one's list. */
  reset(exam) {
    clearTimeout(this.timer);
    this.timer = null;
    this.exam = exam;
    this.list = [];
    this.only = null;
    this.lastSeq = null;
    this.render();
  }

  schedule() {
    if (this.timer === null) this.timer = setTimeout(() => this.load(), DEBOUNCE_MS);
  }

  async load() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.exam) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    const code = this.exam;
    const res = await api(`/exams/${encodeURIComponent(code)}/incidents`);
    this.busy = false;
    if (code === this.exam) {
      if (res.ok) {
        this._take(res.data.incidents || []);
      } else if (isAuthError(res.data, res.status)) {
        toLogin("expired");
        return;
      } else {
        $("inc-empty").hidden = false;
        $("inc-empty").textContent = t("p.inc.load_failed", {
          message: errorText(res.data, res.status),
        });
      }
    }
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }

  _take(list) {
    const newest = list.length ? list[0].seq : 0;
    if (this.lastSeq !== null && newest > this.lastSeq) {
      const fresh = list.filter((i) => i.seq > this.lastSeq).length;
      this.hooks.announce(t("p.inc.new", { n: fresh }));
    }
    this.lastSeq = newest;
    this.list = list;
    this.render();
  }

  /** Only one candidate's incidents (from the row's incident button). */
  showOf(no) {
    this.only = no;
    this.render();
    $("inc-heading").scrollIntoView({ block: "nearest" });
    $("inc-filter-clear").focus();
  }

  render() {
    const only = this.only;
    const list = only ? this.list.filter((i) => i.candidate === only) : this.list;
    $("inc-count").textContent = list.length ? fmtNumber(list.length) : "";
    $("inc-filter").hidden = !only;
    if (only) $("inc-filter-text").textContent = t("p.inc.only", { no: only });
    $("inc-empty").hidden = list.length > 0;
    $("inc-empty").textContent = t(only ? "p.inc.none_for" : "p.inc.none");
    const items = list.slice(0, SHOWN).map((inc) => this._item(inc));
    if (list.length > SHOWN) {
      const li = document.createElement("li");
      li.className = "inc inc-more";
      li.textContent = t("p.inc.more", { n: list.length - SHOWN });
      items.push(li);
    }
    $("inc-list").replaceChildren(...items);
  }

  _item(inc) {
    const el = (tag, cls, text) => {
      const node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text !== undefined) node.textContent = text;
      return node;
    };
    const li = el("li", "inc");
    li.dataset.kind = inc.kind;
    const time = el("time", "", fmtTime(inc.at));
    time.dateTime = new Date(inc.at).toISOString();
    const who = el("button", "inc-who", inc.candidate || "—");
    who.type = "button";
    who.dataset.no = inc.candidate || "";
    const entry = this.roster.get(inc.candidate);
    const name = el("span", "inc-name", entry && entry.data.name ? entry.data.name : "");
    const icon = el("span", "inc-icon", ICON[inc.kind] || "•");
    icon.setAttribute("aria-hidden", "true");
    const key = `p.inc.kind.${inc.kind}`;
    const kind = el("span", "inc-kind");
    kind.append(icon, " ", el("span", "", t(key) === key ? inc.kind : t(key)));
    li.append(time, " ", who, " ", name, kind);
    return li;
  }
}
