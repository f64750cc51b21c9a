"""QTI 2.1/2.2/3.0 choice items and IMS content packages (CONTRACT §2.1): the key, weighted
mappings, images from the package, and every refusal located by file, line and field."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from question_bank.qti import parse_qti_members, parse_qti_package, parse_qti_xml

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
QTI30 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40


def item2(identifier: str, cardinality: str, choices: dict[str, str], correct=(),
          mapping: dict[str, float] | None = None, body: str = "<p>Soal</p>",
          prompt: str = "Pilih jawaban.", ns: str = QTI21, default: float = 0) -> str:
    values = "".join(f"<value>{v}</value>" for v in correct)
    correct_xml = f"<correctResponse>{values}</correctResponse>" if correct else ""
    mapping_xml = ""
    if mapping is not None:
        entries = "".join(f'<mapEntry mapKey="{k}" mappedValue="{v}"/>' for k, v in mapping.items())
        mapping_xml = f'<mapping defaultValue="{default}">{entries}</mapping>'
    options = "".join(f'<simpleChoice identifier="{k}">{t}</simpleChoice>\n'
                      for k, t in choices.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<assessmentItem xmlns="{ns}" identifier="{identifier}" title="t">\n'
            f'<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" '
            f'baseType="identifier">\n{correct_xml}{mapping_xml}\n</responseDeclaration>\n'
            f'<itemBody>\n{body}\n'
            '<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">\n'
            f'<prompt>{prompt}</prompt>\n{options}</choiceInteraction>\n</itemBody>\n'
            '</assessmentItem>\n')


def item3(identifier: str, cardinality: str, choices: dict[str, str], correct=(),
          mapping: dict[str, float] | None = None, body: str = "<p>Soal</p>") -> str:
    values = "".join(f"<qti-value>{v}</qti-value>" for v in correct)
    correct_xml = f"<qti-correct-response>{values}</qti-correct-response>" if correct else ""
    mapping_xml = ""
    if mapping is not None:
        entries = "".join(f'<qti-map-entry map-key="{k}" mapped-value="{v}"/>'
                          for k, v in mapping.items())
        mapping_xml = f'<qti-mapping default-value="0">{entries}</qti-mapping>'
    options = "\n".join(f'<qti-simple-choice identifier="{k}">{t}</qti-simple-choice>'
                        for k, t in choices.items())
    return (f'<qti-assessment-item xmlns="{QTI30}" identifier="{identifier}" title="t">\n'
            f'<qti-response-declaration identifier="R" cardinality="{cardinality}" '
            f'base-type="identifier">{correct_xml}{mapping_xml}</qti-response-declaration>\n'
            f'<qti-item-body>{body}\n<qti-choice-interaction response-identifier="R" '
            f'max-choices="1">\n<qti-prompt>Pilih.</qti-prompt>\n{options}\n'
            '</qti-choice-interaction>\n</qti-item-body>\n</qti-assessment-item>\n')


def parse(xml: str, filename: str = "soal-twk.xml"):
    return parse_qti_xml(xml.encode(), filename)


def line_of(xml: str, marker: str) -> int:
    return xml[: xml.index(marker)].count("\n") + 1


ABC = {"A": "satu", "B": "dua", "C": "tiga"}


def test_qti21_single_choice_keeps_short_identifiers_and_reads_body_and_prompt():
    xml = item2("twk-1", "single", ABC, correct=["B"],
                body="<p>Dasar negara <b>Indonesia</b> &amp; UUD?</p>")
    bank = parse(xml, "TWK.xml")
    assert bank.problems == []
    assert (bank.code, bank.code_from_filename) == ("twk", True)
    [q] = bank.questions
    assert (q.id, q.category, q.type, q.key, q.line) == ("twk-1", "TWK", "single",
                                                          frozenset("B"), 2)
    assert q.text == "Dasar negara Indonesia & UUD?\n\nPilih jawaban."
    assert [(o.key, o.text) for o in q.options] == [("A", "satu"), ("B", "dua"), ("C", "tiga")]


def test_long_identifiers_become_letters_and_the_key_follows():
    choices = {"choice_998819535": "Leipzig", "choice_693643701": "Chemnitz",
               "choice_1658152974": "Dresden", "choice_853818748": "Zwickau"}
    xml = item2("item-2", "multiple", choices, correct=["choice_693643701", "choice_853818748"],
                ns=QTI22)
    [q] = parse(xml).questions
    assert q.type == "multiple" and [o.key for o in q.options] == ["A", "B", "C", "D"]
    assert q.key == frozenset("BD")


def test_qti21_multiple_with_a_mapping_that_mirrors_the_key_is_multiple():
    choices = {"H": "Hydrogen", "He": "Helium", "O": "Oxygen", "Cl": "Chlorine"}
    xml = item2("water", "multiple", choices, correct=["H", "O"],
                mapping={"H": 1, "O": 1, "Cl": -1}, default=-2)
    [q] = parse(xml).questions
    assert (q.type, q.key, q.points) == ("multiple", frozenset({"H", "O"}), {})


def test_a_single_answer_mapping_crediting_several_choices_is_weighted():
    choices = {k: f"respon {k}" for k in "ABCDE"}
    xml = item2("tkp-1", "single", choices, correct=["E"],
                mapping={"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1})
    [q] = parse(xml).questions
    assert (q.type, q.key) == ("weighted", frozenset())
    assert q.points == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}


def test_weighted_points_that_are_not_whole_are_a_located_problem():
    xml = item2("tkp-2", "single", ABC, mapping={"A": 3, "B": 2, "C": 1})
    bank = parse(xml)
    assert bank.questions == []
    problems = {p.field: p for p in bank.problems}
    assert set(problems) == {"questions[0].options[1].points", "questions[0].options[2].points"}
    assert "3.33 points" in problems["questions[0].options[1].points"].message
    assert problems["questions[0].options[1].points"].line == line_of(xml, "<mapping")


def test_a_mapping_that_credits_other_choices_than_the_key_is_refused():
    xml = item2("partial", "multiple", ABC, correct=["A"], mapping={"A": 1, "B": 0.5})
    bank = parse(xml)
    assert bank.questions == []
    [problem] = bank.problems
    assert "partial-credit" in problem.message and problem.line == line_of(xml, "<mapping")


def test_no_correct_response_is_refused_not_guessed():
    xml = item2("custom", "multiple", ABC)
    bank = parse(xml)
    assert bank.questions == []
    [problem] = bank.problems
    assert (problem.line, problem.field) == (line_of(xml, "<responseDeclaration"),
                                             "questions[0].key")
    assert "no correct response" in problem.message


def test_a_correct_response_naming_no_choice_is_located():
    xml = item2("typo", "single", ABC, correct=["Z"])
    bank = parse(xml)
    assert bank.questions == []
    assert any("'Z'" in p.message and p.line == line_of(xml, "<correctResponse")
               for p in bank.problems)


def test_qti30_items_read_through_the_same_path():
    single = parse(item3("keuze", "single", ABC, correct=["C"]))
    multiple = parse(item3("meer", "multiple", ABC, correct=["A", "B"],
                           mapping={"A": 1, "B": 1, "C": -1}))
    weighted = parse(item3("gewogen", "single", {k: k for k in "ABCDE"},
                           mapping={"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}))
    assert [b.problems for b in (single, multiple, weighted)] == [[], [], []]
    assert (single.questions[0].type, single.questions[0].key) == ("single", frozenset("C"))
    assert single.questions[0].text == "Soal\n\nPilih."
    assert (multiple.questions[0].type, multiple.questions[0].key) == ("multiple",
                                                                       frozenset("AB"))
    assert weighted.questions[0].points == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}


@pytest.mark.parametrize(("interaction", "shown"), [
    ('<textEntryInteraction responseIdentifier="RESPONSE"/>', "<textEntryInteraction>"),
    ('<extendedTextInteraction responseIdentifier="RESPONSE"/>', "<extendedTextInteraction>"),
    ('<orderInteraction responseIdentifier="RESPONSE"/>', "<orderInteraction>"),
])
def test_other_interactions_are_named_with_their_line(interaction, shown):
    xml = item2("other", "single", ABC, correct=["A"], body=f"<p>x</p>\n{interaction}")
    bank = parse(xml)
    assert bank.questions == []
    [problem] = bank.problems
    assert shown in problem.message and "not supported" in problem.message
    assert (problem.line, problem.field) == (line_of(xml, interaction), "questions[0].type")


def test_qti30_interactions_are_named_as_written():
    xml = item3("x", "single", ABC, correct=["A"],
                body='<qti-text-entry-interaction response-identifier="R"/>')
    [problem] = parse(xml).problems
    assert "<qti-text-entry-interaction>" in problem.message


def test_an_item_mixing_qti2_and_qti3_names_is_refused():
    xml = item2("hybrid", "single", ABC, correct=["A"], ns=QTI30).replace(
        "choiceInteraction", "qti-choice-interaction")
    bank = parse(xml)
    assert bank.questions == []
    [problem] = bank.problems
    assert "valid in neither version" in problem.message and "QTI 3 namespace" in problem.message


@pytest.mark.parametrize(("xml", "expected"), [
    ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"/>', "upload the .zip"),
    (f'<assessmentTest xmlns="{QTI21}" identifier="t"/>', "assessment test"),
    ("<questestinterop/>", "QTI 1.2 is not supported"),
    ("<quiz/>", "not a QTI item"),
    ("<assessmentItem", "not well-formed"),
])
def test_files_that_are_not_items_get_a_clear_problem(xml, expected):
    bank = parse(xml)
    assert bank.questions == [] and expected in bank.problems[0].message


def test_a_lone_item_with_an_image_asks_for_the_package():
    xml = item2("img", "single", ABC, correct=["A"], body='<p><img src="images/a.png"/></p>')
    [problem] = parse(xml).problems
    assert problem.line == line_of(xml, "<img") and "content package (.zip)" in problem.message


MANIFEST = """\
<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="pkg">
  <resources>
    <resource identifier="i1" type="imsqti_item_xmlv2p1" href="items/one.xml">
      <file href="items/one.xml"/>
    </resource>
    <resource identifier="i2" type="imsqti_item_xmlv3p0" href="items/two.xml"/>
    <resource identifier="i3" type="imsqti_item_xmlv2p2" href="items/broken.xml"/>
    <resource identifier="i4" type="imsqti_item_xmlv2p1" href="items/missing.xml"/>
    <resource identifier="t" type="imsqti_test_xmlv2p1" href="test.xml"/>
    <resource identifier="w" type="webcontent" href="extra/three.xml"/>
    <resource identifier="img" type="webcontent" href="images/peta.png"/>
  </resources>
</manifest>
"""


def package(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_package_reads_its_items_and_images_and_locates_every_problem():
    one = item2("one", "single", ABC, correct=["A"],
                body='<p>Peta <img src="../images/peta.png" alt="peta"/></p>')
    two = item3("two", "multiple", ABC, correct=["A", "C"], body='<img src="../images/x.gif"/>')
    broken = item2("broken", "single", ABC, correct=["A"], body='<img src="../images/none.png"/>')
    three = item2("three", "single", ABC, correct=["B"])
    data = package({"imsmanifest.xml": MANIFEST, "items/one.xml": one, "items/two.xml": two,
                    "items/broken.xml": broken, "extra/three.xml": three,
                    "images/peta.png": PNG, "images/x.gif": GIF, "images/unused.png": PNG,
                    "images/": b""})
    bank, media = parse_qti_package(data, "Paket TWK.zip")
    assert (bank.code, bank.code_from_filename) == ("paket-twk", True)
    assert [q.id for q in bank.questions] == ["one", "two", "three"]
    assert {q.category for q in bank.questions} == {"PAKET TWK"}
    assert bank.questions[0].text == "Peta ![peta](media/peta.png)\n\nPilih jawaban."
    assert bank.questions[1].text == "![](media/x.gif)\n\nPilih."
    assert media == {"peta.png": PNG, "x.gif": GIF}
    missing_item, missing_image = bank.problems     # the manifest's first, then each item's
    assert missing_image.message.startswith("items/broken.xml: image '../images/none.png'")
    assert missing_image.line == line_of(broken, "<img")
    assert missing_image.field == "questions[2].text"
    assert missing_item.message == ("imsmanifest.xml: resource 'i4' names items/missing.xml, "
                                    "which is not in the package")
    assert missing_item.line == line_of(MANIFEST, 'identifier="i4"')


def test_an_opened_archive_can_be_read_without_unzipping_it_again():
    bank, media = parse_qti_members({"imsmanifest.xml": MANIFEST.encode(),
                                     "items/one.xml": item2("one", "single", ABC,
                                                            correct=["A"]).encode()}, "p.zip")
    assert [q.id for q in bank.questions] == ["one"] and media == {}


def test_a_package_zipped_with_its_folder_is_read_too():
    data = package({"pkg/imsmanifest.xml": MANIFEST.replace("items/", ""),
                    "pkg/one.xml": item2("one", "single", ABC, correct=["A"])})
    bank, _ = parse_qti_package(data, "pkg.zip")
    assert [q.id for q in bank.questions] == ["one"]
    assert len(bank.problems) == 3          # two.xml, broken.xml and missing.xml are not there


def test_package_refusals():
    no_manifest, _ = parse_qti_package(package({"one.xml": "<a/>"}), "p.zip")
    assert "no imsmanifest.xml" in no_manifest.problems[0].message
    not_zip, _ = parse_qti_package(b"PK\x03\x04 not really", "p.zip")
    assert "not a readable zip" in not_zip.problems[0].message
    empty, _ = parse_qti_package(package({"imsmanifest.xml": "<manifest/>"}), "p.zip")
    assert "lists no QTI item" in empty.problems[0].message
    bad_item, _ = parse_qti_package(package({
        "imsmanifest.xml": MANIFEST, "items/one.xml": "<assessmentItem>\n<oops>"}), "p.zip")
    first = bad_item.problems[0]
    assert first.message.startswith("items/one.xml: the file is not well-formed XML")
    assert first.line == 2


EXPECTED = {
    # sample: (questions, first problem says)
    "qti21/qtisdk_2_1_choice.xml": (0, "lone .xml file cannot carry"),
    "qti21/qtisdk_2_2_choice.xml": (0, "lone .xml file cannot carry"),
    "qti21/qtisdk_2_1_choice_multiple.xml": (1, None),
    "qti21/qtisdk_2_1_choice_multiple_chocolade.xml": (0, "no correct response"),
    "qti21/qtisdk_onyx_Choicemultiple_2014410822.xml": (1, None),
    "qti21/qtisdk_onyx_Choicesingle_853928446.xml": (0, "lone .xml file cannot carry"),
    "qti21/qtiworks_imsmanifest.xml": (0, "content package manifest"),
    "qti30/qti3validator_imsmanifest.xml": (0, "content package manifest"),
    "qti30/qti3validator_keuze.xml": (0, "lone .xml file cannot carry"),
    "qti30/qti3validator_meerkeuze.xml": (1, None),
    "qti30/qtisdk_aqti_tmh_sample_1_hybrid.xml": (0, "valid in neither version"),
}


@pytest.mark.skipif(not (SAMPLES / "qti21").is_dir(), reason="shared samples not present")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_qti_samples(name):
    bank = parse_qti_xml((SAMPLES / name).read_bytes(), Path(name).name)
    count, says = EXPECTED[name]
    assert len(bank.questions) == count
    if says is None:
        assert bank.problems == []
    else:
        assert says in bank.problems[0].message and bank.problems[0].line


@pytest.mark.skipif(not (SAMPLES / "qti30").is_dir(), reason="shared samples not present")
def test_shared_qti3_package_with_dangling_members():
    folder = SAMPLES / "qti30"
    data = package({"imsmanifest.xml": (folder / "qti3validator_imsmanifest.xml").read_bytes(),
                    "items/keuze.xml": (folder / "qti3validator_keuze.xml").read_bytes(),
                    "items/meerkeuze.xml": (folder / "qti3validator_meerkeuze.xml").read_bytes(),
                    "media/kaart.png": PNG})
    bank, media = parse_qti_package(data, "aardrijkskunde.zip")
    assert [(q.id, q.type) for q in bank.questions] == [("keuze", "single"),
                                                        ("meerkeuze", "multiple")]
    assert media == {"kaart.png": PNG}
    assert len(bank.problems) == 10 and all("not in the package" in p.message
                                            for p in bank.problems)
