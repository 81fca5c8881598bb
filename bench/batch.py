"""neuroseq batch benchmark: whole commands over a corpus of files; asserts nothing.

    .venv/bin/python bench/batch.py            # 2,000 and 15,000 files (a few minutes)
    .venv/bin/python bench/batch.py --quick    # 500 and 1,500 files

Prints, beside its target (issue 15):

* ``neuroseq batch`` of 2,000 files on 2 jobs against parsing the same files
  once with libyaml on one core (yaml.CSafeLoader, no validation): the ratio;
* ``neuroseq batch`` of 15,000 files on 2 cores, the whole command;
* ``neuroseq rules impact`` over 15,000 cases on 2 cores (a candidate that
  differs from the bundled rules in one planning limit).

The files are the seeded synthetic cases of bench/run.py, written as YAML.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("neuroseq_bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_corpus(folder: Path, count: int) -> list[Path]:
    generator = _generator()
    folder.mkdir(parents=True)
    paths = []
    for seed in range(count):
        path = folder / f"case-{seed:05d}.yaml"
        case = generator.synthetic_case(seed)  # type: ignore[attr-defined]
        path.write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"bench: {' '.join(command[:4])} failed: {done.stderr[-500:]}")
    return seconds


def parse_once(paths: list[Path]) -> float:
    """Seconds to read and parse every file once with libyaml on one core."""
    started = time.perf_counter()
    for path in paths:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 and 1,500 files")
    quick = parser.parse_args().quick
    small, large = (500, 1500) if quick else (2000, 15000)
    neuroseq = [sys.executable, "-m", "neuroseq"]
    with tempfile.TemporaryDirectory(prefix="neuroseq-bench-") as folder:
        work = Path(folder)
        paths = write_corpus(work / "large", large)
        (work / "small").mkdir()
        for path in paths[:small]:
            shutil.copy(path, work / "small" / path.name)
        parse = parse_once(paths[:small])
        batch_small = _timed(
            [*neuroseq, "batch", str(work / "small"), "-o", str(work / "o1"), "--jobs", "2"]
        )
        print(
            f"batch of {small:<6}       {batch_small:9.1f} s        2 jobs; {batch_small / parse:5.1f} x "
            f"parsing them once with libyaml on one core ({parse:.2f} s)   target <= 3 x"
        )
        batch_large = _timed(
            [*neuroseq, "batch", str(work / "large"), "-o", str(work / "o2"), "--jobs", "2"]
        )
        scaled = (
            f" (x {15000 / large:.0f} = {batch_large * 15000 / large:.0f} s for 15,000)"
            if large != 15000
            else ""
        )
        print(
            f"batch of {large:<6}       {batch_large:9.1f} s        2 cores, whole command{scaled}   "
            "target <= 15 s for 15,000"
        )
        candidate = work / "candidate"
        shutil.copytree(ROOT / "rules", candidate)
        base = candidate / "rulebase.yaml"
        base.write_text(base.read_text().replace("client_per_phase: 5", "client_per_phase: 4"))
        impact = _timed(
            [
                *neuroseq,
                "rules",
                "impact",
                str(candidate),
                str(work / "large"),
                "--jobs",
                "2",
                "--format",
                "json",
                "-o",
                str(work / "impact.json"),
            ]
        )
        scaled = (
            f" (x {15000 / large:.0f} = {impact * 15000 / large:.0f} s for 15,000)"
            if large != 15000
            else ""
        )
        print(
            f"rules impact over {large:<6} {impact:6.1f} s        2 cores, whole command{scaled}   "
            "target <= 35 s for 15,000"
        )


if __name__ == "__main__":
    main()
