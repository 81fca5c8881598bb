"""Planning in worker processes the app owns: request threads never run durable_rules.

durable_rules is not thread-safe and keeps one host per process, so every
``CaseStore.add`` (which plans inside its transaction) runs in a
:class:`PlanningPool`: a ``ProcessPoolExecutor`` (spawned, not forked from a
threaded server) whose initializer loads the Planner and opens the store once
per worker. An engine call abandoned by the watchdog keeps spinning in a
daemon thread of its worker, so after an :class:`~neuroseq.errors.EngineError`
the whole pool is replaced and the old workers are terminated.

Errors cross the process boundary as data (the error class name and its
problems), since an exception's problems would not survive pickling.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuroseq import errors
from neuroseq.errors import NeuroseqError, Problem

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.store import Added, CaseStore

__all__ = ["PlanningPool"]

_planner: Planner | None = None
_store: CaseStore | None = None
_rules_folder: str | None = None


def _start_worker(url: str, rules: str | None, catalog: str | None, norms: str | None) -> None:
    from neuroseq.api import Planner
    from neuroseq.store import CaseStore

    global _planner, _store, _rules_folder
    _rules_folder = rules
    _planner = Planner.load(
        Path(rules) if rules else None,
        Path(catalog) if catalog else None,
        Path(norms) if norms else None,
    )
    _store = CaseStore.open(url)


def _add(raw: bytes, source: str, replace: bool, actor: str) -> tuple[str, Any]:
    assert _planner is not None and _store is not None
    try:
        return "ok", _store.add(raw, source, _planner, replace=replace, actor=actor)
    except NeuroseqError as exc:
        return type(exc).__name__, exc.problems


def _rule_tests() -> list[dict[str, Any]]:
    from neuroseq.engine.rule_tests import load_rule_tests, run_all
    from neuroseq.engine.rulebase import bundled_rules_folder

    assert _planner is not None
    folder = _rules_folder
    tests, problems = load_rule_tests(
        (Path(folder) if folder else bundled_rules_folder()) / "tests"
    )
    found: list[dict[str, Any]] = [
        {"name": "", "where": str(p.location), "passed": False, "failures": [p.message]}
        for p in problems
    ]
    for result in run_all(_planner.engine, tests):
        found.append(
            {
                "name": result.test.name,
                "where": f"{Path(result.test.path).name}:{result.test.line}",
                "passed": result.passed,
                "failures": [str(f) for f in result.failures],
            }
        )
    return found


def _ping() -> bool:
    return _planner is not None


def _raise(kind: str, problems: tuple[Problem, ...]) -> None:
    error = getattr(errors, kind, None)
    if not (isinstance(error, type) and issubclass(error, NeuroseqError)):
        error = NeuroseqError
    raise error(problems)


class PlanningPool:
    """``workers`` planning processes on the store at ``url``."""

    def __init__(
        self,
        url: str,
        *,
        workers: int = 2,
        rules: str | None = None,
        catalog: str | None = None,
        norms: str | None = None,
    ) -> None:
        self._arguments = (url, rules, catalog, norms)
        self._workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=self._arguments,
        )

    def warm(self) -> None:
        """Start every worker now (loading the Planner takes a second or two)."""
        for future in [self._pool.submit(_ping) for _ in range(self._workers)]:
            future.result()

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is not broken:
                return
            self._pool = self._new_pool()
        # The old workers may be spinning in an abandoned engine call: end them,
        # with SIGKILL for any that outlives SIGTERM (in a thread: no request waits).
        processes = list(getattr(broken, "_processes", {}).values())
        for process in processes:
            process.terminate()
        broken.shutdown(wait=False, cancel_futures=True)
        threading.Thread(target=_kill_stragglers, args=(processes,), daemon=True).start()

    async def add(self, raw: bytes, source: str, *, replace: bool, actor: str) -> Added:
        """``CaseStore.add`` in a worker; raises the store's or loader's error with its problems."""
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool
        try:
            kind, value = await asyncio.wrap_future(pool.submit(_add, raw, source, replace, actor))
        except BrokenProcessPool:
            self._replace(pool)
            raise errors.EngineError(
                [
                    Problem(
                        errors.SourceLocation(source), "", "the planning worker stopped; try again"
                    )
                ]
            ) from None
        if kind == "ok":
            added: Added = value
            return added
        if kind == "EngineError":
            self._replace(pool)
        _raise(kind, value)
        raise AssertionError("unreachable")

    async def rule_tests(self) -> list[dict[str, Any]]:
        """The rule base's given/expect tests, run in a worker."""
        found: list[dict[str, Any]] = await asyncio.wrap_future(self._pool.submit(_rule_tests))
        return found

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _kill_stragglers(processes: list[Any], grace: float = 2.0) -> None:
    """SIGKILL the old workers still alive ``grace`` seconds after SIGTERM."""
    for process in processes:
        process.join(timeout=grace)
        if process.is_alive():
            process.kill()
            process.join(timeout=grace)
