"""Render a planned case: JSON (the plan contract), terminal text, Markdown, HTML.

Markdown and HTML come from jinja2 templates in ``reports/templates`` (or a
clinic's own folder, ``--templates DIR``), always with autoescape on for HTML
and StrictUndefined, so free text from a case can never become markup and a
template naming a missing value fails loudly instead of printing nothing.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import traceback
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuroseq.engine.workflow import PlanResult
from neuroseq.errors import Problem, ReportError, SourceLocation
from neuroseq.scoring.norms import default_norms

if TYPE_CHECKING:
    import jinja2

# jinja2 is imported where templates are used, so `plan --format json` never loads it.

__all__ = [
    "environment",
    "markdown_fence",
    "markdown_text",
    "plan_json_text",
    "render_plan",
    "render_template",
]


def plan_json_text(result: PlanResult) -> str:
    """The plan as canonical JSON text (stable key order, two-space indent)."""
    return json.dumps(result.plan.to_json(), indent=2, ensure_ascii=False) + "\n"


def environment(templates: Path | None, *, html: bool) -> jinja2.Environment:
    """The jinja2 environment of a report: a clinic's folder first, then the bundled one.

    Cached per (folder, format): building an environment and compiling its
    templates costs more than rendering a plan.
    """
    if templates is not None and not templates.is_dir():
        raise ReportError(
            [Problem(SourceLocation(str(templates)), "", "not a folder of templates")]
        )
    return _cached_environment(None if templates is None else str(templates.resolve()), html)


@functools.lru_cache(maxsize=16)
def _cached_environment(templates: str | None, html: bool) -> jinja2.Environment:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(jinja2.FileSystemLoader(templates))
    loaders.append(jinja2.FileSystemLoader(str(files("neuroseq.reports") / "templates")))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["title"] = lambda v: str(v).replace("_", " ").capitalize()
    env.filters["md"] = markdown_text
    env.filters["md_fence"] = markdown_fence
    return env


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")


def markdown_text(value: object) -> str:
    """Text for a Markdown table cell or line: specials backslash-escaped, one line."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown_fence(value: object) -> str:
    """Free text as a fenced code block (shown as typed, never as markup)."""
    text = str(value).rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _template_location(exc: BaseException, name: str) -> tuple[str, int | None]:
    """Where a template failed: syntax errors know it; runtime errors leave it in the traceback."""
    where: str = getattr(exc, "filename", None) or name
    line: int | None = getattr(exc, "lineno", None)
    if line is None:
        # jinja2 rewrites the traceback so template frames carry the template's file and line.
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_filename.endswith(".j2"):
                where, line = frame.f_code.co_filename, lineno
    return where, line


def render_template(name: str, context: Mapping[str, Any], *, templates: Path | None) -> str:
    """Render one template by name; template problems become a ReportError."""
    import jinja2

    env = environment(templates, html=name.endswith(".html.j2"))
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        where, line = _template_location(exc, name)
        raise ReportError(
            [Problem(SourceLocation(str(where), line), "", f"template error: {exc.message}")]
        ) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        # A clinic's own template can fail while rendering (1/0, a bad filter
        # argument, a template that includes itself, a file that is not UTF-8).
        where, line = _template_location(exc, name)
        raise ReportError(
            [
                Problem(
                    SourceLocation(str(where), line),
                    "",
                    f"template failed while rendering: {type(exc).__name__}: {exc}"[:300],
                )
            ]
        ) from None


def render_plan(
    result: PlanResult,
    fmt: str,
    *,
    templates: Path | None = None,
    color: bool = False,
    generated: datetime.date | None = None,
) -> str:
    """The plan in ``fmt``: json, text, md or html.

    ``generated`` is the date the Markdown and HTML reports print as generated
    (today when ``None``; tests and golden files pass a fixed date). JSON and
    text never carry it, so the plan contract stays byte-identical.
    """
    if fmt == "json":
        return plan_json_text(result)
    if fmt == "text":
        from neuroseq.reports.plan_text import render_plan_text

        return render_plan_text(result, color=color)
    name = {"md": "plan.md.j2", "html": "plan.html.j2"}[fmt]
    from neuroseq.reports.context import plan_context

    return render_template(
        name, plan_context(result, default_norms(), generated=generated), templates=templates
    )
