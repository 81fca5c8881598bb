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

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from neuroseq.catalog.model import Catalog, Intervention
from neuroseq.engine.compiler import CompiledRule, render_template
from neuroseq.engine.memo import per_object
from neuroseq.engine.plan_model import Overruled, Recommendation, SixRs, construct
from neuroseq.engine.rule_model import Pattern, Ref, Test

__all__ = ["ACTION_STRENGTH", "Firing", "assemble"]

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
        entry: dict[str, Any] = {"type": fact.get("type"), "id": fact.get("id")}
        for name in shown:
            if name in fact:
                entry[name] = fact[name]
        if words:
            entry["conditions"] = list(words)
        facts.append(entry)
    return facts


def assemble(
    firings: Sequence[Firing],
    compiled: Mapping[str, CompiledRule],
    catalog: Catalog,
    *,
    max_new: int,
    facts: Mapping[str, Mapping[str, Any]],
) -> tuple[list[Recommendation], list[str]]:
    """Resolve conflicts, cut, order and explain. Returns (items, also_considered ids).

    ``facts`` are the evaluated facts by id: the source of the facts a compiled rule
    names by id only (:attr:`CompiledRule.implied`). ``compiled`` is read once per
    mapping object and must not change afterwards (the planner's never does).
    """
    by_intervention: dict[str, list[_Candidate]] = {}
    infos = _rule_infos(compiled)
    for number, firing in enumerate(firings):
        strength, negative_priority, rule_id, rule, target_alias, target = infos[firing.rule]
        matched = firing.matched
        if rule.implied and not _implied_present(rule, facts):
            continue  # the engine's join would have found nothing either
        if target is None:
            target = str(matched[target_alias]["id"])
        candidate = (strength, negative_priority, rule_id, number, rule, matched)
        found = by_intervention.get(target)
        if found is None:
            by_intervention[target] = [candidate]
        else:
            found.append(candidate)

    # Decide first on light tuples; build the full, explained item only for
    # what the plan keeps.
    decided: list[
        tuple[
            tuple[int, int, int, str], _Candidate, list[_Candidate], Intervention, str, str | None
        ]
    ] = []
    for intervention, candidates in by_intervention.items():
        if len(candidates) > 1:
            candidates.sort()
        win = candidates[0]
        entry = catalog.get(intervention)
        audience, phase = _placement(win[4], entry)
        key = (AUDIENCE_ORDER[audience], PHASE_ORDER[phase], win[1], intervention)
        decided.append((key, win, candidates[1:], entry, audience, phase))
    decided.sort(key=_first)

    # Per-group limit on new client items.
    counts: dict[str | None, int] = {}
    ranked: list[Recommendation] = []
    dropped: list[str] = []
    for _key, win, others, entry, audience, phase in decided:
        if audience == "client" and win[4].rule.action.kind in NEW_ACTIONS:
            counts[phase] = counts.get(phase, 0) + 1
            if counts[phase] > max_new:
                dropped.append(entry.id)
                continue
        matched = _with_implied(win[5], win[4], facts)
        ranked.append(
            _recommendation(win[4], matched, others, entry, audience, phase, len(ranked) + 1)
        )
    return ranked, dropped


# Per compiled rule: (action strength, -priority, rule id, rule, target alias, the
# target intervention id when the rule names it by id, else None).
_RuleInfo = tuple[int, int, str, CompiledRule, str, str | None]


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


def _recommendation(
    compiled: CompiledRule,
    matched: Mapping[str, Mapping[str, Any]],
    others: Sequence[_Candidate],
    entry: Intervention,
    audience: str,
    phase: str | None,
    rank: int,
) -> Recommendation:
    rule = compiled.rule
    action = rule.action
    kind = action.kind
    domain = None
    if audience == "client":
        domain = action.domain or (entry.domains[0] if entry.domains else None)
    if others:
        supporting = sorted({o[2] for o in others if o[4].rule.action.kind == kind} - {rule.id})
        overruled = [
            construct(Overruled, {"rule": r, "action": a})
            for r, a in sorted(
                {(o[2], o[4].rule.action.kind) for o in others if o[4].rule.action.kind != kind}
            )
        ]
    else:
        supporting, overruled = [], []
    summary_text = (
        render_template(rule.summary, matched)
        if rule.summary
        else f"{VERBS[kind]}: {entry.name}. {entry.summary}"
    )
    # The values are built here from validated models, so no second validation.
    return construct(
        Recommendation,
        {
            "rank": rank,
            "audience": audience,
            "domain": domain,
            "phase": phase,
            "action": kind,
            "intervention": entry.id,
            "name": entry.name,
            "summary": summary_text,
            "rule": rule.id,
            "rule_title": rule.title,
            "rationale": " ".join(render_template(rule.rationale, matched).split()),
            "facts": _facts_trace(_explanation(compiled), matched),
            "six_rs": _six_rs(entry),
            "dosing": {"frequency": entry.dosing.frequency, "episode": entry.dosing.episode},
            "settings": list(entry.settings),
            "priority": action.priority,
            "source": rule.source,
            "evidence": entry.evidence.source,
            "supporting_rules": supporting,
            "overruled": overruled,
        },
    )
