/* A proctor's actions: the per-row menu and the dialog that asks for the reason.
 *
 * One menu element serves every row (it moves into the row whose button opened it), so a room
 * of 1,000 candidates carries one button per row, not six. Every action but a message needs a
 * reason; the server refuses one without it (`reason_required`), the dialog asks first.
 */
import { $, errorText, isAuthError, t, toLogin } from "./common.js";

const WORKING = new Set(["active", "paused"]);

/** Which menu items make sense for a row; the rest stay visible but disabled. */
function allowed(action, row) {
  switch (action) {
    case "extend":
    case "force_submit":
      return WORKING.has(row.status);
    case "pause":
      return row.status === "active";
    case "resume":
      return row.status === "paused";
    default:
      return true;
  }
}

export class RowMenu {
  constructor(menu, onChoose) {
    this.menu = menu;
    this.onChoose = onChoose;
    this.button = null;
    this.row = null;
    this.items = [...menu.querySelectorAll("[role=menuitem]")];
    menu.addEventListener("click", (ev) => {
      const item = ev.target.closest("[role=menuitem]");
      if (item) this._choose(item);
    });
    menu.addEventListener("keydown", (ev) => this._key(ev));
    document.addEventListener("pointerdown", (ev) => {
      if (this.button && !this.menu.contains(ev.target) && !this.button.contains(ev.target)) {
        this.close(false);
      }
    });
  }

  get isOpen() {
    return this.button !== null;
  }

  toggle(button, row) {
    if (this.button === button) {
      this.close(true);
      return;
    }
    this.open(button, row);
  }

  open(button, row, focusLast = false) {
    this.close(false);
    this.button = button;
    this.row = row;
    this._fit(row);
    button.after(this.menu);
    this.menu.hidden = false;
    this.menu.setAttribute("aria-label", button.getAttribute("aria-label") || "");
    // Open upwards when the table's visible area has no room below the button.
    const wrap = button.closest(".table-wrap");
    this.menu.classList.remove("menu-up");
    if (wrap) {
      const room = wrap.getBoundingClientRect().bottom - button.getBoundingClientRect().bottom;
      if (room < this.menu.offsetHeight + 8) this.menu.classList.add("menu-up");
    }
    button.setAttribute("aria-expanded", "true");
    const visible = this._visible();
    (focusLast ? visible[visible.length - 1] : visible[0]).focus();
  }

  /** The open menu's row changed (a push arrived): its items follow the new state. */
  refresh(row) {
    if (this.row && row && this.row.participant_no === row.participant_no) {
      this.row = row;
      this._fit(row);
    }
  }

  _fit(row) {
    for (const item of this.items) {
      const action = item.dataset.action;
      item.setAttribute("aria-disabled", String(!allowed(action, row)));
      // Pause and Resume share a place: show the one that fits, or Pause greyed out.
      item.hidden = (action === "resume" && row.status !== "paused")
        || (action === "pause" && row.status === "paused");
    }
  }

  close(refocus) {
    if (!this.button) return;
    const button = this.button;
    this.button = null;
    this.row = null;
    this.menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus) button.focus();
  }

  _visible() {
    return this.items.filter((i) => !i.hidden);
  }

  _choose(item) {
    if (item.getAttribute("aria-disabled") === "true") return;
    const button = this.button;
    const row = this.row;
    this.close(false);
    this.onChoose(item.dataset.action, row, button);
  }

  _key(ev) {
    const items = this._visible();
    const i = items.indexOf(document.activeElement);
    const go = (n) => {
      ev.preventDefault();
      items[(n + items.length) % items.length].focus();
    };
    switch (ev.key) {
      case "ArrowDown":
        go(i + 1);
        break;
      case "ArrowUp":
        go(i - 1);
        break;
      case "Home":
        go(0);
        break;
      case "End":
        go(items.length - 1);
        break;
      case "Escape":
        ev.preventDefault();
        this.close(true);
        break;
      case "Tab":
        this.close(true);
        ev.preventDefault();
        break;
      default:
        break;
    }
  }
}

/* ---- the dialog ---------------------------------------------------------------------------- */

const NEEDS_REASON = new Set(["extend", "pause", "resume", "force_submit", "reset_login",
  "open", "close"]);
const DANGER = new Set(["force_submit", "close"]);

export class ActionDialog {
  /**
   * @param {(event: string, payload: object) => Promise<object>} send  emits and resolves the ack
   * @param {(action, target, ack, payload) => void} onDone
   */
  constructor(send, onDone) {
    this.send = send;
    this.onDone = onDone;
    this.dialog = $("action-dialog");
    this.busy = false;
    this.state = null;
    $("dlg-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this._submit();
    });
    $("dlg-cancel").addEventListener("click", () => this.dialog.close());
    this.dialog.addEventListener("close", () => {
      const back = this.state && this.state.returnTo;
      this.state = null;
      if (back && back.isConnected) back.focus();
    });
    this.dialog.addEventListener("cancel", (ev) => {
      if (this.busy) ev.preventDefault();
    });
    this.dialog.querySelectorAll("[data-minutes]").forEach((b) => {
      b.addEventListener("click", () => {
        $("dlg-minutes").value = b.dataset.minutes;
        $("dlg-minutes").focus();
      });
    });
  }

  /**
   * @param {string} action  extend|pause|resume|force_submit|reset_login|message|open|close
   * @param {object} target  {exam, row?, title?}: a candidate row, or the exam for open/close
   * @param {Element} returnTo  focus goes back there when the dialog closes
   */
  open(action, target, returnTo) {
    this.state = { action, target, returnTo };
    const row = target.row;
    $("dlg-minutes-field").hidden = action !== "extend";
    $("dlg-text-field").hidden = action !== "message";
    $("dlg-reason-field").hidden = !NEEDS_REASON.has(action);
    for (const id of ["dlg-minutes", "dlg-text", "dlg-reason"]) {
      $(id).removeAttribute("aria-invalid");
    }
    $("dlg-minutes").value = "10";
    $("dlg-text").value = "";
    $("dlg-reason").value = "";
    this._error(null);
    this._setBusy(false);
    this.relabel();
    this.dialog.showModal();
    const first = action === "extend" ? "dlg-minutes" : action === "message" ? "dlg-text"
      : "dlg-reason";
    $(first).focus();
    if (action === "extend") $(first).select();
    return row;
  }

  /** Texts of the open dialog, again after a language switch. */
  relabel() {
    if (!this.state) return;
    const { action, target } = this.state;
    const row = target.row;
    $("dlg-heading").textContent = t(`p.act.${action}`);
    $("dlg-who").textContent = row
      ? t("p.dlg.who", { no: row.participant_no, name: row.name || "" })
      : t("p.dlg.exam", { title: target.title || target.exam, code: target.exam });
    $("dlg-desc").textContent = t(`p.dlg.desc.${action}`);
    let warn = null;
    if (action === "force_submit" || action === "close") warn = `p.dlg.warn.${action}`;
    if (action === "message" && row && !row.connected) warn = "p.dlg.warn.offline_msg";
    $("dlg-warn").hidden = !warn;
    if (warn) $("dlg-warn-text").textContent = t(warn);
    const submit = $("dlg-submit");
    submit.className = `btn ${DANGER.has(action) ? "btn-danger" : "btn-primary"}`;
    submit.textContent = t(this.busy ? "p.dlg.sending" : `p.act.${action}`);
    if (this.state.error) $("dlg-error-text").textContent = this.state.error();
  }

  _setBusy(on) {
    this.busy = on;
    $("dlg-submit").disabled = on;
    $("dlg-cancel").disabled = on;
    $("dlg-submit").setAttribute("aria-busy", String(on));
    if (this.state) {
      $("dlg-submit").textContent = t(on ? "p.dlg.sending" : `p.act.${this.state.action}`);
    }
  }

  _error(render, field) {
    if (this.state) this.state.error = render;
    $("dlg-error").hidden = !render;
    if (render) $("dlg-error-text").textContent = render();
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  _payload() {
    const { action, target } = this.state;
    const payload = { exam: target.exam };
    if (target.row) payload.participant_no = target.row.participant_no;
    if (NEEDS_REASON.has(action)) {
      const reason = $("dlg-reason").value.trim();
      if (!reason) return { problem: "p.err.reason_required", field: $("dlg-reason") };
      payload.reason = reason;
    }
    if (action === "extend") {
      const raw = $("dlg-minutes").value.trim();
      const minutes = Number(raw);
      if (!/^\d+$/.test(raw) || minutes < 1 || minutes > 600) {
        return { problem: "p.err.minutes", field: $("dlg-minutes") };
      }
      payload.minutes = minutes;
    }
    if (action === "message") {
      const text = $("dlg-text").value.trim();
      if (!text) return { problem: "p.err.text_required", field: $("dlg-text") };
      payload.text = text;
    }
    return { payload };
  }

  async _submit() {
    if (this.busy || !this.state) return;
    for (const id of ["dlg-minutes", "dlg-text", "dlg-reason"]) {
      $(id).removeAttribute("aria-invalid");
    }
    const { payload, problem, field } = this._payload();
    if (problem) {
      this._error(() => t(problem), field);
      return;
    }
    const { action, target } = this.state;
    this._error(null);
    this._setBusy(true);
    const ack = await this.send(action, payload);
    this._setBusy(false);
    if (!this.state) return;
    if (ack && ack.ok) {
      this.dialog.close();
      this.onDone(action, target, ack, payload);
      return;
    }
    if (isAuthError(ack)) {
      toLogin("expired");
      return;
    }
    const retry = ack && ack.error === "reason_required" ? $("dlg-reason") : null;
    this._error(() => errorText(ack, 400), retry);
  }
}
