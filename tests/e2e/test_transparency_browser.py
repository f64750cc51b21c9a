"""The public pages in Debian's Chromium: every check is done by the browser, not the server.

Candidates sit a real exam over the socket, the exam closes, then `/verify` proves a receipt
and refuses one with a single changed digit, `/transparency/<exam>` shows every checkpoint
signed and consistent (and a tampered record fails), and `/results/<exam>` shows the ranked
list. Needs the public pages' blueprint: `public_pages.init_app(app)` in create_app. Pages
are saved under tests/artifacts/screenshots/; with EXAM_DOC_SCREENSHOTS=1 the good ones are
copied to docs/screenshots/ as well.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
import requests
import socketio

from exam_engine.core import ed25519, merkle
from exam_engine.core.checkpoints import (
    decode_receipt,
    encode_receipt,
    receipt_leaf,
    tree_head_bytes,
)
from tests.conftest import small_bank, small_exam
from tests.e2e.browser import CHROMIUM, ScreenShots, launch

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"),
]


Shots = functools.partial(ScreenShots, "public", full_page=True)


def _sit(server, exam: str, cred: dict, right: int) -> tuple[str, dict]:
    """Answer the first `right` questions with the best option, the rest with a wrong one."""
    key = {q["id"]: q for q in small_bank()["questions"]}
    sio = socketio.Client(reconnection=False)
    token = server.login(exam, cred)
    sio.connect(server.url, namespaces=["/candidate"], auth={"token": token},
                transports=["websocket"], wait_timeout=10)
    try:
        form = sio.call("start", {}, namespace="/candidate", timeout=15)
        assert form["ok"], form
        for n, q in enumerate(form["questions"]):
            options = key[q["id"]]["options"]
            best = next((o["key"] for o in options if o.get("correct")), "E")
            worst = next(o["key"] for o in options if not o.get("correct") and o["key"] != "E")
            ack = sio.call("answer", {"question": q["id"], "choice": best if n < right else worst,
                                      "seq": n + 1}, namespace="/candidate", timeout=15)
            assert ack["ok"], ack
        result = sio.call("submit", {}, namespace="/candidate", timeout=15)
        assert result["ok"], result
    finally:
        sio.disconnect()
    return token, result["result"]


def _tampered(receipt: str) -> str:
    """The same receipt with one digit of one section score changed."""
    r = decode_receipt(receipt)
    code, value = next((k, v) for k, v in sorted(r["scored"]["sections"].items())
                       if isinstance(v, int))
    r["scored"]["sections"][code] = value + 1 if value % 10 != 9 else value - 1
    return encode_receipt(r)


def _check_receipt(page, base: str, receipt: str) -> None:
    page.goto(f"{base}/verify")
    page.fill("#receipt-input", receipt)
    page.click("#btn-verify")
    page.wait_for_selector("#verdict:not([data-state=working])")
    page.mouse.move(0, 0)  # no hover colour on the button in the pictures


def _checks(page) -> list[str]:
    return page.locator("#checks .check").evaluate_all("els => els.map(e => e.dataset.ok)")


def test_receipts_checkpoints_and_results_are_checked_in_chromium(live_server):
    from playwright.sync_api import sync_playwright

    assert requests.get(f"{live_server.url}/verify", timeout=10).status_code == 200, (
        "the public pages are not registered: call public_pages.init_app(app) in create_app")
    exam, creds = live_server.demo_exam(candidates=3, exam=small_exam(
        "skd-cpns-2026", title="Seleksi Kompetensi Dasar CPNS 2026"))
    sat = [_sit(live_server, exam, cred, right) for cred, right in zip(creds, (12, 5, 2),
                                                                         strict=True)]
    token, best = sat[0]
    assert best["passed"] is True and not sat[2][1]["passed"]
    problems: list[str] = []

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="id-ID")
        page.set_default_timeout(15000)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}")
                if "Content Security Policy" in m.text else None)
        shots = Shots(page)
        try:
            # -- before the exam closes: no announcement yet -----------------------------
            page.goto(f"{live_server.url}/results/{exam}")
            page.wait_for_selector("#not-final:not([hidden])")
            assert page.is_hidden("#announcement")
            shots.take("results-not-final")

            # -- a receipt that no checkpoint covers yet: neither verified nor failed -----
            page.route("**/proof/**", lambda route: route.fulfill(
                status=404, content_type="application/json", body=json.dumps(
                    {"error": "not_checkpointed", "message": "try again later"})))
            _check_receipt(page, live_server.url, best["receipt"])
            assert page.get_attribute("#verdict", "data-state") == "pending"
            assert page.is_visible("#btn-retry")
            shots.take("verify-pending")
            page.unroute("**/proof/**")

            r = live_server.api("POST", f"/exams/{exam}/close", json={"reason": "selesai"})
            assert r.status_code == 200, r.text

            # -- the candidate's result screen: short code, full code, QR ------------------
            page.goto(f"{live_server.url}/")
            page.evaluate("""([token, exam, no]) => {
                sessionStorage.setItem('exam.token', token);
                sessionStorage.setItem('exam.exam', exam);
                sessionStorage.setItem('exam.participant_no', no);
            }""", [token, exam, creds[0]["participant_no"]])
            page.goto(f"{live_server.url}/exam")
            page.wait_for_selector("#screen-result:not([hidden])")
            page.wait_for_selector("#receipt-qr svg")
            code = best["receipt"]
            assert page.inner_text("#receipt-short") == f"{code[:16]}…{code[-8:]}"
            assert page.is_hidden("#result-receipt")
            page.click("#btn-receipt-full")
            assert page.inner_text("#result-receipt").strip() == code
            page.click("#btn-receipt-full")
            page.mouse.move(0, 0)
            assert page.get_attribute("#receipt-verify-link", "href") == (
                f"{live_server.url}/verify#{code}")
            shots.take("candidate-receipt", "candidate-receipt.png")
            page.click("[data-lang=en]")
            assert page.inner_text("#btn-receipt-full") == "Show the full code"
            page.click("[data-lang=id]")
            assert page.inner_text("#btn-receipt-full") == "Tampilkan kode lengkap"
            page.emulate_media(media="print")
            assert page.is_visible("#print-head") and page.is_visible("#result-receipt")
            assert page.inner_text("#print-participant") == creds[0]["participant_no"]
            shots.take("candidate-receipt-print")
            page.emulate_media(media="screen")

            # -- /verify#<code>, as the QR code opens it: verified -------------------------
            page.goto(f"{live_server.url}/verify#{code}")
            page.wait_for_selector("#verdict:not([data-state=working])")
            assert page.get_attribute("#verdict", "data-state") == "ok", page.inner_text(
                "#outcome")
            assert page.inner_text("#verdict-word") == "TERVERIFIKASI"
            assert _checks(page) == ["true"] * 5
            assert page.inner_text("#claims-total") == str(best["total"])
            assert "LULUS" in page.inner_text("#claims-passed")
            shots.take("verify-ok", "verify-ok.png")
            page.click("[data-lang=en]")
            assert page.inner_text("#verdict-word") == "VERIFIED"
            page.click("[data-lang=id]")

            # -- every receipt verifies; one changed digit fails ----------------------------
            for _token, result in sat[1:]:
                _check_receipt(page, live_server.url, result["receipt"])
                assert page.get_attribute("#verdict", "data-state") == "ok"
            _check_receipt(page, live_server.url, _tampered(best["receipt"]))
            assert page.get_attribute("#verdict", "data-state") == "fail"
            assert page.inner_text("#verdict-word") == "GAGAL"
            assert "TIDAK cocok" in page.inner_text("#verdict-text")
            # The checkpoint is genuine; the altered score is simply not in it.
            assert _checks(page) == ["true", "true", "false", "true", "true"]
            shots.take("verify-fail", "verify-fail.png")
            _check_receipt(page, live_server.url, code[:40] + "!" + code[41:])
            assert page.get_attribute("#verdict", "data-state") == "fail"
            assert "tidak dapat dibaca" in page.inner_text("#verdict-text")

            # -- the transparency record: every checkpoint signed and consistent -------------
            record = requests.get(f"{live_server.url}/api/v1/public/exams/{exam}/transparency",
                                  timeout=10).json()
            assert len(record["checkpoints"]) >= 3 and record["revealed"]
            page.goto(f"{live_server.url}/transparency/{exam}")
            page.wait_for_selector("#summary[data-state=ok]")
            rows = page.locator("#cp-rows tr")
            assert rows.count() == len(record["checkpoints"])
            flags = rows.evaluate_all(
                "trs => trs.map(tr => [tr.dataset.size, tr.dataset.signed, tr.dataset.consistent])")
            assert flags == [[str(cp["size"]), "true", "null" if i == 0 else "true"]
                             for i, cp in enumerate(record["checkpoints"])]
            assert page.get_attribute("#commit-state", "data-ok") == "true"
            assert page.inner_text("#public-key") == record["public_key"]
            assert page.is_visible("#bundle-item")
            shots.take("transparency", "transparency.png")

            # -- a record with one root changed: the browser catches it ---------------------
            forged = json.loads(json.dumps(record))
            victim = forged["checkpoints"][1]
            victim["root"] = ("0" if victim["root"][0] != "0" else "1") + victim["root"][1:]
            page.route(f"**/public/exams/{exam}/transparency", lambda route: route.fulfill(
                status=200, content_type="application/json", body=json.dumps(forged)))
            page.goto(f"{live_server.url}/transparency/{exam}")
            page.wait_for_selector("#summary[data-state=fail]")
            bad = page.locator("#cp-rows tr").nth(1)
            assert bad.get_attribute("data-signed") == "false"
            assert bad.get_attribute("data-consistent") == "false"
            shots.take("transparency-forged")
            page.unroute(f"**/public/exams/{exam}/transparency")

            # -- the announcement ---------------------------------------------------------------
            announced = requests.get(
                f"{live_server.url}/api/v1/public/exams/{exam}/announcement", timeout=10).json()
            page.goto(f"{live_server.url}/results/{exam}")
            page.wait_for_selector("#announcement:not([hidden])")
            heads = [re.sub(r"\s+", " ", h).strip()
                     for h in page.locator("#results-head th").all_inner_texts()]
            assert heads[3:6] == [f"{s['code']} {s['title']} ambang {s['pass_mark']}"
                                  for s in announced["sections"]]
            shown = page.locator("#results-rows tr").evaluate_all(
                "trs => trs.map(tr => [tr.cells[0].innerText, tr.cells[1].innerText,"
                " tr.dataset.passed,"
                " tr.cells[tr.cells.length - 1].innerText.replace(/\\s+/g, ' ').trim()])")
            assert shown == [[str(r["rank"]), r["participant_no"], str(r["passed"]).lower(),
                              "✓ LULUS" if r["passed"] else "✕ TIDAK LULUS"]
                             for r in announced["rows"]]
            assert shown[0][1] == creds[0]["participant_no"]
            assert page.inner_text("#final-root") == announced["final_checkpoint"]["root"]
            assert page.get_attribute("#final-signed", "data-ok") == "true"
            shots.take("results", "results.png")
        except Exception:
            shots.take("failure")
            raise
        finally:
            browser.close()

    assert problems == []


# Run in the page: every vector must verify, and a flipped hash or a wrong index must not.
CHECK_VECTORS = """async (v) => {
    const m = await import('/static/public/verifier.js');
    const flip = (h) => (h[0] === '0' ? '1' : '0') + h.slice(1);
    const wrong = [];
    for (const [leaf, i, size, proof, root] of v.inclusion) {
        if (!m.verifyInclusion(leaf, i, size, proof, root)) wrong.push(['in', i, size]);
        if (m.verifyInclusion(flip(leaf), i, size, proof, root)) wrong.push(['leaf', i, size]);
        if (size > 1 && m.verifyInclusion(leaf, (i + 1) % size, size, proof, root)) {
            wrong.push(['index', i, size]);
        }
    }
    for (const [old, size, o, r, proof] of v.consistency) {
        if (!m.verifyConsistency(old, size, o, r, proof)) wrong.push(['co', old, size]);
        if (old < size && m.verifyConsistency(old, size, flip(o), r, proof)) {
            wrong.push(['old', old, size]);
        }
        if (old < size && m.verifyConsistency(old, size, o, flip(r), proof)) {
            wrong.push(['new', old, size]);
        }
    }
    for (const [code, leafHex] of v.receipts) {
        const d = m.decodeReceipt(code);
        if (!d.ok || m.toHex(m.leafHash(m.receiptLeaf(d.receipt))) !== leafHex) {
            wrong.push(['receipt', code]);
        }
    }
    for (const [key, exam, head] of v.heads) {
        if (!m.verifyCheckpoint(key, exam, head)) wrong.push(['signed', head.size]);
        if (m.verifyCheckpoint(key, exam, {...head, time: head.time + 1})) {
            wrong.push(['forged', head.size]);
        }
    }
    return {wrong, checked: v.inclusion.length + v.consistency.length + v.receipts.length
        + v.heads.length};
}"""


def test_the_browser_verifier_agrees_with_the_python_one(live_server):
    """Proofs over trees of 1..33 leaves, receipts and signed heads, checked by verifier.js."""
    from playwright.sync_api import sync_playwright

    leaves = [merkle.leaf_hash(f"event {i}".encode()) for i in range(33)]
    inclusion, consistency = [], []
    for size in range(1, len(leaves) + 1):
        root = merkle.root_from_hashes(leaves[:size]).hex()
        for i in range(size):
            inclusion.append([leaves[i].hex(), i, size, [h.hex() for h in merkle.inclusion_proof(
                leaves, i, size)], root])
        for old in range(1, size + 1):
            consistency.append([old, size, merkle.root_from_hashes(leaves[:old]).hex(), root,
                                [h.hex() for h in merkle.consistency_proof(leaves, old, size)]])
    # Receipts whose canonical JSON needs care: fractions, non-ASCII keys, escapes.
    receipts = []
    for n, extra in enumerate([{}, {"Ünïcode": "ß/é"}, {"note": 'a"b\\c\n\u0001\u2028'},
                               {"😀": [1, None, True]}]):
        scored = {"attempt": n + 1, "scorer": "1", "sections": {"TWK": 35, "TIU": "71/3"},
                  "total": "176/3", "passed": bool(n % 2), "salt": f"{n:032x}", **extra}
        receipt = {"exam": "skd-ü-2026", "seq": 1000 + n, "at": 1767225600000 + n,
                   "attempt": n + 1, "scored": scored}
        receipts.append([encode_receipt(receipt),
                         merkle.leaf_hash(receipt_leaf(receipt)).hex()])
    secret = bytes(range(32))
    heads = []
    for size in (1, 7, 4096):
        head = {"size": size, "root": merkle.root_from_hashes(leaves[:3]).hex(),
                "time": 1767225600000 + size}
        head["signature"] = ed25519.sign(secret, tree_head_bytes(
            "skd-ü-2026", size, head["root"], head["time"])).hex()
        heads.append([ed25519.public_key(secret).hex(), "skd-ü-2026", head])
    vectors = {"inclusion": inclusion, "consistency": consistency, "receipts": receipts,
               "heads": heads}

    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/api/v1/health")
            outcome = page.evaluate(CHECK_VECTORS, vectors)
        finally:
            browser.close()
    assert outcome["wrong"] == []
    assert outcome["checked"] == len(inclusion) + len(consistency) + len(receipts) + len(heads)
