"""Round trips of every store command (store ..., fidelity, decide) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.store.database import head_revision

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


def _run(*args: str, db: str | None = None, code: int = 0) -> Any:
    runner = CliRunner()
    argv = list(args) + (["--db", db] if db else [])
    result = runner.invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == code, (result.output, result.stderr if result.stderr_bytes else "")
    return result


@pytest.fixture
def db(store_url: str) -> str:
    """A new store database: SQLite, then PostgreSQL."""
    return store_url


def test_store_init_creates_a_private_store(tmp_path: Path) -> None:
    result = _run("store", "init", db=f"sqlite:///{tmp_path / 'data' / 'neuroseq.db'}")
    assert "schema" in result.output and head_revision() in result.output
    path = tmp_path / "data" / "neuroseq.db"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_store_where_prints_the_database_without_password() -> None:
    result = _run("store", "where", db="postgresql://nurse:secret@127.0.0.1:5999/clinic")
    assert "secret" not in result.output and "127.0.0.1:5999/clinic" in result.output


def test_store_where_reads_neuroseq_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEUROSEQ_DB", str(tmp_path / "env.db"))
    assert str(tmp_path / "env.db") in _run("store", "where").output


def test_store_add_list_show_plan_round_trip(db: str) -> None:
    added = _run("store", "add", str(FOLLOWUP), str(INTAKE), db=db).output
    assert "stored published-case 2026-01-12" in added
    assert "stored published-case 2027-01-18" in added and "follows 2026-01-12" in added
    again = _run("store", "add", str(INTAKE), db=db).output
    assert "unchanged published-case 2026-01-12" in again
    listed = _run("store", "list", db=db).output
    assert "published-case" in listed and "2027-01-18 (follow_up)" in listed
    data = json.loads(_run("store", "list", "--format", "json", db=db).output)
    assert data["clients"][0]["assessments"][1] == {"date": "2027-01-18", "metric": "follow_up"}
    shown = _run("store", "show", "published-case", db=db).output
    assert "Developmental ages by domain" in shown and "0.72" in shown and "1.37" in shown
    timeline = json.loads(_run("store", "show", "published-case", "--format", "json", db=db).output)
    assert [a["date"] for a in timeline["assessments"]] == ["2026-01-12", "2027-01-18"]
    assert set(timeline["assessments"][0]["developmental_age"]) == {
        "sensory_integration",
        "self_regulation",
        "relational",
        "cognitive",
    }
    stored = _run("store", "plan", "published-case", "--format", "json", db=db).output
    direct = _run("plan", str(FOLLOWUP), "--previous", str(INTAKE), "--format", "json").output
    assert stored == direct
    stored_text = _run("store", "plan", "published-case", db=db).output
    direct_text = _run("plan", str(FOLLOWUP), "--previous", str(INTAKE), "--no-color").output
    assert stored_text == direct_text
    intake = _run(
        "store", "plan", "published-case", "--assessment", "2026-01-12", "--format", "json", db=db
    )
    assert intake.output == _run("plan", str(INTAKE), "--format", "json").output


def test_store_show_html_is_the_comparison_report(db: str, tmp_path: Path) -> None:
    _run("store", "add", str(INTAKE), str(FOLLOWUP), db=db)
    out = tmp_path / "timeline.html"
    _run("store", "show", "published-case", "-o", str(out), db=db)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype html>")
    assert "2026-01-12" in html and "2027-01-18" in html
    assert "not the official" in html
    assert out.stat().st_mode & 0o777 == 0o600


def test_fidelity_and_decide_show_in_the_timeline(db: str) -> None:
    _run("store", "add", str(INTAKE), db=db)
    said = _run(
        "fidelity",
        "published-case",
        "drumming",
        "--status",
        "done",
        "--rating",
        "3",
        "--by",
        "Dr A",
        db=db,
    )
    assert "recorded published-case drumming: done, rated 3/3 (by Dr A)" in said.output
    decided = _run(
        "decide",
        "published-case",
        "tf_cbt",
        "--override",
        "timing",
        "--note",
        "after summer",
        db=db,
    )
    assert "overridden (timing)" in decided.output
    _run("decide", "published-case", "drumming", "--accept", db=db)
    shown = _run("store", "show", "published-case", db=db).output
    assert "fidelity done 3/3; accepted" in shown
    assert "overridden (timing)" in shown
    log = _run("store", "audit", db=db).output
    assert "fidelity" in log and "decide" in log and "after summer" not in log


def test_decide_needs_accept_or_override(db: str) -> None:
    _run("store", "add", str(INTAKE), db=db)
    result = _run("decide", "published-case", "drumming", db=db, code=2)
    assert "--accept or --override" in result.output


def test_fidelity_refuses_an_item_not_in_the_plan(db: str) -> None:
    _run("store", "add", str(INTAKE), db=db)
    result = _run("fidelity", "published-case", "nonesuch", "--status", "done", db=db, code=1)
    assert "ITEM: 'nonesuch' is not in the plan of 2026-01-12" in result.output
    assert "nothing was stored" in result.output


def test_store_add_refuses_bad_files_located_and_stores_nothing(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(INTAKE.read_text(encoding="utf-8").replace("  sleep: ", "  sleep: 99 #"))
    result = _run("store", "add", str(INTAKE), str(bad), db=db, code=1)
    assert "bad.yaml:" in result.output and "Traceback" not in result.output
    assert "nothing was stored" in result.output
    assert "holds no clients" in _run("store", "list", db=db).output


def test_store_add_refuses_changed_content_unless_replace(db: str, tmp_path: Path) -> None:
    _run("store", "add", str(INTAKE), db=db)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        INTAKE.read_text(encoding="utf-8").replace("placements_count: 6", "placements_count: 7")
    )
    refused = _run("store", "add", str(changed), db=db, code=1)
    assert "--replace" in refused.output
    replaced = _run("store", "add", str(changed), "--replace", db=db)
    assert "replaced published-case 2026-01-12 as version 2" in replaced.output
    timeline = json.loads(_run("store", "show", "published-case", "--format", "json", db=db).output)
    assert timeline["assessments"][0]["replaced_versions"] == 1


def test_store_export_import_round_trip(db: str, tmp_path: Path) -> None:
    _run("store", "add", str(INTAKE), str(FOLLOWUP), db=db)
    _run("fidelity", "published-case", "tutoring", "--status", "done", "--rating", "2", db=db)
    out = tmp_path / "export"
    assert "exported 2 assessments" in _run("store", "export", "-o", str(out), db=db).output
    other = f"sqlite:///{tmp_path / 'other.db'}"
    imported = _run("store", "import", str(out), db=other).output
    assert "imported 2 assessments (0 already stored), 1 fidelity records" in imported
    again = _run("store", "import", str(out), db=other).output
    assert "imported 0 assessments (2 already stored), 0 fidelity" in again
    for args in (
        ["show", "published-case", "--format", "json"],
        ["plan", "published-case", "--format", "json"],
    ):
        first = json.loads(_run("store", *args, db=db).output)
        second = json.loads(_run("store", *args, db=other).output)
        if "assessments" in first:
            for a in first["assessments"] + second["assessments"]:
                a.pop("stored_at")
        assert first == second


def test_store_export_refuses_a_folder_with_files(db: str, tmp_path: Path) -> None:
    _run("store", "add", str(INTAKE), db=db)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    result = _run("store", "export", "-o", str(tmp_path / "full"), db=db, code=1)
    assert "not an empty folder" in result.output
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


def test_store_verify_catches_a_changed_stored_plan(db: str, tmp_path: Path) -> None:
    _run("store", "add", str(INTAKE), str(FOLLOWUP), db=db)
    ok = _run("store", "verify", db=db).output
    assert "2 stored plans: 2 the same, 0 drifted" in ok
    from sqlalchemy import create_engine, text

    engine = create_engine(db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE plans SET plan_json = replace(plan_json, "
                '\'"action":"recommend"\', \'"action":"avoid"\') WHERE id = 1'
            )
        )
    engine.dispose()
    drifted = _run("store", "verify", db=db, code=1).output
    assert "DRIFT   published-case 2026-01-12 v1" in drifted and "recommendations" in drifted
    assert "1 drifted" in drifted


def test_store_commands_name_an_unknown_client(db: str) -> None:
    _run("store", "init", db=db)
    for args in (["show", "ghost-1"], ["plan", "ghost-1"]):
        result = _run("store", *args, db=db, code=1)
        assert "no client 'ghost-1'" in result.output


def test_store_refuses_a_database_url_it_cannot_use() -> None:
    result = _run("store", "list", db="mysql://somewhere/db", code=1)
    assert "SQLite or PostgreSQL" in result.output and "Traceback" not in result.output


def test_store_plan_refuses_a_malformed_assessment_date(db: str) -> None:
    _run("store", "add", str(INTAKE), db=db)
    result = _run("store", "plan", "published-case", "--assessment", "12/01/2026", db=db, code=2)
    assert "YYYY-MM-DD" in result.output


@pytest.mark.parametrize(
    "damage",
    [
        ("  sleep: ", "  sleep: 99 #"),
        ("metric: full", "metric: fully"),
        ("  - tf_cbt", "  - tf_cbtt"),
        ("schema: neuroseq/case/v1", "schema: neuroseq/case/v1\nschema: again"),
    ],
)
def test_store_add_refuses_a_file_exactly_as_plan_does(
    db: str, tmp_path: Path, damage: tuple[str, str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(INTAKE.read_text(encoding="utf-8").replace(*damage, 1))
    stored = CliRunner().invoke(main, ["store", "add", str(bad), "--db", db])
    planned = CliRunner().invoke(main, ["plan", str(bad)])
    assert stored.exit_code == planned.exit_code == 1
    problems = [line for line in stored.output.splitlines() if not line.startswith("neuroseq:")]
    assert problems and problems == [
        line for line in planned.output.splitlines() if not line.startswith("neuroseq:")
    ]
    assert "nothing was stored" in stored.output
