"""Two writers at once lose nothing; kill -9 in a bulk add loses nothing committed.

Both run real processes (``neuroseq store add``) against SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from neuroseq.store import CaseStore


def _add(url: str, paths: list[Path]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "neuroseq", "store", "add", *map(str, paths), "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _stored(url: str) -> tuple[int, int, int]:
    with CaseStore.open(url) as store, store.engine.connect() as connection:
        assessments = connection.execute(text("SELECT count(*) FROM assessments")).scalar_one()
        plans = connection.execute(text("SELECT count(*) FROM plans")).scalar_one()
        orphans = connection.execute(
            text(
                "SELECT count(*) FROM assessments a LEFT JOIN plans p "
                "ON p.assessment_id = a.id WHERE p.id IS NULL"
            )
        ).scalar_one()
    return int(assessments), int(plans), int(orphans)


def test_case_store_add_files_two_processes_adding_100_cases_each_lose_nothing(
    store_url: str, tmp_path: Path, write_cases: Callable[[Path, str, int], list[Path]]
) -> None:
    first = write_cases(tmp_path / "a", "writer-a", 100)
    second = write_cases(tmp_path / "b", "writer-b", 100)
    CaseStore.open(store_url).close()  # created before, so the two race on rows only
    writers = [_add(store_url, first), _add(store_url, second)]
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err.decode()
        assert out.decode().count("stored writer-") == 100
    assert _stored(store_url) == (200, 200, 0)
    with CaseStore.open(store_url) as store:
        assert len(store.clients()) == 200
        assert len(store.audit_log()) == 200


def test_case_store_add_files_two_processes_on_a_new_store_both_migrate_safely(
    store_url: str, tmp_path: Path, write_cases: Callable[[Path, str, int], list[Path]]
) -> None:
    first = write_cases(tmp_path / "a", "fresh-a", 5)
    second = write_cases(tmp_path / "b", "fresh-b", 5)
    writers = [_add(store_url, first), _add(store_url, second)]
    for writer in writers:
        _, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err.decode()
    assert _stored(store_url) == (10, 10, 0)


def test_case_store_add_files_kill_9_mid_bulk_add_loses_nothing_committed(
    store_url: str, tmp_path: Path, write_cases: Callable[[Path, str, int], list[Path]]
) -> None:
    total = 400
    paths = write_cases(tmp_path / "bulk", "bulk", total)
    CaseStore.open(store_url).close()
    writer = _add(store_url, paths)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if _stored(store_url)[0] >= 10:
            break
        time.sleep(0.02)
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=60)
    assessments, plans, orphans = _stored(store_url)
    assert 10 <= assessments < total, "the kill came too late to test anything"
    assert (plans, orphans) == (assessments, 0)
    if store_url.startswith("sqlite"):
        import sqlite3

        path = store_url.removeprefix("sqlite:///")
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = _add(store_url, paths)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err.decode()
    assert out.decode().count("unchanged bulk-") == assessments
    assert out.decode().count("stored bulk-") == total - assessments
    assert _stored(store_url) == (total, total, 0)
