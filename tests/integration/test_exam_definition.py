"""Exam definitions (CONTRACT §2.2): the sample, defaults, round trips and located problems."""
from __future__ import annotations

import json
import textwrap

import yaml

from exam_engine.core.rules import ExamRules, PassRule, SectionRule
from question_bank.exam_definition import (
    DrawDef,
    ExamDefinition,
    PassRuleDef,
    ScoreboardDef,
    ScoringDef,
    parse_exam_definition,
    to_rules,
)

SAMPLE = textwrap.dedent("""\
    exam: skd-cpns-2026            # exam code
    title: SKD CPNS 2026
    duration_minutes: 100
    shuffle_questions: true        # within each section
    shuffle_options: true
    sections:
      - code: TWK
        title: Tes Wawasan Kebangsaan
        draw: [{bank: skd-2026, category: TWK, count: 30}]
        scoring: {correct: 5, wrong: 0, blank: 0}
        pass_mark: 65
      - code: TIU
        title: Tes Intelegensia Umum
        draw: [{bank: skd-2026, category: TIU, count: 35}]
        scoring: {correct: 5, wrong: 0, blank: 0}
        pass_mark: 80
      - code: TKP
        title: Tes Karakteristik Pribadi
        draw: [{bank: skd-2026, category: TKP, count: 45}]
        scoring: weighted          # option points from the bank; blank = 0
        pass_mark: 166
    pass_rule: every_section       # or {total: 311, min: {TIU: 85}}
    tie_break: [TKP, TIU, TWK]     # ranking: total first, then these section scores
    result_to_candidate: score     # none | score | score_and_pass
    scoreboard:
      public: true
      names: full                  # full | masked | hidden
      mode: on_submit              # on_submit | live  (live: a row moves as answers are saved)
    """)

MINIMAL = {
    "exam": "tryout-1",
    "duration_minutes": 90,
    "sections": [{"code": "TIU", "draw": [{"bank": "b", "category": "TIU", "count": 5}],
                  "scoring": {"correct": 5}}],
    "pass_rule": {"total": 20},
}


def parse(text: str, filename: str = "exam.yaml"):
    return parse_exam_definition(textwrap.dedent(text).encode(), filename)


def located(problems) -> set[tuple[int | None, str]]:
    return {(p.line, p.field) for p in problems}


def test_contract_sample_reads_to_the_expected_definition():
    defn, problems = parse(SAMPLE)
    assert problems == []
    assert (defn.code, defn.title, defn.duration_minutes) == ("skd-cpns-2026", "SKD CPNS 2026", 100)
    assert defn.shuffle_questions and defn.shuffle_options
    assert [s.code for s in defn.sections] == ["TWK", "TIU", "TKP"]
    twk, tiu, tkp = defn.sections
    assert twk.title == "Tes Wawasan Kebangsaan"
    assert twk.draws == (DrawDef("skd-2026", "TWK", 30),)
    assert twk.scoring == ScoringDef(correct=5, wrong=0, blank=0)
    assert (tiu.pass_mark, tkp.pass_mark) == (80, 166)
    assert tkp.scoring == ScoringDef(weighted=True)
    assert defn.pass_rule == PassRuleDef(every_section=True)
    assert defn.tie_break == ("TKP", "TIU", "TWK")
    assert defn.result_to_candidate == "score"
    assert defn.scoreboard == ScoreboardDef(public=True, names="full", mode="on_submit")


def test_to_rules_gives_the_cores_plain_rules():
    defn, _ = parse(SAMPLE)
    rules = to_rules(defn)
    assert isinstance(rules, ExamRules)
    assert rules.sections[0] == SectionRule("TWK", "Tes Wawasan Kebangsaan", weighted=False,
                                            correct=5, wrong=0, blank=0, pass_mark=65)
    assert rules.sections[2].weighted and rules.sections[2].pass_mark == 166
    assert rules.pass_rule == PassRule(every_section=True)
    assert rules.tie_break == ("TKP", "TIU", "TWK")


def test_to_dict_is_json_and_round_trips():
    defn, _ = parse(SAMPLE)
    stored = json.loads(json.dumps(defn.to_dict()))
    assert ExamDefinition.from_dict(stored) == defn
    again, problems = parse_exam_definition(None, None, stored)
    assert problems == [] and again == defn
    assert stored["sections"][2]["scoring"] == "weighted"
    assert stored["sections"][0]["scoring"] == {"correct": 5, "wrong": 0, "blank": 0,
                                                "partial": False}
    assert yaml.safe_load(SAMPLE)["sections"][0]["draw"] == stored["sections"][0]["draw"]


def test_a_json_body_gets_every_default_filled():
    defn, problems = parse_exam_definition(None, None, MINIMAL)
    assert problems == []
    assert defn.to_dict() == {
        "exam": "tryout-1",
        "title": "tryout-1",
        "duration_minutes": 90,
        "shuffle_questions": True,
        "shuffle_options": True,
        "sections": [{"code": "TIU", "title": "TIU",
                      "draw": [{"bank": "b", "category": "TIU", "count": 5}],
                      "scoring": {"correct": 5, "wrong": 0, "blank": 0, "partial": False},
                      "pass_mark": None}],
        "pass_rule": {"total": 20, "min": {}},
        "tie_break": ["TIU"],
        "result_to_candidate": "score",
        "scoreboard": {"public": True, "names": "full", "mode": "on_submit"},
    }
    rules = to_rules(defn)
    assert rules.pass_rule == PassRule(every_section=False, total=20, minimums={})


def test_problems_in_a_json_body_have_fields_but_no_lines():
    body = {**MINIMAL, "duration_minutes": 0, "shuffle_options": "yes"}
    defn, problems = parse_exam_definition(None, None, body)
    assert defn is None
    assert located(problems) == {(None, "duration_minutes"), (None, "shuffle_options")}
    assert parse_exam_definition(None, None, [1])[1][0].field == "file"


def test_a_definition_with_several_mistakes_reports_every_one_where_it_is():
    defn, problems = parse("""\
        exam: SKD 2026
        duration_minutes: 2000
        shufle_questions: false
        sections:
          - code: TWK
            draw: [{bank: skd-2026, category: TWK, count: 0}]
            scoring: {correct: 5, wrong: -1, blank: 0}
            pass_mark: 65
          - code: TWK
            draw: [{bank: skd-2026, category: TWK, count: 10}]
            scoring: {right: 5}
          - code: TKP
            draw: {bank: skd-2026, category: TKP, count: 45}
            scoring: weight
        pass_rule: {total: 311, min: {TIU: 85}}
        tie_break: [TKP, TIU]
        result_to_candidate: everything
        scoreboard: {public: yes, names: anonymous, mode: live}
        """)
    assert defn is None
    assert located(problems) == {
        (1, "exam"),
        (2, "duration_minutes"),
        (3, "shufle_questions"),
        (6, "sections[0].draw[0].count"),
        (10, "sections[1].draw[0]"),
        (11, "sections[1].scoring.right"),
        (11, "sections[1].scoring.correct"),
        (13, "sections[2].draw"),
        (14, "sections[2].scoring"),
        (15, "pass_rule.min.TIU"),
        (16, "tie_break[1]"),
        (17, "result_to_candidate"),
        (18, "scoreboard.names"),
    }
    text = "\n".join(p.message for p in problems)
    assert "duplicate draw of bank 'skd-2026' category 'TWK' (first at line 6)" in text
    assert "did you mean 'shuffle_questions'?" in text
    assert "min names 'TIU', which is not a section of this exam" in text
    assert "names 'anonymous' is not one of full, masked, hidden" in text
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_duplicate_section_codes_are_refused_and_a_section_may_have_no_pass_mark():
    _, problems = parse("""\
        exam: e
        duration_minutes: 60
        sections:
          - code: A
            draw: [{bank: b, category: A, count: 1}]
            scoring: {correct: 1}
            pass_mark: 1
          - code: A
            draw: [{bank: b, category: B, count: 1}]
            scoring: {correct: 1}
            pass_mark: 1
          - code: C
            draw: [{bank: b, category: C, count: 1}]
            scoring: weighted
        """)
    # Section C has no pass_mark: under every_section it simply does not decide the verdict.
    assert located(problems) == {(8, "sections[1].code")}
    assert "duplicate section code 'A' (first at line 4)" in problems[0].message


def test_pass_rule_total_and_minimums_and_partial_scoring():
    defn, problems = parse("""\
        exam: e
        duration_minutes: 60
        shuffle_options: false
        sections:
          - {code: A, draw: [{bank: b, category: A, count: 3}],
             scoring: {correct: 4, wrong: -1, blank: 0, partial: true}}
          - {code: B, title: Bagian B, draw: [{bank: b, category: B, count: 2}],
             scoring: weighted}
        pass_rule: {total: 10, min: {B: 3}}
        result_to_candidate: score_and_pass
        scoreboard: {public: false, names: masked, mode: live}
        """)
    assert problems == []
    assert defn.pass_rule == PassRuleDef(every_section=False, total=10, minimums={"B": 3})
    assert defn.sections[0].scoring == ScoringDef(correct=4, wrong=-1, blank=0, partial=True)
    assert (defn.sections[1].title, defn.tie_break) == ("Bagian B", ("A", "B"))
    assert not defn.shuffle_options and defn.shuffle_questions
    assert defn.scoreboard == ScoreboardDef(public=False, names="masked", mode="live")
    assert to_rules(defn).pass_rule == PassRule(every_section=False, total=10,
                                                minimums={"B": 3})
    assert parse("exam: e\nduration_minutes: 1\nsections: []\npass_rule: {}\n")[1][1].field \
        == "pass_rule"


def test_json_file_with_a_syntax_error_names_its_line():
    defn, problems = parse_exam_definition(b'{\n "exam": "e",\n "duration_minutes": 60\n "x": 1}',
                                           "exam.json")
    assert defn is None
    assert [(p.line, p.field) for p in problems] == [(4, "file")]


def test_json_file_problems_have_lines():
    text = json.dumps({**MINIMAL, "duration_minutes": "90"}, indent=2)
    _, problems = parse_exam_definition(text.encode(), "exam.json")
    (problem,) = problems
    assert problem.field == "duration_minutes"
    assert '"duration_minutes": "90"' in text.splitlines()[problem.line - 1]


def test_anchors_are_refused_in_definitions_too():
    _, problems = parse("""\
        exam: e
        duration_minutes: 60
        sections:
          - {code: A, draw: [{bank: b, category: A, count: 1}], scoring: &s {correct: 1}}
          - {code: B, draw: [{bank: b, category: B, count: 1}], scoring: *s}
        """)
    assert [(p.line, p.field) for p in problems] == [(4, "file")]
