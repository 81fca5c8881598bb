"""Where the case store lives: ``--db URL``, else ``NEUROSEQ_DB``, else a SQLite file.

The default is ``neuroseq.db`` in the user's data directory (platformdirs:
``~/.local/share/neuroseq`` on Linux, ``~/Library/Application Support/neuroseq``
on macOS, ``%LOCALAPPDATA%\\neuroseq`` on Windows). A new SQLite file is created
readable by its owner only (0600) in a folder only its owner may enter (0700):
the store holds assessments of children.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from neuroseq.errors import Problem, SourceLocation, StoreError

__all__ = [
    "DB_ENVIRONMENT",
    "STORE_FILE_MODE",
    "STORE_FOLDER_MODE",
    "default_url",
    "prepare_sqlite_file",
    "resolve_url",
    "shown_url",
]

DB_ENVIRONMENT = "NEUROSEQ_DB"
"""The environment variable naming the store's database URL."""

STORE_FILE_MODE = 0o600
STORE_FOLDER_MODE = 0o700

_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def default_url() -> str:
    """The SQLite file in the user's data directory."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('neuroseq', appauthor=False) / 'neuroseq.db'}"


def _refuse(url: str, message: str) -> StoreError:
    return StoreError([Problem(SourceLocation(shown_url(url)), "", message)])


def resolve_url(given: str | None = None) -> URL:
    """The database URL from ``given``, else ``NEUROSEQ_DB``, else :func:`default_url`.

    A bare path is a SQLite file. PostgreSQL URLs use psycopg 3 (the ``postgres``
    extra); ``postgresql://`` is read as ``postgresql+psycopg://``.
    """
    text = given or os.environ.get(DB_ENVIRONMENT) or default_url()
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser()}"
    try:
        url = make_url(text)
    except ArgumentError:
        raise _refuse(text, "not a database URL; give sqlite:///PATH or postgresql://...") from None
    backend = url.get_backend_name()
    if backend not in _DRIVERS:
        raise _refuse(text, f"the store runs on SQLite or PostgreSQL, not '{backend}'")
    if backend == "postgresql" and url.drivername in ("postgresql", "postgresql+psycopg"):
        url = url.set(drivername=_DRIVERS["postgresql"])
    elif backend == "postgresql":
        raise _refuse(text, "PostgreSQL is reached through psycopg 3: use postgresql://")
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise _refuse(text, "the store needs a file: give sqlite:///PATH")
    return url


def shown_url(url: URL | str) -> str:
    """The URL fit for a message: never its password."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "<database URL>"
    return url.render_as_string(hide_password=True)


def prepare_sqlite_file(url: URL) -> None:
    """Create a SQLite store's folder (0700) and file (0600) before SQLite opens it.

    An existing folder or file keeps its mode: an administrator may have chosen
    it. Nothing is done for other databases.
    """
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    path = Path(url.database)
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=STORE_FOLDER_MODE, parents=True)
            os.chmod(folder, STORE_FOLDER_MODE)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, STORE_FILE_MODE)
            os.close(fd)
            os.chmod(path, STORE_FILE_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise _refuse(str(url), f"cannot create the store: {exc.strerror or exc}") from None
