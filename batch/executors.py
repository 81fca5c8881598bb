"""Where batch work runs: this process, a pool of local processes, or a Dask cluster.

Every executor has one method, :meth:`Executor.map`: run a picklable
function over items, in worker processes that each load their planners once,
and yield the results in the items' order. A site that runs Ray or Spark adds
an executor by implementing the same method (README, "Batch planning"):
the function and its items are plain picklable values, and a worker needs
only ``neuroseq`` installed.

durable_rules keeps one engine host per process and is not thread-safe, so
a worker runs one task at a time (Dask: one thread per worker).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "default_jobs", "executor_for"]

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Executor(Protocol):
    """Runs ``function`` over ``items`` in worker processes; results in item order."""

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """``jobs`` local processes (started fresh with spawn), or this process when ``jobs`` is 1.

    A worker that dies (the rule engine's C code can crash) ends the batch with
    an :class:`~neuroseq.errors.EngineError` instead of a hang.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        if self.jobs == 1 or len(items) <= 1:
            yield from map(function, items)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=multiprocessing.get_context("spawn")
            )
        chunk = max(1, min(32, len(items) // (self.jobs * 8) or 1))
        try:
            yield from self._pool.map(function, items, chunksize=chunk)
        except BrokenProcessPool:
            from neuroseq.errors import EngineError

            raise EngineError(
                "a worker process died while planning (the rule engine crashed); "
                "nothing more was planned: run again with --jobs 1 to find the case",
                path="<batch>",
            ) from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """Dask distributed: a ``LocalCluster`` of ``jobs`` processes, or the cluster at ``scheduler``.

    Needs the ``dask`` extra (``pip install 'neuroseq[dask]'``). Items go in
    batches so the scheduler's cost per task stays small beside planning.
    """

    def __init__(self, jobs: int, scheduler: str | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            from neuroseq.errors import NeuroseqError

            raise NeuroseqError(
                "--executor dask needs the dask extra: pip install 'neuroseq[dask]'",
                path="--executor",
            ) from None
        self._cluster: Any = None
        if scheduler is None:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=max(1, jobs),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
            )
            self._client: Any = Client(self._cluster)  # type: ignore[no-untyped-call]
        else:
            self._client = Client(scheduler)  # type: ignore[no-untyped-call]

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
        size = 64
        batches = [list(items[i : i + size]) for i in range(0, len(items), size)]
        futures = self._client.map(_run_batch, [function] * len(batches), batches, pure=False)
        for future in futures:
            yield from future.result()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _run_batch(function: Callable[[T], R], items: list[T]) -> list[R]:
    return [function(item) for item in items]


def executor_for(kind: str, jobs: int, scheduler: str | None = None) -> Executor:
    """The executor named on the command line (``local`` or ``dask``)."""
    if kind == "dask":
        return DaskExecutor(jobs, scheduler)
    return LocalExecutor(jobs)
