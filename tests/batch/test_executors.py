"""Executors run a function over items in order: here, in local processes, or on Dask."""

from __future__ import annotations

import pytest

from neuroseq.batch.executors import LocalExecutor, default_jobs, executor_for

# Workers start fresh (spawn) and import what they run: a function of an
# installed module, not of this test file.
_square = abs


def test_local_executor_keeps_the_order_in_one_and_in_many_processes() -> None:
    items = list(range(-20, 20))
    single = LocalExecutor(1)
    assert list(single.map(_square, items)) == [abs(i) for i in items]
    pool = LocalExecutor(2)
    try:
        assert list(pool.map(_square, items)) == [abs(i) for i in items]
    finally:
        pool.close()


def test_default_jobs_is_at_least_one() -> None:
    assert default_jobs() >= 1


def test_executor_for_names_the_local_executor() -> None:
    assert isinstance(executor_for("local", 2), LocalExecutor)


def test_dask_executor_keeps_the_order() -> None:
    pytest.importorskip("distributed")
    cluster = executor_for("dask", 2)
    try:
        assert list(cluster.map(_square, list(range(-65, 65)))) == [abs(i) for i in range(-65, 65)]
    finally:
        cluster.close()


def test_local_executor_ends_with_an_engine_error_when_a_worker_dies() -> None:
    import os

    from neuroseq.errors import EngineError

    pool = LocalExecutor(2)
    try:
        with pytest.raises(EngineError) as refused:
            list(pool.map(os._exit, [3, 3, 3, 3]))
        assert "--jobs 1" in str(refused.value)
    finally:
        pool.close()
