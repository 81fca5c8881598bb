"""The store's tables: names, keys and what may never hold case content."""

from __future__ import annotations

from neuroseq.store import tables


def test_metadata_holds_every_table_of_the_store() -> None:
    assert set(tables.metadata.tables) >= {
        "clients",
        "assessments",
        "plans",
        "fidelity",
        "decisions",
        "audit",
    }


def test_assessments_are_unique_per_client_date_and_version() -> None:
    unique = [
        tuple(c.name for c in constraint.columns)
        for constraint in tables.assessments.constraints
        if constraint.__class__.__name__ == "UniqueConstraint"
    ]
    assert ("client_id", "assessment_date", "version") in unique
    assert tables.plans.c.assessment_id.unique


def test_audit_has_no_free_text_column() -> None:
    assert {c.name for c in tables.audit.columns} == {
        "id",
        "at",
        "actor",
        "action",
        "client",
        "assessment_date",
        "detail",
    }
    assert tables.audit.c.detail.type.length == 255
