"""The Aiken format: what it reads, and every problem with its line."""
from __future__ import annotations

import dataclasses
import textwrap

import yaml

from question_bank import aiken
from question_bank.aiken import parse_aiken
from question_bank.export import bank_to_native
from question_bank.native import parse_native_bank

GOOD = textwrap.dedent("""\
    Ibu kota Indonesia adalah ...
    A. Bandung
    B. Jakarta
    C. Surabaya
    ANSWER: B

    Lambang sila pertama Pancasila adalah
    bintang (lanjutan teks soal).
    A) Benar
    B) Salah
    ANSWER: A
    Pilih bilangan prima:
    A)2
    B)  4
    C) 5
    ANSWER: A, C
    """)


def aiken_bank(text: str, filename: str = "twk.txt"):
    return parse_aiken(textwrap.dedent(text).encode(), filename)


def located(bank) -> list[tuple[int | None, str]]:
    return [(p.line, p.field) for p in bank.problems]


def test_questions_options_answers_and_the_category_from_the_file_name():
    bank = aiken_bank(GOOD)
    assert bank.problems == []
    assert (bank.code, bank.code_from_filename) == ("twk", True)
    capital, symbol, primes = bank.questions
    assert (capital.id, capital.category, capital.type, capital.line, capital.key) == (
        "twk-1", "TWK", "single", 1, frozenset("B"))
    assert [o.text for o in capital.options] == ["Bandung", "Jakarta", "Surabaya"]
    assert symbol.text == "Lambang sila pertama Pancasila adalah\nbintang (lanjutan teks soal)."
    assert (symbol.id, symbol.key) == ("twk-7", frozenset("A"))
    assert (primes.type, primes.key, primes.line) == ("multiple", frozenset("AC"), 12)
    assert [o.text for o in primes.options] == ["2", "4", "5"]


def test_a_category_line_switches_the_category():
    bank = aiken_bank("""\
        Soal umum
        A. x
        B. y
        ANSWER: A

        $CATEGORY: $course$/SKD/TIU
        Soal TIU
        A. x
        B. y
        ANSWER: B
        """, filename="Bank Soal.aiken.txt")
    assert [(q.category, q.id) for q in bank.questions] == [
        ("BANK SOAL", "bank-soal-1"), ("TIU", "tiu-7")]
    assert bank.code == "bank-soal-aiken"


def test_plain_text_is_escaped_so_it_shows_as_written():
    bank = aiken_bank("""\
        Is <b>this</b> & *that* bold?
        A. # not a heading
        B. 1.
        ANSWER: A
        """)
    (question,) = bank.questions
    assert question.text == r"Is &lt;b&gt;this&lt;/b&gt; &amp; \*that\* bold?"
    assert [o.text for o in question.options] == [r"\# not a heading", r"1\."]


def test_errors_are_located_and_the_good_questions_kept():
    bank = aiken_bank("""\
        A question with too few answers
        A) Only answer
        ANSWER: A

        A) Question not started

        ANSWER: Question not started

        A good question
        A) Correct
        B) Incorrect
        ANSWER: A

        A question started but not finished
        A) Correct-ish
        B) Incorrect-ish

        A second good question
        A)Incorrect (No space)
        B)Correct (No space)
        ANSWER: B
        Answer names a missing option
        A. x
        B. y
        ANSWER: D
        Duplicate letters
        A. x
        A. y
        ANSWER: A
        Stem only, then a blank line

        ANSWER: A
        Options after the answer start a new question
        A. x
        B. y
        ANSWER: A
        C. z
        ANSWER: C
        """)
    assert [q.line for q in bank.questions] == [9, 18, 33]
    assert located(bank) == [
        (2, "options"), (5, "options"), (7, "answer"), (14, "answer"), (25, "answer"),
        (27, "options"), (28, "options[1].key"), (30, "options"), (32, "answer"),
        (38, "answer"),
    ]
    messages = [p.message for p in bank.problems]
    assert messages[0] == "a question needs 2 to 26 options, found 1"
    assert "line 5 reads like option A, but no question text" in messages[1]
    assert "add `ANSWER: <letter>` after line 16" in messages[3]
    assert "ANSWER must name option letters (A, B), found 'D'" in messages[4]
    assert "duplicate option key 'A'" in messages[6]
    assert "line 37 reads like option C" in messages[9]


def test_unreadable_and_empty_files_give_problems():
    assert located(parse_aiken(b"Soal\xff\nA. x\n", "x.txt")) == [(1, "file")]
    assert located(parse_aiken(b"", "x.txt")) == [(None, "file")]
    assert located(parse_aiken(b"\n\n   \n", "_.txt")) == [(1, "bank")]


def test_more_questions_than_a_bank_holds_are_refused(monkeypatch):
    monkeypatch.setattr(aiken, "MAX_QUESTIONS", 2)
    bank = aiken_bank("".join(f"Soal {i}\nA. x\nB. y\nANSWER: A\n\n" for i in range(3)))
    assert bank.questions == [] and located(bank) == [(11, "file")]


def test_round_trip_through_the_native_format():
    bank = aiken_bank(GOOD + "\nIs <b>this</b> *bold*?\nA. [x](y)\nB. `z`\nANSWER: B\n")
    dumped = yaml.safe_dump(bank_to_native(bank), allow_unicode=True, sort_keys=False)
    back = parse_native_bank(dumped.encode(), "twk.yaml")
    assert back.problems == []
    assert [dataclasses.replace(q, line=None) for q in back.questions] == [
        dataclasses.replace(q, line=None) for q in bank.questions]
