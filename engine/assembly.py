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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from neuroseq.catalog.model import Catalog, Intervention
from neuroseq.engine.compiler import CompiledRule, render_template
from neuroseq.engine.plan_model import Overruled, Recommendation, SixRs
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


@dataclass(frozen=True)
class _Candidate:
    intervention: str
    action: str
    priority: int
    compiled: CompiledRule
    matched: Mapping[str, Mapping[str, Any]]

    def sort_key(self) -> tuple[int, int, str]:
        # Firings arrive sorted by rule and matched fact ids (the adapter's order),
        # and the sort is stable, so equal keys keep a deterministic order.
        return (ACTION_STRENGTH[self.action], -self.priority, self.compiled.rule.id)


def _describe(test: Test) -> str:
    value = test.value
    if isinstance(value, Ref):
        shown = f"{value.alias}.{value.field}"
    elif isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value)
    else:
        shown = str(value).lower() if isinstance(value, bool) else str(value)
    return f"{test.field} {_OP_WORDS[test.op]} {shown}"


_TRACE_PLANS: dict[int, tuple[Pattern, tuple[str, ...], tuple[str, ...]]] = {}


def _trace_plan(pattern: Pattern) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields whose values the trace shows, the tests in words) of a pattern, built once."""
    cached = _TRACE_PLANS.get(id(pattern))
    if cached is None or cached[0] is not pattern:
        shown: list[str] = []
        words: list[str] = []
        for test in pattern.tests:
            if test.field == "id":
                continue
            if test.op not in ("contains", "lacks") and test.field not in shown:
                shown.append(test.field)
            words.append(_describe(test))
        cached = (pattern, tuple(shown), tuple(words))
        _TRACE_PLANS[id(pattern)] = cached
    return cached[1], cached[2]


def _fact_trace(
    pattern: Pattern, fact: Mapping[str, Any], template_fields: set[str]
) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": fact.get("type"), "id": fact.get("id")}
    shown, conditions = _trace_plan(pattern)
    for name in shown:
        if name in fact:
            entry[name] = fact[name]
    for name in sorted(template_fields):
        if name in fact and name not in entry:
            entry[name] = fact[name]
    if conditions:
        entry["conditions"] = list(conditions)
    return entry


@functools.lru_cache(maxsize=1024)
def _template_fields(template: str) -> dict[str, set[str]]:
    from neuroseq.engine.compiler import template_fields

    fields: dict[str, set[str]] = {}
    for alias, name, _spec in template_fields(template):
        fields.setdefault(alias, set()).add(name)
    return fields


def assemble(
    firings: Sequence[Firing],
    compiled: Mapping[str, CompiledRule],
    catalog: Catalog,
    *,
    max_new: int,
) -> tuple[list[Recommendation], list[str]]:
    """Resolve conflicts, cut, order and explain. Returns (items, also_considered ids)."""
    by_intervention: dict[str, list[_Candidate]] = {}
    for firing in firings:
        rule = compiled[firing.rule]
        target = firing.matched[rule.target_alias]
        candidate = _Candidate(
            intervention=str(target["id"]),
            action=rule.rule.action.kind,
            priority=rule.rule.action.priority,
            compiled=rule,
            matched=firing.matched,
        )
        by_intervention.setdefault(candidate.intervention, []).append(candidate)

    # Decide first on light tuples; build the full, explained item only for
    # what the plan keeps.
    decided: list[
        tuple[tuple[int, int, int, str], _Candidate, list[_Candidate], str, str | None]
    ] = []
    for candidates in by_intervention.values():
        ordered = sorted(candidates, key=_Candidate.sort_key)
        win = ordered[0]
        audience, phase = _placement(win, catalog)
        key = (AUDIENCE_ORDER[audience], PHASE_ORDER[phase], -win.priority, win.intervention)
        decided.append((key, win, ordered[1:], audience, phase))
    decided.sort(key=lambda entry: entry[0])

    # Per-group limit on new client items.
    counts: dict[str | None, int] = {}
    kept: list[tuple[_Candidate, list[_Candidate]]] = []
    dropped: list[str] = []
    for _key, win, others, audience, phase in decided:
        if audience == "client" and win.action in NEW_ACTIONS:
            counts[phase] = counts.get(phase, 0) + 1
            if counts[phase] > max_new:
                dropped.append(win.intervention)
                continue
        kept.append((win, others))
    ranked = [
        _recommendation(win, others, catalog, rank)
        for rank, (win, others) in enumerate(kept, start=1)
    ]
    return ranked, dropped


_SIX_RS: dict[int, tuple[Intervention, SixRs]] = {}


def _six_rs(entry: Intervention) -> SixRs:
    """The 6 R's of a catalogue entry (built once per entry)."""
    cached = _SIX_RS.get(id(entry))
    if cached is None or cached[0] is not entry:
        rs = entry.six_rs
        cached = (
            entry,
            SixRs.model_construct(
                relational=rs.relational.value,
                relevant=rs.relevant.value,
                repetitive=rs.repetitive.value,
                rewarding=rs.rewarding.value,
                rhythmic=rs.rhythmic.value,
                respectful=rs.respectful.value,
            ),
        )
        _SIX_RS[id(entry)] = cached
    return cached[1]


def _placement(win: _Candidate, catalog: Catalog) -> tuple[str, str | None]:
    """The audience and phase an item is listed under."""
    entry = catalog.get(win.intervention)
    action = win.compiled.rule.action
    audience = action.audience or entry.audience
    phase = (action.phase or entry.phase) if audience == "client" else None
    return audience, phase


def _recommendation(
    win: _Candidate, others: Sequence[_Candidate], catalog: Catalog, rank: int
) -> Recommendation:
    entry = catalog.get(win.intervention)
    rule = win.compiled.rule
    action = rule.action
    audience, phase = _placement(win, catalog)
    domain = action.domain or (entry.domains[0] if entry.domains else None)
    if audience != "client":
        domain = None
    fields = _template_fields(rule.rationale)
    facts = [
        _fact_trace(pattern, win.matched[pattern.alias], fields.get(pattern.alias, set()))
        for pattern in win.compiled.patterns
        if pattern.alias in win.matched and pattern.alias != win.compiled.target_alias
    ]
    target = win.matched[win.compiled.target_alias]
    target_pattern = next(p for p in win.compiled.patterns if p.alias == win.compiled.target_alias)
    facts.append(_fact_trace(target_pattern, target, fields.get(target_pattern.alias, set())))
    supporting = sorted({o.compiled.rule.id for o in others if o.action == win.action} - {rule.id})
    overruled = sorted({(o.compiled.rule.id, o.action) for o in others if o.action != win.action})
    summary_text = (
        render_template(rule.summary, win.matched)
        if rule.summary
        else f"{VERBS[win.action]}: {entry.name}. {entry.summary}"
    )
    # The values are built here from validated models, so no second validation.
    return Recommendation.model_construct(
        rank=rank,
        audience=audience,  # type: ignore[arg-type]
        domain=domain,
        phase=phase,  # type: ignore[arg-type]
        action=win.action,  # type: ignore[arg-type]
        intervention=entry.id,
        name=entry.name,
        summary=summary_text,
        rule=rule.id,
        rule_title=rule.title,
        rationale=" ".join(render_template(rule.rationale, win.matched).split()),
        facts=facts,
        six_rs=_six_rs(entry),
        dosing={"frequency": entry.dosing.frequency, "episode": entry.dosing.episode},
        settings=list(entry.settings),
        priority=win.priority,
        source=rule.source,
        evidence=entry.evidence.source,
        supporting_rules=supporting,
        overruled=[Overruled.model_construct(rule=r, action=a) for r, a in overruled],
    )
