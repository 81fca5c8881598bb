"""Shared by the FHIR tests: one loaded planner, the bundled case examples, planned results."""

from __future__ import annotations

from pathlib import Path

import pytest

import neuroseq

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
CASE_EXAMPLES = sorted(
    path.name for path in EXAMPLES.glob("*.yaml") if not path.name.startswith("caregiver-")
)
"""Every bundled example that is a case file (the caregiver files are not)."""


@pytest.fixture(scope="session")
def planner() -> neuroseq.Planner:
    return neuroseq.Planner.load()


@pytest.fixture(scope="session")
def planned(planner: neuroseq.Planner) -> dict[str, neuroseq.PlanResult]:
    """Each case example planned once; the follow-up also with its intake as previous."""
    results = {name: planner.plan(neuroseq.load_case(EXAMPLES / name)) for name in CASE_EXAMPLES}
    results["followup-with-previous"] = planner.plan(
        neuroseq.load_case(EXAMPLES / "published-case-followup.yaml"),
        previous=results["published-case-intake.yaml"],
    )
    return results
