"""What a case says about safety: the caution conditions that hold for one client.

Catalogue cautions name a condition (``catalog.model.CAUTION_CONDITIONS``);
:func:`client_conditions` works out which hold for a scored case, once per case.
Unknown is never read as "no": a placement that is not given is
``placement_unknown``, not a stable home.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from neuroseq.scoring.case import PSYCHOTROPIC_CLASSES, Case

__all__ = ["at_school", "client_conditions", "placement_kind", "psychotropic_count"]

_ITEM_CONDITIONS = {
    "dissociation_significant": "dissociative_continuum",
    "impulsivity_significant": "modulate_reactivity_impulsivity",
    "arousal_significant": "arousal_continuum",
}


def placement_kind(placement: str | None, words: Mapping[str, Sequence[str]]) -> str:
    """The kind of placement its free text names (``unknown`` when not given)."""
    if placement is None or not placement.strip():
        return "unknown"
    text = " ".join(placement.lower().split())
    best: tuple[int, int, str] | None = None
    for order, (kind, kind_words) in enumerate(words.items()):
        # Whole words at the start (``adopt`` matches "adoptive", ``unit`` not "community").
        # The kind named first in the text wins ("lives with parents and grandmother" is a
        # birth family, "kinship care with an aunt, mother in prison" kinship); the order
        # of the kinds breaks a tie.
        for word in kind_words:
            found = re.search(rf"\b{re.escape(word)}", text)
            if found and (best is None or (found.start(), order) < best[:2]):
                best = (found.start(), order, kind)
    return best[2] if best is not None else "other"


def at_school(school_setting: str | None, not_at_school: Sequence[str]) -> bool:
    """Whether the free-text school setting names a school, college or nursery.

    Not given is not at school (no school items); text starting a word with one of
    ``not_at_school`` ("none", "at home with foster carer", "part-time work") is not either.
    """
    if school_setting is None or not school_setting.strip():
        return False
    text = " ".join(school_setting.lower().split())
    return not any(re.search(rf"\b{re.escape(word)}", text) for word in not_at_school)


def psychotropic_count(case: Case) -> int:
    """How many of the client's current medications are psychotropic."""
    return sum(1 for m in case.client.medications if m.class_ in PSYCHOTROPIC_CLASSES)


def client_conditions(case: Case, facts: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """Every caution condition that holds for this client (``not_requested`` is per entry).

    ``facts`` are the case's profile and client facts by id (so that a rule test's
    fact overrides reach the conditions too).
    """
    held = {"always", *case.client.sensitivities}
    for period in case.history or ():
        if any("sexual" in nature.lower() for nature in period.nature):
            held.add("sexual_abuse_history")
    for condition, item in _ITEM_CONDITIONS.items():
        if facts[item]["impairment"] == "significant":
            held.add(condition)
    cmr = facts["cmr"]["value"]
    if cmr < 1.0:
        held.add("cmr_below_1")
    if cmr < 2.0:
        held.add("cmr_below_2")
    client = facts["client"]
    if client["placement_kind"] in ("residential", "shelter", "independent"):
        held.add("no_stable_caregiver")
    if client["placement_kind"] == "unknown":
        held.add("placement_unknown")
    if client["age"] >= 12:
        held.add("adolescent_or_adult")
    if client["age"] >= 18:
        held.add("adult")
    if not case.history:
        held.add("history_unknown")
    elif client.get("trauma_exposure") == "no":
        held.add("no_trauma_history")
    return frozenset(held)
