"""The plan diff shared by compare and rules impact."""

from __future__ import annotations

from pathlib import Path

import neuroseq
from neuroseq.engine.plan_diff import action_changes, changes_over_time, deciding_rules

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _pair() -> tuple[neuroseq.Plan, neuroseq.Plan]:
    planner = neuroseq.Planner.load()
    intake = planner.plan(neuroseq.load_case(EXAMPLES / "published-case-intake.yaml"))
    later = planner.plan(
        neuroseq.load_case(EXAMPLES / "published-case-followup.yaml"), previous=intake
    )
    return intake.plan, later.plan


def test_changes_over_time_names_the_resumed_cognitive_therapies() -> None:
    before, after = _pair()
    kinds = {c.intervention: c.kind for c in changes_over_time(before, after)}
    assert kinds["tf_cbt"] == "resumed" and kinds["tutoring"] == "resumed"
    assert all(c.before != c.after for c in changes_over_time(before, after))


def test_action_changes_of_a_plan_with_itself_is_empty() -> None:
    before, _ = _pair()
    assert action_changes(before, before) == []


def test_action_changes_counts_every_difference() -> None:
    before, after = _pair()
    found = {c.intervention: (c.before, c.after) for c in action_changes(before, after)}
    assert found["tf_cbt"] == ("suspend", "resume")
    # The aide stays while school work restarts in brief segments (a clinician's review);
    # co-regulation coaching is no longer a plan item a year on (not started: review).
    assert found["in_room_aide"][1] == "continue"
    assert found["caregiver_coregulation_coaching"][1] == ""


def test_deciding_rules_holds_every_item_rule() -> None:
    before, _ = _pair()
    rules = deciding_rules(before)
    assert {item.rule for item in before.recommendations} <= rules
