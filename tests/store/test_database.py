"""Opening the store's database: migrations from an empty and from the first schema, SQLite tuning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from neuroseq.errors import StoreError
from neuroseq.store import CaseStore
from neuroseq.store.database import BUSY_TIMEOUT_MS, connect, head_revision, migrate
from neuroseq.store.location import resolve_url
from neuroseq.store.tables import metadata

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


def _plain(url: str) -> Any:
    resolved = resolve_url(url)
    if resolved.get_backend_name() == "sqlite":
        Path(str(resolved.database)).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(resolved)


def test_migrate_builds_the_schema_from_an_empty_database(store_url: str) -> None:
    engine = _plain(store_url)
    assert migrate(engine) == (None, head_revision())
    assert migrate(engine) == (head_revision(), head_revision())
    engine.dispose()


def test_migrate_leaves_the_schema_the_tables_module_describes(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = connect(resolve_url(store_url))
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_connect_migrates_a_store_of_the_first_schema_keeping_its_data(
    store_url: str, planner: Any
) -> None:
    """A store made by the first version (schema 0001: no fidelity) is migrated, never refused."""
    engine = _plain(store_url)
    migrate(engine, "0001")
    plan = __import__("neuroseq").plan_files(INTAKE, planner=planner)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO clients (id, pseudonym, created_at) VALUES (1, 'published-case', 't')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO assessments (id, client_id, assessment_date, version, current, metric,"
                " source_name, sha256, document, document_format, stored_at) VALUES (1, 1,"
                " '2026-01-12', 1, :yes, 'full', 'intake.yaml', :sha, :doc, 'yaml', 't')"
            ),
            {"yes": True, "sha": plan.case.sha256, "doc": INTAKE.read_text(encoding="utf-8")},
        )
        p = plan.plan
        connection.execute(
            text(
                "INSERT INTO plans (id, assessment_id, plan_json, rulebase_version, rulebase_sha256,"
                " catalog_version, catalog_sha256, norms_version, norms_sha256, planned_at)"
                " VALUES (1, 1, :plan, :rv, :rs, :cv, :cs, :nv, :ns, 't')"
            ),
            {
                "plan": __import__("neuroseq").render(plan, "json"),
                "rv": p.rulebase.version,
                "rs": p.rulebase.sha256,
                "cv": p.catalog.version,
                "cs": p.catalog.sha256,
                "nv": p.norms.version,
                "ns": p.norms.sha256,
            },
        )
    engine.dispose()
    with CaseStore.open(store_url) as store:
        assert store.revision() == head_revision()
        (intake,) = store.history("published-case")
        assert intake.follow_through is None and intake.fidelity == ()
        store.record_fidelity("published-case", "drumming", status="done", rating=3)
        added = store.add_files([FOLLOWUP], planner)
        assert added[0].previous_date == "2026-01-12"


def test_connect_refuses_a_store_of_a_newer_version(store_url: str) -> None:
    engine = connect(resolve_url(store_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(StoreError) as refused:
        CaseStore.open(store_url)
    assert "newer neuroseq" in str(refused.value)


def test_connect_sets_wal_and_a_busy_timeout_on_sqlite(tmp_path: Path) -> None:
    engine = connect(resolve_url(str(tmp_path / "s.db")))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_connect_names_an_unreachable_server_without_a_traceback() -> None:
    with pytest.raises(StoreError) as refused:
        CaseStore.open("postgresql://nurse:secret@127.0.0.1:1/clinic")
    message = str(refused.value)
    assert "cannot open the store" in message and "secret" not in message


def test_connect_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the droids\n" * 200)
    with pytest.raises(StoreError) as refused:
        CaseStore.open(str(path))
    assert str(path) in str(refused.value)
