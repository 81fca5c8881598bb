"""The CDS Hooks cards the service issued, kept so feedback on them survives a restart.

A card's feedback names only the card's uuid; to record it as a clinician's
decision the service must know which client, assessment and plan item the card
was about. ``neuroseq serve`` keeps that here (table ``cds_cards``) instead of in
one process's memory, so feedback on a card issued before a restart, or by
another process on the same store, is still recorded.

Only ids and codes are kept (the client's pseudonym, the assessment date, the
intervention id and the action), never case content. **Retention:** a card is
kept for :data:`CARD_RETENTION_DAYS` days after it was last issued (issuing the
same card again, as the same plan shown again does, renews it); an older card
is no longer known, so its feedback is refused as unknown, and each
:func:`remember_cards` deletes the expired ones. A record system sends feedback
when the clinician acts on the card, so this is generous; a clinician can still
record a decision on the plan page or with ``neuroseq decide`` at any time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Row

from neuroseq.store import tables

if TYPE_CHECKING:
    from neuroseq.store.case_store import CaseStore

__all__ = [
    "CARD_RETENTION_DAYS",
    "IssuedCard",
    "card_count",
    "forget_card",
    "forget_expired_cards",
    "issued_card",
    "issued_cards",
    "remember_cards",
]

CARD_RETENTION_DAYS: Final = 30
"""How long after it was last issued a card's feedback can still be recorded."""
_MAX_CARD: Final = 36


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _cutoff(now: datetime.datetime | None) -> str:
    return _stamp((now or _now()) - datetime.timedelta(days=CARD_RETENTION_DAYS))


@dataclass(frozen=True)
class IssuedCard:
    """What one issued card was about (ids and codes only)."""

    card: str
    """The card's uuid."""
    client: str
    date: str | None
    """The assessment date (``None``: the client's latest stored assessment)."""
    intervention: str
    action: str
    issued_at: str = ""
    """When it was last issued (ISO 8601 UTC); set by :func:`remember_cards`."""


def remember_cards(
    store: CaseStore, cards: Iterable[IssuedCard], *, now: datetime.datetime | None = None
) -> None:
    """Keep ``cards`` (one transaction; a card issued before is renewed) and forget expired ones."""
    given = {card.card: card for card in cards}
    at = _stamp(now or _now())
    table = tables.cds_cards

    def work(connection: Connection) -> None:
        _forget_before(connection, _cutoff(now))
        if not given:
            return
        connection.execute(table.delete().where(table.c.card.in_(list(given))))
        connection.execute(
            table.insert(),
            [
                {
                    "card": card.card,
                    "client": card.client,
                    "assessment_date": card.date,
                    "intervention": card.intervention,
                    "action": card.action,
                    "issued_at": at,
                }
                for card in given.values()
            ],
        )

    store._write(work)


def issued_card(
    store: CaseStore, card: str, *, now: datetime.datetime | None = None
) -> IssuedCard | None:
    """The card ``card`` if it was issued within the retention, else None."""
    if not card or len(card) > _MAX_CARD:
        return None
    table = tables.cds_cards
    query = select(table).where(table.c.card == card).where(table.c.issued_at >= _cutoff(now))
    with store.engine.connect() as connection:
        row = connection.execute(query).first()
    return None if row is None else _card(row)


def issued_cards(store: CaseStore, *, now: datetime.datetime | None = None) -> list[IssuedCard]:
    """Every card within the retention, oldest issued first."""
    table = tables.cds_cards
    query = (
        select(table)
        .where(table.c.issued_at >= _cutoff(now))
        .order_by(table.c.issued_at, table.c.card)
    )
    with store.engine.connect() as connection:
        return [_card(row) for row in connection.execute(query)]


def card_count(store: CaseStore, *, now: datetime.datetime | None = None) -> int:
    """How many cards are within the retention."""
    table = tables.cds_cards
    query = select(func.count()).select_from(table).where(table.c.issued_at >= _cutoff(now))
    with store.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def forget_card(store: CaseStore, card: str) -> bool:
    """Forget one card; whether it was kept."""
    table = tables.cds_cards

    def work(connection: Connection) -> bool:
        return bool(connection.execute(table.delete().where(table.c.card == card)).rowcount)

    return store._write(work)


def forget_expired_cards(store: CaseStore, *, now: datetime.datetime | None = None) -> int:
    """Delete the cards past the retention; how many."""
    return store._write(lambda connection: _forget_before(connection, _cutoff(now)))


def _forget_before(connection: Connection, cutoff: str) -> int:
    table = tables.cds_cards
    return int(connection.execute(table.delete().where(table.c.issued_at < cutoff)).rowcount)


def _card(row: Row[Any]) -> IssuedCard:
    return IssuedCard(
        card=str(row.card),
        client=str(row.client),
        date=row.assessment_date,
        intervention=str(row.intervention),
        action=str(row.action),
        issued_at=str(row.issued_at),
    )
