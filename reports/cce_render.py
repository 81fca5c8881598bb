"""Render a Caregiver Challenge Estimator result: JSON, terminal text, Markdown, HTML.

CceResult --render_cce(fmt)--> text. Markdown and HTML come from the jinja2
templates ``cce.md.j2`` and ``cce.html.j2`` (autoescape on for HTML,
StrictUndefined always), fed by :func:`cce_context`. Nothing from the
caregiver file is printed except the pseudonymous ids, the placement type,
the ratings and the case file references; ``notes`` never are.
"""

from __future__ import annotations

import datetime
import re
import textwrap
from importlib.resources import files
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from neuroseq import __version__
from neuroseq.engine.caregiver_workflow import CceResult
from neuroseq.errors import Problem, ReportError, SourceLocation
from neuroseq.jsontext import pretty_json
from neuroseq.scoring.caregiver_score import ChildScore, reserve_json
from neuroseq.vocabulary import STATEMENT

__all__ = ["CCE_SCHEMA", "WEIGHTS_NOTE", "cce_context", "cce_json", "render_cce"]

CCE_SCHEMA = "neuroseq/cce/v1"
WEIGHTS_NOTE = (
    "The estimator's weights and cut-offs are neuroseq project defaults: nothing about them "
    "is published. The reserve is a structured prompt for a conversation with the "
    "caregiver and the agency, not a verdict on a home."
)
_MEANINGS = {
    "depleted": "the challenge outweighs the resources by a wide margin: support now",
    "strained": "the challenge somewhat outweighs the resources: add support before more load",
    "adequate": "resources meet the challenge, with a modest margin",
    "strong": "resources clearly exceed the challenge",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def _words(name: str) -> str:
    return name.replace("_", " ")


def _n(value: float) -> str:
    """A number with one decimal, never '-0.0'."""
    return f"{round(value, 1) + 0.0:.1f}"


def _rating(value: float) -> str:
    return f"{value:g}"


def cce_json(result: CceResult) -> dict[str, Any]:
    """The result as plain JSON data (``schema: neuroseq/cce/v1``)."""
    reserve = result.reserve
    planner = result.planner
    return {
        "schema": CCE_SCHEMA,
        "caregiver_id": reserve.caregiver_id,
        "placement_type": reserve.placement_type,
        "generator": f"neuroseq {__version__}",
        "statement": STATEMENT,
        "weights_note": WEIGHTS_NOTE,
        "weights": {"version": reserve.weights_version, "sha256": reserve.weights_sha256},
        "rulebase": {"version": planner.rulebase.version, "sha256": planner.rulebase.sha256},
        "catalog": {"version": planner.catalog.version, "sha256": planner.catalog_hash},
        "scores": reserve_json(reserve),
        "recommendations": [item.model_dump(mode="json") for item in result.recommendations],
        "also_considered": list(result.also_considered),
    }


def _child_row(child: ChildScore) -> dict[str, Any]:
    parts = ", ".join(f"{_words(k)} {v:.2f}" for k, v in child.components.items())
    if child.source == "case":
        source = f"case file {child.case}"
        extra = f"CMR {child.cmr:.2f}, risk {_words(child.risk or '')}"
    else:
        source = "rated directly"
        extra = ""
    return {
        "id": child.id,
        "source": source,
        "age": f"{child.age:.1f}",
        "components": parts,
        "extra": extra,
        "severity": f"{child.severity:.2f}",
        "age_factor": f"{child.age_factor:g}",
        "points": _n(child.points),
    }


def cce_context(result: CceResult, generated: datetime.date | None = None) -> dict[str, Any]:
    """What the Markdown and HTML templates see: formatted values only.

    ``generated`` is the date the report prints (today when ``None``).
    """
    from neuroseq.reports.brain_map import legend
    from neuroseq.reports.context import css_string, generated_text
    from neuroseq.scoring.norms import default_norms

    reserve = result.reserve
    planner = result.planner

    def resource_rows(group: Any) -> list[dict[str, str]]:
        return [
            {
                "name": _words(name),
                "rating": _rating(item.rating),
                "counts_as": _rating(item.value),
                "weight": f"{item.weight:g}",
                "note": "reverse-scored (0 none ... 3 severe)" if item.reverse else "",
            }
            for name, item in group.items.items()
        ]

    recommendations = [
        {
            "rank": item.rank,
            "action": item.action,
            "verb": item.action.capitalize(),
            "name": item.name,
            "intervention": item.intervention,
            "audience": _words(item.audience),
            "rationale": item.rationale,
            "dosing": f"{item.dosing['frequency']}, {item.dosing['episode']}",
            "rule": item.rule,
            "source": item.source,
        }
        for item in result.recommendations
    ]
    return {
        "generated": generated_text(generated),
        "page_label": css_string(f"Caregiver {reserve.caregiver_id}"),
        "legend": legend(default_norms()),
        "header": {
            "generated": generated_text(generated),
            "caregiver_id": reserve.caregiver_id,
            "placement_type": reserve.placement_type,
            "generator": f"neuroseq {__version__}",
            "weights": reserve.weights_version,
            "weights_hash": reserve.weights_sha256[:12],
            "rulebase": planner.rulebase.version,
            "rulebase_hash": planner.rulebase.sha256[:12],
            "catalog": planner.catalog.version,
            "catalog_hash": planner.catalog_hash[:12],
        },
        "reserve": {
            "value": _n(reserve.reserve),
            "category": reserve.category,
            "meaning": _MEANINGS[reserve.category],
            "resources": _n(reserve.resources),
            "challenge": _n(reserve.challenge),
            "internal": _n(reserve.internal.score),
            "external": _n(reserve.external.score),
        },
        "internal_rows": resource_rows(reserve.internal),
        "external_rows": resource_rows(reserve.external),
        "children": [_child_row(child) for child in reserve.children],
        "household": [
            {"name": _words(name), "points": _n(points)}
            for name, points in reserve.household.items()
            if points > 0
        ],
        "household_points": _n(reserve.household_points),
        "recommendations": recommendations,
        "also_considered": list(result.also_considered),
        "statement": STATEMENT,
        "weights_note": WEIGHTS_NOTE,
    }


def _safe(text: str) -> str:
    """Keep a terminal safe from control characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def render_cce_text(result: CceResult) -> str:
    """The terminal view: reserve, resources, challenge and recommendations."""
    context = cce_context(result)
    header, reserve = context["header"], context["reserve"]
    out = [
        f"neuroseq cce: caregiver {header['caregiver_id']}, {header['placement_type']} placement",
        f"caregiver weights {header['weights']} ({header['weights_hash']}), "
        f"rule base {header['rulebase']} ({header['rulebase_hash']}), "
        f"catalogue {header['catalog']} ({header['catalog_hash']})",
        "",
        f"RESERVE {reserve['value']}  {reserve['category'].upper()}  "
        f"(resources {reserve['resources']} - challenge {reserve['challenge']}): "
        f"{reserve['meaning']}",
        "",
        f"RESOURCES {reserve['resources']} of 100  "
        f"(internal {reserve['internal']}, external {reserve['external']})",
    ]
    for title, key in (("internal", "internal_rows"), ("external", "external_rows")):
        out.append(f"  {title} {reserve[title]}")
        for row in context[key]:
            note = f"  {row['note']}: counts as {row['counts_as']}" if row["note"] else ""
            out.append(f"    {row['name']:<28}{row['rating']:>4}  weight {row['weight']}{note}")
    out += ["", f"CHALLENGE {reserve['challenge']} points"]
    if not context["children"]:
        out.append("  no children in the home")
    for child in context["children"]:
        out.append(
            f"  {_safe(child['id'])}: {_safe(child['source'])}, age {child['age']}: "
            f"{child['points']} points"
        )
        detail = (
            f"severity {child['severity']} ({child['components']}) "
            f"x age factor {child['age_factor']}"
        )
        if child["extra"]:
            detail += f"; {child['extra']}"
        wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="    ")
        out.extend(wrap.wrap(detail))
    demands = ", ".join(f"{row['name']} {row['points']}" for row in context["household"])
    out.append(
        f"  other household demands: {context['household_points']} points"
        + (f" ({demands})" if demands else "")
    )
    out += ["", "RECOMMENDATIONS"]
    for item in context["recommendations"]:
        out.append(
            f"{item['rank']:>3}. {item['action'].upper()} {item['name']} "
            f"[{item['intervention']}] ({item['audience']})"
        )
        wrap = textwrap.TextWrapper(width=96, initial_indent="       ", subsequent_indent="       ")
        out.extend(wrap.wrap(item["rationale"]))
        out.append(f"       rule: {item['rule']}; source: {item['source']}")
    if not context["recommendations"]:
        out.append("  No recommendations: no rule found a need.")
    if context["also_considered"]:
        out += ["", "Also considered: " + ", ".join(context["also_considered"])]
    out += ["", WEIGHTS_NOTE, STATEMENT]
    return "\n".join(out) + "\n"


def _md(value: object) -> str:
    """Escape Markdown markup in free text; line breaks become spaces."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def _environment(*, html: bool) -> jinja2.Environment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(files("neuroseq.reports") / "templates")),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    return env


def render_cce(result: CceResult, fmt: str, *, generated: datetime.date | None = None) -> str:
    """The result in ``fmt``: json, text, md or html.

    HTML uses the plan's environment, stylesheet and macros (one look for every
    report); ``generated`` is the date Markdown and HTML print (today by default).
    """
    if fmt == "json":
        return pretty_json(cce_json(result))
    if fmt == "text":
        return render_cce_text(result)
    if fmt == "html":
        from neuroseq.reports.render import render_template

        return render_template("cce.html.j2", cce_context(result, generated), templates=None)
    name = {"md": "cce.md.j2"}[fmt]
    env = _environment(html=False)
    try:
        return env.get_template(name).render(**cce_context(result, generated))
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise ReportError(
            [Problem(SourceLocation(str(where), line), "", f"template error: {exc.message}")]
        ) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        raise ReportError(
            [Problem(SourceLocation(name), "", f"template failed while rendering: {exc}"[:300])]
        ) from None
