"""The bundled norms: interpolation, typical-for-age values and lookups, hand-computed."""

from __future__ import annotations

import pytest

from neuroseq.scoring.items import ITEM_IDS, REGIONS, items_in_region
from neuroseq.scoring.norms import (
    DOMAINS,
    Norms,
    default_norms,
    load_norms,
    region_fraction,
    typical_item,
)

# DOMAIN.md section 2, items 1-32 in order.
PUBLISHED_AGE_9 = (
    [12, 12, 12, 12, 12, 12]
    + [11, 11, 10, 9, 10, 10, 10, 11]
    + [11, 10, 10, 9, 9, 11]
    + [10, 8, 11, 8, 10, 9]
    + [8, 8, 8, 8, 8, 8]
)


@pytest.fixture(scope="module")
def norms() -> Norms:
    return load_norms()


def test_load_norms_bundled_is_cached_and_identified(norms: Norms) -> None:
    assert load_norms() is norms is default_norms()
    assert norms.version == "1.0.0"
    assert norms.source.endswith("norms.yaml")
    assert len(norms.sha256) == 64


def test_load_norms_explicit_path_reads_the_same_values(norms: Norms) -> None:
    again = load_norms(norms.source)
    assert again is not norms
    assert again.model_dump() == norms.model_dump()
    assert again.sha256 == norms.sha256


def test_typical_column_matches_published_age_9_total_318(norms: Norms) -> None:
    assert [norms.typical.items[i] for i in ITEM_IDS] == PUBLISHED_AGE_9
    assert sum(PUBLISHED_AGE_9) == 318
    assert norms.typical_values(9) == tuple(float(v) for v in PUBLISHED_AGE_9)


@pytest.mark.parametrize(
    ("region", "age", "expected"),
    [
        ("brainstem", 0, 0.45),
        ("limbic", 6, 0.70),
        ("cortex", 9, 0.778),
        ("frontal_cortex", 25, 1.0),
        ("diencephalon_cerebellum", 18, 0.98),
    ],
)
def test_region_fraction_at_anchor_ages_is_the_table_value(
    region: str, age: float, expected: float
) -> None:
    assert region_fraction(region, age) == pytest.approx(expected, abs=1e-12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("region", "age", "expected"),
    [
        ("brainstem", 0.5, 0.45 + 0.30 * 0.5),  # 0.60
        ("cortex", 2, 0.15 + 0.23 * 0.5),  # 0.265
        ("limbic", 7.5, 0.70 + 0.133 * 0.5),  # 0.7665
        ("frontal_cortex", 21.5, 0.90 + 0.10 * 0.5),  # 0.95
    ],
)
def test_region_fraction_between_anchors_is_linear(
    region: str, age: float, expected: float
) -> None:
    assert region_fraction(region, age) == pytest.approx(expected, abs=1e-12)  # type: ignore[arg-type]


def test_region_fraction_above_last_anchor_is_one() -> None:
    for region in REGIONS:
        assert region_fraction(region, 40) == 1.0


def test_typical_item_worked_example_sleep_at_3() -> None:
    # 11 x .65 / .854
    assert typical_item("sleep", 3) == pytest.approx(8.3724, abs=1e-4)


def test_typical_item_worked_example_reading_verbal_at_15() -> None:
    # 8 + 4 x (.83 - .667) / (1 - .667)
    assert typical_item("reading_verbal", 15) == pytest.approx(9.9580, abs=1e-4)


def test_typical_item_below_9_scales_by_the_curve(norms: Norms) -> None:
    assert norms.typical_item("cardiovascular_ans", 0) == pytest.approx(12 * 0.45)
    assert norms.typical_item("nonverbal_cognition", 6) == pytest.approx(8 * 0.45 / 0.667)
    assert norms.typical_item("reward", 1) == pytest.approx(11 * 0.30 / 0.833)


def test_typical_item_from_9_moves_towards_12(norms: Norms) -> None:
    # concrete_cognition: 9 + 3 x (.85 - .778) / (1 - .778) = 9.973
    assert norms.typical_item("concrete_cognition", 12) == pytest.approx(9.97297, abs=1e-5)
    assert norms.typical_item("psychosexual", 18) == pytest.approx(9 + 3 * 0.127 / 0.167)


def test_typical_item_brainstem_keeps_12_from_age_6(norms: Norms) -> None:
    for age in (6, 9, 14.5, 25, 60):
        assert norms.typical_item("suck_swallow_gag", age) == 12


def test_typical_item_adults_score_12_everywhere(norms: Norms) -> None:
    assert norms.typical_values(25) == (12.0,) * 32
    assert norms.typical_values(47.3) == (12.0,) * 32


def test_typical_item_rejects_unknown_ids_and_negative_ages(norms: Norms) -> None:
    with pytest.raises(ValueError, match="unknown item id 'slep'; did you mean 'sleep'"):
        norms.typical_item("slep", 9)
    with pytest.raises(ValueError, match="age must be a number of years, 0 or more"):
        norms.typical_item("sleep", -1)
    with pytest.raises(ValueError, match="age must be a number of years"):
        norms.fraction("limbic", float("nan"))


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "red"),
        (3, "red"),
        (3.5, "red"),
        (4, "pink"),
        (6.5, "pink"),
        (7, "yellow"),
        (8.5, "yellow"),
        (9, "light_green"),
        (10.5, "light_green"),
        (11, "green"),
        (12, "green"),
    ],
)
def test_band_half_points_fall_in_the_lower_band(norms: Norms, score: float, band: str) -> None:
    assert norms.band(score) == band


@pytest.mark.parametrize(
    ("ratio", "impairment"),
    [(0.0, "significant"), (0.69, "significant"), (0.70, "moderate"), (0.844, "moderate")]
    + [(0.85, "typical"), (1.3, "typical")],
)
def test_impairment_cutoffs_are_strictly_below(norms: Norms, ratio: float, impairment: str) -> None:
    assert norms.impairment_of(ratio) == impairment


@pytest.mark.parametrize(
    ("cmr", "band"),
    [(0.0, "deferred"), (0.99, "deferred"), (1.0, "brief_segments"), (1.99, "brief_segments")]
    + [(2.0, "available"), (24.0, "available")],
)
def test_cmr_band_thresholds_1_and_2(norms: Norms, cmr: float, band: str) -> None:
    assert norms.cmr_band(cmr) == band


@pytest.mark.parametrize(
    ("value", "category"),
    [(0.0, "low"), (0.249, "low"), (0.25, "moderate"), (0.449, "moderate"), (0.45, "high")]
    + [(0.649, "high"), (0.65, "very_high"), (1.0, "very_high")],
)
def test_risk_category_cut_points(norms: Norms, value: float, category: str) -> None:
    assert norms.risk_category(value) == category


def test_domain_items_cover_every_item_once_in_map_order(norms: Norms) -> None:
    members = [item for domain in DOMAINS for item in norms.domain_items(domain)]
    assert sorted(members) == sorted(ITEM_IDS)
    assert norms.domain_items("relational") == (
        "reward",
        "attunement_empathy",
        "psychosexual",
        "relational_attachment",
        "self_awareness_self_image",
        "values_beliefs_morality",
    )


def test_norms_developmental_age_inverse_is_exact_between_anchors(norms: Norms) -> None:
    limbic = [item.id for item in items_in_region("limbic")]
    # f(2) = (.30 + .52) / 2 = .41, so the limbic sum at 2 is 60 x .41 / .833.
    at_two = 60 * 0.41 / 0.833
    age, at_or_above = norms.developmental_age(limbic, at_two, 12)
    assert age == pytest.approx(2.0, abs=1e-9)
    assert at_or_above is False


def test_norms_developmental_age_brainstem_at_3_for_a_teenager(norms: Norms) -> None:
    brainstem = ITEM_IDS[:6]
    age, at_or_above = norms.developmental_age(brainstem, 6 * 12 * 0.92, 15)
    assert age == pytest.approx(3.0, abs=1e-9)
    assert not at_or_above


def test_norms_developmental_age_at_or_above_returns_chronological_age(norms: Norms) -> None:
    brainstem = ITEM_IDS[:6]
    assert norms.developmental_age(brainstem, 72, 4) == (4.0, True)
    assert norms.developmental_age(brainstem, 72, 15) == (15.0, True)


def test_norms_developmental_age_below_the_newborn_typical_is_zero(norms: Norms) -> None:
    assert norms.developmental_age(ITEM_IDS[:6], 0, 10) == (0.0, False)
    assert norms.developmental_age(ITEM_IDS[:6], 6 * 12 * 0.45, 10) == (0.0, False)
