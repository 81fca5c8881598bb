"""The estimator weights file: project defaults, validated strictly, every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.errors import CaregiverError
from neuroseq.scoring.caregiver_weights import default_weights, load_weights

BUNDLED = Path(default_weights().source).read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "weights.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaregiverError) as caught:
        load_weights(path)
    return [str(problem) for problem in caught.value.problems]


def _mutate(old: str, new: str) -> str:
    assert BUNDLED.count(old) == 1, old
    return BUNDLED.replace(old, new)


def test_default_weights_are_marked_as_project_defaults() -> None:
    weights = default_weights()
    assert weights.version == "2026.11.0"
    assert len(weights.sha256) == 64
    assert "PROJECT DEFAULTS. Nothing in this file is published." in BUNDLED
    assert weights.resources.internal_share == 0.5
    assert [band.from_ for band in weights.challenge.age_factors] == [0, 5]
    assert weights.age_factor(4.9) == 1.25 and weights.age_factor(5) == 1.0


def test_load_weights_file_is_used_and_fingerprinted(tmp_path: Path) -> None:
    path = tmp_path / "weights.yaml"
    path.write_text(BUNDLED.replace("per_child_base: 10", "per_child_base: 12"), encoding="utf-8")
    weights = load_weights(path)
    assert weights.challenge.per_child_base == 12
    assert weights.source == str(path) and weights.sha256 != default_weights().sha256


@pytest.mark.parametrize(
    ("old", "new", "message", "where"),
    [
        (
            "    physical_health: 1.0",
            "    physical_health: -1",
            "resources.internal.physical_health: too low: at least 0",
            "physical_health: -1",
        ),
        (
            "  adequate_from: 0",
            "  adequate_from: -30",
            "categories.adequate_from: must be above strained_from (-20)",
            "adequate_from: -30",
        ),
        (
            "    - {from: 0, factor: 1.25}",
            "    - {from: 1, factor: 1.25}",
            "challenge.age_factors[0].from: the first age band must start at 0",
            "{from: 1, factor: 1.25}",
        ),
        (
            "      high: 0.67",
            "      high: 0.2",
            "challenge.from_profile.risk.high: must not be below moderate (0.33)",
            "high: 0.2",
        ),
        (
            "  internal_share: 0.5",
            "  internal_share: 1.5",
            "resources.internal_share: too high: at most 1",
            "internal_share: 1.5",
        ),
        (
            "  per_child_span: 40",
            "  per_child_spam: 40",
            "challenge.per_child_spam: unknown key 'per_child_spam'; did you mean 'per_child_span'?",
            "per_child_spam",
        ),
    ],
)
def test_load_weights_problem_is_located(
    tmp_path: Path, old: str, new: str, message: str, where: str
) -> None:
    text = _mutate(old, new)
    problems = _problems(tmp_path, text)
    expected = f"{tmp_path / 'weights.yaml'}:{_line_of(text, where)}: {message}"
    assert any(p.startswith(expected) for p in problems), problems


def test_load_weights_all_zero_group_is_refused(tmp_path: Path) -> None:
    text = BUNDLED
    for name in ("behavioural", "emotional", "medical", "developmental"):
        text = text.replace(f"    {name}: 1.0", f"    {name}: 0")
    problems = _problems(tmp_path, text)
    line = _line_of(text, "  direct_ratings:")
    assert problems == [
        f"{tmp_path / 'weights.yaml'}:{line}: challenge.direct_ratings: every direct rating "
        "weight is 0; give at least one a weight above 0"
    ]


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (-20.01, "depleted"),
        (-20, "strained"),
        (-0.01, "strained"),
        (0, "adequate"),
        (24.99, "adequate"),
        (25, "strong"),
    ],
)
def test_caregiver_weights_category_cut_offs(value: float, category: str) -> None:
    assert default_weights().category(value) == category
