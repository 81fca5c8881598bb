"""The caregiver workflow: its own rule base, apart from the default one."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.engine.caregiver_workflow import (
    advise_home,
    caregiver_rules_folder,
    estimate_caregiver,
)
from neuroseq.engine.planner import Planner
from neuroseq.engine.rulebase import load_rulebase
from neuroseq.scoring.caregiver_loader import load_caregiver

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_caregiver_rules_folder_holds_a_base_apart_from_the_default_one() -> None:
    default, _ = load_rulebase()
    caregiver, problems = load_rulebase(caregiver_rules_folder())
    assert problems == []
    assert not {r.id for r in default.rules} & {r.id for r in caregiver.rules}
    assert all(r.id.startswith("caregiver.") for r in caregiver.rules)
    assert not any(r.id.startswith("caregiver.") for r in default.rules)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load(caregiver_rules_folder())


def test_estimate_caregiver_scores_and_advises_a_depleted_home(planner: Planner) -> None:
    result = estimate_caregiver(EXAMPLES / "caregiver-depleted.yaml", planner=planner)
    assert result.reserve.category == "depleted"
    assert result.recommendations
    assert all(item.rule.startswith("caregiver.") for item in result.recommendations)
    assert "respite_care" in {item.intervention for item in result.recommendations}


def test_estimate_caregiver_strong_home_gets_no_reserve_items(planner: Planner) -> None:
    result = estimate_caregiver(EXAMPLES / "caregiver-strong.yaml", planner=planner)
    assert result.reserve.category == "strong"
    assert "respite_care" not in {item.intervention for item in result.recommendations}


def test_advise_home_takes_an_assessment_value(planner: Planner) -> None:
    assessment = load_caregiver(EXAMPLES / "caregiver-depleted.yaml")
    by_value = advise_home(assessment, planner=planner)
    by_path = estimate_caregiver(EXAMPLES / "caregiver-depleted.yaml", planner=planner)
    assert by_value.reserve == by_path.reserve
    assert by_value.recommendations == by_path.recommendations
