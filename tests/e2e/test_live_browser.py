"""The staff's and the public's screens in Debian's Chromium, against a real `python wsgi.py`.

A proctor signs in through `/proctor/login` and acts from the dashboard while a candidate sits
the exam in a second browser context; the public screen `/scoreboard/<exam>` follows the room.
Every page visited is saved under tests/artifacts/screenshots/; with EXAM_DOC_SCREENSHOTS=1 the
good ones are copied to docs/screenshots/ as well.

Playwright's wait_for_function evaluates a string in the page, which the pages' CSP
(script-src 'self') forbids, so waits on changing values poll from Python (`_until`).
"""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
import socketio
import yaml

from tests.conftest import small_bank, small_exam
from tests.e2e.browser import CHROMIUM, ScreenShots, launch

PROCTOR = {"username": "pengawas", "password": "kata-sandi-rahasia"}
KEY = {q["id"]: q for q in small_bank()["questions"]}

# Who sits the exam in test (c), and how: "browser" is the candidate in Chromium; a pair is
# (right answers per TWK/TIU section out of 4, points chosen on every TKP question).
ROOM = [
    ("26010001", "Siti Rahmawati", "browser"),
    ("26010002", "Ahmad Santoso", (4, 5)),    # 20 20 20 = 60, every section passed
    ("26010003", "Dewi Lestari", (3, 4)),     # 15 15 16 = 46
    ("26010004", "Budi Pratama", (2, 2)),     # 10 10  8 = 28, TKP under its mark of 12
    ("26010005", "Putri Wijaya", (1, 3)),     #  5  5 12 = 22, TWK and TIU under 10
    ("26010006", "Rizky Hidayat", "working"),  # started, still answering
    ("26010007", "Indah Saputra", "absent"),   # never signs in
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


# -- setting up the room --------------------------------------------------------------------

def _open_room(server, people) -> tuple[str, dict[str, str]]:
    """Bank, an open exam with a public board, candidates and a proctor; their passwords."""
    exam = small_exam(title="SKD CPNS 2026 — Sesi 1",
                      scoreboard={"public": True, "names": "full", "mode": "on_submit"})
    r = server.api("POST", "/banks", files={"file": ("bank.yaml", io.BytesIO(
        yaml.safe_dump(small_bank(), allow_unicode=True).encode()))})
    assert r.status_code == 201, r.text
    assert server.api("POST", "/exams", json=exam).status_code == 201
    assert server.api("POST", f"/exams/{exam['exam']}/open").status_code == 200
    r = server.api("POST", f"/exams/{exam['exam']}/candidates", json={"candidates": [
        {"participant_no": no, "name": name} for no, name, _how in people]})
    assert r.status_code == 201, r.text
    passwords = {c["participant_no"]: c["password"] for c in r.json()["credentials"]}
    r = server.api("POST", "/users", json={**PROCTOR, "role": "proctor"})
    assert r.status_code == 201, r.text
    return exam["exam"], passwords


class SocketCandidate:
    """A candidate on the python-socketio client, answering to a plan."""

    def __init__(self, server, exam: str, no: str, password: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(server.url, namespaces=["/candidate"], transports=["websocket"],
                         auth={"token": server.login(exam, {"participant_no": no,
                                                            "password": password})},
                         wait_timeout=10)
        self.seq = 0

    def call(self, event: str, data: dict | None = None) -> dict:
        ack = self.sio.call(event, data or {}, namespace="/candidate", timeout=15)
        assert ack["ok"], ack
        return ack

    def sit(self, right: int, tkp_points: int, submit: bool = True) -> None:
        """Answer `right` TWK and TIU questions correctly (the others wrongly)."""
        done: dict[str, int] = {}
        for q in self.call("start")["questions"]:
            options = KEY[q["id"]]["options"]
            if q["section"] == "TKP":
                choice = next(o["key"] for o in options if o["points"] == tkp_points)
            else:
                done[q["section"]] = done.get(q["section"], 0) + 1
                good = done[q["section"]] <= right
                choice = next(o["key"] for o in options if bool(o.get("correct")) == good)
            self.seq += 1
            self.call("answer", {"question": q["id"], "choice": choice, "seq": self.seq})
        if submit:
            self.call("submit")

    def close(self) -> None:
        self.sio.disconnect()


# -- the browser ------------------------------------------------------------------------------

class Shots(ScreenShots):
    """Screenshots of several people's pages in one test: `take(page, name, doc)`."""

    def __init__(self, tag: str) -> None:
        super().__init__(f"live-{tag}")

    def take(self, page, name: str, doc: str | None = None) -> None:
        self.take_of(page, name, doc)


class Browser:
    """Chromium with one context per person; page errors and CSP reports are collected."""

    def __init__(self, playwright) -> None:
        self.chromium = launch(playwright)
        self.problems: list[str] = []

    def page(self, width: int = 1366, height: int = 768):
        context = self.chromium.new_context(viewport={"width": width, "height": height},
                                             locale="id-ID")
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("pageerror", lambda e: self.problems.append(f"{page.url}: {e}"))
        page.on("console", lambda m: self.problems.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text or m.type == "error"
                and "401" not in m.text else None)
        return page

    def close(self) -> None:
        self.chromium.close()


def _until(read, want, timeout: float = 15, what: str = "value"):
    """Poll `read()` until `want(value)` holds; return the value."""
    deadline = time.monotonic() + timeout
    value = read()
    while not want(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never came: last {value!r}")
        time.sleep(0.2)
        value = read()
    return value


def _seconds(clock: str) -> int:
    """'01:39:58' (or '❚❚ 01:39:58') -> seconds."""
    h, m, s = re.search(r"(\d+):(\d\d):(\d\d)", clock).groups()
    return int(h) * 3600 + int(m) * 60 + int(s)


def _proctor_signs_in(page, server, shots, doc: str | None = None) -> None:
    page.goto(f"{server.url}/proctor/")  # not signed in: the dashboard sends to the login
    page.wait_for_url("**/proctor/login**")
    page.wait_for_selector("#login-form")
    shots.take(page, "login", doc)
    page.fill("#username", PROCTOR["username"])
    page.fill("#password", "bukan-sandinya")
    page.click("#login-submit")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "salah" in page.inner_text("#login-error")
    assert page.get_attribute("#password", "aria-invalid") == "true"
    shots.take(page, "login-wrong-password")
    page.fill("#password", PROCTOR["password"])
    page.click("#login-submit")
    page.wait_for_url("**/proctor/?exam=*")
    page.wait_for_selector("#live[data-state=online]")
    page.wait_for_selector("#roster-body tr")


def _candidate_starts(page, server, exam: str, no: str, password: str) -> None:
    page.goto(f"{server.url}/?exam={exam}")
    page.fill("#participant_no", no)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url("**/exam")
    page.wait_for_selector("#screen-instructions:not([hidden])")
    page.click("#btn-begin")
    page.wait_for_selector("#screen-exam:not([hidden])")
    page.wait_for_selector("#conn[data-state=online]")


def _row(page, no: str):
    return page.locator(f"#roster-body tr[data-no='{no}']")


def _act(page, no: str, action: str, reason: str | None = None, **fields) -> None:
    """Open the row's menu, choose `action`, fill the dialog, confirm."""
    _row(page, no).locator(".menu-btn").click()
    page.click(f"#row-menu [data-action={action}]")
    page.wait_for_selector("#action-dialog[open]")
    if "minutes" in fields:
        page.fill("#dlg-minutes", str(fields["minutes"]))
    if "text" in fields:
        page.fill("#dlg-text", fields["text"])
    if reason is not None:
        page.fill("#dlg-reason", reason)
    page.click("#dlg-submit")
    page.wait_for_selector("#action-dialog[open]", state="detached")
    page.wait_for_selector("#toast:not([hidden])")


# -- (a) extend ------------------------------------------------------------------------------

def test_a_proctor_extends_a_candidates_time_and_the_countdown_moves(live_server):
    from playwright.sync_api import sync_playwright

    exam, passwords = _open_room(live_server, ROOM[:2])
    no = ROOM[0][0]
    shots = Shots("extend")
    with sync_playwright() as p:
        browser = Browser(p)
        proctor, candidate = browser.page(), browser.page()
        try:
            _proctor_signs_in(proctor, live_server, shots, "proctor-login.png")
            assert proctor.inner_text("#exam-title") == "SKD CPNS 2026 — Sesi 1"
            assert _row(proctor, no).get_attribute("data-status") == "not_started"
            shots.take(proctor, "dashboard-before")

            _candidate_starts(candidate, live_server, exam, no, passwords[no])
            proctor.wait_for_selector(f"#roster-body tr[data-no='{no}'][data-status=active]"
                                      "[data-conn=on]")
            assert _row(proctor, no).locator(".badge-text").inner_text() == "Mengerjakan"
            shots.take(candidate, "candidate-before")
            before = _seconds(candidate.inner_text("#timer-value"))
            row_before = _seconds(_row(proctor, no).locator(".time-left").inner_text())
            assert 99 * 60 <= before <= 100 * 60 and 99 * 60 <= row_before <= 100 * 60

            # The dialog refuses to send without a reason, then sends with one.
            _row(proctor, no).locator(".menu-btn").click()
            proctor.click("#row-menu [data-action=extend]")
            proctor.fill("#dlg-minutes", "30")
            proctor.click("#dlg-submit")
            proctor.wait_for_selector("#dlg-error:not([hidden])")
            assert "Alasan wajib diisi" in proctor.inner_text("#dlg-error")
            shots.take(proctor, "extend-needs-reason")
            proctor.fill("#dlg-reason", "Gangguan listrik di ruang 2")
            proctor.click("#dlg-submit")
            proctor.wait_for_selector("#toast:not([hidden])")
            assert "ditambah 30 menit" in proctor.inner_text("#toast")

            after = _until(lambda: _seconds(candidate.inner_text("#timer-value")),
                           lambda s: s >= before + 29 * 60, what="the candidate's new countdown")
            assert after <= before + 30 * 60
            _until(lambda: _seconds(_row(proctor, no).locator(".time-left").inner_text()),
                   lambda s: s >= row_before + 29 * 60, what="the proctor's new time left")
            shots.take(candidate, "candidate-after-extension")
            shots.take(proctor, "dashboard-after-extension")
        except Exception:
            shots.take(proctor, "failure-proctor")
            shots.take(candidate, "failure-candidate")
            raise
        finally:
            browser.close()

    assert browser.problems == []
    trail = live_server.api("GET", f"/exams/{exam}/audit").json()["actions"]
    extended = [a for a in trail if a["kind"] == "extended"]
    assert len(extended) == 1
    assert extended[0]["by"] == "pengawas"
    assert extended[0]["reason"] == "Gangguan listrik di ruang 2"


# -- (b) pause and resume --------------------------------------------------------------------

def test_a_proctor_pauses_and_the_candidate_sees_the_paused_screen_then_resumes(live_server):
    from playwright.sync_api import sync_playwright

    exam, passwords = _open_room(live_server, ROOM[:2])
    no = ROOM[0][0]
    reason = "Peserta izin ke toilet didampingi pengawas"
    shots = Shots("pause")
    with sync_playwright() as p:
        browser = Browser(p)
        proctor, candidate = browser.page(), browser.page()
        try:
            _proctor_signs_in(proctor, live_server, shots)
            _candidate_starts(candidate, live_server, exam, no, passwords[no])
            proctor.wait_for_selector(f"#roster-body tr[data-no='{no}'][data-status=active]")

            _act(proctor, no, "pause", reason)
            candidate.wait_for_selector("#overlay-paused", state="visible")
            assert reason in candidate.inner_text("#paused-reason")
            proctor.wait_for_selector(f"#roster-body tr[data-no='{no}'][data-status=paused]")
            row = _row(proctor, no)
            assert row.locator(".badge-text").inner_text() == "Dijeda"
            assert row.locator(".time-left").inner_text().startswith("❚❚")
            frozen = candidate.inner_text("#timer-value")
            time.sleep(2.2)
            assert candidate.inner_text("#timer-value") == frozen  # the clock stands still
            # While paused, only Resume (not Pause) is offered.
            row.locator(".menu-btn").click()
            assert proctor.is_visible("#row-menu [data-action=resume]")
            assert proctor.is_hidden("#row-menu [data-action=pause]")
            shots.take(proctor, "dashboard-paused-menu")
            proctor.keyboard.press("Escape")
            assert proctor.is_hidden("#row-menu")
            shots.take(candidate, "candidate-paused")

            _act(proctor, no, "resume", "Peserta sudah kembali")
            candidate.wait_for_selector("#overlay-paused", state="hidden")
            _until(lambda: candidate.inner_text("#timer-value"), lambda v: v != frozen,
                   what="the countdown running again")
            proctor.wait_for_selector(f"#roster-body tr[data-no='{no}'][data-status=active]")
            shots.take(candidate, "candidate-resumed")

            _act(proctor, no, "message", text="Mohon tenang, waktu Anda tidak berkurang.")
            candidate.wait_for_selector("#message-dialog[open]")
            assert "waktu Anda tidak berkurang" in candidate.inner_text("#message-list")
            shots.take(candidate, "candidate-message")
            shots.take(proctor, "dashboard-resumed")
        except Exception:
            shots.take(proctor, "failure-proctor")
            shots.take(candidate, "failure-candidate")
            raise
        finally:
            browser.close()

    assert browser.problems == []
    kinds = [a["kind"] for a in live_server.api("GET", f"/exams/{exam}/audit").json()["actions"]]
    assert kinds[:3] == ["message", "resumed", "paused"]


# -- (c) the public screen -------------------------------------------------------------------

def test_the_public_screen_shows_a_row_after_the_candidate_submits(live_server):
    from playwright.sync_api import sync_playwright

    exam, passwords = _open_room(live_server, ROOM)
    no, name = ROOM[0][0], ROOM[0][1]
    shots = Shots("board")
    sockets: list[SocketCandidate] = []
    with sync_playwright() as p:
        browser = Browser(p)
        tv = browser.page(1920, 1080)
        proctor, candidate = browser.page(), browser.page()
        try:
            tv.goto(f"{live_server.url}/scoreboard/{exam}")
            tv.wait_for_selector("#live[data-state=online]")
            tv.wait_for_selector("#board-empty:not([hidden])")
            assert tv.inner_text("#board-title") == "SKD CPNS 2026 — Sesi 1"
            heads = [re.sub(r"\s+", " ", h).strip()
                     for h in tv.locator("#board-head-row th").all_inner_texts()]
            assert heads == ["PERINGKAT", "NO. PESERTA", "NAMA", "TWK ≥ 10", "TIU ≥ 10",
                             "TKP ≥ 12", "TOTAL", "STATUS"]
            shots.take(tv, "board-empty")

            _proctor_signs_in(proctor, live_server, shots)
            _candidate_starts(candidate, live_server, exam, no, passwords[no])
            board_row = tv.locator("#board-body tr", has_text=no)
            board_row.wait_for()
            assert "mengerjakan" in board_row.inner_text()  # on_submit: no score yet
            assert board_row.locator(".b-total-cell").inner_text() == "—"

            for other, _name, how in ROOM[1:]:
                if how == "absent":
                    continue
                sockets.append(SocketCandidate(live_server, exam, other, passwords[other]))
                if how == "working":
                    sockets[-1].sit(right=1, tkp_points=3, submit=False)
                else:
                    sockets[-1].sit(*how)
            # Act once the room shows the candidate working (pushes take a tick or two).
            proctor.wait_for_selector("#roster-body tr[data-no='26010006'][data-status=active]")
            _act(proctor, "26010006", "pause", "Komputer peserta mati, pindah komputer")
            _act(proctor, "26010006", "reset_login", "Masuk lagi di komputer cadangan")
            _act(proctor, "26010006", "resume", "Sudah di komputer cadangan")
            _act(proctor, "26010006", "extend", "Ganti waktu yang hilang", minutes=15)

            # The browser candidate answers the first questions with A, then finishes.
            for _ in range(4):
                candidate.keyboard.press("A")
                candidate.wait_for_selector("#q-state[data-state=saved]")
                candidate.click("#btn-next")
            candidate.wait_for_selector("#conn[data-state=online][data-pending='0']")
            candidate.click("#btn-finish")
            candidate.wait_for_selector("#confirm-dialog[open]")
            candidate.click("#confirm-submit")
            candidate.wait_for_selector("#screen-result:not([hidden])")
            shots.take(candidate, "candidate-result")

            _until(lambda: board_row.inner_text(), lambda t: "selesai" in t,
                   what="the candidate's finished row on the public screen")
            total = board_row.locator(".b-total-cell").inner_text()
            assert re.fullmatch(r"\d+", total), total
            assert name in board_row.inner_text()
            results = {r["participant_no"]: r for r in
                       live_server.api("GET", f"/exams/{exam}/results").json()["results"]}
            assert int(total) == results[no]["total"]

            rows = tv.locator("#board-body tr")
            _until(rows.count, lambda n: n == 6, what="six rows (five finished, one working)")
            first = rows.nth(0)
            assert first.locator(".b-rank-cell").inner_text() == "1"
            assert "26010002" in first.inner_text()
            assert first.locator(".b-total-cell").inner_text() == "60"
            weak = tv.locator("#board-body tr", has_text="26010005")
            assert weak.get_attribute("data-fail") == "true"
            marks = weak.locator(".b-sec-cell")
            assert [marks.nth(i).get_attribute("data-pass") for i in range(3)] == \
                ["false", "false", "true"]
            assert marks.nth(0).inner_text().startswith("✗")
            assert tv.inner_text("#updated").startswith("Diperbarui")
            shots.take(tv, "board", "scoreboard.png")

            proctor.wait_for_selector(f"#roster-body tr[data-no='{no}'][data-status=ended]")
            assert _row(proctor, no).locator(".c-score").inner_text() == total
            assert proctor.inner_text("#sum-ended") == "5"
            proctor.fill("#bc-text", "Waktu ujian tersisa 30 menit. Periksa kembali jawaban.")
            proctor.click("#bc-send")
            proctor.wait_for_selector("#bc-status[data-kind=ok]")
            shots.take(proctor, "dashboard", "proctor-dashboard.png")

            proctor.click("[data-nav=audit]")
            proctor.wait_for_selector("#audit-body tr")
            kinds = proctor.locator("#audit-body .kind").all_inner_texts()
            assert kinds[:5] == ["Pesan", "Waktu ditambah", "Dilanjutkan", "Login direset",
                                 "Dijeda"]
            assert "Ganti waktu yang hilang" in proctor.inner_text("#audit-body")
            shots.take(proctor, "audit", "proctor-audit.png")

            tv.goto(f"{live_server.url}/scoreboard/tidak-ada")
            tv.wait_for_selector("#board-message:not([hidden])")
            assert tv.inner_text("#board-message-heading") == "Ujian tidak ditemukan"
            shots.take(tv, "board-not-found")
        except Exception:
            for page, name in ((tv, "tv"), (proctor, "proctor"), (candidate, "candidate")):
                shots.take(page, f"failure-{name}")
            raise
        finally:
            for s in sockets:
                s.close()
            browser.close()

    assert browser.problems == []
