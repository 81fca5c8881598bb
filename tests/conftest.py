"""Shared fixtures: the bundled examples, a valid case as text, and caregiver homes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def typical_case_text() -> str:
    return (EXAMPLES / "typical-9-year-old.yaml").read_text(encoding="utf-8")


SEVERE = EXAMPLES / "severe-young-child.yaml"
TYPICAL = EXAMPLES / "typical-9-year-old.yaml"

FEW_INTERNAL = {
    "physical_health": 2,
    "mental_health": 1,
    "own_adversity_history": 3,
    "parenting_experience": 1,
    "trauma_informed_knowledge": 0,
    "regulation_under_stress": 1,
    "current_stress": 3,
}
FEW_EXTERNAL = {
    "co_caregiver": 0,
    "extended_family": 1,
    "respite_access": 0,
    "community_faith": 1,
    "financial_stability": 1,
    "service_access": 1,
    "school_partnership": 1,
}
STRONG_EXTERNAL = dict.fromkeys(FEW_EXTERNAL, 3)


def _home(
    children: list[dict[str, Any]] | None = None,
    *,
    internal: dict[str, float] | None = None,
    external: dict[str, float] | None = None,
    demands: dict[str, float] | None = None,
    placement: str = "foster",
) -> dict[str, Any]:
    """A caregiver document as plain data (few resources unless given)."""
    challenges: dict[str, Any] = {"children": children or []}
    if demands:
        challenges["other_household_demands"] = demands
    return {
        "schema": "neuroseq/caregiver/v1",
        "caregiver": {"id": "test-carer", "placement_type": placement},
        "internal_resources": dict(internal or FEW_INTERNAL),
        "external_resources": dict(external or FEW_EXTERNAL),
        "challenges": challenges,
    }


@pytest.fixture
def home_data() -> Any:
    """Build a caregiver document as plain data (few resources unless given)."""
    return _home


@pytest.fixture
def write_home(tmp_path: Path) -> Any:
    """Write a caregiver document (and copies of the example cases) to tmp_path."""
    shutil.copy(SEVERE, tmp_path / SEVERE.name)
    shutil.copy(TYPICAL, tmp_path / TYPICAL.name)

    def write(data: dict[str, Any], name: str = "home.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write
