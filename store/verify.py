"""``store verify``: plan every stored assessment again and report any drift.

Each stored plan is re-made from what it was made with: the stored case
text, the stored previous plan and the follow-through recorded with it.
A plan made with the same rule base, catalogue and norms as the planner at
hand must come out byte-identical; a difference there is drift (the stored
plan was changed, or planning is not deterministic). A plan made with other
versions is re-planned too and reported as changed by the new version, so a
trainer sees what a rule change would do to stored plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from neuroseq.engine.follow_through import FollowThrough

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.engine.workflow import PlanResult
    from neuroseq.store.case_store import CaseStore
    from neuroseq.store.records import StoredAssessment

__all__ = ["Verdict", "replan_history", "verify_store"]

Status = Literal["same", "drift", "changed_by_versions"]


@dataclass(frozen=True)
class Verdict:
    """One stored plan re-made: the same, drifted, or changed by other rule versions."""

    client: str
    date: str
    version: int
    status: Status
    differences: tuple[str, ...] = ()
    """Which parts of the plan differ (top-level keys, and the items whose action changed)."""


def _same_versions(stored: StoredAssessment, planner: Planner) -> bool:
    engine = planner.engine
    recorded = stored.provenance
    return bool(
        recorded["rulebase"]["sha256"] == engine.rulebase.sha256
        and recorded["catalog"]["sha256"] == engine.catalog_hash
        and recorded["norms"]["sha256"] == planner.norms.sha256
    )


def _differences(stored: dict[str, object], fresh: dict[str, object]) -> tuple[str, ...]:
    keys = sorted(set(stored) | set(fresh))
    found = [k for k in keys if stored.get(k) != fresh.get(k)]
    return tuple(found)


def replan_history(
    store: CaseStore, planner: Planner, client: str, *, all_versions: bool = True
) -> list[tuple[StoredAssessment, PlanResult]]:
    """Every stored assessment of ``client`` planned again with ``planner``, oldest first.

    Each is planned from its stored case text and the follow-through stored
    with it; its previous assessment is the earlier one planned again here (so
    a drifted earlier plan does not spread).
    """
    history = store.history(client, all_versions=all_versions)
    fresh_of: dict[tuple[str, int], PlanResult] = {}
    planned = []
    for stored in history:
        previous = None
        if stored.previous_date is not None and stored.previous_version is not None:
            previous = fresh_of.get((stored.previous_date, stored.previous_version))
            if previous is None:  # an earlier version not asked for: use it as stored
                previous = store.result_of(store.assessment(client, stored.previous_date), planner)
        case = store.result_of(stored, planner).case
        follow = FollowThrough.from_json(stored.follow_through)
        fresh = planner.plan(case, previous=previous, follow_through=follow or None)
        fresh_of[(stored.date, stored.version)] = fresh
        planned.append((stored, fresh))
    return planned


def verify_store(store: CaseStore, planner: Planner, client: str | None = None) -> list[Verdict]:
    """Re-plan every stored assessment (all versions) of ``client``, or of every client."""
    from neuroseq.store.records import compact_json

    names = [client] if client is not None else [c.client for c in store.clients()]
    verdicts = []
    for name in names:
        for stored, fresh in replan_history(store, planner, name):
            text = compact_json(fresh.plan.to_json())
            if text == stored.plan_compact:
                status: Status = "same"
                differences: tuple[str, ...] = ()
            else:
                status = "drift" if _same_versions(stored, planner) else "changed_by_versions"
                differences = _differences(stored.plan, fresh.plan.to_json())
            verdicts.append(Verdict(name, stored.date, stored.version, status, differences))
    return verdicts
