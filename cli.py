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

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from neuroseq import __version__
from neuroseq.errors import NeuroseqError
from neuroseq.fileio import write_atomic

__all__ = ["main"]

STATEMENT = (
    "neuroseq is an independent implementation of published ideas, not the official "
    "NMT(TM) Metric; it supports, never replaces, clinical judgement."
)

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
            _report(exc)
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
            click.echo(
                f"neuroseq: internal error ({type(exc).__name__}); this is a bug in neuroseq. "
                "Run again with --debug for details.",
                err=True,
            )
            ctx.exit(1)


def _report(exc: NeuroseqError) -> None:
    count = len(exc.problems)
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    noun = "problem" if count == 1 else "problems"
    click.echo(f"neuroseq: {count} {noun} in the {exc.stage}; nothing was written.", err=True)


def _emit(text: str, output: Path | None) -> None:
    """Write to ``output`` atomically, or to standard output."""
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


def _use_color(color: bool | None, output: Path | None) -> bool:
    if color is not None:
        return color
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="neuroseq")
@click.option("--debug", is_flag=True, help="Show tracebacks (for developers).")
def main(debug: bool) -> None:
    """neuroseq: sequenced, explained treatment plans from a structured assessment.

    An independent implementation of published neurosequential ideas; not the
    official NMT(TM) Metric. Decision support only: the clinician decides.
    """


# --- score ------------------------------------------------------------------


@main.command()
@click.argument("case", type=CASE_PATH)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
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
    """Score CASE: the brain map against a typical same-age peer, CMR and risk."""
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.reports.score_text import render_score_text
    from neuroseq.scoring.loader import load_case
    from neuroseq.scoring.norms import load_norms
    from neuroseq.scoring.profile import profile_scores_json, score_case

    norms_data = load_norms(norms)
    ids = set(load_catalog(catalog).ids)
    profile = score_case(load_case(case, catalog_ids=ids), norms_data)
    if fmt == "json":
        text = _json(
            {
                "schema": "neuroseq/scores/v1",
                "client_id": profile.client_id,
                "metric": profile.metric,
                "scores": profile_scores_json(profile),
            }
        )
    else:
        text = render_score_text(profile, color=_use_color(color, output))
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


@main.command()
@click.argument("case", type=CASE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "md", "html"]),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
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
    """Plan CASE: sequenced, explained recommendations (web, family, client)."""
    from neuroseq.engine.workflow import plan_case
    from neuroseq.reports.render import render_plan

    result = plan_case(
        case,
        rules=rules,
        catalog=catalog,
        norms=norms,
        previous=previous,
        caregiver=caregiver,
        caregiver_weights=_weights_with_caregiver(caregiver_weights, caregiver),
    )
    text = render_plan(result, fmt, templates=templates, color=_use_color(color, output))
    _emit(text, output)


@main.command()
@click.argument("case", type=CASE_PATH)
@click.option(
    "--rule", "rule_id", help="Explain one rule: why it fired, or which condition failed."
)
@_planning_inputs
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
def explain(
    case: Path,
    rule_id: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    previous: Path | None,
    caregiver: Path | None,
    caregiver_weights: Path | None,
    output: Path | None,
) -> None:
    """The fidelity reviewer's view: every recommendation with its full trace."""
    from neuroseq.engine.explain import explain_plan, explain_rule
    from neuroseq.engine.workflow import plan_case

    result = plan_case(
        case,
        rules=rules,
        catalog=catalog,
        norms=norms,
        previous=previous,
        caregiver=caregiver,
        caregiver_weights=_weights_with_caregiver(caregiver_weights, caregiver),
    )
    text = explain_rule(result, rule_id) if rule_id else explain_plan(result)
    _emit(text, output)


# --- cce ------------------------------------------------------------------------


@main.command()
@click.argument("file", type=CASE_PATH)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md", "html"]),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
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
        click.echo(line)
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
        click.echo(f"{mark} {result.test.path}:{result.test.line}: {result.test.name}")
        for failure in result.failures:
            click.echo(f"       {failure}")
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


@main.command()
@click.argument("cases", nargs=-1, required=True, type=CASE_PATH)
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True
)
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
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
    """Compare assessments of one client over time (item by item, CMR, plan changes)."""
    from neuroseq.reports.compare import compare as compare_assessments

    text = compare_assessments(
        cases, fmt, rules=rules, catalog=catalog, norms=norms, templates=templates
    )
    _emit(text, output)


# --- schema -----------------------------------------------------------------


@main.command()
@click.argument("kind", type=click.Choice(["case", "plan", "catalog", "caregiver"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of a file format (case, plan, catalog, caregiver)."""
    from pydantic import BaseModel

    from neuroseq.catalog.model import Catalog
    from neuroseq.engine.plan_model import Plan
    from neuroseq.scoring.caregiver import CaregiverFile
    from neuroseq.scoring.case import Case

    models: dict[str, type[BaseModel]] = {
        "case": Case,
        "plan": Plan,
        "catalog": Catalog,
        "caregiver": CaregiverFile,
    }
    document = models[kind].model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["$id"] = f"neuroseq/{kind}/v1"
    click.echo(_json(document), nl=False)
