"""The plan as a terminal view: ordered recommendations with rationale, cautions and dosing."""

from __future__ import annotations

import textwrap

from neuroseq.engine.plan_model import Plan
from neuroseq.engine.selection import REGION_WORDS
from neuroseq.engine.workflow import PlanResult
from neuroseq.vocabulary import ACTIVE_ACTIONS, STATEMENT

__all__ = ["render_plan_text"]

_ACTION_COLOURS = {
    "recommend": "32",
    "continue": "36",
    "resume": "36",
    "suspend": "33",
    "defer": "33",
    "avoid": "31",
}
_ACTIVE = ACTIVE_ACTIONS
_WRAP = textwrap.TextWrapper(width=96, initial_indent="       ", subsequent_indent="       ")
# The phase of each region's level: when a plan starts below its lowest impaired region
# (a severe single function), the header says why.
_PHASE_OF_REGION = {
    "brainstem": "regulate",
    "diencephalon_cerebellum": "regulate",
    "limbic": "relate",
    "cortex": "reason",
    "frontal_cortex": "reason",
}
_HEAD_WRAP = textwrap.TextWrapper(width=96, subsequent_indent="  ")
_WRAP_MORE = textwrap.TextWrapper(width=96, initial_indent="       ", subsequent_indent="         ")


def _words(identifier: str) -> str:
    return identifier.replace("_", " ")


def _header(plan: Plan) -> list[str]:
    scores = plan.scores
    summary = plan.summary
    lowest = summary.lowest_impaired_level if summary else None
    out = [
        f"neuroseq plan: client {plan.client_id}, age {plan.age:g}, metric {plan.metric}",
        f"CMR {scores['cmr']} (typical for age {scores['cmr_typical']}); "
        f"lowest significantly impaired level: {REGION_WORDS.get(lowest, _words(lowest)) if lowest else 'none'}; "
        f"start phase: {plan.start_phase or 'none'}; "
        f"overall risk: {_words(scores['risk']['overall'])}",
    ]
    if summary and summary.provisional:
        out.extend(_HEAD_WRAP.wrap(f"PROVISIONAL SCORES: {summary.provisional}"))
    if summary and summary.start_reason and plan.start_phase != _PHASE_OF_REGION.get(lowest or ""):
        out.extend(_HEAD_WRAP.wrap(f"starts with {plan.start_phase}: {summary.start_reason}"))
    if summary and summary.worst_items:
        out.append("most impaired for age: " + ", ".join(_words(i) for i in summary.worst_items))
    out.append(
        f"rule base {plan.rulebase.version} ({plan.rulebase.sha256[:12]}), "
        f"catalogue {plan.catalog.version} ({plan.catalog.sha256[:12]})"
    )
    out.append("")
    return out


def render_plan_text(result: PlanResult, *, color: bool) -> str:
    plan = result.plan
    out = _header(plan)
    heading = None
    for item in plan.recommendations:
        title = item.audience.replace("_", " ").upper()
        if item.phase:
            title += f" - {item.phase.upper()}"
            if item.domain:
                title += f" - {_words(item.domain)}"
        if title != heading:
            out.append(title)
            heading = title
        action = item.action.upper()
        if color:
            action = f"\x1b[{_ACTION_COLOURS[item.action]}m{action}\x1b[0m"
        out.append(f"{item.rank:>3}. {action} {item.name} [{item.intervention}]")
        out.extend(_WRAP.wrap(item.rationale))
        for caution in item.cautions:
            out.extend(_WRAP_MORE.wrap(f"! caution: {caution}"))
        for note in item.notes:
            out.extend(_WRAP_MORE.wrap(f"- note: {note}"))
        if item.action in _ACTIVE:
            who = ", ".join(_words(r) for r in item.responsible) or "the team"
            out.append(
                f"       dosing: {item.dosing['frequency']}, {item.dosing['episode']}; "
                f"settings: {', '.join(item.settings)}; who: {who}"
            )
            if item.review:
                out.extend(_WRAP_MORE.wrap(f"review: {item.review}"))
        # Rank and relevance are for the audit (explain, the HTML and Markdown audit
        # sections), not for the clinician's reading of why.
        out.append(f"       rule: {item.rule}; source: {item.source}")
    if not plan.recommendations:
        out.append(
            "No recommendations: nothing in this assessment calls for treatment (functioning is typical for age, or no rule found a need)."
        )
    if plan.stop:
        out.append("")
        out.append("WHAT STOPS OR WAITS")
        for stop in plan.stop:
            out.extend(_WRAP_MORE.wrap(f"{stop.action.upper()} {stop.name}: {stop.reason}"))
    if plan.not_started:
        out.append("")
        out.append("NOT STARTED: REVIEW")
        for entry in plan.not_started:
            out.extend(_WRAP_MORE.wrap(f"{entry.name}: {entry.note}"))
    if plan.also_considered:
        out.append("")
        out.append("ALSO CONSIDERED")
        for considered in plan.also_considered:
            score = f" ({considered.relevance:.2f})" if considered.relevance is not None else ""
            out.extend(
                _WRAP_MORE.wrap(
                    f"{considered.name}{score}: {_words(considered.reason)} - {considered.detail}"
                )
            )
    if plan.reassessment:
        due = plan.reassessment.due or f"in {plan.reassessment.months} months"
        watch = ", ".join(_words(i) for i in plan.reassessment.watch)
        out.append("")
        if watch:
            out.append(f"Re-assess by {due}; watch {watch}.")
        else:
            out.append(f"Nothing to watch: re-assess by {due}, or sooner if concerns arise.")
    out.append("")
    out.append(STATEMENT)
    return "\n".join(out) + "\n"
