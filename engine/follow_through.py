"""What happened to the previous plan, as a follow-up plan takes it into account.

A case store records, per recommendation of a plan, whether it was carried
out (fidelity: status and a 0-3 rating) and what the clinician decided
(accepted, or overridden with a reason code and a comment). A follow-up plan
uses them this way:

- ``done`` or ``partly``: the service was in place, so it counts as current
  (it continues when still indicated, and is faded with a reason when not),
  even if the follow-up case forgot to list it. A rating of 0 or 1 adds a
  note to review how it is carried out.
- ``not_done`` or ``not_started``: it is not current, whatever the case lists,
  so it is never "continue"; it is "not started: review barriers".
- ``declined``: the family declined it; it is treated as declined now.
- ``overridden``: the plan notes which earlier items the clinician overrode,
  with the reason and comment, on the item when it is planned again.

With nothing recorded the plan is exactly the plan of the two files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neuroseq.engine.plan_model import NotStarted, Plan, Recommendation
from neuroseq.scoring.case import Case
from neuroseq.vocabulary import FidelityStatus, OverrideReason

__all__ = ["Fidelity", "FollowThrough", "Override", "adjusted_case", "annotated_plan"]

_IN_PLACE: frozenset[str] = frozenset({"done", "partly"})
_NOT_DONE: frozenset[str] = frozenset({"not_done", "not_started"})
_LOW_RATING = 1


@dataclass(frozen=True)
class Fidelity:
    """Whether one recommendation was carried out, and how well (0-3; None when not rated)."""

    status: FidelityStatus
    rating: int | None = None


@dataclass(frozen=True)
class Override:
    """A clinician's override of one recommendation: the reason code and a comment."""

    reason: OverrideReason
    note: str = ""


@dataclass(frozen=True)
class FollowThrough:
    """The newest fidelity record and override per item of the previous plan."""

    fidelity: Mapping[str, Fidelity] = field(default_factory=dict)
    overridden: Mapping[str, Override] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fidelity or self.overridden)

    def to_json(self) -> dict[str, Any]:
        """Plain data in a stable order (it is stored beside the plan and shown in it)."""
        data: dict[str, Any] = {}
        if self.fidelity:
            data["fidelity"] = {
                item: {"status": f.status, "rating": f.rating}
                for item, f in sorted(self.fidelity.items())
            }
        if self.overridden:
            data["overridden"] = {
                item: {"reason": o.reason, "note": o.note}
                for item, o in sorted(self.overridden.items())
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> FollowThrough:
        data = data or {}
        return cls(
            fidelity={
                item: Fidelity(status=f["status"], rating=f.get("rating"))
                for item, f in data.get("fidelity", {}).items()
            },
            overridden={
                item: Override(reason=o["reason"], note=o.get("note") or "")
                for item, o in data.get("overridden", {}).items()
            },
        )


def adjusted_case(case: Case, follow: FollowThrough) -> Case:
    """The case with its current services and declined items as the fidelity records say."""
    if not follow.fidelity:
        return case
    current = [s for s in case.current_services if s not in _not_in_place(follow)]
    for item, record in sorted(follow.fidelity.items()):
        if record.status in _IN_PLACE and item not in current:
            current.append(item)
    declined = list(case.client.declined)
    for item, record in sorted(follow.fidelity.items()):
        if record.status == "declined" and item not in declined:
            declined.append(item)
    client = case.client.model_copy(update={"declined": tuple(declined)})
    adjusted = case.model_copy(update={"current_services": tuple(current), "client": client})
    return adjusted.with_sha256(case.sha256)


def _not_in_place(follow: FollowThrough) -> set[str]:
    return {
        item
        for item, record in follow.fidelity.items()
        if record.status in _NOT_DONE or record.status == "declined"
    }


def _barrier_note(record: Fidelity) -> str:
    if record.status == "declined":
        return (
            "The fidelity record says the family declined it after the previous plan: "
            "talk it through with them before offering it again."
        )
    return (
        "The fidelity record says it was not done: review the barriers (access, timing, "
        "the family's view, the child's readiness) with the family and providers before "
        "planning it again."
    )


def _item_notes(item: Recommendation, follow: FollowThrough) -> list[str]:
    notes = list(item.notes)
    record = follow.fidelity.get(item.intervention)
    if record is not None:
        if record.status in _NOT_DONE or record.status == "declined":
            notes = [n for n in notes if not n.startswith("The previous plan said")]
            notes.append(_barrier_note(record))
        elif record.rating is not None and record.rating <= _LOW_RATING:
            notes.append(
                f"Carried out with low fidelity (rated {record.rating} of 3): review how it "
                "is delivered before continuing it."
            )
        elif record.status == "partly":
            notes.append(
                "Only partly carried out since the previous plan: ask what got in the way."
            )
    override = follow.overridden.get(item.intervention)
    if override is not None:
        comment = f": {override.note}" if override.note else ""
        notes.append(
            f"The clinician overrode this at the previous plan "
            f"({override.reason.replace('_', ' ')}){comment}."
        )
    return notes


def annotated_plan(plan: Plan, follow: FollowThrough) -> Plan:
    """The follow-up plan with the fidelity and overrides of the previous one noted."""
    if not follow:
        return plan
    items = [
        item.model_copy(update={"notes": _item_notes(item, follow)})
        if item.intervention in follow.fidelity or item.intervention in follow.overridden
        else item
        for item in plan.recommendations
    ]
    not_started: list[NotStarted] = []
    for entry in plan.not_started:
        record = follow.fidelity.get(entry.intervention)
        if record is not None and (record.status in _NOT_DONE or record.status == "declined"):
            entry = entry.model_copy(update={"note": _barrier_note(record)})
        not_started.append(entry)
    previous = dict(plan.previous or {})
    previous["follow_through"] = follow.to_json()
    return plan.model_copy(
        update={"recommendations": items, "not_started": not_started, "previous": previous}
    )
