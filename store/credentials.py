"""Credentials other than passwords, kept in the case store: service tokens and the app's keys.

**Service tokens.** A record system calls the CDS Hooks service as one
account of the web app: ``neuroseq users token NAME`` makes a random token
(:func:`create_token`), shows it once, and keeps only its sha256. The
account's role governs what the token may do, as it would in the browser
(a reviewer's token may ask for cards, only a clinician's may record a
decision); :func:`token_user` accepts a token only while both the token and
its account are enabled, and :func:`~neuroseq.store.users.disable_user`
disables an account's tokens with it. Only clinicians and reviewers read
cases, so only they get tokens (:data:`TOKEN_ROLES`).

A token is 256 random bits, so one unsalted sha256 is enough to make a stolen
table useless (there is nothing to guess), and it lets a token be found by an
index instead of checked against every row with a slow KDF.

**The app's keys** (:func:`app_key`): the web app's session-signing secret,
made once and kept, so a restart, or a second process on the same store,
keeps everyone's sessions.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import select
from sqlalchemy.engine import Connection

from neuroseq.errors import Problem, SourceLocation, StoreError
from neuroseq.store import tables
from neuroseq.store.users import User, _user

if TYPE_CHECKING:
    from neuroseq.store.case_store import CaseStore

__all__ = [
    "SESSION_KEY",
    "TOKEN_PREFIX",
    "TOKEN_ROLES",
    "ServiceToken",
    "all_tokens",
    "app_key",
    "create_token",
    "disable_tokens",
    "revoke_tokens",
    "token_digest",
    "token_user",
    "tokens_of",
]

TOKEN_PREFIX: Final = "nsq_"
"""Every token starts with this, so a leaked one is easy to recognise (and to search for)."""
TOKEN_ROLES: Final = ("clinician", "reviewer")
"""The roles that read cases: the only ones a CDS Hooks token could be of use to."""
SESSION_KEY: Final = "session-secret"
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_MAX_TOKEN: Final = 256


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _problem(field: str, message: str) -> StoreError:
    return StoreError([Problem(SourceLocation("users"), field, message)])


def token_digest(token: str) -> str:
    """What the store keeps of a token: its sha256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ServiceToken:
    """A service token as the store keeps it (without the token)."""

    id: int
    user: str
    label: str
    disabled: bool
    created_at: str
    created_by: str


def create_token(
    store: CaseStore, name: str, *, label: str = "cds-hooks", actor: str
) -> tuple[str, ServiceToken]:
    """A new token for the enabled clinician or reviewer ``name``: (the token, its record).

    The token is returned once and never stored; the audit line names the
    account, the label and the token's id.
    """
    if not _LABEL.match(label):
        raise _problem(
            "--label",
            "a label is 1-64 characters: letters, digits and . _ @ - (starting with a letter "
            "or digit)",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    at = _now()

    def work(connection: Connection) -> ServiceToken:
        row = connection.execute(select(tables.users).where(tables.users.c.name == name)).first()
        if row is None:
            raise _problem("NAME", f"no user '{name}'")
        if row.disabled:
            raise _problem("NAME", f"'{name}' is disabled")
        if row.role not in TOKEN_ROLES:
            raise _problem(
                "NAME",
                f"'{name}' is a {row.role}: only " + " and ".join(TOKEN_ROLES) + " accounts, "
                "which read cases, get service tokens",
            )
        ident = int(
            connection.execute(
                tables.service_tokens.insert().values(
                    user_id=row.id,
                    token_sha256=token_digest(token),
                    label=label,
                    disabled=False,
                    created_at=at,
                    created_by=actor,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        store._audit(connection, actor, "token-add", detail=f"{name} {label} token {ident}")
        return ServiceToken(ident, name, label, False, at, actor)

    return token, store._write(work)


def token_user(store: CaseStore, token: str) -> User | None:
    """The enabled account an enabled ``token`` belongs to, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN:
        return None
    query = (
        select(tables.users)
        .join(tables.service_tokens, tables.service_tokens.c.user_id == tables.users.c.id)
        .where(tables.service_tokens.c.token_sha256 == token_digest(token))
        .where(tables.service_tokens.c.disabled.is_(False))
        .where(tables.users.c.disabled.is_(False))
    )
    with store.engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _user(row)


def tokens_of(store: CaseStore, name: str) -> list[ServiceToken]:
    """The account's tokens (enabled or not), oldest first."""
    query = (
        select(tables.service_tokens, tables.users.c.name)
        .join(tables.users, tables.service_tokens.c.user_id == tables.users.c.id)
        .where(tables.users.c.name == name)
        .order_by(tables.service_tokens.c.id)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        ServiceToken(r.id, r.name, r.label, bool(r.disabled), r.created_at, r.created_by)
        for r in rows
    ]


def all_tokens(store: CaseStore, name: str | None = None) -> list[ServiceToken]:
    """Every service token (enabled or not), by account name, then oldest first; with
    ``name``, that account's only (an unknown name is refused). Never the token or its hash."""
    query = (
        select(tables.service_tokens, tables.users.c.name)
        .join(tables.users, tables.service_tokens.c.user_id == tables.users.c.id)
        .order_by(tables.users.c.name, tables.service_tokens.c.id)
    )
    if name is not None:
        query = query.where(tables.users.c.name == name)
    with store.engine.connect() as connection:
        if name is not None:
            known = connection.execute(
                select(tables.users.c.id).where(tables.users.c.name == name)
            ).first()
            if known is None:
                raise _problem("NAME", f"no user '{name}'")
        rows = connection.execute(query).all()
    return [
        ServiceToken(r.id, r.name, r.label, bool(r.disabled), r.created_at, r.created_by)
        for r in rows
    ]


def revoke_tokens(store: CaseStore, name: str, *, actor: str) -> int:
    """Disable every token of ``name`` (the account stays); how many were enabled."""

    def work(connection: Connection) -> int:
        row = connection.execute(
            select(tables.users.c.id).where(tables.users.c.name == name)
        ).first()
        if row is None:
            raise _problem("NAME", f"no user '{name}'")
        count = disable_tokens(connection, row.id)
        store._audit(connection, actor, "token-revoke", detail=f"{name} {count} token(s)")
        return count

    return store._write(work)


def disable_tokens(connection: Connection, user_id: int) -> int:
    """Disable the enabled tokens of the account ``user_id`` in this transaction; how many."""
    result = connection.execute(
        tables.service_tokens.update()
        .where(tables.service_tokens.c.user_id == user_id)
        .where(tables.service_tokens.c.disabled.is_(False))
        .values(disabled=True)
    )
    return int(result.rowcount)


def app_key(store: CaseStore, name: str = SESSION_KEY) -> str:
    """The app's key ``name``: made (256 random bits) and kept on first use, then always the same.

    Two processes asking at once get the same key: the second insert fails on
    the primary key, and the store's retry reads the first one's.
    """

    def work(connection: Connection) -> str:
        found = connection.execute(
            select(tables.app_keys.c.value).where(tables.app_keys.c.name == name)
        ).first()
        if found is not None:
            return str(found.value)
        value = secrets.token_urlsafe(32)
        connection.execute(
            tables.app_keys.insert().values(name=name, value=value, created_at=_now())
        )
        store._audit(connection, "neuroseq", "key-add", detail=name)
        return value

    return store._write(work)
