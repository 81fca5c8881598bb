"""Golden files: the Markdown and JSON plans of the bundled example cases.

Each ``examples/<case>.yaml`` has its expected plan in
``tests/data/<case>.plan.md`` and ``tests/data/<case>.plan.json``. When a
change to the rules, catalogue, norms or templates is intended, regenerate
them explicitly and review the diff::

    NEUROSEQ_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/reports/test_golden.py

Without that variable the tests only compare, and never write. The Markdown
prints the date it was generated: these tests pin it to ``GENERATED`` so the
files stay byte-stable.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from neuroseq.engine.workflow import PlanResult
from neuroseq.reports.render import render_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("er-snapshot", "severe-young-child", "typical-9-year-old", "uneven-adolescent")
DATA = ROOT / "tests" / "data"
REGENERATE = os.environ.get("NEUROSEQ_REGENERATE_GOLDEN") == "1"
GENERATED = datetime.date(2026, 1, 31)


def _check(path: Path, text: str) -> None:
    if REGENERATE:
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"missing golden file {path}; run with NEUROSEQ_REGENERATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{path.name} differs from the rendered plan; if the change is intended, "
        "regenerate with NEUROSEQ_REGENERATE_GOLDEN=1 and review the diff"
    )


def test_render_plan_golden_files_exist() -> None:
    assert all((ROOT / "examples" / f"{stem}.yaml").is_file() for stem in EXAMPLES)


@pytest.mark.parametrize("stem", EXAMPLES)
def test_render_plan_markdown_matches_its_golden_file(
    stem: str, planned: Callable[[str], PlanResult]
) -> None:
    _check(DATA / f"{stem}.plan.md", render_plan(planned(stem), "md", generated=GENERATED))


@pytest.mark.parametrize("stem", EXAMPLES)
def test_render_plan_json_matches_its_golden_file(
    stem: str, planned: Callable[[str], PlanResult]
) -> None:
    _check(DATA / f"{stem}.plan.json", render_plan(planned(stem), "json"))
