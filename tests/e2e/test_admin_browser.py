"""An exam administrator in Debian's Chromium: the admin console at /admin/, end to end.

Signs in through the staff login page, uploads a question sheet with two mistakes and sees
both with their lines, fixes the file and stores it, previews questions with their key and
points, creates an exam from the form, imports candidates from a CSV, prints their login
cards (a QR image and the password on each), and opens the exam. Every page visited is saved
under tests/artifacts/screenshots/; with EXAM_DOC_SCREENSHOTS=1 the good ones are copied to
docs/screenshots/ as well.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import requests

from tests.e2e.browser import CHROMIUM, ScreenShots, launch

ADMIN = {"username": "admin-ujian", "role": "admin", "password": "kata-sandi-admin-1"}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]

HEADER = "category,type,text,option_a,option_b,option_c,option_d,option_e,key,points,id\n"
ROWS = [
    "TWK,single,Pancasila sebagai dasar negara disahkan pada tanggal …,1 Juni 1945,"
    "22 Juni 1945,17 Agustus 1945,18 Agustus 1945,10 November 1945,D,,twk-1",
    "TWK,single,Lembaga yang berwenang mengubah **UUD** adalah …,DPR,MPR,Presiden,MK,DPD,"
    "{twk2_key},,twk-2",
    "TWK,single,Semboyan Bhinneka Tunggal Ika terdapat dalam kitab …,Negarakertagama,"
    "Sutasoma,Arjunawiwaha,Pararaton,Bharatayudha,B,,twk-3",
    "TIU,single,Berapakah 24 × 15?,340,350,360,370,380,C,,tiu-1",
    "TIU,single,\"Deret 2, 6, 12, 20, 30, … berikutnya?\",40,42,44,36,48,B,,tiu-2",
    "TKP,weighted,Rekan kerja meminta bantuan ketika pekerjaan Anda belum selesai. Sikap Anda …,"
    "Menolak,Membantu setelah selesai,Mengatur waktu agar keduanya selesai,"
    "Menyarankan orang lain,Membantu sebagian,,{tkp1_points},tkp-1",
    "TKP,weighted,Atasan memberi tugas mendadak. Anda …,Mengerjakan semampunya,"
    "Meminta tenggat diperpanjang,Menyusun prioritas lalu mengerjakan,Menyerahkan kepada rekan,"
    "Mengerjakan sungguh-sungguh dan melapor,,3;2;4;1;5,tkp-2",
]


def _bank_csv(twk2_key: str, tkp1_points: str) -> str:
    body = "\n".join(ROWS).format(twk2_key=twk2_key, tkp1_points=tkp1_points)
    return HEADER + body + "\n"


# Line 3 (twk-2) names option F, which does not exist; line 7 (tkp-1) has 3 points for 5 options.
BAD_BANK = _bank_csv("F", "1;4;5")
GOOD_BANK = _bank_csv("B", "1;4;5;2;3")

CANDIDATES = ("no_peserta;nama;tambahan_menit\n"
              "A-001;Siti Nurhaliza;\n"
              "A-002;Budi Santoso;30\n"
              "A-003;\"Dewi \"\"Ayu\"\" Lestari\";\n")
NAMES = {"A-001": "Siti Nurhaliza", "A-002": "Budi Santoso", "A-003": 'Dewi "Ayu" Lestari'}


Shots = functools.partial(ScreenShots, "admin")


def _sign_in(page, url: str) -> None:
    """Through the staff login page, as an admin would; then back to the console."""
    page.goto(f"{url}/admin/")
    assert "/proctor/login" in page.url and "next=" in page.url, page.url
    page.fill("#username", ADMIN["username"])
    page.fill("#password", ADMIN["password"])
    page.click("#login-submit")
    page.wait_for_url(lambda u: "/proctor/login" not in u)
    if "/admin/" not in page.url:  # the login page may send staff to their dashboard
        page.goto(f"{url}/admin/")
    page.wait_for_selector("#exams-table:not([aria-busy])")


def _check_file(page, path: Path) -> None:
    page.set_input_files("#file", str(path))
    page.click("#btn-check")
    page.wait_for_selector("#report:not([hidden])")


def test_an_admin_prepares_and_opens_an_exam_in_chromium(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    probe = requests.get(f"{live_server.url}/admin/", allow_redirects=False, timeout=10)
    assert probe.status_code != 404, "/admin/ is missing: create_app must call admin_pages.init_app"
    r = live_server.api("POST", "/users", json=ADMIN)
    assert r.status_code == 201, r.text
    bank_file = tmp_path / "skd-uji.csv"
    people_file = tmp_path / "peserta.csv"
    people_file.write_text(CANDIDATES, encoding="utf-8")
    problems: list[str] = []

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page.set_default_timeout(15000)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}")
                if "Content Security Policy" in m.text or m.type == "error"
                and "Failed to load resource" not in m.text else None)
        page.on("dialog", lambda d: d.accept())
        shots = Shots(page)

        _sign_in(page, live_server.url)
        shots.take("home")

        # A sheet with two mistakes: both are listed with their lines; nothing is stored.
        bank_file.write_text(BAD_BANK, encoding="utf-8")
        page.goto(f"{live_server.url}/admin/banks/upload")
        _check_file(page, bank_file)
        rows = page.locator("#report-problems table.problems tbody tr")
        assert rows.count() == 2
        lines = page.locator("#report-problems td.line-no").all_inner_texts()
        assert lines == ["3", "7"]
        assert "key" in rows.nth(0).inner_text() and "points" in rows.nth(1).inner_text()
        assert page.is_disabled("#btn-save")
        page.locator("#report").scroll_into_view_if_needed()
        shots.take("upload-problems", doc="admin-upload-problems.png")
        assert live_server.api("GET", "/banks").json()["banks"] == []

        # The fixed file: clean, then stored as revision 1 of bank skd-uji.
        bank_file.write_text(GOOD_BANK, encoding="utf-8")
        _check_file(page, bank_file)
        page.wait_for_selector("#report-summary .notice-ok")
        assert page.locator("#report-problems tr").count() == 0
        assert "7" in page.inner_text("#report-summary")
        page.click("#btn-save")
        page.wait_for_selector("#done:not([hidden])")
        assert re.search(r"skd-uji.+revisi 1.+7 soal", page.inner_text("#done-body"))
        shots.take("upload-done")

        page.goto(f"{live_server.url}/admin/banks")
        page.wait_for_selector("#banks tr[data-bank=skd-uji]")
        assert "7" in page.inner_text("#banks tr[data-bank=skd-uji]")
        shots.take("banks", doc="admin-banks.png")

        # The preview: the candidate's markup, with the key and the points for the admin.
        page.click("#banks tr[data-bank=skd-uji] a >> nth=0")
        page.wait_for_selector("#cat-table tr[data-category=TWK]")
        page.click(".q-item[data-qid=twk-2]")
        page.wait_for_selector("#preview-card .q-position:has-text('twk-2')")
        key = page.locator("#preview-card .option.is-key")
        assert key.count() == 1 and "MPR" in key.inner_text()
        assert key.locator(".a-key").is_visible()
        assert page.locator("#preview-card .q-text strong").inner_text() == "UUD"
        page.select_option("#category", "TKP")
        page.wait_for_selector(".q-item[data-qid=tkp-2]")
        page.click(".q-item[data-qid=tkp-2]")
        page.wait_for_selector("#preview-card .q-position:has-text('tkp-2')")
        points = page.locator("#preview-card .a-points").all_inner_texts()
        assert points == ["3 poin", "2 poin", "4 poin", "1 poin", "5 poin"]
        page.evaluate("window.scrollTo(0, document.querySelector('.browser').offsetTop - 70)")
        shots.take("preview", doc="admin-preview.png")
        page.uncheck("#show-key")
        assert not page.locator("#preview-card .a-points").first.is_visible()

        # An exam from the form; a count above the pool is refused before anything is sent.
        page.goto(f"{live_server.url}/admin/exams/new?bank=skd-uji")
        page.fill("#exam-title", "Tryout SKD Uji")
        assert page.input_value("#exam-code") == "tryout-skd-uji"
        page.fill("#duration", "90")
        first = page.locator(".section-card").nth(0)
        first.locator("input[id$=-code]").fill("TWK")
        first.locator("select[id$=-category]").select_option("TWK")
        first.locator("input[id$=-count]").fill("5")
        first.locator("input[id$=-pass]").fill("5")
        page.click("#btn-add-section")
        second = page.locator(".section-card").nth(1)
        second.locator("input[id$=-code]").fill("TKP")
        second.locator("select[id$=-category]").select_option("TKP")
        assert second.locator("input[value=weighted]").is_checked()  # a weighted-only pool
        second.locator("input[id$=-count]").fill("2")
        second.locator("input[id$=-pass]").fill("4")
        page.click("#btn-create")
        errors = page.locator("#form-errors")
        errors.wait_for()
        assert "hanya berisi 3" in errors.inner_text()
        assert first.locator("input[id$=-count]").get_attribute("aria-invalid") == "true"
        page.evaluate("window.scrollTo(0, document.getElementById('sections').offsetTop - 150)")
        shots.take("exam-form", doc="admin-exam-form.png")
        first.locator("input[id$=-count]").fill("3")
        assert errors.is_hidden()  # the list follows the fix
        page.click("#btn-create")
        page.wait_for_url(re.compile(r".*/admin/exams/tryout-skd-uji(\?created=1)?$"))
        page.wait_for_selector("#sections-table")
        assert "Draf" in page.inner_text("#exam-title")
        definition = live_server.api("GET", "/exams/tryout-skd-uji").json()["definition"]
        assert [s["draw"][0]["count"] for s in definition["sections"]] == [3, 2]
        assert definition["sections"][1]["scoring"] == "weighted"
        shots.take("exam-draft")

        # Candidates from a CSV: their passwords are shown once, with cards to print.
        page.set_input_files("#cand-file", str(people_file))
        page.wait_for_selector("#cand-preview .notice")
        page.click("#btn-import")
        page.wait_for_selector("#creds:not([hidden])")
        page.wait_for_function("document.getElementById('cand-count').textContent === '3'")
        page.click("#creds summary")
        passwords = {}
        for row in page.locator("#creds-list tbody tr").all():
            no, name, password = row.locator("td").all_inner_texts()
            assert name == NAMES[no]
            passwords[no] = password
        assert sorted(passwords) == sorted(NAMES)
        shots.take("credentials")

        page.click("#btn-cards")
        page.wait_for_url(re.compile(r".*/cards$"))
        page.wait_for_selector(".login-card")
        page.wait_for_function("[...document.querySelectorAll('img.lc-qr')]"
                               ".every((img) => img.complete && img.naturalWidth > 20)")
        cards = page.locator(".login-card")
        assert cards.count() == 3
        for i in range(3):
            card = cards.nth(i)
            no = card.get_attribute("data-participant")
            assert card.locator(".lc-password").inner_text() == passwords[no]
            assert card.locator(".lc-name").inner_text() == NAMES[no]
            assert "tryout-skd-uji" in card.locator(".lc-url").inner_text()
            qr = card.locator("img.lc-qr")
            assert qr.get_attribute("src").startswith("data:image/")
            assert qr.get_attribute("alt")
        shots.take("cards", doc="admin-cards.png")

        # A password from a card signs the candidate in (the exam is still a draft).
        login = requests.post(f"{live_server.url}/api/v1/candidate/login", timeout=10, json={
            "exam": "tryout-skd-uji", "participant_no": "A-002", "password": passwords["A-002"]})
        assert login.status_code == 200, login.text

        # Open the exam, with a reason.
        page.goto(f"{live_server.url}/admin/exams/tryout-skd-uji")
        page.click("#btn-open")
        page.click("#state-confirm")
        assert page.locator("#state-reason-err").is_visible()  # a reason is required
        page.fill("#state-reason", "Sesi 1 dimulai pukul 08.00")
        page.click("#state-confirm")
        page.wait_for_selector("#btn-close:not([hidden])")
        assert "Dibuka" in page.inner_text("#exam-title")
        shots.take("exam-open")
        assert live_server.api("GET", "/exams").json()["exams"][0]["status"] == "open"
        audit = live_server.api("GET", "/exams/tryout-skd-uji/audit").json()["actions"]
        opened = [a for a in audit if a["kind"] == "exam_opened"]
        assert opened and opened[0]["reason"] == "Sesi 1 dimulai pukul 08.00"
        assert opened[0]["by"] == ADMIN["username"]

        browser.close()

    assert problems == []
