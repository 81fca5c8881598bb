"""Choosing among eligible candidates: relevance to this client, and the words for it.

After the conflict policy has decided one action per intervention, a plan keeps
the candidates that fit *this* client best (DOMAIN.md section 5). An item's
**relevance** is a weighted sum of five parts, each 0-1 (weights: the rule
base's ``planning.relevance``)::

    relevance = w_need x need + w_interest x interest + w_settings x settings
              + w_fit x fit + w_priority x priority

- **need**: the entry's ``works_on`` items, each with its relative deficit
  ``max(0, 1 - score / typical)`` times a level weight (1 at or below the lowest
  significantly impaired level, ``level_decay`` per level above it); the mean of
  the ``worst_items`` largest, divided by the largest weighted deficit of all 32
  items (so the activity aimed at this client's worst functions scores 1);
- **interest**: 1 when the entry fits one of the client's interests;
- **settings**: 1 when it can happen in a daily setting the client has (home or
  residential unit, school when at school), 0.5 in clinic or community only;
- **fit**: 1 up to the entry's ``max_developmental_age`` in the domain it demands,
  falling to 0 over ``fit_years`` above it;
- **priority**: the deciding rule's priority / 100.

The id breaks only exact ties. :class:`ClientContext` holds what this needs of
one case, worked out once per case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neuroseq.catalog.model import Intervention
from neuroseq.engine.memo import per_object
from neuroseq.engine.planning import DEFAULT_PLANNING, PlanningSettings
from neuroseq.scoring.items import ITEMS, REGIONS

__all__ = [
    "DOMAIN_WORDS",
    "REGION_WORDS",
    "ClientContext",
    "client_context",
    "item_label",
    "item_words",
    "relevance",
    "worst_of",
]

DOMAIN_WORDS = {
    "sensory_integration": "sensory integration",
    "self_regulation": "self-regulation",
    "relational": "relational functioning",
    "cognitive": "cognitive functioning",
}
REGION_WORDS = {
    "brainstem": "brainstem",
    "diencephalon_cerebellum": "diencephalon and cerebellum",
    "limbic": "limbic",
    "cortex": "cortex",
    "frontal_cortex": "frontal cortex",
}
_LABELS = {item.id: item.label[0].lower() + item.label[1:] for item in ITEMS}
_REGION_OF = {item.id: item.region for item in ITEMS}
_LEVEL = {region: level for level, region in enumerate(REGIONS, start=1)}
_NUMBER = {item.id: item.number for item in ITEMS}


@dataclass(frozen=True)
class ClientContext:
    """What selection and rationales need of one scored case."""

    age: float
    metric: str
    scores: Mapping[str, tuple[float, float, float]]
    """Item id -> (score, typical, ratio)."""
    impaired: frozenset[str]
    """Items impaired for age (moderately or significantly, by the norms' cut-offs)."""
    weighted: Mapping[str, float]
    """Item id -> relative deficit x level weight."""
    top_weighted: float
    lowest_region: str | None
    domain_ages: Mapping[str, float]
    cmr: float
    cmr_gate: str
    daily_settings: frozenset[str]
    conditions: frozenset[str]
    requested: frozenset[str]
    current: frozenset[str]
    previous: Mapping[str, str] | None
    planning: PlanningSettings
    interests: frozenset[str]
    rank: Mapping[str, int]
    """Item id -> position by weighted deficit, worst first (map order breaks ties)."""
    worst: dict[tuple[tuple[str, ...], int], list[str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """:func:`worst_of` answers already worked out for this case (relevance and the
    rationale ask the same question of one entry)."""


def client_context(
    case: Any,
    profile: Any,
    facts: Mapping[str, Mapping[str, Any]],
    conditions: frozenset[str],
    *,
    previous: Mapping[str, str] | None = None,
    planning: PlanningSettings = DEFAULT_PLANNING,
) -> ClientContext:
    """The context of one case, from its profile and its client and CMR facts."""
    client = facts["client"]
    lowest = client["lowest_impaired_region"]
    lowest_level = _LEVEL.get(lowest, 0)
    scores: dict[str, tuple[float, float, float]] = {}
    weighted: dict[str, float] = {}
    for item in profile.items.values():
        scores[item.id] = (item.score, item.typical, item.ratio)
        deficit = max(0.0, 1.0 - item.ratio) if item.typical > 0 else 0.0
        level = _LEVEL[item.region]
        weight = 1.0
        if lowest_level and level > lowest_level:
            weight = planning.level_decay ** (level - lowest_level)
        weighted[item.id] = min(1.0, deficit) * weight
    order = sorted(weighted, key=lambda i: (-weighted[i], _NUMBER[i]))
    kind = client["placement_kind"]
    daily = {"residential"} if kind == "residential" else {"home"}
    if client["at_school"]:
        daily.add("school")
    return ClientContext(
        age=profile.age,
        metric=case.metric,
        scores=scores,
        impaired=frozenset(i.id for i in profile.items.values() if i.impairment != "typical"),
        weighted=weighted,
        top_weighted=max(weighted.values(), default=0.0),
        lowest_region=lowest if lowest != "none" else None,
        domain_ages={g.id: g.developmental_age for g in profile.domains.values()},
        cmr=profile.cmr.value,
        cmr_gate=facts["cmr"]["gate"],
        daily_settings=frozenset(daily),
        conditions=conditions,
        requested=frozenset(case.client.requested),
        current=frozenset(case.current_services),
        previous=previous,
        planning=planning,
        interests=frozenset(w.strip().lower() for w in case.client.interests),
        rank={item: position for position, item in enumerate(order)},
    )


def worst_of(context: ClientContext, items: tuple[str, ...], count: int) -> list[str]:
    """The ``count`` items with the largest weighted deficit (map order breaks ties).

    The list is shared between callers of one case: treat it as read-only.
    """
    key = (items, count)
    found = context.worst.get(key)
    if found is None:
        found = context.worst[key] = sorted(items, key=context.rank.__getitem__)[:count]
    return found


def item_label(item: str) -> str:
    """'sleep': an item's label in running text."""
    return _LABELS[item]


def item_words(context: ClientContext, item: str) -> str:
    """'sleep (4 of a typical 11)': an item with the client's and the typical score."""
    score, typical, _ratio = context.scores[item]
    return f"{_LABELS[item]} ({score:g} of a typical {typical:.3g})"


def developmental_age(context: ClientContext, entry: Intervention) -> float:
    """The client's developmental age in the domain the entry demands."""
    domain = entry.demanded_domain
    if domain is None:
        return context.age
    return context.domain_ages.get(domain, context.age)


def relevance(
    context: ClientContext, entry: Intervention, priority: int, interest_match: bool
) -> dict[str, float]:
    """The relevance of one entry for this client: the score and its parts (3 decimals)."""
    planning = context.planning
    works_on, places, ceiling, domain = _relevance_static(entry)
    worst = worst_of(context, works_on, planning.worst_items) if works_on else []
    if worst and context.top_weighted > 0:
        weighted = context.weighted
        need = sum(weighted[i] for i in worst) / len(worst) / context.top_weighted
    else:
        need = 0.0
    if not places.isdisjoint(context.daily_settings):
        settings = 1.0
    elif not places.isdisjoint(_VISITED):
        settings = 0.5
    else:
        settings = 0.0
    fit = 1.0
    if ceiling is not None:
        age = context.age if domain is None else context.domain_ages.get(domain, context.age)
        above = age - ceiling
        if above > 0:
            fit = max(0.0, 1.0 - above / planning.fit_years)
    parts = {
        "need": round(need, 3),
        "interest": 1.0 if interest_match else 0.0,
        "settings": settings,
        "fit": round(fit, 3),
        "priority": round(priority / 100, 3),
    }
    weights = planning.relevance
    score = (
        weights.need * parts["need"]
        + weights.interest * parts["interest"]
        + weights.settings * parts["settings"]
        + weights.fit * parts["fit"]
        + weights.priority * parts["priority"]
    )
    return {"score": round(score, 3), **parts}


_VISITED = frozenset({"clinic", "community"})


@per_object()
def _relevance_static(
    entry: Intervention,
) -> tuple[tuple[str, ...], frozenset[str], float | None, str | None]:
    """(works_on, settings, max_developmental_age, demanded domain) of an entry, once."""
    return (
        tuple(entry.works_on),
        frozenset(entry.settings),
        entry.max_developmental_age,
        entry.demanded_domain,
    )


def region_of(item: str) -> str:
    """The region an item belongs to."""
    return _REGION_OF[item]
