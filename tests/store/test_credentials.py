"""Service tokens and the app's keys in the case store (store/credentials.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from neuroseq.errors import StoreError
from neuroseq.store import CaseStore, tables
from neuroseq.store import credentials as tokens
from neuroseq.store import users as accounts

PASSWORD = "correct horse battery"


def _people(store: CaseStore) -> None:
    accounts.add_user(store, "rivera", "clinician", PASSWORD, actor="admin")
    accounts.add_user(store, "okafor", "reviewer", PASSWORD, actor="admin")
    accounts.add_user(store, "lee", "trainer", PASSWORD, actor="admin")


def test_create_token_keeps_only_its_hash_and_token_user_finds_the_account(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        _people(store)
        token, made = tokens.create_token(store, "rivera", label="ehr-main", actor="admin")
        assert token.startswith(tokens.TOKEN_PREFIX) and len(token) > 40
        assert (made.user, made.label, made.disabled) == ("rivera", "ehr-main", False)
        found = tokens.token_user(store, token)
        assert found is not None and (found.name, found.role) == ("rivera", "clinician")
        with store.engine.connect() as connection:
            kept = connection.execute(select(tables.service_tokens)).all()
        assert [row.token_sha256 for row in kept] == [tokens.token_digest(token)]
        dumped = json.dumps([list(row) for row in kept]) + json.dumps(store.audit_log())
        assert token not in dumped and token[len(tokens.TOKEN_PREFIX) :] not in dumped
        assert store.audit_log()[-1]["action"] == "token-add"
        assert store.audit_log()[-1]["detail"] == f"rivera ehr-main token {made.id}"


def test_create_token_gives_a_new_token_each_time(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        _people(store)
        first, _ = tokens.create_token(store, "okafor", actor="admin")
        second, _ = tokens.create_token(store, "okafor", actor="admin")
        assert first != second
        assert [t.label for t in tokens.tokens_of(store, "okafor")] == ["cds-hooks", "cds-hooks"]
        assert tokens.token_user(store, first) == tokens.token_user(store, second)


def test_create_token_refuses_unknown_disabled_and_roles_without_case_access(
    store_url: str,
) -> None:
    with CaseStore.open(store_url) as store:
        _people(store)
        with pytest.raises(StoreError, match="no user 'nobody'"):
            tokens.create_token(store, "nobody", actor="admin")
        with pytest.raises(StoreError, match="'lee' is a trainer: only clinician and reviewer"):
            tokens.create_token(store, "lee", actor="admin")
        with pytest.raises(StoreError, match="a label is 1-64 characters"):
            tokens.create_token(store, "rivera", label="bad label\n", actor="admin")
        accounts.disable_user(store, "rivera", actor="admin")
        with pytest.raises(StoreError, match="'rivera' is disabled"):
            tokens.create_token(store, "rivera", actor="admin")
        with store.engine.connect() as connection:
            assert connection.execute(select(tables.service_tokens)).all() == []


def test_token_user_refuses_unknown_malformed_and_revoked_tokens(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        _people(store)
        token, _ = tokens.create_token(store, "rivera", actor="admin")
        assert tokens.token_user(store, token + "x") is None
        assert tokens.token_user(store, token[len(tokens.TOKEN_PREFIX) :]) is None
        assert tokens.token_user(store, "") is None
        assert tokens.token_user(store, tokens.TOKEN_PREFIX + "x" * 1000) is None
        assert tokens.revoke_tokens(store, "rivera", actor="admin") == 1
        assert tokens.token_user(store, token) is None
        assert accounts.authenticate(store, "rivera", PASSWORD) is not None  # the account stays
        assert store.audit_log()[-1]["detail"] == "rivera 1 token(s)"
        with pytest.raises(StoreError, match="no user 'nobody'"):
            tokens.revoke_tokens(store, "nobody", actor="admin")


def test_disable_tokens_runs_when_the_account_is_disabled(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        _people(store)
        token, _ = tokens.create_token(store, "okafor", actor="admin")
        accounts.disable_user(store, "okafor", actor="admin")
        assert tokens.token_user(store, token) is None
        assert [t.disabled for t in tokens.tokens_of(store, "okafor")] == [True]
        assert store.audit_log()[-1]["detail"] == "okafor and 1 token(s)"


def test_app_key_is_made_once_and_kept_across_openings(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        first = tokens.app_key(store)
        assert len(first) >= 40 and tokens.app_key(store) == first
        assert tokens.app_key(store, "other") != first
        assert [line["action"] for line in store.audit_log()] == ["key-add", "key-add"]
        assert first not in json.dumps(store.audit_log())
    with CaseStore.open(store_url) as store:
        assert tokens.app_key(store) == first


def test_app_key_is_the_same_for_writers_racing_to_make_it(store_url: str) -> None:
    stores = [CaseStore.open(store_url) for _ in range(4)]
    found: list[str] = []
    barrier = threading.Barrier(len(stores))

    def make(store: CaseStore) -> None:
        barrier.wait()
        found.append(tokens.app_key(store))

    threads = [threading.Thread(target=make, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert len(found) == 4 and len(set(found)) == 1


def test_all_tokens_lists_every_accounts_tokens_or_one_accounts(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        _people(store)
        tokens.create_token(store, "rivera", label="epic-prod", actor="admin")
        tokens.create_token(store, "okafor", label="epic-test", actor="admin")
        tokens.revoke_tokens(store, "okafor", actor="admin")
        listed = tokens.all_tokens(store)
        assert [(t.user, t.label, t.disabled) for t in listed] == [
            ("okafor", "epic-test", True),
            ("rivera", "epic-prod", False),
        ]
        assert tokens.all_tokens(store, "rivera") == listed[1:]
        assert tokens.all_tokens(store, "lee") == []
        with pytest.raises(StoreError, match="no user 'nobody'"):
            tokens.all_tokens(store, "nobody")
