"""The file edge of planning: plan_case loads, scores and plans one case file for real."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from neuroseq.engine.planner import Planner
from neuroseq.engine.workflow import PlanResult, plan_case
from neuroseq.errors import CaseError

ROOT = Path(__file__).resolve().parents[2]
SEVERE = ROOT / "examples" / "severe-young-child.yaml"
FOLLOWUP = ROOT / "tests" / "data" / "followup"


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner.load()


def test_plan_case_returns_plain_values_that_record_the_case_file(planner: Planner) -> None:
    result = plan_case(SEVERE, planner=planner)
    assert isinstance(result, PlanResult)
    assert dataclasses.is_dataclass(result)
    assert result.plan.client_id == result.case.client.id == "example-severe-6"
    digest = hashlib.sha256(SEVERE.read_bytes()).hexdigest()
    assert result.case.sha256 == result.plan.case.sha256 == digest
    assert result.previous is None and result.caregiver is None
    assert result.plan.recommendations


def test_plan_case_without_a_planner_loads_the_bundled_one() -> None:
    result = plan_case(SEVERE)
    assert len(result.plan.rulebase.sha256) == 64
    assert result.plan.catalog.version == result.catalog.version
    assert result.norms is not None


def test_plan_case_previous_carries_the_earlier_plan(planner: Planner) -> None:
    result = plan_case(
        FOLLOWUP / "severe-7-followup.yaml",
        planner=planner,
        previous=FOLLOWUP / "severe-6-baseline.yaml",
    )
    assert result.previous is not None
    assert result.previous.cmr == pytest.approx(0.56, abs=0.01)
    assert result.previous.actions["school_psychoeducation"] == "recommend"


def test_plan_case_caregiver_scores_the_home(planner: Planner) -> None:
    result = plan_case(
        SEVERE, planner=planner, caregiver=ROOT / "examples" / "caregiver-depleted.yaml"
    )
    assert result.caregiver is not None and result.caregiver.category == "depleted"


def test_plan_case_missing_file_is_a_case_error(tmp_path: Path, planner: Planner) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(CaseError, match="nope.yaml: file not found"):
        plan_case(missing, planner=planner)
