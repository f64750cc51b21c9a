"""Read the CSV/XLSX question template (CONTRACT §2.1) into the bank model.

Header `category,type,text,option_a..option_e,key,points` plus optional `id,image,difficulty,
tags,explanation`, in English or Indonesian (`kategori`, `soal`, `opsi_a`, `kunci`, `poin`, ...),
case and spaces ignored. The layouts of the "cbtmatics" school CBT app are read too
(`question_text`, `options` as a JSON list, `correct_answer`, `subject`, `option_a_image`);
their `points` column is the question's mark, which this engine takes from the exam's scoring,
so there it is ignored. Decisions: `difficulty` is a number (`0,5` too) or a word (mudah/easy
0.25, sedang/medium 0.5, sulit/hard 0.75); a key may also be an option's exact text; a
true_false row's options become T "Benar" and F "Salah" in whichever order option_a/option_b
name them. Text starting with `= + - @` is stored as given; an XLSX formula cell is refused.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterator

from question_bank.csv_rows import OPTIONS, read_row
from question_bank.files import FILE
from question_bank.import_common import MAX_QUESTIONS, bank_from_file
from question_bank.model import ParsedBank, Problem, Question
from question_bank.tabular import (
    Row,
    Unreadable,
    check_workbook,
    csv_rows,
    decode_table_text,
    xlsx_rows,
)

__all__ = ["parse_csv", "parse_xlsx", "template_csv", "template_xlsx"]

HEADER = ("category", "type", "text", *OPTIONS, "key", "points", "id", "image", "difficulty",
          "tags", "explanation")
_NAMES = {
    "category": "kategori subject subtes", "type": "tipe jenis jenis_soal tipe_soal question_type",
    "text": "soal pertanyaan teks teks_soal question question_text",
    "key": "kunci kunci_jawaban jawaban jawaban_benar correct_answer answer",
    "points": "poin bobot skor nilai", "id": "kode kode_soal id_soal", "image": "gambar",
    "difficulty": "tingkat_kesulitan kesulitan", "tags": "label tag",
    "explanation": "pembahasan penjelasan", "options": "", "-": "no nomor nomor_soal",
    **{f"option_{c}": f"opsi_{c} pilihan_{c} jawaban_{c} {c}" for c in "abcde"},
    **{f"image_{c}": f"option_{c}_image gambar_{c} gambar_opsi_{c}" for c in "abcde"},
}
ALIASES = {alias: canon for canon, names in _NAMES.items() for alias in (canon, *names.split())}


def parse_csv(data: bytes, filename: str) -> ParsedBank:
    """Read a CSV question template (`,` `;` or tab; UTF-8, UTF-16 or Windows-1252)."""
    return _bank(csv_rows(decode_table_text(data)), filename)


def parse_xlsx(data: bytes, filename: str) -> ParsedBank:
    """Read the first sheet of an XLSX question template; rows are numbered as in Excel."""
    refused = check_workbook(data)
    if refused is not None:
        return bank_from_file(filename, [], [refused])
    return _bank(xlsx_rows(data), filename)


def _bank(rows: Iterator[Row], filename: str) -> ParsedBank:
    problems: list[Problem] = []
    questions: list[Question] = []
    try:
        _read(rows, questions, problems)
    except Unreadable as exc:
        problems.append(exc.problem)
    return bank_from_file(filename, questions, problems)


def _read(rows: Iterator[Row], questions: list[Question], problems: list[Problem]) -> None:
    header = next((row for row in rows if any(c.strip() for c in row[1])), None)
    table = _header(header, problems) if header else None
    if table is None:
        return
    seen: dict[str, int | None] = {}
    count = 0
    for line, cells, formulas in rows:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_QUESTIONS:
            questions.clear()
            problems[:] = [Problem(line, FILE, f"more than {MAX_QUESTIONS} questions; a bank "
                                   f"holds at most {MAX_QUESTIONS}")]
            return
        question = table.question(line, cells, formulas, seen, problems)
        if question is not None:
            questions.append(question)


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().strip("\ufeff").lower())


def _header(header: Row, problems: list[Problem]) -> Table | None:
    line, cells, _ = header
    columns: list[str | None] = []
    names: dict[str, str] = {}
    unknown: list[str] = []
    for cell in cells:
        canon = ALIASES.get(_norm(cell))
        if _norm(cell) and canon is None:
            unknown.append(cell.strip())
        elif canon in names:
            problems.append(Problem(line, cell.strip(), f"columns {names[canon]!r} and "
                                    f"{cell.strip()!r} are both {canon}; keep one"))
            canon = "-"                     # reported once here, not again on every row
        elif canon is not None:
            names[canon] = cell.strip()
        columns.append(canon)
    expected = ",".join(HEADER)
    missing = [c for c in ("category", "text") if c not in names]
    if "options" not in names:
        missing += [c for c in OPTIONS[:2] if c not in names]
    missing += [] if {"key", "points"} & set(names) else ["key (or points)"]
    if len(missing) >= 3 or len(unknown) == sum(1 for c in cells if c.strip()):
        found = ",".join(c.strip() for c in cells)
        found = found if len(found) <= 200 else found[:197] + "..."
        problems.append(Problem(line, FILE, "the first row is not the question template's "
                                f"header: expected {expected}; found {found}"))
        return None
    for name in unknown:
        close = difflib.get_close_matches(_norm(name), list(ALIASES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (expected {expected})"
        problems.append(Problem(line, name, f"unknown column {name!r}{hint}"))
    if missing:
        problems.append(Problem(line, FILE, f"the header lacks {', '.join(missing)} "
                                f"(expected {expected})"))
        return None
    return Table(columns, names, marks="question_text" in map(_norm, cells))


class Table:
    """The columns of one file (by canonical name), and how a row of it reads."""

    def __init__(self, columns: list[str | None], names: dict[str, str], marks: bool) -> None:
        self.columns = columns                  # canonical name of each cell, None if unknown
        self.names = names                      # canonical name -> as the header spells it
        self.marks = marks                      # `points` is the question's mark (cbtmatics)

    def name(self, canon: str) -> str:
        return self.names.get(canon, canon)

    def question(self, line: int, cells: list[str], formulas: frozenset[int],
                 seen: dict[str, int | None], problems: list[Problem]) -> Question | None:
        """Read one row; its problems go to `problems`, named by the file's own columns."""
        found: list[Problem] = []
        row: dict[str, str] = {}
        for index, cell in enumerate(cells):
            canon = self.columns[index] if index < len(self.columns) else None
            if index in formulas:
                message = "cell holds a formula; type the value itself (none is evaluated)"
                found.append(Problem(line, self.name(canon or "row"), message))
            elif canon and canon != "-":
                row[canon] = cell.strip()
            elif cell.strip() and not canon:
                shown = cell.strip() if len(cell.strip()) <= 40 else cell.strip()[:37] + "..."
                message = f"cell {index + 1} is under no known column: {shown!r}"
                found.append(Problem(line, "row", message))
        question = read_row(self, row, line, seen, found)
        if found:
            problems.extend(found)
            return None
        return question

    def column(self, field: str, qtype: str | None) -> str:
        """Name a native field ("options[2].text") by the file's column ("opsi_c")."""
        head, _, rest = field.partition(".")
        match = re.fullmatch(r"options\[(\d+)\]", head)
        if head == "options" or (match and rest in ("correct", "points")):
            return self.name("points" if qtype == "weighted" else "key")
        if match:
            index = int(match[1])
            return self.name("options" if "options" in self.names else OPTIONS[min(index, 4)])
        return self.name(re.sub(r"\[\d+\]$", "", head))


EXAMPLES = (
    ("TWK", "single", "Pancasila sebagai dasar negara disahkan oleh PPKI pada tanggal ...",
     "1 Juni 1945", "22 Juni 1945", "17 Agustus 1945", "18 Agustus 1945", "10 November 1945",
     "D", "", "twk-0001", "", "0.3", "pancasila;sejarah",
     "PPKI mengesahkan UUD 1945, yang memuat Pancasila, pada 18 Agustus 1945."),
    ("TKP", "weighted", "Rekan kerja meminta bantuan Anda menyelesaikan laporannya, padahal "
     "pekerjaan Anda sendiri belum selesai. Sikap Anda ...",
     "Menolak karena pekerjaan saya belum selesai", "Membantu setelah pekerjaan saya selesai",
     "Mengatur waktu agar keduanya selesai tepat waktu", "Menyarankan ia meminta bantuan orang "
     "lain", "Membantu sebagian kecil saja", "", "1;4;5;2;3", "tkp-0001", "", "", "kerja sama",
     ""),
)


def template_csv() -> bytes:
    """The CSV template to download: the header and two example rows (UTF-8 with BOM for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(EXAMPLES)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    """The XLSX template to download: sheet "Soal" (header, two examples) and "Petunjuk"."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Soal"
    sheet.append(HEADER)
    for row in EXAMPLES:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 60 if cell.value == "text" else 18
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Petunjuk")
    for line in GUIDE:
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GUIDE = (
    "Isi soal di lembar Soal; hanya lembar pertama yang dibaca, mulai dari baris judul kolom.",
    "category: kategori/subtes soal, misalnya TWK, TIU, TKP.",
    "type: single (satu jawaban benar), multiple (beberapa), true_false (Benar/Salah), "
    "weighted (setiap opsi berpoin, misalnya TKP). Kosong: ditentukan dari key atau points.",
    "text: teks soal (Markdown). option_a..option_e: 2 sampai 5 opsi, tanpa opsi kosong di "
    "tengah. true_false: option_a Benar, option_b Salah.",
    "key: huruf opsi yang benar; untuk multiple beberapa huruf dipisah ; (misalnya A;C).",
    "points: untuk weighted, poin setiap opsi berurutan dipisah ; (misalnya 1;4;5;2;3).",
    "id (boleh kosong: <kategori>-<baris>), image (nama berkas gambar), difficulty (0 sampai "
    "1), tags (dipisah ;), explanation (pembahasan) boleh dikosongkan.",
    "Jangan memakai rumus (formula) di sel; ketik nilainya.",
)
