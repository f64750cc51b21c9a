/* Staff sign-in: POST /api/v1/login (which also sets the session cookie), then the dashboard. */
import { $, api, errorText, onLang, t } from "./common.js";

const form = $("login-form");
const user = $("username");
const pass = $("password");
const submit = $("login-submit");
const params = new URLSearchParams(window.location.search);

let lastError = null; // kept as a function so a language switch re-renders it
let busy = false;

function showError(render) {
  lastError = render;
  $("login-error").hidden = !render;
  if (render) $("login-error-text").textContent = render();
}

function showNotice() {
  const why = params.get("why");
  const key = { signed_out: "p.login.signed_out", expired: "p.login.expired" }[why];
  $("login-notice").hidden = !key;
  if (key) $("login-notice-text").textContent = t(key);
}

function setBusy(on) {
  busy = on;
  submit.disabled = on;
  submit.setAttribute("aria-busy", String(on));
  submit.textContent = t(on ? "p.login.busy" : "p.login.submit");
}

/** Only a same-site path under /proctor/ may be the place to return to. */
function nextPage(role) {
  const next = params.get("next") || "";
  if (role === "observer") return next.startsWith("/proctor/audit") ? next : "/proctor/audit";
  // Only this site's own pages: an admin may go back to the console they came from.
  if (role === "admin" && /^\/admin\/[^/]?/.test(next) && !next.startsWith("//")) return next;
  return /^\/proctor\/(?!login)/.test(next) ? next : "/proctor/";
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (busy) return;
  const username = user.value.trim();
  const password = pass.value;
  user.setAttribute("aria-invalid", String(!username));
  pass.setAttribute("aria-invalid", String(!password));
  if (!username || !password) {
    showError(() => t("p.login.required"));
    (username ? pass : user).focus();
    return;
  }
  setBusy(true);
  showError(null);
  const res = await api("/login", { method: "POST", body: { username, password } });
  if (res.ok) {
    window.location.assign(nextPage(res.data.role));
    return;
  }
  setBusy(false);
  const { data, status } = res;
  if (data.error === "bad_credentials") {
    user.setAttribute("aria-invalid", "true");
    pass.setAttribute("aria-invalid", "true");
    showError(() => t("p.login.bad_credentials"));
    pass.select();
    pass.focus();
  } else {
    showError(() => errorText(data, status));
  }
});

$("show-password").addEventListener("change", (ev) => {
  pass.type = ev.target.checked ? "text" : "password";
});

onLang(() => {
  showNotice();
  if (lastError) showError(lastError);
  setBusy(busy);
});
showNotice();
user.focus();
