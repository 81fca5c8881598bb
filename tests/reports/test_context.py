"""What the plan templates see: formatted values built from a real plan (no template involved)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from neuroseq.engine.workflow import PlanResult
from neuroseq.reports.context import (
    audit_rows,
    caregiver_summary,
    cmr_sentence,
    css_string,
    generated_text,
    group_rows,
    guide_key,
    key_rows,
    left_out,
    plan_context,
    plan_summary,
    recommendation_groups,
)
from neuroseq.scoring.items import ITEMS, REGIONS

GENERATED = datetime.date(2026, 2, 3)


@pytest.fixture
def severe(planned: Callable[[str], PlanResult]) -> PlanResult:
    return planned("severe-young-child")


def test_generated_text_is_the_given_date_or_today() -> None:
    assert generated_text(GENERATED) == "2026-02-03"
    assert generated_text(None) == datetime.date.today().isoformat()


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("a b", '"a b"'), ('a"b', '"a\\000022b"'), ("</style>", '"\\00003c\\00002fstyle\\00003e"')],
    ids=["plain", "quote", "closing-tag"],
)
def test_css_string_escapes_all_but_letters_digits_and_spaces(text: str, quoted: str) -> None:
    assert css_string(text) == quoted


def test_guide_key_lists_every_item_by_region_top_first() -> None:
    key = guide_key()
    assert [group["region"] for group in key][0] == "Frontal cortex"
    assert len(key) == len(REGIONS)
    numbers = sorted(item["number"] for group in key for item in group["items"])
    assert numbers == [item.number for item in ITEMS]


def test_key_rows_one_column_per_region() -> None:
    rows = key_rows()
    assert all(len(row) == len(REGIONS) for row in rows)
    assert rows[0][-1] == "1 Heart rate and autonomic tone"


def test_group_rows_score_typical_and_developmental_age(severe: PlanResult) -> None:
    regions = severe.profile.regions
    rows = group_rows(
        regions, severe.case.client.age, titles={name: name.title() for name in regions}
    )
    brainstem = next(row for row in rows if row["id"] == "brainstem")
    assert (brainstem["score"], brainstem["typical"], brainstem["percent"]) == ("49", "72.0", "68%")
    assert brainstem["development"] == "0.8 (5.2 below)"
    assert brainstem["at_or_above_age"] is False
    assert 'aria-label="Brainstem: 68% of typical for age"' in brainstem["bar"]


def test_plan_summary_in_words(severe: PlanResult) -> None:
    summary = plan_summary(severe.plan)
    assert summary["lowest"] == "Brainstem"
    assert summary["reassess_due"] == "2026-07-15"
    assert summary["worst"].startswith("Autonomic stress response")


def test_cmr_sentence_names_what_the_plan_suspends(severe: PlanResult) -> None:
    sentence = cmr_sentence(severe.profile, severe.plan)
    assert sentence.startswith("At 0.56, below 1.0, this client's cortex cannot yet modulate")
    assert "suspends Trauma-focused cognitive behavioural therapy" in sentence


def test_audit_rows_trace_every_recommendation_in_rank_order(severe: PlanResult) -> None:
    rows = audit_rows(severe.plan)
    assert [row["rank"] for row in rows] == [r.rank for r in severe.plan.recommendations]
    assert rows[0]["rule"] == "web.school_expectations"
    assert rows[0]["action_title"] == "Start"


def test_recommendation_groups_keep_every_item_once(severe: PlanResult) -> None:
    groups = recommendation_groups(severe.plan.recommendations)
    assert all(set(group) == {"title", "items"} for group in groups)
    assert sum(len(group["items"]) for group in groups) == len(severe.plan.recommendations)
    assert [group["title"] for group in groups][:3] == [
        "Therapeutic web",
        "Family",
        "Client: Regulate - Sensory integration",
    ]


def test_left_out_counts_stops_and_candidates(severe: PlanResult) -> None:
    out = left_out(severe.plan)
    assert len(out["stop"]) == len(severe.plan.stop)
    assert len(out["also_considered"]) == len(severe.plan.also_considered)


def test_caregiver_summary_only_with_a_caregiver_file(severe: PlanResult) -> None:
    assert caregiver_summary(severe) is None


def test_plan_context_holds_what_the_templates_use(severe: PlanResult) -> None:
    context = plan_context(severe, severe.norms, generated=GENERATED)
    assert context["generated"] == "2026-02-03"
    assert {"maps", "summary", "regions", "domains", "audit", "family_summary"} <= set(context)
    assert context["caregiver"] is None
