"""The plain-language summary at the top of a plan report: PlanResult --family_summary--> sentences.

Five to eight short sentences a family can read: what the map shows, in words
and against a typical peer of the same age; what the cortical modulation ratio
(CMR) means for this client now; the three most important next steps (the
first active item for the therapeutic web, the family and the client, in the
plan's own order); what waits or stops; and when to look again.

Every claim comes from the plan and the profile: a region is called "well
below" or "somewhat below" typical only when its impairment (relative to age)
says so, so a child typical for age reads as typical. No number is needed to
read it; the report's sections below give the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

from neuroseq.engine.plan_model import Plan, Recommendation
from neuroseq.engine.planning import DEFAULT_PLANNING
from neuroseq.engine.workflow import PlanResult
from neuroseq.scoring.items import ITEMS, REGIONS
from neuroseq.scoring.profile import Profile
from neuroseq.vocabulary import ACTIVE_ACTIONS, AUDIENCES

__all__ = [
    "REGION_WORDS",
    "cmr_in_words",
    "family_summary",
    "next_steps",
    "typical_for_age",
]

#: Each region in everyday words: what it mostly looks after.
REGION_WORDS: dict[str, str] = {
    "brainstem": "the brainstem (heart rate, stress response, body rhythms)",
    "diencephalon_cerebellum": "the diencephalon and cerebellum (sleep, appetite, movement, the senses)",
    "limbic": "the limbic system (feelings, enjoyment, relationships)",
    "cortex": "the cortex (language, thinking about real things, self-awareness)",
    "frontal_cortex": "the frontal cortex (self-control, planning, reading, abstract thought)",
}
_SHORT_REGION = {
    "brainstem": "brainstem",
    "diencephalon_cerebellum": "diencephalon and cerebellum",
    "limbic": "limbic system",
    "cortex": "cortex",
    "frontal_cortex": "frontal cortex",
}
_ACTIVE = ACTIVE_ACTIONS
_VERBS = {"recommend": "", "continue": "keep going with ", "resume": "restart "}
_ORDINALS = ("First", "Second", "Third")


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _person(age: float) -> str:
    return "the child" if age < 18 else "the client"


def typical_for_age(profile: Profile, plan: Plan) -> bool:
    """Whether the planner found the CMR typical for the client's age: its gate let the CMR
    through (the rule base's ``cmr_for_age``); a plan without a summary uses the default."""
    if plan.summary is not None:
        return plan.summary.cmr_gate == "available"
    cmr = profile.cmr
    return cmr.typical > 0 and cmr.value >= DEFAULT_PLANNING.cmr_for_age * cmr.typical


def cmr_in_words(result: PlanResult) -> str:
    """What the CMR means for this client now, without its number."""
    cmr = result.profile.cmr
    recommendations = result.plan.recommendations
    gated = any(r.action in ("suspend", "defer") and r.phase == "reason" for r in recommendations)
    if cmr.band != "available" and typical_for_age(result.profile, result.plan) and not gated:
        return (
            "The thinking part of the brain steers the rest about as well as is usual at "
            "this age, so nothing is held back on this account."
        )
    if cmr.band == "deferred":
        return (
            "For now the thinking part of the brain cannot yet calm the stressed lower "
            "parts, so talking and learning-heavy work is unlikely to help yet: calm, "
            "rhythmic, repeated activity comes first."
        )
    if cmr.band == "brief_segments":
        return (
            "The thinking part of the brain can now help calm the rest, but only for "
            "short stretches: keep talking and thinking tasks short, with calming activity "
            "before and after."
        )
    return (
        "The thinking part of the brain can help calm and steer the rest, so talking "
        "and thinking-based work can be used."
    )


def next_steps(recommendations: Sequence[Recommendation]) -> list[Recommendation]:
    """Up to three steps: the first active item for the web, the family and the client,
    topped up with the next active items, in the plan's own order."""
    active = [r for r in recommendations if r.action in _ACTIVE]
    chosen: list[Recommendation] = []
    for audience in AUDIENCES:
        first = next((r for r in active if r.audience == audience), None)
        if first is not None:
            chosen.append(first)
    for item in active:
        if len(chosen) >= 3:
            break
        if item not in chosen:
            chosen.append(item)
    return sorted(chosen[:3], key=lambda r: r.rank)


def _step(index: int, item: Recommendation, person: str) -> str:
    where = {
        "therapeutic_web": f"for the adults around {person}",
        "family": "for the family",
        "client": f"with {person}",
    }[item.audience]
    who = ", ".join(name.replace("_", " ") for name in item.responsible[:2])
    by = f" ({who})" if who else ""
    how_often = item.dosing.get("frequency", "")
    often = f", {how_often}" if how_often else ""
    return f"{_ORDINALS[index]}, {where}: {_VERBS[item.action]}{item.name}{often}{by}."


def family_summary(result: PlanResult) -> list[str]:
    """The summary's sentences, in reading order (5 to 8 of them)."""
    plan, profile = result.plan, result.profile
    person = _person(profile.age)
    peer = "child" if profile.age < 18 else "person"
    sentences = [
        f"This report looks at 32 functions of the brain, from body rhythms in the "
        f"brainstem to thinking in the frontal cortex, and compares {person} with a "
        f"typical {peer} of the same age"
        + (
            "; the scores come from a first look during a crisis, so they are provisional "
            "and the full assessment will check them."
            if plan.summary is not None and plan.summary.provisional
            else "."
        )
    ]
    regions = profile.regions
    well_below = [r for r in REGIONS if regions[r].impairment == "significant"]
    somewhat = [r for r in REGIONS if regions[r].impairment == "moderate"]
    if not well_below and not somewhat:
        sentences.append(f"In every part of the brain, {person} functions as is typical for age.")
    else:
        parts = []
        if well_below:
            parts.append("well below in the " + _join([_SHORT_REGION[r] for r in well_below]))
        if somewhat:
            parts.append("somewhat below in the " + _join([_SHORT_REGION[r] for r in somewhat]))
        rest = [r for r in REGIONS if r not in well_below and r not in somewhat]
        if rest:
            parts.append("typical in the " + _join([_SHORT_REGION[r] for r in rest]))
        sentences.append(
            "Against what is typical for age, the map shows functioning " + "; ".join(parts) + "."
        )
    lowest = plan.summary.lowest_impaired_level if plan.summary else None
    start_items = plan.summary.start_items if plan.summary else []
    if start_items:
        labels = {item.id: item.label.lower() for item in ITEMS}
        sentences.append(
            "The brain develops from the bottom up, so help starts with "
            + _join([labels[i] for i in start_items])
            + (", which are" if len(start_items) > 1 else ", which is")
            + (
                " looked after low in the brain and need it most now."
                if len(start_items) > 1
                else " looked after low in the brain and needs it most now."
            )
        )
    elif lowest is not None and lowest in REGION_WORDS:
        sentences.append(
            f"The brain develops from the bottom up, so help starts in "
            f"{REGION_WORDS[lowest]}, the lowest part that needs it most."
        )
    sentences.append(cmr_in_words(result))
    steps = next_steps(plan.recommendations)
    if steps:
        sentences.extend(_step(i, item, person) for i, item in enumerate(steps))
    else:
        sentences.append("No new activities are needed now: keep doing what already works.")
    waiting = [s.name for s in plan.stop]
    due = plan.reassessment.due if plan.reassessment else None
    when = f"by {due}" if due else "at the next review"
    if plan.reassessment and not due:
        when = f"in {plan.reassessment.months} months"
    if waiting:
        more = f" and {len(waiting) - 1} more" if len(waiting) > 1 else ""
        sentences.append(
            f"Some things wait or stop for now ({waiting[0]}{more}: the plan says why); "
            f"look at the plan again {when}."
        )
    else:
        sentences.append(f"Look at the plan again {when}.")
    return sentences
