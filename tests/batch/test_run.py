"""neuroseq batch: mixed good and bad files, plans equal to `plan`, resume, the store as input."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

import neuroseq
from neuroseq.batch import BatchOutcome, LocalExecutor, PlannerSetup, run_batch
from neuroseq.batch.run import SUMMARY_COLUMNS, summary_csv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = [
    "severe-young-child.yaml",
    "typical-9-year-old.yaml",
    "er-snapshot.yaml",
    "published-case-intake.yaml",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "deeper").mkdir(parents=True)
    for name in CASES[:3]:
        shutil.copy(EXAMPLES / name, folder / name)
    shutil.copy(EXAMPLES / CASES[3], folder / "deeper" / "intake.json.yaml")
    (folder / "deeper" / "broken.yaml").write_text("schema: neuroseq/case/v1\nmetric: sometimes\n")
    (folder / "notes.txt").write_text("not a case")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "skip.yaml").write_text("nothing")
    return folder


def test_run_batch_plans_the_good_files_and_names_every_bad_one(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with_jobs = LocalExecutor(2)
    try:
        outcome = run_batch([corpus], out, executor=with_jobs)
    finally:
        with_jobs.close()
    assert (outcome.planned, outcome.refused) == (4, 1)
    problems = (out / "problems.txt").read_text()
    assert (
        "deeper/broken.yaml:2: metric:" in problems
        and "client: required key is missing" in problems
    )
    planner = neuroseq.Planner.load()
    for name in CASES[:3]:
        expected = neuroseq.render(neuroseq.plan_files(corpus / name, planner=planner), "json")
        assert (out / name.replace(".yaml", ".plan.json")).read_text() == expected
    assert (out / "deeper" / "intake.json.plan.json").exists()
    assert not (out / "deeper" / "broken.plan.json").exists()
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text())))
    assert [r["status"] for r in rows].count("refused") == 1
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    severe = next(r for r in rows if r["file"].endswith("severe-young-child.yaml"))
    assert severe["client"] == "example-severe-6" and float(severe["cmr"]) > 0
    assert int(severe["recommend"]) > 0


def test_run_batch_with_skip_existing_resumes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = LocalExecutor(1)
    run_batch([corpus / CASES[0]], out, executor=runner)
    first = (out / "severe-young-child.plan.json").stat().st_mtime_ns
    outcome = run_batch([corpus], out, executor=runner, skip_existing=True)
    assert outcome.skipped == 1 and outcome.planned == 3
    assert (out / "severe-young-child.plan.json").stat().st_mtime_ns == first


def test_run_batch_writes_markdown_and_html(corpus: Path, tmp_path: Path) -> None:
    runner = LocalExecutor(1)
    run_batch([corpus / CASES[1]], tmp_path / "md", fmt="md", executor=runner)
    run_batch([corpus / CASES[1]], tmp_path / "html", fmt="html", executor=runner)
    assert (tmp_path / "md" / "typical-9-year-old.plan.md").read_text().startswith("#")
    html = (tmp_path / "html" / "typical-9-year-old.plan.html").read_text()
    assert "<html" in html and "not the official" in html


def test_run_batch_refuses_inputs_that_collide_or_are_missing(corpus: Path, tmp_path: Path) -> None:
    from neuroseq.errors import CaseError

    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(EXAMPLES / CASES[0], other / CASES[0])
    with pytest.raises(CaseError) as refused:
        run_batch(
            [corpus, other, tmp_path / "nowhere"], tmp_path / "out", executor=LocalExecutor(1)
        )
    message = str(refused.value)
    assert "would overwrite the plan of" in message and "nowhere: no such file or folder" in message
    assert not (tmp_path / "out").exists()


def test_run_batch_reports_a_broken_rule_folder_before_any_work(
    corpus: Path, tmp_path: Path
) -> None:
    from neuroseq.errors import RuleError

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("rules: [{id: x")
    with pytest.raises(RuleError):
        run_batch(
            [corpus], tmp_path / "out", setup=PlannerSetup(str(rules)), executor=LocalExecutor(1)
        )


def test_summary_csv_has_one_row_per_case() -> None:
    from neuroseq.batch import Row

    text = summary_csv([Row("a.yaml", "refused"), Row("b.yaml", "skipped")])
    assert text.splitlines()[1:] == ["a.yaml,,,,,,,,,,,refused", "b.yaml,,,,,,,,,,,skipped"]
    assert BatchOutcome((Row("a", "refused"),)).refused == 1


def test_run_batch_on_dask_equals_the_local_run(corpus: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from neuroseq.batch import DaskExecutor

    local = LocalExecutor(1)
    run_batch([corpus], tmp_path / "local", executor=local)
    cluster = DaskExecutor(2)
    try:
        run_batch([corpus], tmp_path / "dask", executor=cluster)
    finally:
        cluster.close()
    names = sorted(
        p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*") if p.is_file()
    )
    assert names == sorted(
        p.relative_to(tmp_path / "dask") for p in (tmp_path / "dask").rglob("*") if p.is_file()
    )
    for name in names:
        local_text = (tmp_path / "local" / name).read_text()
        assert (tmp_path / "dask" / name).read_text() == local_text
