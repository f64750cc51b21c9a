"""Flask commands: `flask --app wsgi <group> <command>` (CONTRACT §1)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from exam_engine.errors import ExamError

bank_cli = AppGroup("bank", help="Question banks: import, list.")
exam_cli = AppGroup("exam", help="Exams: create, open, close, results.")
candidates_cli = AppGroup("candidates", help="Candidates: import a CSV or JSON list.")
user_cli = AppGroup("user", help="Staff accounts: create, disable.")


def init_app(app: Flask) -> None:
    from exam_engine.demo import demo_command

    for group in (bank_cli, exam_cli, candidates_cli, audit_cli, user_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)


def _fail(exc: ExamError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for p in exc.extra.get("problems", []):
        where = f"line {p['line']}" if p.get("line") else "-"
        click.echo(f"  {where}: {p['field']}: {p['message']}", err=True)
    sys.exit(1)


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


@bank_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Store the sound questions, report the rest.")
def bank_import(file: str, skip_invalid: bool) -> None:
    """Import a bank file as a new revision of its bank."""
    from exam_engine.services import banks
    from question_bank.importers import parse_upload

    click.echo(f"reading {Path(file).name} ...", err=True)
    parsed, media = parse_upload(_read(file), Path(file).name)
    click.echo(f"read {len(parsed.questions)} questions, {len(parsed.problems)} problem(s)",
               err=True)
    try:
        with click.progressbar(length=len(parsed.questions), label="storing",
                               file=sys.stderr) as bar:
            out = banks.import_bank(parsed, Path(file).name, skip_invalid=skip_invalid,
                                    media_files=media, progress=bar.update)
    except ExamError as exc:
        _fail(exc)
    click.echo(f"bank {out['bank']} revision {out['revision']}: {out['imported']} imported, "
               f"{len(out['skipped'])} skipped")
    for p in out["skipped"]:
        click.echo(f"  skipped line {p['line']}: {p['field']}: {p['message']}")


@bank_cli.command("export")
@click.argument("bank")
@click.option("--revision", type=int, default=None, help="Default: the latest.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Write here instead of standard output.")
def bank_export(bank: str, revision: int | None, out: str | None) -> None:
    """Export a bank in the native YAML format, keys and points included."""
    import yaml

    from exam_engine.services import banks
    from question_bank.export import bank_to_native

    try:
        native = bank_to_native(banks.export_native(bank, revision))
    except ExamError as exc:
        _fail(exc)
    body = yaml.safe_dump(native, allow_unicode=True, sort_keys=False, width=100)
    if out:
        Path(out).write_text(body, encoding="utf-8")
        click.echo(f"{len(native['questions'])} questions -> {out}")
    else:
        click.echo(body, nl=False)


@bank_cli.command("template")
@click.option("--xlsx", is_flag=True, help="An Excel sheet instead of CSV.")
@click.option("--out", type=click.Path(dir_okay=False), required=True)
def bank_template(xlsx: bool, out: str) -> None:
    """Write the question template (CSV or XLSX) to fill in."""
    from question_bank.csv_import import template_csv, template_xlsx

    Path(out).write_bytes(template_xlsx() if xlsx else template_csv())
    click.echo(f"template -> {out}")


@bank_cli.command("list")
def bank_list() -> None:
    """List the banks with their latest revision."""
    from exam_engine.services import banks

    for b in banks.list_banks():
        click.echo(f"{b['bank']}\trev {b['revision']}\t{b['questions']} questions\t{b['title']}")


@exam_cli.command("create")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def exam_create(file: str) -> None:
    """Create an exam (draft) from a YAML or JSON definition."""
    from exam_engine.errors import Invalid
    from exam_engine.services import exams
    from question_bank.exam_definition import parse_exam_definition

    defn, problems = parse_exam_definition(_read(file), Path(file).name)
    try:
        if problems or defn is None:
            raise Invalid(f"{file}: {len(problems)} problem(s); nothing was stored",
                          problems=[p.as_dict() for p in problems])
        out = exams.create_exam(defn, actor="cli")
    except ExamError as exc:
        _fail(exc)
    click.echo(f"exam {out['exam']} created ({out['status']})")


@exam_cli.command("open")
@click.argument("code")
@click.option("--reason", default="opened from the command line")
def exam_open(code: str, reason: str) -> None:
    """Open an exam to its candidates."""
    from exam_engine.services import exams

    try:
        click.echo(json.dumps(exams.open_exam(code, actor="cli", reason=reason)))
    except ExamError as exc:
        _fail(exc)


@exam_cli.command("close")
@click.argument("code")
@click.option("--reason", default="closed from the command line")
def exam_close(code: str, reason: str) -> None:
    """Close an exam: no new attempts start."""
    from exam_engine.services import exams

    try:
        click.echo(json.dumps(exams.close_exam(code, actor="cli", reason=reason)))
    except ExamError as exc:
        _fail(exc)


@exam_cli.command("results")
@click.argument("code")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of JSON.")
def exam_results(code: str, as_csv: bool) -> None:
    """Print an exam's results."""
    from exam_engine.services import results

    try:
        if as_csv:
            click.echo(results.results_csv(code), nl=False)
        else:
            click.echo(json.dumps({"exam": code, "results": results.results(code)}, indent=1))
    except ExamError as exc:
        _fail(exc)


@candidates_cli.command("import")
@click.argument("exam")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def candidates_import(exam: str, file: str) -> None:
    """Register candidates from a CSV (or JSON list); prints each password once."""
    from exam_engine.services import candidates
    from question_bank.candidates import parse_candidates_csv, parse_candidates_json

    data = _read(file)
    if file.lower().endswith(".json"):
        items = json.loads(data)
        rows, problems = parse_candidates_json(items.get("candidates", items)
                                               if isinstance(items, dict) else items)
    else:
        rows, problems = parse_candidates_csv(data)
    try:
        out = candidates.import_candidates(exam, rows, problems, actor="cli")
    except ExamError as exc:
        _fail(exc)
    click.echo("participant_no,password")
    for c in out["credentials"]:
        click.echo(f"{c['participant_no']},{c['password']}")


audit_cli = AppGroup("audit", help="Verifiable results: export the verification bundle.")


@audit_cli.command("export")
@click.argument("exam")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the bundle (JSON).")
@click.option("--with-names", is_flag=True, help="Include participant numbers and names.")
def audit_export(exam: str, out: str, with_names: bool) -> None:
    """Write EXAM's verification bundle: log, checkpoints, key, revealed rules, results."""
    from exam_engine.services import bundle

    target = Path(out)
    if not target.parent.is_dir():
        click.echo(f"error: the folder {target.parent} does not exist", err=True)
        sys.exit(2)
    try:
        summary = bundle.export(exam, target, with_names=with_names)
    except ExamError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    click.echo(f"bundle of {summary['exam']}: {summary['events']} events, "
               f"{summary['checkpoints']} checkpoints, rules "
               f"{'revealed' if summary['revealed'] else 'NOT yet revealed'} -> {target}")


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "proctor", "observer"]), required=True)
@click.password_option(help="At least 10 characters (asked for when not given).")
def user_create(username: str, role: str, password: str) -> None:
    """Create a staff account (the first admin of a new site, say)."""
    from exam_engine.services import staff

    try:
        out = staff.create_user(username, role, password)
    except ExamError as exc:
        _fail(exc)
    click.echo(f"{out['role']} {out['username']} created; log in at /proctor/login")


@user_cli.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable an account: its tokens are revoked and its open sockets dropped."""
    from exam_engine.services import staff

    try:
        staff.set_disabled(username, True)
    except ExamError as exc:
        _fail(exc)
    click.echo(f"{username} disabled")
