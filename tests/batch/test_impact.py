"""rules impact: an identical copy changes nothing; a changed limit changes the expected plans."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from neuroseq.batch import LocalExecutor
from neuroseq.batch.impact import impact, impact_json, render_impact
from neuroseq.engine.rulebase import bundled_rules_folder
from neuroseq.errors import RuleError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CORPUS = [
    EXAMPLES / "severe-young-child.yaml",
    EXAMPLES / "typical-9-year-old.yaml",
    EXAMPLES / "published-case-intake.yaml",
]


def _copy(tmp_path: Path, old: str = "", new: str = "") -> Path:
    rules = tmp_path / "candidate"
    shutil.copytree(bundled_rules_folder(), rules)
    if old:
        base = rules / "rulebase.yaml"
        text = base.read_text()
        assert old in text
        base.write_text(text.replace(old, new))
    return rules


def test_impact_of_an_identical_copy_is_nothing(tmp_path: Path) -> None:
    report = impact(_copy(tmp_path), CORPUS, executor=LocalExecutor(1))
    assert (report.changed, len(report.cases), report.refused) == (0, 3, 0)
    assert impact_json(report)["changed_cases"] == []


def test_impact_of_a_smaller_phase_limit_names_the_changes(tmp_path: Path) -> None:
    candidate = _copy(tmp_path, "client_per_phase: 5", "client_per_phase: 2")
    pool = LocalExecutor(2)
    try:
        report = impact(candidate, CORPUS, executor=pool)
    finally:
        pool.close()
    data = impact_json(report)
    assert data["changed"] == report.changed >= 1
    changed = {c["file"] for c in data["changed_cases"]}
    assert str(EXAMPLES / "published-case-intake.yaml") in changed
    intake = next(
        c for c in data["changed_cases"] if c["file"].endswith("published-case-intake.yaml")
    )
    assert intake["changes"] and all(c["after"] == "" for c in intake["changes"])
    for item, moves in data["interventions"].items():
        assert all(" -> " in move for move in moves), item
    text = render_impact(report, "text")
    assert text.startswith(f"{report.changed} of 3 plans change")
    assert "recommend -> not in plan" in text
    assert "<li>" in render_impact(report, "html")
    assert render_impact(report, "md").startswith("# Rule-change impact")
    assert json.loads(render_impact(report, "json"))["schema"] == "neuroseq/impact/v1"


def test_impact_refuses_a_candidate_that_rules_check_refuses(tmp_path: Path) -> None:
    candidate = _copy(tmp_path)
    (candidate / "broken.yaml").write_text("rules: [{id: broken")
    with pytest.raises(RuleError) as refused:
        impact(candidate, CORPUS, executor=LocalExecutor(1))
    assert "broken.yaml" in str(refused.value)


def test_impact_counts_refused_cases(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: neuroseq/case/v1\n")
    report = impact(_copy(tmp_path), [*CORPUS, bad], executor=LocalExecutor(1))
    assert report.refused == 1
    assert any("bad.yaml" in p for p in impact_json(report)["problems"])
