"""The values the case store hands out: what an add did, a stored assessment, its records.

Plain frozen dataclasses, so the CLI, the web app and batch work read the
same things. None of them holds a database connection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from neuroseq.engine.follow_through import Fidelity, FollowThrough, Override
from neuroseq.jsontext import compact_json, pretty_json

__all__ = [
    "Added",
    "ClientSummary",
    "DecisionRecord",
    "FidelityRecord",
    "Outcome",
    "StoredAssessment",
    "compact_json",
    "follow_through_of",
    "plan_text",
]

Outcome = Literal["stored", "unchanged", "replaced"]


def plan_text(compact: str) -> str:
    """A stored plan as ``neuroseq plan --format json`` prints it (the same bytes)."""
    return pretty_json(json.loads(compact))


@dataclass(frozen=True)
class Added:
    """What ``store add`` did with one case file."""

    client: str
    date: str
    outcome: Outcome
    version: int
    previous_date: str | None = None
    items: int = 0
    source: str = ""
    later_dates: tuple[str, ...] = ()
    """Assessments of the client dated after this one (their plans did not see it)."""


@dataclass(frozen=True)
class FidelityRecord:
    """One fidelity record of one recommendation (the newest one per item counts)."""

    intervention: str
    status: str
    rating: int | None
    note: str | None
    by: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "status": self.status,
            "rating": self.rating,
            "note": self.note,
            "by": self.by,
            "at": self.at,
        }


@dataclass(frozen=True)
class DecisionRecord:
    """A clinician's decision on one recommendation: accepted, or overridden and why."""

    intervention: str
    decision: str
    reason: str | None
    note: str | None
    by: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "decision": self.decision,
            "reason": self.reason,
            "note": self.note,
            "by": self.by,
            "at": self.at,
        }


@dataclass(frozen=True)
class StoredAssessment:
    """One stored assessment with its plan and the records kept about that plan."""

    client: str
    date: str
    version: int
    current: bool
    metric: str
    source: str
    sha256: str
    document: str
    stored_at: str
    plan_compact: str
    """The plan as stored (compact JSON); :attr:`plan_json` is the CLI's text of it."""
    planned_at: str
    previous_date: str | None
    previous_version: int | None
    follow_through: dict[str, Any] | None
    provenance: dict[str, Any]
    fidelity: tuple[FidelityRecord, ...] = field(default=())
    decisions: tuple[DecisionRecord, ...] = field(default=())

    @property
    def plan(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.plan_compact)
        return data

    @property
    def plan_json(self) -> str:
        """The stored plan exactly as ``neuroseq plan --format json`` prints it."""
        return plan_text(self.plan_compact)

    def latest_fidelity(self) -> dict[str, FidelityRecord]:
        """The newest fidelity record per item."""
        return {record.intervention: record for record in self.fidelity}

    def latest_decisions(self) -> dict[str, DecisionRecord]:
        """The newest decision per item."""
        return {record.intervention: record for record in self.decisions}


@dataclass(frozen=True)
class ClientSummary:
    """A client with the dates of their current assessments, oldest first."""

    client: str
    dates: tuple[str, ...]
    metrics: tuple[str, ...]


def follow_through_of(stored: StoredAssessment) -> FollowThrough:
    """What a follow-up takes from an earlier stored plan: newest fidelity and overrides."""
    fidelity = {
        item: Fidelity(status=r.status, rating=r.rating)  # type: ignore[arg-type]
        for item, r in stored.latest_fidelity().items()
    }
    overridden = {
        item: Override(reason=d.reason or "other", note=d.note or "")  # type: ignore[arg-type]
        for item, d in stored.latest_decisions().items()
        if d.decision == "overridden"
    }
    return FollowThrough(fidelity=fidelity, overridden=overridden)
