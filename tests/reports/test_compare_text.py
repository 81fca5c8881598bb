"""Change over time as terminal text, from two real assessments of one client."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.reports.compare import Comparison, compare_cases
from neuroseq.reports.compare_text import render_comparison_text

FOLLOWUP = Path(__file__).resolve().parents[2] / "tests" / "data" / "followup"


@pytest.fixture(scope="module")
def text() -> str:
    comparison: Comparison = compare_cases(
        [FOLLOWUP / "severe-7-followup.yaml", FOLLOWUP / "severe-6-baseline.yaml"]
    )
    return render_comparison_text(comparison)


def test_render_comparison_text_lists_assessments_in_time_order(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == (
        "neuroseq compare: client example-severe-6, 2 assessments "
        "(typical scores for the latest age, 7)"
    )
    first = lines.index("ASSESSMENTS (in time order)")
    assert lines[first + 1].startswith("  #1  2026-01-15  age  6.00  full ")
    assert lines[first + 2].startswith("  #2  2027-01-20  age  7.00  follow_up ")


def test_render_comparison_text_gives_the_cmr_change(text: str) -> None:
    assert "CMR 0.56 -> 1.08 (change +0.52; typical for the latest age 2.67)" in text


def test_render_comparison_text_tables_regions_top_down_and_changed_items(text: str) -> None:
    regions = text.split("REGIONS", 1)[1].split("DOMAINS", 1)[0].splitlines()
    names = [line[2:33].strip() for line in regions if line.startswith("  ") and line[2] != " "]
    assert names == ["Frontal cortex", "Cortex", "Limbic", "Diencephalon / cerebellum", "Brainstem"]
    assert "   8 sleep                                  5    8  typical 10.4  change +3" in text


def test_render_comparison_text_groups_the_plan_changes(text: str) -> None:
    changes = text.split("PLAN CHANGES from assessment #1 to #2", 1)[1]
    for heading in ("  Resumed:", "  New:", "  Stopped:", "  Changed:"):
        assert heading in changes
    assert "    tf_cbt                              Suspend -> Resume" in changes
    assert text.rstrip().endswith("it supports, never replaces, clinical judgement.")
    assert "\x1b[" not in text
