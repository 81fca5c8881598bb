"""The web app's accounts, reviewers' notes and assessment-form drafts, kept in the case store.

Accounts have a name, one role (:data:`ROLES`), a password hashed with
scrypt (memory-hard; :func:`hash_password`), a disabled flag and when they
were made. Accounts are never deleted, only disabled, so the audit log keeps
naming someone real. Every change here writes its audit line in the same
transaction; the line holds names, roles and ids, never a password or a note.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select
from sqlalchemy.engine import Connection

from neuroseq.errors import Problem, SourceLocation, StoreError
from neuroseq.store import tables
from neuroseq.vocabulary import ROLES, Role

if TYPE_CHECKING:
    from neuroseq.store.case_store import CaseStore

__all__ = [
    "MAX_DRAFT",
    "ROLES",
    "Draft",
    "ReviewNote",
    "Role",
    "User",
    "add_review_note",
    "add_user",
    "authenticate",
    "delete_draft",
    "disable_user",
    "draft",
    "drafts_of",
    "hash_password",
    "review_notes",
    "save_draft",
    "sign_out",
    "user",
    "users",
    "verify_password",
]


MIN_PASSWORD: Final = 10
MAX_PASSWORD: Final = 1024
MAX_NOTE: Final = 4000
MAX_DRAFT: Final = 200_000
"""The largest draft (JSON characters) kept: a full form is about 10,000."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# scrypt at 16 MiB of memory: about 50 ms a check on this machine.
_N, _R, _P = 2**14, 8, 1


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _problem(field: str, message: str) -> StoreError:
    return StoreError([Problem(SourceLocation("users"), field, message)])


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (hex), with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant time over the digest)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(found.hex(), digest)


# A hash to check against when the name is unknown, so a wrong name costs as long as a
# wrong password and the timing does not tell which names exist.
_DUMMY: Final = hash_password(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    """An account (without its password hash)."""

    name: str
    role: Role
    disabled: bool
    created_at: str
    signed_out_at: float | None = None
    """When the account last logged out (Unix seconds): sessions issued before it are over."""

    def session_open(self, issued: float) -> bool:
        """Whether a session issued at ``issued`` (Unix seconds) still lets this account in."""
        return not self.disabled and (self.signed_out_at is None or issued > self.signed_out_at)


def _user(row: Any) -> User:
    return User(row.name, row.role, bool(row.disabled), row.created_at, row.signed_out_at)


def sign_out(store: CaseStore, name: str) -> None:
    """Log the account out everywhere: every session issued until now ends (audited)."""

    def work(connection: Connection) -> None:
        connection.execute(
            tables.users.update()
            .where(tables.users.c.name == name)
            .values(signed_out_at=time.time())
        )
        store._audit(connection, name, "logout")

    store._write(work)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise _problem(
            "NAME",
            "a user name is 1-64 characters: letters, digits and . _ @ - (starting with a letter "
            "or digit)",
        )


def add_user(store: CaseStore, name: str, role: str, password: str, *, actor: str) -> User:
    """A new account; refused when the name is taken, the role unknown or the password short."""
    _check_name(name)
    if role not in ROLES:
        raise _problem("--role", "must be one of " + ", ".join(ROLES))
    if len(password) < MIN_PASSWORD:
        raise _problem("password", f"must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise _problem("password", f"must be at most {MAX_PASSWORD} characters")
    hashed = hash_password(password)
    at = _now()

    def work(connection: Connection) -> User:
        taken = connection.execute(
            select(tables.users.c.id).where(tables.users.c.name == name)
        ).first()
        if taken is not None:
            raise _problem("NAME", f"there is already a user '{name}'")
        connection.execute(
            tables.users.insert().values(
                name=name, role=role, password_hash=hashed, disabled=False, created_at=at
            )
        )
        store._audit(connection, actor, "user-add", detail=f"{name} {role}")
        return User(name, role, False, at)

    return store._write(work)


def users(store: CaseStore) -> list[User]:
    """Every account, by name."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(tables.users).order_by(tables.users.c.name)).all()
    return [_user(row) for row in rows]


def user(store: CaseStore, name: str) -> User | None:
    """The account called ``name``, or None."""
    with store.engine.connect() as connection:
        row = connection.execute(select(tables.users).where(tables.users.c.name == name)).first()
    return None if row is None else _user(row)


def disable_user(store: CaseStore, name: str, *, actor: str) -> User:
    """Disable an account: it can no longer log in, its open sessions end, and its service
    tokens are disabled with it."""

    def work(connection: Connection) -> User:
        row = connection.execute(select(tables.users).where(tables.users.c.name == name)).first()
        if row is None:
            raise _problem("NAME", f"no user '{name}'")
        from neuroseq.store.credentials import disable_tokens

        connection.execute(
            tables.users.update().where(tables.users.c.id == row.id).values(disabled=True)
        )
        tokens = disable_tokens(connection, row.id)
        store._audit(
            connection,
            actor,
            "user-disable",
            detail=f"{name} and {tokens} token(s)" if tokens else name,
        )
        return User(row.name, row.role, True, row.created_at)

    return store._write(work)


def authenticate(store: CaseStore, name: str, password: str) -> User | None:
    """The enabled account ``name`` when ``password`` is its password, else None."""
    with store.engine.connect() as connection:
        row = connection.execute(select(tables.users).where(tables.users.c.name == name)).first()
    if row is None or len(password) > MAX_PASSWORD:
        verify_password(password[:MAX_PASSWORD], _DUMMY)
        return None
    if not verify_password(password, row.password_hash) or row.disabled:
        return None
    return _user(row)


# --- review notes -------------------------------------------------------------


@dataclass(frozen=True)
class ReviewNote:
    """A reviewer's note on a client (or one assessment of theirs)."""

    client: str
    date: str | None
    note: str
    by: str
    at: str


def add_review_note(
    store: CaseStore, client: str, note: str, *, by: str, date: str | None = None
) -> ReviewNote:
    """Keep a reviewer's note; the audit line says a note was written, not what it says."""
    from neuroseq.source import unsafe_character

    text = note.strip()
    if not text:
        raise _problem("note", "is empty")
    if len(text) > MAX_NOTE:
        raise _problem("note", f"is {len(text):,} characters; the limit is {MAX_NOTE:,}")
    unsafe = unsafe_character(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    if unsafe is not None:
        raise _problem("note", unsafe)
    # an unknown client is refused with the store's own message
    dates = {stored.date for stored in store.history(client)}
    if date is not None and date not in dates:
        raise _problem("date", f"client '{client}' has no stored assessment on that date")
    at = _now()

    def work(connection: Connection) -> ReviewNote:
        connection.execute(
            tables.review_notes.insert().values(
                client=client, assessment_date=date, note=text, written_by=by, written_at=at
            )
        )
        store._audit(connection, by, "review-note", client=client, date=date)
        return ReviewNote(client, date, text, by, at)

    return store._write(work)


def review_notes(store: CaseStore, client: str) -> list[ReviewNote]:
    """The reviewers' notes on a client, oldest first."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(tables.review_notes)
            .where(tables.review_notes.c.client == client)
            .order_by(tables.review_notes.c.id)
        ).all()
    return [
        ReviewNote(r.client, r.assessment_date, r.note, r.written_by, r.written_at) for r in rows
    ]


# --- drafts -------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """An assessment form as typed, saved to finish later (its owner's only)."""

    id: int
    owner: str
    client: str | None
    fields: dict[str, str]
    saved_at: str


def save_draft(
    store: CaseStore,
    owner: str,
    fields: dict[str, str],
    *,
    draft_id: int | None = None,
    client: str | None = None,
) -> Draft:
    """Keep every field as typed (a new draft, or over the owner's own ``draft_id``)."""
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_DRAFT:
        raise _problem("draft", f"is {len(text):,} characters; the limit is {MAX_DRAFT:,}")
    at = _now()
    label = (client or "")[:64] or None

    def work(connection: Connection) -> Draft:
        nonlocal draft_id
        if draft_id is not None:
            found = connection.execute(
                select(tables.drafts.c.id)
                .where(tables.drafts.c.id == draft_id)
                .where(tables.drafts.c.owner == owner)
            ).first()
            if found is None:
                raise _problem("draft", f"no draft {draft_id} of yours")
            connection.execute(
                tables.drafts.update()
                .where(tables.drafts.c.id == draft_id)
                .values(fields=text, saved_at=at, client=label)
            )
        else:
            draft_id = int(
                connection.execute(
                    tables.drafts.insert().values(
                        owner=owner, client=label, fields=text, saved_at=at
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
        store._audit(connection, owner, "draft-save", detail=f"draft {draft_id}")
        return Draft(draft_id, owner, label, dict(fields), at)

    return store._write(work)


def drafts_of(store: CaseStore, owner: str) -> list[Draft]:
    """The owner's drafts, newest first."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(tables.drafts)
            .where(tables.drafts.c.owner == owner)
            .order_by(tables.drafts.c.saved_at.desc(), tables.drafts.c.id.desc())
        ).all()
    return [Draft(r.id, r.owner, r.client, json.loads(r.fields), r.saved_at) for r in rows]


def draft(store: CaseStore, owner: str, draft_id: int) -> Draft | None:
    """The owner's draft ``draft_id``, or None (another user's drafts are never shown)."""
    with store.engine.connect() as connection:
        row = connection.execute(
            select(tables.drafts)
            .where(tables.drafts.c.id == draft_id)
            .where(tables.drafts.c.owner == owner)
        ).first()
    return (
        None
        if row is None
        else Draft(row.id, row.owner, row.client, json.loads(row.fields), row.saved_at)
    )


def delete_draft(store: CaseStore, owner: str, draft_id: int) -> None:
    """Drop the owner's draft once its assessment is stored."""

    def work(connection: Connection) -> None:
        connection.execute(
            tables.drafts.delete()
            .where(tables.drafts.c.id == draft_id)
            .where(tables.drafts.c.owner == owner)
        )

    store._write(work)
