"""One batch task: plan a file, write its plan, describe it in a row."""

from __future__ import annotations

from pathlib import Path

import neuroseq
from neuroseq.batch.work import FileTask, PlannerSetup, plan_file, planner_for, row_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_planner_for_loads_once_per_setup() -> None:
    assert planner_for(PlannerSetup()) is planner_for(PlannerSetup())


def test_plan_file_writes_the_plan_and_a_row(tmp_path: Path) -> None:
    out = tmp_path / "p.plan.json"
    row = plan_file(FileTask(str(EXAMPLES / "er-snapshot.yaml"), str(out), "json", PlannerSetup()))
    assert row.status == "planned" and row.client == "example-er-8"
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_text().startswith('{\n  "schema": "neuroseq/plan/v1"')


def test_plan_file_refuses_a_bad_file_with_located_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: neuroseq/case/v1\n")
    row = plan_file(FileTask(str(bad), str(tmp_path / "bad.plan.json"), "json", PlannerSetup()))
    assert row.status == "refused" and row.problems[0].startswith(f"{bad}:1:")
    assert not (tmp_path / "bad.plan.json").exists()


def test_plan_file_skips_an_existing_plan(tmp_path: Path) -> None:
    out = tmp_path / "p.plan.json"
    out.write_text("{}")
    task = FileTask(str(EXAMPLES / "er-snapshot.yaml"), str(out), "json", PlannerSetup(), True)
    assert plan_file(task).status == "skipped" and out.read_text() == "{}"


def test_row_of_counts_actions_and_names_the_lowest_level() -> None:
    planner = planner_for(PlannerSetup())
    result = neuroseq.plan_files(EXAMPLES / "severe-young-child.yaml", planner=planner)
    row = row_of("x.yaml", result)
    assert sum(row.actions.values()) == len(result.plan.recommendations)
    assert row.lowest_impaired_level == (result.plan.summary.lowest_impaired_level or "")
