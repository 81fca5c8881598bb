"""What differs between two plans, item by item: shared by ``compare`` and ``rules impact``.

``compare`` diffs the plans of two assessments of one client (what the later
plan does differently: resumed, suspended, new, stopped, otherwise changed);
``rules impact`` diffs the plans of one case under two rule bases (every
action that changed, and the rules that decided them). Both read only plan
values; neither plans anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from neuroseq.engine.plan_model import Plan
from neuroseq.vocabulary import ACTIVE_ACTIONS

__all__ = [
    "CHANGE_KINDS",
    "ItemChange",
    "action_changes",
    "changes_over_time",
    "deciding_rules",
    "why_changed",
]

CHANGE_KINDS = ("resumed", "suspended", "new", "stopped", "changed")
"""How an item changed from one plan to the next, in the order reports list them."""

_HELD = ("suspend", "defer")


@dataclass(frozen=True)
class ItemChange:
    """One intervention whose action differs: ``before`` and ``after`` are actions, or ''
    when the item is not in that plan."""

    intervention: str
    name: str
    before: str
    after: str
    kind: str
    why: str = ""
    """Why it left or stopped, from the later plan: fade, suspend, defer, avoid,
    not_started, no_longer (or '' when nothing says)."""
    reason: str = ""


def why_changed(plan: Plan, intervention: str, after: str) -> tuple[str, str]:
    """Why an item changed, from the later plan's ``stop`` and ``not_started`` lists."""
    for stop in plan.stop:
        if stop.intervention == intervention:
            return stop.action, stop.reason
    for entry in plan.not_started:
        if entry.intervention == intervention:
            return "not_started", entry.note
    if not after:
        return "no_longer", ""
    return "", ""


def _kind(old: str, new: str) -> str:
    if new == "resume":
        return "resumed"
    if new in _HELD and old not in _HELD:
        return "suspended"
    if not old and new in ACTIVE_ACTIONS:
        return "new"
    if (old in ACTIVE_ACTIONS and new == "avoid") or (old in ACTIVE_ACTIONS and not new):
        return "stopped"
    return "changed"


def changes_over_time(before: Plan, after: Plan) -> list[ItemChange]:
    """What the later plan does differently, as a clinician reads a follow-up.

    An item recommended before and continued now is not a change (it is still
    in use); every other difference of action is, in the later plan's order,
    then the items that left the plan.
    """
    was = {r.intervention: r for r in before.recommendations}
    now = {r.intervention: r for r in after.recommendations}
    found: list[ItemChange] = []
    for intervention, item in now.items():
        old = was[intervention].action if intervention in was else ""
        if item.action == old or (item.action in ACTIVE_ACTIONS[:2] and old in ACTIVE_ACTIONS):
            continue
        why, reason = why_changed(after, intervention, item.action)
        found.append(
            ItemChange(
                intervention, item.name, old, item.action, _kind(old, item.action), why, reason
            )
        )
    for intervention, item in was.items():
        if intervention not in now:
            why, reason = why_changed(after, intervention, "")
            found.append(
                ItemChange(
                    intervention, item.name, item.action, "", _kind(item.action, ""), why, reason
                )
            )
    return found


def action_changes(before: Plan, after: Plan) -> list[ItemChange]:
    """Every intervention whose action differs between two plans of the same case."""
    was = {r.intervention: r for r in before.recommendations}
    now = {r.intervention: r for r in after.recommendations}
    found = []
    for intervention in sorted(set(was) | set(now)):
        old = was[intervention].action if intervention in was else ""
        new = now[intervention].action if intervention in now else ""
        if old != new:
            name = (now.get(intervention) or was[intervention]).name
            why, reason = why_changed(after, intervention, new)
            found.append(ItemChange(intervention, name, old, new, _kind(old, new), why, reason))
    return found


def deciding_rules(plan: Plan) -> set[str]:
    """The rules that decided something in the plan: each item's deciding and supporting
    rules, the rules it overruled, and the rules behind its stops and left-out candidates."""
    rules: set[str] = set()
    for item in plan.recommendations:
        rules.add(item.rule)
        rules.update(item.supporting_rules)
        rules.update(o.rule for o in item.overruled)
    rules.update(s.rule for s in plan.stop if s.rule)
    rules.update(c.rule for c in plan.also_considered)
    return rules
