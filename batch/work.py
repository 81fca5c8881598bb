"""The work a batch worker does: plan one case file, write its plan, describe it in a row.

Functions here run in worker processes (or this one), take and return plain
picklable values, and load their planner once per process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from neuroseq.vocabulary import ACTIONS

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.engine.workflow import PlanResult

__all__ = ["FileTask", "PlannerSetup", "Row", "plan_file", "planner_for", "row_of"]


@dataclass(frozen=True)
class PlannerSetup:
    """What a worker loads its planner from (``None``: the bundled rules, catalogue, norms)."""

    rules: str | None = None
    catalog: str | None = None
    norms: str | None = None


_PLANNERS: dict[PlannerSetup, Planner] = {}


def planner_for(setup: PlannerSetup) -> Planner:
    """This process's planner for ``setup``, loaded on first use."""
    planner = _PLANNERS.get(setup)
    if planner is None:
        from neuroseq.api import Planner

        planner = Planner.load(
            Path(setup.rules) if setup.rules else None,
            Path(setup.catalog) if setup.catalog else None,
            Path(setup.norms) if setup.norms else None,
        )
        _PLANNERS[setup] = planner
    return planner


@dataclass(frozen=True)
class Row:
    """One line of ``summary.csv``: the case, its plan in numbers, and what happened."""

    file: str
    status: str
    """planned, refused, or skipped (its plan file was already there)."""
    client: str = ""
    date: str = ""
    cmr: float | None = None
    lowest_impaired_level: str = ""
    actions: dict[str, int] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def row_of(file: str, result: PlanResult) -> Row:
    plan = result.plan
    counts: dict[str, int] = {action: 0 for action in ACTIONS}
    for item in plan.recommendations:
        counts[item.action] += 1
    date = result.case.client.assessment_date
    return Row(
        file=file,
        status="planned",
        client=plan.client_id,
        date=date.isoformat() if date else "",
        cmr=plan.scores["cmr"],
        lowest_impaired_level=(plan.summary.lowest_impaired_level or "") if plan.summary else "",
        actions=counts,
    )


@dataclass(frozen=True)
class FileTask:
    """Plan ``path`` and write its plan, in ``fmt``, to ``output``."""

    path: str
    output: str
    fmt: str
    setup: PlannerSetup
    skip_existing: bool = False


def plan_file(task: FileTask) -> Row:
    """Plan one file as ``neuroseq plan`` does and write the plan atomically (0600 when new)."""
    from neuroseq.api import plan_files, render
    from neuroseq.errors import NeuroseqError
    from neuroseq.fileio import write_atomic

    output = Path(task.output)
    if task.skip_existing and output.exists():
        return Row(file=task.path, status="skipped")
    try:
        result = plan_files(Path(task.path), planner=planner_for(task.setup))
        write_atomic(output, _ended(render(result, task.fmt)))
    except NeuroseqError as exc:
        return Row(file=task.path, status="refused", problems=tuple(str(p) for p in exc.problems))
    return row_of(task.path, result)


def _ended(text: str) -> str:
    """The text as ``neuroseq plan -o`` writes it (ending in one newline)."""
    return text if text.endswith("\n") else text + "\n"
