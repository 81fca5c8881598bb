"""``python -m neuroseq``: the same command line as the ``neuroseq`` script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TYPICAL = str(Path(__file__).resolve().parent.parent / "examples" / "typical-9-year-old.yaml")


def test_main_runs_the_cli_as_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "neuroseq", "score", TYPICAL, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scores"]["cmr"] == 4.67
    usage = subprocess.run(
        [sys.executable, "-m", "neuroseq", "nonsense"], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    assert usage.stderr.startswith("Usage: neuroseq [OPTIONS] COMMAND [ARGS]...")
