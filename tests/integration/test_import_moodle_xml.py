"""Moodle XML (CONTRACT §2.1): what it reads, how fractions decide the type, every problem
located by line and field, and the images a question embeds."""
from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import pytest

from question_bank.moodle_xml import parse_moodle_xml, parse_moodle_xml_with_media
from question_bank.xml_import import parse_xml_bank, parse_xml_bank_with_media

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 40


def quiz(body: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + textwrap.dedent(body) + "</quiz>\n"


def parse(xml: str, filename: str = "bank-soal.xml"):
    return parse_moodle_xml_with_media(xml.encode(), filename)


def line_of(xml: str, marker: str) -> int:
    return xml[: xml.index(marker)].count("\n") + 1


def multichoice(name: str, fractions: list[str], single: str = "true", text: str = "Soal?",
                extra: str = "") -> str:
    answers = "".join(
        f'  <answer fraction="{f}" format="html"><text>opsi {i}</text></answer>\n'
        for i, f in enumerate(fractions))
    return (f'<question type="multichoice">\n  <name><text>{name}</text></name>\n'
            f'  <questiontext format="html"><text><![CDATA[{text}]]></text>{extra}'
            f'</questiontext>\n  <single>{single}</single>\n{answers}</question>\n')


def category(path: str) -> str:
    return f'<question type="category"><category><text>{path}</text></category></question>\n'


def test_single_multiple_and_weighted_follow_the_fractions():
    xml = quiz(
        category("$course$/top/SKD/TWK")
        + multichoice("twk-001", ["100", "0", "0", "-33.33333"])
        + multichoice("twk-002", ["50", "0", "50", "-100"], single="false")
        + multichoice("twk-003", ["33.33333", "33.33333", "0", "33.33333"])
        + category("$course$/top/SKD/TKP")
        + multichoice("tkp-001", ["20", "40", "60", "80", "100"])
        + multichoice("tkp-002", ["100", "60", "0", "-20"]))
    bank, media = parse(xml)
    assert bank.problems == [] and media == {}
    assert (bank.code, bank.title, bank.code_from_filename) == ("bank-soal", "bank-soal", True)
    single, multiple, thirds, weighted, negative = bank.questions
    assert (single.id, single.category, single.type, single.key) == (
        "twk-001", "TWK", "single", frozenset("A"))
    assert single.line == line_of(xml, '<question type="multichoice">')
    assert (multiple.type, multiple.key) == ("multiple", frozenset("AC"))
    assert (thirds.type, thirds.key) == ("multiple", frozenset("ABD"))
    assert (weighted.category, weighted.type, weighted.key) == ("TKP", "weighted", frozenset())
    assert weighted.points == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}
    assert negative.points == {"A": 5, "B": 3, "C": 0, "D": -1}
    assert [o.text for o in single.options] == ["opsi 0", "opsi 1", "opsi 2", "opsi 3"]


def test_fractions_that_fit_no_type_are_located_problems_and_the_rest_still_read():
    xml = quiz(
        multichoice("bad-sum", ["50", "33", "0"], single="false")
        + multichoice("good", ["100", "0"])
        + multichoice("uneven", ["100", "50", "0"])
        + multichoice("no-credit", ["0", "-50"])
        + multichoice("typo", ["100", "abc"]))
    bank, _ = parse(xml)
    assert [q.id for q in bank.questions] == ["good"]
    by_field = {p.field: p for p in bank.problems}
    assert set(by_field) == {"questions[0].options", "questions[0].options[1].fraction",
                             "questions[2].options[1].fraction",
                             "questions[3].options", "questions[4].options[1].fraction"}
    sum_problem = by_field["questions[0].options"]
    assert sum_problem.line == line_of(xml, '<question type="multichoice">')
    assert "add up to 83%" in sum_problem.message and "100%" in sum_problem.message
    assert "nearest: 33.33333" in by_field["questions[0].options[1].fraction"].message
    uneven = by_field["questions[2].options[1].fraction"]
    assert "2.50 points" in uneven.message and "whole points" in uneven.message
    assert uneven.line == line_of(xml, '<answer fraction="50" format="html"><text>opsi 1')
    assert "no answer earns any credit" in by_field["questions[3].options"].message
    typo = by_field["questions[4].options[1].fraction"]
    assert "'abc' is not a number" in typo.message
    assert typo.line == line_of(xml, 'fraction="abc"')


def test_true_false_gets_options_t_benar_and_f_salah():
    xml = quiz(textwrap.dedent("""\
        <question type="truefalse">
          <name><text>tf-1</text></name>
          <questiontext format="plain_text"><text>Pancasila lahir 1 Juni 1945*</text></questiontext>
          <generalfeedback format="html"><text>&lt;p&gt;Ya.&lt;/p&gt;</text></generalfeedback>
          <answer fraction="0"><text>true</text></answer>
          <answer fraction="100"><text>false</text></answer>
        </question>
        """))
    bank, _ = parse(xml)
    assert bank.problems == []
    [question] = bank.questions
    assert question.type == "true_false"
    assert [(o.key, o.text, o.correct) for o in question.options] == [
        ("T", "Benar", False), ("F", "Salah", True)]
    assert question.text == r"Pancasila lahir 1 Juni 1945\*"       # Markdown shows the *
    assert question.explanation == "Ya."
    literal = parse(quiz(multichoice("lit", ["100", "0"], text="tulis &amp;lt;b&amp;gt;")))[0]
    assert literal.questions[0].text == "tulis &amp;lt;b&amp;gt;"     # shows "&lt;b&gt;"


def test_categories_take_the_last_segment_and_default_to_the_file_name():
    xml = quiz(
        multichoice("before", ["100", "0"])
        + category("$course$/top/Default for SKD")
        + multichoice("a", ["100", "0"])
        + category("$system$/Ujian//Latihan/TIU")
        + multichoice("b", ["100", "0"])
        + category("$course$/top/TIU/Deret Angka")
        + multichoice("c", ["100", "0"]))
    bank, _ = parse(xml, "Bank TIU.xml")
    assert bank.code == "bank-tiu"
    assert [q.category for q in bank.questions] == [
        "BANK TIU", "Default for SKD", "TIU", "Deret Angka"]


def test_html_text_becomes_plain_markdown_with_images_as_media():
    png64 = base64.b64encode(PNG).decode()
    jpeg64 = base64.b64encode(JPEG).decode()
    text = ('<p>Perhatikan <b>gambar</b> &amp; tabel:<br>'
            '<img src="@@PLUGINFILE@@/peta%20kota.png" alt="peta [kota]"></p>'
            '<script>alert(1)</script><p>Lalu pilih.</p>')
    files = (f'<file name="peta kota.png" path="/" encoding="base64">{png64}</file>'
             f'<file name="unused.png" path="/" encoding="base64">{png64}</file>')
    answer_image = (f'<answer fraction="100" format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/'
                    f'a.jpg">]]></text><file name="a.jpg" encoding="base64">{jpeg64}</file>'
                    '</answer>\n')
    question = multichoice("img-1", ["0"], text=text, extra=files).replace(
        "</question>", answer_image + "</question>")
    bank, media = parse(quiz(question))
    assert bank.problems == []
    [q] = bank.questions
    assert q.text == ("Perhatikan gambar & tabel:\n![peta kota](media/peta-kota.png)\n\n"
                      "Lalu pilih.")
    assert q.options[1].text == "![](media/a.jpg)" and q.key == frozenset("B")
    assert media == {"peta-kota.png": PNG, "a.jpg": JPEG}


def test_images_that_cannot_be_shown_are_located_problems():
    svg64 = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    xml = quiz(
        multichoice("svg", ["100", "0"], text='<img src="@@PLUGINFILE@@/x.svg">',
                    extra=f'\n<file name="x.svg" encoding="base64">{svg64}</file>')
        + multichoice("missing", ["100", "0"], text='<img src="@@PLUGINFILE@@/gone.png">')
        + multichoice("remote", ["100", "0"], text='<img src="https://example.com/a.png">')
        + multichoice("fine", ["100", "0"]))
    bank, media = parse(xml)
    assert [q.id for q in bank.questions] == ["fine"] and media == {}
    svg, missing, remote = bank.problems
    assert svg.line == line_of(xml, '<file name="x.svg"')
    assert "not a PNG, JPEG or GIF" in svg.message
    assert missing.field == "questions[1].text" and "'gone.png'" in missing.message
    assert "does not embed" in missing.message
    assert "https://example.com/a.png" in remote.message and "not embedded" in remote.message


def test_markdown_text_keeps_its_marks_and_gets_media_references():
    png64 = base64.b64encode(PNG).decode()
    xml = quiz(textwrap.dedent(f"""\
        <question type="multichoice">
          <name><text>md</text></name>
          <questiontext format="markdown"><text>**Lihat** ![g](@@PLUGINFILE@@/g.png)</text>
            <file name="g.png" encoding="base64">{png64}</file></questiontext>
          <answer fraction="100"><text>ya</text></answer>
          <answer fraction="0"><text>tidak</text></answer>
        </question>
        """))
    bank, media = parse(xml)
    assert bank.problems == []
    assert bank.questions[0].text == "**Lihat** ![g](media/g.png)" and media == {"g.png": PNG}


@pytest.mark.parametrize("qtype", ["essay", "matching", "numerical", "shortanswer", "ddwtos",
                                   "cloze", "description", "calculated"])
def test_unsupported_types_are_named_with_their_line_and_the_rest_is_read(qtype):
    xml = quiz(multichoice("ok-1", ["100", "0"])
               + f'<question type="{qtype}">\n<name><text>x</text></name>\n</question>\n'
               + multichoice("ok-2", ["100", "0"]))
    bank, _ = parse(xml)
    assert [q.id for q in bank.questions] == ["ok-1", "ok-2"]
    [problem] = bank.problems
    assert (problem.line, problem.field) == (line_of(xml, f'type="{qtype}"'), "questions[1].type")
    assert repr(qtype) in problem.message and "not supported" in problem.message


def test_ids_come_from_valid_unique_names_else_from_the_position():
    xml = quiz(multichoice("Soal 1 &amp; 2", ["100", "0"]) + multichoice("q0003", ["100", "0"])
               + multichoice("dup", ["100", "0"]) + multichoice("dup", ["100", "0"])
               + multichoice("", ["100", "0"]))
    bank, _ = parse(xml)
    assert bank.problems == []
    assert [q.id for q in bank.questions] == ["q0001", "q0003", "dup", "q0004", "q0005"]


def test_the_shared_rules_apply_two_options_at_least():
    xml = quiz(multichoice("one", ["100"]))
    bank, _ = parse(xml)
    assert bank.questions == []
    [problem] = bank.problems
    assert problem.field == "questions[0].options" and "2 to 26 options" in problem.message


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "empty"),
    (b"<quiz><question type='multichoice'>", "not well-formed XML"),
    (b"<questions/>", "<quiz>"),
    (b"\x00\x01\x02garbage", "not well-formed XML"),
    (b"<quiz></quiz>", "no <question>"),
])
def test_unreadable_files_are_problems_not_crashes(data, expected):
    bank = parse_moodle_xml(data, "bank.xml")
    assert bank.questions == [] and expected in bank.problems[0].message


def test_a_file_name_that_gives_no_code_is_a_problem():
    bank = parse_moodle_xml(quiz(multichoice("a", ["100", "0"])).encode(), "___.xml")
    assert bank.code is None
    assert [p.field for p in bank.problems] == ["bank"] and "rename" in bank.problems[0].message


SAMPLE_EXPECTATIONS = {
    # file: (questions, problem fields)
    "moodle_multichoice_testquestion.moodle.xml": (1, []),
    "moodle_nested_categories_with_questions.xml": (4, ["questions[1].type"]),
    "moodle_error_invalid_grades.xml": (0, ["questions[0].options",
                                            "questions[0].options[1].fraction"]),
    "qaseditor_multichoice_single_embedded_files.xml": (0, ["questions[0].text"]),
}


@pytest.mark.skipif(not (SAMPLES / "moodlexml").is_dir(), reason="shared samples not present")
@pytest.mark.parametrize("name", sorted(SAMPLE_EXPECTATIONS))
def test_shared_moodle_samples(name):
    bank, media = parse_moodle_xml_with_media((SAMPLES / "moodlexml" / name).read_bytes(), name)
    count, fields = SAMPLE_EXPECTATIONS[name]
    assert len(bank.questions) == count
    assert [p.field for p in bank.problems] == fields
    assert all(p.line for p in bank.problems)
    if name.startswith("moodle_multichoice"):
        [q] = bank.questions
        assert (q.type, q.key, q.category) == ("multiple", frozenset("CE"), "Default for C1")
    if name.startswith("qaseditor"):
        assert "dessin.svg" in bank.problems[0].message and media == {}


def test_an_xml_upload_goes_to_moodle_or_qti_by_its_root():
    moodle = quiz(multichoice("m-1", ["100", "0"])).encode()
    qti = (b'<?xml version="1.0"?>\n<!-- <quiz> in a comment -->\n'
           b'<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="q-1">'
           b'<responseDeclaration identifier="R" cardinality="single"><correctResponse>'
           b'<value>A</value></correctResponse></responseDeclaration><itemBody>Soal'
           b'<choiceInteraction responseIdentifier="R"><simpleChoice identifier="A">a'
           b'</simpleChoice><simpleChoice identifier="B">b</simpleChoice></choiceInteraction>'
           b'</itemBody></assessmentItem>')
    assert [q.id for q in parse_xml_bank(moodle, "m.xml").questions] == ["m-1"]
    assert [q.id for q in parse_xml_bank(qti, "q.xml").questions] == ["q-1"]
    utf16 = quiz(multichoice("u-1", ["100", "0"])).replace("UTF-8", "UTF-16").encode("utf-16")
    assert [q.id for q in parse_xml_bank_with_media(utf16, "u.xml")[0].questions] == ["u-1"]
    manifest = parse_xml_bank(b"<manifest/>", "imsmanifest.xml")
    assert "upload the .zip" in manifest.problems[0].message
