"""A broken norms file gives every problem at once, each located by file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from neuroseq.errors import NormsError
from neuroseq.scoring.norms import Norms, default_norms, load_norms

BUNDLED = Path(default_norms().source).read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


def _last_line_of(text: str, fragment: str) -> int:
    return max(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "norms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NormsError) as caught:
        load_norms(path)
    return [str(problem) for problem in caught.value.problems]


def _mutate(old: str, new: str) -> str:
    assert BUNDLED.count(old) == 1, old
    return BUNDLED.replace(old, new)


def test_load_norms_missing_item_in_age_9_column_is_located(tmp_path: Path) -> None:
    text = _mutate("    sleep: 11                               # 8\n", "")
    line = _line_of(text, "  items:")
    assert _problems(tmp_path, text) == [
        f"{tmp_path / 'norms.yaml'}:{line}: typical.items.sleep: item 'sleep' is missing; "
        "give the typical value of all 32 items"
    ]


def test_load_norms_unknown_item_in_age_9_column_suggests_the_id(tmp_path: Path) -> None:
    text = _mutate("    sleep: 11 ", "    slep: 11 ")
    problems = _problems(tmp_path, text)
    line = _line_of(text, "slep: 11")
    assert (
        f"{tmp_path / 'norms.yaml'}:{line}: typical.items.slep: unknown item id 'slep'; "
        "did you mean 'sleep'?" in problems
    )
    assert any("typical.items.sleep: item 'sleep' is missing" in p for p in problems)


def test_load_norms_decreasing_curve_is_located_at_the_value(tmp_path: Path) -> None:
    text = _mutate("[0.15, 0.30, 0.52, 0.70,", "[0.15, 0.30, 0.52, 0.50,")
    line = _line_of(text, "limbic:  ")
    problems = _problems(tmp_path, text)
    assert problems == [
        f"{tmp_path / 'norms.yaml'}:{line}: maturation.curves.limbic[3]: the curve falls "
        "from 0.52 to 0.5; a region does not lose capacity as it matures, so values must "
        "not decrease"
    ]


def test_load_norms_unknown_key_is_located_with_a_hint(tmp_path: Path) -> None:
    text = _mutate("adult_score: 12\n", "adult_score: 12\nadult_scor: 12\n")
    line = _line_of(text, "adult_scor: 12")
    assert _problems(tmp_path, text) == [
        f"{tmp_path / 'norms.yaml'}:{line}: adult_scor: unknown key 'adult_scor'; "
        "did you mean 'adult_score'?"
    ]


def test_load_norms_nested_unknown_key_is_located(tmp_path: Path) -> None:
    text = _mutate("  significant_below: 0.70", "  significant_bellow: 0.70")
    problems = _problems(tmp_path, text)
    line = _line_of(text, "significant_bellow")
    assert (
        f"{tmp_path / 'norms.yaml'}:{line}: impairment.significant_bellow: unknown key "
        "'significant_bellow'; did you mean 'significant_below'?" in problems
    )
    assert any("impairment.significant_below: required key is missing" in p for p in problems)


def test_load_norms_curve_with_wrong_length(tmp_path: Path) -> None:
    text = _mutate("0.90, 0.95, 1.0]", "0.90, 1.0]")
    problems = _problems(tmp_path, text)
    assert len(problems) == 1
    assert "maturation.curves.cortex: has 8 values; give one per anchor age (9:" in problems[0]


def test_load_norms_curve_must_end_at_one_and_stay_in_range(tmp_path: Path) -> None:
    text = _mutate("0.83, 0.90, 1.0]", "0.83, 0.90, 0.95]")
    text = text.replace("[0.05, 0.15,", "[0.0, 0.15,")
    problems = _problems(tmp_path, text)
    assert any("frontal_cortex[8]: must end at 1.0 (got 0.95)" in p for p in problems)
    assert any("cortex[0]: too low: above 0" in p for p in problems)


def test_load_norms_anchor_ages_must_increase_from_zero(tmp_path: Path) -> None:
    text = _mutate("anchor_ages: [0, 1, 3, 6, 9,", "anchor_ages: [0, 1, 3, 3, 9,")
    problems = _problems(tmp_path, text)
    assert problems == [
        f"{tmp_path / 'norms.yaml'}:{_line_of(text, 'anchor_ages')}: maturation.anchor_ages[3]: "
        "anchor ages must increase; 3 follows 3"
    ]


def test_load_norms_item_in_two_domains(tmp_path: Path) -> None:
    text = _mutate(
        "    - abstract_reflective_cognition\n",
        "    - abstract_reflective_cognition\n    - sleep\n",
    )
    problems = _problems(tmp_path, text)
    line = _last_line_of(text, "    - sleep")
    assert problems == [
        f"{tmp_path / 'norms.yaml'}:{line}: domains.cognitive[8]: item 'sleep' is already in "
        "domain 'self_regulation'; each item belongs to exactly one domain"
    ]


def test_load_norms_item_in_no_domain(tmp_path: Path) -> None:
    text = _mutate("    - sleep\n", "")
    problems = _problems(tmp_path, text)
    line = text.splitlines().index("domains:") + 1
    assert problems == [
        f"{tmp_path / 'norms.yaml'}:{line}: domains: items in no domain: "
        "sleep; each item belongs to exactly one domain"
    ]


def test_load_norms_bands_must_start_at_zero_and_increase(tmp_path: Path) -> None:
    text = _mutate("{band: red, from: 0}", "{band: red, from: 1}")
    text = text.replace("{band: yellow, from: 7}", "{band: yellow, from: 3}")
    problems = _problems(tmp_path, text)
    assert any(
        f":{_line_of(text, 'band: red')}: bands[0].from: the first band must start at 0" in p
        for p in problems
    )
    assert any(
        f":{_line_of(text, 'band: yellow')}: bands[2].from: must be above the previous band's "
        "start (4)" in p
        for p in problems
    )


def test_load_norms_band_names_are_fixed_and_ordered(tmp_path: Path) -> None:
    text = _mutate("{band: pink, from: 4}", "{band: yellow, from: 4}")
    text = text.replace("{band: yellow, from: 7}", "{band: pink, from: 7}")
    problems = _problems(tmp_path, text)
    assert any(
        "bands: give the bands red, pink, yellow, light_green, green once each" in p
        for p in problems
    )
    unknown = _mutate("{band: pink, from: 4}", "{band: rose, from: 4}")
    assert any("bands[1].band: 'rose' is not allowed" in p for p in _problems(tmp_path, unknown))


def test_load_norms_cutoffs_and_thresholds_must_be_ordered(tmp_path: Path) -> None:
    text = _mutate("moderate_below: 0.85", "moderate_below: 0.60")
    text = text.replace("available_from: 2.0", "available_from: 0.9")
    text = text.replace("{category: high, from: 0.45}", "{category: high, from: 0.2}")
    problems = _problems(tmp_path, text)
    assert any(
        "impairment.moderate_below: must be above significant_below (0.7)" in p for p in problems
    )
    assert any("cmr.available_from: must be above brief_segments_from (1)" in p for p in problems)
    assert any(
        "risk.categories[2].from: must be above the previous category's start (0.25)" in p
        for p in problems
    )


def test_load_norms_cmr_sides_must_not_share_regions(tmp_path: Path) -> None:
    text = _mutate(
        "denominator_regions: [diencephalon_cerebellum, limbic]",
        "denominator_regions: [diencephalon_cerebellum, cortex]",
    )
    assert any(
        "cmr.denominator_regions[1]: region 'cortex' is also a numerator region" in p
        for p in _problems(tmp_path, text)
    )


def test_load_norms_type_errors_and_consistency_problems_in_one_run(tmp_path: Path) -> None:
    text = _mutate("adult_score: 12", 'adult_score: "12"')
    text = text.replace("[0.15, 0.30, 0.52, 0.70,", "[0.15, 0.30, 0.52, 0.50,")
    text = text.replace("schema: neuroseq/norms/v1", "schema: neuroseq/norms/v2")
    problems = _problems(tmp_path, text)
    assert len(problems) == 3
    assert any("adult_score: a number" in p for p in problems)
    assert any("maturation.curves.limbic[3]: the curve falls" in p for p in problems)
    assert any("schema: 'neuroseq/norms/v2' is not allowed" in p for p in problems)


def test_load_norms_yaml_problems_are_norms_errors(tmp_path: Path) -> None:
    assert _problems(tmp_path, BUNDLED + "adult_score: 11\n")[0].endswith(
        "adult_score: duplicate key 'adult_score' (first given on line "
        f"{_line_of(BUNDLED, 'adult_score: 12')}); give each key once"
    )
    with pytest.raises(NormsError, match="file not found"):
        load_norms(tmp_path / "missing.yaml")


def test_norms_model_validate_refuses_inconsistent_data() -> None:
    data = default_norms().model_dump(by_alias=True)
    data["impairment"] = {"significant_below": 0.9, "moderate_below": 0.8}
    with pytest.raises(ValidationError, match="impairment.moderate_below: must be above"):
        Norms.model_validate(data)
