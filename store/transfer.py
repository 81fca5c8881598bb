"""Export a store (or one client) to a folder of plain files, and import such a folder.

The folder holds, per client and assessment version, the case file exactly
as it was read, the stored plan JSON, and a record file (provenance, the
previous assessment, fidelity records and decisions), with a manifest
``neuroseq-export.json`` listing them. Everything is re-importable: importing
into a store that has some of it already adds only what is missing, and
different content under the same client, date and version is refused.

An export is written to a private temporary folder (0700, files 0600) and
renamed into place, so a folder is either complete or not there. An import
checks every file first and stores all of it in one transaction, or nothing.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from neuroseq import __version__
from neuroseq.errors import NeuroseqError, Problem, SourceLocation, StoreError
from neuroseq.store import tables
from neuroseq.store.location import STORE_FILE_MODE, STORE_FOLDER_MODE
from neuroseq.store.records import StoredAssessment, compact_json
from neuroseq.vocabulary import DECISIONS, FIDELITY_STATUSES, OVERRIDE_REASONS

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.store.case_store import CaseStore

__all__ = ["EXPORT_SCHEMA", "MANIFEST", "Imported", "export_store", "import_store"]

EXPORT_SCHEMA = "neuroseq/store-export/v1"
MANIFEST = "neuroseq-export.json"


@dataclass(frozen=True)
class Imported:
    """What an import did: assessments added and left as they were, records added."""

    added: int
    unchanged: int
    records: int


def _stem(stored: StoredAssessment) -> str:
    return f"{stored.date}-v{stored.version}"


def _record(stored: StoredAssessment) -> dict[str, Any]:
    return {
        "schema": EXPORT_SCHEMA,
        "client": stored.client,
        "date": stored.date,
        "version": stored.version,
        "current": stored.current,
        "metric": stored.metric,
        "source": stored.source,
        "sha256": stored.sha256,
        "stored_at": stored.stored_at,
        "planned_at": stored.planned_at,
        "previous": (
            {"date": stored.previous_date, "version": stored.previous_version}
            if stored.previous_date is not None
            else None
        ),
        "follow_through": stored.follow_through,
        "fidelity": [r.to_json() for r in stored.fidelity],
        "decisions": [r.to_json() for r in stored.decisions],
    }


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, STORE_FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def export_store(store: CaseStore, folder: Path, client: str | None = None) -> int:
    """Write the store (or ``client``) to ``folder``, which must not exist or be empty.

    Returns the number of assessments written.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StoreError(
            [
                Problem(
                    SourceLocation(str(folder)),
                    "-o",
                    "exists and is not an empty folder; export to a new folder",
                )
            ]
        )
    parent = folder.parent if str(folder.parent) else Path(".")
    if not parent.is_dir():
        raise StoreError(
            [Problem(SourceLocation(str(folder)), "-o", f"the folder '{parent}' does not exist")]
        )
    names = [client] if client is not None else [c.client for c in store.clients()]
    histories = {name: store.history(name, all_versions=True) for name in names}
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    try:
        os.chmod(work, STORE_FOLDER_MODE)
        manifest: dict[str, Any] = {
            "schema": EXPORT_SCHEMA,
            "generator": f"neuroseq {__version__}",
            "clients": {},
        }
        count = 0
        for name, history in sorted(histories.items()):
            (work / name).mkdir(mode=STORE_FOLDER_MODE)
            entries = []
            for stored in history:
                stem = _stem(stored)
                suffix = "json" if stored.source.lower().endswith(".json") else "yaml"
                files = {
                    "case": f"{name}/{stem}.case.{suffix}",
                    "plan": f"{name}/{stem}.plan.json",
                    "record": f"{name}/{stem}.record.json",
                }
                _write(work / files["case"], stored.document)
                _write(work / files["plan"], stored.plan_json)
                _write(work / files["record"], json.dumps(_record(stored), indent=2) + "\n")
                entries.append({"date": stored.date, "version": stored.version, **files})
                count += 1
            manifest["clients"][name] = entries
        _write(work / MANIFEST, json.dumps(manifest, indent=2) + "\n")
        if folder.exists():
            folder.rmdir()
        os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    store._write(
        lambda c: store._audit(c, None, "export", client=client, detail=f"{count} assessments")
    )
    return count


# --- import -------------------------------------------------------------------


@dataclass
class _Entry:
    client: str
    date: str
    version: int
    current: bool
    metric: str
    source: str
    sha256: str
    document: str
    plan_json: str
    plan: Any
    record: dict[str, Any]


class _Problems:
    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, where: Path | str, field: str, message: str) -> None:
        self.found.append(Problem(SourceLocation(str(where)), field, message))


def _inside(folder: Path, name: Any, problems: _Problems, where: Path, field: str) -> Path | None:
    if not isinstance(name, str) or not name:
        problems.add(where, field, "must name a file of the export")
        return None
    path = folder / name
    try:
        resolved = path.resolve(strict=True)
    except OSError:
        problems.add(where, field, f"the file {name} is missing")
        return None
    if not resolved.is_relative_to(folder.resolve()) or not resolved.is_file():
        problems.add(where, field, "must name a file inside the export folder")
        return None
    return path


def _json_file(path: Path, problems: _Problems) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        problems.add(path, "", "cannot be read as UTF-8 text")
    except json.JSONDecodeError as exc:
        problems.found.append(
            Problem(SourceLocation(str(path), exc.lineno), "", "is not valid JSON")
        )
    return None


def _check_records(record: Mapping[str, Any], where: Path, problems: _Problems) -> None:
    for index, entry in enumerate(record.get("fidelity") or []):
        field = f"fidelity[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, field, "must be a mapping")
            continue
        if entry.get("status") not in FIDELITY_STATUSES:
            problems.add(where, f"{field}.status", "must be one of " + ", ".join(FIDELITY_STATUSES))
        rating = entry.get("rating")
        if rating is not None and (type(rating) is not int or not 0 <= rating <= 3):
            problems.add(where, f"{field}.rating", "must be 0, 1, 2, 3 or null")
        _text_fields(entry, ("intervention", "note", "by", "at"), where, field, problems)
    for index, entry in enumerate(record.get("decisions") or []):
        field = f"decisions[{index}]"
        if not isinstance(entry, dict):
            problems.add(where, field, "must be a mapping")
            continue
        if entry.get("decision") not in DECISIONS:
            problems.add(where, f"{field}.decision", "must be one of " + ", ".join(DECISIONS))
        reason = entry.get("reason")
        if reason is not None and reason not in OVERRIDE_REASONS:
            problems.add(where, f"{field}.reason", "must be one of " + ", ".join(OVERRIDE_REASONS))
        _text_fields(entry, ("intervention", "note", "by", "at"), where, field, problems)


def _text_fields(
    entry: Mapping[str, Any],
    names: tuple[str, ...],
    where: Path,
    field: str,
    problems: _Problems,
) -> None:
    from neuroseq.source import unsafe_character

    for name in names:
        value = entry.get(name)
        if value is None and name == "note":
            continue
        if not isinstance(value, str) or len(value) > 2000:
            problems.add(where, f"{field}.{name}", "must be text of at most 2,000 characters")
            continue
        unsafe = unsafe_character(value.replace("\n", " ").replace("\t", " "))
        if unsafe is not None:
            problems.add(where, f"{field}.{name}", unsafe)


def _read_entries(folder: Path, planner: Planner) -> list[_Entry]:
    from pydantic import ValidationError

    from neuroseq.api import parse_case
    from neuroseq.engine.plan_model import Plan

    problems = _Problems()
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise StoreError(
            [
                Problem(
                    SourceLocation(str(folder)),
                    "",
                    f"not a neuroseq export: {MANIFEST} is missing (`neuroseq store export` "
                    "writes it)",
                )
            ]
        )
    manifest = _json_file(manifest_path, problems)
    if manifest is not None and (
        not isinstance(manifest, dict)
        or manifest.get("schema") != EXPORT_SCHEMA
        or not isinstance(manifest.get("clients"), dict)
    ):
        problems.add(manifest_path, "schema", f"must be {EXPORT_SCHEMA} with a clients mapping")
        manifest = None
    entries: list[_Entry] = []
    for client, listed in (manifest or {}).get("clients", {}).items():
        if not isinstance(listed, list):
            problems.add(manifest_path, f"clients.{client}", "must be a list")
            continue
        for index, item in enumerate(listed):
            field = f"clients.{client}[{index}]"
            if not isinstance(item, dict):
                problems.add(manifest_path, field, "must be a mapping")
                continue
            paths = {
                key: _inside(folder, item.get(key), problems, manifest_path, f"{field}.{key}")
                for key in ("case", "plan", "record")
            }
            if None in paths.values():
                continue
            case_path, plan_path, record_path = paths["case"], paths["plan"], paths["record"]
            assert case_path and plan_path and record_path
            record = _json_file(record_path, problems)
            if not isinstance(record, dict):
                if record is not None:
                    problems.add(record_path, "", "must be a mapping")
                continue
            raw = case_path.read_bytes()
            try:
                case = parse_case(raw, str(case_path), catalog=planner.catalog)
            except NeuroseqError as exc:
                problems.found.extend(exc.problems)
                continue
            if case.sha256 != record.get("sha256"):
                problems.add(record_path, "sha256", "does not match the case file beside it")
            if case.client.id != client or record.get("client") != client:
                problems.add(record_path, "client", f"does not match the client '{client}'")
            date = case.client.assessment_date
            if date is None or date.isoformat() != record.get("date"):
                problems.add(record_path, "date", "does not match the case file's assessment date")
            version = record.get("version")
            if type(version) is not int or version < 1:
                problems.add(record_path, "version", "must be a whole number from 1")
                continue
            plan_text = plan_path.read_text(encoding="utf-8")
            try:
                plan = Plan.model_validate(json.loads(plan_text))
            except (json.JSONDecodeError, ValidationError):
                problems.add(plan_path, "", "is not a neuroseq/plan/v1 plan")
                continue
            if plan.client_id != client:
                problems.add(plan_path, "client_id", f"does not match the client '{client}'")
            _check_records(record, record_path, problems)
            entries.append(
                _Entry(
                    client=client,
                    date=str(record.get("date")),
                    version=version,
                    current=bool(record.get("current", True)),
                    metric=case.metric,
                    source=str(record.get("source") or case_path.name)[:255],
                    sha256=case.sha256,
                    document=raw.decode("utf-8"),
                    plan_json=plan_text,
                    plan=plan,
                    record=record,
                )
            )
    if problems.found:
        raise StoreError(problems.found)
    return sorted(entries, key=lambda e: (e.client, e.date, e.version))


def import_store(
    store: CaseStore, folder: Path, planner: Planner, *, actor: str | None = None
) -> Imported:
    """Import an export folder: all of it in one transaction, or nothing."""
    entries = _read_entries(folder, planner)
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")

    def work(connection: Connection) -> Imported:
        added = unchanged = records = 0
        conflicts: list[Problem] = []
        ids: dict[tuple[str, str, int], int] = {}
        for entry in entries:
            client_id = store._client_row(connection, entry.client)
            existing = connection.execute(
                select(tables.assessments.c.id, tables.assessments.c.sha256)
                .where(tables.assessments.c.client_id == client_id)
                .where(tables.assessments.c.assessment_date == entry.date)
                .where(tables.assessments.c.version == entry.version)
            ).first()
            if existing is not None:
                if existing.sha256 != entry.sha256:
                    conflicts.append(
                        Problem(
                            SourceLocation(str(folder)),
                            f"clients.{entry.client}",
                            f"the store holds a different assessment for {entry.date} "
                            f"(version {entry.version}); nothing was imported",
                        )
                    )
                    continue
                ids[(entry.client, entry.date, entry.version)] = int(existing.id)
                unchanged += 1
                plan_id = connection.execute(
                    select(tables.plans.c.id).where(tables.plans.c.assessment_id == existing.id)
                ).scalar_one()
            else:
                assessment_id = connection.execute(
                    tables.assessments.insert().values(
                        client_id=client_id,
                        assessment_date=entry.date,
                        version=entry.version,
                        current=False,
                        metric=entry.metric,
                        source_name=entry.source,
                        sha256=entry.sha256,
                        document=entry.document,
                        document_format="json"
                        if entry.source.lower().endswith(".json")
                        else "yaml",
                        stored_at=str(entry.record.get("stored_at") or stamp),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                ids[(entry.client, entry.date, entry.version)] = int(assessment_id)
                previous = entry.record.get("previous") or None
                previous_id = None
                if isinstance(previous, dict):
                    previous_id = ids.get(
                        (entry.client, str(previous.get("date")), int(previous.get("version") or 0))
                    )
                plan = entry.plan
                follow = entry.record.get("follow_through")
                plan_id = connection.execute(
                    tables.plans.insert().values(
                        assessment_id=assessment_id,
                        previous_assessment_id=previous_id,
                        plan_json=compact_json(json.loads(entry.plan_json)),
                        rulebase_version=plan.rulebase.version,
                        rulebase_sha256=plan.rulebase.sha256,
                        catalog_version=plan.catalog.version,
                        catalog_sha256=plan.catalog.sha256,
                        norms_version=plan.norms.version,
                        norms_sha256=plan.norms.sha256,
                        weights_version=plan.caregiver_weights.version
                        if plan.caregiver_weights
                        else None,
                        weights_sha256=plan.caregiver_weights.sha256
                        if plan.caregiver_weights
                        else None,
                        planned_at=str(entry.record.get("planned_at") or stamp),
                        follow_through=json.dumps(follow, sort_keys=True) if follow else None,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
                added += 1
            records += _merge_records(connection, int(plan_id), entry.record)
            _set_current(connection, client_id, entry.date)
        if conflicts:
            raise StoreError(conflicts)
        store._audit(
            connection,
            actor,
            "import",
            detail=f"{added} assessments added, {unchanged} unchanged, {records} records",
        )
        return Imported(added, unchanged, records)

    return store._write(work)


def _merge_records(connection: Connection, plan_id: int, record: Mapping[str, Any]) -> int:
    """Add the fidelity records and decisions the store does not hold yet."""
    have_fidelity = {
        (r.intervention, r.status, r.rating, r.note, r.recorded_by, r.recorded_at)
        for r in connection.execute(
            select(tables.fidelity).where(tables.fidelity.c.plan_id == plan_id)
        )
    }
    have_decisions = {
        (r.intervention, r.decision, r.reason, r.note, r.decided_by, r.decided_at)
        for r in connection.execute(
            select(tables.decisions).where(tables.decisions.c.plan_id == plan_id)
        )
    }
    count = 0
    for f in record.get("fidelity") or []:
        key = (f["intervention"], f["status"], f.get("rating"), f.get("note"), f["by"], f["at"])
        if key in have_fidelity:
            continue
        connection.execute(
            tables.fidelity.insert().values(
                plan_id=plan_id,
                intervention=key[0],
                status=key[1],
                rating=key[2],
                note=key[3],
                recorded_by=key[4],
                recorded_at=key[5],
            )
        )
        count += 1
    for d in record.get("decisions") or []:
        key = (d["intervention"], d["decision"], d.get("reason"), d.get("note"), d["by"], d["at"])
        if key in have_decisions:
            continue
        connection.execute(
            tables.decisions.insert().values(
                plan_id=plan_id,
                intervention=key[0],
                decision=key[1],
                reason=key[2],
                note=key[3],
                decided_by=key[4],
                decided_at=key[5],
            )
        )
        count += 1
    return count


def _set_current(connection: Connection, client_id: int, date: str) -> None:
    """The newest version of a client's assessment on ``date`` is the current one."""
    versions = connection.execute(
        select(tables.assessments.c.id, tables.assessments.c.version)
        .where(tables.assessments.c.client_id == client_id)
        .where(tables.assessments.c.assessment_date == date)
    ).all()
    newest = max(v.version for v in versions)
    for row in versions:
        connection.execute(
            tables.assessments.update()
            .where(tables.assessments.c.id == row.id)
            .values(current=row.version == newest)
        )
