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
@click.option("--color/--no-color", default=None, help="Colour the text summary.")
def score(
    case: Path, fmt: str, output: Path | None, norms: Path | None, color: bool | None
) -> None:
    """Score CASE: the brain map against a typical same-age peer, CMR and risk."""
    from neuroseq.reports.score_text import render_score_text
    from neuroseq.scoring.loader import load_case
    from neuroseq.scoring.norms import load_norms
    from neuroseq.scoring.profile import profile_scores_json, score_case

    norms_data = load_norms(norms)
    profile = score_case(load_case(case), norms_data)
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


# --- schema -----------------------------------------------------------------


@main.command()
@click.argument("kind", type=click.Choice(["case"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of a file format (case)."""
    from neuroseq.scoring.case import Case

    models = {"case": Case}
    document = models[kind].model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["$id"] = f"neuroseq/{kind}/v1"
    click.echo(_json(document), nl=False)
