"""The plan contract's fast constructor builds what pydantic's own would."""

from __future__ import annotations

from typing import Any

from neuroseq.engine.plan_model import Overruled, Recommendation, Relevance, SixRs, construct


def _values() -> dict[str, Any]:
    six = SixRs(
        relational=True,
        relevant=True,
        repetitive=False,
        rewarding=True,
        rhythmic=True,
        respectful=True,
    )
    return {
        "rank": 1,
        "audience": "client",
        "domain": "sensory_integration",
        "phase": "regulate",
        "action": "recommend",
        "intervention": "drumming",
        "name": "Drumming",
        "summary": "Start: drumming.",
        "rule": "client.regulate.lower_levels",
        "rule_title": "Regulate first",
        "rationale": "brainstem at 40% of typical",
        "facts": [{"type": "region", "id": "brainstem", "ratio": 0.4}],
        "six_rs": six,
        "dosing": {"frequency": "daily", "episode": "10 minutes"},
        "settings": ["home", "school"],
        "priority": 60,
        "source": "Perry & Dobson 2013",
        "evidence": "a source",
        "supporting_rules": ["a.rule"],
        "overruled": [Overruled(rule="b.rule", action="recommend")],
        "works_on": ["sleep"],
        "relevance": Relevance(
            score=0.5, need=0.5, interest=1.0, settings=1.0, fit=1.0, priority=0.6
        ),
        "standing": "ranks 1 of 1 active regulate items by relevance (0.50)",
        "stage": None,
        "cautions": ["a caution"],
        "responsible": ["caregiver"],
        "review": "what to look for",
        "notes": [],
        "six_rs_how": {"relevant": "matched"},
    }


def test_construct_matches_pydantic() -> None:
    fast = construct(Recommendation, _values())
    slow = Recommendation.model_construct(**_values())
    validated = Recommendation.model_validate(_values())
    assert fast == slow == validated
    assert fast.model_dump_json() == validated.model_dump_json()
    assert fast.model_fields_set == validated.model_fields_set
    assert hash(construct(Overruled, {"rule": "r", "action": "avoid"})) == hash(
        Overruled(rule="r", action="avoid")
    )
