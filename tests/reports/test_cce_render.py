"""The Caregiver Challenge Estimator's report, from a real estimate: JSON, text, Markdown, HTML."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from neuroseq.engine.caregiver_workflow import estimate_caregiver
from neuroseq.reports.cce_render import (
    CCE_SCHEMA,
    WEIGHTS_NOTE,
    cce_context,
    cce_json,
    render_cce,
    render_cce_text,
)
from neuroseq.reports.schemas import CceDocument

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GENERATED = datetime.date(2026, 2, 3)


@pytest.fixture(scope="module")
def depleted():  # type: ignore[no-untyped-def]
    return estimate_caregiver(EXAMPLES / "caregiver-depleted.yaml")


def test_cce_json_follows_its_schema_and_adds_up(depleted) -> None:  # type: ignore[no-untyped-def]
    data = cce_json(depleted)
    CceDocument.model_validate(data)
    assert data["schema"] == CCE_SCHEMA == "neuroseq/cce/v1"
    assert data["caregiver_id"] == "example-carer-depleted"
    scores = data["scores"]
    assert scores["category"] == "depleted"
    assert scores["reserve"] == pytest.approx(
        scores["resources"] - scores["challenge"]["total"], abs=0.02
    )
    assert data["weights_note"] == WEIGHTS_NOTE
    assert [item["rank"] for item in data["recommendations"]] == list(
        range(1, len(data["recommendations"]) + 1)
    )


def test_render_cce_json_is_the_data_as_text(depleted) -> None:  # type: ignore[no-untyped-def]
    assert json.loads(render_cce(depleted, "json")) == cce_json(depleted)


def test_render_cce_text_leads_with_the_reserve(depleted) -> None:  # type: ignore[no-untyped-def]
    lines = render_cce_text(depleted).splitlines()
    assert lines[0] == "neuroseq cce: caregiver example-carer-depleted, foster placement"
    reserve = next(line for line in lines if line.startswith("RESERVE "))
    assert "DEPLETED" in reserve and "(resources 22.3 - challenge 87.1)" in reserve
    assert any("reverse-scored (0 none ... 3 severe): counts as 0" in line for line in lines)


def test_cce_context_formats_values_for_the_templates(depleted) -> None:  # type: ignore[no-untyped-def]
    context = cce_context(depleted, GENERATED)
    assert context["generated"] == "2026-02-03"
    assert context["weights_note"] == WEIGHTS_NOTE
    assert context["recommendations"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_render_cce_markdown_and_html_carry_the_date_and_the_caregiver(
    depleted,  # type: ignore[no-untyped-def]
    fmt: str,
) -> None:
    text = render_cce(depleted, fmt, generated=GENERATED)
    assert "example-carer-depleted" in text and "2026-02-03" in text
    if fmt == "md":
        assert text.startswith("# Caregiver Challenge Estimator: caregiver example-carer-depleted")
    else:
        assert text.lstrip().lower().startswith("<!doctype html>")
