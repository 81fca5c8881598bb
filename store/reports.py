"""The HTML report of a client's stored history: the comparison report over all assessments.

Every stored plan is shown as it was stored (nothing is planned again); with
one assessment the report is that plan's own report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.store.case_store import CaseStore

__all__ = ["client_report"]


def client_report(store: CaseStore, client: str, planner: Planner) -> str:
    """The client's comparison report (HTML) from the stored plans, oldest first."""
    from neuroseq.api import render
    from neuroseq.reports.compare import comparison_of, render_comparison

    history = store.history(client)
    results = [store.plan_result(client, planner, stored.date)[1] for stored in history]
    if len(results) == 1:
        return render(results[0], "html")
    names = [Path(f"{stored.date} ({stored.metric})") for stored in history]
    return render_comparison(comparison_of(results, planner, paths=names), "html")
