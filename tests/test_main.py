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


def test_main_starts_without_the_store_web_or_fhir_libraries() -> None:
    # `neuroseq plan` must not pay for SQLAlchemy, Starlette or fhir.resources at start-up:
    # they are imported by the commands that use them.
    code = (
        "import sys, neuroseq.cli; "
        "print(sorted(m for m in ('sqlalchemy', 'starlette', 'fhir.resources', 'dask') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
