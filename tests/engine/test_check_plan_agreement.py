"""`rules check` and `plan` agree on every rule base a seeded generator produces.

``agreement_worker.py`` (in a subprocess: a wrong model could hang or crash the
engine) generates rule bases that mix ordinary random rules with constructs on
both sides of each measured engine limit. Every base that checks clean must plan
random cases without any error (the watchdog turns a hang into an error), and
every base past a limit must be refused by `rules check` with exactly the codes
of the limits it passes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

WORKER = Path(__file__).with_name("agreement_worker.py")


@pytest.mark.parametrize("seed", [1, 2])
def test_check_rulebase_agrees_with_the_planner_on_generated_rule_bases(
    seed: int, tmp_path: Path
) -> None:
    child = subprocess.run(
        [sys.executable, str(WORKER), str(seed), "10", "3", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    results = [json.loads(line) for line in child.stdout.splitlines()]
    assert len(results) == 10
    limit_codes = {"NS107", "NS301", "NS302", "NS303", "NS304", "NS305"}
    for result in results:
        found_limits = sorted(set(result["found"]) & limit_codes)
        assert found_limits == result["predicted"], result
        if not result["found"]:
            assert result["error"] is None, result
            assert result["planned"] == 3, result
    clean = [r for r in results if not r["found"]]
    assert clean, "the generator made no clean base"
    assert len(clean) < len(results), "the generator made no base past a limit"
