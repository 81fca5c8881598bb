"""Render a planned case: JSON (the plan contract), terminal text, Markdown, HTML.

Markdown and HTML come from jinja2 templates in ``reports/templates`` (or a
clinic's own folder, ``--templates DIR``), always with autoescape on for HTML
and StrictUndefined, so free text from a case can never become markup and a
template naming a missing value fails loudly instead of printing nothing.

Templates run in jinja2's immutable sandbox with limits: a render time
(:data:`TEMPLATE_SECONDS`), an output size (:data:`TEMPLATE_MAX_CHARS`),
operators and calls that would build huge values refused, and a clinic's
template files must be regular files inside their folder (a symbolic link
out of it, to ``/proc/self/environ`` say, is refused).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import os
import re
import signal
import stat
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuroseq.engine.workflow import PlanResult
from neuroseq.errors import Problem, ReportError, SourceLocation
from neuroseq.jsontext import pretty_json

if TYPE_CHECKING:
    import jinja2
    import jinja2.sandbox

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
    return pretty_json(result.plan.to_json())


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


TEMPLATE_SECONDS = 10.0
"""Longest a report may take to render; a custom template looping for minutes is stopped."""
TEMPLATE_MAX_CHARS = 20_000_000
"""Largest report, in characters; also the largest string or list a template may build."""
TEMPLATE_MAX_BYTES = 1024 * 1024
"""Largest template file."""


class _LimitExceeded(Exception):
    """A template went past a render limit (time, size); becomes a located ReportError."""


def _check_size(size: int) -> None:
    if size > TEMPLATE_MAX_CHARS:
        raise _LimitExceeded(
            f"the template builds more than {TEMPLATE_MAX_CHARS:,} characters; "
            "reports are limited to that size"
        )


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


_HUGE_FORMAT = re.compile(r"[%:{][^}%]*?(?:\d{7,}|\*)")


def _guard_arguments(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a whole-number argument that would build something beyond the size limit."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10_000_000:
            raise _LimitExceeded(
                f"a number above 10,000,000 given to a filter or method; "
                f"reports are limited to {TEMPLATE_MAX_CHARS:,} characters"
            )


def _guarded_filter(function: Any) -> Any:
    # A filter marked pass_context/pass_environment gets that first, then its value.
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _guard_arguments(args[skip:], kwargs)
        return function(*args, **kwargs)

    return guarded


def _limited_sandbox() -> type[jinja2.sandbox.ImmutableSandboxedEnvironment]:
    """The sandbox class with size guards on operators, calls and filters."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class LimitedSandbox(ImmutableSandboxedEnvironment):
        """jinja2's immutable sandbox that also refuses operations building huge values.

        ``'x' * 10**13`` or ``10 ** 10 ** 10`` would exhaust memory or CPU
        inside one C call, where no time limit can stop it.
        """

        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
            if op == "*":
                for seq, count in ((left, right), (right, left)):
                    size = _length(seq)
                    if size is not None and isinstance(count, int):
                        _check_size(size * max(count, 0))
            elif op == "**":
                if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                    if right * math.log2(abs(left)) > 100_000:
                        raise _LimitExceeded("a power too large to compute")
            elif op == "+":
                a, b = _length(left), _length(right)
                if a is not None and b is not None:
                    _check_size(a + b)
            elif op == "%" and isinstance(left, str) and _HUGE_FORMAT.search(left):
                raise _LimitExceeded("a format width or precision that is too large")
            return super().call_binop(context, op, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _guard_arguments(args, kwargs)
            bound = getattr(__obj, "__self__", None)
            for text in (bound, *args):
                if isinstance(text, str) and "{" in text and _HUGE_FORMAT.search(text):
                    raise _LimitExceeded("a format width or precision that is too large")
            result = super().call(__context, __obj, *args, **kwargs)
            size = _length(result)
            if size is not None:
                _check_size(size)
            return result

    return LimitedSandbox


def _contained_loader(folder: str) -> jinja2.BaseLoader:
    """A FileSystemLoader for a clinic's folder that refuses links out of it and odd files."""
    import jinja2
    from jinja2.loaders import split_template_path

    class ContainedLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Any]:
            candidate = os.path.join(folder, *split_template_path(template))
            if os.path.lexists(candidate):
                root = os.path.realpath(folder)
                target = os.path.realpath(candidate)
                if os.path.commonpath([root, target]) != root:
                    raise ReportError(
                        [
                            Problem(
                                SourceLocation(candidate),
                                "",
                                "the template is a symbolic link to a file outside the "
                                "template folder; copy the file into the folder instead",
                            )
                        ]
                    )
                try:
                    info = os.stat(target)
                except OSError as exc:
                    raise ReportError(
                        [Problem(SourceLocation(candidate), "", f"cannot read: {exc.strerror}")]
                    ) from None
                if not stat.S_ISREG(info.st_mode):
                    raise ReportError(
                        [
                            Problem(
                                SourceLocation(candidate), "", "a template must be a regular file"
                            )
                        ]
                    )
                if info.st_size > TEMPLATE_MAX_BYTES:
                    raise ReportError(
                        [
                            Problem(
                                SourceLocation(candidate),
                                "",
                                f"the template is larger than {TEMPLATE_MAX_BYTES:,} bytes",
                            )
                        ]
                    )
            return super().get_source(environment, template)

    return ContainedLoader(folder)


@functools.lru_cache(maxsize=16)
def _cached_environment(templates: str | None, html: bool) -> jinja2.Environment:
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        loaders.append(_contained_loader(templates))
    loaders.append(jinja2.FileSystemLoader(str(files("neuroseq.reports") / "templates")))
    env = _limited_sandbox()(
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
    env.filters.update({name: _guarded_filter(f) for name, f in env.filters.items()})
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
    """Render one template by name; template problems become a ReportError.

    Rendering is limited to :data:`TEMPLATE_SECONDS` and
    :data:`TEMPLATE_MAX_CHARS` characters (a clinic's template can loop for
    minutes or build gigabytes). A custom template that fails in any way is
    the template's problem, reported at its file and line.
    """
    import jinja2

    env = environment(templates, html=name.endswith(".html.j2"))
    try:
        with _deadline(TEMPLATE_SECONDS):
            return _render_limited(env.get_template(name), context)
    except ReportError:
        raise
    except jinja2.TemplateError as exc:
        where, line = _template_location(exc, name)
        raise ReportError(
            [Problem(SourceLocation(str(where), line), "", f"template error: {exc.message}")]
        ) from None
    except _LimitExceeded as exc:
        where, line = _template_location(exc, name)
        raise ReportError(
            [Problem(SourceLocation(str(where), line), "", f"template stopped: {exc}")]
        ) from None
    except MemoryError:
        raise ReportError(
            [Problem(SourceLocation(name), "", "template stopped: it needs too much memory")]
        ) from None
    except Exception as exc:
        # A clinic's own template can fail while rendering (1/0, a bad filter
        # argument, a template that includes itself, a file that is not UTF-8).
        # The bundled templates failing is a bug in neuroseq: let it show as one.
        if templates is None and not isinstance(
            exc, ArithmeticError | TypeError | ValueError | LookupError | RecursionError
        ):
            raise
        where, line = _template_location(exc, name)
        raise ReportError(
            [
                Problem(
                    SourceLocation(str(where), line),
                    "",
                    f"template failed while rendering: {type(exc).__name__} (an operation, "
                    "filter or test was given a value it cannot use)",
                )
            ]
        ) from None


def _render_limited(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """Render chunk by chunk, stopping past the size or time limit."""
    started = time.monotonic()
    chunks: list[str] = []
    size = 0
    stream = template.generate(**context)
    try:
        for chunk in stream:
            size += len(chunk)
            _check_size(size)
            if time.monotonic() - started > TEMPLATE_SECONDS:
                raise _LimitExceeded(f"rendering took longer than {TEMPLATE_SECONDS:g} seconds")
            chunks.append(chunk)
    finally:
        # Closed here, not by the garbage collector later: a template stopped
        # deep in a recursion would otherwise print "Exception ignored in ..."
        # with a traceback on the user's terminal.
        close = getattr(stream, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()
    return "".join(chunks)


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_LimitExceeded` in the main thread after ``seconds`` (Unix timers).

    A template loop that outputs nothing is never seen by the chunk checks of
    :func:`_render_limited`; an interval timer stops it. Elsewhere (threads,
    other platforms) the chunk checks alone apply.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _LimitExceeded(f"rendering took longer than {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    earlier = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *earlier)


def render_plan(
    result: PlanResult,
    fmt: str,
    *,
    templates: Path | None = None,
    color: bool = False,
    generated: datetime.date | None = None,
) -> str:
    """The plan in ``fmt``: json, text, md, html or fhir (a FHIR R4B Bundle, extra ``fhir``).

    ``generated`` is the date the Markdown and HTML reports print as generated
    (today when ``None``; tests and golden files pass a fixed date). JSON and
    text never carry it, so the plan contract stays byte-identical.
    """
    if fmt == "json":
        return plan_json_text(result)
    if fmt == "fhir":
        from neuroseq.fhir import require

        require("--format fhir")
        from neuroseq.fhir.export import bundle_json_text

        return bundle_json_text(result)
    if fmt == "text":
        from neuroseq.reports.plan_text import render_plan_text

        return render_plan_text(result, color=color)
    name = {"md": "plan.md.j2", "html": "plan.html.j2"}[fmt]
    from neuroseq.reports.context import plan_context

    return render_template(
        name, plan_context(result, result.norms, generated=generated), templates=templates
    )
