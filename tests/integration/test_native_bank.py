"""The native bank format (CONTRACT §2.1): what it reads, and every problem with line and field."""
from __future__ import annotations

import json
import textwrap

import yaml

from question_bank import yaml_reader
from question_bank.native import code_from_filename, parse_native_bank

SAMPLE = textwrap.dedent("""\
    bank: skd-2026                 # bank code: [a-z0-9][a-z0-9-]*
    title: Bank Soal SKD 2026
    questions:
      - id: twk-0001               # unique in the bank
        category: TWK              # what exam sections draw from
        type: single               # single | weighted | multiple | true_false
        text: "Markdown text; images as ![alt](media/name.png)"
        options:
          - {key: A, text: "…"}
          - {key: B, text: "…", correct: true}
          - {key: C, text: "…"}
      - id: tkp-0001
        category: TKP
        type: weighted             # every option carries points (e.g. 1..5)
        text: "…"
        options:
          - {key: A, text: "…", points: 3}
          - {key: B, text: "…", points: 5}
          - {key: C, text: "…", points: 1}
          - {key: D, text: "…", points: 2}
          - {key: E, text: "…", points: 4}
    """)


def parse(text: str, filename: str = "bank.yaml"):
    return parse_native_bank(textwrap.dedent(text).encode(), filename)


def located(bank) -> set[tuple[int | None, str]]:
    return {(p.line, p.field) for p in bank.problems}


def messages(bank) -> str:
    return "\n".join(p.message for p in bank.problems)


def test_contract_sample_reads_as_two_sound_questions():
    bank = parse(SAMPLE)
    assert bank.problems == []
    assert (bank.code, bank.title, bank.code_from_filename) == ("skd-2026", "Bank Soal SKD 2026",
                                                                False)
    twk, tkp = bank.questions
    assert (twk.id, twk.category, twk.type, twk.line) == ("twk-0001", "TWK", "single", 4)
    assert twk.text == "Markdown text; images as ![alt](media/name.png)"
    assert [o.key for o in twk.options] == ["A", "B", "C"]
    assert twk.key == frozenset({"B"}) and twk.points == {}
    assert (tkp.type, tkp.line, tkp.key) == ("weighted", 12, frozenset())
    assert tkp.points == {"A": 3, "B": 5, "C": 1, "D": 2, "E": 4}


def test_json_reads_like_yaml_and_knows_its_lines():
    doc = yaml.safe_load(SAMPLE)
    data = json.dumps(doc, indent=2, ensure_ascii=False).encode()
    from_json = parse_native_bank(data, "skd.json")
    from_yaml = parse(SAMPLE)
    assert from_json.problems == []
    strip = [q.__class__(**{**q.__dict__, "line": None}) for q in from_json.questions]
    assert strip == [q.__class__(**{**q.__dict__, "line": None}) for q in from_yaml.questions]
    lines = data.decode().splitlines()
    first = from_json.questions[0].line
    assert lines[first - 1].strip() == "{" and '"twk-0001"' in lines[first]

    doc["questions"][1]["options"][2]["points"] = True
    broken = parse_native_bank(json.dumps(doc, indent=2).encode(), "skd.json")
    (problem,) = broken.problems
    assert problem.field == "questions[1].options[2].points"
    assert '"points": true' in json.dumps(doc, indent=2).splitlines()[problem.line - 1]


def test_a_file_with_several_mistakes_reports_every_one_where_it_is():
    bank = parse("""\
        bank: skd-2026
        titel: typo at the top
        questions:
          - id: q1
            category: TWK
            type: essay
            text: Tulis esai.
            options: [{key: A, text: a}, {key: B, text: b, correct: true}]
          - id: q2
            category: TWK
            type: single
            text: Two right answers
            options:
              - {key: A, text: a, correct: true}
              - {key: B, text: b, correct: true}
          - id: q3
            category: ""
            type: multiple
            text: Which are provinces?
            options:
              - {key: A, text: Aceh, correcct: true}
              - {key: B, text: Bali, correct: "yes"}
          - id: q4
            category: TIU
            type: single
            text: A sound question among the broken ones
            options:
              - {key: A, text: "2"}
              - {key: B, text: "3", correct: true, points: 1}
          - id: q5
            category: TIU
            type: single
            text: Sound
            options: [{key: A, text: "1", correct: true}, {key: B, text: "2"}]
        """)
    assert located(bank) == {
        (2, "titel"),
        (6, "questions[0].type"),
        (13, "questions[1].options"),
        (17, "questions[2].category"),
        (21, "questions[2].options[0].correcct"),
        (22, "questions[2].options[1].correct"),
        (20, "questions[2].options"),
        (29, "questions[3].options[1].points"),
    }
    text = messages(bank)
    assert "type 'essay' is not one of single, weighted, multiple, true_false" in text
    assert "single question needs exactly one correct option, found 2" in text
    assert "unknown field 'correcct'; did you mean 'correct'?" in text
    assert "unknown field 'titel'; did you mean 'title'?" in text
    assert "multiple question needs at least one correct option, found 0" in text
    assert "points belong to weighted questions, not single" in text
    assert [p.line for p in bank.problems] == sorted(p.line for p in bank.problems)
    assert [q.id for q in bank.questions] == ["q5"]


def test_json_syntax_error_names_its_line():
    bank = parse_native_bank(b'{\n  "bank": "x",\n  "questions": [\n    {"id": 1,}\n  ]\n}',
                             "x.json")
    (problem,) = bank.problems
    assert (problem.line, problem.field) == (4, "file")
    assert problem.message.startswith("JSON syntax error")
    assert bank.questions == [] and bank.code is None


def test_yaml_syntax_error_names_its_line():
    bank = parse("bank: x\nquestions:\n  - id: a\n   category: b\n")
    assert [(p.line, p.field) for p in bank.problems] == [(4, "file")]
    assert "YAML syntax error" in bank.problems[0].message


QUESTION = """\
  - id: {id}
    category: TWK
    type: single
    text: Soal
    options: [{{key: A, text: a, correct: true}}, {{key: B, text: b}}]
"""


def test_duplicate_ids_point_back_to_the_first():
    body = "".join(QUESTION.format(id=qid) for qid in ("twk-0001", "twk-0002", "twk-0001"))
    bank = parse("bank: b\nquestions:\n" + body)
    (problem,) = bank.problems
    assert (problem.line, problem.field) == (13, "questions[2].id")
    assert problem.message == "duplicate question id 'twk-0001' (first at line 3)"
    assert [q.id for q in bank.questions] == ["twk-0001", "twk-0002"]


def test_weighted_points_must_be_integers_not_booleans():
    bank = parse("""\
        bank: b
        questions:
          - id: tkp-1
            category: TKP
            type: weighted
            text: Sikap Anda?
            options:
              - {key: A, text: a, points: true}
              - {key: B, text: b, points: 2.5}
              - {key: C, text: c}
              - {key: D, text: d, points: 4, correct: true}
        """)
    assert located(bank) == {
        (8, "questions[0].options[0].points"),
        (9, "questions[0].options[1].points"),
        (10, "questions[0].options[2].points"),
        (11, "questions[0].options[3].correct"),
    }
    assert "points must be a whole number, found true/false (true)" in messages(bank)
    assert "weighted option 'C' needs points" in messages(bank)
    assert bank.questions == []


def test_true_false_needs_keys_t_and_f():
    bank = parse("""\
        bank: b
        questions:
          - id: tf-1
            category: TWK
            type: true_false
            text: Pancasila adalah dasar negara.
            options: [{key: B, text: Benar, correct: true}, {key: S, text: Salah}]
          - id: tf-2
            category: TWK
            type: true_false
            text: Jakarta adalah ibu kota.
            options: [{key: T, text: Benar, correct: true}, {key: F, text: Salah}]
        """)
    (problem,) = bank.problems
    assert (problem.line, problem.field) == (7, "questions[0].options")
    assert "keys T and F, found B, S" in problem.message
    assert [q.id for q in bank.questions] == ["tf-2"]


def test_missing_fields_and_wrong_shapes():
    bank = parse("""\
        bank: b
        questions:
          - id: q1
            type: single
            options: [{key: A, text: a, correct: true}]
          - just a string
          - id: [1, 2]
            category: TWK
            type: multiple
            text: x
            options: {A: a}
        """)
    assert located(bank) == {
        (3, "questions[0].category"),
        (3, "questions[0].text"),
        (5, "questions[0].options"),
        (6, "questions[1]"),
        (7, "questions[2].id"),
        (11, "questions[2].options"),
    }
    assert "a question needs 2 to 26 options, found 1" in messages(bank)


def test_code_comes_from_the_file_name_when_the_file_names_none():
    bank = parse("questions:\n" + QUESTION.format(id="a"), "Bank Soal SKD_2026.yaml")
    assert (bank.code, bank.title, bank.code_from_filename) == ("bank-soal-skd-2026",
                                                                "bank-soal-skd-2026", True)
    assert bank.problems == []
    assert code_from_filename("C:\\fakepath\\TIU.v2.json") == "tiu-v2"

    bad = parse("questions:\n" + QUESTION.format(id="a"), "_hidden.yaml")
    (problem,) = bad.problems
    assert (problem.line, problem.field, bad.code) == (1, "bank", None)
    assert "'-hidden' is not valid" in problem.message


def test_an_invalid_bank_code_is_a_problem():
    bank = parse("bank: SKD 2026\nquestions:\n" + QUESTION.format(id="a"))
    assert [(p.line, p.field) for p in bank.problems] == [(1, "bank")]
    assert bank.code is None and len(bank.questions) == 1


def test_anchors_and_aliases_are_refused_outright():
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    bank = parse(laughs)
    assert [(p.line, p.field) for p in bank.problems] == [(1, "file")]
    assert "anchors and aliases" in bank.problems[0].message

    merged = parse("bank: b\nbase: &base {category: TWK}\nquestions:\n  - <<: *base\n")
    assert [p.line for p in merged.problems] == [2]


def test_the_pure_python_reader_refuses_them_too(monkeypatch):
    monkeypatch.setattr(yaml_reader, "_Loader", yaml_reader._PyLoader)
    assert parse(SAMPLE).problems == []
    bank = parse("bank: b\nquestions:\n  - &q {id: 1}\n  - *q\n")
    assert [(p.line, p.field) for p in bank.problems] == [(3, "file")]


def test_python_tags_and_duplicate_keys_are_problems():
    bank = parse("""\
        bank: b
        questions:
          - id: q1
            category: TWK
            type: single
            text: !!python/object/apply:os.system ["echo hi"]
            options: [{key: A, text: a, correct: true}, {key: B, text: b}]
          - id: q2
            category: TWK
            type: single
            text: first
            text: second
            options: [{key: A, text: a, correct: true}, {key: B, text: b}]
        """)
    assert located(bank) == {(6, "questions[0].text"), (12, "questions[1].text")}
    assert "!!python/object/apply:os.system is not allowed" in messages(bank)
    assert "duplicate key 'text' (first at line 11)" in messages(bank)
    assert bank.questions == []


def test_numbers_are_text_as_the_file_spells_them():
    bank = parse("""\
        bank: b
        questions:
          - id: 007
            category: TIU
            type: multiple
            text: 12
            difficulty: 0.4
            tags: [deret, 2026]
            explanation: "1.10 + 1 = 2.10"
            options:
              - {key: 1, text: 1.10, correct: true}
              - {key: 2, text: 2.50}
              - {key: 3, text: 2026-01-01, correct: true}
        """)
    assert bank.problems == []
    (q,) = bank.questions
    assert (q.id, q.text, q.difficulty, q.tags) == ("007", "12", 0.4, ("deret", "2026"))
    assert [(o.key, o.text) for o in q.options] == [("1", "1.10"), ("2", "2.50"),
                                                    ("3", "2026-01-01")]
    assert q.key == frozenset({"1", "3"})


def test_optional_fields_are_checked():
    bank = parse("""\
        bank: b
        questions:
          - id: q1
            category: TWK
            type: single
            text: x
            difficulty: 1.5
            tags: deret
            explanation: [a]
            options: [{key: A, text: a, correct: true}, {key: B, text: ""},
                      {key: ABCDEFGHI, text: c}]
        """)
    assert located(bank) == {
        (7, "questions[0].difficulty"),
        (8, "questions[0].tags"),
        (9, "questions[0].explanation"),
        (10, "questions[0].options[1].text"),
        (11, "questions[0].options[2].key"),
    }


def test_text_length_limits():
    long = "x" * 20_001
    bank = parse("bank: b\nquestions:\n" + QUESTION.format(id="a").replace("Soal", long))
    assert [(p.field, p.line) for p in bank.problems] == [("questions[0].text", 6)]
    assert "20001 characters long; at most 20000" in bank.problems[0].message


def test_whole_file_problems():
    assert [p.message for p in parse("").problems] == ["the file is empty"]
    assert "found a list" in parse("- a\n- b\n").problems[0].message
    assert parse("bank: b\nquestions: []\n").problems[0].field == "questions"
    assert parse("bank: b\n").problems[0].message.startswith("questions is required")
    assert parse_native_bank(b"bank: b", "bank.txt").problems[0].field == "file"
    second = parse("bank: b\n---\nbank: c\n").problems[0]
    assert (second.line, second.field) == (2, "file")
    deep = parse_native_bank(b"[" * 10_000 + b"]" * 10_000, "deep.json").problems[0]
    assert deep.field == "file"


def test_utf8_with_a_byte_order_mark_and_bad_bytes():
    with_bom = b"\xef\xbb\xbf" + SAMPLE.encode()
    assert parse_native_bank(with_bom, "skd.yaml").problems == []
    broken = SAMPLE.encode().replace(b"Bank Soal", b"Bank \xff Soal")
    (problem,) = parse_native_bank(broken, "skd.yaml").problems
    assert (problem.line, problem.field) == (2, "file")
    assert "not UTF-8" in problem.message
    utf16 = parse_native_bank(SAMPLE.encode("utf-16"), "skd.yaml").problems[0]
    assert "UTF-16" in utf16.message
