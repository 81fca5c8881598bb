"""The case model: strict fields, ages from dates, provenance and the order of two assessments."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from neuroseq.scoring.case import (
    MEDICATION_CLASSES,
    PERIOD_START_YEARS,
    PSYCHOTROPIC_CLASSES,
    Case,
    earlier_assessment_problem,
)
from neuroseq.scoring.items import ITEM_IDS

ROOT = Path(__file__).resolve().parents[2]
TYPICAL: dict[str, Any] = yaml.safe_load(
    (ROOT / "examples" / "typical-9-year-old.yaml").read_text(encoding="utf-8")
)


def _case(**client: Any) -> Case:
    data = copy.deepcopy(TYPICAL)
    data["client"].update(client)
    data["client"] = {key: value for key, value in data["client"].items() if value is not None}
    return Case.model_validate(data)


def test_case_validates_a_bundled_example_without_provenance() -> None:
    case = Case.model_validate(TYPICAL)
    assert case.metric == "full"
    assert case.client.age == 9.0
    assert case.sha256 == ""
    assert case.with_sha256("ab" * 32).sha256 == "ab" * 32


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (12.5, "less than or equal to 12"),
        (7.25, "multiple of 0.5"),
        ("7", "valid number"),
    ],
    ids=["above-12", "quarter-point", "text"],
)
def test_case_item_scores_are_strict_half_points_0_to_12(value: object, message: str) -> None:
    data = copy.deepcopy(TYPICAL)
    data["cns"]["sleep"] = value
    with pytest.raises(ValidationError, match=message):
        Case.model_validate(data)


def test_case_refuses_unknown_keys() -> None:
    data = copy.deepcopy(TYPICAL)
    data["client"]["favourite_colour"] = "blue"
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Case.model_validate(data)


def test_client_age_from_date_of_birth_and_assessment_date() -> None:
    client = _case(
        age_years=None, date_of_birth=dt.date(2016, 3, 1), assessment_date=dt.date(2026, 3, 1)
    ).client
    assert client.age == pytest.approx(10.0, abs=0.01)


def test_client_needs_an_age_or_both_dates() -> None:
    with pytest.raises(ValidationError, match="give age_years, or date_of_birth together with"):
        _case(age_years=None)


def test_client_refuses_a_birth_after_the_assessment() -> None:
    with pytest.raises(ValidationError, match="date_of_birth is after assessment_date"):
        _case(age_years=None, date_of_birth=dt.date(2027, 1, 1))


def test_cns_scores_as_dict_is_in_map_order() -> None:
    scores = Case.model_validate(TYPICAL).cns.as_dict()
    assert tuple(scores) == ITEM_IDS
    assert all(isinstance(value, float) for value in scores.values())


def test_period_start_years_rise_through_development() -> None:
    starts = list(PERIOD_START_YEARS.values())
    assert starts == sorted(starts) and starts[0] == 0.0
    assert list(PERIOD_START_YEARS)[-1] == "adulthood"


def test_psychotropic_classes_are_the_medication_classes_but_non_psychotropic() -> None:
    assert PSYCHOTROPIC_CLASSES == set(MEDICATION_CLASSES) - {"non_psychotropic"}


def test_earlier_assessment_problem_orders_by_date() -> None:
    earlier = _case(assessment_date=dt.date(2025, 3, 2))
    later = _case(assessment_date=dt.date(2026, 3, 2))
    assert earlier_assessment_problem(earlier, later) is None
    field, message = earlier_assessment_problem(later, earlier) or ("", "")
    assert field == "client.assessment_date"
    assert message.startswith("the previous assessment is dated 2026-03-02, later than this one")
    _, same = earlier_assessment_problem(later, later) or ("", "")
    assert "the same day as this one (2026-03-02)" in same


def test_earlier_assessment_problem_orders_by_age_without_dates() -> None:
    younger = _case(assessment_date=None, age_years=8.0)
    older = _case(assessment_date=None, age_years=9.0)
    assert earlier_assessment_problem(younger, older) is None
    field, message = earlier_assessment_problem(older, younger) or ("", "")
    assert field == "client.age_years"
    assert "at age 9.00, not younger than this one (8.00)" in message
