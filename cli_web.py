"""The web app's commands: ``neuroseq serve`` and ``neuroseq users add|list|disable``.

Thin, like the rest of the command line: ``serve`` builds the app
(:func:`neuroseq.web.app.create_app`) and runs it with uvicorn; the user
commands call :mod:`neuroseq.store.users`. The web app needs the ``web``
extra (``pip install 'neuroseq[web]'``); ``serve`` says so when it is missing.
"""

from __future__ import annotations

import sys
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
def serve(
    host: str,
    port: int,
    db: str | None,
    allowed_hosts: tuple[str, ...],
    secure_cookies: bool | None,
    workers: int,
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
    )
    app = create_app(settings)
    if host not in _LOCAL:
        click.echo(
            f"neuroseq: listening on {host}, beyond this machine: put it behind a TLS proxy",
            err=True,
        )
    click.echo(f"neuroseq: serving on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    app.state.neuroseq.pool.warm()
    uvicorn.run(
        app, host=host, port=port, log_level="warning", access_log=False, server_header=False
    )


@main.group()
def users() -> None:
    """The web app's accounts: add, list, disable."""


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
    """Disable an account: it can no longer log in, and its sessions end."""
    from neuroseq.store import actor_name
    from neuroseq.store.users import disable_user

    with _open(db) as opened:
        disable_user(opened, name, actor=actor_name(by))
    _echo(f"disabled {name}")
