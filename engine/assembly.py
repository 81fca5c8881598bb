"""Plan assembly: rule firings in, ordered and explained recommendations out.

The conflict policy (like a DMN hit policy, never firing order): for one
intervention the strongest action wins —

    avoid  >  suspend = defer  >  resume  >  continue  >  recommend

— ties going to the higher priority, then the rule id. The winner keeps the
rules it overruled and the rules that agreed with it. Then, per client phase,
at most ``max_new`` *new* items (recommend, defer) are kept, best priority
first; gating actions and therapeutic-web and family items are never cut. Finally items are ordered
therapeutic web, family, client; client items regulate, relate, reason; then
priority (higher first), then intervention id; and ranked 1..n.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from neuroseq.catalog.model import DOMAINS, Catalog, Intervention
from neuroseq.engine.compiler import CompiledRule, render_template
from neuroseq.engine.memo import per_object
from neuroseq.engine.plan_model import (
    Considered,
    NotStarted,
    Overruled,
    Recommendation,
    Relevance,
    SixRs,
    Stop,
    construct,
)
from neuroseq.engine.planning import DEFAULT_PLANNING, PlanningSettings
from neuroseq.engine.rule_model import Pattern, Ref, Test
from neuroseq.engine.selection import (
    DOMAIN_WORDS,
    REGION_WORDS,
    ClientContext,
    developmental_age,
    item_label,
    item_words,
    region_of,
    relevance,
    worst_of,
)
from neuroseq.scoring.items import ITEMS
from neuroseq.vocabulary import ACTIVE_ACTIONS

__all__ = ["ACTION_STRENGTH", "Assembled", "Firing", "assemble"]

ACTION_STRENGTH = {
    "avoid": 0,
    "suspend": 1,
    "defer": 1,
    "resume": 2,
    "continue": 3,
    "recommend": 4,
}
AUDIENCE_ORDER = {"therapeutic_web": 0, "family": 1, "client": 2}
PHASE_ORDER = {"regulate": 0, "relate": 1, "reason": 2, None: 3}
NEW_ACTIONS = ("recommend", "defer")
VERBS = {
    "recommend": "Start",
    "continue": "Continue",
    "suspend": "Suspend",
    "defer": "Defer",
    "resume": "Resume",
    "avoid": "Avoid",
}
_OP_WORDS = {
    "is": "is",
    "is_not": "is not",
    "below": "below",
    "at_most": "at most",
    "above": "above",
    "at_least": "at least",
    "one_of": "one of",
    "none_of": "none of",
    "contains": "includes",
    "lacks": "lacks",
}


class Firing(Protocol):
    """What the engine adapter reports for one rule firing."""

    @property
    def rule(self) -> str: ...

    @property
    def matched(self) -> Mapping[str, Mapping[str, Any]]: ...


# A candidate for one intervention: (action strength, -priority, rule id, firing
# number, compiled rule, matched facts). Plain tuples sort by the conflict policy
# in C; the firing number (firings arrive in the adapter's deterministic order)
# breaks ties exactly as a stable sort would, so rules and facts are never compared.
_Candidate = tuple[int, int, str, int, CompiledRule, Mapping[str, Mapping[str, Any]]]


def _describe(test: Test) -> str:
    value = test.value
    if isinstance(value, Ref):
        shown = f"{value.alias}.{value.field}"
    elif isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value)
    else:
        shown = str(value).lower() if isinstance(value, bool) else str(value)
    return f"{test.field} {_OP_WORDS[test.op]} {shown}"


@per_object()
def _trace_plan(pattern: Pattern) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields whose values the trace shows, the tests in words) of a pattern, built once."""
    shown: list[str] = []
    words: list[str] = []
    for test in pattern.tests:
        if test.field == "id":
            continue
        if test.op not in ("contains", "lacks") and test.field not in shown:
            shown.append(test.field)
        words.append(_describe(test))
    return tuple(shown), tuple(words)


# (alias, fields shown in order, tests in words) per pattern, the target's pattern last
_Explanation = tuple[tuple[str, tuple[str, ...], list[str]], ...]


@per_object()
def _explanation(compiled: CompiledRule) -> _Explanation:
    """What the trace of one compiled rule shows, worked out once per rule."""
    from neuroseq.engine.compiler import template_fields

    in_template: dict[str, set[str]] = {}
    for alias, name, _spec in template_fields(compiled.rule.rationale):
        in_template.setdefault(alias, set()).add(name)
    target = compiled.target_alias
    ordered = [p for p in compiled.patterns if p.alias != target]
    ordered.append(next(p for p in compiled.patterns if p.alias == target))
    patterns = []
    for pattern in ordered:
        shown, words = _trace_plan(pattern)
        extra = sorted(in_template.get(pattern.alias, set()) - set(shown))
        patterns.append((pattern.alias, shown + tuple(extra), list(words)))
    return tuple(patterns)


def _facts_trace(
    explanation: _Explanation, matched: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The matched facts with the values that mattered and the tests in words."""
    facts: list[dict[str, Any]] = []
    for alias, shown, words in explanation:
        fact = matched.get(alias)
        if fact is None:  # an alternative of an ``any`` that was not satisfied
            continue
        entry: dict[str, Any] = {
            "type": fact.get("type"),
            "id": fact.get("id"),
            **{name: fact[name] for name in shown if name in fact},
        }
        if words:
            entry["conditions"] = list(words)
        facts.append(entry)
    return facts


class Assembled(NamedTuple):
    """What assembly makes of one case's firings."""

    items: list[Recommendation]
    also_considered: list[Considered]
    stop: list[Stop]
    not_started: list[NotStarted]


class _Decision(NamedTuple):
    """One intervention after the conflict policy, before selection."""

    win: _Candidate
    others: list[_Candidate]
    entry: Intervention
    audience: str
    phase: str | None
    action: str
    current: bool
    relevance: dict[str, float] | None


def assemble(
    firings: Sequence[Firing],
    compiled: Mapping[str, CompiledRule],
    catalog: Catalog,
    *,
    max_new: int,
    facts: Mapping[str, Mapping[str, Any]],
    context: ClientContext | None = None,
    planning: PlanningSettings = DEFAULT_PLANNING,
) -> Assembled:
    """Resolve conflicts, select, order and explain.

    ``facts`` are the evaluated facts by id: the source of the facts a compiled rule
    names by id only (:attr:`CompiledRule.implied`). ``compiled`` is read once per
    mapping object and must not change afterwards (the planner's never does).
    ``context`` (a client's case) turns on relevance, safety notes and follow-up;
    without it (a home alone, ``neuroseq cce``) items are kept by rule priority.
    """
    by_intervention: dict[str, list[_Candidate]] = {}
    proposed: set[str] = set()
    infos = _rule_infos(compiled)
    for number, firing in enumerate(firings):
        matched = firing.matched
        strength, negative_priority, rule_id, rule, target_alias, target, gate, implied = infos[
            firing.rule
        ]
        if implied and not _implied_present(rule, facts):
            continue  # the engine's join would have found nothing either
        if target is None:
            target = str(matched[target_alias]["id"])
        if not gate:
            proposed.add(target)
        candidate = (strength, negative_priority, rule_id, number, rule, matched)
        found = by_intervention.get(target)
        if found is None:
            by_intervention[target] = [candidate]
        else:
            found.append(candidate)

    current = context.current if context is not None else frozenset()
    decisions: list[_Decision] = []
    for intervention, candidates in by_intervention.items():
        is_current = intervention in current
        if intervention not in proposed and not is_current:
            continue  # a gate alone adds nothing
        if len(candidates) > 1:
            candidates.sort()
        win = candidates[0]
        entry = catalog.get(intervention)
        audience, phase = _placement(win[4], entry)
        action = win[4].rule.action.kind
        if action == "recommend" and is_current:
            action = "continue"  # a current service is never "started"
        score = None
        if context is not None and audience == "client":
            fact = facts.get(intervention, {})
            score = relevance(
                context, entry, win[4].rule.action.priority, bool(fact.get("interest_match"))
            )
        decisions.append(
            _Decision(win, candidates[1:], entry, audience, phase, action, is_current, score)
        )
    metric = context.metric if context is not None else "full"
    chosen, also, stop = _select(decisions, facts, max_new, planning, metric)
    not_started: list[NotStarted] = []
    notes: dict[str, list[str]] = {}
    if context is not None:
        _follow_up(context, catalog, chosen, stop, not_started, notes, facts)
    stages = _stages(chosen, facts, context) if context is not None else {}
    if stages and context is not None:
        chosen.sort(key=lambda d: _staged_order(d, stages))
        _stage_notes(chosen, stages, context, notes)
    else:
        chosen.sort(key=_order)
    ranked = _rank_texts(chosen, context)
    items = []
    for rank, decision in enumerate(chosen, start=1):
        items.append(
            _recommendation(
                decision, rank, facts, context, ranked, notes, stages.get(decision.entry.id)
            )
        )
    for decision in chosen:
        if decision.action in ("suspend", "defer", "avoid"):
            stop.append(_stop(decision, facts))
    stop.sort(key=lambda s: (_STOP_ORDER[s.action], s.intervention))
    return Assembled(items, also, stop, not_started)


_STOP_ORDER = {"suspend": 0, "avoid": 1, "defer": 2, "fade": 3}
# New work the planner checks for age and readiness itself (eligibility).
_NEW = ("recommend", "defer", "resume")
_ACTIVE = ACTIVE_ACTIONS
_GROUP_ORDER = {"recommend": 0, "continue": 0, "resume": 0, "defer": 1, "suspend": 2, "avoid": 3}
_DOMAIN_ORDER: dict[str, int] = {d: n for n, d in enumerate(DOMAINS)}


def _domain(decision: _Decision) -> str | None:
    if decision.audience != "client":
        return None
    entry = decision.entry
    return decision.win[4].rule.action.domain or entry.demanded_domain


def _order(decision: _Decision) -> tuple[Any, ...]:
    """Web, family, client; client by phase, domain, active before held, relevance."""
    score = decision.relevance["score"] if decision.relevance else 0.0
    return (
        AUDIENCE_ORDER[decision.audience],
        PHASE_ORDER[decision.phase],
        _DOMAIN_ORDER.get(_domain(decision) or "", 9),
        _GROUP_ORDER[decision.action],
        -score,
        decision.win[1],
        decision.entry.id,
    )


def _staged_order(decision: _Decision, stages: Mapping[str, int]) -> tuple[Any, ...]:
    """:func:`_order`, with the first stage of restarting cognitive work before the second."""
    key = _order(decision)
    return (*key[:4], stages.get(decision.entry.id, 0), *key[4:])


def _later(entry: Intervention, context: ClientContext) -> bool:
    """A 'later' caution of the entry applies to this client."""
    return any(c.then == "later" and c.if_ in context.conditions for c in entry.all_cautions)


def _stages(
    chosen: Sequence[_Decision], facts: Mapping[str, Mapping[str, Any]], context: ClientContext
) -> dict[str, int]:
    """Stage 1 or 2 per active cognitive-predominant client item while the CMR allows
    brief segments only and more of them are active than ``planning.staging.start_now``.

    What already runs (continue) stays in stage 1; the new and resuming items fill the
    rest of stage 1 by relevance, except that an entry with a 'later' caution that
    applies goes to stage 2. Empty when nothing needs staging (the usual case).
    """
    if context.cmr_gate != "brief_segments":
        return {}
    gated = [
        d
        for d in chosen
        if d.audience == "client"
        and d.action in _ACTIVE
        and facts.get(d.entry.id, {}).get("cmr_gated")
    ]
    limit = context.planning.staging.start_now
    if len(gated) <= limit:
        return {}
    gated.sort(
        key=lambda d: (
            d.action != "continue",
            _later(d.entry, context),
            -(d.relevance["score"] if d.relevance else 0.0),
            d.entry.id,
        )
    )
    stages: dict[str, int] = {}
    for position, decision in enumerate(gated):
        first = decision.action == "continue" or position < limit
        stages[decision.entry.id] = 1 if first else 2
    return stages


def _stage_notes(
    chosen: Sequence[_Decision],
    stages: Mapping[str, int],
    context: ClientContext,
    notes: dict[str, list[str]],
) -> None:
    """The note that states each staged item's stage and the condition for the second."""
    weeks = context.planning.staging.review_weeks
    names = {d.entry.id: d.entry.name for d in chosen}
    actions = {d.entry.id: d.action for d in chosen}
    first = [names[i] for i, stage in stages.items() if stage == 1]
    second = [names[i] for i, stage in stages.items() if stage == 2]
    for intervention, stage in stages.items():
        if stage == 1:
            verb = _STAGE_VERBS[actions[intervention]]
            text = (
                f"Stage 1 of 2: {verb} now, in brief segments bracketed by regulating activity; "
                f"{_and(second)} follow{'s' if len(second) == 1 else ''} after the review in "
                f"{weeks} weeks, so that cognitive work does not all restart at once."
            )
        else:
            text = (
                f"Stage 2 of 2: {_STAGE_VERBS[actions[intervention]]} after the review in "
                f"{weeks} weeks, if the client stays "
                f"regulated through the brief segments of {_and(first)} (calm before and after "
                "each segment, no rise in crises); otherwise it waits until the next review."
            )
        notes.setdefault(intervention, []).insert(0, text)


_STAGE_VERBS = {"continue": "continues", "resume": "restarts", "recommend": "starts"}


def _and(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _why_left_out(decision: _Decision, facts: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """(reason code, detail) for a candidate a gate kept out of the plan."""
    fact = facts.get(decision.entry.id, {})
    if fact.get("declined"):
        return "declined", "the client or family declined it"
    if fact.get("contraindicated"):
        return "contraindicated", str(fact.get("exclude_reason") or "a caution applies")
    if fact.get("age_fit") is False:
        return "outside_age_range", f"built for {decision.entry.ages.words()}"
    if fact.get("held"):
        return "not_ready", str(fact.get("hold_reason") or "it waits")
    if fact.get("developmentally_ready") is False:
        return "not_ready", (
            f"needs a developmental age of {decision.entry.min_developmental_age:g} in "
            f"{DOMAIN_WORDS.get(decision.entry.demanded_domain or '', 'its domain')}; "
            f"the client is at {fact.get('domain_developmental_age'):g}"
        )
    return "not_ready", decision.win[4].rule.title


def _considered(decision: _Decision, reason: str, detail: str) -> Considered:
    return construct(
        Considered,
        {
            "intervention": decision.entry.id,
            "name": decision.entry.name,
            "audience": decision.audience,
            "phase": decision.phase,
            "relevance": decision.relevance["score"] if decision.relevance else None,
            "reason": reason,
            "detail": detail,
            "rule": decision.win[2],
        },
    )


def _select(
    decisions: list[_Decision],
    facts: Mapping[str, Mapping[str, Any]],
    max_new: int,
    planning: PlanningSettings,
    metric: str,
) -> tuple[list[_Decision], list[Considered], list[Stop]]:
    """Keep what fits the budget: one per overlap group, best first; list what is left out."""
    budget = planning.budget
    kept: list[_Decision] = []
    also: list[Considered] = []
    stop: list[Stop] = []
    held: dict[str | None, int] = {}

    single = _single_function_picks(decisions, facts)

    def best_first(decision: _Decision) -> tuple[Any, ...]:
        score = decision.relevance["score"] if decision.relevance else 0.0
        continuing = decision.action in ("continue", "resume")
        if decision.audience == "client":
            return (not continuing, decision.entry.id not in single, -score, decision.entry.id)
        return (not continuing, decision.win[1], decision.entry.id)

    taken: dict[str, str] = {}  # overlap group -> name of the entry that holds it
    active: dict[str, int] = {}
    per_phase: dict[str | None, int] = {}
    new_per_phase: dict[str | None, int] = {}
    # New work outside its ages or above the developmental age is left out before the
    # phases take turns, so that it never uses up a phase's turn (a phase whose best
    # candidates are all ineligible would otherwise lose its place to the others).
    eligible: list[_Decision] = []
    for decision in sorted(decisions, key=best_first):
        if not decision.current and decision.action in _NEW:
            fact = facts.get(decision.entry.id, {})
            if fact.get("age_fit") is False or fact.get("developmentally_ready") is False:
                also.append(_considered(decision, *_why_left_out(decision, facts)))
                continue
        eligible.append(decision)
    for decision in _turns(eligible):
        entry = decision.entry
        if decision.action == "avoid" and not decision.current:
            also.append(_considered(decision, *_why_left_out(decision, facts)))
            continue
        if decision.action == "defer" and not decision.current:
            fact = facts.get(entry.id, {})
            count = held.get(decision.phase, 0)
            not_yet = fact.get("held") or fact.get("developmentally_ready") is False
            if not_yet or count >= budget.deferred_per_phase:
                reason, detail = _why_left_out(decision, facts)
                if not not_yet:
                    detail = f"{detail}; at most {budget.deferred_per_phase} held items per phase"
                also.append(_considered(decision, reason, detail))
                continue
            held[decision.phase] = count + 1
            kept.append(decision)
            continue
        if decision.action not in _ACTIVE:
            kept.append(decision)  # suspend, defer or avoid of a current service
            continue
        # An entry may belong to more than one group (TF-CBT is trauma processing and
        # cognitive behavioural): the first group already held decides the overlap.
        held_group = next((g for g in entry.overlap if g in taken), None)
        reason = detail = ""
        limit = budget.limit(decision.audience, metric)
        if held_group is not None:
            reason = "overlap"
            detail = f"overlaps {taken[held_group]} ({held_group.replace('_', ' ')})"
        elif active.get(decision.audience, 0) >= limit:
            reason, detail = (
                "budget",
                f"at most {limit} active {_AUDIENCE_WORDS[decision.audience]} items",
            )
        elif (
            decision.audience == "client"
            and per_phase.get(decision.phase, 0) >= budget.client_per_phase
        ):
            reason = "phase_limit"
            detail = f"at most {budget.client_per_phase} active items in the {decision.phase} phase"
        elif (
            decision.audience == "client"
            and decision.action == "recommend"
            and new_per_phase.get(decision.phase, 0) >= max_new
        ):
            reason = "phase_limit"
            detail = f"at most {max_new} new items in the {decision.phase} phase"
        if reason:
            if decision.current:
                stop.append(
                    construct(
                        Stop,
                        {
                            "intervention": entry.id,
                            "name": entry.name,
                            "action": "fade",
                            "reason": f"Current, but left out: {detail}; review with the family which to keep.",
                            "rule": decision.win[2],
                        },
                    )
                )
            else:
                also.append(_considered(decision, reason, detail))
            continue
        for group in entry.overlap:
            taken[group] = entry.name
        active[decision.audience] = active.get(decision.audience, 0) + 1
        if decision.audience == "client":
            per_phase[decision.phase] = per_phase.get(decision.phase, 0) + 1
            if decision.action == "recommend":
                new_per_phase[decision.phase] = new_per_phase.get(decision.phase, 0) + 1
        kept.append(decision)
    also.sort(
        key=lambda c: (
            AUDIENCE_ORDER[c.audience],
            PHASE_ORDER[c.phase],
            -(c.relevance or 0.0),
            c.intervention,
        )
    )
    return kept, also, stop


def _single_function_picks(
    decisions: Sequence[_Decision], facts: Mapping[str, Mapping[str, Any]]
) -> set[str]:
    """The best eligible candidate of each targeted rule: one about a single severe
    function (an ``item`` fact), or one naming the entry for a need by id.

    "Single severe functions count": such a candidate goes ahead of the others in its
    phase, so that the budget never leaves a severe sleep, feeding or dissociation
    problem (or a need a rule answers with one named activity) without its response.
    """
    best: dict[str, tuple[float, str]] = {}
    for decision in decisions:
        compiled = decision.win[4]
        if decision.action != "recommend" or decision.current or not _about_one_item(compiled):
            continue
        fact = facts.get(decision.entry.id, {})
        if fact.get("age_fit") is False or fact.get("developmentally_ready") is False:
            continue
        score = decision.relevance["score"] if decision.relevance else 0.0
        found = best.get(compiled.rule.id)
        if found is None or (-score, decision.entry.id) < (-found[0], found[1]):
            best[compiled.rule.id] = (score, decision.entry.id)
    return {entry_id for _score, entry_id in best.values()}


@per_object()
def _about_one_item(compiled: CompiledRule) -> bool:
    """A rule answering one severe function (an item) or naming the one entry for a need."""
    if any(p.fact_type == "item" for p in compiled.patterns):
        return True
    target = next(p for p in compiled.patterns if p.alias == compiled.target_alias)
    return any(t.field == "id" and t.op == "is" for t in target.tests)


def _turns(decisions: list[_Decision]) -> list[_Decision]:
    """Client items take turns by phase (regulate, relate, reason), best first in each.

    The client budget is shared across the phases the rules reach, so that no phase
    fills it before the others get their best item. Other audiences keep their order.
    """
    queues: dict[str | None, list[_Decision]] = {}
    others: list[_Decision] = []
    for decision in decisions:
        if decision.audience == "client" and decision.action in _ACTIVE:
            queues.setdefault(decision.phase, []).append(decision)
        else:
            others.append(decision)
    turns: list[_Decision] = []
    order = sorted(queues, key=lambda p: PHASE_ORDER[p])
    depth = max((len(q) for q in queues.values()), default=0)
    for position in range(depth):
        for phase in order:
            if position < len(queues[phase]):
                turns.append(queues[phase][position])
    return others + turns


_AUDIENCE_WORDS = {"client": "client", "family": "family", "therapeutic_web": "therapeutic-web"}


# What in the follow-up case shows that an earlier item was carried out, though it
# is not a current service: a course completed, a review that changed the medicines.
_DONE_WHEN: dict[str, tuple[str, Any]] = {
    "trauma_informed_caregiving_training": ("caregiver_trauma_informed", lambda v: v == "yes"),
    "medication_review": ("psychotropic_count", lambda v: v < 2),
    "full_assessment_booking": ("metric", lambda v: v != "er"),
}


def _shown_done(service: str, facts: Mapping[str, Mapping[str, Any]]) -> bool:
    rule = _DONE_WHEN.get(service)
    if rule is None:
        return False
    field, holds = rule
    value = facts.get("client", {}).get(field)
    return value is not None and bool(holds(value))


def _follow_up(
    context: ClientContext,
    catalog: Catalog,
    chosen: list[_Decision],
    stop: list[Stop],
    not_started: list[NotStarted],
    notes: dict[str, list[str]],
    facts: Mapping[str, Mapping[str, Any]],
) -> None:
    """Fade what is current but no longer called for; ask about what never started."""
    decided = {d.entry.id for d in chosen} | {s.intervention for s in stop}
    previous = context.previous or {}
    for service in sorted(context.current - decided):
        entry = catalog.find(service)
        if entry is None:
            continue
        stop.append(
            construct(
                Stop,
                {
                    "intervention": service,
                    "name": entry.name,
                    "action": "fade",
                    "reason": _fade_reason(context, entry, previous.get(service)),
                    "rule": None,
                },
            )
        )
    for service, action in sorted(previous.items()):
        if action not in _ACTIVE or service in context.current or _shown_done(service, facts):
            continue
        entry = catalog.find(service)
        if entry is None:
            continue
        if action == "recommend":
            asked = "ask whether it started and what got in the way"
        else:  # it was running (continue or resume) and is no longer listed
            asked = "ask whether it stopped, and why"
        question = (
            f"The previous plan said {action}, but the case does not list it as a current "
            f"service: {asked} before planning it again."
        )
        if service in decided:
            notes.setdefault(service, []).append(question)
        else:
            not_started.append(
                construct(
                    NotStarted,
                    {
                        "intervention": service,
                        "name": entry.name,
                        "previous_action": action,
                        "note": question,
                    },
                )
            )


def _fade_reason(context: ClientContext, entry: Intervention, previous: str | None) -> str:
    """Why a current service is faded: what in this assessment no longer calls for it."""
    why = []
    if entry.demanded_domain is not None:
        domain_age = context.domain_ages.get(entry.demanded_domain)
        if domain_age is not None:
            why.append(
                f"{DOMAIN_WORDS[entry.demanded_domain]} is now at a developmental age of "
                f"{domain_age:.1f} at age {context.age:g}"
            )
    if entry.mode == "cognitive" or entry.id == "in_room_aide":
        why.append(f"the CMR is {context.cmr:.2f}")
    since = " since the previous plan" if previous else ""
    reason = "; ".join(why) if why else "no rule finds a need for it in this assessment"
    if entry.fade_note:
        return f"No rule calls for {entry.name} now{since} ({reason}): fade it. {entry.fade_note}"
    return (
        f"No rule calls for {entry.name} now{since} ({reason}): fade it gradually with the "
        "people who provide it rather than stopping it at once, and note it at review."
    )


def _rank_texts(chosen: list[_Decision], context: ClientContext | None) -> dict[str, str]:
    """'ranks 2 of 5 active regulate items' per client item, in plan order."""
    if context is None:
        return {}
    groups: dict[tuple[str | None, bool], list[str]] = {}
    best = sorted(
        (d for d in chosen if d.audience == "client"),
        key=lambda d: (-(d.relevance["score"] if d.relevance else 0.0), d.entry.id),
    )
    for decision in best:
        active = decision.action in _ACTIVE
        groups.setdefault((decision.phase, active), []).append(decision.entry.id)
    texts: dict[str, str] = {}
    for (phase, active), ids in groups.items():
        kind = "active" if active else "held or stopped"
        for number, item_id in enumerate(ids, start=1):
            texts[item_id] = f"{number} of {len(ids)} {kind} {phase} items"
    return texts


# Per compiled rule: (action strength, -priority, rule id, rule, target alias, the
# target intervention id when the rule names it by id, else None, whether the action
# is a gate, whether the rule names facts by id only).
_RuleInfo = tuple[int, int, str, CompiledRule, str, str | None, bool, bool]


@per_object(limit=16)  # a process rarely holds more rule bases than this
def _rule_infos(compiled: Mapping[str, CompiledRule]) -> dict[str, _RuleInfo]:
    """What assembly needs of every compiled rule, by engine rule name, worked out once."""
    infos: dict[str, _RuleInfo] = {}
    for name, rule in compiled.items():
        action = rule.rule.action
        fixed = next((i for a, _t, i in rule.implied if a == rule.target_alias), None)
        infos[name] = (
            ACTION_STRENGTH[action.kind],
            -action.priority,
            rule.rule.id,
            rule,
            rule.target_alias,
            fixed,
            bool(action.gate),
            bool(rule.implied),
        )
    return infos


def _implied_present(rule: CompiledRule, facts: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether every fact the rule names by id only was asserted (with its type)."""
    for _alias, fact_type, fact_id in rule.implied:
        fact = facts.get(fact_id)
        if fact is None or fact.get("type") != fact_type:
            return False
    return True


def _with_implied(
    matched: Mapping[str, Mapping[str, Any]],
    rule: CompiledRule,
    facts: Mapping[str, Mapping[str, Any]],
) -> Mapping[str, Mapping[str, Any]]:
    """The firing's facts plus those its rule names by id (checked present already)."""
    if not rule.implied:
        return matched
    full = dict(matched)
    for alias, _fact_type, fact_id in rule.implied:
        full[alias] = facts[fact_id]
    return full


def _first(entry: tuple[Any, ...]) -> Any:
    return entry[0]


@per_object()
def _six_rs(entry: Intervention) -> SixRs:
    """The 6 R's of a catalogue entry (built once per entry)."""
    return construct(SixRs, entry.six_rs.flags())


def _placement(rule: CompiledRule, entry: Intervention) -> tuple[str, str | None]:
    """The audience and phase an item is listed under."""
    action = rule.rule.action
    audience = action.audience or entry.audience
    phase = (action.phase or entry.phase) if audience == "client" else None
    return audience, phase


_ID_WORDS: dict[str, str] = {
    **{d: DOMAIN_WORDS[d].replace(" functioning", "") for d in DOMAINS},
    **REGION_WORDS,
    **{item.id: item.label[0].lower() + item.label[1:] for item in ITEMS},
}
_ID_PATTERN = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _words(found: re.Match[str]) -> str:
    return _ID_WORDS.get(found.group(), found.group())


@functools.lru_cache(maxsize=4096)
def _sentence(text: str) -> str:
    """One clean clause: white space folded, ids in words, capitalised, no final stop."""
    text = " ".join(text.split())
    if "_" in text:
        text = _ID_PATTERN.sub(_words, text)
    text = text.rstrip(" .")
    return text[:1].upper() + text[1:]


def _item_clause(decision: _Decision, context: ClientContext, fact: Mapping[str, Any]) -> str:
    """The part of a client item's rationale that is about this child and this activity.

    Its standing among the plan's items (rank and relevance) is not part of the
    rationale: it is the item's ``standing``, shown by ``explain`` and the audit sections.
    """
    entry = decision.entry
    planning = context.planning
    domain = _domain(decision)
    age = developmental_age(context, entry)
    worst = worst_of(context, entry.works_on, planning.worst_items)
    impaired = [i for i in worst if i in context.impaired]
    level = region_of(worst[0]) if worst else None
    where = f"{DOMAIN_WORDS.get(domain or '', 'its domain')} (developmental age {age:.1f} at age {round(context.age, 1):g})"
    if level is not None:
        where += f" at the {REGION_WORDS[level]} level"
        if context.lowest_region is not None and context.lowest_region != level:
            where += f" (the lowest significantly impaired level is the {REGION_WORDS[context.lowest_region]})"
        elif context.lowest_region == level:
            where += ", the lowest significantly impaired level"
    if impaired:
        through = "working on " + _and([item_words(context, i) for i in impaired])
        # The rest of what it works on, so that two activities aimed at the same worst
        # functions still read differently (the catalogue gives no two entries of a
        # phase the same works_on).
        rest = [i for i in entry.works_on if i not in impaired]
        if rest:
            through += f", and also on {_and([item_label(i) for i in rest])}"
    elif worst:
        through = (
            "its functions ("
            + ", ".join(item_words(context, i) for i in worst)
            + ") are near typical for age"
        )
    else:
        through = "with no item of its own"
    if decision.action in _ACTIVE:
        interest = ""
        if fact.get("interest_match"):
            tags = sorted(context.interests & {t.lower() for t in entry.interest_tags})
            if tags:
                interest = f", and fits the interest in {', '.join(tags)}"
        return f"it targets {where}, {through}{interest}"
    return f"it would target {where}, {through}"


def _plan_six_rs(
    decision: _Decision, context: ClientContext | None, fact: Mapping[str, Any]
) -> SixRs:
    """The 6 R's as this plan meets them: relevant and rewarding are judged for this client.

    Relevant: ready in the domain the activity demands and within its developmental
    fit; rewarding: the catalogue's value, or an interest it fits. Other R's are the
    catalogue's. Gated items keep the catalogue's flags (reports show nothing for them).
    """
    flags = _six_rs(decision.entry)
    if context is None or decision.audience != "client" or decision.action not in _ACTIVE:
        return flags
    fit = decision.relevance["fit"] if decision.relevance else 1.0
    relevant = bool(fact.get("developmentally_ready", True)) and fit >= 0.5
    rewarding = flags.rewarding or bool(fact.get("interest_match"))
    if relevant == flags.relevant and rewarding == flags.rewarding:
        return flags
    return construct(SixRs, {**flags.__dict__, "relevant": relevant, "rewarding": rewarding})


def _six_rs_how(
    decision: _Decision, context: ClientContext | None, fact: Mapping[str, Any]
) -> dict[str, str]:
    """How this plan meets each of the 6 R's for an active item (nothing for gated items)."""
    if decision.action not in _ACTIVE or decision.audience != "client":
        return {}
    entry = decision.entry
    how = dict(_catalog_how(entry))
    if context is not None:
        age = developmental_age(context, entry)
        ceiling = entry.max_developmental_age
        span = f"{entry.min_developmental_age:g}" + (
            f" to {ceiling:g}" if ceiling is not None else "+"
        )
        how["relevant"] = (
            f"Matched to a developmental age of {age:.1f} years in "
            f"{DOMAIN_WORDS.get(entry.demanded_domain or '', 'its domain')} (the activity suits {span} years)"
            + (", in an age-respectful form" if _older(context, entry) else "")
            + "."
        )
        if fact.get("interest_match"):
            tags = sorted(context.interests & {t.lower() for t in entry.interest_tags})
            how["rewarding"] = f"Builds on the client's interest in {', '.join(tags)}."
    return how


@per_object()
def _catalog_how(entry: Intervention) -> dict[str, str]:
    """How the catalogue says the entry meets each R (built once per entry; copy it)."""
    return {name: r.how for name, r in _six_r_items(entry)}


def _six_r_items(entry: Intervention) -> list[tuple[str, Any]]:
    rs = entry.six_rs
    return [
        ("relational", rs.relational),
        ("relevant", rs.relevant),
        ("repetitive", rs.repetitive),
        ("rewarding", rs.rewarding),
        ("rhythmic", rs.rhythmic),
        ("respectful", rs.respectful),
    ]


def _older(context: ClientContext, entry: Intervention) -> bool:
    """A teen or adult offered an activity matched to a young developmental age."""
    return (
        entry.older_form is not None
        and context.age >= 12
        and developmental_age(context, entry) < context.age - 3
    )


@per_object()
def _caution_rows(
    entry: Intervention,
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], frozenset[str]]:
    """(condition, text) of every caution of an entry, the texts that always apply, and
    the conditions of the others: built once per entry."""
    rows = tuple((c.if_, c.text) for c in entry.all_cautions)
    always = tuple(text for condition, text in rows if condition == "always")
    return rows, always, frozenset(condition for condition, _t in rows) - {"always"}


def _cautions(entry: Intervention, context: ClientContext | None) -> list[str]:
    rows, always, conditional = _caution_rows(entry)
    if context is None:
        return list(always)
    conditions = context.conditions
    requested = entry.id in context.requested
    if (
        conditional.isdisjoint(conditions)
        and (requested or "not_requested" not in conditional)
        and "always" in conditions
    ):
        return list(always)  # the usual case: only the 'always' cautions hold
    return [
        text
        for condition, text in rows
        if condition in conditions or (condition == "not_requested" and not requested)
    ]


_ADULT_STAND_INS = {"caregiver": "client", "paediatrician": "doctor"}
_SCHOOL = ("teacher", "school_team")


def _responsible(entry: Intervention, context: ClientContext | None) -> list[str]:
    """Who carries it out, for this client: an adult does their own practice, with a doctor."""
    people: list[str] = list(entry.responsible)
    if context is None or context.age < 18:
        return people
    adult: list[str] = []
    for person in people:
        if person in _SCHOOL and "school" not in context.daily_settings:
            continue
        stand_in = _ADULT_STAND_INS.get(person, person)
        if stand_in not in adult:
            adult.append(stand_in)
    if "client" in adult and "support_worker" not in adult:
        adult.append("support_worker")
    return adult or ["therapist"]


def _stop(decision: _Decision, facts: Mapping[str, Mapping[str, Any]]) -> Stop:
    compiled = decision.win[4]
    reason = _sentence(
        render_template(compiled.rule.rationale, _with_implied(decision.win[5], compiled, facts))
    )
    return construct(
        Stop,
        {
            "intervention": decision.entry.id,
            "name": decision.entry.name,
            "action": decision.action,
            "reason": reason + ".",
            "rule": decision.win[2],
        },
    )


def _recommendation(
    decision: _Decision,
    rank: int,
    facts: Mapping[str, Mapping[str, Any]],
    context: ClientContext | None,
    ranked: Mapping[str, str],
    notes: Mapping[str, list[str]],
    stage: int | None = None,
) -> Recommendation:
    compiled = decision.win[4]
    others = decision.others
    entry = decision.entry
    rule = compiled.rule
    kind = decision.action
    matched = _with_implied(decision.win[5], compiled, facts)
    fact = facts.get(entry.id, {})
    if others:
        supporting = sorted(
            {o[2] for o in others if o[4].rule.action.kind == rule.action.kind} - {rule.id}
        )
        overruled = [
            construct(Overruled, {"rule": r, "action": a})
            for r, a in sorted(
                {
                    (o[2], o[4].rule.action.kind)
                    for o in others
                    if o[4].rule.action.kind != rule.action.kind
                }
            )
        ]
    else:
        supporting, overruled = [], []
    summary_text = (
        render_template(rule.summary, matched)
        if rule.summary
        else f"{VERBS[kind]}: {entry.name}. {entry.summary}"
    )
    rationale = _sentence(render_template(rule.rationale, matched))
    item_notes = list(notes.get(entry.id, ()))
    if kind == "continue" and rule.action.kind == "recommend":
        item_notes.insert(0, "Already in place: continue it rather than starting it again.")
    if context is not None and decision.audience == "client":
        rationale = f"{rationale}; {_item_clause(decision, context, fact)}"
        if _older(context, entry) and kind in _ACTIVE:
            item_notes.append(f"Offered in an age-respectful form: {entry.older_form}")
    rationale += "."
    standing = ""
    if decision.relevance is not None and entry.id in ranked:
        standing = f"ranks {ranked[entry.id]} by relevance ({decision.relevance['score']:.2f})"
    relevance_value = (
        construct(Relevance, dict(decision.relevance)) if decision.relevance is not None else None
    )
    # The values are built here from validated models, so no second validation.
    return construct(
        Recommendation,
        {
            "rank": rank,
            "audience": decision.audience,
            "domain": _domain(decision),
            "phase": decision.phase,
            "action": kind,
            "intervention": entry.id,
            "name": entry.name,
            "summary": summary_text,
            "rule": rule.id,
            "rule_title": rule.title,
            "rationale": rationale,
            "facts": _facts_trace(_explanation(compiled), matched),
            "six_rs": _plan_six_rs(decision, context, fact),
            "dosing": {"frequency": entry.dosing.frequency, "episode": entry.dosing.episode},
            "settings": list(entry.settings),
            "priority": rule.action.priority,
            "source": rule.source,
            "evidence": entry.evidence.source,
            "supporting_rules": supporting,
            "overruled": overruled,
            "works_on": list(entry.works_on),
            "relevance": relevance_value,
            "standing": standing,
            "stage": stage,
            "cautions": _cautions(entry, context),
            "responsible": _responsible(entry, context),
            "review": entry.review or "",
            "notes": item_notes,
            "six_rs_how": _six_rs_how(decision, context, fact),
        },
    )
