"""Shared fixtures: paths to the bundled examples and a valid case as text."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def typical_case_text() -> str:
    return (EXAMPLES / "typical-9-year-old.yaml").read_text(encoding="utf-8")
