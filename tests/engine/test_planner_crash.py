"""The process must never crash: planning runs in a subprocess so a segfault fails here.

durable_rules 2.0.28 can crash the whole process (ordering comparisons
between facts, upstream issue #381; deleting an untouched session). The
worker plans thousands of random valid profiles against the bundled rule
base, and profiles against random rule bases of up to 450 rules that use
every construct of the language; a crash shows as a signal exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("crash_worker.py")


def _run(*args: str, timeout: int = 600) -> str:
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    result = subprocess.run(
        [sys.executable, str(WORKER), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert result.returncode == 0, (
        f"worker exited with {result.returncode} (a negative number is the signal that killed it)\n"
        f"{result.stderr[-2000:]}"
    )
    return result.stdout


def test_planner_plans_thousands_of_random_profiles_against_the_default_rule_base() -> None:
    assert _run("default", "3000", "11").startswith("default: 3000 cases")


@pytest.mark.parametrize(("rules", "cases", "seed"), [(60, 300, 21), (200, 60, 22), (450, 20, 23)])
def test_planner_survives_random_rule_bases_using_every_construct(
    rules: int, cases: int, seed: int
) -> None:
    out = _run("random", str(cases), str(seed), str(rules))
    assert out.startswith("random: ")
    assert f"{cases} cases" in out
