"""Accounts, review notes and drafts in the case store (store/users.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neuroseq.errors import StoreError
from neuroseq.store import CaseStore
from neuroseq.store import users as accounts

PASSWORD = "correct horse battery"


def test_hash_password_is_scrypt_salted_and_verifies() -> None:
    first, second = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert first.startswith("scrypt$16384$8$1$") and first != second
    assert accounts.verify_password(PASSWORD, first)
    assert not accounts.verify_password("wrong", first)
    assert not accounts.verify_password(PASSWORD, "md5$abc")


def test_add_user_authenticate_and_disable(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        added = accounts.add_user(store, "rivera", "clinician", PASSWORD, actor="admin")
        assert added.role == "clinician" and not added.disabled
        assert accounts.authenticate(store, "rivera", PASSWORD) == added
        assert accounts.authenticate(store, "rivera", "wrong password") is None
        assert accounts.authenticate(store, "nobody", PASSWORD) is None
        accounts.disable_user(store, "rivera", actor="admin")
        assert accounts.authenticate(store, "rivera", PASSWORD) is None
        assert [u.name for u in accounts.users(store)] == ["rivera"]
        log = store.audit_log()
        assert [line["action"] for line in log] == ["user-add", "user-disable"]
        assert PASSWORD not in json.dumps(log)


def test_add_user_refuses_duplicates_bad_roles_names_and_short_passwords(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        accounts.add_user(store, "rivera", "clinician", PASSWORD, actor="admin")
        with pytest.raises(StoreError, match="already a user 'rivera'"):
            accounts.add_user(store, "rivera", "reviewer", PASSWORD, actor="admin")
        with pytest.raises(StoreError, match="must be one of clinician, reviewer, trainer, admin"):
            accounts.add_user(store, "lee", "boss", PASSWORD, actor="admin")
        with pytest.raises(StoreError, match="a user name is 1-64 characters"):
            accounts.add_user(store, "no spaces", "reviewer", PASSWORD, actor="admin")
        with pytest.raises(StoreError, match="at least 10 characters"):
            accounts.add_user(store, "lee", "reviewer", "short", actor="admin")
        with pytest.raises(StoreError, match="no user 'ghost'"):
            accounts.disable_user(store, "ghost", actor="admin")


def test_add_review_note_keeps_the_note_and_audits_without_its_text(
    store_url: str, planner: object
) -> None:
    intake = (
        Path(__file__).resolve().parent.parent.parent / "examples" / "published-case-intake.yaml"
    )
    with CaseStore.open(store_url) as store:
        store.add(intake.read_bytes(), str(intake), planner)  # type: ignore[arg-type]
        accounts.add_review_note(store, "published-case", "checked the CMR gate", by="lee")
        (note,) = accounts.review_notes(store, "published-case")
        assert note.note == "checked the CMR gate" and note.by == "lee"
        assert "CMR gate" not in json.dumps(store.audit_log())
        with pytest.raises(StoreError, match="no client 'ghost'"):
            accounts.add_review_note(store, "ghost", "x", by="lee")
        with pytest.raises(StoreError, match="note: is empty"):
            accounts.add_review_note(store, "published-case", "  ", by="lee")


def test_save_draft_keeps_every_field_for_its_owner_only(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        fields = {"client.id": "demo-1", "cns.sleep": "not a number", "notes": "ü"}
        saved = accounts.save_draft(store, "rivera", fields, client="demo-1")
        assert accounts.draft(store, "rivera", saved.id).fields == fields  # type: ignore[union-attr]
        assert accounts.draft(store, "lee", saved.id) is None
        again = accounts.save_draft(
            store, "rivera", {**fields, "cns.sleep": "6"}, draft_id=saved.id
        )
        assert again.id == saved.id and len(accounts.drafts_of(store, "rivera")) == 1
        with pytest.raises(StoreError, match=f"no draft {saved.id} of yours"):
            accounts.save_draft(store, "lee", fields, draft_id=saved.id)
        accounts.delete_draft(store, "rivera", saved.id)
        assert accounts.drafts_of(store, "rivera") == []
