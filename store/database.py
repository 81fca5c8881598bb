"""Opening the store's database: SQLite tuned for safe concurrent writers, or PostgreSQL.

SQLite runs in WAL mode (readers never block the writer) with a busy
timeout, foreign keys on, and every transaction begun ``IMMEDIATE`` so two
writers queue for the lock instead of failing half-way. The schema is
brought to the newest migration on opening: a store made by an older
version is migrated, never refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, OperationalError

from neuroseq.errors import Problem, SourceLocation, StoreError
from neuroseq.store.location import prepare_sqlite_file, shown_url

__all__ = ["BUSY_TIMEOUT_MS", "connect", "current_revision", "head_revision", "migrate"]

BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite writer waits for another writer's lock before giving up."""

_MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK_ID = 0x6E657572  # PostgreSQL advisory lock held while migrating ("neur")


def _problem(url: URL, message: str) -> StoreError:
    return StoreError([Problem(SourceLocation(shown_url(url)), "", message)])


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # The driver's own transaction handling is off: we begin IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def connect(url: URL) -> Engine:
    """An engine on ``url`` with the schema at the newest migration."""
    prepare_sqlite_file(url)
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _sqlite_pragmas(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ModuleNotFoundError):
        raise _problem(
            url, "PostgreSQL needs the postgres extra: pip install 'neuroseq[postgres]'"
        ) from None
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this version of neuroseq knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to ``target``; returns the revisions before and after.

    Concurrent openers are serialised (SQLite's write lock, PostgreSQL's
    advisory lock), so the schema is migrated once.
    """
    from alembic import command
    from alembic.util import CommandError

    url = engine.url
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")
            before = current_revision(connection)
            known = _known_revisions()
            if before is not None and before not in known:
                raise _problem(
                    url,
                    f"the store is at schema revision '{before}', made by a newer neuroseq; "
                    "upgrade neuroseq to use it",
                )
            if before != (head_revision() if target == "head" else target):
                command.upgrade(_config(connection), target)
            after = current_revision(connection)
    except CommandError as exc:
        raise _problem(url, f"cannot migrate the store: {exc}") from None
    except OperationalError as exc:
        raise _problem(url, f"cannot open the store: {_reason(exc)}") from None
    except DBAPIError as exc:
        raise _problem(url, f"the database refused the store: {_reason(exc)}") from None
    return before, after


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _reason(exc: DBAPIError) -> str:
    """The driver's first line, which names the failure, not the data."""
    text = str(exc.orig).strip().splitlines()
    return text[0] if text else type(exc.orig).__name__
