"""Profile and client-context facts: the scored case as plain dicts for the engine.

Every fact has a ``type`` and a unique ``id``; numbers are rounded to two
decimals so that rationales and traces are stable. Fields match
:data:`neuroseq.engine.facts.FACT_TYPES` (a test keeps them in step).
"""

from __future__ import annotations

from typing import Any

from neuroseq.engine.conditions import at_school, placement_kind, psychotropic_count
from neuroseq.engine.planning import DEFAULT_PLANNING, PlanningSettings
from neuroseq.scoring.case import Case
from neuroseq.scoring.items import REGIONS
from neuroseq.scoring.profile import GroupScore, Profile

__all__ = [
    "cmr_gate",
    "cmr_opens_at",
    "profile_facts",
    "start_phase",
    "start_point",
    "worst_impairment",
]

_PHASE_OF_LEVEL = {1: "regulate", 2: "regulate", 3: "relate", 4: "reason", 5: "reason"}
_PHASE_RANK = {"regulate": 0, "relate": 1, "reason": 2}


def _round(value: float) -> float:
    return round(float(value), 2)


def _group(fact_type: str, group: GroupScore, age: float) -> dict[str, Any]:
    return {
        "type": fact_type,
        "id": group.id,
        "score": _round(group.score),
        "typical": _round(group.typical),
        "ratio": _round(group.ratio),
        "impairment": group.impairment,
        "developmental_age": _round(group.developmental_age),
        "at_or_above_age": group.at_or_above_age,
        "age_gap": _round(max(0.0, age - group.developmental_age)),
    }


def start_point(
    profile: Profile, planning: PlanningSettings = DEFAULT_PLANNING
) -> tuple[str | None, tuple[str, ...]]:
    """(phase, items): where the client sequence starts, and the single functions that set it.

    The phase is that of the lowest significantly impaired region, unless some of the
    rule base's ``planning.start_items`` (severe single functions such as dissociation
    or sleep) are significantly impaired in a lower phase: "single severe functions
    count", so the sequence then starts in that phase (those items are returned).
    """
    phase = None
    for number, region in enumerate(REGIONS, start=1):
        if profile.regions[region].impairment == "significant":
            phase = _PHASE_OF_LEVEL[number]
            break
    rank = _PHASE_RANK[phase] if phase else 9
    lower: dict[str, list[str]] = {}
    for candidate in planning.start_items:
        item = profile.items.get(candidate)
        if item is None or item.impairment != "significant":
            continue
        item_phase = _PHASE_OF_LEVEL[REGIONS.index(item.region) + 1]
        if _PHASE_RANK[item_phase] < rank:
            lower.setdefault(item_phase, []).append(candidate)
    if not lower:
        return phase, ()
    first = min(lower, key=_PHASE_RANK.__getitem__)
    return first, tuple(lower[first])


def start_phase(profile: Profile, planning: PlanningSettings = DEFAULT_PLANNING) -> str | None:
    """The phase the client sequence starts in (see :func:`start_point`)."""
    return start_point(profile, planning)[0]


def _trauma_exposure(case: Case) -> str:
    """yes: a history period records adversity of severity 2 or 3; no: a history is
    given and none does; unknown: no history (an ER snapshot). Unknown is never no."""
    if not case.history:
        return "unknown"
    return "yes" if any(period.adversity >= 2 for period in case.history) else "no"


def _known(value: bool | None) -> str:
    """A yes/no fact the case may not give: unknown is never read as no."""
    if value is None:
        return "unknown"
    return "yes" if value else "no"


def cmr_gate(profile: Profile, for_age: float) -> str:
    """What cognitive-predominant work may do: the CMR weighed against the floor and the age.

    A CMR typical for the client's age (at least ``for_age`` x a same-age peer's) is never
    gated: a young child's cortex is immature by development, not by dysregulation.
    """
    cmr = profile.cmr
    if cmr.band == "available" or (cmr.typical > 0 and cmr.value >= for_age * cmr.typical):
        return "available"
    return cmr.band


def cmr_opens_at(typical: float, for_age: float) -> float:
    """The CMR at which a deferred gate opens: the published floor of 1.0, or the CMR
    typical for age (``for_age`` x a same-age peer's) when that is lower (a toddler)."""
    if typical <= 0:
        return 1.0
    return round(min(1.0, for_age * typical), 2)


def worst_impairment(profile: Profile) -> str:
    """The worst impairment of any region or domain."""
    seen = {g.impairment for g in (*profile.regions.values(), *profile.domains.values())}
    for level in ("significant", "moderate"):
        if level in seen:
            return level
    return "typical"


def profile_facts(
    case: Case,
    profile: Profile,
    *,
    previous_cmr: float | None = None,
    planning: PlanningSettings = DEFAULT_PLANNING,
) -> list[dict[str, Any]]:
    """Item, region, domain, CMR, risk, relational-health and client facts."""
    facts: list[dict[str, Any]] = []
    for item in profile.items.values():
        facts.append(
            {
                "type": "item",
                "id": item.id,
                "region": item.region,
                "score": item.score,
                "typical": round(item.typical, 2),  # floats already: _round inlined
                "ratio": round(item.ratio, 2),
                "band": item.band,
                "impairment": item.impairment,
            }
        )
    lowest = "none"
    for level, region in enumerate(REGIONS, start=1):
        group = profile.regions[region]
        fact = _group("region", group, profile.age)
        fact["level"] = level
        facts.append(fact)
        if lowest == "none" and group.impairment == "significant":
            lowest = region
    for group in profile.domains.values():
        facts.append(_group("domain", group, profile.age))
    facts.append(
        {
            "type": "cmr",
            "id": "cmr",
            "value": _round(profile.cmr.value),
            "typical": _round(profile.cmr.typical),
            "band": profile.cmr.band,
            "age_ratio": _round(profile.cmr.value / profile.cmr.typical)
            if profile.cmr.typical > 0
            else 0.0,
            "gate": cmr_gate(profile, planning.cmr_for_age),
            "opens_at": cmr_opens_at(profile.cmr.typical, planning.cmr_for_age),
        }
    )
    for period, risk in profile.risk.periods.items():
        facts.append(
            {"type": "risk", "id": period, "value": _round(risk.value), "category": risk.category}
        )
    facts.append(
        {
            "type": "risk",
            "id": "overall",
            "value": _round(profile.risk.overall_value or 0.0),
            "category": profile.risk.overall,
        }
    )
    health = case.relational_health
    facts.append(
        {
            "type": "relational_health",
            "id": "current",
            "family": float(health.family) if health else -1.0,
            "peers": float(health.peers) if health else -1.0,
            "school": float(health.school) if health else -1.0,
            "community": float(health.community) if health else -1.0,
            "assessed": health is not None,
        }
    )
    level = REGIONS.index(lowest) + 1 if lowest != "none" else 0
    household = case.household
    facts.append(
        {
            "type": "client",
            "id": "client",
            "age": _round(profile.age),
            "metric": case.metric,
            "at_school": at_school(case.client.school_setting, planning.not_at_school_words),
            "placements_count": (
                case.client.placements_count if case.client.placements_count is not None else -1
            ),
            "siblings_in_home": (
                household.siblings_in_home if household.siblings_in_home is not None else -1
            ),
            "sibling_conflict": _known(household.sibling_conflict),
            "caregiver_trauma_informed": _known(household.caregiver_trauma_informed),
            "caregiver_own_adversity": _known(household.caregiver_own_adversity),
            "placement_kind": placement_kind(case.client.placement, planning.placement_words),
            "trauma_exposure": _trauma_exposure(case),
            "psychotropic_count": psychotropic_count(case),
            "worst_impairment": worst_impairment(profile),
            "current_services": len(case.current_services),
            "lowest_impaired_region": lowest,
            "lowest_impaired_level": level,
            "start_phase": start_phase(profile, planning) or "none",
            "has_previous": previous_cmr is not None,
            "cmr_change": _round(profile.cmr.value - previous_cmr)
            if previous_cmr is not None
            else 0.0,
        }
    )
    return facts
