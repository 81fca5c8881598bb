"""Many cases at once: batch planning, rule-change impact over a corpus, and scale-out.

``run_batch`` plans files (one plan per case, ``summary.csv``, ``problems.txt``);
``impact`` plans a corpus under two rule bases and reports what changes. Both
run on an :class:`~neuroseq.batch.executors.Executor`: this process, local
processes, or Dask (the ``dask`` extra). They call only the public API.
"""

from __future__ import annotations

from neuroseq.batch.executors import DaskExecutor, Executor, LocalExecutor, default_jobs
from neuroseq.batch.run import BatchOutcome, run_batch
from neuroseq.batch.work import PlannerSetup, Row

__all__ = [
    "BatchOutcome",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "PlannerSetup",
    "Row",
    "default_jobs",
    "run_batch",
]
