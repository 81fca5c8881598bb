"""The caregiver fact: a scored home as one plain dict for the engine.

:func:`caregiver_fact` turns a :class:`~neuroseq.scoring.caregiver_score.CaregiverReserve`
into the ``caregiver`` fact (id ``caregiver``) that the family rules
(``neuroseq plan --caregiver``) and the caregiver rule base (``neuroseq cce``)
test. Numbers are rounded to two decimals so rationales and traces are
stable; the fields match :data:`neuroseq.engine.facts.FACT_TYPES` (a test
keeps them in step). :func:`typical_caregiver_fact` is the neutral home rule
tests start from.
"""

from __future__ import annotations

from typing import Any

from neuroseq.scoring.caregiver_score import CaregiverReserve

__all__ = ["caregiver_fact", "typical_caregiver_fact"]


def _round(value: float) -> float:
    return round(float(value), 2) + 0.0


def caregiver_fact(reserve: CaregiverReserve) -> dict[str, Any]:
    """The ``caregiver`` fact of one scored home."""
    fact: dict[str, Any] = {
        "type": "caregiver",
        "id": "caregiver",
        "reserve": _round(reserve.reserve),
        "reserve_category": reserve.category,
        "challenge": _round(reserve.challenge),
        "internal": _round(reserve.internal.score),
        "external": _round(reserve.external.score),
        "resources": _round(reserve.resources),
        "placement_type": reserve.placement_type,
        "children": len(reserve.children),
        "highest_child_severity": _round(
            max((child.severity for child in reserve.children), default=0.0)
        ),
        "household_points": _round(reserve.household_points),
    }
    for group in (reserve.internal, reserve.external):
        for name, item in group.items.items():
            fact[name] = item.rating
    return fact


def typical_caregiver_fact() -> dict[str, Any]:
    """A neutral home with an adequate reserve: every resource 2 (burdens 1), one child."""
    return {
        "type": "caregiver",
        "id": "caregiver",
        "reserve": 16.67,
        "reserve_category": "adequate",
        "challenge": 50.0,
        "internal": 66.67,
        "external": 66.67,
        "resources": 66.67,
        "placement_type": "foster",
        "children": 1,
        "highest_child_severity": 0.5,
        "household_points": 0.0,
        "physical_health": 2.0,
        "mental_health": 2.0,
        "own_adversity_history": 1.0,
        "parenting_experience": 2.0,
        "trauma_informed_knowledge": 2.0,
        "regulation_under_stress": 2.0,
        "current_stress": 1.0,
        "co_caregiver": 2.0,
        "extended_family": 2.0,
        "respite_access": 2.0,
        "community_faith": 2.0,
        "financial_stability": 2.0,
        "service_access": 2.0,
        "school_partnership": 2.0,
    }
