"""The planning pool: adds run in worker processes, errors come back with their problems."""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import wait

import pytest

from neuroseq.errors import CaseError, StoreError
from neuroseq.store import CaseStore
from neuroseq.web.workers import PlanningPool

from .conftest import CLIENT, INTAKE, INTAKE_DATE


def test_planning_pool_add_plans_and_stores_in_a_worker(store_url: str) -> None:
    pool = PlanningPool(store_url, workers=1)
    try:
        added = asyncio.run(
            pool.add(INTAKE.read_bytes(), "intake.yaml", replace=False, actor="rivera")
        )
        assert (added.client, added.date, added.outcome) == (CLIENT, INTAKE_DATE, "stored")
        again = asyncio.run(
            pool.add(INTAKE.read_bytes(), "intake.yaml", replace=False, actor="rivera")
        )
        assert again.outcome == "unchanged"
        changed = INTAKE.read_bytes().replace(b"notes:", b"# changed\nnotes:", 1)
        with pytest.raises(StoreError, match="already has a different assessment stored"):
            asyncio.run(pool.add(changed, "intake.yaml", replace=False, actor="rivera"))
    finally:
        pool.close()
    with CaseStore.open(store_url) as store:
        assert store.audit_log(CLIENT)[0]["actor"] == "rivera"


def test_planning_pool_add_raises_the_loaders_error_with_every_problem(tmp_path: object) -> None:
    pool = PlanningPool(f"sqlite:///{tmp_path}/n.db", workers=1)
    try:
        broken = (
            INTAKE.read_bytes()
            .replace(b"sleep: 5", b"sleep: 14")
            .replace(b"reward: 7", b"reward: x")
        )
        with pytest.raises(CaseError) as caught:
            asyncio.run(pool.add(broken, "form.yaml", replace=False, actor="rivera"))
        fields = {p.field for p in caught.value.problems}
        assert {"cns.sleep", "cns.reward"} <= fields
    finally:
        pool.close()


def test_planning_pool_replace_starts_new_workers_and_ends_the_old(tmp_path: object) -> None:
    pool = PlanningPool(f"sqlite:///{tmp_path}/n.db", workers=1)
    try:
        pool.warm()
        old = pool._pool
        processes = list(old._processes.values())  # type: ignore[attr-defined]
        pool._replace(old)
        assert pool._pool is not old
        # Each old worker ends: its sentinel becomes ready when the process exits. (Not
        # join/is_alive: the pool's straggler thread reaps the same processes, and whichever
        # thread loses that race sees a child it can no longer wait for as still alive.)
        sentinels = {process.sentinel for process in processes}
        deadline = time.monotonic() + 10
        ended: set[int] = set()
        while ended != sentinels and time.monotonic() < deadline:
            ready = wait(sorted(sentinels - ended), timeout=deadline - time.monotonic())
            ended.update(s for s in ready if isinstance(s, int))
        assert ended == sentinels
        pool.warm()
    finally:
        pool.close()
