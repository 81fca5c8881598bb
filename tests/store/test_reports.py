"""The client's HTML report from the store: the comparison over all stored assessments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neuroseq.store import CaseStore
from neuroseq.store.reports import client_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_client_report_is_a_plan_report_for_one_and_a_comparison_for_more(
    tmp_path: Path, planner: Any
) -> None:
    with CaseStore.open(str(tmp_path / "s.db")) as store:
        store.add_files([EXAMPLES / "published-case-intake.yaml"], planner)
        one = client_report(store, "published-case", planner)
        store.add_files([EXAMPLES / "published-case-followup.yaml"], planner)
        two = client_report(store, "published-case", planner)
    assert "<html" in one and "Change over time" not in one
    assert "Change over time: client published-case" in two
    assert "2026-01-12 (full)" in two and "2027-01-18 (follow_up)" in two
