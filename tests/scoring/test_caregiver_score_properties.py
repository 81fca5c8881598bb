"""Invariants of the Caregiver Challenge Estimator, checked with hypothesis.

More resources never lower the reserve; more challenge never raises it; for
the bundled weights and for any valid (non-negative) weights.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from neuroseq.scoring.caregiver import (
    CHILD_RATINGS,
    EXTERNAL_RESOURCES,
    HOUSEHOLD_DEMANDS,
    INTERNAL_RESOURCES,
    REVERSE_SCORED,
    CaregiverFile,
)
from neuroseq.scoring.caregiver_loader import CaregiverAssessment
from neuroseq.scoring.caregiver_score import CaregiverReserve, score_caregiver
from neuroseq.scoring.caregiver_weights import CaregiverWeights, default_weights
from neuroseq.scoring.loader import load_case

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "severe": load_case(ROOT / "examples" / "severe-young-child.yaml"),
    "typical": load_case(ROOT / "examples" / "typical-9-year-old.yaml"),
}
BUNDLED = yaml.safe_load(Path(default_weights().source).read_text(encoding="utf-8"))

HALF = st.integers(min_value=0, max_value=6).map(lambda n: n / 2)
RATED_CHILD = st.fixed_dictionaries(
    {
        "age_years": st.integers(min_value=0, max_value=36).map(lambda n: n / 2),
        **{name: HALF for name in CHILD_RATINGS},
    }
)
CASE_CHILD = st.sampled_from(sorted(CASES)).map(lambda which: {"case": which})
HOMES = st.fixed_dictionaries(
    {
        "internal": st.fixed_dictionaries({name: HALF for name in INTERNAL_RESOURCES}),
        "external": st.fixed_dictionaries({name: HALF for name in EXTERNAL_RESOURCES}),
        "children": st.lists(st.one_of(RATED_CHILD, CASE_CHILD), max_size=4),
        "demands": st.fixed_dictionaries({name: HALF for name in HOUSEHOLD_DEMANDS}),
    }
)
STEPS = st.integers(min_value=1, max_value=6).map(lambda n: n / 2)
WEIGHT = st.integers(min_value=0, max_value=10).map(lambda n: n / 2)


def _group(draw: Any, names: tuple[str, ...]) -> dict[str, float]:
    values = {name: draw(WEIGHT) for name in names}
    if not any(values.values()):
        values[names[0]] = 1.0
    return values


@st.composite
def any_weights(draw: Any) -> CaregiverWeights:
    """Any valid weights: non-negative, at least one positive per group."""
    data = copy.deepcopy(BUNDLED)
    data["resources"]["internal_share"] = draw(st.integers(0, 10)) / 10
    data["resources"]["internal"] = _group(draw, INTERNAL_RESOURCES)
    data["resources"]["external"] = _group(draw, EXTERNAL_RESOURCES)
    challenge = data["challenge"]
    challenge["per_child_base"] = draw(st.integers(0, 30))
    challenge["per_child_span"] = draw(st.integers(0, 80))
    challenge["direct_ratings"] = _group(draw, CHILD_RATINGS)
    challenge["from_profile"]["weights"] = _group(
        draw, ("impairment", "cmr", "developmental_gap", "risk")
    )
    challenge["household_demands"] = {name: draw(st.integers(0, 20)) for name in HOUSEHOLD_DEMANDS}
    return CaregiverWeights.model_validate(data)


WEIGHTS = st.one_of(st.just(default_weights()), any_weights())


def _score(home: dict[str, Any], weights: CaregiverWeights) -> CaregiverReserve:
    children, cases = [], {}
    for index, child in enumerate(home["children"]):
        children.append(child)
        if "case" in child:
            cases[index] = CASES[child["case"]]
    document = CaregiverFile.model_validate(
        {
            "schema": "neuroseq/caregiver/v1",
            "caregiver": {"id": "prop", "placement_type": "foster"},
            "internal_resources": home["internal"],
            "external_resources": home["external"],
            "challenges": {"children": children, "other_household_demands": home["demands"]},
        }
    )
    return score_caregiver(
        CaregiverAssessment("memory", document, MappingProxyType(cases)), weights
    )


@given(HOMES, st.sampled_from((*INTERNAL_RESOURCES, *EXTERNAL_RESOURCES)), STEPS, WEIGHTS)
@settings(max_examples=150, deadline=None)
def test_score_caregiver_more_resources_never_lower_the_reserve(
    home: dict[str, Any], item: str, step: float, weights: CaregiverWeights
) -> None:
    more = copy.deepcopy(home)
    group = "internal" if item in INTERNAL_RESOURCES else "external"
    if item in REVERSE_SCORED:  # a burden: less of it is more resource
        more[group][item] = max(0.0, home[group][item] - step)
    else:
        more[group][item] = min(3.0, home[group][item] + step)
    before, after = _score(home, weights), _score(more, weights)
    assert after.reserve >= before.reserve
    assert after.resources >= before.resources - 1e-9
    assert after.challenge == before.challenge
    assert 0 <= after.internal.score <= 100 and 0 <= after.external.score <= 100


@st.composite
def more_challenge(draw: Any, home: dict[str, Any]) -> dict[str, Any]:
    """The same home with one more demand, a higher child rating, or one more child."""
    more = copy.deepcopy(home)
    rated = [i for i, child in enumerate(home["children"]) if "case" not in child]
    kind = draw(st.sampled_from(("demand", "child", "rating") if rated else ("demand", "child")))
    step = draw(STEPS)
    if kind == "demand":
        name = draw(st.sampled_from(HOUSEHOLD_DEMANDS))
        more["demands"][name] = min(3.0, home["demands"][name] + step)
    elif kind == "child":
        more["children"].append(draw(st.one_of(RATED_CHILD, CASE_CHILD)))
    else:
        index, name = draw(st.sampled_from(rated)), draw(st.sampled_from(CHILD_RATINGS))
        more["children"][index][name] = min(3.0, home["children"][index][name] + step)
    return more


@given(st.data(), HOMES.filter(lambda h: len(h["children"]) < 4), WEIGHTS)
@settings(max_examples=150, deadline=None)
def test_score_caregiver_more_challenge_never_raises_the_reserve(
    data: st.DataObject, home: dict[str, Any], weights: CaregiverWeights
) -> None:
    more = data.draw(more_challenge(home))
    before, after = _score(home, weights), _score(more, weights)
    assert after.reserve <= before.reserve
    assert after.challenge >= before.challenge - 1e-9
    assert after.resources == before.resources


@given(HOMES, WEIGHTS)
@settings(max_examples=100, deadline=None)
def test_caregiver_reserve_is_resources_minus_challenge_and_its_category_follows(
    home: dict[str, Any], weights: CaregiverWeights
) -> None:
    reserve = _score(home, weights)
    assert abs(reserve.reserve - (reserve.resources - reserve.challenge)) <= 0.005 + 1e-9
    assert reserve.category == weights.category(reserve.reserve)
