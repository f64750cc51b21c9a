"""Images travel with their bank revision and reach only candidates whose form holds them."""
from __future__ import annotations

import re

from exam_engine.services import banks
from question_bank.model import Option, ParsedBank, Question
from tests.conftest import small_exam

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def image_bank() -> ParsedBank:
    qs = []
    for cat in ("TWK", "TIU", "TKP"):
        for i in range(4):
            weighted = cat == "TKP"
            qs.append(Question(
                id=f"{cat.lower()}-{i}", category=cat, type="weighted" if weighted else "single",
                text=f"Lihat gambar ![peta](media/peta-{cat}-{i}.png) lalu jawab",
                options=tuple(Option(k, f"opsi {k}", correct=(not weighted and k == "A"),
                                     points=(p if weighted else None))
                              for k, p in zip("ABCDE", (1, 2, 3, 4, 5), strict=True))))
    return ParsedBank(code="skd-mini", title="Bergambar", questions=qs)


def test_images_are_served_by_signed_urls_to_the_candidate_only(actions, client):
    parsed = image_bank()
    media = {f"peta-{c}-{i}.png": PNG for c in ("TWK", "TIU", "TKP") for i in range(4)}
    out = banks.import_bank(parsed, "bergambar.zip", media_files=media)
    assert out["media"] == 12
    actions.create_exam(small_exam(count=2))
    actions.open("skd-mini-exam")
    creds = actions.register("skd-mini-exam", 1)
    form = actions.candidate("skd-mini-exam", creds[0]).start()
    html = form["questions"][0]["html"]
    [src] = re.findall(r'src="([^"]+)"', html)
    assert src.startswith("/media/") and "peta" not in src      # signed, not guessable
    r = client.get(src)
    assert r.status_code == 200 and r.mimetype == "image/png" and r.data == PNG
    assert client.get("/media/forged-token").status_code == 403
    assert client.get("/media/staff/1/peta-TWK-0.png").status_code == 401


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(client):
    import pytest

    from exam_engine.errors import BadRequest

    with pytest.raises(BadRequest):
        banks.import_bank(image_bank(), "x.zip", media_files={"peta.png": b"<script>"})
    assert banks.list_banks() == []
