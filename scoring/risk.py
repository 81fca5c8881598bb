"""Developmental risk from the history (Parts A and B of a case), per period.

For each period the client has lived through and the history describes::

    adversity a          = severity / 3 x pattern factor
    relational health r  = mean(bonding, family_support, community_support) / 3
    period risk          = timing weight x (a + (1 - r)) / 2

and the overall risk is the highest period (DOMAIN.md section 3). The
factors, weights and category cut points come from the norms; a case without
history (an ER metric) has no developmental risk: ``not_assessed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from neuroseq.scoring.case import HistoryPeriod
from neuroseq.scoring.norms import Norms, RiskCategory
from neuroseq.vocabulary import PERIODS, Period

__all__ = [
    "RATING_SCALE_MAX",
    "DevelopmentalRisk",
    "OverallRisk",
    "PeriodRisk",
    "developmental_risk",
    "period_risk",
]

#: Top of the 0-3 rating scale of Parts A, B and D. This is the case format's
#: scale (``scoring/case.py``, ``Rating``), not a norm, so it is not in norms.yaml.
RATING_SCALE_MAX = 3.0

OverallRisk = RiskCategory | Literal["not_assessed"]


@dataclass(frozen=True, slots=True)
class PeriodRisk:
    """The risk of one developmental period, with the values that produced it."""

    period: Period
    adversity: float
    """``a``: severity / 3 x pattern factor, 0-1."""
    relational_health: float
    """``r``: mean of bonding, family and community support / 3, 0-1."""
    weight: float
    value: float
    category: RiskCategory


@dataclass(frozen=True, slots=True)
class DevelopmentalRisk:
    """Risk per period of the history (developmental order) and overall."""

    periods: Mapping[Period, PeriodRisk]
    overall: OverallRisk
    overall_value: float | None
    overall_period: Period | None

    @property
    def assessed(self) -> bool:
        """False when there was no history to assess (for instance an ER metric)."""
        return self.overall_period is not None


NOT_ASSESSED = DevelopmentalRisk(MappingProxyType({}), "not_assessed", None, None)


def period_risk(entry: HistoryPeriod, norms: Norms) -> PeriodRisk:
    """The risk of one history entry."""
    settings = norms.risk
    factor: float = getattr(settings.pattern_factors, entry.pattern)
    weight: float = getattr(settings.timing_weights, entry.period)
    adversity = entry.adversity / RATING_SCALE_MAX * factor
    relational = (
        (entry.bonding + entry.family_support + entry.community_support) / 3 / RATING_SCALE_MAX
    )
    value = weight * (adversity + (1.0 - relational)) / 2.0
    return PeriodRisk(
        period=entry.period,
        adversity=adversity,
        relational_health=relational,
        weight=weight,
        value=value,
        category=norms.tables.risk_category(value),
    )


def developmental_risk(history: Iterable[HistoryPeriod] | None, norms: Norms) -> DevelopmentalRisk:
    """Risk of every period in ``history``; overall = the highest (earliest on a tie)."""
    if not history:
        return NOT_ASSESSED
    by_period = {entry.period: period_risk(entry, norms) for entry in history}
    if not by_period:
        return NOT_ASSESSED
    ordered = {period: by_period[period] for period in PERIODS if period in by_period}
    highest = max(ordered.values(), key=lambda risk: risk.value)
    return DevelopmentalRisk(
        periods=MappingProxyType(ordered),
        overall=highest.category,
        overall_value=highest.value,
        overall_period=highest.period,
    )
