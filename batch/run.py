"""``neuroseq batch``: plan many case files (or a whole store) and write a plan per case.

Beside the plans it writes ``summary.csv`` (one row per case) and
``problems.txt`` (every refusal, located as ``neuroseq plan`` reports it).
One bad file never stops the others; each plan is written atomically, so
``--skip-existing`` resumes an interrupted batch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from neuroseq.batch.executors import Executor
from neuroseq.batch.inputs import case_files, plan_path
from neuroseq.batch.work import FileTask, PlannerSetup, Row, plan_file, planner_for
from neuroseq.fileio import write_atomic
from neuroseq.vocabulary import ACTIONS

__all__ = ["BatchOutcome", "SUMMARY_COLUMNS", "run_batch", "summary_csv"]

SUMMARY_COLUMNS = (
    "file",
    "client",
    "date",
    "cmr",
    "lowest_impaired_level",
    *ACTIONS,
    "status",
)


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch did: one row per case, in input order."""

    rows: tuple[Row, ...]

    @property
    def refused(self) -> int:
        return sum(1 for row in self.rows if row.status == "refused")

    @property
    def planned(self) -> int:
        return sum(1 for row in self.rows if row.status == "planned")

    @property
    def skipped(self) -> int:
        return sum(1 for row in self.rows if row.status == "skipped")


def summary_csv(rows: Sequence[Row]) -> str:
    """The rows as CSV (a header, then one line per case)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in rows:
        counts = [row.actions.get(action, "") if row.actions else "" for action in ACTIONS]
        cmr = f"{row.cmr:.2f}" if row.cmr is not None else ""
        writer.writerow(
            [row.file, row.client, row.date, cmr, row.lowest_impaired_level, *counts, row.status]
        )
    return out.getvalue()


def _problems_text(rows: Sequence[Row]) -> str:
    lines = [problem for row in rows for problem in row.problems]
    return "\n".join(lines) + ("\n" if lines else "")


def run_batch(
    inputs: Sequence[Path],
    output: Path,
    *,
    fmt: str = "json",
    setup: PlannerSetup | None = None,
    executor: Executor,
    skip_existing: bool = False,
    progress: Callable[[Row], None] | None = None,
) -> BatchOutcome:
    """Plan every case file under ``inputs`` into ``output`` with ``executor``.

    The planner is loaded here first, so a broken rule folder is reported once
    (a ``RuleError``) before any work starts.
    """
    setup = setup or PlannerSetup()
    planner_for(setup)
    found = case_files(inputs)
    output.mkdir(parents=True, exist_ok=True)
    tasks = []
    for path, relative in found:
        target = plan_path(output, relative, fmt)
        target.parent.mkdir(parents=True, exist_ok=True)
        tasks.append(FileTask(str(path), str(target), fmt, setup, skip_existing))
    rows = []
    for row in executor.map(plan_file, tasks):
        rows.append(row)
        if progress is not None:
            progress(row)
    outcome = BatchOutcome(tuple(rows))
    write_atomic(output / "summary.csv", summary_csv(outcome.rows))
    write_atomic(output / "problems.txt", _problems_text(outcome.rows))
    return outcome
