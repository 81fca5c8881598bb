"""The caregiver fact: a scored home as the engine's ``caregiver`` fact, in step with FACT_TYPES."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.engine.caregiver_facts import caregiver_fact, typical_caregiver_fact
from neuroseq.engine.facts import FACT_TYPES
from neuroseq.scoring.caregiver_loader import load_caregiver
from neuroseq.scoring.caregiver_score import score_caregiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "fact",
    [
        typical_caregiver_fact(),
        caregiver_fact(
            score_caregiver(load_caregiver(ROOT / "examples" / "caregiver-depleted.yaml"))
        ),
    ],
    ids=["typical", "depleted example"],
)
def test_caregiver_fact_has_exactly_the_fact_type_fields(fact: dict[str, object]) -> None:
    spec = FACT_TYPES["caregiver"]
    assert set(fact) == {"type", "id", *(f.name for f in spec.fields)}
    assert (fact["type"], fact["id"]) == ("caregiver", "caregiver")
    for field in spec.fields:
        value = fact[field.name]
        if field.kind == "number":
            assert isinstance(value, int | float) and field.low <= value <= field.high, field.name  # type: ignore[operator]
        else:
            assert value in field.values, field.name


def test_typical_caregiver_fact_is_an_adequate_home_with_one_child() -> None:
    fact = typical_caregiver_fact()
    assert (fact["reserve_category"], fact["children"]) == ("adequate", 1)
    assert fact["reserve"] == pytest.approx(fact["resources"] - fact["challenge"], abs=0.01)


def test_caregiver_fact_of_the_depleted_example_carries_its_reserve() -> None:
    reserve = score_caregiver(load_caregiver(ROOT / "examples" / "caregiver-depleted.yaml"))
    fact = caregiver_fact(reserve)
    assert fact["reserve_category"] == "depleted" == reserve.category
    assert fact["reserve"] == pytest.approx(reserve.reserve, abs=0.01)
