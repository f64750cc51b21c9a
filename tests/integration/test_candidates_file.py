"""Candidate lists (CONTRACT §2.3): CSV as Excel writes it, JSON, and located problems."""
from __future__ import annotations

import textwrap

from question_bank.candidates import CandidateRow, parse_candidates_csv, parse_candidates_json


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return textwrap.dedent(text).encode(encoding)


def located(problems) -> set[tuple[int | None, str]]:
    return {(p.line, p.field) for p in problems}


def test_plain_csv_with_every_column():
    rows, problems = parse_candidates_csv(csv_bytes("""\
        participant_no,name,category,extra_minutes,email
        2026-0001,Budi Santoso,umum,,budi@example.id
        2026-0002,"Siti Aminah, S.Pd.",disabilitas,30,
        """))
    assert problems == []
    assert rows == [
        CandidateRow("2026-0001", "Budi Santoso", "umum", 0, "budi@example.id", line=2),
        CandidateRow("2026-0002", "Siti Aminah, S.Pd.", "disabilitas", 30, None, line=3),
    ]


def test_excel_export_with_bom_semicolons_and_indonesian_headers():
    data = b"\xef\xbb\xbf" + csv_bytes("""\
        No Peserta;Nama;Tambahan Menit\r
        12.345/A;Dewi Lestari;15\r
        12.346/A;Agus;\r
        ;;\r
        """)
    rows, problems = parse_candidates_csv(data)
    assert problems == []
    assert [(r.participant_no, r.name, r.extra_minutes, r.line) for r in rows] == [
        ("12.345/A", "Dewi Lestari", 15, 2),
        ("12.346/A", "Agus", 0, 3),
    ]
    rows, problems = parse_candidates_csv(csv_bytes("""\
        NOMOR_PESERTA ; nama
        1;A
        """))
    assert problems == [] and rows[0].participant_no == "1"


def test_excel_sep_line_and_tabs():
    rows, problems = parse_candidates_csv(b"sep=;\r\nparticipant_no;name\r\n7;Rina\r\n")
    assert problems == [] and rows == [CandidateRow("7", "Rina", line=3)]
    rows, problems = parse_candidates_csv(b"participant_no\tname\n8\tTono\n")
    assert problems == [] and rows[0].name == "Tono"


def test_duplicates_point_back_to_the_first():
    rows, problems = parse_candidates_csv(csv_bytes("""\
        participant_no,name
        1001,Budi
        1002,Siti
        1001,Budi lagi
        """))
    assert [r.participant_no for r in rows] == ["1001", "1002"]
    (problem,) = problems
    assert (problem.line, problem.field) == (4, "participant_no")
    assert problem.message == "duplicate participant_no '1001' (first at line 2)"


def test_every_row_problem_is_reported_with_its_line():
    rows, problems = parse_candidates_csv(csv_bytes("""\
        participant_no,name,extra_minutes,email
        1001,,30,
        ,Tanpa Nomor,,
        10 01,Spasi,,
        1004,Lama,601,
        1005,Minus,-5,
        1006,Bukan Angka,tiga puluh,
        1007,Surat,,bukan-email
        1008,Kebanyakan,,,x
        1009,Baik,,
        """))
    assert located(problems) == {
        (2, "name"),
        (3, "participant_no"),
        (4, "participant_no"),
        (5, "extra_minutes"),
        (6, "extra_minutes"),
        (7, "extra_minutes"),
        (8, "email"),
        (9, "file"),
    }
    assert [r.participant_no for r in rows] == ["1009"]
    text = "\n".join(p.message for p in problems)
    assert "extra_minutes must be from 0 to 600, found 601" in text
    assert "this row has 5 cells; the header has 4" in text


def test_header_problems_are_on_line_one():
    rows, problems = parse_candidates_csv(b"nomor,name,kelas\n1,A,x\n")
    assert rows == []
    assert located(problems) == {(1, "nomor"), (1, "kelas"), (1, "participant_no")}
    assert "the header has no participant_no column" in "\n".join(p.message for p in problems)
    rows, problems = parse_candidates_csv(b"participant_no,name,catatan\n1,A,x\n")
    assert [(p.line, p.field) for p in problems] == [(1, "catatan")]
    _, problems = parse_candidates_csv(b"participant_no,name,nama\n1,A,B\n")
    assert "appears twice" in problems[0].message


def test_a_quoted_name_over_two_lines_keeps_later_lines_right():
    rows, problems = parse_candidates_csv(
        b'participant_no,name\n1,"Siti\nAminah"\n2,\n3,Tono\n'
    )
    assert rows[0] == CandidateRow("1", "Siti Aminah", line=2)
    assert [(p.line, p.field) for p in problems] == [(4, "name")]
    assert rows[1].line == 5


def test_empty_and_undecodable_files():
    assert parse_candidates_csv(b"")[1][0].message == "the file is empty"
    assert "no candidates" in parse_candidates_csv(b"participant_no,name\n")[1][0].message
    _, problems = parse_candidates_csv(b"participant_no,name\n1,Jos\xe9\n")
    assert (problems[0].line, problems[0].field) == (2, "file")
    assert "UTF-8" in problems[0].message


def test_json_list():
    rows, problems = parse_candidates_json([
        {"participant_no": "A-1", "name": "Budi", "extra_minutes": 30, "email": "b@x.id"},
        {"participant_no": 2002, "name": "Siti", "category": "umum"},
        {"participant_no": "A-1", "name": "Lagi"},
        {"participant_no": True, "nama": "x"},
        {"participant_no": "A-4", "name": "Min", "extra_minutes": -1},
        "A-5",
    ])
    assert rows == [
        CandidateRow("A-1", "Budi", None, 30, "b@x.id", line=None),
        CandidateRow("2002", "Siti", "umum", 0, None, line=None),
    ]
    assert located(problems) == {
        (None, "candidates[2].participant_no"),
        (None, "candidates[3].nama"),
        (None, "candidates[3].participant_no"),
        (None, "candidates[3].name"),
        (None, "candidates[4].extra_minutes"),
        (None, "candidates[5]"),
    }
    assert "(first at candidates[0])" in problems[0].message
    assert parse_candidates_json([])[1][0].field == "candidates"
