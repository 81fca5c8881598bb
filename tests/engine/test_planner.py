"""The planner: loading a rule base (refusals by code) and dating the reassessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from neuroseq.engine.planner import Planner, _add_months, previous_assessment
from neuroseq.errors import RuleError
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score

ROOT = Path(__file__).resolve().parents[2]


def test_planner_refusal_names_each_error_with_its_code(rule_files: Any, tmp_path: Path) -> None:
    folder = rule_files.folder(tmp_path, rule_files.rule("cmr: {valu: {below: 1.0}}"))
    with pytest.raises(RuleError) as refused:
        Planner.load(folder)
    assert str(refused.value).startswith(f"{folder / 'extra.yaml'}:7: NS102: rules[0].when.cmr")


@pytest.mark.parametrize(
    ("day", "months", "due"),
    [
        (dt.date(2026, 1, 15), 6, dt.date(2026, 7, 15)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    ],
)
def test_reassessment_due_adds_calendar_months(day: dt.date, months: int, due: dt.date) -> None:
    assert _add_months(day, months) == due


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load()


def test_planner_plan_ranks_every_item_and_names_its_rule(planner: Planner) -> None:
    case = load_case(ROOT / "examples" / "severe-young-child.yaml")
    plan = planner.plan(case, score(case))
    assert [item.rank for item in plan.recommendations] == list(
        range(1, len(plan.recommendations) + 1)
    )
    rule_ids = {rule.id for rule in planner.rulebase.rules}
    assert all(item.rule in rule_ids for item in plan.recommendations)
    assert plan.start_phase == "regulate"


def test_previous_assessment_keeps_the_cmr_and_each_action(planner: Planner) -> None:
    case = load_case(ROOT / "examples" / "severe-young-child.yaml")
    profile = score(case)
    plan = planner.plan(case, profile)
    previous = previous_assessment(case, profile, plan)
    assert previous.cmr == profile.cmr.value
    assert previous.actions == {item.intervention: item.action for item in plan.recommendations}
    assert planner.previous_from(case, profile) == previous
