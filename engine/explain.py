"""The fidelity reviewer's view: why a plan says what it says.

:func:`explain_plan` prints every recommendation with its rule, the facts and
thresholds that mattered, the rules it overruled, and its source.
:func:`explain_rule` explains one rule: the firings it produced (and whether
it won), or, when it did not fire, which of its conditions failed and on
which values — evaluated in plain Python over the very facts the engine saw.
"""

from __future__ import annotations

from typing import Any

from neuroseq.engine.assembly import _describe
from neuroseq.engine.compiler import evaluate_test
from neuroseq.engine.facts import case_facts
from neuroseq.engine.planner import Planner
from neuroseq.engine.rule_model import Ref
from neuroseq.engine.workflow import PlanResult
from neuroseq.errors import Problem, RuleError, SourceLocation

__all__ = ["explain_json", "explain_plan", "explain_rule"]


def _header(result: PlanResult) -> list[str]:
    plan = result.plan
    return [
        f"Plan for {plan.client_id} (age {plan.age:g}, metric {plan.metric}), "
        f"CMR {plan.scores['cmr']}, start phase {plan.start_phase or 'none'}",
        f"rule base {plan.rulebase.version} sha256 {plan.rulebase.sha256[:12]}; "
        f"catalogue {plan.catalog.version} sha256 {plan.catalog.sha256[:12]}",
        "",
    ]


def _fact_line(fact: dict[str, Any]) -> str:
    values = ", ".join(f"{k}={v}" for k, v in fact.items() if k not in ("type", "id", "conditions"))
    conditions = "; ".join(fact.get("conditions", []))
    text = f"{fact['type']} {fact['id']}"
    if values:
        text += f": {values}"
    if conditions:
        text += f"  [tested: {conditions}]"
    return text


def _relevance_line(item: Any) -> str | None:
    score = item.relevance
    if score is None:
        return None
    return (
        f"{score.score:.3f} = need {score.need:g}, interest {score.interest:g}, "
        f"settings {score.settings:g}, fit {score.fit:g}, priority {score.priority:g} "
        "(weighted: rule base planning.relevance)"
    )


def explain_plan(result: PlanResult) -> str:
    """Every recommendation with its full trace, then what was left out and why."""
    lines = _header(result)
    plan = result.plan
    for item in plan.recommendations:
        where = f"{item.audience}, {item.phase}" if item.phase else item.audience
        if item.domain:
            where += f", {item.domain}"
        lines.append(f"{item.rank}. {item.action.upper()} {item.intervention} ({where})")
        lines.append(f"   rule:      {item.rule} - {item.rule_title}")
        lines.append(f"   rationale: {item.rationale}")
        relevance = _relevance_line(item)
        if relevance:
            lines.append(f"   relevance: {relevance}")
        if item.standing:
            lines.append(f"   standing:  {item.standing}")
        if item.works_on:
            lines.append(f"   works on:  {', '.join(item.works_on)}")
        for caution in item.cautions:
            lines.append(f"   caution:   {caution}")
        for note in item.notes:
            lines.append(f"   note:      {note}")
        for fact in item.facts:
            lines.append(f"   fact:      {_fact_line(fact)}")
        for other in item.overruled:
            lines.append(f"   overruled: {other.rule} ({other.action})")
        if item.supporting_rules:
            lines.append(f"   agreeing:  {', '.join(item.supporting_rules)}")
        lines.append(f"   source:    {item.source}")
        lines.append("")
    if plan.stop:
        lines.append("Stops or waits:")
        for stop in plan.stop:
            rule = f" [{stop.rule}]" if stop.rule else ""
            lines.append(f"   {stop.action} {stop.intervention}{rule}: {stop.reason}")
        lines.append("")
    if plan.not_started:
        lines.append("Not started (review):")
        for entry in plan.not_started:
            lines.append(f"   {entry.intervention} (previous plan: {entry.previous_action})")
        lines.append("")
    if plan.also_considered:
        lines.append("Also considered, and why each lost its place:")
        for considered in plan.also_considered:
            score = f"{considered.relevance:.3f}" if considered.relevance is not None else "-"
            lines.append(
                f"   {considered.intervention} (relevance {score}): {considered.reason} - "
                f"{considered.detail} [{considered.rule}]"
            )
    return "\n".join(lines) + "\n"


def explain_rule(result: PlanResult, planner: Planner, rule_id: str) -> str:
    """Why one rule fired, or which of its conditions failed and on which values."""
    compiled = [c for c in planner.compilation.rules if c.rule.id == rule_id]
    if not compiled:
        import difflib

        rule_ids = sorted({r.id for r in planner.rulebase.rules})
        close = difflib.get_close_matches(rule_id, rule_ids, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise RuleError(
            [
                Problem(
                    SourceLocation(planner.rulebase.folder), "--rule", f"no rule '{rule_id}'{hint}"
                )
            ]
        )
    rule = compiled[0].rule
    lines = _header(result)
    lines.append(f"Rule {rule.id}: {rule.title}")
    lines.append(
        f"  defined at {rule.path}:{rule.line}; action {rule.action.kind}; source: {rule.source}"
    )
    won = [i for i in result.plan.recommendations if i.rule == rule_id]
    lost = [(i, o) for i in result.plan.recommendations for o in i.overruled if o.rule == rule_id]
    agreed = [i for i in result.plan.recommendations if rule_id in i.supporting_rules]
    left_out = [c for c in result.plan.also_considered if c.rule == rule_id]
    for item in won:
        lines.append(f"  FIRED and won: {item.action} {item.intervention} (rank {item.rank})")
        lines.append(f"    rationale: {item.rationale}")
        for fact in item.facts:
            lines.append(f"    fact: {_fact_line(fact)}")
    for item, other in lost:
        lines.append(
            f"  FIRED for {item.intervention} but was overruled by {item.rule} ({item.action} beats {other.action})"
        )
    for item in agreed:
        lines.append(f"  FIRED for {item.intervention}, agreeing with {item.rule}")
    for considered in left_out:
        lines.append(
            f"  FIRED and decided {considered.intervention}, which the plan leaves out: "
            f"{considered.reason} - {considered.detail}"
        )
    if not (won or lost or agreed or left_out):
        lines.append(
            "  did not fire (or only for items the plan leaves out: see explain without --rule). "
            "Conditions:"
        )
        facts = case_facts(
            result.case,
            result.profile,
            planner.catalog,
            previous=result.previous.actions if result.previous else None,
            previous_cmr=result.previous.cmr if result.previous else None,
            planning=planner.rulebase.planning,
        )
        if result.plan.caregiver is not None:
            facts.append({"type": "caregiver", "id": "caregiver", **result.plan.caregiver})
        seen: set[str] = set()
        for branch in compiled:
            for pattern in branch.patterns:
                label = f"{pattern.fact_type} {pattern.alias}: " + (
                    ", ".join(_describe(t) for t in pattern.tests) or "(any)"
                )
                if label in seen:
                    continue
                seen.add(label)
                candidates = [f for f in facts if f["type"] == pattern.fact_type]
                passing = [
                    f
                    for f in candidates
                    if all(
                        evaluate_test(f, t) for t in pattern.tests if not isinstance(t.value, Ref)
                    )
                ]
                if passing:
                    ids = ", ".join(str(f["id"]) for f in passing[:6])
                    more = "" if len(passing) <= 6 else f" and {len(passing) - 6} more"
                    lines.append(f"    holds  {label}  (matched {ids}{more})")
                    continue
                lines.append(f"    FAILS  {label}")
                for fact in candidates[:8]:
                    failing = [
                        f"{t.field}={fact.get(t.field, '-')} ({_describe(t)})"
                        for t in pattern.tests
                        if not isinstance(t.value, Ref) and not evaluate_test(fact, t)
                    ]
                    if failing and not any(
                        t.field == "id" and not evaluate_test(fact, t) for t in pattern.tests
                    ):
                        lines.append(
                            f"           {fact['type']} {fact['id']}: " + "; ".join(failing)
                        )
    return "\n".join(lines) + "\n"


def explain_json(
    result: PlanResult, planner: Planner, rule_id: str | None = None
) -> dict[str, Any]:
    """The reviewer's view as data: each item with why it won, each candidate with why it lost.

    With ``rule_id``, only the items that rule decided, overruled or agreed with, and
    the candidates it left out (an unknown rule is refused as in the text view).
    """
    plan = result.plan
    if rule_id is not None and not any(c.rule.id == rule_id for c in planner.compilation.rules):
        explain_rule(result, planner, rule_id)  # raises the located "no rule" error
    items = []
    for item in plan.recommendations:
        involved = (
            rule_id is None
            or item.rule == rule_id
            or rule_id in item.supporting_rules
            or any(o.rule == rule_id for o in item.overruled)
        )
        if not involved:
            continue
        items.append(
            {
                "rank": item.rank,
                "intervention": item.intervention,
                "action": item.action,
                "audience": item.audience,
                "phase": item.phase,
                "domain": item.domain,
                "rule": item.rule,
                "rule_title": item.rule_title,
                "rationale": item.rationale,
                "relevance": item.relevance.model_dump() if item.relevance else None,
                "facts": item.facts,
                "overruled": [o.model_dump() for o in item.overruled],
                "supporting_rules": list(item.supporting_rules),
                "cautions": list(item.cautions),
                "source": item.source,
            }
        )
    left_out = [
        c.model_dump() for c in plan.also_considered if rule_id is None or c.rule == rule_id
    ]
    return {
        "schema": "neuroseq/explain/v1",
        "client_id": plan.client_id,
        "rule": rule_id,
        "rulebase": plan.rulebase.model_dump(),
        "catalog": plan.catalog.model_dump(),
        "items": items,
        "stop": [s.model_dump() for s in plan.stop if rule_id is None or s.rule == rule_id],
        "also_considered": left_out,
    }
