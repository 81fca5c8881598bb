"""Export and import: a round trip, re-import as a no-op, and refusals that store nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from neuroseq.errors import StoreError
from neuroseq.store import CaseStore
from neuroseq.store.transfer import MANIFEST, export_store, import_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


@pytest.fixture
def filled(store_url: str, planner: Any) -> Any:
    store = CaseStore.open(store_url)
    store.add_files([INTAKE, FOLLOWUP], planner)
    store.record_fidelity("published-case", "tutoring", status="done", rating=2, note="weekly")
    store.decide("published-case", "tf_cbt", accept=False, reason="timing", note="after summer")
    yield store
    store.close()


def test_export_store_writes_private_files_and_a_manifest(
    filled: CaseStore, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    assert export_store(filled, folder) == 2
    manifest = json.loads((folder / MANIFEST).read_text())
    entries = manifest["clients"]["published-case"]
    assert [e["date"] for e in entries] == ["2026-01-12", "2027-01-18"]
    assert (folder / entries[0]["case"]).read_text() == INTAKE.read_text()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.rglob("*") if p.is_file())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")], "no temporary folder"


def test_import_store_round_trip_keeps_plans_and_records(
    filled: CaseStore, tmp_path: Path, planner: Any
) -> None:
    folder = tmp_path / "out"
    export_store(filled, folder)
    with CaseStore.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        done = import_store(copy, folder, planner)
        assert (done.added, done.unchanged, done.records) == (2, 0, 2)
        original = filled.history("published-case")
        imported = copy.history("published-case")
        assert [s.plan_json for s in imported] == [s.plan_json for s in original]
        assert imported[1].previous_date == "2026-01-12"
        assert imported[1].latest_fidelity()["tutoring"].note == "weekly"
        assert imported[1].latest_decisions()["tf_cbt"].reason == "timing"
        again = import_store(copy, folder, planner)
        assert (again.added, again.unchanged, again.records) == (0, 2, 0)


def test_import_store_refuses_a_tampered_case_and_stores_nothing(
    filled: CaseStore, tmp_path: Path, planner: Any
) -> None:
    folder = tmp_path / "out"
    export_store(filled, folder)
    case = next(folder.glob("published-case/2026-01-12-v1.case.yaml"))
    case.write_text(case.read_text().replace("placements_count: 6", "placements_count: 8"))
    record = next(folder.glob("published-case/2027-01-18-v1.record.json"))
    data = json.loads(record.read_text())
    data["fidelity"][0]["status"] = "mostly"
    record.write_text(json.dumps(data))
    with CaseStore.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        with pytest.raises(StoreError) as refused:
            import_store(copy, folder, planner)
        message = str(refused.value)
        assert "2026-01-12-v1.record.json: sha256: does not match" in message
        assert "2027-01-18-v1.record.json: fidelity[0].status" in message
        assert copy.clients() == []


def test_import_store_refuses_different_content_under_the_same_version(
    filled: CaseStore, tmp_path: Path, planner: Any, case_text: Any
) -> None:
    folder = tmp_path / "out"
    export_store(filled, folder)
    with CaseStore.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        other = case_text("published-case", "2026-01-12").replace(
            "placements_count: 6", "placements_count: 9"
        )
        copy.add(other.encode(), "other.yaml", planner)
        with pytest.raises(StoreError) as refused:
            import_store(copy, folder, planner)
        assert "different assessment for 2026-01-12" in str(refused.value)
        assert [s.source for s in copy.history("published-case")] == ["other.yaml"]


def test_import_store_refuses_a_folder_that_is_not_an_export(tmp_path: Path, planner: Any) -> None:
    with CaseStore.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        with pytest.raises(StoreError) as refused:
            import_store(copy, tmp_path, planner)
        assert MANIFEST in str(refused.value)


def test_import_store_refuses_paths_outside_the_export(
    filled: CaseStore, tmp_path: Path, planner: Any
) -> None:
    folder = tmp_path / "out"
    export_store(filled, folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["clients"]["published-case"][0]["case"] = "../../etc/passwd"
    (folder / MANIFEST).write_text(json.dumps(manifest))
    with CaseStore.open(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        with pytest.raises(StoreError) as refused:
            import_store(copy, folder, planner)
        assert "inside the export folder" in str(refused.value) or "missing" in str(refused.value)
        assert copy.clients() == []


def test_export_store_of_one_client(filled: CaseStore, tmp_path: Path, planner: Any) -> None:
    filled.add(
        INTAKE.read_text().replace("id: published-case", "id: other-client").encode(),
        "other.yaml",
        planner,
    )
    assert export_store(filled, tmp_path / "one", "other-client") == 1
    manifest = json.loads((tmp_path / "one" / MANIFEST).read_text())
    assert list(manifest["clients"]) == ["other-client"]
