"""The case store: each client's assessments, plans, fidelity records and decisions.

One :class:`CaseStore` per database. Every write is one transaction with its
audit line: all or nothing. An add stores the validated case (its text, as
read), plans it against the client's stored history (the latest earlier
assessment, its plan and what was recorded of that plan) and stores the
plan with its provenance::

    store = CaseStore.open()                     # --db URL, NEUROSEQ_DB, or the default file
    added = store.add(case_bytes, "intake.yaml", planner)
    store.record_fidelity("demo-001", "tutoring", status="done", rating=3)
    later = store.add(followup_bytes, "followup.yaml", planner)

Nothing is ever silently overwritten: re-adding the same file is a no-op
that says so; different content for the same client and date is refused
unless ``replace=True``, which keeps the old version.
"""

from __future__ import annotations

import datetime
import getpass
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table, func, select
from sqlalchemy.engine import URL, Connection, Engine, Row
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from neuroseq.errors import CaseError, NeuroseqError, Problem, SourceLocation, StoreError
from neuroseq.store import tables
from neuroseq.store.database import connect, current_revision, migrate
from neuroseq.store.location import resolve_url, shown_url
from neuroseq.store.records import (
    Added,
    ClientSummary,
    DecisionRecord,
    FidelityRecord,
    Outcome,
    StoredAssessment,
    compact_json,
    follow_through_of,
)
from neuroseq.vocabulary import DECISIONS, FIDELITY_STATUSES, OVERRIDE_REASONS

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.engine.workflow import PlanResult
    from neuroseq.scoring.case import Case

__all__ = ["CaseStore", "actor_name"]

_T = TypeVar("_T")
_RETRIES = 5
MAX_NOTE = 2000
MAX_NAME = 128


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def actor_name(given: str | None = None) -> str:
    """Who is acting: ``--by NAME``, else the login name.

    A given name is refused when it is longer than a name column holds or has control or
    bidi characters: it is kept in audit lines and token records that listings print to
    a terminal (where an escape sequence in it could hide the lines that follow).
    """
    if given:
        _check_text("command line", "--by", given, MAX_NAME)
        return given
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _problem(where: str, field: str, message: str) -> StoreError:
    return StoreError([Problem(SourceLocation(where), field, message)])


def _check_text(where: str, field: str, text: str | None, limit: int) -> None:
    """Short free text (a note, a name): bounded, no control or bidi characters.

    The message says what is wrong, never what was written.
    """
    from neuroseq.source import unsafe_character

    if text is None:
        return
    if len(text) > limit:
        raise _problem(where, field, f"is {len(text):,} characters; the limit is {limit:,}")
    unsafe = unsafe_character(text.replace("\n", " ").replace("\t", " "))
    if unsafe is not None:
        raise _problem(where, field, unsafe)


class CaseStore:
    """A case store on one database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str | URL | None = None) -> CaseStore:
        """Open (creating and migrating as needed) the store at ``url``.

        ``None`` means ``NEUROSEQ_DB``, else the SQLite file in the user's data
        directory (:mod:`neuroseq.store.location`).
        """
        resolved = url if isinstance(url, URL) else resolve_url(url)
        return cls(connect(resolved))

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def where(self) -> str:
        """The database, fit for messages (no password)."""
        return shown_url(self.engine.url)

    # --- schema -------------------------------------------------------------

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return current_revision(connection)

    def init(self, *, actor: str | None = None) -> tuple[str | None, str | None]:
        """Create or migrate the schema (already done on opening); audit it."""
        before, after = migrate(self.engine)
        self._write(lambda c: self._audit(c, actor, "init", detail=f"schema {after}"))
        return before, after

    # --- transactions -------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except IntegrityError:
            raise
        except OperationalError as exc:
            raise _problem(self.where, "", f"the database is not usable: {_reason(exc)}") from None
        except DBAPIError as exc:
            raise _problem(self.where, "", f"the database refused it: {_reason(exc)}") from None

    def _write(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in one transaction, again when a concurrent writer won a race."""
        for attempt in range(_RETRIES):
            try:
                with self._transaction() as connection:
                    return work(connection)
            except IntegrityError:
                if attempt == _RETRIES - 1:
                    raise _problem(
                        self.where, "", "another writer kept changing the same records; try again"
                    ) from None
        raise AssertionError("unreachable")

    def _audit(
        self,
        connection: Connection,
        actor: str | None,
        action: str,
        *,
        client: str | None = None,
        date: str | None = None,
        detail: str = "",
    ) -> None:
        # One cached statement with its values as parameters (``insert().values(...)``
        # would build and compile a new statement on every call).
        connection.execute(
            tables.audit.insert(),
            {
                "at": _now(),
                "actor": actor_name(actor)[:MAX_NAME],
                "action": action,
                "client": client,
                "assessment_date": date,
                "detail": detail[:255],
            },
        )

    # --- adding -------------------------------------------------------------

    def add_files(
        self,
        paths: Sequence[Path],
        planner: Planner,
        *,
        replace: bool = False,
        actor: str | None = None,
        progress: Callable[[Added], None] | None = None,
    ) -> list[Added]:
        """Validate every file first (every problem in one error, nothing stored), then
        add each in date order, one transaction per file."""
        from neuroseq.api import parse_case
        from neuroseq.source import read_source

        problems: list[Problem] = []
        loaded: list[tuple[Case, bytes, str]] = []
        for path in paths:
            try:
                raw = read_source(path, error=CaseError)
                case = parse_case(raw, str(path), catalog=planner.catalog)
                _dated(case, str(path))
                loaded.append((case, raw, str(path)))
            except NeuroseqError as exc:
                problems.extend(exc.problems)
        if problems:
            raise CaseError(problems)
        loaded.sort(key=lambda x: (x[0].client.id, str(x[0].client.assessment_date)))
        done = []
        for case, raw, source in loaded:
            added = self.add_case(case, raw, source, planner, replace=replace, actor=actor)
            if progress is not None:
                progress(added)
            done.append(added)
        return done

    def add(
        self,
        raw: bytes,
        source: str,
        planner: Planner,
        *,
        replace: bool = False,
        actor: str | None = None,
    ) -> Added:
        """Validate the case text ``raw`` (named ``source`` in messages) and add it."""
        from neuroseq.api import parse_case

        case = parse_case(raw, source, catalog=planner.catalog)
        return self.add_case(case, raw, source, planner, replace=replace, actor=actor)

    def add_case(
        self,
        case: Case,
        raw: bytes,
        source: str,
        planner: Planner,
        *,
        replace: bool = False,
        actor: str | None = None,
    ) -> Added:
        """Store a validated case (read from ``raw``) and its plan: one transaction."""
        date = _dated(case, source)
        text = raw.decode("utf-8")

        def work(connection: Connection) -> Added:
            client_id = self._client_row(connection, case.client.id)
            # The client's assessments in one query (a client has few): the same
            # date, the latest earlier one, and any later ones.
            dated = connection.execute(
                select(
                    tables.assessments.c.id,
                    tables.assessments.c.assessment_date,
                    tables.assessments.c.version,
                    tables.assessments.c.current,
                    tables.assessments.c.sha256,
                )
                .where(tables.assessments.c.client_id == client_id)
                .order_by(tables.assessments.c.assessment_date, tables.assessments.c.version)
            ).all()
            same_date = [row for row in dated if row.assessment_date == date]
            current = [row for row in same_date if row.current]
            version = 1
            if current:
                if current[-1].sha256 == case.sha256:
                    return Added(
                        case.client.id, date, "unchanged", current[-1].version, source=source
                    )
                if not replace:
                    raise _problem(
                        source,
                        "client.assessment_date",
                        f"client '{case.client.id}' already has a different assessment stored for "
                        f"{date}; nothing was changed. Add it with --replace to store this one as "
                        "a new version (the old version is kept)",
                    )
                connection.execute(
                    tables.assessments.update()
                    .where(tables.assessments.c.id == current[-1].id)
                    .values(current=False)
                )
            if same_date:
                version = max(row.version for row in same_date) + 1
            before = [row for row in dated if row.current and row.assessment_date < date]
            earlier = before[-1] if before else None
            previous_result = follow = None
            if earlier is not None:
                row = connection.execute(
                    select(tables.assessments).where(tables.assessments.c.id == earlier.id)
                ).one()
                stored = self._stored(connection, case.client.id, row)
                previous_result = self.result_of(stored, planner)
                follow = follow_through_of(stored)
            result = planner.plan(case, previous=previous_result, follow_through=follow or None)
            plan = result.plan
            assessment_id = connection.execute(
                tables.assessments.insert(),
                {
                    "client_id": client_id,
                    "assessment_date": date,
                    "version": version,
                    "current": True,
                    "metric": case.metric,
                    "source_name": source[:255],
                    "sha256": case.sha256,
                    "document": text,
                    "document_format": "json" if source.lower().endswith(".json") else "yaml",
                    "stored_at": _now(),
                },
            ).inserted_primary_key[0]  # type: ignore[index]
            weights = plan.caregiver_weights
            connection.execute(
                tables.plans.insert(),
                {
                    "assessment_id": assessment_id,
                    "previous_assessment_id": earlier.id if earlier is not None else None,
                    "plan_json": compact_json(plan.to_json()),
                    "rulebase_version": plan.rulebase.version,
                    "rulebase_sha256": plan.rulebase.sha256,
                    "catalog_version": plan.catalog.version,
                    "catalog_sha256": plan.catalog.sha256,
                    "norms_version": plan.norms.version,
                    "norms_sha256": plan.norms.sha256,
                    "weights_version": weights.version if weights else None,
                    "weights_sha256": weights.sha256 if weights else None,
                    "planned_at": _now(),
                    "follow_through": (
                        json.dumps(follow.to_json(), sort_keys=True) if follow else None
                    ),
                },
            )
            outcome: Outcome = "replaced" if current else "stored"
            self._audit(
                connection,
                actor,
                "replace" if current else "add",
                client=case.client.id,
                date=date,
                detail=f"version {version} sha256 {case.sha256} rulebase {plan.rulebase.sha256[:12]}",
            )
            later = [
                row.assessment_date for row in dated if row.current and row.assessment_date > date
            ]
            return Added(
                case.client.id,
                date,
                outcome,
                version,
                previous_date=earlier.assessment_date if earlier is not None else None,
                items=len(plan.recommendations),
                source=source,
                later_dates=tuple(later),
            )

        return self._write(work)

    def _client_row(self, connection: Connection, pseudonym: str) -> int:
        found = connection.execute(
            select(tables.clients.c.id).where(tables.clients.c.pseudonym == pseudonym)
        ).scalar()
        if found is not None:
            return int(found)
        inserted = connection.execute(
            tables.clients.insert(), {"pseudonym": pseudonym, "created_at": _now()}
        ).inserted_primary_key[0]  # type: ignore[index]
        return int(inserted)

    # --- reading ------------------------------------------------------------

    def clients(self) -> list[ClientSummary]:
        """Every client with the dates of their current assessments."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    tables.clients.c.pseudonym,
                    tables.assessments.c.assessment_date,
                    tables.assessments.c.metric,
                )
                .join(tables.assessments, tables.assessments.c.client_id == tables.clients.c.id)
                .where(tables.assessments.c.current.is_(True))
                .order_by(tables.clients.c.pseudonym, tables.assessments.c.assessment_date)
            ).all()
        grouped: dict[str, list[tuple[str, str]]] = {}
        for pseudonym, date, metric in rows:
            grouped.setdefault(pseudonym, []).append((date, metric))
        return [
            ClientSummary(name, tuple(d for d, _ in found), tuple(m for _, m in found))
            for name, found in grouped.items()
        ]

    def history(self, client: str, *, all_versions: bool = False) -> list[StoredAssessment]:
        """The client's assessments, oldest first (current versions unless ``all_versions``)."""
        with self.engine.connect() as connection:
            client_id = self._known_client(connection, client)
            query = select(tables.assessments).where(tables.assessments.c.client_id == client_id)
            if not all_versions:
                query = query.where(tables.assessments.c.current.is_(True))
            rows = connection.execute(
                query.order_by(tables.assessments.c.assessment_date, tables.assessments.c.version)
            ).all()
            return [self._stored(connection, client, row) for row in rows]

    def assessment(self, client: str, date: str | None = None) -> StoredAssessment:
        """One current assessment of the client: on ``date``, else the latest."""
        history = self.history(client)
        if date is None:
            return history[-1]
        for stored in history:
            if stored.date == date:
                return stored
        dates = ", ".join(s.date for s in history)
        raise _problem(
            self.where,
            "--assessment",
            f"client '{client}' has no assessment on {date}; stored: {dates}",
        )

    def _known_client(self, connection: Connection, client: str) -> int:
        found = connection.execute(
            select(tables.clients.c.id).where(tables.clients.c.pseudonym == client)
        ).scalar()
        if found is None:
            count = connection.execute(select(func.count()).select_from(tables.clients)).scalar()
            raise _problem(
                self.where,
                "CLIENT",
                f"no client '{client}' in the store ({count} clients; `neuroseq store list` "
                "shows them)",
            )
        return int(found)

    def _stored(self, connection: Connection, client: str, row: Row[Any]) -> StoredAssessment:
        plan = connection.execute(
            select(tables.plans).where(tables.plans.c.assessment_id == row.id)
        ).one()
        previous = None
        if plan.previous_assessment_id is not None:
            previous = connection.execute(
                select(tables.assessments.c.assessment_date, tables.assessments.c.version).where(
                    tables.assessments.c.id == plan.previous_assessment_id
                )
            ).one()
        fidelity = connection.execute(
            select(tables.fidelity)
            .where(tables.fidelity.c.plan_id == plan.id)
            .order_by(tables.fidelity.c.id)
        ).all()
        decided = connection.execute(
            select(tables.decisions)
            .where(tables.decisions.c.plan_id == plan.id)
            .order_by(tables.decisions.c.id)
        ).all()
        return StoredAssessment(
            client=client,
            date=row.assessment_date,
            version=row.version,
            current=bool(row.current),
            metric=row.metric,
            source=row.source_name,
            sha256=row.sha256,
            document=row.document,
            stored_at=row.stored_at,
            plan_compact=plan.plan_json,
            planned_at=plan.planned_at,
            previous_date=previous.assessment_date if previous is not None else None,
            previous_version=previous.version if previous is not None else None,
            follow_through=json.loads(plan.follow_through) if plan.follow_through else None,
            provenance={
                "rulebase": {"version": plan.rulebase_version, "sha256": plan.rulebase_sha256},
                "catalog": {"version": plan.catalog_version, "sha256": plan.catalog_sha256},
                "norms": {"version": plan.norms_version, "sha256": plan.norms_sha256},
                "caregiver_weights": (
                    {"version": plan.weights_version, "sha256": plan.weights_sha256}
                    if plan.weights_sha256
                    else None
                ),
            },
            fidelity=tuple(
                FidelityRecord(
                    r.intervention, r.status, r.rating, r.note, r.recorded_by, r.recorded_at
                )
                for r in fidelity
            ),
            decisions=tuple(
                DecisionRecord(
                    r.intervention, r.decision, r.reason, r.note, r.decided_by, r.decided_at
                )
                for r in decided
            ),
        )

    def result_of(self, stored: StoredAssessment, planner: Planner) -> PlanResult:
        """The stored assessment as a :class:`~neuroseq.engine.workflow.PlanResult`
        (its case re-read, its stored plan as it is), for reports and follow-ups."""
        from neuroseq.api import parse_case
        from neuroseq.engine.plan_model import Plan
        from neuroseq.engine.workflow import PlanResult
        from neuroseq.scoring.profile import score

        case = parse_case(stored.document.encode("utf-8"), stored.source)
        plan = Plan.model_validate(json.loads(stored.plan_compact))
        return PlanResult(
            case, score(case, planner.norms), plan, None, None, planner.catalog, planner.norms
        )

    def plan_result(
        self, client: str, planner: Planner, date: str | None = None
    ) -> tuple[StoredAssessment, PlanResult]:
        """The stored plan of one assessment (the latest when ``date`` is None)."""
        stored = self.assessment(client, date)
        result = self.result_of(stored, planner)
        if stored.previous_date is not None:
            earlier = self.assessment(client, stored.previous_date)
            result = _with_previous(result, self.result_of(earlier, planner))
        return stored, result

    # --- fidelity and decisions --------------------------------------------

    def _plan_item(
        self, connection: Connection, client: str, item: str, date: str | None
    ) -> tuple[int, str]:
        client_id = self._known_client(connection, client)
        query = (
            select(
                tables.plans.c.id, tables.plans.c.plan_json, tables.assessments.c.assessment_date
            )
            .join(tables.assessments, tables.plans.c.assessment_id == tables.assessments.c.id)
            .where(tables.assessments.c.client_id == client_id)
            .where(tables.assessments.c.current.is_(True))
        )
        if date is not None:
            query = query.where(tables.assessments.c.assessment_date == date)
        row = connection.execute(
            query.order_by(tables.assessments.c.assessment_date.desc()).limit(1)
        ).first()
        if row is None:
            raise _problem(
                self.where, "--assessment", f"client '{client}' has no assessment on {date}"
            )
        planned = [r["intervention"] for r in json.loads(row.plan_json)["recommendations"]]
        if item not in planned:
            raise _problem(
                self.where,
                "ITEM",
                f"'{item}' is not in the plan of {row.assessment_date}; its items: "
                + ", ".join(planned),
            )
        return int(row.id), str(row.assessment_date)

    def record_fidelity(
        self,
        client: str,
        item: str,
        *,
        status: str,
        rating: int | None = None,
        note: str | None = None,
        by: str | None = None,
        date: str | None = None,
    ) -> FidelityRecord:
        """Record whether a recommendation of a stored plan was carried out, and how well."""
        if status not in FIDELITY_STATUSES:
            raise _problem(self.where, "--status", "must be one of " + ", ".join(FIDELITY_STATUSES))
        if rating is not None and not 0 <= rating <= 3:
            raise _problem(self.where, "--rating", "must be 0, 1, 2 or 3")
        _check_text(self.where, "--note", note, MAX_NOTE)
        _check_text(self.where, "--by", by, MAX_NAME)
        who = actor_name(by)
        values = {"status": status, "rating": rating, "note": note, "recorded_by": who}
        at = self._record_on_item(
            tables.fidelity, values, "recorded_at", (client, item, date), who, "fidelity", status
        )
        return FidelityRecord(item, status, rating, note, who, at)

    def decide(
        self,
        client: str,
        item: str,
        *,
        accept: bool,
        reason: str | None = None,
        note: str | None = None,
        by: str | None = None,
        date: str | None = None,
    ) -> DecisionRecord:
        """Record a clinician's decision on one recommendation (accepted, or overridden)."""
        if accept and reason is not None:
            raise _problem(self.where, "--override", "give --accept or --override, not both")
        if not accept and reason not in OVERRIDE_REASONS:
            raise _problem(
                self.where, "--override", "must be one of " + ", ".join(OVERRIDE_REASONS)
            )
        _check_text(self.where, "--note", note, MAX_NOTE)
        _check_text(self.where, "--by", by, MAX_NAME)
        who = actor_name(by)
        decision = DECISIONS[0] if accept else DECISIONS[1]
        values = {"decision": decision, "reason": reason, "note": note, "decided_by": who}
        detail = decision + (f" {reason}" if reason else "")
        at = self._record_on_item(
            tables.decisions, values, "decided_at", (client, item, date), who, "decide", detail
        )
        return DecisionRecord(item, decision, reason, note, who, at)

    def _record_on_item(
        self,
        table: Table,
        values: Mapping[str, Any],
        stamp: str,
        where: tuple[str, str, str | None],
        who: str,
        action: str,
        detail: str,
    ) -> str:
        """Store ``values`` about one item of a stored plan (``where``: client, item, plan
        date) with its audit line, in one transaction; return when, which goes in the
        column ``stamp``."""
        client, item, date = where

        def work(connection: Connection) -> str:
            plan_id, on = self._plan_item(connection, client, item, date)
            at = _now()
            connection.execute(
                table.insert().values(plan_id=plan_id, intervention=item, **values, **{stamp: at})
            )
            self._audit(connection, who, action, client=client, date=on, detail=f"{item} {detail}")
            return at

        return self._write(work)

    # --- audit --------------------------------------------------------------

    def audit_log(self, client: str | None = None) -> list[dict[str, Any]]:
        """The audit lines (who did what, when), oldest first."""
        query = select(tables.audit).order_by(tables.audit.c.id)
        if client is not None:
            query = query.where(tables.audit.c.client == client)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    # --- the web app -------------------------------------------------------

    def log_event(
        self,
        actor: str,
        action: str,
        *,
        client: str | None = None,
        date: str | None = None,
        detail: str = "",
    ) -> None:
        """Add one audit line on its own (the web app's views, logins and account changes).

        ``detail`` holds ids and codes only, never case content.
        """
        self._write(
            lambda connection: self._audit(
                connection, actor, action, client=client, date=date, detail=detail
            )
        )


def _with_previous(result: PlanResult, earlier: PlanResult) -> PlanResult:
    from dataclasses import replace

    from neuroseq.engine.planner import previous_assessment

    return replace(
        result, previous=previous_assessment(earlier.case, earlier.profile, earlier.plan)
    )


def _dated(case: Case, source: str) -> str:
    if case.client.assessment_date is None:
        raise CaseError(
            [
                Problem(
                    SourceLocation(source),
                    "client.assessment_date",
                    "the store orders a client's assessments by date: give the assessment date "
                    "(YYYY-MM-DD)",
                )
            ]
        )
    return case.client.assessment_date.isoformat()


def _reason(exc: DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else type(exc.orig).__name__
