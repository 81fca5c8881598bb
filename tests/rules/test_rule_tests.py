"""The given/expect rule tests stored beside the rule files, run by pytest too."""

from __future__ import annotations

import pytest

from neuroseq.engine.planner import Planner
from neuroseq.engine.rule_tests import RuleTest, load_rule_tests, run_rule_test
from neuroseq.engine.rulebase import bundled_rules_folder, load_rulebase

TESTS, PROBLEMS = load_rule_tests(bundled_rules_folder() / "tests")


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load()


def test_rule_test_files_are_well_formed() -> None:
    assert PROBLEMS == []
    assert len(TESTS) >= 30


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_run_rule_test_bundled_given_expect(planner: Planner, test: RuleTest) -> None:
    result = run_rule_test(planner, test)
    assert result.passed, "\n".join(result.failures)


def test_load_rule_tests_cover_every_bundled_rule() -> None:
    base, _ = load_rulebase()
    named = {
        str(wanted.get("rule"))
        for test in TESTS
        for key in ("present", "considered", "stopped")
        for wanted in test.expect.get(key) or []
        if isinstance(wanted, dict) and "rule" in wanted
    }
    missing = sorted(rule.id for rule in base.rules if rule.id not in named)
    assert missing == []


def test_run_rule_test_failing_says_what_was_expected_and_what_came_out(planner: Planner) -> None:
    test = RuleTest(
        name="wrong on purpose",
        given={"age": 9},
        expect={"present": [{"intervention": "tf_cbt", "action": "suspend"}]},
        path="inline.yaml",
        line=1,
    )
    result = run_rule_test(planner, test)
    assert not result.passed
    assert (
        "expected present {intervention: tf_cbt, action: suspend}; came out:" in result.failures[0]
    )
