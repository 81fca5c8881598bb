"""Caregiver scoring: hand-computed values with the bundled project-default weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from neuroseq.scoring.caregiver_loader import load_caregiver
from neuroseq.scoring.caregiver_score import reserve_json, score_caregiver
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score

ROOT = Path(__file__).resolve().parents[2]


def test_score_caregiver_hand_computed_home(write_home: Any, home_data: Any) -> None:
    data = home_data(
        [
            {
                "id": "toddler",
                "age_years": 3,
                "behavioural": 3,
                "emotional": 1.5,
                "medical": 0,
                "developmental": 1.5,
            }
        ],
        internal={
            "physical_health": 3,
            "mental_health": 2,
            "own_adversity_history": 1,  # reverse-scored: counts as 2
            "parenting_experience": 2,
            "trauma_informed_knowledge": 1,
            "regulation_under_stress": 2,
            "current_stress": 0,  # reverse-scored: counts as 3
        },
        external={
            "co_caregiver": 3,  # weight 1.5
            "extended_family": 2,
            "respite_access": 1,  # weight 1.5
            "community_faith": 0,
            "financial_stability": 3,
            "service_access": 2,
            "school_partnership": 1,
        },
        demands={"work_or_study": 1.5, "household_conflict": 3},
    )
    reserve = score_caregiver(load_caregiver(write_home(data)))
    # internal: (3 + 2 + 2 + 2 + 1 + 2 + 3) / (3 x 7) = 15 / 21
    assert reserve.internal.score == pytest.approx(100 * 15 / 21)
    assert reserve.internal.items["own_adversity_history"].value == 2
    assert reserve.internal.items["current_stress"].value == 3
    # external: (1.5x3 + 2 + 1.5x1 + 0 + 3 + 2 + 1) / (3 x 8) = 14 / 24
    assert reserve.external.score == pytest.approx(100 * 14 / 24)
    assert reserve.resources == pytest.approx(0.5 * 100 * 15 / 21 + 0.5 * 100 * 14 / 24)
    # child: severity (1 + 0.5 + 0 + 0.5) / 4 = 0.5; under 5: factor 1.25
    child = reserve.children[0]
    assert (child.severity, child.age_factor) == (0.5, 1.25)
    assert child.points == pytest.approx(10 + 40 * 0.5 * 1.25)  # 35
    # household: work or study 5 x 1.5/3 = 2.5, conflict 6 x 3/3 = 6
    assert reserve.household_points == pytest.approx(8.5)
    assert reserve.challenge == pytest.approx(43.5)
    assert reserve.resources == pytest.approx(64.881, abs=0.001)
    assert reserve.reserve == 21.38  # 64.881 - 43.5, rounded to 2 decimals
    assert reserve.category == "adequate"


def test_score_caregiver_case_child_components_follow_the_profile(
    write_home: Any, home_data: Any
) -> None:
    reserve = score_caregiver(
        load_caregiver(write_home(home_data([{"case": "severe-young-child.yaml"}])))
    )
    child = reserve.children[0]
    profile = score(load_case(ROOT / "examples" / "severe-young-child.yaml"))
    assert child.source == "case"
    assert child.id == "example-severe-6"
    domains = list(profile.domains.values())
    impairment = sum(min(1, max(0, (1 - d.ratio) / 0.5)) for d in domains) / 4
    cmr = (1 - min(profile.cmr.value, 2) / min(profile.cmr.typical, 2)) / 0.75
    gap = min(1, sum((6 - d.developmental_age) / 6 for d in domains) / 4 / 0.5)
    assert child.components["impairment"] == pytest.approx(impairment)
    assert child.components["cmr"] == pytest.approx(min(1, cmr))
    assert child.components["developmental_gap"] == pytest.approx(gap)
    assert child.components["risk"] == 1.0  # very high
    severity = (impairment + min(1, cmr) + gap + 0.5 * 1.0) / 3.5
    assert child.severity == pytest.approx(severity)
    assert child.points == pytest.approx(10 + 40 * severity)


def test_score_caregiver_typical_case_child_counts_only_the_base(
    write_home: Any, home_data: Any
) -> None:
    reserve = score_caregiver(
        load_caregiver(write_home(home_data([{"case": "typical-9-year-old.yaml"}])))
    )
    child = reserve.children[0]
    assert dict(child.components) == {
        "impairment": 0.0,
        "cmr": 0.0,
        "developmental_gap": 0.0,
        "risk": 0.0,
    }
    assert child.points == 10


def test_score_caregiver_no_children_is_household_only(write_home: Any, home_data: Any) -> None:
    reserve = score_caregiver(
        load_caregiver(write_home(home_data([], demands={"dependent_adults": 3})))
    )
    assert reserve.children == ()
    assert reserve.challenge == 6


def test_reserve_json_of_the_depleted_example() -> None:
    data = reserve_json(
        score_caregiver(load_caregiver(ROOT / "examples" / "caregiver-depleted.yaml"))
    )
    assert data["category"] == "depleted"
    assert data["reserve"] == pytest.approx(
        data["resources"] - data["challenge"]["total"], abs=0.02
    )
    assert set(data) == {"internal", "external", "resources", "challenge", "reserve", "category"}
    assert data["internal"]["items"]["current_stress"] == {
        "rating": 3.0,
        "counts_as": 0.0,
        "weight": 1.0,
        "reverse_scored": True,
    }
    first, second = data["challenge"]["children"]
    assert first["source"] == "case" and first["case"] == "severe-young-child.yaml"
    assert second["source"] == "ratings" and "case" not in second
