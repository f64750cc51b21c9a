"""Moodle's GIFT format: what it reads (weights included), and every problem with its line."""
from __future__ import annotations

import dataclasses
import textwrap

import yaml

from question_bank import gift
from question_bank.export import bank_to_native
from question_bank.gift import parse_gift
from question_bank.native import parse_native_bank

GOOD = textwrap.dedent("""\
    // Bank latihan SKD
    $CATEGORY: $course$/SKD/TWK

    ::twk-001::Ibu kota Indonesia adalah ...{
        ~Bandung#Bukan.
        =Jakarta#Benar!
        ~Surabaya
    }

    ::Soal sila:: Lambang sila {~pertama =kedua ~ketiga} adalah rantai.

    Indonesia merdeka pada 1945.{TRUE}

    Proklamasi dibacakan di Bandung.{F#Salah, di Jakarta.####Jl. Pegangsaan Timur 56}

    $CATEGORY: TIU
    ::tiu-1::Bilangan prima:{
        ~%50%2
        ~%50%3
        ~%-100%4
    }

    ::tkp-1::[markdown]Atasan **menegur** Anda ...{
        ~%20%Diam
        ~%40%Membela diri
        ~%60%Minta maaf
        ~%80%Bertanya
        =Berterima kasih
        ~%0%Pergi
    }
    """)


def gift_bank(text: str, filename: str = "skd.gift"):
    return parse_gift(textwrap.dedent(text).encode(), filename)


def located(bank) -> list[tuple[int | None, str]]:
    return [(p.line, p.field) for p in bank.problems]


def test_choices_categories_titles_and_true_false():
    bank = gift_bank(GOOD)
    assert bank.problems == []
    assert (bank.code, bank.code_from_filename) == ("skd", True)
    capital, sila, merdeka, bandung, primes, tkp = bank.questions
    assert (capital.id, capital.category, capital.type, capital.line, capital.key) == (
        "twk-001", "TWK", "single", 4, frozenset("B"))
    assert [o.text for o in capital.options] == ["Bandung", "Jakarta", "Surabaya"]
    assert (sila.id, sila.text, sila.key) == (
        "twk-10", "Lambang sila _____ adalah rantai.", frozenset("B"))
    assert (merdeka.type, merdeka.key, merdeka.id) == ("true_false", frozenset("T"), "twk-12")
    assert [(o.key, o.text) for o in merdeka.options] == [("T", "Benar"), ("F", "Salah")]
    assert (bandung.text, bandung.key) == ("Proklamasi dibacakan di Bandung.", frozenset("F"))
    assert (primes.category, primes.type, primes.key, primes.text) == (
        "TIU", "multiple", frozenset("AB"), "Bilangan prima:")
    assert (tkp.type, tkp.text, tkp.key) == ("weighted", "Atasan **menegur** Anda ...",
                                              frozenset())
    assert tkp.points == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 0}


def test_without_a_category_line_the_file_name_gives_it():
    bank = gift_bank("Soal?{=a ~b}\n", filename="Latihan TIU.gift.txt")
    assert [(q.category, q.id) for q in bank.questions] == [("LATIHAN TIU", "latihan-tiu-1")]
    assert bank.code == "latihan-tiu-gift"


def test_escapes_and_text_formats():
    bank = gift_bank(r"""
        ::esc::Which is not special\: \~ \= \# \{ \} or \\?{
            ~\~ # feedback holding an escaped \= sign
            ~\{\}
            =a \\ backslash\nand a new line
        }

        ::fmt::[html]<p>Pilih <b>satu</b></p>{=[plain]<b> & *x* ~[moodle]y ~[html]<i>z</i>}

        ::plain::[plain]1. <b>not bold</b>{=a ~b}
        """)
    assert bank.problems == []
    esc, fmt, plain = bank.questions
    assert esc.text == "Which is not special: ~ = # { } or \\?"
    assert [o.text for o in esc.options] == ["~", "{}", "a \\ backslash\nand a new line"]
    assert fmt.text == "<p>Pilih <b>satu</b></p>"
    assert [o.text for o in fmt.options] == [r"&lt;b&gt; &amp; \*x\*", "y", "<i>z</i>"]
    assert plain.text == r"1\. &lt;b&gt;not bold&lt;/b&gt;"


def test_weights_that_make_no_whole_points_or_no_answer_are_problems():
    bank = gift_bank("""\
        Half credit.{
            ~wrong
            ~%50%half
            =full
        }

        Thirds add up to 100.{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}

        No credit at all.{~a ~b}

        Not enough credit.{~%50%a ~%20%b}

        Odd weight.{~%abc%a =b}

        Too much.{~%150%a =b}
        """)
    (thirds,) = bank.questions
    assert (thirds.type, thirds.key, thirds.line) == ("multiple", frozenset("ABC"), 7)
    assert located(bank) == [(3, "options[1].points"), (9, "answers"), (11, "answers"),
                             (13, "options[0]"), (15, "options[0]")]
    messages = [p.message for p in bank.problems]
    assert messages[0].startswith("50% makes 2.5 points where 100% makes 5")
    assert "earn 0% in all and none earns 100%" in messages[1]
    assert "weight %150% is not a percentage" in messages[4]


def test_unsupported_types_are_named_and_the_rest_is_still_read():
    bank = gift_bank("""\
        // essay
        ::Q8:: How are you? {}

        When was Grant born?{#1822:5}

        Match the countries
        with their capitals.{=Canada -> Ottawa =Italy -> Rome}

        Who is buried there?{=no one =nobody}

        ::d::Just a description, no answers.

        Still read.{=yes ~no}
        """)
    assert [q.line for q in bank.questions] == [13]
    assert located(bank) == [(2, "type"), (4, "type"), (7, "type"), (9, "type"), (11, "type")]
    kinds = ["essay", "numerical", "matching", "short-answer", "description"]
    for kind, problem in zip(kinds, bank.problems, strict=True):
        assert kind in problem.message


def test_broken_structure_is_located():
    bank = gift_bank("""\
        ::a::Never closed {
            =yes
            ~no

        Two blocks {=a ~b} and {=c ~d}

        Words first {here =a ~b}

        ::dup::One {=a ~b}

        ::dup::Two {=a ~b}

        ::ok::Answers on lines {
            =right
            ~
        }
        """)
    assert [(q.id, q.line) for q in bank.questions] == [("dup", 9), ("skd-11", 11)]
    assert located(bank) == [(1, "answers"), (5, "answers"), (7, "answers"),
                             (15, "options[1].text")]


def test_unreadable_and_empty_files_give_problems():
    assert located(parse_gift(b"Soal {=a ~b}\n\xff", "x.gift")) == [(2, "file")]
    assert located(parse_gift(b"// only a comment\n", "x.gift")) == [(None, "file")]
    assert located(parse_gift(b"$CATEGORY: $course$/\n", "x.gift")) == [(1, "category")]


def test_more_questions_than_a_bank_holds_are_refused(monkeypatch):
    monkeypatch.setattr(gift, "MAX_QUESTIONS", 2)
    bank = gift_bank("".join(f"Soal {i}{{=a ~b}}\n\n" for i in range(3)))
    assert bank.questions == [] and located(bank) == [(5, "file")]


def test_round_trip_through_the_native_format():
    bank = gift_bank(GOOD)
    dumped = yaml.safe_dump(bank_to_native(bank), allow_unicode=True, sort_keys=False)
    back = parse_native_bank(dumped.encode(), "skd.yaml")
    assert back.problems == []
    assert [dataclasses.replace(q, line=None) for q in back.questions] == [
        dataclasses.replace(q, line=None) for q in bank.questions]
    assert [q.points for q in back.questions][-1] == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5,
                                                      "F": 0}
