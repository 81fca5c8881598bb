"""A small seeded slice of bench/fuzz.py, run in a subprocess (it forks a child per input).

Every mutated input (cases, rules, catalogue, norms, weights, caregiver files,
templates) must end as a clean refusal or a success: no internal error, hang
or crash. The full run (2,000 case and 500 rule mutations) is the bench script.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fuzz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "fuzz.py"), "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_fuzz_slice_every_input_is_refused_or_planned() -> None:
    done = _fuzz(
        "--seed", "7", "--cases", "8", "--rules", "2", "--catalog", "1", "--norms", "1",
        "--weights", "1", "--caregiver", "2", "--templates", "3", "--timeout", "60",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fuzz: seed 7, 18 inputs" in done.stdout
    total = next(line for line in done.stdout.splitlines() if line.strip().startswith("total"))
    refusal, success, internal, hang, crash = (int(n) for n in total.split()[1:])
    assert (internal, hang, crash) == (0, 0, 0)
    assert refusal > 0 and refusal + success == 18


_FORKED = """
import os, signal, sys, time
sys.path.insert(0, sys.argv[1])
import fuzz
item = fuzz.Input("case", 0, {}, ())
fuzz._child = lambda item, folder: os.kill(os.getpid(), signal.SIGSEGV)
print(fuzz.run_one(item, 30)[0])
fuzz._child = lambda item, folder: time.sleep(60)
print(fuzz.run_one(item, 1)[0])
fuzz._child = lambda item, folder: {"outcome": "success", "detail": ""}
print(fuzz.run_one(item, 30)[0])
"""


def test_fuzz_run_one_tells_crash_hang_and_success_apart() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FORKED, str(ROOT / "bench")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["crash", "hang", "success"], done.stderr


def test_fuzz_classify_flags_internal_errors_and_leaks() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import fuzz
    finally:
        sys.path.pop(0)
    assert fuzz._classify(0, "ok", None) == ("success", "")
    assert fuzz._classify(1, "neuroseq: internal error (ValueError); this is a bug", None)[0] == (
        "internal"
    )
    assert fuzz._classify(1, f"case.yaml:3: notes: {fuzz.SECRET}", None)[0] == "internal"
    assert fuzz._classify(1, "case.yaml:3: metric: 'x' is not allowed", None)[0] == "refusal"
    assert fuzz._classify(139, "", None)[0] == "internal"
    assert fuzz._classify(1, "", KeyError("x"))[0] == "internal"
