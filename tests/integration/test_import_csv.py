"""The CSV/XLSX question template (CONTRACT §2.1): what it reads, and every problem's row."""
from __future__ import annotations

import dataclasses
import io
import textwrap

import openpyxl
import pytest
import yaml

from question_bank import csv_import
from question_bank.csv_import import parse_csv, parse_xlsx, template_csv, template_xlsx
from question_bank.export import bank_to_native
from question_bank.native import parse_native_bank

CONTRACT = textwrap.dedent("""\
    category,type,text,option_a,option_b,option_c,option_d,option_e,key,points
    TWK,single,Dasar negara Indonesia adalah ...,Pancasila,UUD 1945,Tap MPR,Perpres,,A,
    TKP,weighted,Sikap Anda saat dikritik ...,Marah,Diam,Menerima,Bertanya,Berterima,,1;2;4;3;5
    TIU,multiple,Bilangan prima di bawah 5 ...,1,2,3,4,,B;C,
    TWK,true_false,Indonesia merdeka pada 1945.,Benar,Salah,,,,A,
    """)


def csv_bank(text: str, filename: str = "bank-soal.csv", encoding: str = "utf-8"):
    return parse_csv(textwrap.dedent(text).encode(encoding), filename)


def located(bank) -> list[tuple[int | None, str]]:
    return [(p.line, p.field) for p in bank.problems]


def by_id(bank) -> dict:
    return {q.id: q for q in bank.questions}


def test_contract_header_reads_every_type():
    bank = csv_bank(CONTRACT)
    assert bank.problems == []
    assert (bank.code, bank.title, bank.code_from_filename) == ("bank-soal", "bank-soal", True)
    twk, tkp, tiu, tf = bank.questions
    assert (twk.id, twk.category, twk.type, twk.line, twk.key) == (
        "twk-2", "TWK", "single", 2, frozenset("A"))
    assert [o.text for o in twk.options] == ["Pancasila", "UUD 1945", "Tap MPR", "Perpres"]
    assert (tkp.type, tkp.key, tkp.points) == (
        "weighted", frozenset(), {"A": 1, "B": 2, "C": 4, "D": 3, "E": 5})
    assert (tiu.type, tiu.key, tiu.id) == ("multiple", frozenset("BC"), "tiu-4")
    assert (tf.type, tf.key, [(o.key, o.text) for o in tf.options]) == (
        "true_false", frozenset("T"), [("T", "Benar"), ("F", "Salah")])


def test_indonesian_header_semicolons_bom_and_inferred_types():
    header = "No; Kategori ;Jenis;SOAL;Opsi A;Pilihan B;opsi_c;Kunci Jawaban;Bobot;Gambar;"
    text = header + textwrap.dedent("""\
        Tingkat Kesulitan;Label;Kode
        1;TIU;;Hasil 2 + 3 = ...;4;5;6;B;;soal-1.png;0,5;aritmetika, dasar;
        2;TKP;;Anda terlambat ...;Diam;Minta maaf;Menjelaskan;;"1;3;2";;sedang;;tkp-x
        3;TIU;;Pilih bilangan genap;2;3;4;"A;C";;;;;
        """)
    bank = parse_csv(b"\xef\xbb\xbf" + text.encode(), "Soal TIU.csv")
    assert bank.problems == []
    assert bank.code == "soal-tiu"
    single, weighted, multiple = bank.questions
    assert (single.type, single.key, single.difficulty, single.tags) == (
        "single", frozenset("B"), 0.5, ("aritmetika", "dasar"))
    assert single.text == "Hasil 2 + 3 = ...\n\n![](media/soal-1.png)"
    assert (weighted.id, weighted.type, weighted.points, weighted.difficulty) == (
        "tkp-x", "weighted", {"A": 1, "B": 3, "C": 2}, 0.5)
    assert (multiple.type, multiple.key) == ("multiple", frozenset("AC"))


def test_excel_sep_line_tabs_and_windows_1252():
    bank = csv_bank("sep=;\ncategory;text;option_a;option_b;key\nTWK;Café ...;ya;tidak;A\n",
                    encoding="cp1252")
    assert bank.problems == []
    (question,) = bank.questions
    assert (question.line, question.text, question.id) == (3, "Café ...", "twk-3")
    tabbed = csv_bank("category\ttext\toption_a\toption_b\tkey\nTIU\tSoal\t1\t2\tB\n")
    assert tabbed.problems == [] and tabbed.questions[0].key == frozenset("B")


def test_a_quoted_cell_over_two_lines_keeps_the_next_row_number():
    bank = csv_bank("""\
        category,text,option_a,option_b,key
        TWK,"Baris satu
        baris dua",a,b,A
        TWK,Soal,a,b,Z
        """)
    assert bank.questions[0].text == "Baris satu\nbaris dua"
    assert located(bank) == [(4, "key")]
    assert "names option Z" in bank.problems[0].message


def test_true_false_rows_become_t_and_f():
    bank = csv_bank("""\
        category,type,text,option_a,option_b,key
        TWK,true_false,Satu,Salah,Benar,Benar
        TWK,true_false,Dua,T,F,F
        TWK,true_false,Tiga,,,B
        TWK,true_false,Empat,Setuju,Tidak setuju,A
        """)
    one, two, three = bank.questions
    assert [q.key for q in (one, two, three)] == [frozenset("T"), frozenset("F"),
                                                   frozenset("F")]
    assert [o.key for o in one.options] == ["T", "F"]
    assert located(bank) == [(5, "option_a")]


def test_trailing_empty_options_are_dropped_but_a_gap_is_a_problem():
    bank = csv_bank("""\
        category,text,option_a,option_b,option_c,option_d,option_e,key
        TWK,Dua opsi,a,b,,,,B
        TWK,Celah,a,,c,,,A
        TWK,Satu opsi,a,,,,,A
        """)
    assert [len(q.options) for q in bank.questions] == [2]
    assert located(bank) == [(3, "option_b"), (4, "option_b")]


def test_every_row_problem_has_its_row_and_column():
    bank = csv_bank("""\
        id,kategori,tipe,soal,opsi_a,opsi_b,opsi_c,kunci,poin,tingkat_kesulitan
        a1,TWK,single,Dua kunci,x,y,z,A;B,,
        a2,TKP,weighted,Poin kurang,x,y,z,,1;2,
        a3,TKP,weighted,Poin pecahan,x,y,z,,1;2.5;3,
        a4,TWK,essay,Jelaskan,x,y,,,,
        a5,TWK,pilihan,Tipe asing,x,y,,A,,
        a6,TWK,,Tanpa kunci,x,y,,,,
        a1,TWK,single,Id ganda,x,y,,A,,
        a8,TWK,single,Kesulitan,x,y,,A,,2
        a9,TWK,single,Poin di soal tunggal,x,y,,A,5,
        a10,,single,,x,y,,A,,
        a11,TWK,weighted,Kunci dan poin,x,y,,A,1;2,
        """)
    assert bank.questions == []
    assert located(bank) == [
        (2, "kunci"), (3, "poin"), (4, "poin"), (5, "tipe"), (6, "tipe"), (7, "kunci"),
        (8, "id"), (9, "tingkat_kesulitan"), (10, "poin"), (11, "kategori"), (11, "soal"),
        (12, "kunci"),
    ]
    text = "\n".join(p.message for p in bank.problems)
    assert "use type multiple" in text and "2 points for 3 options" in text
    assert "essay questions are not supported" in text
    assert "duplicate question id 'a1' (first at line 2)" in text


def test_header_problems_are_on_line_one():
    typo = csv_bank("category,text,option_a,option_b,kuncii\nTWK,x,a,b,A\n")
    assert located(typo) == [(1, "kuncii"), (1, "file")]
    assert "did you mean 'kunci'?" in typo.problems[0].message
    assert "lacks key (or points)" in typo.problems[1].message
    foreign = csv_bank("participant_no,name\n001,Budi\n")
    assert located(foreign) == [(1, "file")] and foreign.questions == []
    assert "expected category,type,text,option_a" in foreign.problems[0].message
    twice = csv_bank("category,kategori,text,option_a,option_b,key\nA,B,x,a,b,A\n")
    assert located(twice) == [(1, "kategori")]


def test_cells_that_look_like_formulas_are_stored_as_given():
    bank = csv_bank("""\
        category,text,option_a,option_b,option_c,key
        TIU,=SUM(A1:A3),+62 812,-5,@admin,C
        """)
    assert bank.problems == []
    (question,) = bank.questions
    assert question.text == "=SUM(A1:A3)"
    assert [o.text for o in question.options] == ["+62 812", "-5", "@admin"]


def test_cbtmatics_layouts_are_read_and_essays_refused():
    bank = csv_bank('''\
        question_text,question_type,options,correct_answer,subject,difficulty,points
        "<b>2 + 2?</b>",multiple_choice,"[""2"",""3"",""4""]",C,Matematika,easy,10
        "Ibu kota Indonesia adalah Jakarta",true_false,"[""Benar"",""Salah""]",Benar,IPS,easy,5
        "Jelaskan fotosintesis",essay,null,"Fotosintesis adalah ...",Biologi,medium,20
        "Pilih",multiple_choice,"[""a""",A,IPA,hard,5
        ''' + "Dalam,multiple_choice," + "[" * 100_000 + ",A,IPA,hard,5\n")
    mc, tf = bank.questions
    assert (mc.id, mc.category, mc.type, mc.key, mc.difficulty) == (
        "matematika-2", "Matematika", "single", frozenset("C"), 0.25)
    assert (tf.type, tf.key) == ("true_false", frozenset("T"))
    assert located(bank) == [(4, "question_type"), (5, "options"), (6, "options")]
    wide = csv_bank("""\
        question_text,question_type,option_a,option_b,correct_answer,subject,image,option_b_image
        Luas?,multiple_choice,12,24,B,Matematika,diagram.png,b.png
        """)
    assert wide.problems == []
    assert wide.questions[0].text == "Luas?\n\n![](media/diagram.png)"
    assert wide.questions[0].options[1].text == "24\n\n![](media/b.png)"


def test_an_image_must_be_a_plain_file_name():
    bank = csv_bank("category,text,option_a,option_b,key,image\nTWK,x,a,b,A,../etc/passwd\n")
    assert located(bank) == [(2, "image")]


def test_a_file_name_that_gives_no_code_and_empty_files():
    assert located(csv_bank(CONTRACT, filename="_.csv")) == [(1, "bank")]
    assert located(csv_bank("", filename="x.csv")) == [(None, "file")]
    assert located(csv_bank("category,text,option_a,option_b,key\n")) == [(None, "file")]
    for junk in (b"\x00\x01\x02", b'"unclosed\n', b"\xff\xfe" + "a,b".encode("utf-16-le")):
        assert parse_csv(junk, "junk.csv").problems


def test_more_questions_than_a_bank_holds_are_refused(monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_QUESTIONS", 2)
    rows = "".join(f"TWK,soal {i},a,b,A\n" for i in range(3))
    bank = csv_bank("category,text,option_a,option_b,key\n" + rows)
    assert bank.questions == [] and located(bank) == [(4, "file")]


def xlsx(rows: list[list], text_cells: tuple[str, ...] = ()) -> bytes:
    """A workbook whose first sheet holds `rows`; `text_cells` hold text even if it starts "="."""
    book = openpyxl.Workbook()
    sheet = book.active
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row, 1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    for coordinate in text_cells:
        sheet[coordinate].data_type = "s"
    book.create_sheet("Catatan").append(["kategori", "tidak dibaca"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_first_sheet_with_excel_row_numbers_and_formulas_refused():
    rows = [["Kategori", "Soal", "Opsi A", "Opsi B", "Opsi C", "Kunci", "Poin", "Kode"],
            ["TIU", "2 + 2 = ...", 3, 4, 5, "B", None, 101],
            [],
            ["TKP", "Sikap Anda ...", "x", "y", "z", None, "1;3;5", None],
            ["TIU", "=1+1", "a", "b", None, "A", None, None],
            ["TIU", "=teks biasa", "+62", "-1", None, "A", None, None]]
    bank = parse_xlsx(xlsx(rows, text_cells=("B6",)), "latihan.xlsx")
    assert located(bank) == [(5, "Soal")]
    assert bank.problems[0].message.startswith("cell holds a formula")
    tiu, tkp, text = bank.questions
    assert (tiu.id, tiu.line, [o.text for o in tiu.options]) == ("101", 2, ["3", "4", "5"])
    assert (tkp.id, tkp.line, tkp.points) == ("tkp-4", 4, {"A": 1, "B": 3, "C": 5})
    assert (text.line, text.text, [o.text for o in text.options]) == (
        6, "=teks biasa", ["+62", "-1"])


def test_xlsx_that_is_not_a_workbook():
    assert located(parse_xlsx(b"PK\x03\x04 broken", "x.xlsx")) == [(None, "file")]
    assert located(parse_xlsx(CONTRACT.encode(), "x.xlsx")) == [(None, "file")]


@pytest.mark.parametrize(("make", "parse", "name"), [
    (template_csv, parse_csv, "template.csv"), (template_xlsx, parse_xlsx, "template.xlsx")])
def test_templates_hold_the_header_and_two_sound_examples(make, parse, name):
    bank = parse(make(), name)
    assert bank.problems == []
    twk, tkp = bank.questions
    assert (twk.category, twk.type, twk.key) == ("TWK", "single", frozenset("D"))
    assert (tkp.category, tkp.type, sorted(tkp.points.values())) == (
        "TKP", "weighted", [1, 2, 3, 4, 5])
    if name.endswith(".csv"):
        assert make().startswith(b"\xef\xbb\xbf" + ",".join(csv_import.HEADER).encode())


def test_round_trip_through_the_native_format():
    bank = csv_bank(CONTRACT)
    dumped = yaml.safe_dump(bank_to_native(bank), allow_unicode=True, sort_keys=False)
    back = parse_native_bank(dumped.encode(), "bank-soal.yaml")
    assert back.problems == []
    strip = [dataclasses.replace(q, line=None) for q in bank.questions]
    assert [dataclasses.replace(q, line=None) for q in back.questions] == strip
