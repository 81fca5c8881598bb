"""The CDS Hooks cards kept in the case store (store/cards.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

from sqlalchemy import select

from neuroseq.store import CaseStore, tables
from neuroseq.store.cards import (
    CARD_RETENTION_DAYS,
    IssuedCard,
    card_count,
    forget_card,
    forget_expired_cards,
    issued_card,
    issued_cards,
    remember_cards,
)

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
DRUMMING = IssuedCard(
    "0b6d0f5e-2d4c-5c7e-9a51-0f4e1f7f3a10", "c-1", "2026-01-12", "drumming", "recommend"
)
TUTORING = IssuedCard("7f0a0c1e-1111-5d2e-8c33-5b7a1e9c0d22", "c-1", None, "tutoring", "suspend")


def test_remember_cards_keeps_ids_and_codes_and_issued_card_finds_them(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        remember_cards(store, [DRUMMING, TUTORING], now=NOW)
        found = issued_card(store, DRUMMING.card, now=NOW)
        assert found is not None
        assert (found.client, found.date, found.intervention, found.action) == (
            "c-1",
            "2026-01-12",
            "drumming",
            "recommend",
        )
        assert found.issued_at == "2026-03-01T12:00:00+00:00"
        assert issued_card(store, TUTORING.card, now=NOW) == IssuedCard(
            TUTORING.card, "c-1", None, "tutoring", "suspend", "2026-03-01T12:00:00+00:00"
        )
        assert issued_card(store, "no-such-card", now=NOW) is None
        assert issued_card(store, "x" * 10_000, now=NOW) is None
        assert card_count(store, now=NOW) == 2
        assert {c.card for c in issued_cards(store, now=NOW)} == {DRUMMING.card, TUTORING.card}
        with store.engine.connect() as connection:
            columns = set(connection.execute(select(tables.cds_cards)).keys())
        assert columns == {
            "card",
            "client",
            "assessment_date",
            "intervention",
            "action",
            "issued_at",
        }


def test_remember_cards_again_renews_a_card_instead_of_adding_it(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        remember_cards(store, [DRUMMING], now=NOW)
        later = NOW + datetime.timedelta(days=CARD_RETENTION_DAYS - 1)
        remember_cards(store, [DRUMMING, DRUMMING], now=later)
        assert card_count(store, now=later) == 1
        renewed = issued_card(store, DRUMMING.card, now=later + datetime.timedelta(days=2))
        assert renewed is not None and renewed.issued_at == later.isoformat(timespec="seconds")


def test_issued_card_past_the_retention_is_unknown_and_then_deleted(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        remember_cards(store, [DRUMMING], now=NOW)
        remember_cards(store, [TUTORING], now=NOW + datetime.timedelta(days=10))
        expired = NOW + datetime.timedelta(days=CARD_RETENTION_DAYS, seconds=1)
        assert issued_card(store, DRUMMING.card, now=expired) is None
        assert issued_card(store, TUTORING.card, now=expired) is not None
        # Still a row until the next write deletes it: remembering prunes the expired ones.
        remember_cards(store, [], now=expired)
        with store.engine.connect() as connection:
            kept = [row.card for row in connection.execute(select(tables.cds_cards))]
        assert kept == [TUTORING.card]
        assert forget_expired_cards(store, now=expired + datetime.timedelta(days=10)) == 1
        assert card_count(store, now=NOW) == 0


def test_forget_card_deletes_one_card(store_url: str) -> None:
    with CaseStore.open(store_url) as store:
        remember_cards(store, [DRUMMING, TUTORING])
        assert forget_card(store, DRUMMING.card) is True
        assert forget_card(store, DRUMMING.card) is False
        assert [c.card for c in issued_cards(store)] == [TUTORING.card]


def test_remember_cards_keeps_exactly_the_ids_and_codes_and_writes_no_audit_line(
    store_url: str,
) -> None:
    with CaseStore.open(store_url) as store:
        remember_cards(store, [DRUMMING], now=NOW)
        assert store.audit_log() == []
        with store.engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(select(tables.cds_cards))]
        assert rows == [
            (
                DRUMMING.card,
                "c-1",
                "2026-01-12",
                "drumming",
                "recommend",
                "2026-03-01T12:00:00+00:00",
            )
        ]
