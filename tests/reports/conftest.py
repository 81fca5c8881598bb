"""Shared fixtures for report tests: one planner and the planned example cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from neuroseq.engine.planner import Planner
from neuroseq.engine.workflow import PlanResult, plan_case

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def planner() -> Planner:
    return Planner.load()


@pytest.fixture(scope="session")
def planned(planner: Planner) -> Callable[[str], PlanResult]:
    """Plan a bundled example by its file stem (cached for the session)."""
    cache: dict[str, PlanResult] = {}

    def plan(stem: str) -> PlanResult:
        if stem not in cache:
            cache[stem] = plan_case(EXAMPLES / f"{stem}.yaml", planner=planner)
        return cache[stem]

    return plan
