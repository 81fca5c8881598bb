"""Render a planned case: JSON (the plan contract), terminal text, Markdown, HTML.

Markdown and HTML come from jinja2 templates in ``reports/templates`` (or a
clinic's own folder, ``--templates DIR``), always with autoescape on for HTML
and StrictUndefined, so free text from a case can never become markup and a
template naming a missing value fails loudly instead of printing nothing.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

from neuroseq.engine.workflow import PlanResult
from neuroseq.errors import Problem, ReportError, SourceLocation

__all__ = ["plan_json_text", "render_plan"]

_PHASE_TITLES = {"regulate": "Regulate", "relate": "Relate", "reason": "Reason"}
_AUDIENCE_TITLES = {
    "therapeutic_web": "Therapeutic web",
    "family": "Family",
    "client": "Client",
}


def plan_json_text(result: PlanResult) -> str:
    """The plan as canonical JSON text (stable key order, two-space indent)."""
    return json.dumps(result.plan.to_json(), indent=2, ensure_ascii=False) + "\n"


def _environment(templates: Path | None, *, html: bool) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not templates.is_dir():
            raise ReportError(
                [Problem(SourceLocation(str(templates)), "", "not a folder of templates")]
            )
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(files("neuroseq.reports") / "templates")))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["title"] = lambda v: str(v).replace("_", " ").capitalize()
    return env


def _context(result: PlanResult) -> dict[str, Any]:
    plan = result.plan.to_json()
    groups: list[dict[str, Any]] = []
    for item in plan["recommendations"]:
        title = _AUDIENCE_TITLES[item["audience"]]
        if item["audience"] == "client" and item["phase"]:
            title = f"Client: {_PHASE_TITLES[item['phase']]}"
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "items": []})
        groups[-1]["items"].append(item)
    return {"plan": plan, "groups": groups, "notes": result.case.notes or ""}


def render_plan(
    result: PlanResult, fmt: str, *, templates: Path | None = None, color: bool = False
) -> str:
    """The plan in ``fmt``: json, text, md or html."""
    if fmt == "json":
        return plan_json_text(result)
    if fmt == "text":
        from neuroseq.reports.plan_text import render_plan_text

        return render_plan_text(result, color=color)
    name = {"md": "plan.md.j2", "html": "plan.html.j2"}[fmt]
    env = _environment(templates, html=fmt == "html")
    try:
        return env.get_template(name).render(**_context(result))
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise ReportError(
            [Problem(SourceLocation(str(where), line), "", f"template error: {exc.message}")]
        ) from None
