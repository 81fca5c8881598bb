"""The case store's API on SQLite and PostgreSQL: adds, history, fidelity, decisions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

import neuroseq
from neuroseq.errors import CaseError, StoreError
from neuroseq.store import CaseStore, tables
from neuroseq.store.database import head_revision

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


def _counts(store: CaseStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in (
                ("clients", tables.clients),
                ("assessments", tables.assessments),
                ("plans", tables.plans),
                ("audit", tables.audit),
            )
        }


@pytest.fixture
def store(store_url: str) -> Any:
    opened = CaseStore.open(store_url)
    yield opened
    opened.close()


def test_case_store_add_files_stores_each_assessment_with_its_plan(
    store: CaseStore, planner: Any
) -> None:
    added = store.add_files([FOLLOWUP, INTAKE], planner)
    assert [(a.date, a.outcome, a.previous_date) for a in added] == [
        ("2026-01-12", "stored", None),
        ("2027-01-18", "stored", "2026-01-12"),
    ]
    assert _counts(store) == {"clients": 1, "assessments": 2, "plans": 2, "audit": 2}
    history = store.history("published-case")
    assert [s.date for s in history] == ["2026-01-12", "2027-01-18"]
    assert history[0].document == INTAKE.read_text(encoding="utf-8")
    assert history[1].provenance["rulebase"]["sha256"] == planner.engine.rulebase.sha256
    assert history[1].provenance["norms"]["sha256"] == planner.norms.sha256


def test_case_store_add_files_plan_matches_plan_with_previous_byte_for_byte(
    store: CaseStore, planner: Any
) -> None:
    store.add_files([INTAKE, FOLLOWUP], planner)
    expected = neuroseq.render(
        neuroseq.plan_files(FOLLOWUP, planner=planner, previous=INTAKE), "json"
    )
    stored, result = store.plan_result("published-case", planner)
    assert stored.plan_json == expected
    for fmt in ("text", "md"):
        fresh = neuroseq.plan_files(FOLLOWUP, planner=planner, previous=INTAKE)
        if fmt == "md":
            import datetime

            from neuroseq.reports.render import render_plan

            day = datetime.date(2026, 12, 1)
            assert render_plan(result, fmt, generated=day) == render_plan(fresh, fmt, generated=day)
        else:
            assert neuroseq.render(result, fmt) == neuroseq.render(fresh, fmt)


def test_case_store_add_files_again_is_a_no_op_that_says_so(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE], planner)
    before = _counts(store)
    (again,) = store.add_files([INTAKE], planner)
    assert again.outcome == "unchanged"
    assert _counts(store) == before


def test_case_store_add_refuses_different_content_for_the_same_date(
    store: CaseStore, planner: Any, case_text: Callable[..., str]
) -> None:
    store.add_files([INTAKE], planner)
    changed = case_text("published-case", "2026-01-12").replace(
        "placements_count: 6", "placements_count: 7"
    )
    before = _counts(store)
    with pytest.raises(StoreError) as refused:
        store.add(changed.encode(), "changed.yaml", planner)
    assert "--replace" in str(refused.value)
    assert "changed.yaml" in str(refused.value)
    assert _counts(store) == before


def test_case_store_add_with_replace_keeps_the_old_version(
    store: CaseStore, planner: Any, case_text: Callable[..., str]
) -> None:
    store.add_files([INTAKE], planner)
    changed = case_text("published-case", "2026-01-12").replace(
        "placements_count: 6", "placements_count: 7"
    )
    added = store.add(changed.encode(), "changed.yaml", planner, replace=True)
    assert (added.outcome, added.version) == ("replaced", 2)
    versions = store.history("published-case", all_versions=True)
    assert [(s.version, s.current) for s in versions] == [(1, False), (2, True)]
    assert store.history("published-case")[0].version == 2
    assert versions[0].document == INTAKE.read_text(encoding="utf-8")


def test_case_store_add_files_refuses_every_bad_file_and_stores_nothing(
    store: CaseStore, planner: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(INTAKE.read_text(encoding="utf-8").replace("age_years: 9.0", "age_years: 190"))
    worse = tmp_path / "worse.yaml"
    worse.write_text("schema: neuroseq/case/v1\nmetric: full\n")
    with pytest.raises(CaseError) as refused:
        store.add_files([INTAKE, bad, worse], planner)
    message = str(refused.value)
    assert "bad.yaml:" in message and "client.age_years" in message
    assert "worse.yaml" in message
    assert _counts(store) == {"clients": 0, "assessments": 0, "plans": 0, "audit": 0}


def test_case_store_add_files_refuses_a_case_without_an_assessment_date(
    store: CaseStore, planner: Any, tmp_path: Path
) -> None:
    undated = tmp_path / "undated.yaml"
    undated.write_text(
        INTAKE.read_text(encoding="utf-8").replace("  assessment_date: 2026-01-12\n", "")
    )
    with pytest.raises(CaseError) as refused:
        store.add_files([undated], planner)
    assert "undated.yaml: client.assessment_date:" in str(refused.value)
    assert _counts(store)["assessments"] == 0


def test_case_store_add_case_is_one_transaction(
    store: CaseStore, planner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the assessment row is written leaves nothing of it behind."""
    import neuroseq.store.case_store

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full while writing the plan")

    monkeypatch.setattr(neuroseq.store.case_store, "compact_json", broken)
    with pytest.raises(RuntimeError):
        store.add_files([INTAKE], planner)
    monkeypatch.undo()
    assert _counts(store) == {"clients": 0, "assessments": 0, "plans": 0, "audit": 0}


def test_case_store_history_names_an_unknown_client(store: CaseStore) -> None:
    with pytest.raises(StoreError) as refused:
        store.history("nobody-1")
    assert "no client 'nobody-1'" in str(refused.value)


def test_case_store_assessment_names_the_stored_dates(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE], planner)
    with pytest.raises(StoreError) as refused:
        store.assessment("published-case", "2030-01-01")
    assert "2026-01-12" in str(refused.value)


def test_case_store_clients_lists_current_assessments(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE, FOLLOWUP], planner)
    (summary,) = store.clients()
    assert summary.client == "published-case"
    assert summary.dates == ("2026-01-12", "2027-01-18")
    assert summary.metrics == ("full", "follow_up")


def test_case_store_record_fidelity_keeps_every_record_and_the_newest_counts(
    store: CaseStore, planner: Any
) -> None:
    store.add_files([INTAKE], planner)
    store.record_fidelity("published-case", "drumming", status="partly", rating=1, by="A")
    store.record_fidelity(
        "published-case", "drumming", status="done", rating=3, note="weekly", by="B"
    )
    stored = store.assessment("published-case")
    assert [r.status for r in stored.fidelity] == ["partly", "done"]
    latest = stored.latest_fidelity()["drumming"]
    assert (latest.status, latest.rating, latest.note, latest.by) == ("done", 3, "weekly", "B")


@pytest.mark.parametrize(
    ("item", "options", "field"),
    [
        ("nonesuch", {"status": "done"}, "ITEM"),
        ("drumming", {"status": "finished"}, "--status"),
        ("drumming", {"status": "done", "rating": 4}, "--rating"),
        ("drumming", {"status": "done", "note": "x\x1b[2J"}, "--note"),
        ("drumming", {"status": "done", "note": "x" * 2001}, "--note"),
        ("drumming", {"status": "done", "by": "a\u202eb"}, "--by"),
    ],
)
def test_case_store_record_fidelity_refuses_bad_values_and_stores_nothing(
    store: CaseStore, planner: Any, item: str, options: dict[str, Any], field: str
) -> None:
    store.add_files([INTAKE], planner)
    before = _counts(store)
    with pytest.raises(StoreError) as refused:
        store.record_fidelity("published-case", item, **options)
    assert refused.value.problems[0].field == field
    assert "\x1b" not in str(refused.value) and "xxxxxxxx" not in str(refused.value)
    assert _counts(store) == before


def test_case_store_decide_records_accepts_and_overrides(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE], planner)
    store.decide("published-case", "drumming", accept=True)
    store.decide(
        "published-case", "animal_assisted", accept=False, reason="not_available", note="none near"
    )
    decisions = store.assessment("published-case").latest_decisions()
    assert decisions["drumming"].decision == "accepted"
    assert (decisions["animal_assisted"].decision, decisions["animal_assisted"].reason) == (
        "overridden",
        "not_available",
    )


def test_case_store_decide_refuses_an_unknown_reason(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE], planner)
    with pytest.raises(StoreError) as refused:
        store.decide("published-case", "drumming", accept=False, reason="whim")
    assert "clinical_judgement" in str(refused.value)


def _followup_plan(store: CaseStore, planner: Any) -> dict[str, Any]:
    store.add_files([FOLLOWUP], planner)
    return store.assessment("published-case").plan


def test_case_store_add_follow_up_not_done_item_is_never_continued(
    store: CaseStore, planner: Any
) -> None:
    """singing_humming is a current service in the follow-up file, but fidelity says not done."""
    fresh = neuroseq.plan_files(FOLLOWUP, planner=planner, previous=INTAKE).plan
    assert {r.intervention: r.action for r in fresh.recommendations}[
        "singing_humming"
    ] == "continue"
    store.add_files([INTAKE], planner)
    store.record_fidelity("published-case", "singing_humming", status="not_done")
    plan = _followup_plan(store, planner)
    actions = {r["intervention"]: r for r in plan["recommendations"]}
    assert actions["singing_humming"]["action"] != "continue"
    assert any("review the barriers" in n for n in actions["singing_humming"]["notes"])


def test_case_store_add_follow_up_done_with_good_fidelity_continues(
    store: CaseStore, planner: Any
) -> None:
    store.add_files([INTAKE], planner)
    store.record_fidelity("published-case", "family_routines", status="done", rating=3)
    plan = _followup_plan(store, planner)
    actions = {r["intervention"]: r["action"] for r in plan["recommendations"]}
    assert actions["family_routines"] == "continue"
    fresh = neuroseq.plan_files(FOLLOWUP, planner=planner, previous=INTAKE).plan
    assert {r.intervention: r.action for r in fresh.recommendations}[
        "family_routines"
    ] == "recommend"


def test_case_store_add_follow_up_notes_overridden_items_and_why(
    store: CaseStore, planner: Any
) -> None:
    store.add_files([INTAKE], planner)
    store.decide(
        "published-case",
        "animal_assisted",
        accept=False,
        reason="not_available",
        note="no provider",
    )
    plan = _followup_plan(store, planner)
    overridden = plan["previous"]["follow_through"]["overridden"]
    assert overridden == {"animal_assisted": {"reason": "not_available", "note": "no provider"}}
    item = next(r for r in plan["recommendations"] if r["intervention"] == "animal_assisted")
    assert any(
        "overrode" in n and "not available" in n and "no provider" in n for n in item["notes"]
    )


def test_case_store_add_follow_up_declined_item_is_treated_as_declined(
    store: CaseStore, planner: Any
) -> None:
    store.add_files([INTAKE], planner)
    store.record_fidelity("published-case", "music_movement", status="declined")
    plan = _followup_plan(store, planner)
    assert "music_movement" not in {r["intervention"] for r in plan["recommendations"]}
    considered = {c["intervention"]: c["reason"] for c in plan["also_considered"]}
    assert considered.get("music_movement") == "declined"


def test_case_store_add_follow_up_records_what_it_followed(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE], planner)
    store.record_fidelity("published-case", "drumming", status="done", rating=2)
    store.add_files([FOLLOWUP], planner)
    stored = store.assessment("published-case")
    assert stored.follow_through == {"fidelity": {"drumming": {"status": "done", "rating": 2}}}
    assert stored.previous_date == "2026-01-12"


def test_case_store_audit_log_holds_no_case_content(store: CaseStore, planner: Any) -> None:
    store.add_files([INTAKE, FOLLOWUP], planner)
    store.record_fidelity("published-case", "drumming", status="done", note="SECRET-NOTE")
    store.decide("published-case", "drumming", accept=False, reason="timing", note="SECRET-COMMENT")
    log = json.dumps(store.audit_log())
    assert [line["action"] for line in store.audit_log()] == ["add", "add", "fidelity", "decide"]
    for secret in ("SECRET", "therapeutic foster home", "methylphenidate", "special education"):
        assert secret not in log


def test_case_store_open_migrates_and_init_reports_up_to_date(store_url: str) -> None:
    with CaseStore.open(store_url) as opened:
        assert opened.revision() == head_revision()
        assert opened.init() == (head_revision(), head_revision())


def test_case_store_add_plans_inside_one_transaction_on_postgres_and_sqlite(
    store: CaseStore, planner: Any
) -> None:
    """Every stored assessment has exactly one plan (the schema's unique key holds)."""
    store.add_files([INTAKE, FOLLOWUP], planner)
    with store.engine.connect() as connection:
        orphans = connection.execute(
            text(
                "SELECT count(*) FROM assessments a LEFT JOIN plans p ON p.assessment_id = a.id "
                "WHERE p.id IS NULL"
            )
        ).scalar_one()
    assert orphans == 0
