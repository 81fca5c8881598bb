"""Change over time: several assessments of one client, side by side.

case files --compare_cases--> Comparison --render_comparison(fmt)--> text

Like the published follow-up figure: every item with one column per
assessment (in time order) and the typical score for the latest age; totals
per region and domain with the change in developmental ages; the CMR at each
assessment; and what each plan recommends differently from the one before
(suspended, resumed, new, stopped, otherwise changed). Each case is planned
with the case before it as ``previous``, so the rule base's follow-up rules
(for instance resuming suspended work once CMR passes 1.0) apply.

Assessments are ordered by assessment date when every case gives one, else by
age. They must all be of one client: a mismatch is a :class:`CaseError`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuroseq.engine.plan_diff import CHANGE_KINDS, changes_over_time
from neuroseq.engine.workflow import PlanResult
from neuroseq.errors import CaseError, NeuroseqError, Problem, ReportError, SourceLocation
from neuroseq.jsontext import pretty_json
from neuroseq.reports.brain_map import (
    REGION_TITLES,
    brain_map_svg,
    client_cells,
    legend,
    map_key,
    score_text,
    typical_cells,
)
from neuroseq.reports.charts import CmrMarker, cmr_scale, cmr_text_scale
from neuroseq.reports.context import (
    ACTION_TITLES,
    METRIC_TITLES,
    css_string,
    generated_text,
    guide_key,
    key_rows,
)
from neuroseq.reports.render import render_template
from neuroseq.scoring.case import Case
from neuroseq.scoring.items import ITEMS
from neuroseq.scoring.norms import Norms
from neuroseq.scoring.profile import GroupScore, Profile

if TYPE_CHECKING:
    from neuroseq.api import Planner as PublicPlanner

__all__ = [
    "Assessment",
    "Comparison",
    "compare",
    "compare_cases",
    "comparison_of",
    "comparison_json",
    "order_cases",
    "render_comparison",
]


@dataclass(frozen=True)
class Assessment:
    """One planned case of the comparison, with its place in time."""

    path: Path
    result: PlanResult

    @property
    def date(self) -> str:
        when = self.result.case.client.assessment_date
        return when.isoformat() if when else ""

    @property
    def age(self) -> float:
        return self.result.profile.age

    @property
    def label(self) -> str:
        return f"{self.date}, age {self.age:.1f}" if self.date else f"age {self.age:.1f}"


@dataclass(frozen=True)
class Comparison:
    """Assessments of one client in time order, and the norms that scored them."""

    client_id: str
    assessments: tuple[Assessment, ...]
    norms: Norms


def order_cases(cases: Sequence[tuple[Path, Case]]) -> list[tuple[Path, Case]]:
    """By assessment date when every case gives one (age breaks ties), else by age."""
    if all(case.client.assessment_date is not None for _, case in cases):
        return sorted(cases, key=lambda pc: (pc[1].client.assessment_date, pc[1].client.age))
    return sorted(cases, key=lambda pc: pc[1].client.age)


def _same_client(cases: Sequence[tuple[Path, Case]]) -> None:
    first_path, first = cases[0]
    ids = {case.client.id for _, case in cases}
    if len(ids) == 1:
        return
    listed = ", ".join(f"'{i}'" for i in sorted(ids))
    raise CaseError(
        [
            Problem(
                SourceLocation(str(path)),
                "client.id",
                f"this assessment is of client '{case.client.id}', but {first_path} is of "
                f"client '{first.client.id}'; compare assessments of one client only "
                f"(found {listed})",
            )
            for path, case in cases
            if case.client.id != first.client.id
        ]
    )


def compare_cases(
    paths: Sequence[Path],
    *,
    rules: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
) -> Comparison:
    """Load, check, order and plan every case (each with the one before as previous)."""
    if len(paths) < 2:
        raise CaseError(
            [
                Problem(
                    SourceLocation(str(paths[0]) if paths else "<input>"),
                    "",
                    "compare needs at least two assessments of one client",
                )
            ]
        )
    seen: set[Path] = set()
    for path in paths:
        if path.resolve() in seen:
            raise CaseError(
                [
                    Problem(
                        SourceLocation(str(path)),
                        "",
                        "this assessment is given twice; give each once",
                    )
                ]
            )
        seen.add(path.resolve())
    from neuroseq.api import Planner as PublicPlanner
    from neuroseq.api import load_case as load

    planner = PublicPlanner.load(rules, catalog, norms)
    loaded: list[Case] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded.append(load(path, catalog=planner.catalog))
        except NeuroseqError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CaseError(problems)
    return comparison_of(list(loaded), planner, paths=list(paths))


def comparison_of(
    assessments: Sequence[Case | PlanResult],
    planner: PublicPlanner,
    *,
    paths: Sequence[Path] | None = None,
) -> Comparison:
    """Order the assessments and plan each once, with the one before as previous.

    A follow-up's previous assessment is built from the earlier *plan* (no second
    plan); results already planned are used as they are. ``paths`` name the
    assessments in the report (else "assessment 1", "assessment 2", ...).
    """
    if len(assessments) < 2:
        raise CaseError(
            [
                Problem(
                    SourceLocation(str(paths[0]) if paths else "<input>"),
                    "",
                    "compare needs at least two assessments of one client",
                )
            ]
        )
    names = (
        list(paths) if paths else [Path(f"assessment {n}") for n in range(1, len(assessments) + 1)]
    )
    cases = [
        (name, a.case if isinstance(a, PlanResult) else a)
        for name, a in zip(names, assessments, strict=True)
    ]
    given = {id(a.case if isinstance(a, PlanResult) else a): a for a in assessments}
    _same_client(cases)
    ordered = order_cases(cases)
    planned: list[Assessment] = []
    before: PlanResult | None = None
    for name, case in ordered:
        found = given[id(case)]
        result = found if isinstance(found, PlanResult) else planner.plan(case, previous=before)
        planned.append(Assessment(name, result))
        before = result
    return Comparison(ordered[0][1].client.id, tuple(planned), planner.norms)


# --- the comparison as data -------------------------------------------------------


def _signed(value: float, digits: int = 1) -> str:
    if abs(value) < 0.5 * 10**-digits:
        return "0"
    return f"{value:+.{digits}f}" if digits else f"{value:+g}"


def _change(value: float) -> str:
    """An item's change in score: whole and half points exactly."""
    if value == 0:
        return "0"
    return f"{value:+g}"


def _plan_changes(before: PlanResult, after: PlanResult) -> dict[str, list[dict[str, str]]]:
    """What the later plan does differently, grouped by kind (:mod:`neuroseq.engine.plan_diff`)."""
    changes: dict[str, list[dict[str, str]]] = {kind: [] for kind in CHANGE_KINDS}
    now = {r.intervention: r for r in after.plan.recommendations}
    for change in changes_over_time(before.plan, after.plan):
        reason = change.reason
        if not reason and change.intervention in now:
            reason = now[change.intervention].rationale  # resumed, new: why the rule chose it
        elif not reason and change.why == "no_longer":
            reason = "No rule recommends it for this assessment."
        changes[change.kind].append(
            {
                "intervention": change.intervention,
                "name": change.name,
                "before": ACTION_TITLES.get(change.before, "not in plan"),
                "after": ACTION_TITLES.get(change.after, "not in plan"),
                "before_action": change.before,
                "after_action": change.after,
                "why": change.why,
                "why_title": _WHY_TITLES.get(change.why, ""),
                "reason": reason,
            }
        )
    return changes


#: Why an item left the plan or stopped, in words (compare's ``why`` field).
_WHY_TITLES = {
    "fade": "Faded, no longer indicated",
    "suspend": "Suspended",
    "defer": "Deferred",
    "avoid": "Avoided",
    "not_started": "Not started",
    "no_longer": "No longer in the plan",
}


_TITLES = {str(region): title for region, title in REGION_TITLES.items()}


def _by_kind(profile: Profile, kind: str) -> dict[str, GroupScore]:
    source = profile.regions if kind == "region" else profile.domains
    return {str(name): group for name, group in source.items()}


def _groups(comparison: Comparison, kind: str) -> list[dict[str, Any]]:
    first = comparison.assessments[0].result.profile
    last = comparison.assessments[-1].result.profile
    names = list(_by_kind(first, kind))
    if kind == "region":
        names.reverse()  # top of the map (frontal cortex) first, as drawn
    rows = []
    for name in names:
        groups = [_by_kind(a.result.profile, kind)[name] for a in comparison.assessments]
        latest = groups[-1]
        rows.append(
            {
                "id": name,
                "title": _TITLES.get(name, name.replace("_", " ").capitalize()),
                "scores": [score_text(g.score) for g in groups],
                "typical": f"{latest.typical:.1f}",
                "percents": [f"{g.ratio * 100:.0f}%" for g in groups],
                "developmental_ages": [
                    f"{g.developmental_age:.1f}" + ("+" if g.at_or_above_age else "")
                    for g in groups
                ],
                "score_change": _change(groups[-1].score - groups[0].score),
                "developmental_age_change": _signed(
                    groups[-1].developmental_age - groups[0].developmental_age
                ),
                "age_change": _signed(last.age - first.age),
            }
        )
    return rows


def comparison_data(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain data: the JSON document and the templates' numbers."""
    items = comparison.assessments
    last = items[-1].result.profile
    typical = typical_cells(last, comparison.norms)
    item_rows = []
    for index, item in enumerate(ITEMS):
        scores = [a.result.profile.items[item.id] for a in items]
        item_rows.append(
            {
                "number": item.number,
                "id": item.id,
                "label": item.label,
                "region": item.region,
                "scores": [score_text(s.score) for s in scores],
                "bands": [s.band for s in scores],
                "typical": score_text(round(typical[index].score, 1)),
                "typical_band": typical[index].band,
                "change": _change(scores[-1].score - scores[0].score),
            }
        )
    cmr = [a.result.profile.cmr for a in items]
    return {
        "schema": "neuroseq/compare/v1",
        "client_id": comparison.client_id,
        "typical_age": round(last.age, 2),
        "assessments": [
            {
                "index": number,
                "path": str(a.path),
                "assessment_date": a.date or None,
                "age": round(a.age, 2),
                "metric": a.result.plan.metric,
                "cmr": round(a.result.profile.cmr.value, 2),
                "cmr_typical": round(a.result.profile.cmr.typical, 2),
                "cmr_band": a.result.profile.cmr.band,
                "start_phase": a.result.plan.start_phase,
                "rulebase": a.result.plan.rulebase.model_dump(),
                "catalog": a.result.plan.catalog.model_dump(),
                "actions": {r.intervention: r.action for r in a.result.plan.recommendations},
            }
            for number, a in enumerate(items, start=1)
        ],
        "items": item_rows,
        "regions": _groups(comparison, "region"),
        "domains": _groups(comparison, "domain"),
        "cmr": {
            "values": [round(c.value, 2) for c in cmr],
            "change": round(cmr[-1].value - cmr[0].value, 2),
            "typical_latest": round(cmr[-1].typical, 2),
        },
        "plan_changes": [
            {
                "from": number,
                "to": number + 1,
                **_plan_changes(before.result, after.result),
            }
            for number, (before, after) in enumerate(zip(items, items[1:], strict=False), start=1)
        ],
    }


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    """The JSON document of ``neuroseq compare --format json``."""
    return comparison_data(comparison)


def _context(comparison: Comparison, generated: datetime.date | None = None) -> dict[str, Any]:
    data = comparison_data(comparison)
    items = comparison.assessments
    last = items[-1]
    typical_age = f"{last.age:.1f}"
    cmrs = [a.result.profile.cmr for a in items]
    markers = [
        CmrMarker(f"{n}: {a.label}", a.result.profile.cmr.value)
        for n, a in enumerate(items, start=1)
    ]
    markers.append(CmrMarker(f"Typical for age {typical_age}", cmrs[-1].typical, typical=True))
    cmr_change = cmrs[-1].value - cmrs[0].value
    maps: list[dict[str, Any]] = [
        {
            "caption": f"{n}: {a.label}",
            "svg": brain_map_svg(
                client_cells(a.result.profile),
                title=f"Assessment {n} of client {comparison.client_id}, {a.label}",
                description=f"Functional brain map at {a.label}.",
            ),
        }
        for n, a in enumerate(items, start=1)
    ]
    maps.append(
        {
            "caption": f"Typical peer, age {typical_age}",
            "svg": brain_map_svg(
                typical_cells(last.result.profile, comparison.norms),
                title=f"Typical peer aged {typical_age}",
                description="Typical scores for the latest age.",
            ),
        }
    )
    thresholds = (cmrs[-1].brief_segments_from, cmrs[-1].available_from)
    return {
        "data": data,
        "client_id": comparison.client_id,
        "generated": generated_text(generated),
        "page_label": css_string(f"Client {comparison.client_id}"),
        # Stored assessments are named by date and metric, not by a file (the web app).
        "from_files": any(a.path.suffix for a in comparison.assessments),
        "guide_key": guide_key(),
        "assessments": [
            {
                "number": n,
                "label": a.label,
                "path": a.path.name,
                "metric": METRIC_TITLES[a.result.plan.metric],
                "cmr": f"{a.result.profile.cmr.value:.2f}",
                "cmr_band": a.result.profile.cmr.band.replace("_", " "),
                "rulebase": a.result.plan.rulebase.version,
                "rulebase_hash": a.result.plan.rulebase.sha256[:12],
                "catalog": a.result.plan.catalog.version,
                "catalog_hash": a.result.plan.catalog.sha256[:12],
                "notes": a.result.case.notes or "",
            }
            for n, a in enumerate(items, start=1)
        ],
        "typical_age": typical_age,
        "maps": maps,
        "legend": legend(comparison.norms),
        "key": map_key(),
        "key_rows": key_rows(),
        "cmr": {
            "values": [f"{c.value:.2f}" for c in cmrs],
            "change": _signed(cmr_change, 2),
            "typical": f"{cmrs[-1].typical:.2f}",
            "brief_from": f"{thresholds[0]:.1f}",
            "available_from": f"{thresholds[1]:.1f}",
            "scale": cmr_scale(
                markers,
                brief_from=thresholds[0],
                available_from=thresholds[1],
                label="CMR at each assessment: "
                + ", ".join(f"{m.label} {m.value:.2f}" for m in markers),
            ),
            "text_scale": cmr_text_scale(
                markers, brief_from=thresholds[0], available_from=thresholds[1]
            ),
            "sentence": _cmr_sentence(cmrs[0].value, cmrs[-1].value, *thresholds),
        },
        "statement": last.result.plan.statement,
    }


def _cmr_sentence(first: float, last: float, brief: float, available: float) -> str:
    change = last - first
    direction = "rose" if change > 0 else "fell" if change < 0 else "did not change"
    text = f"CMR {direction} from {first:.2f} to {last:.2f} ({_signed(change, 2)})."
    if first < brief <= last:
        text += (
            f" It has passed {brief:.1f}: cognitive-predominant work that was suspended or "
            "deferred can resume, in brief segments bracketed by regulating activity"
            + (f" while CMR is below {available:.1f}." if last < available else ".")
        )
    elif last < brief <= first:
        text += f" It has fallen below {brief:.1f}: cognitive-predominant work is suspended again."
    return text


def render_comparison(
    comparison: Comparison,
    fmt: str,
    *,
    templates: Path | None = None,
    generated: datetime.date | None = None,
) -> str:
    """The comparison as ``json``, ``md`` or ``html``; ``generated`` is the date the
    Markdown and HTML print (today when ``None``; JSON never carries it)."""
    if fmt == "json":
        return pretty_json(comparison_json(comparison))
    names = {"md": "compare.md.j2", "html": "compare.html.j2"}
    if fmt not in names:
        raise ReportError(
            [Problem(SourceLocation("<compare>"), "format", f"unknown format '{fmt}'")]
        )
    return render_template(names[fmt], _context(comparison, generated), templates=templates)


def compare(
    paths: Sequence[Path],
    fmt: str = "md",
    *,
    rules: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
    templates: Path | None = None,
    generated: datetime.date | None = None,
) -> str:
    """What ``neuroseq compare`` prints: plan every case in time order, then render."""
    comparison = compare_cases(paths, rules=rules, catalog=catalog, norms=norms)
    return render_comparison(comparison, fmt, templates=templates, generated=generated)
