"""store verify: the same plans come out the same; changed ones are drift; other versions are named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

import neuroseq
from neuroseq.store import CaseStore
from neuroseq.store.verify import verify_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


def test_verify_store_finds_every_plan_the_same(store_url: str, planner: Any) -> None:
    with CaseStore.open(store_url) as store:
        store.add_files([INTAKE], planner)
        store.record_fidelity("published-case", "drumming", status="not_done")
        store.add_files([FOLLOWUP], planner)
        verdicts = verify_store(store, planner)
    assert [(v.date, v.status) for v in verdicts] == [
        ("2026-01-12", "same"),
        ("2027-01-18", "same"),
    ]


def test_verify_store_reports_a_changed_plan_as_drift_and_only_it(
    store_url: str, planner: Any
) -> None:
    with CaseStore.open(store_url) as store:
        store.add_files([INTAKE, FOLLOWUP], planner)
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE plans SET plan_json = replace(plan_json, 'tutoring', 'tutorinG') WHERE id = 2"
                )
            )
        verdicts = verify_store(store, planner, "published-case")
    assert [(v.date, v.status) for v in verdicts] == [
        ("2026-01-12", "same"),
        ("2027-01-18", "drift"),
    ]
    assert "recommendations" in verdicts[1].differences


def test_verify_store_names_plans_made_with_other_versions(
    store_url: str, planner: Any, tmp_path: Path
) -> None:
    import shutil

    from neuroseq.engine.rulebase import bundled_rules_folder

    rules = tmp_path / "rules"
    shutil.copytree(bundled_rules_folder(), rules)
    base = rules / "rulebase.yaml"
    base.write_text(base.read_text().replace("client_per_phase: 5", "client_per_phase: 2"))
    changed = neuroseq.Planner.load(rules)
    with CaseStore.open(store_url) as store:
        store.add_files([INTAKE], planner)
        (verdict,) = verify_store(store, changed)
    assert verdict.status == "changed_by_versions"
