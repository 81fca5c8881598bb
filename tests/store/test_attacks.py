"""An attacker's read of the case store's writes: values a tampered form or call can send."""

from __future__ import annotations

from pathlib import Path

import pytest

from neuroseq.errors import StoreError
from neuroseq.store import CaseStore
from neuroseq.store import users as accounts

INTAKE = Path(__file__).resolve().parent.parent.parent / "examples" / "published-case-intake.yaml"


@pytest.mark.parametrize("date", ["2099-01-01", "2026-01-12\n", "2026-01-12 00:00:00"])
def test_add_review_note_refuses_a_date_the_client_has_no_assessment_on(
    store_url: str, planner: object, date: str
) -> None:
    with CaseStore.open(store_url) as store:
        store.add(INTAKE.read_bytes(), str(INTAKE), planner)  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="no stored assessment on that date"):
            accounts.add_review_note(store, "published-case", "checked", by="lee", date=date)
        assert accounts.review_notes(store, "published-case") == []
        assert "review-note" not in [line["action"] for line in store.audit_log()]
        kept = accounts.add_review_note(store, "published-case", "ok", by="lee", date="2026-01-12")
        assert kept.date == "2026-01-12"
