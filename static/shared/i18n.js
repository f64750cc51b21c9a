/* Two languages for the candidate pages: Bahasa Indonesia (default) and English.
 *
 * Markup carries the Indonesian text and a key: <h1 data-i18n="login.heading">…</h1>.
 * Attributes use data-i18n-attr="aria-label:key; placeholder:key2".
 * The choice is kept in localStorage ("exam.lang"); a `langchange` event on document tells
 * scripts to re-render the text they build themselves.
 */
(function () {
  "use strict";

  const STORAGE_KEY = "exam.lang";
  const LANGS = ["id", "en"];

  const DICT = {
    id: {
      "app.title": "CAT — Ujian Berbasis Komputer",
      "app.brand": "Ujian Berbasis Komputer",
      "app.lang_group": "Bahasa",
      "a11y.skip": "Langsung ke isi",

      "login.title": "Masuk — CAT",
      "login.heading": "Masuk Peserta Ujian",
      "login.intro": "Masukkan kode ujian, nomor peserta, dan kata sandi yang tertera pada kartu peserta Anda.",
      "login.exam": "Kode ujian",
      "login.exam_hint": "Contoh: skd-cpns-2026",
      "login.participant": "Nomor peserta",
      "login.password": "Kata sandi",
      "login.show_password": "Tampilkan kata sandi",
      "login.submit": "Masuk",
      "login.busy": "Memeriksa…",
      "login.help": "Ada kendala? Angkat tangan dan hubungi pengawas ruangan. Jangan meninggalkan tempat duduk.",
      "login.required": "Lengkapi kode ujian, nomor peserta, dan kata sandi.",
      "login.resume": "Sesi ujian Anda masih tersimpan di browser ini.",
      "login.resume_button": "Lanjutkan ujian",

      "err.bad_credentials": "Nomor peserta atau kata sandi salah. Periksa kembali kartu peserta Anda.",
      "err.exam_not_open": "Ujian belum dibuka. Tunggu aba-aba dari pengawas, lalu coba lagi.",
      "err.exam_closed": "Ujian ini sudah ditutup.",
      "err.not_found": "Kode ujian tidak dikenal. Periksa kembali kode ujian.",
      "err.network": "Tidak dapat menghubungi server. Periksa jaringan, lalu coba lagi.",
      "err.server": "Server sedang bermasalah ({status}). Coba lagi sebentar lagi.",
      "err.unknown": "Gagal masuk: {message}",
      "err.session": "Sesi Anda berakhir: {message}. Silakan masuk kembali.",
      "err.kicked": "Sesi di komputer ini diakhiri oleh pengawas. Silakan masuk kembali.",
      "err.bad_token": "Sesi Anda tidak berlaku lagi. Silakan masuk kembali.",
      "err.no_token": "Silakan masuk terlebih dahulu.",

      "exam.title": "Ujian — CAT",
      "exam.participant": "Peserta {no}",
      "exam.loading": "Memuat soal…",
      "exam.waiting_open": "Ujian belum dibuka. Halaman ini akan mencoba lagi otomatis.",
      "exam.retry": "Coba lagi",
      "exam.start_failed": "Gagal memuat ujian: {message}",

      "conn.connecting": "Menghubungkan…",
      "conn.online": "Terhubung",
      "conn.offline": "Terputus — menyambung ulang…",
      "conn.all_saved": "semua tersimpan",
      "conn.unsaved": "{n} belum tersimpan",
      "conn.label": "Status koneksi",

      "timer.label": "Sisa waktu",
      "timer.announce": "Sisa waktu {n} menit.",

      "instr.heading": "Petunjuk Ujian",
      "instr.intro": "Bacalah petunjuk berikut sebelum mulai mengerjakan.",
      "instr.section": "Bagian",
      "instr.count": "Jumlah soal",
      "instr.total": "Jumlah",
      "instr.duration": "Waktu ujian: {n} menit.",
      "instr.rules": "Ketentuan",
      "instr.rule_time": "Waktu dihitung oleh server, bukan oleh komputer ini, dan sudah berjalan (lihat sisa waktu di kanan atas). Bila waktu habis, ujian berakhir otomatis dan jawaban yang tersimpan dinilai.",
      "instr.rule_save": "Jawaban tersimpan otomatis setiap kali Anda memilih. Tanda ✓ Tersimpan muncul di samping nomor soal setelah server menerimanya.",
      "instr.rule_flag": "Tombol Ragu-ragu menandai soal yang ingin Anda periksa lagi (kuning pada daftar soal). Jawaban pada soal ragu-ragu tetap dinilai.",
      "instr.rule_network": "Bila koneksi terputus, tetap lanjutkan. Jawaban disimpan di komputer ini dan dikirim otomatis begitu koneksi pulih. Jangan menutup browser.",
      "instr.rule_keys": "Tombol keyboard: A–E memilih jawaban, panah kiri/kanan berpindah soal.",
      "instr.rule_finish": "Tekan Selesai bila sudah yakin. Setelah itu jawaban tidak dapat diubah lagi.",
      "instr.start": "Mulai mengerjakan",

      "q.position": "Soal {n} dari {total}",
      "q.hint_single": "Pilih satu jawaban.",
      "q.hint_multiple": "Pilih satu atau lebih jawaban.",
      "q.hint_true_false": "Pilih Benar atau Salah.",
      "q.options": "Pilihan jawaban",
      "q.true": "Benar",
      "q.false": "Salah",
      "q.prev": "Sebelumnya",
      "q.next": "Berikutnya",
      "q.flag": "Ragu-ragu",
      "q.clear": "Hapus jawaban",
      "q.finish": "Selesai",

      "state.blank": "Belum dijawab",
      "state.saved": "Tersimpan",
      "state.saving": "Menyimpan…",
      "state.unsaved": "Belum tersimpan",
      "state.failed": "Gagal disimpan: {message}",
      "state.saved_at": "Tersimpan {time}",

      "grid.heading": "Daftar Soal",
      "grid.answered": "Sudah dijawab",
      "grid.unanswered": "Belum dijawab",
      "grid.flagged": "Ragu-ragu",
      "grid.current": "Soal saat ini",
      "grid.unsaved": "Belum tersimpan",
      "grid.summary": "{answered} dari {total} terjawab",
      "grid.toggle": "Daftar soal",
      "grid.item": "Soal {n}",

      "confirm.heading": "Selesaikan ujian?",
      "confirm.unanswered": "Belum dijawab ({n}):",
      "confirm.flagged": "Ragu-ragu ({n}):",
      "confirm.all_answered": "Semua soal sudah dijawab.",
      "confirm.no_flags": "Tidak ada soal ragu-ragu.",
      "confirm.unsaved": "{n} jawaban belum tersimpan di server.",
      "confirm.flushing": "Mengirim jawaban yang belum tersimpan…",
      "confirm.all_saved": "Semua jawaban sudah tersimpan di server.",
      "confirm.force": "Saya tetap ingin menyelesaikan ujian walaupun ada jawaban yang belum tersimpan (jawaban itu tidak akan dinilai).",
      "confirm.final": "Setelah selesai, jawaban tidak dapat diubah lagi.",
      "confirm.cancel": "Kembali ke soal",
      "confirm.submit": "Ya, selesai",
      "confirm.submitting": "Mengirim…",
      "confirm.failed": "Gagal menyelesaikan: {message}",
      "confirm.timeout": "Server tidak menjawab. Periksa koneksi, lalu coba lagi.",
      "confirm.offline": "Koneksi terputus. Tunggu sampai terhubung kembali.",

      "paused.heading": "Ujian dijeda oleh pengawas",
      "paused.reason": "Alasan: {reason}",
      "paused.body": "Tetap di tempat duduk Anda. Waktu tidak berjalan selama jeda; ujian dilanjutkan oleh pengawas.",

      "timeup.heading": "Waktu habis",
      "timeup.body": "Menunggu server menutup ujian…",

      "msg.heading": "Pesan dari pengawas",
      "msg.close": "Tutup",

      "result.heading": "Hasil Ujian",
      "result.total": "Total",
      "result.passed": "LULUS",
      "result.failed": "TIDAK LULUS",
      "result.verdict": "Keputusan",
      "result.received": "Jawaban Anda telah diterima.",
      "result.receipt": "Tanda terima",
      "result.receipt_hint": "Simpan tanda terima ini. Dengan kode ini Anda dapat memeriksa bahwa hasil Anda tercatat dengan benar.",
      "result.print": "Cetak",
      "result.logout": "Keluar",
      "result.reason_time": "Waktu ujian telah habis.",
      "result.reason_proctor": "Ujian diakhiri oleh pengawas.",
      "result.reason_submitted": "Anda telah menyelesaikan ujian.",
      "result.reason_ended": "Ujian Anda telah berakhir.",
      "result.scores": "Nilai per bagian",
    },
    en: {
      "app.title": "CAT — Computer-Based Test",
      "app.brand": "Computer-Based Test",
      "app.lang_group": "Language",
      "a11y.skip": "Skip to content",

      "login.title": "Sign in — CAT",
      "login.heading": "Candidate sign-in",
      "login.intro": "Enter the exam code, participant number and password printed on your admission card.",
      "login.exam": "Exam code",
      "login.exam_hint": "For example: skd-cpns-2026",
      "login.participant": "Participant number",
      "login.password": "Password",
      "login.show_password": "Show password",
      "login.submit": "Sign in",
      "login.busy": "Checking…",
      "login.help": "Having trouble? Raise your hand and call the room proctor. Do not leave your seat.",
      "login.required": "Fill in the exam code, participant number and password.",
      "login.resume": "Your exam session is still kept in this browser.",
      "login.resume_button": "Continue the exam",

      "err.bad_credentials": "Wrong participant number or password. Check your admission card.",
      "err.exam_not_open": "The exam is not open yet. Wait for the proctor's signal, then try again.",
      "err.exam_closed": "This exam is closed.",
      "err.not_found": "Unknown exam code. Check the exam code.",
      "err.network": "Cannot reach the server. Check the network, then try again.",
      "err.server": "The server has a problem ({status}). Try again in a moment.",
      "err.unknown": "Sign-in failed: {message}",
      "err.session": "Your session ended: {message}. Please sign in again.",
      "err.kicked": "The proctor ended the session on this computer. Please sign in again.",
      "err.bad_token": "Your session is no longer valid. Please sign in again.",
      "err.no_token": "Please sign in first.",

      "exam.title": "Exam — CAT",
      "exam.participant": "Participant {no}",
      "exam.loading": "Loading questions…",
      "exam.waiting_open": "The exam is not open yet. This page will try again by itself.",
      "exam.retry": "Try again",
      "exam.start_failed": "Could not load the exam: {message}",

      "conn.connecting": "Connecting…",
      "conn.online": "Connected",
      "conn.offline": "Disconnected — reconnecting…",
      "conn.all_saved": "all saved",
      "conn.unsaved": "{n} not saved",
      "conn.label": "Connection status",

      "timer.label": "Time left",
      "timer.announce": "{n} minutes left.",

      "instr.heading": "Exam instructions",
      "instr.intro": "Read these instructions before you begin.",
      "instr.section": "Section",
      "instr.count": "Questions",
      "instr.total": "Total",
      "instr.duration": "Exam time: {n} minutes.",
      "instr.rules": "Rules",
      "instr.rule_time": "Time is kept by the server, not by this computer, and is already running (see the time left at the top right). When time runs out the exam ends by itself and your saved answers are marked.",
      "instr.rule_save": "Answers are saved automatically each time you choose. A ✓ Saved mark appears next to the question number once the server has received it.",
      "instr.rule_flag": "The Unsure button marks a question you want to check again (yellow in the question list). Answers on unsure questions are still marked.",
      "instr.rule_network": "If the connection drops, just carry on. Answers are kept on this computer and sent as soon as the connection is back. Do not close the browser.",
      "instr.rule_keys": "Keyboard: A–E choose an answer, left/right arrows move between questions.",
      "instr.rule_finish": "Press Finish when you are sure. After that the answers can no longer be changed.",
      "instr.start": "Start the exam",

      "q.position": "Question {n} of {total}",
      "q.hint_single": "Choose one answer.",
      "q.hint_multiple": "Choose one or more answers.",
      "q.hint_true_false": "Choose True or False.",
      "q.options": "Answer options",
      "q.true": "True",
      "q.false": "False",
      "q.prev": "Previous",
      "q.next": "Next",
      "q.flag": "Unsure",
      "q.clear": "Clear answer",
      "q.finish": "Finish",

      "state.blank": "Not answered",
      "state.saved": "Saved",
      "state.saving": "Saving…",
      "state.unsaved": "Not saved yet",
      "state.failed": "Not saved: {message}",
      "state.saved_at": "Saved {time}",

      "grid.heading": "Questions",
      "grid.answered": "Answered",
      "grid.unanswered": "Not answered",
      "grid.flagged": "Unsure",
      "grid.current": "Current question",
      "grid.unsaved": "Not saved yet",
      "grid.summary": "{answered} of {total} answered",
      "grid.toggle": "Question list",
      "grid.item": "Question {n}",

      "confirm.heading": "Finish the exam?",
      "confirm.unanswered": "Not answered ({n}):",
      "confirm.flagged": "Unsure ({n}):",
      "confirm.all_answered": "Every question is answered.",
      "confirm.no_flags": "No question is marked unsure.",
      "confirm.unsaved": "{n} answers are not saved on the server yet.",
      "confirm.flushing": "Sending the unsaved answers…",
      "confirm.all_saved": "Every answer is saved on the server.",
      "confirm.force": "I want to finish anyway, although some answers are not saved (those answers will not be marked).",
      "confirm.final": "Once you finish, the answers cannot be changed.",
      "confirm.cancel": "Back to the questions",
      "confirm.submit": "Yes, finish",
      "confirm.submitting": "Sending…",
      "confirm.failed": "Could not finish: {message}",
      "confirm.timeout": "The server did not answer. Check the connection, then try again.",
      "confirm.offline": "The connection is down. Wait until it is back.",

      "paused.heading": "The proctor has paused the exam",
      "paused.reason": "Reason: {reason}",
      "paused.body": "Stay in your seat. The clock stops during the pause; the proctor will resume the exam.",

      "timeup.heading": "Time is up",
      "timeup.body": "Waiting for the server to close the exam…",

      "msg.heading": "Message from the proctor",
      "msg.close": "Close",

      "result.heading": "Exam result",
      "result.total": "Total",
      "result.passed": "PASSED",
      "result.failed": "NOT PASSED",
      "result.verdict": "Verdict",
      "result.received": "Your answers have been received.",
      "result.receipt": "Receipt",
      "result.receipt_hint": "Keep this receipt. With it you can check that your result was recorded correctly.",
      "result.print": "Print",
      "result.logout": "Sign out",
      "result.reason_time": "The exam time is over.",
      "result.reason_proctor": "The proctor ended the exam.",
      "result.reason_submitted": "You have finished the exam.",
      "result.reason_ended": "Your exam has ended.",
      "result.scores": "Scores per section",
    },
  };

  function stored() {
    try {
      const v = window.localStorage.getItem(STORAGE_KEY);
      return LANGS.includes(v) ? v : null;
    } catch (_e) {
      return null;
    }
  }

  let lang = stored() || "id";

  /** Translate `key`, filling {name} placeholders from `params`. */
  function t(key, params) {
    const table = DICT[lang] || DICT.id;
    let s = table[key] ?? DICT.id[key] ?? key;
    if (params) {
      s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
    }
    return s;
  }

  /** Fill every [data-i18n] and [data-i18n-attr] element under `root`. */
  function apply(root) {
    const scope = root || document;
    document.documentElement.lang = lang;
    scope.querySelectorAll("[data-i18n]").forEach((el) => {
      el.textContent = t(el.dataset.i18n);
    });
    scope.querySelectorAll("[data-i18n-attr]").forEach((el) => {
      el.dataset.i18nAttr.split(";").forEach((pair) => {
        const [attr, key] = pair.split(":").map((x) => x.trim());
        if (attr && key) el.setAttribute(attr, t(key));
      });
    });
    document.querySelectorAll("[data-lang]").forEach((btn) => {
      btn.setAttribute("aria-pressed", String(btn.dataset.lang === lang));
    });
  }

  function set(next) {
    if (!LANGS.includes(next) || next === lang) return;
    lang = next;
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (_e) {
      /* private mode: the choice lasts for this page only */
    }
    apply();
    document.dispatchEvent(new CustomEvent("langchange", { detail: { lang } }));
  }

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-lang]");
    if (btn) set(btn.dataset.lang);
  });

  /** Add a page's own keys ({id: {...}, en: {...}}) to the shared dictionary. */
  function extend(extra) {
    for (const code of LANGS) Object.assign(DICT[code], (extra && extra[code]) || {});
  }

  window.I18n = {
    t,
    apply,
    set,
    extend,
    get lang() {
      return lang;
    },
    locale() {
      return lang === "id" ? "id-ID" : "en-GB";
    },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => apply());
  } else {
    apply();
  }
})();
