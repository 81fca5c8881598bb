"""neuroseq store benchmark: ``store add`` throughput on SQLite and PostgreSQL; asserts nothing.

    .venv/bin/python bench/store.py            # 1,000 assessments per database
    .venv/bin/python bench/store.py --quick    # 300

Each assessment is a seeded synthetic case file (bench/run.py's generator),
validated, planned against the client's stored history and stored with its
plan, one transaction each, in one process: the path ``neuroseq store add``
takes. A quarter of the cases are follow-ups of an earlier client, so the
previous plan and its records are read back too. PostgreSQL is the server
named by ``NEUROSEQ_TEST_POSTGRES`` (a maintenance database URL), else a
throwaway server started from the machine's binaries, else it is skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 300  # assessments per second, one process, SQLite, each stored with its plan


def _bench_run() -> object:
    spec = importlib.util.spec_from_file_location("neuroseq_bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_cases(folder: Path, count: int) -> list[Path]:
    """``count`` case files: three in four are intakes, one in four a follow-up a year on."""
    generator = _bench_run()
    paths = []
    for seed in range(count):
        case = generator.synthetic_case(seed)  # type: ignore[attr-defined]
        if seed % 4 == 3:
            case = generator.synthetic_case(seed - 3)  # type: ignore[attr-defined]
            case["metric"] = "follow_up"
            case["client"]["age_years"] = min(99.0, case["client"]["age_years"] + 1)
            case["client"]["assessment_date"] = "2027-01-15"
        else:
            case["client"]["assessment_date"] = "2026-01-15"
        path = folder / f"case-{seed:05d}.json"
        path.write_text(json.dumps(case), encoding="utf-8")
        paths.append(path)
    return paths


def bench_add(url: str, paths: list[Path]) -> float:
    """Assessments stored per second (validation, planning and the transaction included)."""
    import neuroseq
    from neuroseq.store import CaseStore

    planner = neuroseq.Planner.load()
    with CaseStore.open(url) as store:
        started = time.perf_counter()
        added = store.add_files(paths, planner)
        seconds = time.perf_counter() - started
    assert all(a.outcome == "stored" for a in added)
    return len(paths) / seconds


def _postgres() -> tuple[str | None, object | None]:
    """A PostgreSQL database URL for the run (and the server to stop), or None."""
    admin = os.environ.get("NEUROSEQ_TEST_POSTGRES")
    server = None
    if not admin:
        sys.path.insert(0, str(ROOT / "tests"))
        try:
            import conftest  # the tests' throwaway server
        finally:
            sys.path.pop(0)
        bindir = conftest.binaries()
        if bindir is None:
            return None, None
        server = conftest.Server(bindir)
        admin = server.start()
    import psycopg

    name = f"neuroseq_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + f"/{name}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 assessments instead of 1,000")
    count = 300 if parser.parse_args().quick else 1000
    with tempfile.TemporaryDirectory(prefix="neuroseq-bench-") as folder:
        paths = write_cases(Path(folder), count)
        sqlite = bench_add(f"sqlite:///{Path(folder) / 'bench.db'}", paths)
        print(
            f"store add (SQLite)      {sqlite:9.0f} assessments/s   {count}, one process, "
            f"each planned and stored with its plan   target >= {TARGET}"
        )
        url, server = _postgres()
        if url is None:
            print("store add (PostgreSQL)  skipped: no PostgreSQL server binary on this machine")
            return
        try:
            rate = bench_add(url, paths)
            print(
                f"store add (PostgreSQL)  {rate:9.0f} assessments/s   {count}, one process, "
                "a local server   (no target; for comparison)"
            )
        finally:
            if server is not None:
                server.stop()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
