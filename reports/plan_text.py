"""The plan as a terminal view: ordered recommendations with rationale and dosing."""

from __future__ import annotations

import textwrap

from neuroseq.engine.plan_model import STATEMENT
from neuroseq.engine.workflow import PlanResult

__all__ = ["render_plan_text"]

_ACTION_COLOURS = {
    "recommend": "32",
    "continue": "36",
    "resume": "36",
    "suspend": "33",
    "defer": "33",
    "avoid": "31",
}


def render_plan_text(result: PlanResult, *, color: bool) -> str:
    plan = result.plan
    scores = plan.scores
    out = [
        f"neuroseq plan: client {plan.client_id}, age {plan.age:g}, metric {plan.metric}",
        f"CMR {scores['cmr']} (typical for age {scores['cmr_typical']}); "
        f"start phase: {plan.start_phase or 'none (no significantly impaired level)'}; "
        f"overall risk: {scores['risk']['overall']}",
        f"rule base {plan.rulebase.version} ({plan.rulebase.sha256[:12]}), "
        f"catalogue {plan.catalog.version} ({plan.catalog.sha256[:12]})",
        "",
    ]
    heading = None
    for item in plan.recommendations:
        title = item.audience.replace("_", " ").upper()
        if item.phase:
            title += f" - {item.phase.upper()}"
        if title != heading:
            out.append(title)
            heading = title
        action = item.action.upper()
        if color:
            action = f"\x1b[{_ACTION_COLOURS[item.action]}m{action}\x1b[0m"
        out.append(f"{item.rank:>3}. {action} {item.name} [{item.intervention}]")
        wrap = textwrap.TextWrapper(width=96, initial_indent="       ", subsequent_indent="       ")
        out.extend(wrap.wrap(item.rationale))
        if item.action in ("recommend", "continue", "resume"):
            out.append(
                f"       dosing: {item.dosing['frequency']}, {item.dosing['episode']}; "
                f"settings: {', '.join(item.settings)}"
            )
        out.append(f"       rule: {item.rule}; source: {item.source}")
    if not plan.recommendations:
        out.append("No recommendations: no rule found a need.")
    if plan.also_considered:
        out.append("")
        out.append("Also considered: " + ", ".join(plan.also_considered))
    out.append("")
    out.append(STATEMENT)
    return "\n".join(out) + "\n"
