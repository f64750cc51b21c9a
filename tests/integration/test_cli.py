"""`flask --app wsgi ...`: the commands an operator runs."""
from __future__ import annotations

import yaml

from tests.conftest import small_bank, small_exam


def test_the_demo_loads_an_open_skd_exam_and_prints_credentials(runner, actions):
    out = runner.invoke(args=["demo"])
    assert out.exit_code == 0, out.output
    assert "skd-cpns-2026" in out.output and "/?exam=skd-cpns-2026" in out.output
    lines = [ln.split() for ln in out.output.splitlines() if ln.strip().startswith("2026")]
    assert len(lines) == 20
    form = actions.candidate("skd-cpns-2026", {"participant_no": lines[0][0],
                                               "password": lines[0][1]}).start()
    assert [s["questions"] for s in form["sections"]] == [30, 35, 45]
    banks = runner.invoke(args=["bank", "list"])
    assert "skd-demo" in banks.output


def test_bank_exam_and_candidates_from_files(runner, tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_text(yaml.safe_dump(small_bank()))
    exam = tmp_path / "exam.yaml"
    exam.write_text(yaml.safe_dump(small_exam()))
    people = tmp_path / "people.csv"
    people.write_text("participant_no,name\nA1,Ani\nA2,Budi\n")
    assert "revision 1: 24 imported" in runner.invoke(args=["bank", "import", str(bank)]).output
    assert runner.invoke(args=["exam", "create", str(exam)]).exit_code == 0
    assert '"open"' in runner.invoke(args=["exam", "open", "skd-mini-exam"]).output
    out = runner.invoke(args=["candidates", "import", "skd-mini-exam", str(people)])
    assert out.exit_code == 0 and out.output.count("\n") == 3
    res = runner.invoke(args=["exam", "results", "skd-mini-exam", "--csv"])
    assert res.output.startswith("rank,participant_no,name,status")


def test_a_bad_bank_file_prints_each_problem_and_fails(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bank: x\nquestions:\n  - id: q1\n    category: A\n    type: nope\n")
    out = runner.invoke(args=["bank", "import", str(bad)])
    assert out.exit_code == 1
    assert "line" in out.output and "nothing was stored" in out.output


def test_the_first_admin_is_made_from_the_command_line(runner, client):
    out = runner.invoke(args=["user", "create", "ani", "--role", "admin",
                              "--password", "kata-sandi-rahasia"])
    assert out.exit_code == 0, out.output
    r = client.post("/api/v1/login", json={"username": "ani", "password": "kata-sandi-rahasia"})
    assert r.status_code == 200 and r.get_json()["role"] == "admin"
    assert runner.invoke(args=["user", "disable", "ani"]).exit_code == 0
    r = client.post("/api/v1/login", json={"username": "ani", "password": "kata-sandi-rahasia"})
    assert r.status_code == 401
