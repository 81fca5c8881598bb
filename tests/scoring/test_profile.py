"""Scoring a case into a Profile and the plan's `scores` JSON, with hand-computed values."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.scoring.case import Case
from neuroseq.scoring.items import ITEM_IDS, items_in_region
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.norms import DOMAINS, default_norms
from neuroseq.scoring.profile import (
    Profile,
    cortical_modulation_ratio,
    profile_scores_json,
    score,
    score_case,
    score_items,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "typical-9-year-old.yaml"
NORMS = default_norms()


def _case(**changes: Any) -> Case:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return Case.model_validate(data)


def _scores(default: float, **by_region: float) -> dict[str, float]:
    scores = dict.fromkeys(ITEM_IDS, default)
    for region, value in by_region.items():
        for item in items_in_region(region):  # type: ignore[arg-type]
            scores[item.id] = value
    return scores


@pytest.fixture(scope="module")
def typical_9() -> Profile:
    return score(load_case(EXAMPLE))


def test_score_published_age_9_column_gives_cmr_4_67(typical_9: Profile) -> None:
    assert typical_9.cmr.value == pytest.approx(4.67, abs=0.01)
    assert typical_9.cmr.typical == pytest.approx(typical_9.cmr.value)
    assert typical_9.cmr.band == "available"
    assert (typical_9.cmr.brief_segments_from, typical_9.cmr.available_from) == (1.0, 2.0)


def test_score_published_age_9_column_every_ratio_is_one(typical_9: Profile) -> None:
    for group in (*typical_9.regions.values(), *typical_9.domains.values()):
        assert group.ratio == pytest.approx(1.0), group.id
        assert group.impairment == "typical"
        assert group.developmental_age == 9.0
        assert group.at_or_above_age
    assert all(item.ratio == pytest.approx(1.0) for item in typical_9.items.values())


def test_score_region_and_domain_sums(typical_9: Profile) -> None:
    sums = {name: group.score for name, group in typical_9.regions.items()}
    assert sums == {
        "brainstem": 72,
        "diencephalon_cerebellum": 82,
        "limbic": 60,
        "cortex": 56,
        "frontal_cortex": 48,
    }
    assert sum(sums.values()) == 318
    assert list(typical_9.domains) == list(DOMAINS)
    assert sum(group.score for group in typical_9.domains.values()) == 318
    assert typical_9.domains["relational"].score == 11 + 10 + 9 + 9 + 8 + 8


def test_score_copies_client_metric_relational_health_and_risk(typical_9: Profile) -> None:
    assert (typical_9.client_id, typical_9.metric, typical_9.age) == (
        "example-typical-9",
        "full",
        9,
    )
    assert typical_9.relational_health is not None
    assert typical_9.relational_health.family == 3
    assert typical_9.risk.overall == "low"
    assert list(typical_9.risk.periods) == ["perinatal", "infancy", "early_childhood", "childhood"]
    assert typical_9.norms_version == NORMS.version
    assert score_case is score


def test_score_er_metric_without_history_has_risk_not_assessed() -> None:
    profile = score(_case(metric="er", history=None, relational_health=None))
    assert profile.risk.overall == "not_assessed"
    assert profile.relational_health is None
    assert profile_scores_json(profile)["risk"] == {
        "overall": "not_assessed",
        "overall_value": None,
        "overall_period": None,
        "periods": {},
        "values": {},
    }


def test_score_severe_chronic_perinatal_neglect_is_very_high_risk() -> None:
    neglect = {
        "period": "perinatal",
        "adversity": 3,
        "pattern": "chronic",
        "bonding": 0,
        "family_support": 0,
        "community_support": 0,
    }
    profile = score(_case(history=[neglect]))
    assert profile.risk.overall == "very_high"
    assert profile.risk.periods["perinatal"].value == pytest.approx(1.0)


def test_score_items_impairment_is_relative_to_age() -> None:
    # fine_motor's typical score at 9 is 10: 7 / 10 = .70 is moderate, 6.5 significant.
    for value, expected in ((6.5, "significant"), (7, "moderate"), (8, "moderate")):
        scores = NORMS.typical_scores(9) | {"fine_motor": value}
        item = score_items(scores, 9).items["fine_motor"]
        assert (item.typical, item.impairment) == (10.0, expected)
    scores = NORMS.typical_scores(9) | {"fine_motor": 8.5}
    assert score_items(scores, 9).items["fine_motor"].impairment == "typical"


def test_score_items_fifteen_year_old_with_self_regulation_of_a_5_year_old() -> None:
    scores = NORMS.typical_scores(15)
    at_five = NORMS.typical_scores(5)
    for item_id in NORMS.domain_items("self_regulation"):
        scores[item_id] = round(at_five[item_id] * 2) / 2  # whole or half points, as a case
    profile = score_items(scores, 15)
    self_regulation = profile.domains["self_regulation"]
    assert 4 <= self_regulation.developmental_age <= 6.5
    assert not self_regulation.at_or_above_age
    assert self_regulation.impairment in ("moderate", "significant")
    exact_scores = NORMS.typical_scores(15)
    exact_scores.update({i: at_five[i] for i in NORMS.domain_items("self_regulation")})
    exact = score_items(exact_scores, 15)
    assert exact.domains["self_regulation"].developmental_age == pytest.approx(5.0, abs=1e-9)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (_scores(12), 24.0),  # deficit 0 floored at .5: 12 / .5
        (_scores(0), 0.0),  # 0 / 12
        (_scores(6), 1.0),  # 6 / 6
        (_scores(6, cortex=5, frontal_cortex=5), 5 / 6),
        (_scores(9, cortex=12, frontal_cortex=12, limbic=6, diencephalon_cerebellum=6), 2.0),
        (_scores(12, limbic=11.75), 12 / 0.5),  # mean deficit .107 floored at .5
    ],
)
def test_cortical_modulation_ratio_hand_computed(scores: dict[str, float], expected: float) -> None:
    assert cortical_modulation_ratio(scores) == pytest.approx(expected)


def test_score_items_cmr_band_and_typical_peer() -> None:
    low = score_items(_scores(6, cortex=5, frontal_cortex=5), 12)
    assert low.cmr.band == "deferred"
    assert score_items(_scores(6), 12).cmr.band == "brief_segments"
    assert low.cmr.typical == pytest.approx(cortical_modulation_ratio(NORMS.typical_scores(12)))


def test_score_items_rejects_missing_or_unknown_items() -> None:
    scores = _scores(6)
    del scores["sleep"]
    with pytest.raises(ValueError, match=r"missing \['sleep'\], unknown \[\]"):
        score_items(scores, 9)
    with pytest.raises(ValueError, match=r"unknown \['slep'\]"):
        score_items(scores | {"slep": 4}, 9)


def test_profile_is_immutable(typical_9: Profile) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        typical_9.age = 10  # type: ignore[misc]
    with pytest.raises(TypeError):
        typical_9.items["sleep"] = typical_9.items["reward"]  # type: ignore[index]
    with pytest.raises(AttributeError):  # a named tuple: fields cannot be set
        typical_9.regions["limbic"].score = 0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        typical_9.items["sleep"].score = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        typical_9.risk.periods["perinatal"] = typical_9.risk.periods["infancy"]  # type: ignore[index]


def test_profile_scores_json_has_the_contract_keys(typical_9: Profile) -> None:
    data = profile_scores_json(typical_9)
    assert list(data) == [
        "age",
        "cmr",
        "cmr_typical",
        "cmr_band",
        "items",
        "regions",
        "domains",
    ] + ["risk"]
    assert data["cmr"] == 4.67
    assert list(data["items"]) == list(ITEM_IDS)
    assert data["items"]["sleep"] == {
        "score": 11,
        "typical": 11.0,
        "ratio": 1.0,
        "band": "green",
        "impairment": "typical",
    }
    assert data["regions"]["brainstem"] == {
        "score": 72,
        "typical": 72.0,
        "ratio": 1.0,
        "impairment": "typical",
        "developmental_age": 9.0,
        "at_or_above_age": True,
        "at_or_near_age": True,
    }
    assert list(data["domains"]) == list(DOMAINS)
    assert data["risk"]["overall"] == "low"
    assert data["risk"]["periods"]["perinatal"] == "low"
    assert data["risk"]["values"]["perinatal"] == 0.0


def test_profile_scores_json_rounds_to_2_decimals_and_keeps_half_points() -> None:
    scores = NORMS.typical_scores(13.37)
    scores["sleep"] = 4.5
    data = profile_scores_json(score_items(scores, 13.37))
    assert data["items"]["sleep"]["score"] == 4.5
    assert data["items"]["sleep"]["band"] == "pink"
    assert data["items"]["reward"]["typical"] == round(NORMS.typical_item("reward", 13.37), 2)
    assert isinstance(data["regions"]["limbic"]["score"], float)
    for value in _floats(data):
        assert value == round(value, 2)


def _floats(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    return []


def test_profile_scores_json_is_byte_stable() -> None:
    case = load_case(EXAMPLE)
    first = json.dumps(profile_scores_json(score(case)), sort_keys=True)
    second = json.dumps(profile_scores_json(score(case)), sort_keys=True)
    assert first == second
