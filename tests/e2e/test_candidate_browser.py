"""A candidate in Debian's Chromium: sign in, read the instructions, answer, reload, submit.

Drives the real pages (`/`, `/exam`) of a real `python wsgi.py` through Playwright. Every page
visited is saved under tests/artifacts/screenshots/; with EXAM_DOC_SCREENSHOTS=1 the good ones
are copied to docs/screenshots/ as well.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from exam_engine.core.checkpoints import decode_receipt
from tests.e2e.browser import CHROMIUM, ScreenShots, launch

LETTERS = "ABCDE"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


def _single(qid, category, text, right, wrongs):
    options = [{"key": k, "text": t, **({"correct": True} if t == right else {})}
               for k, t in zip(LETTERS, [wrongs[0], right, *wrongs[1:]], strict=True)]
    return {"id": qid, "category": category, "type": "single", "text": text,
            "options": options}


def _weighted(qid, text, responses):
    return {"id": qid, "category": "TKP", "type": "weighted", "text": text,
            "options": [{"key": k, "text": t, "points": p}
                        for k, (t, p) in zip(LETTERS, responses, strict=True)]}


BANK = {
    "bank": "skd-browser",
    "title": "Bank Soal SKD (uji browser)",
    "questions": [
        _single("twk-1", "TWK", "Pancasila sebagai dasar negara disahkan oleh PPKI pada tanggal …",
                "18 Agustus 1945", ["1 Juni 1945", "17 Agustus 1945", "22 Juni 1945",
                                    "29 Mei 1945"]),
        _single("twk-2", "TWK",
                "Lembaga yang berwenang mengubah dan menetapkan **Undang-Undang Dasar** adalah …",
                "MPR", ["DPR", "Presiden", "Mahkamah Konstitusi", "DPD"]),
        _single("twk-3", "TWK", "Semboyan *Bhinneka Tunggal Ika* terdapat dalam kitab …",
                "Sutasoma", ["Negarakertagama", "Arjunawiwaha", "Pararaton", "Bharatayudha"]),
        {"id": "twk-4", "category": "TWK", "type": "multiple",
         "text": "Manakah yang merupakan lembaga negara hasil amendemen UUD 1945? "
                 "Pilih semua yang benar.",
         "options": [{"key": "A", "text": "Mahkamah Konstitusi", "correct": True},
                     {"key": "B", "text": "Komisi Yudisial", "correct": True},
                     {"key": "C", "text": "Dewan Pertimbangan Agung"},
                     {"key": "D", "text": "Dewan Perwakilan Daerah", "correct": True}]},
        _single("tiu-1", "TIU", "Berapakah hasil dari 24 × 15?", "360",
                ["340", "350", "370", "380"]),
        _single("tiu-2", "TIU",
                "Semua pegawai hadir tepat waktu. Budi adalah pegawai. Kesimpulannya …",
                "Budi hadir tepat waktu", ["Budi terlambat", "Budi bukan pegawai",
                                           "Sebagian pegawai terlambat",
                                           "Tidak dapat disimpulkan"]),
        _single("tiu-3", "TIU", "Deret 2, 6, 12, 20, 30, … Bilangan berikutnya adalah …", "42",
                ["40", "44", "36", "48"]),
        _weighted("tkp-1", "Rekan kerja meminta bantuan ketika pekerjaan Anda sendiri belum "
                  "selesai. Sikap Anda …", [
                      ("Membantu setelah pekerjaan saya selesai dan memberi tahu dia", 4),
                      ("Menolak karena bukan tugas saya", 1),
                      ("Mengatur waktu agar keduanya selesai tepat waktu", 5),
                      ("Membantu dan menunda pekerjaan saya", 3),
                      ("Menyarankan dia bertanya kepada orang lain", 2)]),
        _weighted("tkp-2", "Atasan memberi tugas mendadak dengan tenggat yang sangat singkat. "
                  "Anda …", [
                      ("Mengerjakan dengan sungguh-sungguh dan melapor bila ada kendala", 5),
                      ("Mengerjakan semampunya", 3),
                      ("Meminta tenggat diperpanjang", 2),
                      ("Menyerahkan kepada rekan", 1),
                      ("Menyusun prioritas lalu mengerjakan", 4)]),
        _weighted("tkp-3", "Warga mengeluhkan pelayanan di loket Anda dengan nada tinggi. "
                  "Anda …", [
                      ("Mendengarkan dengan tenang lalu mencari solusi", 5),
                      ("Meminta warga antre kembali", 2),
                      ("Memanggil petugas keamanan", 1),
                      ("Menjelaskan prosedur yang berlaku", 3),
                      ("Meminta maaf dan mencatat keluhannya", 4)]),
    ],
}

EXAM = {
    "exam": "skd-browser-2026",
    "title": "SKD CPNS (uji browser)",
    "duration_minutes": 100,
    "shuffle_questions": True,
    "shuffle_options": True,
    "sections": [
        {"code": "TWK", "title": "Tes Wawasan Kebangsaan",
         "draw": [{"bank": "skd-browser", "category": "TWK", "count": 4}],
         "scoring": {"correct": 5, "wrong": 0, "blank": 0}, "pass_mark": 10},
        {"code": "TIU", "title": "Tes Intelegensia Umum",
         "draw": [{"bank": "skd-browser", "category": "TIU", "count": 3}],
         "scoring": {"correct": 5, "wrong": 0, "blank": 0}, "pass_mark": 10},
        {"code": "TKP", "title": "Tes Karakteristik Pribadi",
         "draw": [{"bank": "skd-browser", "category": "TKP", "count": 3}],
         "scoring": "weighted", "pass_mark": 8},
    ],
    "pass_rule": "every_section",
    "tie_break": ["TKP", "TIU", "TWK"],
    "result_to_candidate": "score_and_pass",
}

# What the candidate does, keyed by a phrase of each question's text:
# (option texts chosen, how: "key" = keyboard letter, "click", "clear" = choose then clear).
PLAN = {
    "Pancasila sebagai dasar negara": (["18 Agustus 1945"], "key"),           # right: 5
    "mengubah dan menetapkan": (["DPR"], "click"),                             # wrong: 0
    "Bhinneka Tunggal Ika": ([], "skip"),                                      # blank
    "hasil amendemen": (["Mahkamah Konstitusi", "Komisi Yudisial",
                         "Dewan Perwakilan Daerah"], "click"),                 # multiple: 5
    "24 × 15": (["360"], "key"),                                               # right: 5
    "Budi adalah pegawai": (["Budi hadir tepat waktu"], "clear"),              # cleared: blank
    "Deret 2, 6, 12": (["42"], "click"),                                       # right: 5
    "Rekan kerja meminta bantuan": (
        ["Mengatur waktu agar keduanya selesai tepat waktu"], "click"),        # 5 points
    "tugas mendadak": (["Mengerjakan semampunya"], "key"),                     # 3 points
    "Warga mengeluhkan": ([], "skip"),                                         # blank
}
FLAGGED = {"24 × 15", "Warga mengeluhkan"}
EXPECTED = {"TWK": "10", "TIU": "10", "TKP": "8", "Total": "28"}


Shots = functools.partial(ScreenShots, "candidate")


def _phrase(page) -> str:
    text = page.inner_text("#q-text")
    found = [p for p in PLAN if p in text]
    assert len(found) == 1, f"unknown question on screen: {text!r}"
    return found[0]


def _option(page, text: str):
    return page.locator("#options-list .option", has=page.locator(".opt-text", has_text=text))


def _choose(page, texts: list[str], how: str) -> None:
    for text in texts:
        if how == "key":
            labels = page.locator("#options-list .opt-text").all_inner_texts()
            page.keyboard.press(LETTERS[labels.index(text)])
        else:
            _option(page, text).click()
    page.wait_for_selector("#q-state[data-state=saved]")
    if how == "clear":
        page.click("#btn-clear")
        page.wait_for_selector("#q-state[data-state=blank]")


def _chosen(page) -> list[str]:
    return sorted(page.locator("#options-list .option.is-selected .opt-text").all_inner_texts())


def test_a_candidate_sits_the_exam_in_chromium(live_server):
    from playwright.sync_api import sync_playwright

    exam, creds = live_server.demo_exam(candidates=1, bank=BANK, exam=EXAM)
    cred = creds[0]
    problems: list[str] = []

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page.set_default_timeout(15000)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}")
                if "Content Security Policy" in m.text else None)
        shots = Shots(page)
        try:
            # -- sign in ---------------------------------------------------------------
            page.goto(f"{live_server.url}/?exam={exam}")
            assert page.input_value("#exam") == exam
            shots.take("login", "candidate-login.png")
            page.click("[data-lang=en]")
            assert page.inner_text("#login-heading") == "Candidate sign-in"
            page.click("[data-lang=id]")
            assert page.inner_text("#login-heading") == "Masuk Peserta Ujian"

            page.fill("#participant_no", cred["participant_no"])
            page.fill("#password", "salah-sandi")
            page.click("#login-submit")
            page.wait_for_selector("#login-error:not([hidden])")
            assert "kata sandi salah" in page.inner_text("#login-error")
            shots.take("login-wrong-password")

            page.fill("#password", cred["password"])
            page.click("#login-submit")
            page.wait_for_url("**/exam")

            # -- instructions ------------------------------------------------------------
            page.wait_for_selector("#screen-instructions:not([hidden])")
            rows = page.locator("#instr-sections tr").all_inner_texts()
            assert [re.sub(r"\s+", " ", r).strip() for r in rows] == [
                "TWK Tes Wawasan Kebangsaan 4", "TIU Tes Intelegensia Umum 3",
                "TKP Tes Karakteristik Pribadi 3"]
            assert page.inner_text("#instr-total") == "10"
            assert "100 menit" in page.inner_text("#instr-duration")
            page.wait_for_selector("#conn[data-state=online]")
            shots.take("instructions", "candidate-instructions.png")
            page.click("#btn-begin")

            # -- answer one question at a time -------------------------------------------
            page.wait_for_selector("#screen-exam:not([hidden])")
            number: dict[str, int] = {}
            for n in range(1, 11):
                assert page.inner_text("#q-position") == f"Soal {n} dari 10"
                phrase = _phrase(page)
                number[phrase] = n
                texts, how = PLAN[phrase]
                if how != "skip":
                    _choose(page, texts, how)
                if phrase in FLAGGED:
                    page.click("#btn-flag")
                    assert page.get_attribute("#btn-flag", "aria-pressed") == "true"
                if phrase == "hasil amendemen":
                    assert page.get_attribute("#options-list", "data-type") == "multiple"
                if n < 10:
                    page.click("#btn-next")
            page.wait_for_selector("#conn[data-state=online][data-pending='0']")
            shots.take("question-last")

            # -- reload mid-exam: every answer and flag comes back -------------------------
            page.reload()
            page.wait_for_selector("#screen-exam:not([hidden])")
            page.wait_for_selector("#conn[data-state=online]")
            assert page.is_hidden("#screen-instructions")
            assert page.inner_text("#q-position") == "Soal 10 dari 10"  # where we were
            shots.take("after-reload")
            for phrase, n in sorted(number.items(), key=lambda kv: -kv[1]):
                page.click(f"#grid .qbtn[data-index='{n - 1}']")  # navigate with the grid
                assert page.inner_text("#q-position") == f"Soal {n} dari 10"
                assert _phrase(page) == phrase
                texts, how = PLAN[phrase]
                want = [] if how in ("skip", "clear") else sorted(texts)
                assert _chosen(page) == want, phrase
                flagged = page.get_attribute("#btn-flag", "aria-pressed") == "true"
                assert flagged == (phrase in FLAGGED), phrase
                button = page.locator(f"#grid .qbtn[data-index='{n - 1}']")
                classes = button.get_attribute("class")
                assert ("is-answered" in classes) == bool(want), phrase
                assert ("is-flagged" in classes) == (phrase in FLAGGED), phrase
                assert "is-current" in classes
                if phrase == "hasil amendemen":  # every kind of grid button is on screen now
                    shots.take("question-multiple", "candidate-question.png")
                label = button.get_attribute("aria-label")
                assert ("sudah dijawab" in label.lower()) == bool(want), label
            page.keyboard.press("ArrowRight")
            assert page.inner_text("#q-position") == "Soal 2 dari 10"
            page.keyboard.press("ArrowLeft")
            assert page.inner_text("#q-position") == "Soal 1 dari 10"

            # -- submit through the confirm dialog -----------------------------------------
            page.click("#btn-finish")
            page.wait_for_selector("#confirm-dialog[open]")
            unanswered = page.locator("#confirm-unanswered .qchip").all_inner_texts()
            assert sorted(map(int, unanswered)) == sorted(
                number[p] for p, (_t, how) in PLAN.items() if how in ("skip", "clear"))
            flagged = page.locator("#confirm-flagged .qchip").all_inner_texts()
            assert sorted(map(int, flagged)) == sorted(number[p] for p in FLAGGED)
            assert page.is_hidden("#confirm-unsaved")
            shots.take("confirm", "candidate-confirm.png")
            page.click("#confirm-submit")

            # -- the result ------------------------------------------------------------------
            page.wait_for_selector("#screen-result:not([hidden])")
            cards = {page.locator(".score-code").nth(i).inner_text():
                     page.locator(".score-value").nth(i).inner_text()
                     for i in range(page.locator(".score-card").count())}
            assert cards == EXPECTED
            assert page.inner_text("#result-verdict").strip().endswith("LULUS")
            assert "TIDAK" not in page.inner_text("#result-verdict")
            receipt = decode_receipt(page.inner_text("#result-receipt").strip())
            assert receipt is not None and receipt["scored"]["passed"] is True
            shots.take("result", "candidate-result.png")

            page.reload()  # the result survives a reload: the attempt has ended
            page.wait_for_selector("#screen-result:not([hidden])")
            assert page.locator(".score-card.is-total .score-value").inner_text() == "28"
            shots.take("result-after-reload")
        except Exception:
            shots.take("failure")
            raise
        finally:
            browser.close()

    assert problems == []
    scores = live_server.api("GET", f"/exams/{exam}/results").json()["results"]
    assert scores[0]["total"] == 28 and scores[0]["passed"] is True
