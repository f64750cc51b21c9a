/* The answer outbox: every answer and flag is written here first, then sent until acked.
 *
 * Storage (localStorage, per attempt):
 *   exam.outbox.<attempt>  {"a:<qid>": {kind:"answer", question, choice, seq}, "f:<qid>": {...}}
 *   exam.seq.<attempt>     the last seq handed out (never goes down)
 *
 * Rules:
 *   - seq increases with every entry of the attempt; it starts above the highest seq the
 *     server has stored (start ack `seqs`) and above what this browser handed out before.
 *   - one entry per question and kind: a newer one replaces an older unsent one (coalesce).
 *   - an entry leaves only when the server acks exactly its seq (or a start ack shows the
 *     server already holds that seq or a newer one).
 *   - at most one request per entry key in flight, so flags (which carry no seq on the wire)
 *     are applied by the server in the order they were made.
 */
(function () {
  "use strict";

  const ACK_TIMEOUT_MS = 10000;
  const RETRY_MS = 5000;
  const STOP_ERRORS = new Set(["time_over", "attempt_ended"]);

  function safeStorage(storage) {
    try {
      const probe = "exam.__probe__";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
      return storage;
    } catch (_e) {
      // Private mode or a full disk: keep the outbox in memory for this page.
      const mem = new Map();
      return {
        getItem: (k) => (mem.has(k) ? mem.get(k) : null),
        setItem: (k, v) => mem.set(k, String(v)),
        removeItem: (k) => mem.delete(k),
      };
    }
  }

  function keyOf(entry) {
    return (entry.kind === "flag" ? "f:" : "a:") + entry.question;
  }

  class Outbox {
    constructor(attempt, storage) {
      this.attempt = String(attempt);
      this.store = safeStorage(storage || window.localStorage);
      this.boxKey = `exam.outbox.${this.attempt}`;
      this.seqKey = `exam.seq.${this.attempt}`;
      this.entries = this._load();
      const highest = Math.max(0, ...Object.values(this.entries).map((e) => e.seq || 0));
      this.lastSeq = Math.max(Number(this.store.getItem(this.seqKey)) || 0, highest);
    }

    _load() {
      try {
        const raw = JSON.parse(this.store.getItem(this.boxKey) || "{}");
        return raw && typeof raw === "object" ? raw : {};
      } catch (_e) {
        return {};
      }
    }

    _save() {
      try {
        this.store.setItem(this.boxKey, JSON.stringify(this.entries));
        this.store.setItem(this.seqKey, String(this.lastSeq));
      } catch (_e) {
        /* quota: the in-memory copy still drives the sending */
      }
    }

    /** Make sure the next seq is above `n` (the server's highest stored seq). */
    raiseSeq(n) {
      if (Number.isFinite(n) && n > this.lastSeq) {
        this.lastSeq = n;
        this._save();
      }
    }

    nextSeq() {
      this.lastSeq += 1;
      return this.lastSeq;
    }

    putAnswer(question, choice) {
      return this._put({ kind: "answer", question, choice, seq: this.nextSeq() });
    }

    putFlag(question, flagged) {
      return this._put({ kind: "flag", question, flagged: !!flagged, seq: this.nextSeq() });
    }

    _put(entry) {
      this.entries[keyOf(entry)] = entry;
      this._save();
      return entry;
    }

    /** Pending entries, oldest first. */
    list() {
      return Object.values(this.entries).sort((a, b) => a.seq - b.seq);
    }

    get(kind, question) {
      return this.entries[(kind === "flag" ? "f:" : "a:") + question] || null;
    }

    /** Remove the entry if it is still the one with `seq` (a newer one stays). */
    settle(entry) {
      const k = keyOf(entry);
      const current = this.entries[k];
      if (current && current.seq === entry.seq) {
        delete this.entries[k];
        this._save();
        return true;
      }
      return false;
    }

    /** Drop answers the server already holds at the same or a newer seq. */
    reconcile(serverSeqs) {
      let changed = false;
      for (const [k, e] of Object.entries(this.entries)) {
        if (e.kind === "answer" && serverSeqs && (serverSeqs[e.question] || 0) >= e.seq) {
          delete this.entries[k];
          changed = true;
        }
      }
      if (changed) this._save();
    }

    count(kind) {
      return Object.values(this.entries).filter((e) => !kind || e.kind === kind).length;
    }

    clear() {
      this.entries = {};
      this._save();
    }
  }

  /* Sends an outbox's entries over a socket and reports what happened.
   *
   * hooks: onChange(entry, state, detail) with state "saving" | "saved" | "unsaved" | "failed",
   *        onStop(code, ack) for time_over / attempt_ended, onPaused(ack).
   */
  class Courier {
    constructor(outbox, socket, hooks) {
      this.outbox = outbox;
      this.socket = socket;
      this.hooks = hooks || {};
      this.inflight = new Map(); // entry key -> seq in flight
      this.online = false;
      this.paused = false;
      this.stopped = false;
      this.generation = 0;
      this.retryTimer = null;
    }

    /** Called after a (re)connect's start ack: send everything, oldest first. */
    goOnline() {
      this.online = true;
      this.generation += 1;
      this.inflight.clear();
      this.pump();
    }

    goOffline() {
      this.online = false;
      this.generation += 1;
      for (const [k] of this.inflight) {
        const e = this.outbox.entries[k];
        if (e) this._emitChange(e, "unsaved");
      }
      this.inflight.clear();
    }

    setPaused(paused) {
      this.paused = paused;
      if (!paused) this.pump();
    }

    stop() {
      this.stopped = true;
      clearTimeout(this.retryTimer);
    }

    busy() {
      return this.inflight.size > 0;
    }

    pump() {
      if (!this.online || this.paused || this.stopped || !this.socket.connected) return;
      for (const entry of this.outbox.list()) {
        const k = keyOf(entry);
        if (this.inflight.has(k)) continue;
        this._send(entry);
      }
    }

    _send(entry) {
      const k = keyOf(entry);
      const gen = this.generation;
      this.inflight.set(k, entry.seq);
      this._emitChange(entry, "saving");
      const [event, payload] =
        entry.kind === "flag"
          ? ["flag", { question: entry.question, flagged: entry.flagged }]
          : ["answer", { question: entry.question, choice: entry.choice, seq: entry.seq }];
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
        // A late ack from an earlier connection still proves the server stored it.
        const current = gen === this.generation;
        if (current && this.inflight.get(k) === entry.seq) this.inflight.delete(k);
        if (err || !ack) {
          if (current) {
            const latest = this.outbox.entries[k];
            if (latest) this._emitChange(latest, "unsaved");
            this._scheduleRetry();
          }
          return;
        }
        this._handleAck(entry, ack);
        if (current) this.pump();
      });
    }

    _handleAck(entry, ack) {
      if (ack.ok) {
        this.outbox.settle(entry);
        const latest = this.outbox.get(entry.kind, entry.question);
        // A newer choice made while this one was in flight is still on its way.
        if (!latest) this._emitChange(entry, "saved", ack);
        // The server kept a newer answer (made on another computer): the page must reload it.
        if (entry.kind === "answer" && Number(ack.seq) > entry.seq && this.hooks.onStale) {
          this.outbox.raiseSeq(Number(ack.seq));
          this.hooks.onStale(entry, ack);
        }
        return;
      }
      const code = ack.error || "error";
      if (STOP_ERRORS.has(code)) {
        this.stop();
        if (this.hooks.onStop) this.hooks.onStop(code, ack);
        return;
      }
      if (code === "paused") {
        this.paused = true;
        this._emitChange(entry, "unsaved");
        if (this.hooks.onPaused) this.hooks.onPaused(ack);
        return;
      }
      if (this.outbox.settle(entry)) this._emitChange(entry, "failed", ack);
    }

    _scheduleRetry() {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.pump(), RETRY_MS);
    }

    _emitChange(entry, state, detail) {
      if (this.hooks.onChange) this.hooks.onChange(entry, state, detail);
    }
  }

  window.ExamOutbox = { Outbox, Courier, keyOf, ACK_TIMEOUT_MS };
})();
