"""Developmental risk per period and overall, checked against hand-computed values."""

from __future__ import annotations

import pytest

from neuroseq.scoring.case import HistoryPeriod
from neuroseq.scoring.norms import default_norms
from neuroseq.scoring.risk import developmental_risk, period_risk

NORMS = default_norms()


def _period(
    period: str,
    adversity: float,
    pattern: str,
    bonding: float,
    family: float,
    community: float,
) -> HistoryPeriod:
    return HistoryPeriod.model_validate(
        {
            "period": period,
            "adversity": adversity,
            "pattern": pattern,
            "bonding": bonding,
            "family_support": family,
            "community_support": community,
        }
    )


def test_period_risk_typical_history_without_adversity_is_low() -> None:
    history = [
        _period(name, 0, "none", 3, 3, 3)
        for name in ("perinatal", "infancy", "early_childhood", "childhood")
    ]
    risk = developmental_risk(history, NORMS)
    assert [entry.value for entry in risk.periods.values()] == [0.0, 0.0, 0.0, 0.0]
    assert risk.overall == "low"
    assert risk.overall_value == 0.0


def test_period_risk_severe_chronic_perinatal_neglect_without_relational_health() -> None:
    # a = 3/3 x 1.0 = 1; r = 0; 1.0 x (1 + 1) / 2 = 1.0
    risk = developmental_risk([_period("perinatal", 3, "chronic", 0, 0, 0)], NORMS)
    assert risk.periods["perinatal"].value == pytest.approx(1.0)
    assert risk.overall == "very_high"
    assert risk.overall_period == "perinatal"


def test_period_risk_episodic_infancy_is_high() -> None:
    # a = 2/3 x .8 = .5333; r = mean(1, 2, 0) / 3 = .3333; .9 x (.5333 + .6667) / 2 = .54
    entry = period_risk(_period("infancy", 2, "episodic", 1, 2, 0), NORMS)
    assert entry.adversity == pytest.approx(0.5333, abs=1e-4)
    assert entry.relational_health == pytest.approx(1 / 3)
    assert entry.weight == 0.9
    assert entry.value == pytest.approx(0.54)
    assert entry.category == "high"


def test_period_risk_single_event_in_supported_childhood_is_low() -> None:
    # a = 1/3 x .6 = .2; r = 2/3; .55 x (.2 + .3333) / 2 = .14667
    entry = period_risk(_period("childhood", 1, "single", 3, 3, 0), NORMS)
    assert entry.value == pytest.approx(0.146667, abs=1e-6)
    assert entry.category == "low"


def test_period_risk_pattern_none_ignores_severity() -> None:
    # a = 0; r = 1/3; .75 x (0 + .6667) / 2 = .25 -> moderate (from .25 on)
    entry = period_risk(_period("early_childhood", 3, "none", 1, 1, 1), NORMS)
    assert entry.adversity == 0.0
    assert entry.value == pytest.approx(0.25)
    assert entry.category == "moderate"


def test_period_risk_late_periods_weigh_less() -> None:
    # the same worst period: adolescence .4 -> moderate, adulthood .3 -> moderate
    assert period_risk(_period("adolescence", 3, "chronic", 0, 0, 0), NORMS).category == "moderate"
    adult = period_risk(_period("adulthood", 3, "chronic", 0, 0, 0), NORMS)
    assert adult.value == pytest.approx(0.3)
    assert adult.category == "moderate"


def test_developmental_risk_overall_is_the_highest_period_in_developmental_order() -> None:
    history = [
        _period("childhood", 1, "single", 3, 3, 0),  # .1467 low
        _period("perinatal", 0, "none", 3, 3, 3),  # 0 low
        _period("infancy", 2, "episodic", 1, 2, 0),  # .54 high
    ]
    risk = developmental_risk(history, NORMS)
    assert list(risk.periods) == ["perinatal", "infancy", "childhood"]
    assert risk.overall == "high"
    assert risk.overall_period == "infancy"
    assert risk.overall_value == pytest.approx(0.54)
    assert risk.assessed


def test_developmental_risk_tie_goes_to_the_earliest_period() -> None:
    history = [_period("infancy", 0, "none", 3, 3, 3), _period("perinatal", 0, "none", 3, 3, 3)]
    assert developmental_risk(history, NORMS).overall_period == "perinatal"


@pytest.mark.parametrize("history", [None, ()])
def test_developmental_risk_without_history_is_not_assessed(
    history: tuple[HistoryPeriod, ...] | None,
) -> None:
    risk = developmental_risk(history, NORMS)
    assert risk.overall == "not_assessed"
    assert risk.overall_value is None
    assert risk.overall_period is None
    assert dict(risk.periods) == {}
    assert not risk.assessed
