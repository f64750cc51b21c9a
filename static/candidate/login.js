/* Candidate sign-in: POST /api/v1/candidate/login, keep the token for this tab, go to /exam. */
(function () {
  "use strict";

  const t = (k, p) => window.I18n.t(k, p);
  const $ = (id) => document.getElementById(id);

  const form = $("login-form");
  const examInput = $("exam");
  const noInput = $("participant_no");
  const pwInput = $("password");
  const submitBtn = $("login-submit");
  const errorBox = $("login-error");
  const errorText = $("login-error-text");

  // The last error, kept as a key (or server text) so a language switch re-renders it.
  let lastError = null;

  function showError(err) {
    lastError = err;
    if (!err) {
      errorBox.hidden = true;
      return;
    }
    errorText.textContent = err.key ? t(err.key, err.params) : err.text;
    errorBox.hidden = false;
  }

  function setBusy(busy) {
    submitBtn.disabled = busy;
    submitBtn.setAttribute("aria-busy", String(busy));
    submitBtn.textContent = t(busy ? "login.busy" : "login.submit");
  }

  function errorFor(status, body) {
    const code = body && body.error;
    if (["bad_credentials", "exam_not_open", "exam_closed"].includes(code)) {
      return { key: `err.${code}` };
    }
    if (code === "not_found" || code === "exam_not_found" || status === 404) {
      return { key: "err.not_found" };
    }
    if (status >= 500) return { key: "err.server", params: { status } };
    const message = (body && (body.message || body.error)) || `HTTP ${status}`;
    return { key: "err.unknown", params: { message } };
  }

  async function signIn(ev) {
    ev.preventDefault();
    const exam = examInput.value.trim();
    const participantNo = noInput.value.trim();
    const password = pwInput.value;
    for (const input of [examInput, noInput, pwInput]) {
      input.setAttribute("aria-invalid", String(!input.value.trim()));
    }
    if (!exam || !participantNo || !password) {
      showError({ key: "login.required" });
      [examInput, noInput, pwInput].find((i) => !i.value.trim()).focus();
      return;
    }
    showError(null);
    setBusy(true);
    let res;
    let body = null;
    try {
      res = await fetch("/api/v1/candidate/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ exam, participant_no: participantNo, password }),
      });
      body = await res.json().catch(() => null);
    } catch (_e) {
      setBusy(false);
      showError({ key: "err.network" });
      return;
    }
    if (!res.ok || !body || !body.token) {
      setBusy(false);
      showError(errorFor(res.status, body));
      if (body && body.error === "bad_credentials") {
        pwInput.value = "";
        pwInput.focus();
      }
      return;
    }
    try {
      sessionStorage.setItem("exam.token", body.token);
      sessionStorage.setItem("exam.exam", exam);
      sessionStorage.setItem("exam.participant_no", participantNo);
      localStorage.setItem("exam.lastExam", exam);
    } catch (_e) {
      /* storage refused: /exam will send the candidate back here */
    }
    window.location.assign("/exam");
  }

  function prefill() {
    const params = new URLSearchParams(window.location.search);
    let remembered = null;
    try {
      remembered = localStorage.getItem("exam.lastExam");
    } catch (_e) {
      /* ignore */
    }
    examInput.value = params.get("exam") || remembered || "";
    // Sent back here from /exam (session ended): the participant number stays filled in.
    noInput.value = sessionStorage.getItem("exam.participant_no") || "";

    // A message left by the exam page (refused connection, session ended).
    const note = sessionStorage.getItem("exam.loginMessage");
    if (note) {
      sessionStorage.removeItem("exam.loginMessage");
      try {
        showError(JSON.parse(note));
      } catch (_e) {
        showError({ text: note });
      }
    } else if (sessionStorage.getItem("exam.token")) {
      $("resume-box").hidden = false;
    }
    const first = [examInput, noInput, pwInput].find((i) => !i.value);
    (first || noInput).focus();
  }

  $("show-password").addEventListener("change", (ev) => {
    pwInput.type = ev.target.checked ? "text" : "password";
  });
  form.addEventListener("submit", signIn);
  document.addEventListener("langchange", () => {
    showError(lastError);
    if (!submitBtn.disabled) submitBtn.textContent = t("login.submit");
  });
  prefill();
})();
