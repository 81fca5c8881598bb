"""Batch work over the case store (``--db``): each client's assessments planned again in order.

A worker opens the store once per process and plans one client's history
per task, so a follow-up is planned with its earlier assessment planned
again under the same rules (:func:`neuroseq.store.verify.replan_history`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from neuroseq.batch.executors import Executor
from neuroseq.batch.inputs import plan_path
from neuroseq.batch.run import BatchOutcome, _problems_text, summary_csv
from neuroseq.batch.work import PlannerSetup, Row, _ended, planner_for, row_of
from neuroseq.fileio import write_atomic

if TYPE_CHECKING:
    from neuroseq.store import CaseStore

__all__ = ["run_store_batch", "store_for"]

_STORES: dict[str, CaseStore] = {}


def store_for(url: str) -> CaseStore:
    """This process's open store at ``url``."""
    store = _STORES.get(url)
    if store is None:
        from neuroseq.store import CaseStore

        store = CaseStore.open(url)
        _STORES[url] = store
    return store


@dataclass(frozen=True)
class _ClientTask:
    url: str
    client: str
    output: str
    fmt: str
    setup: PlannerSetup


def _plan_client(task: _ClientTask) -> list[Row]:
    from neuroseq.api import render
    from neuroseq.store.verify import replan_history

    rows = []
    history = replan_history(
        store_for(task.url), planner_for(task.setup), task.client, all_versions=False
    )
    for stored, result in history:
        target = plan_path(Path(task.output), Path(task.client) / stored.date, task.fmt)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, _ended(render(result, task.fmt)))
        rows.append(row_of(f"{task.client} {stored.date}", result))
    return rows


def run_store_batch(
    url: str, output: Path, *, fmt: str, setup: PlannerSetup, executor: Executor
) -> BatchOutcome:
    """Plan every client's current assessments again into ``output/CLIENT/DATE.plan.*``."""
    planner_for(setup)
    clients = [c.client for c in store_for(url).clients()]
    output.mkdir(parents=True, exist_ok=True)
    tasks = [_ClientTask(url, c, str(output), fmt, setup) for c in clients]
    rows = [row for found in executor.map(_plan_client, tasks) for row in found]
    outcome = BatchOutcome(tuple(rows))
    write_atomic(output / "summary.csv", summary_csv(outcome.rows))
    write_atomic(output / "problems.txt", _problems_text(outcome.rows))
    return outcome
