"""The plan in the terminal: header, grouped recommendations with rationale, cautions, provenance."""

from __future__ import annotations

import re
from collections.abc import Callable

from neuroseq.engine.workflow import PlanResult
from neuroseq.reports.plan_text import render_plan_text


def test_render_plan_text_header_names_the_client_cmr_and_start(
    planned: Callable[[str], PlanResult],
) -> None:
    lines = render_plan_text(planned("severe-young-child"), color=False).splitlines()
    assert lines[0] == "neuroseq plan: client example-severe-6, age 6, metric full"
    assert lines[1].startswith("CMR 0.56 (typical for age 2.07); lowest significantly impaired")
    assert "start phase: regulate" in lines[1]
    assert lines[3].startswith("rule base ") and ", catalogue " in lines[3]


def test_render_plan_text_lists_every_recommendation_with_its_rule(
    planned: Callable[[str], PlanResult],
) -> None:
    result = planned("severe-young-child")
    text = render_plan_text(result, color=False)
    assert "THERAPEUTIC WEB" in text
    for item in result.plan.recommendations:
        assert f"[{item.intervention}]" in text
        assert f"rule: {item.rule};" in text
    assert "! caution: " in text


def test_render_plan_text_colour_is_ansi_only_when_asked(
    planned: Callable[[str], PlanResult],
) -> None:
    result = planned("severe-young-child")
    plain = render_plan_text(result, color=False)
    coloured = render_plan_text(result, color=True)
    assert "\x1b[" not in plain and "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
