"""What a follow-up plan takes from the fidelity and overrides of the previous plan."""

from __future__ import annotations

from pathlib import Path

import neuroseq
from neuroseq.engine.follow_through import (
    Fidelity,
    FollowThrough,
    Override,
    adjusted_case,
    annotated_plan,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


def test_follow_through_is_false_when_nothing_is_recorded() -> None:
    assert not FollowThrough()
    assert FollowThrough(fidelity={"x": Fidelity("done")})


def test_follow_through_json_round_trip_is_stable() -> None:
    follow = FollowThrough(
        fidelity={"b": Fidelity("done", 3), "a": Fidelity("not_done")},
        overridden={"c": Override("timing", "later")},
    )
    data = follow.to_json()
    assert list(data["fidelity"]) == ["a", "b"]
    assert FollowThrough.from_json(data) == follow
    assert FollowThrough.from_json(None) == FollowThrough()


def test_adjusted_case_moves_services_by_fidelity() -> None:
    case = neuroseq.load_case(FOLLOWUP)
    assert "singing_humming" in case.current_services
    follow = FollowThrough(
        fidelity={
            "singing_humming": Fidelity("not_done"),
            "drumming": Fidelity("done", 3),
            "music_movement": Fidelity("declined"),
        }
    )
    adjusted = adjusted_case(case, follow)
    assert "singing_humming" not in adjusted.current_services
    assert "drumming" in adjusted.current_services
    assert "music_movement" in adjusted.client.declined
    assert adjusted.sha256 == case.sha256
    assert adjusted_case(case, FollowThrough()) is case


def test_annotated_plan_is_the_plan_itself_without_records() -> None:
    planner = neuroseq.Planner.load()
    result = planner.plan(neuroseq.load_case(FOLLOWUP), previous=neuroseq.load_case(INTAKE))
    assert annotated_plan(result.plan, FollowThrough()) is result.plan


def test_follow_through_needs_a_previous_plan() -> None:
    import pytest

    planner = neuroseq.Planner.load()
    with pytest.raises(ValueError):
        planner.plan(
            neuroseq.load_case(FOLLOWUP),
            follow_through=FollowThrough(fidelity={"x": Fidelity("done")}),
        )


def test_annotated_plan_notes_low_fidelity_and_overrides() -> None:
    planner = neuroseq.Planner.load()
    earlier = planner.plan(neuroseq.load_case(INTAKE))
    follow = FollowThrough(
        fidelity={"family_routines": Fidelity("done", 1), "drumming": Fidelity("not_done")},
        overridden={"animal_assisted": Override("not_available", "no provider")},
    )
    plan = planner.plan(neuroseq.load_case(FOLLOWUP), previous=earlier, follow_through=follow).plan
    items = {r.intervention: r for r in plan.recommendations}
    assert items["family_routines"].action == "continue"
    assert any("low fidelity (rated 1 of 3)" in n for n in items["family_routines"].notes)
    assert any("review the barriers" in n for n in items["drumming"].notes)
    assert not any(n.startswith("The previous plan said") for n in items["drumming"].notes)
    assert any("no provider" in n for n in items["animal_assisted"].notes)
    assert plan.previous is not None and plan.previous["follow_through"] == follow.to_json()
