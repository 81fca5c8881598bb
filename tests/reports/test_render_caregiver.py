"""Bundled with a caregiver file, the Markdown and HTML reports gain a caregiver section."""

from __future__ import annotations

from pathlib import Path

from neuroseq.engine.workflow import plan_case
from neuroseq.reports.render import render_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_render_plan_shows_the_caregiving_reserve() -> None:
    result = plan_case(
        EXAMPLES / "severe-young-child.yaml", caregiver=EXAMPLES / "caregiver-depleted.yaml"
    )
    markdown = render_plan(result, "md")
    html = render_plan(result, "html")
    for text in (markdown, html):
        assert "Caregiver: caregiving reserve" in text
        assert "depleted" in text
        assert "project defaults" in text
    assert (
        "Caregiver self-care and support"
        in markdown.split("## Caregiver")[1].split("## Recommendations")[0]
    )
    assert result.plan.caregiver is not None
    assert result.plan.caregiver["reserve_category"] == "depleted"


def test_render_plan_without_a_caregiver_file_has_no_caregiver_section() -> None:
    result = plan_case(EXAMPLES / "severe-young-child.yaml")
    assert "Caregiver: caregiving reserve" not in render_plan(result, "md")
    assert "caregiver-heading" not in render_plan(result, "html")
    assert result.plan.caregiver is None
