"""The store's values: compact plans expand to the CLI's bytes; follow-through from records."""

from __future__ import annotations

import json
from pathlib import Path

import neuroseq
from neuroseq.store.records import (
    DecisionRecord,
    FidelityRecord,
    StoredAssessment,
    compact_json,
    follow_through_of,
    plan_text,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_compact_json_expands_to_the_plan_command_bytes() -> None:
    result = neuroseq.plan_files(
        EXAMPLES / "severe-young-child.yaml", planner=neuroseq.Planner.load()
    )
    compact = compact_json(result.plan.to_json())
    assert "\n" not in compact and ": " not in compact.split('"statement"')[0]
    assert plan_text(compact) == neuroseq.render(result, "json")


def _stored(
    fidelity: tuple[FidelityRecord, ...], decisions: tuple[DecisionRecord, ...]
) -> StoredAssessment:
    return StoredAssessment(
        client="c-1",
        date="2026-01-01",
        version=1,
        current=True,
        metric="full",
        source="c.yaml",
        sha256="0" * 64,
        document="",
        stored_at="t",
        plan_compact=json.dumps({"recommendations": []}),
        planned_at="t",
        previous_date=None,
        previous_version=None,
        follow_through=None,
        provenance={},
        fidelity=fidelity,
        decisions=decisions,
    )


def test_follow_through_of_takes_the_newest_record_per_item() -> None:
    stored = _stored(
        (
            FidelityRecord("drumming", "not_done", None, None, "a", "1"),
            FidelityRecord("drumming", "done", 3, "ok", "b", "2"),
        ),
        (
            DecisionRecord("tf_cbt", "overridden", "timing", "later", "a", "1"),
            DecisionRecord("yoga", "accepted", None, None, "a", "1"),
        ),
    )
    follow = follow_through_of(stored)
    assert follow.fidelity["drumming"].status == "done" and follow.fidelity["drumming"].rating == 3
    assert list(follow.overridden) == ["tf_cbt"] and follow.overridden["tf_cbt"].note == "later"
    assert stored.plan == {"recommendations": []}
    assert stored.latest_decisions()["yoga"].decision == "accepted"


def test_fidelity_record_to_json_names_every_field() -> None:
    record = FidelityRecord("drumming", "partly", 2, None, "n", "t")
    assert record.to_json() == {
        "intervention": "drumming",
        "status": "partly",
        "rating": 2,
        "note": None,
        "by": "n",
        "at": "t",
    }
