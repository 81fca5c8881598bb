"""Score a home: CaregiverAssessment --score_caregiver(weights, norms)--> CaregiverReserve.

The Caregiver Challenge Estimator weighs the challenge of a home (its
children and other household demands) against the caregiver's internal and
external resources, on one points scale::

    internal  = 100 x sum(w x v) / (3 x sum(w))      v = rating, or 3 - rating
    external  = 100 x sum(w x r) / (3 x sum(w))          for a reverse-scored item
    resources = internal_share x internal + (1 - internal_share) x external
    child     = per_child_base + per_child_span x severity x age factor
    challenge = sum of child points + sum of household demand points
    reserve   = resources - challenge  ->  depleted, strained, adequate, strong

A child's severity (0-1) is the weighted mean of its four direct ratings / 3,
or, for a child given by case file, of four components derived from the
scored Profile: domain impairment, CMR shortfall, developmental-age gap and
developmental risk. Every weight and cut-off comes from
:class:`~neuroseq.scoring.caregiver_weights.CaregiverWeights` (project
defaults). All weights are 0 or more, so more resources never lower the
reserve and more challenge never raises it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from neuroseq.scoring.caregiver import (
    CHILD_RATINGS,
    EXTERNAL_RESOURCES,
    HOUSEHOLD_DEMANDS,
    INTERNAL_RESOURCES,
    RATING_MAX,
    REVERSE_SCORED,
    ChildChallenge,
    PlacementType,
)
from neuroseq.scoring.caregiver_loader import CaregiverAssessment
from neuroseq.scoring.caregiver_weights import (
    CaregiverWeights,
    FromProfile,
    ReserveCategory,
    default_weights,
)
from neuroseq.scoring.norms import Norms, default_norms
from neuroseq.scoring.profile import Profile, score

__all__ = [
    "PROFILE_COMPONENTS",
    "CaregiverReserve",
    "ChildScore",
    "ResourceItem",
    "ResourceScore",
    "child_from_profile",
    "reserve_json",
    "score_caregiver",
]

PROFILE_COMPONENTS = ("impairment", "cmr", "developmental_gap", "risk")
_SCALE = 100.0


@dataclass(frozen=True, slots=True)
class ResourceItem:
    """One resource: the rating as given, what it counts for (0-3) and its weight."""

    rating: float
    value: float
    """The rating, or 3 - rating for a reverse-scored item."""
    weight: float
    reverse: bool


@dataclass(frozen=True, slots=True)
class ResourceScore:
    """Internal or external resources: 0-100 and the items behind it."""

    score: float
    items: Mapping[str, ResourceItem]


@dataclass(frozen=True, slots=True)
class ChildScore:
    """One child's challenge: severity 0-1, its parts, and the points it adds."""

    index: int
    id: str
    source: Literal["case", "ratings"]
    age: float
    components: Mapping[str, float]
    """Each 0-1: the four ratings / 3, or the four Profile components."""
    severity: float
    age_factor: float
    points: float
    case: str | None = None
    """The case file reference, as written, for a child given by case."""
    cmr: float | None = None
    risk: str | None = None


@dataclass(frozen=True, slots=True)
class CaregiverReserve:
    """The caregiving reserve of one home, with every number that produced it."""

    caregiver_id: str
    placement_type: PlacementType
    internal: ResourceScore
    external: ResourceScore
    resources: float
    children: tuple[ChildScore, ...]
    household: Mapping[str, float]
    """Points of each other household demand."""
    household_points: float
    challenge: float
    reserve: float
    category: ReserveCategory
    weights_version: str
    weights_sha256: str


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _weighted_mean(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total = sum(weights.values())
    return sum(values[name] * weights[name] for name in values) / total


def _resources(
    ratings: Mapping[str, float], names: tuple[str, ...], weight_of: Any, reverse: frozenset[str]
) -> ResourceScore:
    items: dict[str, ResourceItem] = {}
    for name in names:
        rating = float(ratings[name])
        value = RATING_MAX - rating if name in reverse else rating
        items[name] = ResourceItem(rating, value, float(weight_of(name)), name in reverse)
    total = sum(item.weight for item in items.values())
    points = sum(item.value * item.weight for item in items.values())
    return ResourceScore(_SCALE * points / (RATING_MAX * total), MappingProxyType(items))


def child_from_profile(profile: Profile, settings: FromProfile) -> dict[str, float]:
    """The four 0-1 components of a child's challenge derived from their Profile."""
    domains = list(profile.domains.values())
    impairment = sum(
        _clamp((1.0 - group.ratio) / (1.0 - settings.impairment_full_at_ratio)) for group in domains
    ) / len(domains)
    enough = settings.cmr_enough
    typical = min(profile.cmr.typical, enough)
    share = min(profile.cmr.value, enough) / typical if typical > 0 else 1.0
    cmr = _clamp((1.0 - min(share, 1.0)) / (1.0 - settings.cmr_full_at_share))
    if profile.age > 0:
        gaps = [max(0.0, profile.age - group.developmental_age) / profile.age for group in domains]
        gap = _clamp(sum(gaps) / len(gaps) / settings.gap_full_at_share)
    else:
        gap = 0.0
    risk: float = getattr(settings.risk, profile.risk.overall)
    return {"impairment": impairment, "cmr": cmr, "developmental_gap": gap, "risk": risk}


def _child_points(severity: float, age: float, weights: CaregiverWeights) -> tuple[float, float]:
    factor = weights.age_factor(age)
    challenge = weights.challenge
    return factor, challenge.per_child_base + challenge.per_child_span * severity * factor


def _rated_child(index: int, child: ChildChallenge, weights: CaregiverWeights) -> ChildScore:
    ratings = child.ratings()
    components = {name: ratings[name] / RATING_MAX for name in CHILD_RATINGS}
    rating_weights = {
        name: float(getattr(weights.challenge.direct_ratings, name)) for name in CHILD_RATINGS
    }
    severity = _weighted_mean(components, rating_weights)
    age = float(child.age_years or 0.0)
    factor, points = _child_points(severity, age, weights)
    return ChildScore(
        index=index,
        id=child.id or f"child-{index + 1}",
        source="ratings",
        age=age,
        components=MappingProxyType(components),
        severity=severity,
        age_factor=factor,
        points=points,
    )


def _case_child(
    index: int, child: ChildChallenge, profile: Profile, weights: CaregiverWeights
) -> ChildScore:
    settings = weights.challenge.from_profile
    components = child_from_profile(profile, settings)
    component_weights = {
        name: float(getattr(settings.weights, name)) for name in PROFILE_COMPONENTS
    }
    severity = _weighted_mean(components, component_weights)
    factor, points = _child_points(severity, profile.age, weights)
    return ChildScore(
        index=index,
        id=child.id or profile.client_id,
        source="case",
        age=profile.age,
        components=MappingProxyType(components),
        severity=severity,
        age_factor=factor,
        points=points,
        case=child.case,
        cmr=profile.cmr.value,
        risk=profile.risk.overall,
    )


def score_caregiver(
    assessment: CaregiverAssessment,
    weights: CaregiverWeights | None = None,
    norms: Norms | None = None,
) -> CaregiverReserve:
    """Score one home (bundled project-default weights and norms unless given)."""
    weights = weights or default_weights()
    norms = norms or default_norms()
    document = assessment.document
    internal = _resources(
        document.internal_resources.as_dict(),
        INTERNAL_RESOURCES,
        weights.internal_weight,
        REVERSE_SCORED,
    )
    external = _resources(
        document.external_resources.as_dict(),
        EXTERNAL_RESOURCES,
        weights.external_weight,
        frozenset(),
    )
    share = weights.resources.internal_share
    resources = share * internal.score + (1.0 - share) * external.score

    children: list[ChildScore] = []
    for index, child in enumerate(document.challenges.children):
        case = assessment.cases.get(index)
        if case is not None:
            children.append(_case_child(index, child, score(case, norms), weights))
        else:
            children.append(_rated_child(index, child, weights))
    demands = document.challenges.other_household_demands.as_dict()
    household = {
        name: float(getattr(weights.challenge.household_demands, name)) * demands[name] / RATING_MAX
        for name in HOUSEHOLD_DEMANDS
    }
    household_points = sum(household.values())
    challenge = sum(child.points for child in children) + household_points
    # Rounded before categorising, so the number shown and its category agree.
    reserve = round(resources - challenge, 2) + 0.0
    return CaregiverReserve(
        caregiver_id=document.caregiver.id,
        placement_type=document.caregiver.placement_type,
        internal=internal,
        external=external,
        resources=resources,
        children=tuple(children),
        household=MappingProxyType(household),
        household_points=household_points,
        challenge=challenge,
        reserve=reserve,
        category=weights.category(reserve),
        weights_version=weights.version,
        weights_sha256=weights.sha256,
    )


# --- JSON ------------------------------------------------------------------------


def _num(value: float) -> float:
    return round(value, 2) + 0.0


def _resource_json(resource: ResourceScore) -> dict[str, Any]:
    return {
        "score": _num(resource.score),
        "items": {
            name: {
                "rating": item.rating,
                "counts_as": item.value,
                "weight": item.weight,
                "reverse_scored": item.reverse,
            }
            for name, item in resource.items.items()
        },
    }


def _child_json(child: ChildScore) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": child.id,
        "source": child.source,
        "age": _num(child.age),
        "components": {name: _num(value) for name, value in child.components.items()},
        "severity": _num(child.severity),
        "age_factor": child.age_factor,
        "points": _num(child.points),
    }
    if child.source == "case":
        out["case"] = child.case
        out["cmr"] = _num(child.cmr or 0.0)
        out["risk"] = child.risk
    return out


def reserve_json(reserve: CaregiverReserve) -> dict[str, Any]:
    """The scores of a home as plain JSON data, floats rounded to 2 decimals."""
    return {
        "internal": _resource_json(reserve.internal),
        "external": _resource_json(reserve.external),
        "resources": _num(reserve.resources),
        "challenge": {
            "total": _num(reserve.challenge),
            "children": [_child_json(child) for child in reserve.children],
            "household_demands": {name: _num(points) for name, points in reserve.household.items()},
            "household_points": _num(reserve.household_points),
        },
        "reserve": _num(reserve.reserve),
        "category": reserve.category,
    }
