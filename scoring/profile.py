"""Score a case against the norms: Case --score(norms)--> Profile.

A :class:`Profile` is the functional brain map of one assessment next to a
typical same-age peer: every item's score, typical-for-age value, colour band,
ratio and impairment; the same per region and per domain with the
developmental age equivalent; the cortical modulation ratio (CMR) with the
CMR of a typical peer and what it allows; developmental risk per period; and
current relational health (Part D). It is immutable and deterministic, and
:func:`profile_scores_json` writes the ``scores`` object of the plan contract
(CASE_FORMAT.md) with every float rounded to 2 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from neuroseq.scoring.case import Case, HistoryPeriod, RelationalHealth
from neuroseq.scoring.items import ITEM_IDS, ITEMS, Region
from neuroseq.scoring.norms import (
    Band,
    CmrBand,
    Domain,
    Impairment,
    Norms,
    NormTables,
    default_norms,
)
from neuroseq.scoring.risk import DevelopmentalRisk, developmental_risk

__all__ = [
    "CorticalModulationRatio",
    "GroupScore",
    "ItemScore",
    "Metric",
    "Profile",
    "cortical_modulation_ratio",
    "profile_scores_json",
    "score",
    "score_case",
    "score_items",
    "scores_document",
]

Metric = Literal["full", "follow_up", "er"]

_ITEM_SET = frozenset(ITEM_IDS)


class ItemScore(NamedTuple):
    """One function on the map: the client's score beside the typical score for age.

    An immutable record (a named tuple: scoring builds 32 per case, and a frozen
    dataclass costs four times as much to create).
    """

    id: str
    number: int
    region: Region
    score: float
    typical: float
    ratio: float
    band: Band
    impairment: Impairment


class GroupScore(NamedTuple):
    """A region or a domain: summed scores, impairment and developmental age equivalent."""

    id: str
    kind: Literal["region", "domain"]
    items: tuple[str, ...]
    score: float
    """Sum of the client's item scores."""
    typical: float
    """Sum of the typical item scores for the client's age."""
    ratio: float
    impairment: Impairment
    developmental_age: float
    """Age (years) at which the typical mean equals the client's mean; the
    chronological age when the group is typical for age (see ``at_or_near_age``)."""
    at_or_above_age: bool
    """The client reaches (or passes) the typical sum for their age."""
    at_or_near_age: bool = False
    """The group is rated typical for age: at or above the typical sum, or short
    of it by less than the moderate cut-off. Its developmental age is then the
    chronological age, never an inverse read off a flat stretch of the norm
    curve (a teenager's brainstem at 0.94 of typical is at age, not 11 years
    below it)."""

    @property
    def mean(self) -> float:
        return self.score / len(self.items)

    @property
    def typical_mean(self) -> float:
        return self.typical / len(self.items)


@dataclass(frozen=True, slots=True)
class CorticalModulationRatio:
    """Top-down cortical capacity relative to lower-network dysregulation."""

    value: float
    typical: float
    """The CMR of a typical peer of the client's age."""
    band: CmrBand
    """``deferred`` below ``brief_segments_from``, ``brief_segments`` below
    ``available_from``, else ``available``."""
    brief_segments_from: float
    available_from: float


@dataclass(frozen=True, slots=True)
class Profile:
    """The scored assessment of one client; the input of planning and reports."""

    client_id: str
    metric: Metric
    age: float
    items: Mapping[str, ItemScore]
    """By item id, in map order (1-32)."""
    regions: Mapping[Region, GroupScore]
    """Bottom-up: brainstem first, frontal_cortex last."""
    domains: Mapping[Domain, GroupScore]
    cmr: CorticalModulationRatio
    risk: DevelopmentalRisk
    relational_health: RelationalHealth | None
    """Part D, current relational health, as given in the case."""
    norms_version: str


def score(case: Case, norms: Norms | None = None) -> Profile:
    """Score one validated case (bundled norms by default)."""
    return score_items(
        case.cns.as_dict(),
        case.client.age,
        norms,
        history=case.history,
        relational_health=case.relational_health,
        client_id=case.client.id,
        metric=case.metric,
    )


score_case = score
"""Alias of :func:`score` (the name ``cli.py`` imports)."""


def score_items(
    scores: Mapping[str, float],
    age: float,
    norms: Norms | None = None,
    *,
    history: Sequence[HistoryPeriod] | None = None,
    relational_health: RelationalHealth | None = None,
    client_id: str = "",
    metric: Metric = "full",
) -> Profile:
    """Score the 32 item scores of a client aged ``age``; the core of :func:`score`."""
    norms = norms or default_norms()
    if scores.keys() != _ITEM_SET:
        missing = sorted(_ITEM_SET - scores.keys())
        unknown = sorted(set(scores) - _ITEM_SET)
        raise ValueError(f"scores need every item id once; missing {missing}, unknown {unknown}")
    tables = norms.tables
    typical = norms.typical_values(age)
    age = float(age)
    values = tuple(float(scores[item_id]) for item_id in ITEM_IDS)

    items: dict[str, ItemScore] = {}
    band = tables.band
    impairment = tables.impairment
    for item, value, expected in zip(ITEMS, values, typical, strict=True):
        ratio = value / expected
        items[item.id] = ItemScore(
            item.id,
            item.number,
            item.region,
            value,
            expected,
            ratio,
            band(value),
            impairment(ratio),
        )

    regions = {
        region: _group(region, "region", indices, values, typical, age, tables)
        for region, indices in tables.region_indices.items()
    }
    domains = {
        domain: _group(domain, "domain", indices, values, typical, age, tables)
        for domain, indices in tables.domain_indices.items()
    }
    value = tables.cortical_modulation_ratio(values)
    cmr = CorticalModulationRatio(
        value=value,
        typical=tables.cortical_modulation_ratio(typical),
        band=tables.cmr_band(value),
        brief_segments_from=norms.cmr.brief_segments_from,
        available_from=norms.cmr.available_from,
    )
    return Profile(
        client_id=client_id,
        metric=metric,
        age=age,
        items=MappingProxyType(items),
        regions=MappingProxyType(regions),
        domains=MappingProxyType(domains),
        cmr=cmr,
        risk=developmental_risk(history, norms),
        relational_health=relational_health,
        norms_version=norms.version,
    )


def _group(
    name: str,
    kind: Literal["region", "domain"],
    indices: tuple[int, ...],
    values: Sequence[float],
    typical: Sequence[float],
    age: float,
    tables: NormTables,
) -> GroupScore:
    total = sum(values[i] for i in indices)
    expected = sum(typical[i] for i in indices)
    ratio = total / expected
    impairment = tables.impairment(ratio)
    developmental_age, at_or_above = tables.developmental_age(indices, total, expected, age)
    # Within the typical band the inverse of the norm curve says nothing: where
    # the curve is flat (the brainstem from 6 on) a shortfall of a few per cent
    # maps to an age many years younger. A group typical for age is at age.
    near = at_or_above or impairment == "typical"
    if near:
        developmental_age = age
    return GroupScore(
        name,
        kind,
        tuple(ITEM_IDS[i] for i in indices),
        total,
        expected,
        ratio,
        impairment,
        developmental_age,
        at_or_above,
        near,
    )


def cortical_modulation_ratio(scores: Mapping[str, float], norms: Norms | None = None) -> float:
    """CMR of 32 item scores by id (DOMAIN.md section 3; constants from the norms).

    Mean score of the numerator regions' items (cortex, frontal cortex)
    divided by the mean deficit (12 - score) of the denominator regions'
    items (diencephalon/cerebellum, limbic), that mean deficit floored at 0.5.
    """
    norms = norms or default_norms()
    return norms.tables.cortical_modulation_ratio([float(scores[i]) for i in ITEM_IDS])


# --- the plan's `scores` object ------------------------------------------------


def _num(value: float) -> float:
    return round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def _score(value: float) -> int | float:
    """Client scores: integral values as ints (4, not 4.0), half points as floats."""
    return int(value) if float(value).is_integer() else _num(value)


def _group_json(group: GroupScore) -> dict[str, Any]:
    return {
        "score": _score(group.score),
        "typical": _num(group.typical),
        "ratio": _num(group.ratio),
        "impairment": group.impairment,
        "developmental_age": _num(group.developmental_age),
        "at_or_above_age": group.at_or_above_age,
        "at_or_near_age": group.at_or_near_age,
    }


def profile_scores_json(profile: Profile) -> dict[str, Any]:
    """The ``scores`` object of a plan (CASE_FORMAT.md), byte-stable when dumped.

    Floats are rounded to 2 decimals; whole client scores are ints. Keys beyond
    the contract: ``age``, ``cmr_typical``, ``cmr_band``, item ``ratio``, group
    ``at_or_above_age`` and ``at_or_near_age``, risk ``overall_value``, ``overall_period``
    and ``values``.
    """
    risk = profile.risk
    return {
        "age": _num(profile.age),
        "cmr": _num(profile.cmr.value),
        "cmr_typical": _num(profile.cmr.typical),
        "cmr_band": profile.cmr.band,
        "items": {  # _score and _num written out: this runs for 32 items of every plan
            item_id: {
                "score": int(item.score)
                if float(item.score).is_integer()
                else round(item.score, 2) + 0.0,
                "typical": round(item.typical, 2) + 0.0,
                "ratio": round(item.ratio, 2) + 0.0,
                "band": item.band,
                "impairment": item.impairment,
            }
            for item_id, item in profile.items.items()
        },
        "regions": {name: _group_json(group) for name, group in profile.regions.items()},
        "domains": {name: _group_json(group) for name, group in profile.domains.items()},
        "risk": {
            "overall": risk.overall,
            "overall_value": None if risk.overall_value is None else _num(risk.overall_value),
            "overall_period": risk.overall_period,
            "periods": {period: entry.category for period, entry in risk.periods.items()},
            "values": {period: _num(entry.value) for period, entry in risk.periods.items()},
        },
    }


SCORES_SCHEMA = "neuroseq/scores/v1"


def scores_document(profile: Profile) -> dict[str, Any]:
    """What ``neuroseq score --format json`` writes (``neuroseq schema scores``)."""
    return {
        "schema": SCORES_SCHEMA,
        "client_id": profile.client_id,
        "metric": profile.metric,
        "scores": profile_scores_json(profile),
    }
