"""The web app's commands: ``neuroseq serve`` and ``neuroseq users add|list|disable|token|tokens``.

Thin, like the rest of the command line: ``serve`` builds the app
(:func:`neuroseq.web.app.create_app`) and runs it with uvicorn; the user
commands call :mod:`neuroseq.store.users`. The web app needs the ``web``
extra (``pip install 'neuroseq[web]'``); ``serve`` says so when it is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from neuroseq.cli import _echo, main
from neuroseq.vocabulary import ROLES

if TYPE_CHECKING:
    from neuroseq.store import CaseStore

__all__ = ["serve", "users"]

_DB_HELP = "The store's database URL [default: $NEUROSEQ_DB, else the file `store where` prints]."
_LOCAL = ("127.0.0.1", "localhost", "::1")
_WEB_MODULES = ("starlette", "uvicorn", "python_multipart", "itsdangerous")


def _open(db: str | None) -> CaseStore:
    from neuroseq.store import CaseStore

    return CaseStore.open(db)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name the app may be reached by besides localhost (e.g. behind a TLS proxy); repeatable.",
)
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=None,
    help="Mark the session cookie Secure [default: on when an --allowed-host is given].",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Planning processes.",
)
@click.option(
    "--candidate-rules",
    "candidate_rules",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="A rule folder trainers may measure the impact of on the stored cases; repeatable.",
)
def serve(
    host: str,
    port: int,
    db: str | None,
    allowed_hosts: tuple[str, ...],
    secure_cookies: bool | None,
    workers: int,
    candidate_rules: tuple[Path, ...],
) -> None:
    """Run the web app for clinicians, reviewers, trainers and admins (on 127.0.0.1 by default)."""
    from importlib.util import find_spec

    if any(find_spec(name) is None for name in _WEB_MODULES):
        raise click.UsageError(
            "the web app needs the web extra: pip install 'neuroseq[web]' "
            "(from a clone: pip install '.[web]')"
        )
    import uvicorn

    from neuroseq.store.location import resolve_url
    from neuroseq.web.app import Settings, create_app

    url = resolve_url(db).render_as_string(hide_password=False)
    settings = Settings(
        db=url,
        allowed_hosts=allowed_hosts,
        secure_cookies=bool(allowed_hosts) if secure_cookies is None else secure_cookies,
        workers=workers,
        candidate_rules=tuple(str(folder) for folder in candidate_rules),
    )
    app = create_app(settings)
    if host not in _LOCAL:
        click.echo(
            f"neuroseq: listening on {host}, beyond this machine: put it behind a TLS proxy",
            err=True,
        )
    click.echo("neuroseq: starting the planning workers...", err=True)
    app.state.neuroseq.pool.warm()
    click.echo(f"neuroseq: serving on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    from neuroseq.fhir import available as fhir_available

    if fhir_available():
        click.echo(
            f"neuroseq: CDS Hooks discovery at http://{host}:{port}/cds-services "
            "(tokens: neuroseq users token NAME)",
            err=True,
        )
    uvicorn.run(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )


@main.group()
def users() -> None:
    """The web app's accounts: add, list, disable, and service tokens for CDS Hooks (make, list, revoke)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (one line) instead of asking for it.",
)
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
@click.option("--by", "by", metavar="NAME", help="Who is acting (for the audit log).")
def users_add(name: str, role: str, password_stdin: bool, db: str | None, by: str | None) -> None:
    """Add an account (clinician, reviewer, trainer or admin)."""
    from neuroseq.store import actor_name
    from neuroseq.store.users import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _open(db) as opened:
        added = add_user(opened, name, role, password, actor=actor_name(by))
    _echo(f"added {added.role} {added.name}")


@users.command("list")
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
def users_list(db: str | None) -> None:
    """List the accounts: name, role, since, and whether disabled."""
    from neuroseq.store.users import users as all_users

    with _open(db) as opened:
        found = all_users(opened)
    if not found:
        _echo("no users yet: neuroseq users add NAME --role admin")
        return
    for account in found:
        state = "disabled" if account.disabled else "active"
        _echo(f"{account.name:<24} {account.role:<10} {state:<8} since {account.created_at}")


@users.command("disable")
@click.argument("name")
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
@click.option("--by", "by", metavar="NAME", help="Who is acting (for the audit log).")
def users_disable(name: str, db: str | None, by: str | None) -> None:
    """Disable an account: it can no longer log in, its sessions end, and its tokens stop."""
    from neuroseq.store import actor_name
    from neuroseq.store.users import disable_user

    with _open(db) as opened:
        disable_user(opened, name, actor=actor_name(by))
    _echo(f"disabled {name}")


@users.command("token")
@click.argument("name")
@click.option(
    "--label",
    default="cds-hooks",
    show_default=True,
    metavar="LABEL",
    help="What the token is for (the record system), kept with it and in the audit log.",
)
@click.option(
    "--revoke",
    is_flag=True,
    help="Disable every token of NAME instead (the account itself stays enabled).",
)
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
@click.option("--by", "by", metavar="NAME", help="Who is acting (for the audit log).")
def users_token(name: str, label: str, revoke: bool, db: str | None, by: str | None) -> None:
    """A new service token for the CDS Hooks service, acting as NAME (a clinician or reviewer).

    The token is printed once, on standard output; the store keeps only its
    sha256. A record system sends it as `Authorization: Bearer TOKEN`. NAME's
    role governs: a reviewer's token gets cards, only a clinician's may send
    feedback (decisions). `users disable NAME` disables its tokens too.
    """
    from neuroseq.store import actor_name
    from neuroseq.store.credentials import create_token, revoke_tokens

    with _open(db) as opened:
        if revoke:
            count = revoke_tokens(opened, name, actor=actor_name(by))
            _echo(f"disabled {count} token(s) of {name}")
            return
        token, made = create_token(opened, name, label=label, actor=actor_name(by))
    click.echo(token)
    _echo(
        f"token {made.id} ({made.label}) for {made.user}: shown once, only its hash is kept",
        err=True,
    )


@users.command("tokens")
@click.argument("name", required=False)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text")
@click.option("--db", "db", metavar="URL", help=_DB_HELP)
def users_tokens(name: str | None, fmt: str, db: str | None) -> None:
    """List the service tokens (of NAME, else of every account), revoked ones too.

    For each: its id, account, label, when and by whom it was made, and whether
    it is active or revoked. Never the token or its hash: a lost token is
    replaced (`users token NAME`), not shown again. When a token was last used
    is not recorded.
    """
    from neuroseq.cli import _json
    from neuroseq.store.credentials import all_tokens

    with _open(db) as opened:
        found = all_tokens(opened, name)
    if fmt == "json":
        click.echo(
            _json(
                {
                    "schema": "neuroseq/service-tokens/v1",
                    "tokens": [
                        {
                            "id": t.id,
                            "account": t.user,
                            "label": t.label,
                            "created_at": t.created_at,
                            "created_by": t.created_by,
                            "revoked": t.disabled,
                        }
                        for t in found
                    ],
                }
            )
        )
        return
    if not found:
        _echo(f"no service tokens{f' for {name}' if name else ''}: neuroseq users token NAME")
        return
    for t in found:
        state = "revoked" if t.disabled else "active"
        _echo(
            f"{t.id:>4} {t.user:<24} {t.label:<20} {state:<8} created {t.created_at} by {t.created_by}"
        )
