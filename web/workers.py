"""Planning in worker processes the app owns: request threads never run durable_rules.

durable_rules is not thread-safe and keeps one host per process, so every
``CaseStore.add`` (which plans inside its transaction) runs in a
:class:`PlanningPool`: a ``ProcessPoolExecutor`` (spawned, not forked from a
threaded server) whose initializer loads the Planner and opens the store once
per worker. An engine call abandoned by the watchdog keeps spinning in a
daemon thread of its worker, so after an :class:`~neuroseq.errors.EngineError`
the whole pool is replaced and the old workers are terminated.

The pool also runs the other engine work of the app: the rule tests of the
trainer's page (:meth:`PlanningPool.rule_tests`), the CDS Hooks service's
planning (:meth:`PlanningPool.plan_text`: add case text, return its stored
plan), and the rule-change impact of a candidate rule folder
(:meth:`PlanningPool.impact`), which gets a process of its own per run.

Errors cross the process boundary as data (the error class name and its
problems), since an exception's problems would not survive pickling.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuroseq import errors
from neuroseq.errors import NeuroseqError, Problem

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.batch.impact import ImpactReport
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


def _plan_text(text: str, source: str, actor: str) -> tuple[str, Any]:
    """Add case text to the store (a no-op when stored before): its date and stored plan."""
    import json

    assert _planner is not None and _store is not None
    try:
        added = _store.add(text.encode("utf-8"), source, _planner, actor=actor)
        stored = _store.assessment(added.client, added.date)
    except NeuroseqError as exc:
        return type(exc).__name__, exc.problems
    return "ok", (added.date, json.loads(stored.plan_compact))


def _impact(
    candidate: str, url: str, rules: str | None, catalog: str | None, norms: str | None
) -> tuple[str, Any]:
    """The impact of ``candidate`` on the stored cases, in this (fresh) process."""
    from neuroseq.batch import LocalExecutor
    from neuroseq.batch.impact import impact

    try:
        report = impact(
            Path(candidate),
            [],
            base=Path(rules) if rules else None,
            catalog=Path(catalog) if catalog else None,
            norms=Path(norms) if norms else None,
            db=url,
            executor=LocalExecutor(1),
        )
    except NeuroseqError as exc:
        return type(exc).__name__, exc.problems
    return "ok", report


def _ping() -> bool:
    return _planner is not None


def _stopped(source: str) -> errors.EngineError:
    return errors.EngineError(
        [Problem(errors.SourceLocation(source), "", "the planning worker stopped; try again")]
    )


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
        self._impact_lock: asyncio.Lock | None = None
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
        pool = self._pool
        try:
            kind, value = await asyncio.wrap_future(pool.submit(_add, raw, source, replace, actor))
        except BrokenProcessPool:
            self._replace(pool)
            raise _stopped(source) from None
        if kind == "ok":
            added: Added = value
            return added
        if kind == "EngineError":
            self._replace(pool)
        _raise(kind, value)
        raise AssertionError("unreachable")

    async def plan_text(self, text: str, source: str, *, actor: str) -> tuple[str, dict[str, Any]]:
        """Add case text to the store in a worker (planned with the client's stored history):
        its assessment date and stored plan (``neuroseq/plan/v1`` as JSON data), as the CDS
        Hooks service needs. A case stored before is not stored again."""
        pool = self._pool
        try:
            kind, value = await asyncio.wrap_future(pool.submit(_plan_text, text, source, actor))
        except BrokenProcessPool:
            self._replace(pool)
            raise _stopped(source) from None
        if kind == "ok":
            planned: tuple[str, dict[str, Any]] = value
            return planned
        if kind == "EngineError":
            self._replace(pool)
        _raise(kind, value)
        raise AssertionError("unreachable")

    async def impact(self, candidate: str) -> ImpactReport:
        """The impact of the rule folder ``candidate`` on the stored cases
        (:func:`neuroseq.batch.impact.impact`, as ``neuroseq rules impact --db``).

        It runs in a process of its own, started for this run and ended after it:
        the candidate is read afresh each time (a trainer edits it between runs), the
        two rule bases it loads never stay in a planning worker, and a crash in the
        engine cannot break the clinicians' planning. One run at a time.
        """
        if self._impact_lock is None:
            self._impact_lock = asyncio.Lock()
        url, rules, catalog, norms = self._arguments
        async with self._impact_lock:
            runner = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
            try:
                future = runner.submit(_impact, candidate, url, rules, catalog, norms)
                kind, value = await asyncio.wrap_future(future)
            except BrokenProcessPool:
                raise _stopped(candidate) from None
            finally:
                runner.shutdown(wait=False, cancel_futures=True)
        if kind == "ok":
            report: ImpactReport = value
            return report
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
