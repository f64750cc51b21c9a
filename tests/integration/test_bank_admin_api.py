"""The admin's bank tools over HTTP: dry run, detail, preview, export, templates, formats."""
from __future__ import annotations

import io
import zipfile

import yaml
from openpyxl import load_workbook

from tests.conftest import ADMIN, small_bank

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(client, data: bytes, name: str, **form):
    return client.post("/api/v1/banks", headers=ADMIN, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), **form})


def test_a_dry_run_lists_what_would_be_stored_and_stores_nothing(client):
    good = yaml.safe_dump(small_bank()).encode()
    r = upload(client, good, "bank.yaml", dry_run="true")
    assert r.status_code == 200
    body = r.get_json()
    assert body["dry_run"] and body["questions"] == 24 and body["problems"] == []
    assert body["categories"]["TKP"] == {"count": 8, "types": {"weighted": 8}}
    bad = upload(client, b"bank: x\nquestions:\n  - {id: a, category: A, type: nope}\n",
                 "x.yaml", dry_run="true")
    assert bad.status_code == 422 and bad.get_json()["problems"][0]["line"] == 3
    assert client.get("/api/v1/banks", headers=ADMIN).get_json()["banks"] == []


def test_export_gives_back_the_same_questions_keys_and_points(client):
    assert upload(client, yaml.safe_dump(small_bank()).encode(), "bank.yaml").status_code == 201
    exported = client.get("/api/v1/banks/skd-mini/export", headers=ADMIN)
    assert exported.status_code == 200 and exported.mimetype == "application/yaml"
    again = yaml.safe_load(exported.data)
    original = small_bank()
    assert again["bank"] == "skd-mini"
    assert [(q["id"], q["type"], q["options"]) for q in again["questions"]] == \
        [(q["id"], q["type"], q["options"]) for q in original["questions"]]
    r = upload(client, exported.data, "skd-mini.yaml")
    assert r.get_json()["revision"] == 2


def test_detail_and_preview_show_the_key_to_the_admin(client):
    upload(client, yaml.safe_dump(small_bank()).encode(), "bank.yaml")
    detail = client.get("/api/v1/banks/skd-mini", headers=ADMIN).get_json()
    assert detail["revision"] == 1 and detail["revisions"][0]["questions"] == 24
    assert set(detail["categories"]) == {"TWK", "TIU", "TKP"}
    page = client.get("/api/v1/banks/skd-mini/questions?category=TKP&limit=2",
                      headers=ADMIN).get_json()
    assert page["total"] == 8 and len(page["questions"]) == 2
    q = page["questions"][0]
    assert q["html"].startswith("<p>") and q["options"][4]["points"] == 5
    assert client.get("/api/v1/banks/nope", headers=ADMIN).status_code == 404


def test_templates_download_and_import_back(client):
    csv_t = client.get("/api/v1/banks/template.csv", headers=ADMIN)
    assert csv_t.status_code == 200
    assert csv_t.data.startswith(b"\xef\xbb\xbfcategory,type,text,option_a")  # BOM: Excel
    xlsx_t = client.get("/api/v1/banks/template.xlsx", headers=ADMIN)
    assert xlsx_t.status_code == 200
    assert load_workbook(io.BytesIO(xlsx_t.data)).active.max_row >= 3
    r = upload(client, csv_t.data, "template-soal.csv")
    assert r.status_code == 201 and r.get_json()["imported"] == 2


def test_a_zip_holds_a_sheet_and_its_images(client):
    sheet = (b"category,type,text,option_a,option_b,option_c,option_d,option_e,key,points,image\n"
             b"TWK,single,Lihat peta,A1,B1,C1,D1,E1,B,,peta.png\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("soal.csv", sheet)
        z.writestr("gambar/peta.png", PNG)
    r = upload(client, buf.getvalue(), "soal-bergambar.zip")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["media"] == 1 and r.get_json()["bank_code_from"] == "file name"


def test_an_unsupported_file_type_is_refused_with_the_types_we_take(client):
    r = upload(client, b"%PDF-1.4", "soal.pdf")
    assert r.status_code == 422
    assert ".csv" in r.get_json()["problems"][0]["message"]


def test_an_upload_too_large_is_refused_as_json(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = upload(client, b"x" * 4096, "big.csv")
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"


def test_every_format_goes_through_the_same_upload(client):
    gift = b"$CATEGORY: TIU\n::tiu-1:: 2 + 2 = ? {=4 ~3 ~5 ~22}\n"
    aiken = b"Ibu kota Indonesia?\nA. Jakarta\nB. Bandung\nANSWER: A\n"
    moodle = (b'<?xml version="1.0"?><quiz><question type="multichoice"><name><text>m1</text>'
              b'</name><questiontext format="html"><text>Pilih</text></questiontext>'
              b'<single>true</single><answer fraction="100"><text>Ya</text></answer>'
              b'<answer fraction="0"><text>Tidak</text></answer></question></quiz>')
    for data, name, expect in ((gift, "tiu.gift.txt", 1), (aiken, "twk.txt", 1),
                               (moodle, "moodle.xml", 1)):
        r = upload(client, data, name)
        assert r.status_code == 201, (name, r.get_json())
        assert r.get_json()["imported"] == expect
