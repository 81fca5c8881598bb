"""Profile facts: the scored case as plain dicts, with the start phase and the CMR gate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from neuroseq.engine.profile_facts import cmr_gate, profile_facts, start_phase, worst_impairment
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score

ROOT = Path(__file__).resolve().parents[2]


def _scored(name: str):  # type: ignore[no-untyped-def]
    case = load_case(ROOT / "examples" / f"{name}.yaml")
    return case, score(case)


@pytest.mark.parametrize(
    ("name", "phase", "gate", "worst"),
    [
        ("severe-young-child", "regulate", "deferred", "significant"),
        ("typical-9-year-old", None, "available", "typical"),
        ("uneven-adolescent", None, "available", "moderate"),
    ],
)
def test_start_phase_cmr_gate_and_worst_impairment_of_the_examples(
    name: str, phase: str | None, gate: str, worst: str
) -> None:
    case, profile = _scored(name)
    assert start_phase(profile) == phase
    assert cmr_gate(profile, case.client.age) == gate
    assert worst_impairment(profile) == worst


def test_profile_facts_one_per_item_region_domain_and_one_cmr_and_client() -> None:
    case, profile = _scored("severe-young-child")
    counts = Counter(fact["type"] for fact in profile_facts(case, profile))
    assert counts == {
        "item": 32,
        "region": 5,
        "risk": 5,
        "domain": 4,
        "cmr": 1,
        "relational_health": 1,
        "client": 1,
    }


def test_profile_facts_client_speaks_of_the_household() -> None:
    case, profile = _scored("severe-young-child")
    (client,) = [f for f in profile_facts(case, profile) if f["type"] == "client"]
    assert client["age"] == 6.0 and client["metric"] == "full"
    assert client["placement_kind"] == "foster"
    assert client["sibling_conflict"] == "yes"
    assert client["worst_impairment"] == "significant"


def test_profile_facts_round_the_cmr_to_2_decimals() -> None:
    case, profile = _scored("severe-young-child")
    (cmr,) = [f for f in profile_facts(case, profile) if f["type"] == "cmr"]
    assert cmr["value"] == round(profile.cmr.value, 2) == 0.56
    assert cmr["band"] == profile.cmr.band


def test_profile_facts_previous_cmr_gives_the_change() -> None:
    case, profile = _scored("severe-young-child")
    (first,) = [f for f in profile_facts(case, profile) if f["type"] == "client"]
    (later,) = [f for f in profile_facts(case, profile, previous_cmr=0.3) if f["type"] == "client"]
    assert first["has_previous"] is False
    assert later["has_previous"] is True
    assert later["cmr_change"] == pytest.approx(0.26, abs=0.01)


@pytest.mark.parametrize(
    ("name", "exposure"),
    [("severe-young-child", "yes"), ("typical-9-year-old", "no"), ("er-snapshot", "unknown")],
)
def test_profile_facts_trauma_exposure_is_three_valued(name: str, exposure: str) -> None:
    """Severity 2 or more in some period is yes; no history (ER) is unknown, never no."""
    case, profile = _scored(name)
    (client,) = [f for f in profile_facts(case, profile) if f["type"] == "client"]
    assert client["trauma_exposure"] == exposure
