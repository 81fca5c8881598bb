"""The caregiver rule base tested as data: its given/expect tests, run in the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.engine.caregiver_facts import typical_caregiver_fact
from neuroseq.engine.caregiver_workflow import caregiver_rules_folder
from neuroseq.engine.planner import Planner
from neuroseq.engine.rule_tests import RuleTest, load_rule_tests, run_rule_test
from neuroseq.engine.rulebase import load_rulebase

ROOT = Path(__file__).resolve().parents[2]
TESTS, PROBLEMS = load_rule_tests(caregiver_rules_folder() / "tests")


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load(caregiver_rules_folder())


def test_load_rule_tests_reads_the_caregiver_test_files() -> None:
    assert PROBLEMS == []
    assert len(TESTS) >= 10


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_run_rule_test_caregiver_given_expect(planner: Planner, test: RuleTest) -> None:
    result = run_rule_test(planner, test)
    assert result.passed, "\n".join(result.failures)


def test_load_rule_tests_cover_every_caregiver_rule() -> None:
    base, _ = load_rulebase(caregiver_rules_folder())
    named = {
        str(wanted.get("rule"))
        for test in TESTS
        for wanted in test.expect.get("present") or []
        if isinstance(wanted, dict) and "rule" in wanted
    }
    assert sorted(rule.id for rule in base.rules if rule.id not in named) == []


def test_planner_advise_caregiver_matches_the_rule_tests(planner: Planner) -> None:
    fact = {**typical_caregiver_fact(), "reserve": -40.0, "reserve_category": "depleted"}
    items, also = planner.advise_caregiver(fact)
    assert also == []
    by_id = {item.intervention: item for item in items}
    assert by_id["respite_care"].rule == "caregiver.respite.depleted"
    assert by_id["placement_stability_planning"].rule == "caregiver.placement.depleted_no_new"
    assert "-40 points" in by_id["respite_care"].rationale
    assert planner.advise_caregiver(typical_caregiver_fact()) == ([], [])


def test_rule_test_given_caregiver_unknown_field_says_so(planner: Planner) -> None:
    test = RuleTest("bad", {"caregiver": {"reserv": 1}}, {}, "inline.yaml", 3)
    result = run_rule_test(planner, test)
    assert result.failures == (
        "inline.yaml:3: test 'bad': given.caregiver: 'caregiver' has no field 'reserv'; "
        "did you mean 'reserve'?",
    )
    test = RuleTest("bad", {"caregiver": {"reserve_category": "empty"}}, {}, "inline.yaml", 3)
    assert "is not allowed; expected one of depleted" in run_rule_test(planner, test).failures[0]


def test_rule_test_given_caregiver_file_scores_the_file(planner: Planner) -> None:
    test = RuleTest(
        "from a file",
        {"caregiver": {"file": "examples/caregiver-depleted.yaml"}},
        {
            "present": [
                {
                    "intervention": "placement_stability_planning",
                    "rule": "caregiver.placement.reduce_load",
                }
            ]
        },
        str(ROOT / "inline.yaml"),
        1,
    )
    result = run_rule_test(planner, test)
    assert result.passed, result.failures
