"""Where the store lives: --db, NEUROSEQ_DB, the default file; private files and folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from neuroseq.errors import StoreError
from neuroseq.store.location import default_url, prepare_sqlite_file, resolve_url, shown_url


def test_resolve_url_prefers_the_given_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEUROSEQ_DB", str(tmp_path / "env.db"))
    assert resolve_url(str(tmp_path / "given.db")).database == str(tmp_path / "given.db")
    assert resolve_url(None).database == str(tmp_path / "env.db")


def test_resolve_url_defaults_to_the_user_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEUROSEQ_DB", raising=False)
    url = resolve_url(None)
    assert url.get_backend_name() == "sqlite"
    assert str(url.database).endswith(os.path.join("neuroseq", "neuroseq.db"))
    assert default_url().endswith("neuroseq.db")


def test_resolve_url_reads_postgresql_through_psycopg() -> None:
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://h/db", "SQLite or PostgreSQL"),
        ("sqlite://", "needs a file"),
        ("sqlite:///:memory:", "needs a file"),
        ("postgresql+psycopg2://h/db", "psycopg 3"),
        ("://", "not a database URL"),
    ],
)
def test_resolve_url_refuses_what_the_store_cannot_use(url: str, words: str) -> None:
    with pytest.raises(StoreError) as refused:
        resolve_url(url)
    assert words in str(refused.value)


def test_shown_url_hides_the_password() -> None:
    assert "secret" not in shown_url("postgresql://nurse:secret@h/db")
    assert shown_url("::nonsense::") in ("::nonsense::", "<database URL>")


def test_prepare_sqlite_file_creates_0600_in_0700(tmp_path: Path) -> None:
    url = resolve_url(str(tmp_path / "new" / "deeper" / "store.db"))
    prepare_sqlite_file(url)
    path = Path(str(url.database))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_prepare_sqlite_file_keeps_an_existing_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.write_bytes(b"")
    path.chmod(0o640)
    prepare_sqlite_file(resolve_url(str(path)))
    assert path.stat().st_mode & 0o777 == 0o640
