"""The issue's checks: depleted, adequate with strong external help, case children, bundling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from neuroseq.engine.workflow import plan_case
from neuroseq.errors import CaregiverError
from neuroseq.scoring.caregiver_loader import load_caregiver
from neuroseq.scoring.caregiver_score import score_caregiver

ROOT = Path(__file__).resolve().parents[2]
SEVERE = ROOT / "examples" / "severe-young-child.yaml"
STRONG_EXTERNAL = {
    "co_caregiver": 3,
    "extended_family": 3,
    "respite_access": 3,
    "community_faith": 3,
    "financial_stability": 3,
    "service_access": 3,
    "school_partnership": 3,
}


def test_score_caregiver_one_severely_affected_child_and_few_resources_is_depleted(
    write_home: Any, home_data: Any
) -> None:
    reserve = score_caregiver(
        load_caregiver(write_home(home_data([{"case": "severe-young-child.yaml"}])))
    )
    assert reserve.category == "depleted"


def test_score_caregiver_same_home_with_strong_external_resources_is_at_least_adequate(
    write_home: Any, home_data: Any
) -> None:
    children = [{"case": "severe-young-child.yaml"}]
    few = score_caregiver(load_caregiver(write_home(home_data(children), "few.yaml")))
    strong = score_caregiver(
        load_caregiver(write_home(home_data(children, external=STRONG_EXTERNAL), "strong.yaml"))
    )
    assert strong.internal.score == few.internal.score
    assert strong.challenge == few.challenge
    assert strong.category in ("adequate", "strong")


def test_score_caregiver_case_file_child_adds_more_challenge_than_a_typical_child(
    write_home: Any, home_data: Any
) -> None:
    severe = score_caregiver(
        load_caregiver(write_home(home_data([{"case": "severe-young-child.yaml"}]), "a.yaml"))
    )
    typical = score_caregiver(
        load_caregiver(write_home(home_data([{"case": "typical-9-year-old.yaml"}]), "b.yaml"))
    )
    assert severe.children[0].points > typical.children[0].points
    assert severe.challenge > typical.challenge
    assert severe.reserve < typical.reserve


def test_score_caregiver_bundled_examples_are_depleted_and_strong() -> None:
    examples = ROOT / "examples"
    assert score_caregiver(load_caregiver(examples / "caregiver-depleted.yaml")).category == (
        "depleted"
    )
    assert score_caregiver(load_caregiver(examples / "caregiver-strong.yaml")).category == "strong"


def _family(result: Any) -> list[str]:
    return [r.intervention for r in result.plan.recommendations if r.audience == "family"]


def test_plan_case_with_a_depleted_home_puts_self_care_and_respite_first() -> None:
    alone = plan_case(SEVERE)
    bundled = plan_case(SEVERE, caregiver=ROOT / "examples" / "caregiver-depleted.yaml")
    assert alone.caregiver is None
    assert bundled.caregiver is not None and bundled.caregiver.category == "depleted"
    assert "respite_care" not in _family(alone)
    assert _family(bundled)[:2] == ["caregiver_self_care", "respite_care"]
    assert _family(alone)[0] == "caregiver_psychoeducation"
    rules = {r.intervention: r.rule for r in bundled.plan.recommendations}
    assert rules["caregiver_self_care"] == "family.caregiver.depleted_self_care"
    assert rules["placement_stability_planning"] == "family.caregiver.depleted_placement_support"
    # the caregiver fact is in the trace of the items it decided
    item = next(r for r in bundled.plan.recommendations if r.intervention == "respite_care")
    fact = next(f for f in item.facts if f["type"] == "caregiver")
    assert fact["reserve_category"] == "depleted"


def test_plan_case_with_a_strong_home_adds_no_reserve_items() -> None:
    alone = plan_case(SEVERE)
    bundled = plan_case(SEVERE, caregiver=ROOT / "examples" / "caregiver-strong.yaml")
    assert _family(bundled) == _family(alone)


def test_plan_case_with_a_malformed_caregiver_file_fails_with_its_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: neuroseq/caregiver/v1\ncaregiver: {id: x, placement_type: foster}\n")
    with pytest.raises(CaregiverError) as caught:
        plan_case(SEVERE, caregiver=bad)
    assert f"{bad}:1: internal_resources: required key is missing" in [
        str(p) for p in caught.value.problems
    ]
