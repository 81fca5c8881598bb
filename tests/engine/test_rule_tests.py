"""Rule tests as data: given/expect files loaded with located problems and run in the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.engine.planner import Planner
from neuroseq.engine.rule_tests import (
    RuleTest,
    RuleTestResult,
    load_rule_tests,
    plan_for_test,
    run_all,
    run_rule_test,
    typical_case_data,
)
from neuroseq.scoring.case import Case
from neuroseq.scoring.profile import score

TESTS = """\
schema: neuroseq/rule-tests/v1
tests:
  - name: a low CMR suspends current trauma-focused CBT
    given:
      age: 8
      facts: {cmr: {value: 0.5, band: deferred}}
      case: {current_services: [tf_cbt]}
    expect:
      present:
        - {intervention: tf_cbt, action: suspend}
  - name: wrong on purpose
    given: {age: 8}
    expect:
      present:
        - {intervention: tf_cbt, action: suspend}
  - name: misspelt
    givn: {age: 8}
"""


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load()


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[list[RuleTest], list[str]]:
    (tmp_path / "cmr.yaml").write_text(TESTS, encoding="utf-8")
    tests, problems = load_rule_tests(tmp_path)
    return tests, [str(problem) for problem in problems]


def test_load_rule_tests_keeps_the_good_tests_with_their_lines(
    loaded: tuple[list[RuleTest], list[str]],
) -> None:
    tests, _ = loaded
    assert [(test.name, Path(test.path).name, test.line) for test in tests] == [
        ("a low CMR suspends current trauma-focused CBT", "cmr.yaml", 3),
        ("wrong on purpose", "cmr.yaml", 11),
    ]


def test_load_rule_tests_locates_every_problem_of_a_malformed_test(
    loaded: tuple[list[RuleTest], list[str]],
) -> None:
    _, problems = loaded
    assert [problem.split("cmr.yaml:", 1)[1] for problem in problems] == [
        "17: tests[2].givn: unknown key 'givn'; allowed: name, given, expect",
        "16: tests[2].given: 'given' is a mapping",
        "16: tests[2].expect: 'expect' is a mapping",
    ]


def test_run_rule_test_passes_and_fails_in_the_real_engine(
    planner: Planner, loaded: tuple[list[RuleTest], list[str]]
) -> None:
    passing, failing = loaded[0]
    assert run_rule_test(planner, passing) == RuleTestResult(passing, ())
    result = run_rule_test(planner, failing)
    assert not result.passed
    assert result.failures == (
        "expected present {intervention: tf_cbt, action: suspend}; came out: (nothing)",
    )


def test_run_all_keeps_file_order(
    planner: Planner, loaded: tuple[list[RuleTest], list[str]]
) -> None:
    tests, _ = loaded
    assert [result.passed for result in run_all(planner, tests)] == [True, False]


def test_plan_for_test_applies_the_fact_overrides(
    planner: Planner, loaded: tuple[list[RuleTest], list[str]]
) -> None:
    plan = plan_for_test(planner, loaded[0][0])
    assert ("tf_cbt", "suspend") in {(r.intervention, r.action) for r in plan.recommendations}


@pytest.mark.parametrize("age", [3.0, 9.0, 16.0])
def test_typical_case_data_is_a_valid_case_typical_for_age(age: float) -> None:
    case = Case.model_validate(typical_case_data(age))
    assert case.client.age == age
    profile = score(case)
    assert all(region.impairment == "typical" for region in profile.regions.values())
