"""The ``neuroseq`` command line: parse arguments, call the stages, report errors.

Nothing else lives here. Every command calls library functions and hands
its text to :func:`_emit`; every :class:`~neuroseq.errors.NeuroseqError` is
turned into messages in one place (:class:`_Cli`). Exit status: 0 success,
1 bad data (every problem listed as ``file:line: field: message``), 2 usage.
No traceback is shown unless ``--debug`` is given.

Heavy modules (the rule engine, templates) are imported inside the commands
that need them, so ``neuroseq score`` starts quickly.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from neuroseq import __version__
from neuroseq.errors import NeuroseqError
from neuroseq.fileio import write_atomic
from neuroseq.jsontext import pretty_json

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.engine.workflow import PlanResult

__all__ = ["main"]

CASE_PATH = click.Path(dir_okay=True, path_type=Path)
DATA_PATH = click.Path(path_type=Path)
OUT_PATH = click.Path(dir_okay=False, writable=True, path_type=Path)


class _Cli(click.Group):
    """The root group: translates errors into messages and exit codes in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv[1:] or bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except NeuroseqError as exc:
            if debug:
                raise
            _report(exc, ctx.meta.get("neuroseq.nothing", "nothing was written"))
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("neuroseq: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if debug:
                raise
            if isinstance(exc, ImportError) and _durable_rules_unbuilt(exc):
                click.echo(_durable_rules_advice(), err=True)
                ctx.exit(1)
            click.echo(
                f"neuroseq: internal error ({type(exc).__name__}); this is a bug in neuroseq. "
                "Run again with --debug for details.",
                err=True,
            )
            ctx.exit(1)


def _durable_rules_unbuilt(exc: ImportError) -> bool:
    """True when the rule engine's C extension was built without the Python 3.13 fix."""
    text = str(exc)
    return "PyEval_CallObject" in text or (
        "undefined symbol" in text and "durable" in f"{exc.name or ''} {exc.path or ''} {text}"
    )


def _durable_rules_advice() -> str:
    """What to do when durable-rules was built without the fix (DESIGN.md, durable_rules)."""
    pip = f"{sys.executable} -m pip"
    return (
        "neuroseq: the rule engine (durable-rules 2.0.28) is installed but cannot load: it was "
        "built without the fix Python 3.13 needs (undefined symbol PyEval_CallObject).\n"
        "Rebuild it with the fix, bypassing pip's cache of the broken build:\n"
        f"  {pip} cache remove durable_rules\n"
        f"  CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject {pip} install --no-cache-dir "
        "--force-reinstall --no-deps durable-rules==2.0.28"
    )


_UNPRINTABLE = re.compile("\x1b\\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """Text safe for a terminal: control characters and bidi controls shown as escapes.

    The colour codes neuroseq itself writes (SGR, ``ESC[...m``) stay; every
    other control character (one that could move the cursor, retitle the
    window or reorder the text on screen) is shown as ``\\xNN`` or ``\\uNNNN``.
    """

    def shown(found: re.Match[str]) -> str:
        text = found.group()
        if len(text) > 1:
            return text
        code = ord(text)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(shown, text)


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    click.echo(_printable(text), err=err, nl=nl)


def _report(exc: NeuroseqError, nothing: str = "nothing was written") -> None:
    count = len(exc.problems)
    for problem in exc.problems:
        _echo(str(problem), err=True)
    noun = "problem" if count == 1 else "problems"
    click.echo(f"neuroseq: {count} {noun} in the {exc.stage}; {nothing}.", err=True)


def _not_an_input(output: Path | None, *inputs: Path | None) -> None:
    """Refuse an ``-o`` that names one of the command's own input files (exit 2)."""
    if output is None:
        return
    for given in inputs:
        if given is not None and str(given) != "-" and _same_file(given, output):
            raise click.UsageError(
                f"-o {output.name} is one of the input files; write the output to another file"
            )


def _emit(text: str, output: Path | None) -> None:
    """Write to ``output`` atomically, or to standard output."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        _echo(text, nl=False)
    else:
        write_atomic(output, text)


def _use_color(color: bool | None, output: Path | None) -> bool:
    if color is not None:
        return color
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _json(value: Any) -> str:
    return pretty_json(value)


# --- output formats and standard input ------------------------------------------

#: The format each output file suffix stands for.
SUFFIX_FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".csv": "csv",
    ".txt": "text",
    ".fhir.json": "fhir",
}


def _output_format(fmt: str | None, output: Path | None, allowed: Sequence[str]) -> str:
    """The format to write: ``--format``, else the ``-o`` suffix, else the first of ``allowed``.

    Never a guess: a suffix that names another format than ``--format`` gives, a
    suffix that names no format, and a format the command cannot write are usage
    errors (exit 2).
    """
    suffix = output.suffix.lower() if output is not None else ""
    if output is not None and output.name.lower().endswith(".fhir.json"):
        suffix = ".fhir.json"
    implied = SUFFIX_FORMATS.get(suffix)
    if fmt == "fhir" and implied == "json":
        implied = "fhir"  # a FHIR Bundle is JSON: --format fhir may name any .json file
    if output is not None and fmt is not None and implied is not None and implied != fmt:
        raise click.UsageError(
            f"--format {fmt} contradicts the output file {output.name} (a {suffix} file is "
            f"{implied}); give one of them, or make them agree"
        )
    if fmt is not None:
        return fmt
    if output is not None and suffix and implied is None:
        raise click.UsageError(
            f"cannot tell the format from {output.name}: name the file "
            f"{_suffixes(allowed)}, or give --format ({', '.join(allowed)})"
        )
    if implied is not None and implied not in allowed:
        raise click.UsageError(
            f"this command does not write {implied} ({output.name if output else ''}); "
            f"it writes {', '.join(allowed)}: name the file {_suffixes(allowed)}"
        )
    return implied or allowed[0]


def _suffixes(formats: Sequence[str]) -> str:
    names = [next(s for s, f in SUFFIX_FORMATS.items() if f == fmt) for fmt in formats]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


STDIN = Path("-")
STDIN_NAME = "<stdin>"


@contextlib.contextmanager
def _stdin_case(paths: Sequence[Path | None]) -> Iterator[list[Path | None]]:
    """The case paths with ``-`` replaced by a temporary file holding standard input.

    At most one path may be ``-``. The file lives in a private temporary folder
    for the length of the command; problems found in it are reported as
    ``<stdin>:line``, never under the temporary name.
    """
    if sum(1 for path in paths if path == STDIN) > 1:
        raise click.UsageError("standard input (-) can give only one case")
    if STDIN not in paths:
        yield list(paths)
        return
    stream = sys.stdin
    if stream.isatty():
        raise click.UsageError(
            "- reads a case from standard input, but nothing is piped in "
            "(e.g. neuroseq score - < case.yaml)"
        )
    text = stream.read()
    with tempfile.TemporaryDirectory(prefix="neuroseq-") as folder:
        # JSON is given its own suffix: YAML refuses the tabs JSON may be indented with.
        name = "stdin.json" if text.lstrip().startswith(("{", "[")) else "stdin.yaml"
        temporary = Path(folder) / name
        temporary.write_text(text, encoding="utf-8")
        try:
            yield [temporary if path == STDIN else path for path in paths]
        except NeuroseqError as exc:
            raise _renamed(exc, str(temporary), STDIN_NAME) from None


def _renamed(exc: NeuroseqError, old: str, new: str) -> NeuroseqError:
    from dataclasses import replace

    problems = [
        replace(p, location=replace(p.location, path=new)) if p.location.path == old else p
        for p in exc.problems
    ]
    return type(exc)(problems)


def _check_previous(case: Path, previous: Path | None) -> None:
    """Refuse a ``--previous`` that is the case itself or not an earlier assessment (exit 1).

    Files that do not load are left to the planner, which reports every problem.
    """
    if previous is None:
        return
    from neuroseq.errors import CaseError, Problem, SourceLocation
    from neuroseq.scoring.case import earlier_assessment_problem
    from neuroseq.scoring.loader import load_case

    if _same_file(case, previous):
        raise CaseError(
            [
                Problem(
                    SourceLocation(str(previous)),
                    "",
                    f"--previous names the case file itself ({case}); give an earlier "
                    "assessment of the same client",
                )
            ]
        )
    try:
        later, earlier = load_case(case), load_case(previous)
    except NeuroseqError:
        return
    problem = earlier_assessment_problem(earlier, later)
    if problem is not None:
        field, message = problem
        raise CaseError([Problem(SourceLocation(str(previous)), field, message)])


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="neuroseq")
@click.option("--debug", is_flag=True, help="Show tracebacks (for developers).")
def main(debug: bool) -> None:
    """neuroseq: sequenced, explained treatment plans from a structured assessment.

    An independent implementation of published neurosequential ideas; not the
    official NMT™ Metric. Decision support only: the clinician decides.
    """


# --- score ------------------------------------------------------------------


_FORMAT_HELP = "Output format [default: from the -o suffix, else {default}]."
_OUTPUT_HELP = "Write here instead of standard output; the suffix sets the format."
SCORE_FORMATS = ("text", "json", "csv", "md", "html")


@main.command()
@click.argument("case", type=CASE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SCORE_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="text"),
)
@click.option("-o", "--output", type=OUT_PATH, help=_OUTPUT_HELP)
@click.option("--norms", type=DATA_PATH, help="A norms file to use instead of the bundled one.")
@click.option("--catalog", type=DATA_PATH, help="The catalogue the case's service ids must name.")
@click.option("--color/--no-color", default=None, help="Colour the text summary.")
def score(
    case: Path,
    fmt: str,
    output: Path | None,
    norms: Path | None,
    catalog: Path | None,
    color: bool | None,
) -> None:
    """Score CASE: the brain map against a typical same-age peer, CMR and risk.

    CASE - reads the case from standard input.
    """
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.reports.score_text import render_score_text
    from neuroseq.scoring.loader import load_case
    from neuroseq.scoring.norms import load_norms
    from neuroseq.scoring.profile import score_case, scores_document

    fmt = _output_format(fmt, output, SCORE_FORMATS)
    _not_an_input(output, case)
    norms_data = load_norms(norms)
    ids = {item.id: str(item.name) for item in load_catalog(catalog).interventions}
    with _stdin_case([case]) as (path,):
        assert path is not None
        profile = score_case(load_case(path, catalog_ids=ids), norms_data)
    if fmt == "json":
        text = _json(scores_document(profile))
    elif fmt == "text":
        text = render_score_text(profile, color=_use_color(color, output))
    else:
        from neuroseq.reports.score_table import render_score_table

        text = render_score_table(profile, fmt, norms_data)
    _emit(text, output)


# --- plan -------------------------------------------------------------------

RULES_PATH = click.Path(file_okay=False, path_type=Path)

_PLANNING_INPUTS = (
    click.option("--rules", type=RULES_PATH, help="A rule folder instead of the bundled one."),
    click.option("--catalog", type=DATA_PATH, help="A catalogue file instead of the bundled one."),
    click.option("--norms", type=DATA_PATH, help="A norms file instead of the bundled one."),
    click.option("--previous", type=CASE_PATH, help="An earlier assessment of the same client."),
    click.option(
        "--caregiver",
        type=DATA_PATH,
        help="A caregiver file: its caregiving reserve becomes a fact the family rules use.",
    ),
    click.option(
        "--caregiver-weights",
        type=DATA_PATH,
        help="Caregiver estimator weights instead of the bundled project defaults.",
    ),
)


def _planning_inputs(command: Any) -> Any:
    """The options that decide a plan, shared by `plan` and `explain` so they cannot drift."""
    for option in reversed(_PLANNING_INPUTS):
        command = option(command)
    return command


def _weights_with_caregiver(weights: Path | None, caregiver: Path | None) -> Path | None:
    if weights is not None and caregiver is None:
        raise click.UsageError("--caregiver-weights needs --caregiver")
    return weights


PLAN_FORMATS = ("text", "json", "md", "html", "fhir")


@main.command()
@click.argument("case", type=CASE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PLAN_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="text"),
)
@click.option("-o", "--output", type=OUT_PATH, help=_OUTPUT_HELP)
@_planning_inputs
@click.option("--templates", type=RULES_PATH, help="A folder of report templates (md, html).")
@click.option("--color/--no-color", default=None, help="Colour the text view.")
def plan(
    case: Path,
    fmt: str,
    output: Path | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    previous: Path | None,
    templates: Path | None,
    caregiver: Path | None,
    caregiver_weights: Path | None,
    color: bool | None,
) -> None:
    """Plan CASE: sequenced, explained recommendations (web, family, client).

    CASE - reads the case from standard input.
    """
    from neuroseq.api import render

    fmt = _output_format(fmt, output, PLAN_FORMATS)
    _not_an_input(output, case, previous, caregiver, caregiver_weights)
    _planner, result = _planned(case, previous, rules, catalog, norms, caregiver, caregiver_weights)
    text = render(result, fmt, templates=templates, color=_use_color(color, output))
    _emit(text, output)


EXPLAIN_FORMATS = ("text", "json")


def _planned(
    case: Path,
    previous: Path | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    caregiver: Path | None,
    caregiver_weights: Path | None,
) -> tuple[Planner, PlanResult]:
    """Load the planner and plan CASE (``-`` reads standard input), as plan and explain do."""
    from neuroseq.api import Planner, plan_files

    weights = _weights_with_caregiver(caregiver_weights, caregiver)
    with _stdin_case([case, previous]) as (path, earlier):
        assert path is not None
        _check_previous(path, earlier)
        planner = Planner.load(rules, catalog, norms)
        result = plan_files(
            path, planner=planner, previous=earlier, caregiver=caregiver, caregiver_weights=weights
        )
    return planner, result


@main.command()
@click.argument("case", type=CASE_PATH)
@click.option(
    "--rule", "rule_id", help="Explain one rule: why it fired, or which condition failed."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPLAIN_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="text"),
)
@_planning_inputs
@click.option("-o", "--output", type=OUT_PATH, help=_OUTPUT_HELP)
def explain(
    case: Path,
    rule_id: str | None,
    fmt: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    previous: Path | None,
    caregiver: Path | None,
    caregiver_weights: Path | None,
    output: Path | None,
) -> None:
    """The fidelity reviewer's view: every recommendation with its full trace.

    CASE - reads the case from standard input.
    """
    from neuroseq.engine.explain import explain_json, explain_plan, explain_rule

    fmt = _output_format(fmt, output, EXPLAIN_FORMATS)
    _not_an_input(output, case, previous, caregiver, caregiver_weights)
    planner, result = _planned(case, previous, rules, catalog, norms, caregiver, caregiver_weights)
    if fmt == "json":
        text = _json(explain_json(result, planner.engine, rule_id))
    elif rule_id:
        text = explain_rule(result, planner.engine, rule_id)
    else:
        text = explain_plan(result)
    _emit(text, output)


# --- cce ------------------------------------------------------------------------


CCE_FORMATS = ("text", "json", "md", "html")


@main.command()
@click.argument("file", type=CASE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CCE_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="text"),
)
@click.option("-o", "--output", type=OUT_PATH, help=_OUTPUT_HELP)
@click.option(
    "--weights", type=DATA_PATH, help="Estimator weights instead of the bundled project defaults."
)
@click.option(
    "--rules", type=RULES_PATH, help="A caregiver rule folder instead of the bundled one."
)
@click.option("--catalog", type=DATA_PATH, help="A catalogue file instead of the bundled one.")
@click.option("--norms", type=DATA_PATH, help="A norms file instead of the bundled one.")
def cce(
    file: Path,
    fmt: str,
    output: Path | None,
    weights: Path | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
) -> None:
    """Caregiver Challenge Estimator: the caregiving reserve of the home in FILE.

    Weighs the challenge of the children and household against the
    caregiver's internal and external resources (weights: project defaults),
    and recommends support from the caregiver rule base.
    """
    from neuroseq.engine.caregiver_workflow import estimate_caregiver
    from neuroseq.reports.cce_render import render_cce

    fmt = _output_format(fmt, output, CCE_FORMATS)
    _not_an_input(output, file, weights)
    result = estimate_caregiver(file, weights=weights, rules=rules, catalog=catalog, norms=norms)
    _emit(render_cce(result, fmt), output)


# --- rules ------------------------------------------------------------------


@main.group()
def rules() -> None:
    """Check and test rule files."""


@rules.command("check")
@click.option("--rules", "folder", type=RULES_PATH, help="The rule folder (default: bundled).")
@click.option("--catalog", type=DATA_PATH, help="The catalogue (default: bundled).")
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="CODE",
    help="Hide warnings of this code (repeatable), e.g. --ignore NS203.",
)
def rules_check(folder: Path | None, catalog: Path | None, ignore: tuple[str, ...]) -> None:
    """Report every problem in a rule folder, with file:line, severity and code."""
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.engine.findings import KINDS, render_findings
    from neuroseq.engine.rulebase import check_rulebase, load_rulebase

    for code in ignore:
        if code not in KINDS:
            raise click.BadParameter(
                f"no finding has the code {code!r}; codes: {', '.join(KINDS)}",
                param_hint="--ignore",
            )
        if KINDS[code].severity == "error":
            raise click.BadParameter(
                f"{code} is an error, and errors cannot be ignored: planning refuses them",
                param_hint="--ignore",
            )
    loaded = load_catalog(catalog)
    base, problems = load_rulebase(folder)
    compilation, findings = check_rulebase(base, problems, loaded, catalog)
    for line in render_findings(findings, ignore):
        _echo(line)
    errors = sum(1 for f in findings if f.severity == "error")
    hidden = sum(1 for f in findings if f.code in ignore)
    warnings = len(findings) - errors - hidden
    click.echo(
        f"{len(base.rules)} rules, {len(compilation.rules)} engine rules: "
        f"{errors} error(s), {warnings} warning(s)" + (f", {hidden} ignored" if hidden else "")
    )
    if errors:
        raise SystemExit(1)


@rules.command("test")
@click.option("--rules", "folder", type=RULES_PATH, help="The rule folder (default: bundled).")
@click.option("--catalog", type=DATA_PATH, help="The catalogue (default: bundled).")
def rules_test(folder: Path | None, catalog: Path | None) -> None:
    """Run the given/expect tests stored beside the rule files."""
    from neuroseq.engine.planner import Planner
    from neuroseq.engine.rule_tests import load_rule_tests, run_all
    from neuroseq.engine.rulebase import bundled_rules_folder
    from neuroseq.errors import RuleError

    planner = Planner.load(folder, catalog)
    tests, problems = load_rule_tests((folder or bundled_rules_folder()) / "tests")
    if problems:
        raise RuleError(problems)
    results = run_all(planner, tests)
    failed = [r for r in results if not r.passed]
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        _echo(f"{mark} {result.test.path}:{result.test.line}: {result.test.name}")
        for failure in result.failures:
            _echo(f"       {failure}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or not results:
        raise SystemExit(1)


# --- catalog ----------------------------------------------------------------


@main.group()
def catalog() -> None:
    """Look at the intervention catalogue."""


@catalog.command("list")
@click.option("--catalog", "path", type=DATA_PATH, help="A catalogue file (default: bundled).")
def catalog_list(path: Path | None) -> None:
    """List every intervention, grouped by audience and phase."""
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.catalog.show import render_catalog_list

    _emit(render_catalog_list(load_catalog(path)), None)


@catalog.command("show")
@click.argument("intervention")
@click.option("--catalog", "path", type=DATA_PATH, help="A catalogue file (default: bundled).")
def catalog_show(intervention: str, path: Path | None) -> None:
    """Show one intervention in full."""
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.catalog.show import render_intervention

    _emit(render_intervention(load_catalog(path).get(intervention)), None)


# --- compare ----------------------------------------------------------------


COMPARE_FORMATS = ("md", "html", "json", "text")


@main.command()
@click.argument("cases", nargs=-1, required=True, type=CASE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(COMPARE_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="md"),
)
@click.option("-o", "--output", type=OUT_PATH, help=_OUTPUT_HELP)
@click.option("--rules", type=RULES_PATH, help="A rule folder to use instead of the bundled one.")
@click.option("--catalog", type=DATA_PATH, help="A catalogue file instead of the bundled one.")
@click.option("--norms", type=DATA_PATH, help="A norms file instead of the bundled one.")
@click.option("--templates", type=RULES_PATH, help="A folder of report templates (md, html).")
def compare(
    cases: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    templates: Path | None,
) -> None:
    """Compare assessments of one client over time (item by item, CMR, plan changes).

    One of CASES may be -, read from standard input.
    """
    from neuroseq.reports.compare import compare_cases, render_comparison

    fmt = _output_format(fmt, output, COMPARE_FORMATS)
    _not_an_input(output, *cases)
    with _stdin_case(list(cases)) as paths:
        comparison = compare_cases(
            [path for path in paths if path is not None], rules=rules, catalog=catalog, norms=norms
        )
        if fmt == "text":
            from neuroseq.reports.compare_text import render_comparison_text

            text = render_comparison_text(comparison)
        else:
            text = render_comparison(comparison, fmt, templates=templates)
        for given, path in zip(cases, paths, strict=True):
            if given == STDIN and path is not None:
                text = text.replace(str(path), STDIN_NAME)
    _emit(text, output)


# --- schema -----------------------------------------------------------------


SCHEMA_KINDS = (
    "case",
    "plan",
    "catalog",
    "caregiver",
    "scores",
    "compare",
    "cce",
    "norms",
    "weights",
)


@main.command()
@click.argument("kind", type=click.Choice(SCHEMA_KINDS))
def schema(kind: str) -> None:
    """Print the JSON Schema of a file format.

    Inputs: case, caregiver, catalog, norms, weights (caregiver estimator
    weights). Outputs: plan, scores, compare, cce.
    """
    from pydantic import BaseModel

    from neuroseq.catalog.model import Catalog
    from neuroseq.engine.plan_model import Plan
    from neuroseq.reports.schemas import output_models
    from neuroseq.scoring.caregiver import CaregiverFile
    from neuroseq.scoring.caregiver_weights import CaregiverWeights
    from neuroseq.scoring.case import Case
    from neuroseq.scoring.norms import Norms

    models: dict[str, type[BaseModel]] = {
        "case": Case,
        "plan": Plan,
        "catalog": Catalog,
        "caregiver": CaregiverFile,
        "norms": Norms,
        "weights": CaregiverWeights,
        **output_models(),
    }
    document = models[kind].model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["$id"] = {"weights": "neuroseq/caregiver-weights/v1"}.get(kind, f"neuroseq/{kind}/v1")
    click.echo(_json(document), nl=False)


# --- items (the scoring guide) -------------------------------------------------


@main.command()
@click.argument("item", required=False)
def items(item: str | None) -> None:
    """The scoring guide: how to rate each of the 32 functions, the history and Part D.

    Without ITEM: the scale and one line per item. ITEM is an item id or
    number (e.g. sleep or 8), history (Parts A and B), relational_health
    (Part D) or vocabularies (sensitivities and medication classes).
    """
    from neuroseq.reports.guide_text import (
        render_guide_index,
        render_topic,
        resolve_topic,
        suggestions,
    )

    if item is None:
        _emit(render_guide_index(), None)
        return
    topic = resolve_topic(item)
    if topic is None:
        close = suggestions(item)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise click.BadParameter(
            f"'{item}' is not an item id, an item number 1-32, history, relational_health "
            f"or vocabularies{hint} (neuroseq items lists the ids)",
            param_hint="ITEM",
        )
    _emit(render_topic(topic), None)


# --- examples -------------------------------------------------------------------


@main.command()
@click.argument("name", required=False)
@click.option("-o", "--output", type=OUT_PATH, help="Copy the example here (e.g. my-case.yaml).")
def examples(name: str | None, output: Path | None) -> None:
    """The bundled example files: list them, or print (or copy) one.

    Without NAME: one line per example. With NAME (e.g. blank): the file as
    shipped, to standard output or to -o FILE, ready to edit.
    """
    from neuroseq.examples import bundled_examples, example_named

    if name is None:
        if output is not None:
            raise click.UsageError("-o needs an example NAME (neuroseq examples lists them)")
        found = bundled_examples()
        width = max(len(example.name) for example in found) + 2
        lines = [f"{example.name:<{width}}{example.description}" for example in found]
        lines += ["", "neuroseq examples NAME prints one; -o FILE copies it to edit."]
        _emit("\n".join(lines), None)
        return
    example = example_named(name)
    if example is None:
        names = ", ".join(example.name for example in bundled_examples())
        raise click.BadParameter(
            f"no example called '{name}'; there are: {names}", param_hint="NAME"
        )
    if output is not None and output.exists():
        raise click.UsageError(
            f"{output.name} already exists; copy the example to a new file so nothing is overwritten"
        )
    _emit(example.text(), output)


# The case store's, batch, FHIR and web app commands live in their own
# modules; importing them adds them to `main`.
from neuroseq import cli_batch, cli_fhir, cli_store, cli_web  # noqa: E402,F401
