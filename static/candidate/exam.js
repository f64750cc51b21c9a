/* The candidate's exam page: one question at a time, an outbox for answers, the server's clock.
 *
 * Protocol: CONTRACT.md §4.1 (namespace /candidate). Every answer and flag goes through the
 * outbox (static/shared/outbox.js) before it is sent; the countdown is computed from the
 * server's deadline and server_now, never from the browser's wall clock.
 */
(function () {
  "use strict";

  const t = (k, p) => window.I18n.t(k, p);
  const $ = (id) => document.getElementById(id);
  const { Outbox, Courier } = window.ExamOutbox;

  const ACK_MS = 10000;
  const SUBMIT_ACK_MS = 20000;
  const SYNC_EVERY_MS = 30000;
  const END_CHECK_MS = 4000;
  const LETTERS = "ABCDEFGHIJ";
  const ANNOUNCE_AT_MIN = [10, 5, 1];

  const token = sessionStorage.getItem("exam.token");
  const examCode = sessionStorage.getItem("exam.exam") || "";
  const participantNo = sessionStorage.getItem("exam.participant_no") || "";

  /* ---- state ---------------------------------------------------------------------- */

  const S = {
    attempt: null,
    sections: [],
    sectionByCode: {},
    questions: [],
    answers: {}, // qid -> choice as the candidate sees it (server + outbox)
    flags: new Set(),
    saveState: {}, // qid -> {state, message}
    current: 0,
    screen: "loading",
    started: false, // the first start ack of this page has been applied
    ready: false, // connected and the start ack of this connection applied
    clock: null, // {deadline, serverNow, at}: at = performance.now() matching serverNow
    paused: false,
    pauseReason: "",
    pausedRemaining: 0,
    timeUp: false,
    ended: false,
    endReason: null,
    result: null,
    durationMinutes: null,
    examTitle: "",
    outbox: null,
    courier: null,
    conn: "connecting",
    announced: new Set(),
    syncTimer: null,
    endCheckTimer: null,
    retryTimer: null,
  };

  /* ---- small helpers -------------------------------------------------------------- */

  function backToLogin(note, dropToken) {
    try {
      sessionStorage.setItem("exam.loginMessage", JSON.stringify(note));
      if (dropToken) sessionStorage.removeItem("exam.token");
    } catch (_e) {
      /* ignore */
    }
    const q = examCode ? `?exam=${encodeURIComponent(examCode)}` : "";
    window.location.replace(`/${q}`);
  }

  function announce(text) {
    const el = $("announcer");
    el.textContent = "";
    window.setTimeout(() => {
      el.textContent = text;
    }, 50);
  }

  function isAnswered(choice) {
    return choice !== null && choice !== undefined && !(Array.isArray(choice) && !choice.length);
  }

  function setMainInert(inert) {
    $("main").inert = inert;
  }

  function fmtNumber(v) {
    if (typeof v !== "number") return String(v ?? "–");
    return new Intl.NumberFormat(window.I18n.locale(), { maximumFractionDigits: 2 }).format(v);
  }

  function showScreen(name) {
    S.screen = name;
    $("screen-loading").hidden = name !== "loading";
    $("screen-instructions").hidden = name !== "instructions";
    $("screen-exam").hidden = name !== "exam";
    $("screen-result").hidden = name !== "result";
  }

  if (!token) {
    backToLogin({ key: "err.no_token" }, false);
    return;
  }

  /* ---- the server's clock --------------------------------------------------------- */

  // sentAt: performance.now() when the request left. The server read its clock somewhere
  // during the round trip; the midpoint halves the error of an ack's server_now.
  function rebase(deadline, serverNow, sentAt) {
    if (!Number.isFinite(deadline) || !Number.isFinite(serverNow)) return;
    const now = performance.now();
    const at = sentAt == null ? now : (sentAt + now) / 2;
    S.clock = { deadline, serverNow, at };
    if (S.paused) S.pausedRemaining = remainingMs();
    tick();
  }

  function remainingMs() {
    if (!S.clock) return null;
    return S.clock.deadline - (S.clock.serverNow + (performance.now() - S.clock.at));
  }

  function serverNowMs() {
    return S.clock ? S.clock.serverNow + (performance.now() - S.clock.at) : null;
  }

  function fmtClock(totalSeconds) {
    const h = Math.floor(totalSeconds / 3600);
    const m = Math.floor((totalSeconds % 3600) / 60);
    const s = totalSeconds % 60;
    return [h, m, s].map((n) => String(n).padStart(2, "0")).join(":");
  }

  function tick() {
    if (!S.clock || S.ended) return;
    const ms = S.paused ? S.pausedRemaining : remainingMs();
    const secs = Math.max(0, Math.ceil(ms / 1000));
    const timer = $("timer");
    $("timer-value").textContent = fmtClock(secs);
    timer.dataset.level = secs <= 300 ? "danger" : secs <= 600 ? "warn" : "normal";
    for (const min of ANNOUNCE_AT_MIN) {
      if (secs <= min * 60 && secs > min * 60 - 5 && !S.announced.has(min)) {
        S.announced.add(min);
        announce(t("timer.announce", { n: min }));
      }
    }
    if (!S.paused && ms <= 0 && !S.timeUp && S.started) onTimeUp();
    if (S.timeUp && ms > 2000) clearTimeUp(); // the deadline moved (an extension)
  }

  /* ---- socket --------------------------------------------------------------------- */

  const socket = window.io("/candidate", {
    auth: { token },
    transports: ["websocket", "polling"],
    tryAllTransports: true,
  });

  socket.on("connect", () => {
    setConn("connecting");
    // Before the first start the clock has not begun: read the exam's outline only, so
    // that time spent on the instructions is not taken from the candidate.
    if (S.attempt || S.beginRequested) requestStart();
    else requestPreview();
  });

  function requestPreview() {
    socket.timeout(ACK_MS).emit("preview", {}, (err, ack) => {
      if (err || !ack) {
        if (socket.connected) scheduleStartRetry(2000);
        return;
      }
      if (!ack.ok) {
        onStartRefused(ack);
        return;
      }
      if (ack.attempt != null) {
        requestStart(); // an attempt exists already: resume it
        return;
      }
      S.sections = ack.sections || [];
      S.durationMinutes = (ack.duration_minutes || 0) + (ack.extra_minutes || 0);
      if (ack.exam_title) S.examTitle = String(ack.exam_title);
      setConn("online");
      showInstructions();
    });
  }

  socket.on("disconnect", (reason) => {
    S.ready = false;
    if (S.courier) S.courier.goOffline();
    if (S.ended) return;
    setConn("offline");
    if (reason === "io server disconnect") {
      // The server closed this session on purpose (a proctor's reset_login, a revoked token).
      backToLogin({ key: "err.kicked" }, true);
    }
  });

  socket.on("connect_error", (err) => {
    if (socket.active) {
      setConn("offline"); // a network problem: socket.io retries by itself
      return;
    }
    // Refused by the server (bad or expired token, exam closed): sign in again.
    const { code, message } = refusal(err);
    if (["exam_closed", "exam_not_open", "bad_credentials", "bad_token"].includes(code)) {
      backToLogin({ key: `err.${code}` }, true);
    } else {
      backToLogin({ key: "err.session", params: { message } }, true);
    }
  });

  // A refusal carries {error, message} in err.data; a server that put the whole dict into
  // the message string (Python repr) is read too, so the candidate never sees raw braces.
  function refusal(err) {
    const data = (err && err.data) || {};
    let code = data.error || "";
    let message = data.message || (err && err.message) || "";
    const repr = /'error':\s*'([\w-]+)'.*'message':\s*'([^']*)'/.exec(message);
    if (repr) [, code, message] = repr;
    return { code, message };
  }

  socket.on("time", (msg) => {
    rebase(Number(msg.deadline), Number(msg.server_now), null);
    // `status` says whether the clock runs (resume, extension) or stands (a pause).
    if (msg.status === "paused") setPaused(true, S.pauseReason);
    else setPaused(false);
  });

  socket.on("paused", (msg) => {
    setPaused(true, (msg && msg.reason) || "");
  });

  socket.on("ended", (msg) => {
    showResult(msg && msg.result, (msg && msg.reason) || "ended");
  });

  socket.on("message", (msg) => {
    if (msg && msg.text) showMessage(String(msg.text));
  });

  function requestStart() {
    const sentAt = performance.now();
    socket.timeout(ACK_MS).emit("start", {}, (err, ack) => {
      if (err || !ack) {
        if (socket.connected) scheduleStartRetry(2000);
        return;
      }
      if (!ack.ok) {
        onStartRefused(ack);
        return;
      }
      applyStart(ack, sentAt);
    });
  }

  function scheduleStartRetry(ms) {
    window.clearTimeout(S.retryTimer);
    S.retryTimer = window.setTimeout(() => {
      if (!socket.connected) return;
      if (S.attempt || S.beginRequested) requestStart();
      else requestPreview();
    }, ms);
  }

  function onStartRefused(ack) {
    if (S.started) {
      // Already showing the exam (a reconnect): try again shortly.
      scheduleStartRetry(5000);
      return;
    }
    setConn("online"); // connected; only the exam is not ready
    const box = $("loading-error");
    if (ack.error === "exam_not_open") {
      setLoadingText("exam.waiting_open");
      box.hidden = true;
      scheduleStartRetry(10000);
    } else {
      const known = ["exam_closed", "bad_credentials"].includes(ack.error);
      box.textContent = known
        ? t(`err.${ack.error}`)
        : t("exam.start_failed", { message: ack.message || ack.error });
      box.hidden = false;
    }
    $("btn-retry").hidden = false;
  }

  function setLoadingText(key) {
    const el = $("loading-text");
    el.dataset.i18n = key; // so that a language switch keeps the right message
    el.textContent = t(key);
  }

  function applyStart(ack, sentAt) {
    rebase(Number(ack.deadline), Number(ack.server_now), sentAt);
    if (!S.outbox || S.attempt !== String(ack.attempt)) initAttempt(ack);
    S.durationMinutes = ack.duration_minutes ?? S.durationMinutes;
    if (ack.exam_title) S.examTitle = String(ack.exam_title);
    if (ack.status === "ended") {
      // end_reason is optional in the ack; without it the page says "your exam has ended".
      showResult(ack.result, S.endReason || ack.end_reason || (S.timeUp ? "time" : "ended"));
      return;
    }

    // The server's answers, then the outbox's newer ones on top.
    const seqs = ack.seqs || {};
    S.outbox.raiseSeq(Math.max(0, ...Object.values(seqs).map(Number)));
    S.outbox.reconcile(seqs);
    S.answers = Object.assign({}, ack.answers || {});
    S.flags = new Set(ack.flags || []);
    S.saveState = {};
    for (const qid of Object.keys(S.answers)) S.saveState[qid] = { state: "saved" };
    for (const e of S.outbox.list()) {
      if (e.kind === "answer") {
        S.answers[e.question] = e.choice;
        S.saveState[e.question] = { state: "unsaved" };
      } else if (e.flagged) {
        S.flags.add(e.question);
      } else {
        S.flags.delete(e.question);
      }
    }

    const fresh = !S.ready; // the first start ack of this connection
    S.ready = true;
    setConn("online");
    setPaused(ack.status === "paused", ack.pause_reason || S.pauseReason);

    if (!S.started) {
      S.started = true;
      const resume =
        Object.keys(ack.answers || {}).length > 0 ||
        (ack.flags || []).length > 0 ||
        S.outbox.count() > 0 ||
        readBegun();
      if (resume || S.beginRequested) beginExam(Boolean(S.beginRequested));
      else showInstructions();
    } else if (S.screen === "exam") {
      renderQuestion();
    }
    renderGridAll();
    // A new connection replays the whole outbox, oldest first; a repeated start on the same
    // connection (a refresh) leaves requests in flight alone.
    if (fresh) S.courier.goOnline();
    else S.courier.pump();
    updateConn();
    startSyncLoop();
  }

  function initAttempt(ack) {
    S.attempt = String(ack.attempt);
    S.sections = ack.sections || [];
    S.sectionByCode = Object.fromEntries(S.sections.map((s) => [s.code, s]));
    S.questions = ack.questions || [];
    S.outbox = new Outbox(S.attempt);
    S.courier = new Courier(S.outbox, socket, {
      onChange: onSendChange,
      onStop: onSendStopped,
      onPaused: () => setPaused(true, S.pauseReason),
      onStale: () => requestStart(),
    });
    const pos = Number(sessionStorage.getItem(`exam.pos.${S.attempt}`));
    S.current = Number.isInteger(pos) && pos >= 0 && pos < S.questions.length ? pos : 0;
    buildGrid();
  }

  function startSyncLoop() {
    if (S.syncTimer) return;
    S.syncTimer = window.setInterval(requestSync, SYNC_EVERY_MS);
  }

  function requestSync() {
    if (!socket.connected || !S.ready || S.ended) return;
    const sentAt = performance.now();
    socket.timeout(ACK_MS).emit("sync", {}, (err, ack) => {
      if (err || !ack || !ack.ok) return;
      rebase(Number(ack.deadline), Number(ack.server_now), sentAt);
      if (ack.status === "paused") setPaused(true, S.pauseReason);
      else if (ack.status === "ended") requestStart(); // its ack carries the result
      else setPaused(false);
      if (S.courier) S.courier.pump();
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") requestSync();
  });

  /* ---- sending: outbox callbacks -------------------------------------------------- */

  function onSendChange(entry, state, detail) {
    if (entry.kind === "answer") {
      const message = detail && (detail.message || detail.error);
      S.saveState[entry.question] = { state, message };
      if (state === "failed") {
        announce(t("state.failed", { message: message || "" }));
      }
      const idx = indexOf(entry.question);
      if (idx === S.current) renderSaveState();
      renderGridItem(idx);
    }
    updateConn();
    if ($("confirm-dialog").open) renderConfirmUnsaved();
  }

  function onSendStopped(code, ack) {
    if (ack && ack.result) {
      showResult(ack.result, code === "time_over" ? "time" : "ended");
    } else if (code === "time_over") {
      onTimeUp();
    } else {
      requestStart(); // attempt_ended: the start ack carries the result
    }
  }

  /* ---- connection indicator --------------------------------------------------------- */

  function setConn(state) {
    const was = S.conn;
    S.conn = state;
    if (was !== state && S.started) {
      if (state === "offline") announce(t("conn.offline"));
      if (state === "online" && was === "offline") announce(t("conn.online"));
    }
    updateConn();
  }

  function updateConn() {
    const el = $("conn");
    el.dataset.state = S.conn;
    $("conn-text").textContent = t(`conn.${S.conn}`);
    const unsaved = S.outbox ? S.outbox.count("answer") : 0;
    el.dataset.unsaved = String(unsaved);
    el.dataset.pending = String(S.outbox ? S.outbox.count() : 0); // answers and flags
    $("conn-unsaved").textContent = S.outbox
      ? unsaved
        ? t("conn.unsaved", { n: unsaved })
        : t("conn.all_saved")
      : "";
  }

  /* ---- instructions ----------------------------------------------------------------- */

  function readBegun() {
    try {
      return localStorage.getItem(`exam.begun.${S.attempt}`) === "1";
    } catch (_e) {
      return false;
    }
  }

  function showInstructions() {
    renderInstructions();
    showScreen("instructions");
    $("instr-heading").focus({ preventScroll: true });
  }

  function renderInstructions() {
    const body = $("instr-sections");
    body.replaceChildren();
    for (const s of S.sections) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      const code = document.createElement("span");
      code.className = "sec-code";
      code.textContent = s.code;
      th.append(code, " ", s.title || "");
      const td = document.createElement("td");
      td.className = "num";
      td.textContent = String(s.questions);
      tr.append(th, td);
      body.append(tr);
    }
    $("instr-total").textContent = String(
      S.questions.length || S.sections.reduce((n, s) => n + Number(s.questions || 0), 0),
    );
    $("instr-duration").textContent =
      S.durationMinutes != null ? t("instr.duration", { n: S.durationMinutes }) : "";
  }

  function beginExam(focus) {
    try {
      localStorage.setItem(`exam.begun.${S.attempt}`, "1");
    } catch (_e) {
      /* ignore */
    }
    showScreen("exam");
    renderQuestion();
    renderGridAll();
    if (focus) $("q-position").focus();
  }

  /* ---- one question ----------------------------------------------------------------- */

  function indexOf(qid) {
    if (!S._index) S._index = new Map(S.questions.map((q, i) => [q.id, i]));
    return S._index.has(qid) ? S._index.get(qid) : -1;
  }

  function canInteract() {
    return S.screen === "exam" && !S.paused && !S.timeUp && !S.ended;
  }

  function optionLabel(q, opt) {
    if (opt.html) return { html: opt.html };
    if (opt.text) return { text: opt.text };
    if (q.type === "true_false") return { text: t(opt.key === "F" ? "q.false" : "q.true") };
    return { text: "" };
  }

  function renderQuestion() {
    const q = S.questions[S.current];
    if (!q) return;
    const sec = S.sectionByCode[q.section];
    $("q-section").textContent = sec && sec.title ? `${sec.code} · ${sec.title}` : q.section;
    $("q-position").textContent = t("q.position", {
      n: S.current + 1,
      total: S.questions.length,
    });
    const text = $("q-text");
    if (q.html) {
      text.innerHTML = q.html; // sanitized on the server with an allow-list
      text.classList.remove("plain");
    } else {
      text.textContent = q.text || "";
      text.classList.add("plain");
    }
    const multiple = q.type === "multiple";
    const hintKey = multiple
      ? "q.hint_multiple"
      : q.type === "true_false"
        ? "q.hint_true_false"
        : "q.hint_single";
    $("q-hint").textContent = t(hintKey);

    const list = $("options-list");
    list.replaceChildren();
    list.dataset.type = q.type;
    (q.options || []).forEach((opt, i) => {
      const id = `opt-${i}`;
      const label = document.createElement("label");
      label.className = "option";
      label.htmlFor = id;
      const input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = "choice";
      input.id = id;
      input.value = opt.key;
      const letter = document.createElement("span");
      letter.className = "opt-letter";
      letter.textContent = LETTERS[i] || opt.key;
      const body = document.createElement("span");
      body.className = "opt-text";
      const content = optionLabel(q, opt);
      if (content.html != null) body.innerHTML = content.html;
      else body.textContent = content.text;
      label.append(input, letter, body);
      list.append(label);
    });
    renderSelection();

    $("btn-prev").disabled = S.current === 0;
    const last = S.current === S.questions.length - 1;
    $("btn-next-text").textContent = t(last ? "q.finish" : "q.next");
    $("btn-next").classList.toggle("btn-success", last);
    $("btn-next").classList.toggle("btn-primary", !last);
    renderFlag();
    renderSaveState();
  }

  function renderSelection() {
    const q = S.questions[S.current];
    const choice = S.answers[q.id];
    const chosen = new Set(Array.isArray(choice) ? choice : choice != null ? [choice] : []);
    $("options-list")
      .querySelectorAll("input")
      .forEach((input) => {
        input.checked = chosen.has(input.value);
        input.closest(".option").classList.toggle("is-selected", input.checked);
      });
    $("btn-clear").disabled = !isAnswered(choice);
  }

  function renderFlag() {
    const q = S.questions[S.current];
    const flagged = S.flags.has(q.id);
    $("btn-flag").setAttribute("aria-pressed", String(flagged));
  }

  const STATE_ICON = { blank: "○", saved: "✓", saving: "…", unsaved: "⚠", failed: "✕" };

  function renderSaveState() {
    const q = S.questions[S.current];
    if (!q) return;
    const s = S.saveState[q.id] || {};
    let state = s.state;
    if (!state || state === "saved") state = isAnswered(S.answers[q.id]) ? "saved" : "blank";
    if (state === "saving" && !S.ready) state = "unsaved";
    const el = $("q-state");
    el.dataset.state = state;
    el.querySelector(".q-state-icon").textContent = STATE_ICON[state];
    $("q-state-text").textContent =
      state === "failed" ? t("state.failed", { message: s.message || "" }) : t(`state.${state}`);
  }

  function go(index, viaGrid) {
    if (!S.questions.length) return;
    const i = Math.max(0, Math.min(S.questions.length - 1, index));
    if (i === S.current && !viaGrid) return;
    const before = S.current;
    S.current = i;
    try {
      sessionStorage.setItem(`exam.pos.${S.attempt}`, String(i));
    } catch (_e) {
      /* ignore */
    }
    renderQuestion();
    renderGridItem(before);
    renderGridItem(i);
    $("q-body").scrollTop = 0;
    if (window.matchMedia("(max-width: 900px)").matches) {
      $("screen-exam").scrollIntoView({ block: "start" });
    }
    if (viaGrid) $("q-position").focus();
  }

  function choose(choice) {
    if (!canInteract()) return;
    const q = S.questions[S.current];
    const value = Array.isArray(choice) ? (choice.length ? [...choice].sort() : null) : choice;
    if (value === null) delete S.answers[q.id];
    else S.answers[q.id] = value;
    S.outbox.putAnswer(q.id, value);
    S.saveState[q.id] = { state: S.ready ? "saving" : "unsaved" };
    renderSelection();
    renderSaveState();
    renderGridItem(S.current);
    renderSummary();
    updateConn();
    S.courier.pump();
  }

  function choiceFromInputs() {
    const q = S.questions[S.current];
    const inputs = [...$("options-list").querySelectorAll("input")];
    if (q.type === "multiple") return inputs.filter((i) => i.checked).map((i) => i.value);
    const picked = inputs.find((i) => i.checked);
    return picked ? picked.value : null;
  }

  function toggleFlag() {
    if (!canInteract()) return;
    const q = S.questions[S.current];
    const flagged = !S.flags.has(q.id);
    if (flagged) S.flags.add(q.id);
    else S.flags.delete(q.id);
    S.outbox.putFlag(q.id, flagged);
    renderFlag();
    renderGridItem(S.current);
    S.courier.pump();
  }

  function pickByLetter(letter) {
    const inputs = [...$("options-list").querySelectorAll("input")];
    const q = S.questions[S.current];
    let input = inputs[LETTERS.indexOf(letter)];
    if (q.type === "true_false" && (letter === "T" || letter === "F")) {
      input = inputs.find((i) => i.value === letter) || input;
    }
    if (!input) return;
    if (input.type === "checkbox") input.checked = !input.checked;
    else input.checked = true;
    input.focus({ preventScroll: true });
    choose(choiceFromInputs());
  }

  $("options-list").addEventListener("change", () => choose(choiceFromInputs()));
  $("btn-prev").addEventListener("click", () => go(S.current - 1));
  $("btn-next").addEventListener("click", () => {
    if (S.current === S.questions.length - 1) openConfirm();
    else go(S.current + 1);
  });
  $("btn-flag").addEventListener("click", toggleFlag);
  $("btn-clear").addEventListener("click", () => choose(null));
  $("btn-begin").addEventListener("click", () => {
    if (S.attempt) {
      beginExam(true);
      return;
    }
    // The attempt (and its clock) starts now, when the candidate presses Mulai.
    S.beginRequested = true;
    $("btn-begin").disabled = true;
    requestStart();
  });

  // Leaving the exam page is shown to the proctor as an incident (at most every 5 s a kind).
  const lastIncident = {};
  function reportIncident(kind) {
    if (!S.started || S.ended || !socket.connected) return;
    const now = Date.now();
    if (now - (lastIncident[kind] || 0) < 5000) return;
    lastIncident[kind] = now;
    socket.emit("incident", { kind });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") reportIncident("hidden");
  });
  window.addEventListener("blur", () => reportIncident("blur"));
  $("btn-retry").addEventListener("click", () => {
    $("loading-error").hidden = true;
    setLoadingText("exam.loading");
    if (socket.connected) requestStart();
    else socket.connect();
  });

  document.addEventListener("keydown", (ev) => {
    if (!canInteract() || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    const target = ev.target;
    if (target && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (target && target.tagName === "INPUT" && !/^(radio|checkbox)$/.test(target.type)) return;
    if (ev.key === "ArrowLeft") {
      ev.preventDefault();
      go(S.current - 1);
    } else if (ev.key === "ArrowRight") {
      ev.preventDefault();
      go(S.current + 1);
    } else if (/^[a-jA-J]$/.test(ev.key)) {
      ev.preventDefault();
      pickByLetter(ev.key.toUpperCase());
    }
  });

  /* ---- the question grid ------------------------------------------------------------ */

  function buildGrid() {
    const grid = $("grid");
    grid.replaceChildren();
    S._index = null;
    S._gridButtons = [];
    const groups = [];
    S.questions.forEach((q, i) => {
      let g = groups[groups.length - 1];
      if (!g || g.code !== q.section) {
        g = { code: q.section, items: [] };
        groups.push(g);
      }
      g.items.push(i);
    });
    for (const g of groups) {
      const wrap = document.createElement("section");
      wrap.className = "grid-section";
      const h = document.createElement("h3");
      const sec = S.sectionByCode[g.code];
      const code = document.createElement("span");
      code.className = "sec-code";
      code.textContent = g.code;
      h.append(code);
      if (sec && sec.title) {
        const title = document.createElement("span");
        title.className = "grid-sec-title";
        title.textContent = sec.title;
        h.append(" ", title);
      }
      h.id = `grid-sec-${g.code}`;
      const buttons = document.createElement("div");
      buttons.className = "grid-buttons";
      buttons.setAttribute("role", "group");
      buttons.setAttribute("aria-labelledby", h.id);
      for (const i of g.items) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "qbtn";
        b.dataset.index = String(i);
        b.textContent = String(i + 1);
        buttons.append(b);
        S._gridButtons[i] = b;
      }
      wrap.append(h, buttons);
      grid.append(wrap);
    }
  }

  $("grid").addEventListener("click", (ev) => {
    const b = ev.target.closest(".qbtn");
    if (b && canInteract()) go(Number(b.dataset.index), true);
  });

  function renderGridItem(i) {
    const b = S._gridButtons && S._gridButtons[i];
    if (!b) return;
    const q = S.questions[i];
    const answered = isAnswered(S.answers[q.id]);
    const flagged = S.flags.has(q.id);
    const current = i === S.current && S.screen === "exam";
    const st = (S.saveState[q.id] || {}).state;
    const unsaved = st === "unsaved" || st === "failed" || (st === "saving" && !S.ready);
    b.classList.toggle("is-answered", answered);
    b.classList.toggle("is-flagged", flagged);
    b.classList.toggle("is-current", current);
    b.classList.toggle("is-unsaved", unsaved);
    if (current) b.setAttribute("aria-current", "step");
    else b.removeAttribute("aria-current");
    const parts = [t("grid.item", { n: i + 1 }), t(answered ? "grid.answered" : "grid.unanswered")];
    if (flagged) parts.push(t("grid.flagged"));
    if (unsaved) parts.push(t("grid.unsaved"));
    if (current) parts.push(t("grid.current"));
    b.setAttribute("aria-label", parts.join(", "));
  }

  function renderGridAll() {
    S.questions.forEach((_q, i) => renderGridItem(i));
    renderSummary();
  }

  function renderSummary() {
    const answered = S.questions.filter((q) => isAnswered(S.answers[q.id])).length;
    $("grid-summary").textContent = t("grid.summary", {
      answered,
      total: S.questions.length,
    });
  }

  /* ---- pause, time up --------------------------------------------------------------- */

  function setPaused(on, reason) {
    if (on) {
      if (!S.paused) S.pausedRemaining = remainingMs() ?? 0;
      S.paused = true;
      S.pauseReason = reason || S.pauseReason || "";
      const r = $("paused-reason");
      r.textContent = S.pauseReason ? t("paused.reason", { reason: S.pauseReason }) : "";
      r.hidden = !S.pauseReason;
      if ($("overlay-paused").hidden) {
        if ($("confirm-dialog").open) $("confirm-dialog").close();
        $("overlay-paused").hidden = false;
        $("paused-heading").focus();
        announce(t("paused.heading"));
      }
      if (S.courier) S.courier.setPaused(true);
    } else if (S.paused) {
      S.paused = false;
      S.pauseReason = "";
      $("overlay-paused").hidden = true;
      if (S.courier) S.courier.setPaused(false);
      tick();
    }
    setMainInert(S.paused || S.timeUp);
  }

  function onTimeUp() {
    if (S.ended || S.timeUp) return;
    S.timeUp = true;
    if ($("confirm-dialog").open) $("confirm-dialog").close();
    $("overlay-timeup").hidden = false;
    $("timeup-heading").focus();
    setMainInert(true);
    announce(t("timeup.heading"));
    // The server ends the attempt and sends `ended`; ask in case that event is lost.
    window.clearInterval(S.endCheckTimer);
    S.endCheckTimer = window.setInterval(() => {
      if (socket.connected && !S.ended) requestStart();
    }, END_CHECK_MS);
  }

  function clearTimeUp() {
    S.timeUp = false;
    window.clearInterval(S.endCheckTimer);
    $("overlay-timeup").hidden = true;
    setMainInert(S.paused);
  }

  /* ---- messages from the proctor ---------------------------------------------------- */

  function showMessage(text) {
    const li = document.createElement("li");
    const now = serverNowMs();
    if (now) {
      const time = document.createElement("time");
      time.className = "message-time";
      time.dateTime = new Date(now).toISOString();
      time.textContent = new Date(now).toLocaleTimeString(window.I18n.locale(), {
        hour: "2-digit",
        minute: "2-digit",
      });
      li.append(time, " ");
    }
    const body = document.createElement("span");
    body.textContent = text; // plain text, never HTML
    li.append(body);
    $("message-list").append(li);
    const dlg = $("message-dialog");
    if (!dlg.open) dlg.showModal();
    $("message-close").focus();
  }

  $("message-close").addEventListener("click", () => $("message-dialog").close());
  $("message-dialog").addEventListener("close", () => $("message-list").replaceChildren());

  /* ---- submit ----------------------------------------------------------------------- */

  function numberButtons(indexes) {
    const wrap = document.createElement("div");
    wrap.className = "confirm-numbers";
    for (const i of indexes) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "qchip";
      b.dataset.index = String(i);
      b.textContent = String(i + 1);
      b.setAttribute("aria-label", t("grid.item", { n: i + 1 }));
      wrap.append(b);
    }
    return wrap;
  }

  function renderConfirm() {
    const unanswered = [];
    const flagged = [];
    S.questions.forEach((q, i) => {
      if (!isAnswered(S.answers[q.id])) unanswered.push(i);
      if (S.flags.has(q.id)) flagged.push(i);
    });
    const box = (id, list, headKey, noneKey) => {
      const el = $(id);
      el.replaceChildren();
      const p = document.createElement("p");
      p.className = "confirm-label";
      if (list.length) {
        p.textContent = t(headKey, { n: list.length });
        el.append(p, numberButtons(list));
      } else {
        p.textContent = t(noneKey);
        p.classList.add("is-none");
        el.append(p);
      }
    };
    box("confirm-unanswered", unanswered, "confirm.unanswered", "confirm.all_answered");
    box("confirm-flagged", flagged, "confirm.flagged", "confirm.no_flags");
    $("confirm-flagged").classList.toggle("has-items", flagged.length > 0);
    $("confirm-unanswered").classList.toggle("has-items", unanswered.length > 0);
    renderConfirmUnsaved();
  }

  function renderConfirmUnsaved() {
    const n = S.outbox ? S.outbox.count("answer") : 0;
    const box = $("confirm-unsaved");
    box.hidden = n === 0;
    box.textContent = n
      ? `${t("confirm.unsaved", { n })} ${S.ready ? t("confirm.flushing") : t("confirm.offline")}`
      : "";
    $("confirm-force-row").hidden = n === 0;
    if (n === 0) $("confirm-force").checked = false;
    const submitting = $("confirm-submit").dataset.busy === "1";
    $("confirm-submit").disabled = submitting || (n > 0 && !$("confirm-force").checked);
  }

  function openConfirm() {
    if (!canInteract()) return;
    $("confirm-error").hidden = true;
    $("confirm-force").checked = false;
    $("confirm-submit").dataset.busy = "";
    $("confirm-submit").textContent = t("confirm.submit");
    renderConfirm();
    if (S.courier) S.courier.pump(); // flush what is still waiting
    $("confirm-dialog").showModal();
    $("confirm-cancel").focus();
  }

  function confirmError(text) {
    const el = $("confirm-error");
    el.textContent = text;
    el.hidden = false;
    $("confirm-submit").dataset.busy = "";
    $("confirm-submit").textContent = t("confirm.submit");
    renderConfirmUnsaved();
  }

  function waitUntil(predicate, ms) {
    return new Promise((resolve) => {
      const start = performance.now();
      const poll = () => {
        if (predicate() || performance.now() - start > ms) resolve();
        else window.setTimeout(poll, 100);
      };
      poll();
    });
  }

  async function submitExam() {
    if (!S.ready || !socket.connected) {
      confirmError(t("confirm.offline"));
      return;
    }
    if (S.outbox.count("answer") > 0 && !$("confirm-force").checked) return;
    const btn = $("confirm-submit");
    btn.dataset.busy = "1";
    btn.disabled = true;
    btn.textContent = t("confirm.submitting");
    $("confirm-error").hidden = true;
    // Answers still in flight go first: submit scores what the server has stored.
    await waitUntil(() => !S.courier.busy(), ACK_MS);
    socket.timeout(SUBMIT_ACK_MS).emit("submit", {}, (err, ack) => {
      if (err || !ack) {
        confirmError(t("confirm.timeout"));
        return;
      }
      if (ack.ok) {
        showResult(ack.result, "submitted");
      } else if (ack.result) {
        showResult(ack.result, ack.error === "time_over" ? "time" : "ended");
      } else if (ack.error === "attempt_ended" || ack.error === "time_over") {
        $("confirm-dialog").close();
        requestStart();
      } else {
        confirmError(t("confirm.failed", { message: ack.message || ack.error }));
      }
    });
  }

  $("btn-finish").addEventListener("click", openConfirm);
  $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close());
  $("confirm-submit").addEventListener("click", submitExam);
  $("confirm-force").addEventListener("change", renderConfirmUnsaved);
  $("confirm-dialog").addEventListener("click", (ev) => {
    const chip = ev.target.closest(".qchip");
    if (!chip) return;
    $("confirm-dialog").close();
    go(Number(chip.dataset.index), true);
  });

  /* ---- result ----------------------------------------------------------------------- */

  function showResult(result, reason) {
    if (result) S.result = result;
    S.endReason = reason || S.endReason || "ended";
    if (!S.ended) {
      S.ended = true;
      if (S.courier) S.courier.stop();
      window.clearInterval(S.syncTimer);
      window.clearInterval(S.endCheckTimer);
      window.clearTimeout(S.retryTimer);
      for (const id of ["confirm-dialog"]) if ($(id).open) $(id).close();
      $("overlay-paused").hidden = true;
      $("overlay-timeup").hidden = true;
      setMainInert(false);
      $("timer").hidden = true;
      if (S.outbox) S.outbox.clear();
    }
    renderResult();
    showScreen("result");
    $("result-heading").focus();
    if (!S.result && socket.connected) {
      requestStartForResult();
    } else if (S.result) {
      socket.disconnect(); // nothing more will happen to this attempt
      setConn("offline");
      $("conn").hidden = true;
    }
  }

  function requestStartForResult() {
    socket.timeout(ACK_MS).emit("start", {}, (err, ack) => {
      if (!err && ack && ack.ok && ack.result) showResult(ack.result, S.endReason);
    });
  }

  function renderResult() {
    const r = S.result || {};
    const who = [participantNo && t("exam.participant", { no: participantNo }),
      S.examTitle || examCode]
      .filter(Boolean)
      .join(" · ");
    $("result-who").textContent = who;
    const reasonKey = {
      time: "result.reason_time",
      proctor: "result.reason_proctor",
      submitted: "result.reason_submitted",
    }[S.endReason] || "result.reason_ended";
    $("result-reason").textContent = t(reasonKey);

    const sections = r.sections && typeof r.sections === "object" ? r.sections : null;
    const hasScores = (sections && Object.keys(sections).length > 0) || r.total != null;
    $("result-scores").hidden = !hasScores;
    $("result-received").hidden = hasScores || !S.result;
    const grid = $("score-grid");
    grid.replaceChildren();
    if (hasScores) {
      const codes = sections ? Object.keys(sections) : [];
      const ordered = S.sections.map((s) => s.code).filter((c) => codes.includes(c));
      for (const c of codes) if (!ordered.includes(c)) ordered.push(c);
      for (const code of ordered) {
        let v = sections[code];
        if (v && typeof v === "object") v = v.score ?? v.total ?? v.points;
        grid.append(scoreCard(code, (S.sectionByCode[code] || {}).title || "", v, false));
      }
      if (r.total != null) grid.append(scoreCard(t("result.total"), "", r.total, true));
    }

    const verdict = $("result-verdict");
    if (typeof r.passed === "boolean") {
      verdict.hidden = false;
      verdict.dataset.passed = String(r.passed);
      verdict.replaceChildren();
      const icon = document.createElement("span");
      icon.className = "verdict-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = r.passed ? "✓" : "✕";
      const label = document.createElement("span");
      label.className = "sr-only";
      label.textContent = `${t("result.verdict")}: `;
      const word = document.createElement("span");
      word.textContent = t(r.passed ? "result.passed" : "result.failed");
      verdict.append(icon, label, word);
    } else {
      verdict.hidden = true;
    }

    renderReceipt(r.receipt || "");
  }

  /* ---- the receipt: short code, full code on request, QR, print card ---------------- */

  let qrFor = null; // the URL the QR on screen encodes

  function renderReceipt(code) {
    $("receipt-box").hidden = !code;
    $("result-receipt").textContent = code;
    // 16 + 8 characters are enough to compare by eye; the whole code is one press away.
    $("receipt-short").textContent =
      code.length > 25 ? `${code.slice(0, 16)}…${code.slice(-8)}` : code;
    const url = `${window.location.origin}/verify#${code}`;
    $("receipt-verify-link").href = url;
    $("print-verify").textContent = t("pub.rc.print_verify",
      { url: `${window.location.origin}/verify` });
    const open = !$("result-receipt").hidden;
    $("btn-receipt-full").setAttribute("aria-expanded", String(open));
    $("btn-receipt-full").textContent = t(open ? "pub.rc.hide_full" : "pub.rc.show_full");
    $("print-exam").textContent = S.examTitle && examCode && S.examTitle !== examCode
      ? `${S.examTitle} (${examCode})` : S.examTitle || examCode;
    $("print-participant").textContent = participantNo;
    $("print-time").textContent = new Date().toLocaleString(window.I18n.locale());
    if (code && url !== qrFor) renderQr(url);
  }

  /** Draw `text` as a QR code in SVG (qrcode-generator); no QR if the library is missing. */
  function renderQr(text) {
    const box = $("receipt-qr-box");
    if (typeof window.qrcode !== "function") {
      box.hidden = true;
      return;
    }
    let qr;
    try {
      qr = window.qrcode(0, "M"); // 0: the smallest version that holds the text
      qr.addData(text);
      qr.make();
    } catch (_e) {
      box.hidden = true; // too long for any version: the code and the link remain
      return;
    }
    const n = qr.getModuleCount();
    const quiet = 4; // the quiet zone the QR standard asks for, in modules
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${n + 2 * quiet} ${n + 2 * quiet}`);
    svg.setAttribute("shape-rendering", "crispEdges");
    svg.setAttribute("aria-hidden", "true");
    const bg = document.createElementNS(ns, "rect");
    bg.setAttribute("width", "100%");
    bg.setAttribute("height", "100%");
    bg.setAttribute("fill", "#fff");
    let d = "";
    for (let row = 0; row < n; row += 1) {
      for (let col = 0; col < n; col += 1) {
        if (qr.isDark(row, col)) d += `M${col + quiet},${row + quiet}h1v1h-1z`;
      }
    }
    const dark = document.createElementNS(ns, "path");
    dark.setAttribute("d", d);
    dark.setAttribute("fill", "#000");
    svg.append(bg, dark);
    $("receipt-qr").replaceChildren(svg);
    box.hidden = false;
    qrFor = text;
  }

  $("btn-receipt-full").addEventListener("click", () => {
    $("result-receipt").hidden = !$("result-receipt").hidden;
    renderReceipt($("result-receipt").textContent);
  });
  window.addEventListener("beforeprint", () => {
    $("print-time").textContent = new Date().toLocaleString(window.I18n.locale());
  });

  function scoreCard(code, title, value, isTotal) {
    const card = document.createElement("div");
    card.className = isTotal ? "score-card is-total" : "score-card";
    const head = document.createElement("div");
    head.className = "score-code";
    head.textContent = code;
    const name = document.createElement("div");
    name.className = "score-title";
    name.textContent = title;
    const val = document.createElement("div");
    val.className = "score-value";
    val.textContent = fmtNumber(value);
    card.append(head, name, val);
    return card;
  }

  $("btn-print").addEventListener("click", () => window.print());
  $("btn-logout").addEventListener("click", () => {
    for (const k of ["exam.token", "exam.participant_no"]) sessionStorage.removeItem(k);
    window.location.replace(examCode ? `/?exam=${encodeURIComponent(examCode)}` : "/");
  });

  /* ---- page-wide -------------------------------------------------------------------- */

  window.addEventListener("beforeunload", (ev) => {
    // The outbox survives a reload, but not a move to another computer.
    if (S.outbox && S.outbox.count("answer") > 0 && !S.ended) {
      ev.preventDefault();
      ev.returnValue = "";
    }
  });

  document.addEventListener("langchange", () => {
    $("who").textContent = participantNo ? t("exam.participant", { no: participantNo }) : "";
    updateConn();
    if (S.screen === "instructions") renderInstructions();
    if (S.screen === "exam") renderQuestion();
    if (S.questions.length) renderGridAll();
    if (S.screen === "result") renderResult();
    if ($("confirm-dialog").open) renderConfirm();
    if (S.paused) setPaused(true, S.pauseReason);
  });

  $("who").textContent = participantNo ? t("exam.participant", { no: participantNo }) : "";
  updateConn();
  window.setInterval(tick, 250);
})();
