"""Real files other people published (../shared/samples, see its SOURCES.md) never crash an
importer: each gives sound questions and/or problems that say where and what.

The files are not copied into this repository (their licences differ); the tests skip when the
folder is absent. To cover another format, add its folder to FOLDERS and its file endings to
PARSERS (the longest ending that matches a file name picks the parser).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from question_bank.aiken import parse_aiken
from question_bank.csv_import import parse_csv, parse_xlsx
from question_bank.gift import parse_gift
from question_bank.model import ParsedBank
from question_bank.xml_import import parse_xml_bank

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
FOLDERS = ("csv", "aiken", "gift", "moodlexml", "qti21", "qti30", "hostile")
PARSERS: dict[str, Callable[[bytes, str], ParsedBank]] = {
    ".csv": parse_csv,
    ".xlsx": parse_xlsx,
    ".txt": parse_aiken,
    ".aiken.txt": parse_aiken,
    ".gift": parse_gift,
    ".gift.txt": parse_gift,
    ".xml": parse_xml_bank,         # Moodle XML (<quiz>) or a QTI item, by the root element
}
# What each sample gives: (sound questions, problems). A change here is a change in behaviour.
EXPECTED = {
    "csv/cbtmatics_soal_dengan_gambar.csv": (2, 0),
    "csv/cbtmatics_template_soal.csv": (3, 1),          # an essay row
    "csv/cbtmatics_template_soal_lengkap.csv": (8, 2),   # two essay rows
    "aiken/moodle_aiken_errors.txt": (2, 4),
    "aiken/moodle_questions.aiken.txt": (2, 0),
    "aiken/qaseditor_aiken_1.txt": (5, 0),
    "gift/giftpeg_categorySpecialCharacter.gift": (0, 1),   # a category and no question
    "gift/giftpeg_escapeAll.gift": (1, 0),
    "gift/giftpeg_giftFormatPhpExamples.gift": (4, 6),
    "gift/giftpeg_mcHTMLComment.gift": (1, 0),
    "gift/giftpeg_multipleAnswersFloat.gift": (1, 0),
    "gift/moodle_questions.gift.txt": (5, 4),
    "gift/moodle_questions_in_category.gift.txt": (2, 2),
    "moodlexml/moodle_error_invalid_grades.xml": (0, 2),     # sum 99.67%, and 33 is no grade
    "moodlexml/moodle_multichoice_testquestion.moodle.xml": (1, 0),
    "moodlexml/moodle_nested_categories_with_questions.xml": (4, 1),    # an essay
    "moodlexml/qaseditor_multichoice_single_embedded_files.xml": (0, 1),  # an SVG image
    "qti21/qtisdk_2_1_choice.xml": (0, 1),          # its image needs the package
    "qti21/qtisdk_2_1_choice_multiple.xml": (1, 0),
    "qti21/qtisdk_2_1_choice_multiple_chocolade.xml": (0, 1),   # no correctResponse
    "qti21/qtisdk_2_2_choice.xml": (0, 1),          # its image needs the package
    "qti21/qtisdk_onyx_Choicemultiple_2014410822.xml": (1, 0),
    "qti21/qtisdk_onyx_Choicesingle_853928446.xml": (0, 4),     # four image-only choices
    "qti21/qtiworks_imsmanifest.xml": (0, 1),       # a manifest: upload the .zip
    "qti30/qti3validator_imsmanifest.xml": (0, 1),  # a manifest: upload the .zip
    "qti30/qti3validator_keuze.xml": (0, 1),        # its image needs the package
    "qti30/qti3validator_meerkeuze.xml": (1, 0),
    "qti30/qtisdk_aqti_tmh_sample_1_hybrid.xml": (0, 1),    # QTI 2 and 3 names mixed
    "hostile/defusedxml_external.xml": (0, 1),
    "hostile/defusedxml_external_file.xml": (0, 1),
    "hostile/defusedxml_xmlbomb.xml": (0, 1),
}


def parser_for(name: str) -> Callable[[bytes, str], ParsedBank] | None:
    endings = [ending for ending in PARSERS if name.lower().endswith(ending)]
    return PARSERS[max(endings, key=len)] if endings else None


def sample_files() -> list:
    files = sorted(path for folder in FOLDERS if (SAMPLES / folder).is_dir()
                   for path in (SAMPLES / folder).iterdir()
                   if path.is_file() and parser_for(path.name))
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no samples in {SAMPLES}"))]
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in files]


@pytest.mark.parametrize("path", sample_files())
def test_a_sample_reads_without_crashing(path: Path):
    parse = parser_for(path.name)
    assert parse is not None
    bank = parse(path.read_bytes(), path.name)
    assert isinstance(bank, ParsedBank)
    assert bank.questions or bank.problems
    for problem in bank.problems:
        assert problem.message.strip() and problem.field
        assert problem.line is None or problem.line >= 1
    expected = EXPECTED.get(f"{path.parent.name}/{path.name}")
    if expected is not None:
        assert (len(bank.questions), len(bank.problems)) == expected, bank.problems
