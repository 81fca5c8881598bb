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
from dataclasses import dataclass
from typing import Any, Protocol

from neuroseq.catalog.model import Catalog
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

    def sort_key(self) -> tuple[int, int, str, str]:
        ids = ",".join(str(self.matched[a].get("id")) for a in sorted(self.matched))
        return (ACTION_STRENGTH[self.action], -self.priority, self.compiled.rule.id, ids)


def _describe(test: Test) -> str:
    value = test.value
    if isinstance(value, Ref):
        shown = f"{value.alias}.{value.field}"
    elif isinstance(value, tuple):
        shown = ", ".join(str(v) for v in value)
    else:
        shown = str(value).lower() if isinstance(value, bool) else str(value)
    return f"{test.field} {_OP_WORDS[test.op]} {shown}"


def _fact_trace(
    pattern: Pattern, fact: Mapping[str, Any], template_fields: set[str]
) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": fact.get("type"), "id": fact.get("id")}
    conditions: list[str] = []
    for test in pattern.tests:
        if test.field == "id":
            continue
        if test.op in ("contains", "lacks"):
            conditions.append(_describe(test))
            continue
        if test.field in fact:
            entry[test.field] = fact[test.field]
        conditions.append(_describe(test))
    for name in sorted(template_fields):
        if name in fact and name not in entry:
            entry[name] = fact[name]
    if conditions:
        entry["conditions"] = conditions
    return entry


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

    winners: list[tuple[_Candidate, list[_Candidate]]] = []
    for candidates in by_intervention.values():
        ordered = sorted(candidates, key=_Candidate.sort_key)
        winners.append((ordered[0], ordered[1:]))

    items = [_recommendation(win, others, catalog) for win, others in winners]

    # Per-group limit on new items.
    groups: dict[tuple[str, str | None], list[Recommendation]] = {}
    for item in items:
        if item.audience == "client" and item.action in NEW_ACTIONS:
            groups.setdefault((item.audience, item.phase), []).append(item)
    dropped: list[Recommendation] = []
    for group in groups.values():
        group.sort(key=lambda r: (-r.priority, r.intervention))
        dropped.extend(group[max_new:])
    dropped_ids = {r.intervention for r in dropped}
    kept = [i for i in items if i.intervention not in dropped_ids]
    kept.sort(
        key=lambda r: (
            AUDIENCE_ORDER[r.audience],
            PHASE_ORDER[r.phase],
            -r.priority,
            r.intervention,
        )
    )
    ranked = [item.model_copy(update={"rank": rank}) for rank, item in enumerate(kept, start=1)]
    dropped.sort(
        key=lambda r: (
            AUDIENCE_ORDER[r.audience],
            PHASE_ORDER[r.phase],
            -r.priority,
            r.intervention,
        )
    )
    return ranked, [r.intervention for r in dropped]


def _recommendation(
    win: _Candidate, others: Sequence[_Candidate], catalog: Catalog
) -> Recommendation:
    entry = catalog.get(win.intervention)
    rule = win.compiled.rule
    action = rule.action
    audience = action.audience or entry.audience
    phase = action.phase or entry.phase if audience == "client" else None
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
    return Recommendation(
        rank=0,
        audience=audience,
        domain=domain,
        phase=phase,
        action=win.action,
        intervention=entry.id,
        name=entry.name,
        summary=summary_text,
        rule=rule.id,
        rule_title=rule.title,
        rationale=" ".join(render_template(rule.rationale, win.matched).split()),
        facts=facts,
        six_rs=SixRs(
            relational=entry.six_rs.relational.value,
            relevant=entry.six_rs.relevant.value,
            repetitive=entry.six_rs.repetitive.value,
            rewarding=entry.six_rs.rewarding.value,
            rhythmic=entry.six_rs.rhythmic.value,
            respectful=entry.six_rs.respectful.value,
        ),
        dosing={"frequency": entry.dosing.frequency, "episode": entry.dosing.episode},
        settings=list(entry.settings),
        priority=win.priority,
        source=rule.source,
        evidence=entry.evidence.source,
        supporting_rules=supporting,
        overruled=[Overruled(rule=r, action=a) for r, a in overruled],
    )
