"""What the Markdown and HTML plan templates see: PlanResult --plan_context--> dict.

The context holds the plan contract as JSON data (``plan``, as in earlier
versions, so a clinic's own templates keep working) and ready-made report
pieces: the header, both brain maps (SVG markup and a Markdown grid), the
domain and region rows, the CMR with a sentence on what it means for this
client, the developmental history (``None`` for an ER metric or a case
without history), the recommendations grouped by audience and phase in rank
order, and the case's free-text notes as plain text. Templates only lay these
out; numbers are formatted here, once, for both formats.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from markupsafe import Markup

from neuroseq.engine.plan_model import Plan, Recommendation
from neuroseq.engine.workflow import PlanResult
from neuroseq.reports.brain_map import (
    REGION_TITLES,
    MapCell,
    brain_map_svg,
    client_cells,
    legend,
    map_key,
    score_text,
    typical_cells,
)
from neuroseq.reports.charts import (
    CmrMarker,
    HistoryColumn,
    cmr_scale,
    cmr_text_scale,
    history_chart,
    ratio_bar,
)
from neuroseq.reports.family_summary import typical_for_age
from neuroseq.scoring.items import ITEMS
from neuroseq.scoring.norms import Norms
from neuroseq.scoring.profile import GroupScore, Profile
from neuroseq.vocabulary import ACTIVE_ACTIONS

__all__ = [
    "ACTION_TITLES",
    "METRIC_TITLES",
    "SIX_RS",
    "SIX_RS_MEANINGS",
    "audit_rows",
    "cmr_sentence",
    "css_string",
    "generated_text",
    "group_rows",
    "guide_key",
    "key_rows",
    "maps",
    "markdown_map",
    "plan_context",
    "recommendation_groups",
]

METRIC_TITLES = {"full": "Full metric", "follow_up": "Follow-up metric", "er": "ER metric"}
ACTION_TITLES = {
    "recommend": "Start",
    "continue": "Continue",
    "resume": "Resume",
    "suspend": "Suspend",
    "defer": "Defer",
    "avoid": "Avoid",
}
_PHASE_TITLES = {"regulate": "Regulate", "relate": "Relate", "reason": "Reason"}
_AUDIENCE_TITLES = {
    "therapeutic_web": "Therapeutic web",
    "family": "Family",
    "client": "Client",
}
#: The 6 R's in their published order: key, short mark, full name.
SIX_RS = (
    ("relational", "Rel", "Relational"),
    ("relevant", "Rlv", "Relevant"),
    ("repetitive", "Rep", "Repetitive"),
    ("rewarding", "Rew", "Rewarding"),
    ("rhythmic", "Rhy", "Rhythmic"),
    ("respectful", "Res", "Respectful"),
)
#: What each of the 6 R's asks of an activity (DOMAIN.md section 1, in the project's words).
SIX_RS_MEANINGS = {
    "Relational": "done with a safe, attuned adult",
    "Relevant": "matched to the developmental stage, not the age in years",
    "Repetitive": "patterned and repeated often",
    "Rewarding": "pleasurable for the child",
    "Rhythmic": "in step with the body's rhythms",
    "Respectful": "of the child, the family and their culture",
}
_ACTIVE = ACTIVE_ACTIONS
_PERIOD_TITLES = {
    "perinatal": "Perinatal",
    "infancy": "Infancy",
    "early_childhood": "Early childhood",
    "childhood": "Childhood",
    "adolescence": "Adolescence",
    "adulthood": "Adulthood",
}


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _years(value: float) -> str:
    return f"{value:.1f}"


def _development(group: GroupScore, age: float) -> str:
    if group.at_or_above_age:
        return f"at or above age ({_years(age)})"
    if group.at_or_near_age:
        return f"at or near age ({_years(age)})"
    return f"{_years(group.developmental_age)} ({_years(age - group.developmental_age)} below)"


_Name = TypeVar("_Name", bound=str)


def group_rows(
    groups: Mapping[_Name, GroupScore], age: float, *, titles: Mapping[_Name, str]
) -> list[dict[str, Any]]:
    """Rows for a region or domain table: score against typical, ratio, developmental age."""
    rows = []
    for name, group in groups.items():
        title = titles.get(name, _title(name))
        rows.append(
            {
                "id": name,
                "title": title,
                "score": score_text(group.score),
                "typical": f"{group.typical:.1f}",
                "percent": f"{group.ratio * 100:.0f}%",
                "impairment": group.impairment,
                "developmental_age": _years(group.developmental_age),
                "at_or_above_age": group.at_or_above_age,
                "development": _development(group, age),
                "age": _years(age),
                "bar": ratio_bar(
                    group.ratio,
                    group.impairment,
                    f"{title}: {group.ratio * 100:.0f}% of typical for age",
                ),
            }
        )
    return rows


def _names(items: Sequence[Recommendation]) -> str:
    names = [item.name for item in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def cmr_sentence(profile: Profile, plan: Plan) -> str:
    """One sentence (or two) on what the CMR means for this client and this plan."""
    recommendations = plan.recommendations
    cmr = profile.cmr
    value, brief, available = f"{cmr.value:.2f}", cmr.brief_segments_from, cmr.available_from
    typical = f"A typical peer of this age has a CMR of about {cmr.typical:.1f}."
    gated = any(r.rule.startswith("client.reason.suspend") for r in recommendations) or any(
        r.rule == "client.reason.defer_new" for r in recommendations
    )
    if cmr.band != "available" and typical_for_age(profile, plan) and not gated:
        return (
            f"At {value}, this CMR is typical for the client's age: a young person's cortex "
            "is still developing, which is development, not dysregulation, so no "
            f"cognitive work is held back on this account. {typical}"
        )
    if cmr.band == "deferred":
        suspended = [r for r in recommendations if r.action == "suspend"]
        deferred = [r for r in recommendations if r.action == "defer"]
        steps = []
        if suspended:
            steps.append(f"suspends {_names(suspended)}")
        if deferred:
            steps.append(f"defers {_names(deferred)}")
        doing = (" this plan " + " and ".join(steps) + " and") if steps else " this plan"
        return (
            f"At {value}, below {brief:.1f}, this client's cortex cannot yet modulate the "
            "dysregulated lower networks: cognitive-predominant work (following verbal "
            "commands, sitting and attending in class, talking therapies) is unlikely to "
            f"succeed now, so{doing} starts with patterned, regulating activity. {typical}"
        )
    if cmr.band == "brief_segments":
        return (
            f"At {value}, between {brief:.1f} and {available:.1f}, cognitive-predominant work "
            "can be used only in brief segments bracketed by regulating activity; sustained "
            f"attention is still very brief. {typical}"
        )
    return (
        f"At {value}, {available:.1f} or above, cognitive-predominant work is available to "
        f"this client. {typical}"
    )


def _dosing(item: Recommendation) -> str:
    if item.action not in _ACTIVE:
        return "not now" if item.action != "avoid" else "not used"
    return f"{item.dosing['frequency']}; {item.dosing['episode']}"


def _people(names: Sequence[str]) -> str:
    return ", ".join(name.replace("_", " ") for name in names)


def _description(item: Recommendation) -> str:
    """What the activity is: the catalogue summary without its leading "Action: Name."."""
    prefix = f"{ACTION_TITLES[item.action]}: {item.name}."
    text = item.summary
    for start in (prefix, f"{item.action.title()}: {item.name}."):
        if text.startswith(start):
            return text[len(start) :].strip()
    return text


def _fact_text(fact: Mapping[str, Any]) -> str:
    """One fact of a trace as ``type id (its conditions)``; the full fact is in the plan JSON."""
    head = f"{fact.get('type', 'fact')} {fact.get('id', '')}".strip()
    conditions = fact.get("conditions") or []
    return head + (" (" + "; ".join(str(c) for c in conditions) + ")" if conditions else "")


def _six_rs_words(six: Mapping[str, Any]) -> str:
    """The 6 R's an item meets, written out: "all six", or the ones met and the ones not."""
    met = [name for key, _, name in SIX_RS if six[key]]
    missing = [name for key, _, name in SIX_RS if not six[key]]
    if not missing:
        return "All six"
    text = ", ".join(met) if met else "none"
    return f"{text}; not {', '.join(missing)}"


def audit_rows(plan: Plan) -> list[dict[str, Any]]:
    """The trace of every recommendation for the audit section: rule, facts, relevance, source."""
    rows = []
    for item in plan.recommendations:
        relevance = item.relevance
        rows.append(
            {
                "rank": item.rank,
                "name": item.name,
                "action_title": ACTION_TITLES[item.action],
                "intervention": item.intervention,
                "rule": item.rule,
                "rule_title": item.rule_title,
                "rationale": item.rationale[:1].upper() + item.rationale[1:],
                "facts": [_fact_text(fact) for fact in item.facts],
                "supporting_rules": list(item.supporting_rules),
                "overruled": [f"{o.rule} ({o.action})" for o in item.overruled],
                "relevance": ""
                if relevance is None
                else (
                    f"{relevance.score:.2f} = need {relevance.need:.2f}, interest "
                    f"{relevance.interest:.2f}, settings {relevance.settings:.2f}, fit "
                    f"{relevance.fit:.2f}, priority {relevance.priority:.2f}"
                    + (f"; {item.standing}" if item.standing else "")
                ),
                "source": item.source,
                "evidence": item.evidence,
                "priority": item.priority,
            }
        )
    return rows


def recommendation_groups(recommendations: Sequence[Recommendation]) -> list[dict[str, Any]]:
    """Recommendations in rank order, grouped under audience, phase and domain headings."""
    groups: list[dict[str, Any]] = []
    for item in recommendations:
        title = _AUDIENCE_TITLES[item.audience]
        if item.audience == "client" and item.phase:
            title = f"Client: {_PHASE_TITLES[item.phase]}"
            if item.domain:
                title += f" - {_title(item.domain)}"
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "items": []})
        six = item.six_rs.model_dump()
        groups[-1]["items"].append(
            {
                "rank": item.rank,
                "action": item.action,
                "action_title": ACTION_TITLES[item.action],
                "intervention": item.intervention,
                "name": item.name,
                "domain": _title(item.domain) if item.domain else "",
                "dosing": _dosing(item),
                "active": item.action in _ACTIVE,
                "settings": ", ".join(item.settings),
                "description": _description(item),
                "six_rs": [
                    {
                        "mark": mark,
                        "name": name,
                        "on": bool(six[key]),
                        "how": item.six_rs_how.get(key, ""),
                    }
                    for key, mark, name in SIX_RS
                ],
                "six_rs_text_full": _six_rs_words(six),
                # nothing for held, stopped or avoided items: the 6 R's describe what is done
                "six_rs_text": " ".join(mark if six[key] else "-" for key, mark, _ in SIX_RS)
                if item.action in _ACTIVE
                else "",
                "rationale": item.rationale[:1].upper() + item.rationale[1:],
                "source": item.source,
                "rule": item.rule,
                "cautions": list(item.cautions),
                "notes": list(item.notes),
                "responsible": _people(item.responsible),
                "review": item.review,
                "relevance": f"{item.relevance.score:.2f}" if item.relevance else "",
            }
        )
    return groups


_REASON_TITLES = {
    "budget": "cut by the budget",
    "phase_limit": "phase limit",
    "overlap": "overlaps another item",
    "contraindicated": "contraindicated",
    "not_ready": "not ready",
    "declined": "declined",
    "outside_age_range": "outside its age range",
}


def left_out(plan: Plan) -> dict[str, Any]:
    """What the plan stops, asks about and leaves out, for the templates."""
    return {
        "stop": [
            {
                "name": s.name,
                "action": ACTION_TITLES.get(s.action, s.action.title()),
                "reason": s.reason,
            }
            for s in plan.stop
        ],
        "not_started": [{"name": n.name, "note": n.note} for n in plan.not_started],
        "also_considered": [
            {
                "name": c.name,
                "reason": _REASON_TITLES[c.reason],
                "detail": c.detail,
                "relevance": f"{c.relevance:.2f}" if c.relevance is not None else "",
            }
            for c in plan.also_considered
        ],
    }


_REGION_NAMES: dict[str, str] = {str(k): v for k, v in REGION_TITLES.items()}


def plan_summary(plan: Plan) -> dict[str, Any]:
    """The lowest impaired level, the worst items and the re-assessment, in words."""
    summary = plan.summary
    labels = {item.id: item.label for item in ITEMS}
    lowest = summary.lowest_impaired_level if summary else None
    reassessment = plan.reassessment
    return {
        "lowest": _REGION_NAMES.get(lowest, _title(lowest)) if lowest else "none",
        "worst": ", ".join(labels[i] for i in summary.worst_items) if summary else "",
        "reassess_due": (reassessment.due or f"in {reassessment.months} months")
        if reassessment
        else "",
        "watch": ", ".join(labels[i] for i in reassessment.watch) if reassessment else "",
        "start_reason": _capital(summary.start_reason) if summary and summary.start_reason else "",
        "provisional": summary.provisional if summary and summary.provisional else "",
    }


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _json_groups(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The plan's JSON recommendations under the same headings (for older templates)."""
    groups: list[dict[str, Any]] = []
    for item in items:
        title = _AUDIENCE_TITLES[item["audience"]]
        if item["audience"] == "client" and item["phase"]:
            title = f"Client: {_PHASE_TITLES[item['phase']]}"
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "items": []})
        groups[-1]["items"].append(item)
    return groups


def markdown_map(client: Sequence[MapCell], typical: Sequence[MapCell]) -> list[dict[str, Any]]:
    """The map as region rows (top to bottom) of ``number: client band / typical`` cells."""
    typical_by_number = {cell.number: cell for cell in typical}
    rows: list[dict[str, Any]] = []
    for title, items in map_key():
        cells = []
        for number, _label in items:
            mine = next(c for c in client if c.number == number)
            peer = typical_by_number[number]
            cells.append(
                f"{number}: **{score_text(mine.score)}** {mine.band.replace('_', ' ')}"
                f" / {score_text(peer.score)}"
            )
        rows.append({"title": title, "cells": cells})
    return rows


def guide_key() -> list[dict[str, Any]]:
    """The item key by region, top (frontal cortex) first: number, label and the
    scoring guide's short form of each item (``scoring.guide.short_forms``)."""
    from neuroseq.scoring.guide import short_forms

    shorts = short_forms()
    by_number = {item.number: item.id for item in ITEMS}
    return [
        {
            "region": region,
            "items": [
                {"number": number, "label": label, "short": shorts[by_number[number]]}
                for number, label in items
            ],
        }
        for region, items in map_key()
    ]


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, every character but letters, digits and spaces escaped
    (safe inside a ``<style>`` element, where HTML escaping does not apply)."""
    body = "".join(
        ch if (ch.isascii() and ch.isalnum()) or ch == " " else f"\\{ord(ch):06x}" for ch in text
    )
    return Markup(f'"{body}"')


def key_rows() -> list[list[str]]:
    """The item key as table rows: one column per region, top (frontal cortex) first."""
    columns = [[f"{number} {label}" for number, label in items] for _, items in map_key()]
    depth = max(len(column) for column in columns)
    return [[column[i] if i < len(column) else "" for column in columns] for i in range(depth)]


def _history(result: PlanResult) -> dict[str, Any] | None:
    """The history as the case file writes it (0-3 ratings) beside the risk it gives."""
    profile = result.profile
    risk = profile.risk
    if profile.metric == "er" or risk.overall_value is None:
        return None
    written = {entry.period: entry for entry in result.case.history or ()}
    columns = []
    for entry in risk.periods.values():
        case_entry = written[entry.period]
        supports = (
            case_entry.bonding + case_entry.family_support + case_entry.community_support
        ) / 3
        columns.append(
            HistoryColumn(
                _PERIOD_TITLES[entry.period],
                case_entry.adversity,
                supports,
                entry.value,
                entry.category,
                pattern=case_entry.pattern,
            )
        )
    summary = "; ".join(
        f"{c.period}: adversity {score_text(c.adversity)} ({c.pattern}), relational health "
        f"{c.relational_health:.2f}, risk {c.category.replace('_', ' ')}"
        for c in columns
    )
    return {
        "chart": history_chart(columns, label=f"Developmental history by period, 0-3. {summary}."),
        "periods": [
            {
                "title": c.period,
                "adversity": score_text(c.adversity),
                "pattern": c.pattern,
                "relational_health": f"{c.relational_health:.2f}",
                "bonding": score_text(written_entry.bonding),
                "family_support": score_text(written_entry.family_support),
                "community_support": score_text(written_entry.community_support),
                "risk": f"{c.risk:.2f}",
                "category": c.category.replace("_", " "),
            }
            for c, written_entry in zip(columns, (written[p] for p in risk.periods), strict=True)
        ],
        "overall": risk.overall.replace("_", " "),
        "overall_value": f"{risk.overall_value:.2f}",
        "overall_period": _PERIOD_TITLES[risk.overall_period or "perinatal"],
    }


def maps(profile: Profile, norms: Norms, *, title: str) -> dict[str, Markup]:
    """The client's map (titled ``title``) and the typical same-age peer's map."""
    age = _years(profile.age)
    mine = client_cells(profile)
    peer = typical_cells(profile, norms)
    return {
        "client": brain_map_svg(
            mine,
            title=title,
            description=_map_description(mine),
        ),
        "typical": brain_map_svg(
            peer,
            title=f"Typical peer aged {age}",
            description=_map_description(peer),
        ),
    }


def _map_description(cells: Sequence[MapCell]) -> str:
    rows = []
    for title, items in map_key():
        numbers = {number for number, _ in items}
        scores = ", ".join(
            f"{c.number} {score_text(c.score)} {c.band.replace('_', ' ')}"
            for c in cells
            if c.number in numbers
        )
        rows.append(f"{title}: {scores}")
    return "Item number, score and band by region, top to bottom. " + "; ".join(rows) + "."


def caregiver_summary(result: PlanResult) -> dict[str, Any] | None:
    """The home's caregiving reserve for the report (``plan --caregiver``), or None."""
    reserve = result.caregiver
    if reserve is None:
        return None
    from neuroseq.reports.cce_render import _MEANINGS, WEIGHTS_NOTE

    family_rules = [
        item.name
        for item in result.plan.recommendations
        if item.rule.startswith("family.caregiver.")
    ]
    return {
        "caregiver_id": reserve.caregiver_id,
        "placement_type": reserve.placement_type,
        "value": f"{reserve.reserve:.1f}",
        "category": reserve.category,
        "meaning": _MEANINGS[reserve.category][:1].upper() + _MEANINGS[reserve.category][1:] + ".",
        "resources": f"{reserve.resources:.1f}",
        "internal": f"{reserve.internal.score:.1f}",
        "external": f"{reserve.external.score:.1f}",
        "challenge": f"{reserve.challenge:.1f}",
        "children": len(reserve.children),
        "household_points": f"{reserve.household_points:.1f}",
        "weights": reserve.weights_version,
        "weights_hash": reserve.weights_sha256[:12],
        "weights_note": WEIGHTS_NOTE,
        "decided": ", ".join(family_rules) if family_rules else "none",
    }


def generated_text(generated: datetime.date | None) -> str:
    """The date a report was generated, YYYY-MM-DD (today when not given)."""
    return (generated or datetime.date.today()).isoformat()


def plan_context(
    result: PlanResult, norms: Norms, *, generated: datetime.date | None = None
) -> dict[str, Any]:
    """Everything the plan templates need; ``norms`` band the typical peer's map.

    ``generated`` is the date printed on the report (today when ``None``); the
    plan JSON never carries it.
    """
    from neuroseq.reports.family_summary import family_summary

    plan = result.plan
    data = plan.to_json()
    profile = result.profile
    client = result.case.client
    age = _years(profile.age)
    cells_client = client_cells(profile)
    cells_typical = typical_cells(profile, norms)
    also = [c.name for c in plan.also_considered]
    previous = None
    if plan.previous is not None:
        previous = {
            "age": _years(float(plan.previous["age"])),
            "cmr": f"{float(plan.previous['cmr']):.2f}",
        }
    cmr = profile.cmr
    markers = [
        CmrMarker(f"Client {plan.client_id}", cmr.value),
        CmrMarker(f"Typical for age {age}", cmr.typical, typical=True),
    ]
    health = profile.relational_health
    return {
        "plan": data,
        "groups": _json_groups(data["recommendations"]),
        "recommendation_groups": recommendation_groups(plan.recommendations),
        "notes": result.case.notes or "",
        "caregiver": caregiver_summary(result),
        "generated": generated_text(generated),
        "family_summary": family_summary(result),
        "audit": audit_rows(plan),
        "guide_key": guide_key(),
        "page_label": css_string(f"Client {plan.client_id}"),
        "header": {
            "client_id": plan.client_id,
            "generated": generated_text(generated),
            "age": age,
            "metric": METRIC_TITLES[plan.metric],
            "assessment_date": client.assessment_date.isoformat()
            if client.assessment_date
            else "not given",
            "placement": client.placement or "",
            "school_setting": client.school_setting or "",
            "rulebase": plan.rulebase.version,
            "rulebase_hash": plan.rulebase.sha256[:12],
            "catalog": plan.catalog.version,
            "catalog_hash": plan.catalog.sha256[:12],
            "norms": plan.norms.version,
            "generator": plan.generator,
            "start_phase": _PHASE_TITLES[plan.start_phase] if plan.start_phase else "none",
            "previous": previous,
        },
        "maps": maps(profile, norms, title=f"Client {plan.client_id}, age {age}"),
        "md_map": markdown_map(cells_client, cells_typical),
        "legend": legend(norms),
        "key": map_key(),
        "key_rows": key_rows(),
        "domains": group_rows(profile.domains, profile.age, titles={}),
        "regions": group_rows(
            dict(reversed(tuple(profile.regions.items()))), profile.age, titles=REGION_TITLES
        ),
        "cmr": {
            "value": f"{cmr.value:.2f}",
            "typical": f"{cmr.typical:.2f}",
            "band": cmr.band.replace("_", " "),
            "brief_from": f"{cmr.brief_segments_from:.1f}",
            "available_from": f"{cmr.available_from:.1f}",
            "sentence": cmr_sentence(profile, plan),
            "scale": cmr_scale(
                markers,
                brief_from=cmr.brief_segments_from,
                available_from=cmr.available_from,
                label=(
                    f"CMR scale with thresholds {cmr.brief_segments_from:.1f} and "
                    f"{cmr.available_from:.1f}: client {cmr.value:.2f}, typical for age "
                    f"{cmr.typical:.2f}"
                ),
            ),
            "text_scale": cmr_text_scale(
                markers, brief_from=cmr.brief_segments_from, available_from=cmr.available_from
            ),
        },
        "history": _history(result),
        "relational_health": None
        if health is None
        else {
            "family": score_text(health.family),
            "peers": score_text(health.peers),
            "school": score_text(health.school),
            "community": score_text(health.community),
        },
        "also_considered": also,
        "left_out": left_out(plan),
        "summary": plan_summary(plan),
        "six_rs_key": [
            {"mark": mark, "name": name, "meaning": SIX_RS_MEANINGS[name]}
            for _, mark, name in SIX_RS
        ],
        "statement": plan.statement,
    }
