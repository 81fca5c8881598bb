"""Invariants of scoring, checked with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from neuroseq.scoring.items import ITEM_IDS
from neuroseq.scoring.norms import BANDS, default_norms
from neuroseq.scoring.profile import cortical_modulation_ratio, score_items

NORMS = default_norms()
HALF_POINTS = st.integers(min_value=0, max_value=24).map(lambda n: n / 2)
ITEM_SCORES = st.fixed_dictionaries({item_id: HALF_POINTS for item_id in ITEM_IDS})
AGES = st.floats(min_value=0.5, max_value=24, allow_nan=False)


@given(ITEM_SCORES, st.sampled_from(ITEM_IDS), st.integers(min_value=1, max_value=24))
def test_cortical_modulation_ratio_never_falls_when_one_item_score_rises(
    scores: dict[str, float], item_id: str, half_points: int
) -> None:
    raised = dict(scores)
    raised[item_id] = min(12.0, scores[item_id] + half_points / 2)
    assert cortical_modulation_ratio(raised) >= cortical_modulation_ratio(scores)


@given(AGES)
def test_norms_developmental_age_of_typical_scores_at_their_own_age_is_that_age(age: float) -> None:
    profile = score_items(NORMS.typical_scores(age), age)
    for group in (*profile.regions.values(), *profile.domains.values()):
        assert group.at_or_above_age, group.id
        assert group.developmental_age == age
        assert group.impairment == "typical"


@given(AGES, st.floats(min_value=0.3, max_value=40, allow_nan=False))
def test_norms_developmental_age_of_typical_scores_for_a_younger_age_recovers_it(
    age: float, years_older: float
) -> None:
    chronological = age + years_older
    profile = score_items(NORMS.typical_scores(age), chronological)
    for group in (*profile.regions.values(), *profile.domains.values()):
        if group.at_or_above_age:
            # Only a flat stretch of the norm curve allows this: the brainstem is
            # fully organised from 6, so its typical sum is the same at both ages.
            assert group.id == "brainstem" and age >= 6, group.id
            assert group.developmental_age == chronological
        elif group.impairment == "typical":
            # Typical for the older age: at or near it, not the inverse of the curve.
            assert group.at_or_near_age, group.id
            assert group.developmental_age == chronological
        else:
            assert abs(group.developmental_age - age) <= 0.3, group.id


@given(ITEM_SCORES, st.floats(min_value=0, max_value=60, allow_nan=False))
def test_norms_developmental_age_lies_between_zero_and_the_chronological_age(
    scores: dict[str, float], age: float
) -> None:
    profile = score_items(scores, age)
    for group in (*profile.regions.values(), *profile.domains.values()):
        assert 0.0 <= group.developmental_age <= age


@given(HALF_POINTS, HALF_POINTS)
def test_band_is_defined_for_every_half_point_and_never_falls(low: float, high: float) -> None:
    low, high = min(low, high), max(low, high)
    assert NORMS.band(low) in BANDS
    assert BANDS.index(NORMS.band(low)) <= BANDS.index(NORMS.band(high))


def test_band_of_every_half_point_from_0_to_12() -> None:
    bands = {n / 2: NORMS.band(n / 2) for n in range(25)}
    assert set(bands.values()) == set(BANDS)
    assert [score for score, band in bands.items() if band == "red"] == [0, 0.5, 1, 1.5, 2] + [
        2.5,
        3,
        3.5,
    ]
