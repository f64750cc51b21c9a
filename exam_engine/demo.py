"""`flask --app wsgi demo`: a synthetic SKD bank, the SKD exam and 20 candidates."""
from __future__ import annotations

import random

import click
from flask import current_app
from flask.cli import with_appcontext

from question_bank.model import Option, ParsedBank, Question

SKD_EXAM = {
    "exam": "skd-cpns-2026",
    "title": "SKD CPNS 2026 (demo)",
    "duration_minutes": 100,
    "shuffle_questions": True,
    "shuffle_options": True,
    "sections": [
        {"code": "TWK", "title": "Tes Wawasan Kebangsaan",
         "draw": [{"bank": "skd-demo", "category": "TWK", "count": 30}],
         "scoring": {"correct": 5, "wrong": 0, "blank": 0}, "pass_mark": 65},
        {"code": "TIU", "title": "Tes Intelegensia Umum",
         "draw": [{"bank": "skd-demo", "category": "TIU", "count": 35}],
         "scoring": {"correct": 5, "wrong": 0, "blank": 0}, "pass_mark": 80},
        {"code": "TKP", "title": "Tes Karakteristik Pribadi",
         "draw": [{"bank": "skd-demo", "category": "TKP", "count": 45}],
         "scoring": "weighted", "pass_mark": 166},
    ],
    "pass_rule": "every_section",
    "tie_break": ["TKP", "TIU", "TWK"],
    "result_to_candidate": "score_and_pass",
    "scoreboard": {"public": True, "names": "masked", "mode": "on_submit"},
}

_TWK_TOPICS = [
    ("Pancasila disahkan sebagai dasar negara pada tanggal", "18 Agustus 1945",
     ["1 Juni 1945", "17 Agustus 1945", "22 Juni 1945", "29 Mei 1945"]),
    ("Lembaga yang berwenang mengubah dan menetapkan UUD 1945 adalah", "MPR",
     ["DPR", "Presiden", "Mahkamah Konstitusi", "DPD"]),
    ("Semboyan Bhinneka Tunggal Ika berasal dari kitab", "Sutasoma",
     ["Negarakertagama", "Arjunawiwaha", "Pararaton", "Bharatayudha"]),
    ("Sumpah Pemuda diikrarkan pada tahun", "1928", ["1908", "1945", "1926", "1930"]),
    ("Sila keempat Pancasila dilambangkan dengan", "kepala banteng",
     ["pohon beringin", "rantai", "bintang", "padi dan kapas"]),
    ("Hak menguji undang-undang terhadap UUD 1945 ada pada", "Mahkamah Konstitusi",
     ["Mahkamah Agung", "Komisi Yudisial", "DPR", "MPR"]),
]
_TKP_SITUATIONS = [
    "Rekan kerja Anda meminta bantuan ketika pekerjaan Anda sendiri belum selesai.",
    "Atasan memberi tugas mendadak dengan tenggat yang sangat singkat.",
    "Anda menemukan kesalahan dalam laporan yang sudah dikirim ke pimpinan.",
    "Warga mengeluhkan pelayanan di loket Anda dengan nada tinggi.",
    "Anda ditempatkan di daerah terpencil yang jauh dari keluarga.",
]
_TKP_RESPONSES = [
    ("Menyelesaikan masalah dengan tenang dan mencari solusi terbaik bagi semua pihak", 5),
    ("Berkoordinasi dengan pihak terkait sebelum bertindak", 4),
    ("Melakukan apa yang diminta sesuai prosedur yang berlaku", 3),
    ("Menunda sampai ada arahan yang lebih jelas", 2),
    ("Menghindari situasi tersebut", 1),
]


def synthetic_bank(seed: int = 2026) -> ParsedBank:
    """About 330 questions: TWK and TIU single-answer, TKP weighted 1..5."""
    rnd = random.Random(seed)
    questions: list[Question] = []
    for i in range(100):
        stem, right, wrongs = _TWK_TOPICS[i % len(_TWK_TOPICS)]
        questions.append(_single(f"twk-{i + 1:04d}", "TWK",
                                 f"**Soal TWK {i + 1}.** {stem} ...", right, wrongs, rnd))
    for i in range(110):
        a, b = rnd.randint(12, 99), rnd.randint(3, 29)
        right = a * b
        wrongs = [str(right + d) for d in rnd.sample([-20, -11, -10, -9, 1, 9, 10, 11, 20], 4)]
        questions.append(_single(f"tiu-{i + 1:04d}", "TIU",
                                 f"**Soal TIU {i + 1}.** Berapakah hasil dari {a} × {b}?",
                                 str(right), wrongs, rnd))
    for i in range(120):
        responses = rnd.sample(_TKP_RESPONSES, 5)
        situation = _TKP_SITUATIONS[i % len(_TKP_SITUATIONS)]
        questions.append(Question(
            id=f"tkp-{i + 1:04d}", category="TKP", type="weighted",
            text=f"**Soal TKP {i + 1}.** {situation} Apa yang Anda lakukan?",
            options=tuple(Option(key=k, text=t, points=p)
                          for k, (t, p) in zip("ABCDE", responses, strict=True))))
    return ParsedBank(code="skd-demo", title="Bank Soal SKD (sintetis, demo)",
                      questions=questions)


def _single(qid: str, category: str, text: str, right: str, wrongs: list[str],
            rnd: random.Random) -> Question:
    texts = [right, *wrongs[:4]]
    rnd.shuffle(texts)
    return Question(id=qid, category=category, type="single", text=text, options=tuple(
        Option(key=k, text=t, correct=(t == right)) for k, t in zip("ABCDE", texts, strict=True)))


@click.command("demo")
@click.option("--reset", is_flag=True, help="Drop every table first (demo databases only).")
@click.option("--candidates", "count", default=20, show_default=True)
@with_appcontext
def demo_command(reset: bool, count: int) -> None:
    """Load the demo: a synthetic SKD bank, the SKD exam (open), and candidates."""
    from exam_engine.extensions import db
    from exam_engine.models import Base
    from exam_engine.services import banks, candidates, catalog, exams
    from question_bank.candidates import CandidateRow
    from question_bank.exam_definition import parse_exam_definition

    if reset:
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        catalog.clear()
    banks.import_bank(synthetic_bank(), "demo")
    defn, problems = parse_exam_definition(None, None, obj=SKD_EXAM)
    assert not problems, problems
    exams.create_exam(defn, actor="demo")
    exams.open_exam(defn.code, actor="demo", reason="demo")
    rows = [CandidateRow(participant_no=f"2026{i:04d}", name=_name(i),
                         extra_minutes=30 if i == count else 0) for i in range(1, count + 1)]
    creds = candidates.import_candidates(defn.code, rows, [], actor="demo")["credentials"]
    staff_logins = _demo_staff()
    config = current_app.extensions["exam_config"]
    base = f"http://{config.HOST}:{config.PORT}"
    click.echo(f"\nDemo exam {defn.code} is open: {len(creds)} candidates.\n")
    click.echo(f"  Candidate login:   {base}/?exam={defn.code}")
    click.echo(f"  Public scoreboard: {base}/scoreboard/{defn.code}")
    click.echo(f"  Proctor dashboard: {base}/proctor/   (log in as below)")
    click.echo(f"  Admin console:     {base}/admin/")
    click.echo(f"  Transparency:      {base}/transparency/{defn.code}\n")
    for username, role, password in staff_logins:
        click.echo(f"  staff  {username:<10} {password:<22} ({role})")
    click.echo("")
    click.echo("  participant_no   password")
    for c in creds:
        click.echo(f"  {c['participant_no']:<16} {c['password']}")
    click.echo("")


def _demo_staff() -> list[tuple[str, str, str]]:
    """A demo admin and a demo proctor (fresh passwords; demo databases only)."""
    import secrets

    from exam_engine.errors import Conflict
    from exam_engine.services import staff

    made = []
    for username, role in (("admin", "admin"), ("pengawas", "proctor")):
        password = "demo-" + secrets.token_urlsafe(9)
        try:
            staff.create_user(username, role, password)
        except Conflict:
            continue  # kept from an earlier demo without --reset
        made.append((username, role, password))
    return made


_FIRST = ["Ahmad", "Siti", "Budi", "Dewi", "Rizky", "Putri", "Agus", "Nur", "Fajar", "Indah"]
_LAST = ["Santoso", "Rahmawati", "Wijaya", "Lestari", "Saputra", "Hidayat", "Pratama"]


def _name(i: int) -> str:
    return f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 3) % len(_LAST)]}"
