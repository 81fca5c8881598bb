"""The fidelity reviewer's view, from a real plan: every item's trace, and why a rule did not fire."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.engine.explain import explain_json, explain_plan, explain_rule
from neuroseq.engine.planner import Planner
from neuroseq.engine.workflow import PlanResult, plan_case
from neuroseq.errors import RuleError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load()


@pytest.fixture(scope="module")
def severe(planner: Planner) -> PlanResult:
    return plan_case(ROOT / "examples" / "severe-young-child.yaml", planner=planner)


@pytest.fixture(scope="module")
def typical(planner: Planner) -> PlanResult:
    return plan_case(ROOT / "examples" / "typical-9-year-old.yaml", planner=planner)


def test_explain_plan_numbers_every_recommendation_with_its_rule_and_facts(
    severe: PlanResult,
) -> None:
    text = explain_plan(severe)
    lines = text.splitlines()
    assert (
        lines[0] == "Plan for example-severe-6 (age 6, metric full), CMR 0.56, start phase regulate"
    )
    assert lines[1].startswith("rule base ") and "; catalogue " in lines[1]
    first = severe.plan.recommendations[0]
    assert f"1. {first.action.upper()} {first.intervention} ({first.audience})" in lines
    assert f"   rule:      {first.rule} - " in text
    numbered = [line for line in lines if line[:1].isdigit() and ". " in line]
    assert len(numbered) >= len(severe.plan.recommendations)


def test_explain_rule_shows_a_rule_that_fired_and_won(planner: Planner, severe: PlanResult) -> None:
    text = explain_rule(severe, planner, "web.school_expectations")
    assert "Rule web.school_expectations: School psychoeducation" in text
    assert "rules/therapeutic_web.yaml:" in text
    assert "FIRED and won: recommend school_psychoeducation (rank 1)" in text


def test_explain_rule_shows_each_failed_condition_with_the_values(
    planner: Planner, typical: PlanResult
) -> None:
    text = explain_rule(typical, planner, "client.reason.suspend_current")
    assert "did not fire" in text
    assert "    FAILS  cmr cmr: gate is deferred" in text
    assert "           cmr cmr: gate=available (gate is deferred)" in text


def test_explain_rule_unknown_id_suggests_the_closest(planner: Planner, severe: PlanResult) -> None:
    with pytest.raises(RuleError, match=r"no rule 'web\.school_expectation'; did you mean "):
        explain_rule(severe, planner, "web.school_expectation")


def test_explain_json_lists_items_stops_and_candidates(
    planner: Planner, severe: PlanResult
) -> None:
    data = explain_json(severe, planner)
    assert data["client_id"] == "example-severe-6"
    assert data["rule"] is None
    assert [item["rank"] for item in data["items"]] == list(range(1, len(data["items"]) + 1))
    first = data["items"][0]
    assert (first["intervention"], first["rule"]) == (
        "school_psychoeducation",
        "web.school_expectations",
    )
    assert {item["intervention"] for item in data["stop"]} >= {"tf_cbt"}
    assert data["also_considered"]


def test_explain_json_for_one_rule_names_it(planner: Planner, typical: PlanResult) -> None:
    data = explain_json(typical, planner, "client.reason.suspend_current")
    assert data["rule"] == "client.reason.suspend_current"
