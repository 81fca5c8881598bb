"""``neuroseq batch`` and ``neuroseq rules impact``: many cases at once, thin over ``neuroseq.batch``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from neuroseq.cli import CASE_PATH, DATA_PATH, RULES_PATH, _echo, main, rules

__all__ = ["batch"]

BATCH_FORMATS = ("json", "md", "html", "fhir")


def _progress(total: int, label: str) -> Any:
    """A progress bar on a terminal (standard error); nothing otherwise."""
    if not sys.stderr.isatty() or total < 2:
        return None
    return click.progressbar(length=total, label=label, file=sys.stderr)


@main.command()
@click.argument("inputs", nargs=-1, type=CASE_PATH)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the plans, summary.csv and problems.txt to.",
)
@click.option(
    "--format", "fmt", type=click.Choice(BATCH_FORMATS), default="json", show_default=True
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes [default: the cores].")
@click.option(
    "--executor",
    type=click.Choice(("local", "dask")),
    default="local",
    show_default=True,
    help="local processes, or Dask distributed (pip install 'neuroseq[dask]').",
)
@click.option("--scheduler", metavar="ADDR", help="A Dask scheduler to use (with --executor dask).")
@click.option("--db", metavar="URL", help="Plan the case store's assessments instead of files.")
@click.option("--skip-existing", is_flag=True, help="Leave cases whose plan file exists (resume).")
@click.option("--rules", type=RULES_PATH, help="A rule folder instead of the bundled one.")
@click.option("--catalog", type=DATA_PATH, help="A catalogue file instead of the bundled one.")
@click.option("--norms", type=DATA_PATH, help="A norms file instead of the bundled one.")
def batch(
    inputs: tuple[Path, ...],
    output: Path,
    fmt: str,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    db: str | None,
    skip_existing: bool,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
) -> None:
    """Plan every case file in INPUT (files or folders, searched recursively).

    Writes one plan per case into OUTPUT (byte-identical to `neuroseq plan`),
    summary.csv and problems.txt. One bad file never stops the others. Exit
    status 0 when every case was planned, 1 when any was refused.
    """
    from neuroseq.batch import PlannerSetup, default_jobs, run_batch
    from neuroseq.batch.executors import executor_for

    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    if db is not None and inputs:
        raise click.UsageError("give case files or --db, not both")
    if db is None and not inputs:
        raise click.UsageError("give case files or folders (or --db URL for the case store)")
    if fmt == "fhir":
        from neuroseq.fhir import require

        require("--format fhir")  # before any worker starts: one message, not one per case
    setup = PlannerSetup(
        str(rules) if rules else None,
        str(catalog) if catalog else None,
        str(norms) if norms else None,
    )
    runner = executor_for(executor, jobs or default_jobs(), scheduler)
    try:
        if db is not None:
            from neuroseq.batch.stored import run_store_batch

            outcome = run_store_batch(db, output, fmt=fmt, setup=setup, executor=runner)
        else:
            from neuroseq.batch.inputs import case_files

            bar = _progress(len(case_files(list(inputs))), "planning")
            if bar is not None:
                with bar:
                    outcome = run_batch(
                        list(inputs),
                        output,
                        fmt=fmt,
                        setup=setup,
                        executor=runner,
                        skip_existing=skip_existing,
                        progress=lambda _row: bar.update(1),
                    )
            else:
                outcome = run_batch(
                    list(inputs),
                    output,
                    fmt=fmt,
                    setup=setup,
                    executor=runner,
                    skip_existing=skip_existing,
                )
    finally:
        runner.close()
    skipped = f", {outcome.skipped} skipped (plan already there)" if outcome.skipped else ""
    _echo(
        f"{outcome.planned} planned, {outcome.refused} refused{skipped}: plans, summary.csv and "
        f"problems.txt in {output}"
    )
    if outcome.refused:
        for row in outcome.rows:
            for problem in row.problems:
                _echo(problem, err=True)
        raise SystemExit(1)


IMPACT_FORMATS = ("text", "json", "md", "html")


@rules.command("impact")
@click.argument("candidate", type=RULES_PATH)
@click.argument("corpus", nargs=-1, type=CASE_PATH)
@click.option("--base", type=RULES_PATH, help="The rule folder to compare with [default: bundled].")
@click.option("--db", metavar="URL", help="The corpus is the case store's assessments.")
@click.option("--catalog", type=DATA_PATH, help="A catalogue file instead of the bundled one.")
@click.option("--norms", type=DATA_PATH, help="A norms file instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(IMPACT_FORMATS), default=None)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes [default: the cores].")
@click.option("--fail-on-change", is_flag=True, help="Exit with status 3 when any plan changes.")
def rules_impact(
    candidate: Path,
    corpus: tuple[Path, ...],
    base: Path | None,
    db: str | None,
    catalog: Path | None,
    norms: Path | None,
    fmt: str | None,
    output: Path | None,
    jobs: int | None,
    fail_on_change: bool,
) -> None:
    """What CANDIDATE (a rule folder) changes in the plans of CORPUS against the base rules.

    Every case is planned under both; the report says how many plans change,
    the rules that gain or lose decisions, the action changes per
    intervention, and a sample of changed cases with their diff. The candidate
    must pass `rules check` first. Exit status: 1 when a case is refused or the
    candidate has errors; 3 with --fail-on-change when any plan changes; else 0.
    """
    from neuroseq.batch import LocalExecutor, default_jobs
    from neuroseq.batch.impact import impact, render_impact
    from neuroseq.cli import _emit, _output_format

    fmt = _output_format(fmt, output, IMPACT_FORMATS)
    if db is not None and corpus:
        raise click.UsageError("give case files or --db, not both")
    if db is None and not corpus:
        raise click.UsageError("give the corpus: case files or folders (or --db URL)")
    runner = LocalExecutor(jobs or default_jobs())
    try:
        report = impact(
            candidate,
            list(corpus),
            base=base,
            catalog=catalog,
            norms=norms,
            db=db,
            executor=runner,
        )
    finally:
        runner.close()
    _emit(render_impact(report, fmt), output)
    if report.refused:
        raise SystemExit(1)
    if fail_on_change and report.changed:
        raise SystemExit(3)
