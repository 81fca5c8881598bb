"""The family's summary: 5 to 8 plain sentences, the CMR in words, three first steps."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import neuroseq
from neuroseq.engine.workflow import PlanResult
from neuroseq.reports.family_summary import REGION_WORDS, cmr_in_words, family_summary, next_steps


@pytest.mark.parametrize(
    "stem", ["severe-young-child", "typical-9-year-old", "uneven-adolescent", "er-snapshot"]
)
def test_family_summary_is_5_to_8_sentences_without_numbers_of_the_scale(
    planned: Callable[[str], PlanResult], stem: str
) -> None:
    sentences = family_summary(planned(stem))
    assert 5 <= len(sentences) <= 8
    assert all(sentence.endswith(".") for sentence in sentences)
    assert not any(re.search(r"\d\.\d", sentence) for sentence in sentences)


def test_family_summary_of_a_typical_child_claims_no_impairment(
    planned: Callable[[str], PlanResult],
) -> None:
    sentences = family_summary(planned("typical-9-year-old"))
    assert "In every part of the brain, the child functions as is typical for age." in sentences


def test_cmr_in_words_says_what_may_help_now(planned: Callable[[str], PlanResult]) -> None:
    assert cmr_in_words(planned("severe-young-child")).startswith(
        "For now the thinking part of the brain cannot yet calm the stressed lower parts"
    )
    assert "talking and thinking-based work can be used" in cmr_in_words(
        planned("typical-9-year-old")
    )


def test_next_steps_one_for_the_web_the_family_and_the_client(
    planned: Callable[[str], PlanResult],
) -> None:
    steps = next_steps(planned("severe-young-child").plan.recommendations)
    assert [step.audience for step in steps] == ["therapeutic_web", "family", "client"]
    assert all(step.action in ("recommend", "continue", "resume") for step in steps)


def test_region_words_cover_every_region() -> None:
    from neuroseq.scoring.items import REGIONS

    assert set(REGION_WORDS) == set(REGIONS)


def test_typical_for_age_follows_the_planners_gate_not_a_number_of_its_own() -> None:
    from neuroseq.reports.family_summary import typical_for_age

    panel = Path(__file__).resolve().parent.parent / "data" / "panel"
    result = neuroseq.Planner.load().plan(neuroseq.load_case(panel / "typical-3.yaml"))
    assert result.profile.cmr.band != "available"  # a 3-year-old's CMR is below the floor
    assert result.plan.summary is not None and result.plan.summary.cmr_gate == "available"
    assert typical_for_age(result.profile, result.plan)
    assert "nothing is held back" in cmr_in_words(result)
    # A rule base whose cmr_for_age gates this child: the reports say what the planner did.
    gated = result.plan.model_copy(
        update={"summary": result.plan.summary.model_copy(update={"cmr_gate": "deferred"})}
    )
    assert not typical_for_age(result.profile, gated)
    without = result.plan.model_copy(update={"summary": None})
    assert typical_for_age(result.profile, without)  # no summary: the default cut-off
