"""The case store's commands: ``neuroseq store ...``, ``neuroseq fidelity``, ``neuroseq decide``.

Thin, like the rest of the command line: each command opens the store
(:mod:`neuroseq.store`), calls one of its functions and prints the result.
The database is ``--db URL``, else ``NEUROSEQ_DB``, else the SQLite file in
the user's data directory (``neuroseq store where`` prints it). Errors are
reported by the root group (:mod:`neuroseq.cli`) as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from neuroseq.cli import (
    _FORMAT_HELP,
    CASE_PATH,
    DATA_PATH,
    OUT_PATH,
    PLAN_FORMATS,
    RULES_PATH,
    _echo,
    _emit,
    _json,
    _output_format,
    _use_color,
    main,
)
from neuroseq.vocabulary import FIDELITY_STATUSES, OVERRIDE_REASONS

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.store import CaseStore

__all__ = ["store"]

_DB_HELP = "The store's database URL [default: $NEUROSEQ_DB, else the file `store where` prints]."


def _db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "db", metavar="URL", help=_DB_HELP)(command)


def _planner_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        (
            click.option(
                "--rules", type=RULES_PATH, help="A rule folder instead of the bundled one."
            ),
            click.option(
                "--catalog", type=DATA_PATH, help="A catalogue file instead of the bundled one."
            ),
            click.option(
                "--norms", type=DATA_PATH, help="A norms file instead of the bundled one."
            ),
        )
    ):
        command = option(command)
    return command


def _open(db: str | None) -> CaseStore:
    from neuroseq.store import CaseStore

    click.get_current_context().meta["neuroseq.nothing"] = "nothing was stored"
    return CaseStore.open(db)


def _planner(rules: Path | None, catalog: Path | None, norms: Path | None) -> Planner:
    from neuroseq.api import Planner

    return Planner.load(rules, catalog, norms)


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    import datetime

    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter("give the date as YYYY-MM-DD", param_hint="--assessment") from None


@main.group()
def store() -> None:
    """The case store: each client's assessments, plans, fidelity and decisions over time.

    SQLite by default; PostgreSQL by URL (pip install 'neuroseq[postgres]').
    """
    click.get_current_context().meta["neuroseq.nothing"] = "nothing was stored"


@store.command("where")
@_db_option
def store_where(db: str | None) -> None:
    """Print the database the store commands use (the password hidden)."""
    from neuroseq.store.location import resolve_url, shown_url

    _echo(shown_url(resolve_url(db)))


@store.command("init")
@_db_option
@click.option("--by", "by", metavar="NAME", help="Who is acting (for the audit log).")
def store_init(db: str | None, by: str | None) -> None:
    """Create the store, or migrate one made by an older neuroseq to this version."""
    with _open(db) as opened:
        before, after = opened.init(actor=by)
        if before == after:
            _echo(f"store at {opened.where}: schema {after}, up to date")
        else:
            _echo(f"store at {opened.where}: schema {before or 'empty'} -> {after}")


@store.command("add")
@click.argument("cases", nargs=-1, required=True, type=CASE_PATH)
@_db_option
@_planner_options
@click.option(
    "--replace",
    is_flag=True,
    help="Store a changed assessment of a client and date as a new version (the old one is kept).",
)
@click.option("--by", "by", metavar="NAME", help="Who is acting (for the audit log).")
def store_add(
    cases: tuple[Path, ...],
    db: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    replace: bool,
    by: str | None,
) -> None:
    """Validate and store each CASE, planned against the client's stored history.

    Every file is checked first: if any is wrong, every problem is listed and
    nothing is stored. Then each is stored in date order, one transaction each.
    """
    if any(str(path) == "-" for path in cases):
        raise click.UsageError(
            "store add keeps the case file it stores by name: save the case to a file first"
        )
    planner = _planner(rules, catalog, norms)
    with _open(db) as opened:

        def shown(added: Any) -> None:
            if added.outcome == "unchanged":
                _echo(
                    f"unchanged {added.client} {added.date}: already stored with the same "
                    f"content ({added.source})"
                )
                return
            verb = "replaced" if added.outcome == "replaced" else "stored"
            follows = f", follows {added.previous_date}" if added.previous_date else ""
            version = f" as version {added.version}" if added.version > 1 else ""
            _echo(
                f"{verb} {added.client} {added.date}{version}: plan of {added.items} items{follows}"
            )
            if added.later_dates:
                _echo(
                    f"  note: {added.client} has later assessments ({', '.join(added.later_dates)}) "
                    "planned without this one; `neuroseq store verify` shows what it would change"
                )

        opened.add_files(list(cases), planner, replace=replace, actor=by, progress=shown)


@store.command("list")
@_db_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
def store_list(db: str | None, fmt: str) -> None:
    """The clients in the store and the dates of their assessments."""
    with _open(db) as opened:
        clients = opened.clients()
    if fmt == "json":
        _emit(
            _json(
                {
                    "schema": "neuroseq/store-list/v1",
                    "clients": [
                        {
                            "client": c.client,
                            "assessments": [
                                {"date": d, "metric": m}
                                for d, m in zip(c.dates, c.metrics, strict=True)
                            ],
                        }
                        for c in clients
                    ],
                }
            ),
            None,
        )
        return
    if not clients:
        _echo("the store holds no clients yet (neuroseq store add CASE...)")
        return
    width = max(len(c.client) for c in clients) + 2
    for c in clients:
        dates = ", ".join(f"{d} ({m})" for d, m in zip(c.dates, c.metrics, strict=True))
        _echo(f"{c.client:<{width}}{dates}")


SHOW_FORMATS = ("text", "json", "html")


@store.command("show")
@click.argument("client")
@_db_option
@_planner_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SHOW_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="text"),
)
@click.option("-o", "--output", type=OUT_PATH, help="Write here instead of standard output.")
def store_show(
    client: str,
    db: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """CLIENT's timeline: assessments, CMR, developmental ages, plans, fidelity, decisions.

    HTML is the comparison report over all the client's assessments.
    """
    from neuroseq.store.timeline import timeline_json, timeline_text

    fmt = _output_format(fmt, output, SHOW_FORMATS)
    with _open(db) as opened:
        if fmt == "html":
            from neuroseq.store.reports import client_report

            _emit(client_report(opened, client, _planner(rules, catalog, norms)), output)
            return
        data = timeline_json(client, opened.history(client, all_versions=True))
    _emit(_json(data) if fmt == "json" else timeline_text(data), output)


@store.command("plan")
@click.argument("client")
@_db_option
@_planner_options
@click.option("--assessment", "date", metavar="DATE", help="The assessment date [default: latest].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PLAN_FORMATS),
    default=None,
    help=_FORMAT_HELP.format(default="text"),
)
@click.option("-o", "--output", type=OUT_PATH, help="Write here; the suffix sets the format.")
@click.option("--color/--no-color", default=None, help="Colour the text view.")
def store_plan(
    client: str,
    db: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    date: str | None,
    fmt: str | None,
    output: Path | None,
    color: bool | None,
) -> None:
    """The stored plan of CLIENT's latest assessment (or the one on --assessment DATE).

    The JSON is the plan exactly as stored; the other formats render it.
    """
    from neuroseq.api import render

    fmt = _output_format(fmt, output, PLAN_FORMATS)
    with _open(db) as opened:
        planner = _planner(rules, catalog, norms)
        stored, result = opened.plan_result(client, planner, _date(date))
    if fmt == "json":
        _emit(stored.plan_json, output)
    else:
        _emit(render(result, fmt, color=_use_color(color, output)), output)


@store.command("export")
@click.argument("client", required=False)
@_db_option
@click.option(
    "-o",
    "--output",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) folder to write the export to.",
)
def store_export(client: str | None, db: str | None, folder: Path) -> None:
    """Write the store (or CLIENT) to a folder: case files, plans, fidelity and decisions."""
    from neuroseq.store.transfer import export_store

    with _open(db) as opened:
        count = export_store(opened, folder, client)
    _echo(f"exported {count} assessments to {folder}")


@store.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@_db_option
@_planner_options
@click.option("--by", "by", metavar="NAME", help="Who is acting (for the audit log).")
def store_import(
    folder: Path,
    db: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
    by: str | None,
) -> None:
    """Import a folder written by `store export`: all of it, or nothing."""
    from neuroseq.store.transfer import import_store

    planner = _planner(rules, catalog, norms)
    with _open(db) as opened:
        done = import_store(opened, folder, planner, actor=by)
    _echo(
        f"imported {done.added} assessments ({done.unchanged} already stored), "
        f"{done.records} fidelity records and decisions"
    )


@store.command("verify")
@click.argument("client", required=False)
@_db_option
@_planner_options
def store_verify(
    client: str | None,
    db: str | None,
    rules: Path | None,
    catalog: Path | None,
    norms: Path | None,
) -> None:
    """Re-plan every stored assessment and report any drift (exit 1 when a plan drifted).

    A plan made with the rule base, catalogue and norms given (default: the
    bundled ones) must come out byte-identical; plans made with other versions
    are listed with what the current versions would change.
    """
    from neuroseq.store.verify import verify_store

    planner = _planner(rules, catalog, norms)
    with _open(db) as opened:
        verdicts = verify_store(opened, planner, client)
    drift = [v for v in verdicts if v.status == "drift"]
    changed = [v for v in verdicts if v.status == "changed_by_versions"]
    for verdict in drift:
        _echo(
            f"DRIFT   {verdict.client} {verdict.date} v{verdict.version}: the stored plan "
            f"differs from a fresh plan with the same rule base ({', '.join(verdict.differences)})"
        )
    for verdict in changed:
        _echo(
            f"changed {verdict.client} {verdict.date} v{verdict.version}: planned with other "
            f"rule versions; these would now differ: {', '.join(verdict.differences)}"
        )
    same = len(verdicts) - len(drift) - len(changed)
    click.echo(
        f"{len(verdicts)} stored plans: {same} the same, {len(drift)} drifted, "
        f"{len(changed)} made with other rule versions"
    )
    if drift:
        raise SystemExit(1)


@store.command("audit")
@click.argument("client", required=False)
@_db_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
def store_audit(client: str | None, db: str | None, fmt: str) -> None:
    """Who did what to the store, and when (ids and codes only, never case content)."""
    with _open(db) as opened:
        lines = opened.audit_log(client)
    if fmt == "json":
        _emit(_json({"schema": "neuroseq/store-audit/v1", "entries": lines}), None)
        return
    for line in lines:
        where = " ".join(x for x in (line["client"], line["assessment_date"]) if x)
        _echo(f"{line['at']}  {line['actor']:<16} {line['action']:<8} {where}  {line['detail']}")


# --- fidelity and decisions -------------------------------------------------------


@main.command()
@click.argument("client")
@click.argument("item")
@click.option("--status", required=True, type=click.Choice(FIDELITY_STATUSES), help="Was it done?")
@click.option("--rating", type=click.IntRange(0, 3), help="How well, 0-3 (3 = as planned).")
@click.option("--note", metavar="TEXT", help="A short note (kept in the store, never logged).")
@click.option("--by", "by", metavar="NAME", help="Who records it [default: your login name].")
@click.option(
    "--assessment", "date", metavar="DATE", help="The plan's assessment date [default: latest]."
)
@_db_option
def fidelity(
    client: str,
    item: str,
    status: str,
    rating: int | None,
    note: str | None,
    by: str | None,
    date: str | None,
    db: str | None,
) -> None:
    """Record whether ITEM of CLIENT's plan was carried out, and how well."""
    with _open(db) as opened:
        record = opened.record_fidelity(
            client, item, status=status, rating=rating, note=note, by=by, date=_date(date)
        )
    rated = f", rated {record.rating}/3" if record.rating is not None else ""
    _echo(f"recorded {client} {item}: {record.status.replace('_', ' ')}{rated} (by {record.by})")


@main.command()
@click.argument("client")
@click.argument("item")
@click.option("--accept", is_flag=True, help="The clinician accepts the recommendation.")
@click.option(
    "--override",
    "reason",
    type=click.Choice(OVERRIDE_REASONS),
    help="The clinician overrides it, for this reason.",
)
@click.option("--note", metavar="TEXT", help="A comment (kept in the store, never logged).")
@click.option("--by", "by", metavar="NAME", help="Who decides [default: your login name].")
@click.option(
    "--assessment", "date", metavar="DATE", help="The plan's assessment date [default: latest]."
)
@_db_option
def decide(
    client: str,
    item: str,
    accept: bool,
    reason: str | None,
    note: str | None,
    by: str | None,
    date: str | None,
    db: str | None,
) -> None:
    """Record the clinician's decision on ITEM of CLIENT's plan: --accept or --override REASON."""
    if accept == (reason is not None):
        raise click.UsageError("give --accept or --override REASON (one of them)")
    with _open(db) as opened:
        record = opened.decide(
            client, item, accept=accept, reason=reason, note=note, by=by, date=_date(date)
        )
    why = f" ({record.reason.replace('_', ' ')})" if record.reason else ""
    _echo(f"recorded {client} {item}: {record.decision}{why} (by {record.by})")
