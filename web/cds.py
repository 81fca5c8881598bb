"""The CDS Hooks service inside the web app: the store's service tokens, the app's planning pool.

``neuroseq serve`` adds :func:`neuroseq.fhir.cds_hooks.service_routes` to the
web app with the seams this module makes:

* **who calls** (:func:`token_authorizer`): ``Authorization: Bearer TOKEN``
  with a token from ``neuroseq users token NAME``. The token stands for its
  account, and the account's role governs as it would in the browser: a role
  that reads cases may ask for cards; only one that changes cases may send
  feedback (a decision). A disabled account's tokens are refused. No cookie is
  read or set, so CSRF does not apply; the Host allow-list and ``no-store``
  do, from the web app's guard.
* **planning** (:func:`pool_plan`): in the app's
  :class:`~neuroseq.web.workers.PlanningPool` (never in a request thread), and
  the assessment is stored, so its cards' feedback can be recorded on it. Each
  call writes a ``cds-view-plan`` audit line (ids only).
* **decisions** (:func:`store_decide`): ``CaseStore.decide`` through the app's
  write lock; the store writes the ``decide`` audit line with the caller's name.
* **issued cards** (:class:`StoredCards`): what each card was about is kept in
  the case store (:mod:`neuroseq.store.cards`, for 30 days after it was last
  issued), so feedback on a card issued before a restart, or by another
  ``serve`` process on the same store, is still recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from neuroseq.fhir.cds_hooks import Caller, CardRef, PlanFunction, service_routes

if TYPE_CHECKING:
    from neuroseq.store import CaseStore
    from neuroseq.web.workers import PlanningPool

__all__ = ["StoredCards", "cds_routes", "pool_plan", "store_decide", "token_authorizer"]


def token_authorizer(
    store: CaseStore, *, read: Collection[str], decide: Collection[str]
) -> Callable[[Request], Any]:
    """``authorize(request)``: the :class:`Caller` of a valid bearer token, else None.

    ``read`` are the roles that may ask for cards, ``decide`` the roles whose
    feedback is recorded as a clinician's decision.
    """
    from neuroseq.store.credentials import token_user

    async def authorize(request: Request) -> Caller | None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        token = given.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        found = await run_in_threadpool(token_user, store, token)
        if found is None or found.role not in read:
            return None
        return Caller(found.name, may_decide=found.role in decide)

    return authorize


def pool_plan(pool: PlanningPool, store: CaseStore, lock: threading.Lock) -> PlanFunction:
    """Plan (and store) in the pool's workers; audit the view as the caller."""

    async def plan(text: str, source: str, actor: str) -> dict[str, Any]:
        date, planned = await pool.plan_text(text, source, actor=actor)

        def log() -> None:
            with lock:
                store.log_event(
                    actor,
                    "cds-view-plan",
                    client=str(planned["client_id"]),
                    date=date,
                    detail=f"{len(planned['recommendations'])} cards",
                )

        await run_in_threadpool(log)
        return planned

    return plan


def store_decide(store: CaseStore, lock: threading.Lock) -> Callable[..., object]:
    """``CaseStore.decide``, one writer at a time with the web app's other writes."""

    def decide(*args: Any, **kwargs: Any) -> object:
        with lock:
            return store.decide(*args, **kwargs)

    return decide


class StoredCards(MutableMapping[str, CardRef]):
    """The service's issued cards (card uuid -> :class:`CardRef`), kept in the case store.

    ``update`` keeps a hook call's cards in one transaction, through the web app's
    write lock; a card past the store's retention is no longer in the map.
    """

    def __init__(self, store: CaseStore, lock: threading.Lock) -> None:
        self.store = store
        self.lock = lock

    def __getitem__(self, card: str) -> CardRef:
        """The card, while the plan it was issued from still holds it.

        A card is about one item and action of one stored plan; once that assessment
        is replaced (or its plan no longer has the item with that action), feedback on
        the card must not be recorded on what the plan says now, so the card is unknown.
        """
        from neuroseq.errors import NeuroseqError
        from neuroseq.store.cards import issued_card

        found = issued_card(self.store, card)
        if found is None:
            raise KeyError(card)
        try:
            plan = self.store.assessment(found.client, found.date).plan
        except NeuroseqError:
            raise KeyError(card) from None
        if not any(
            item["intervention"] == found.intervention and item["action"] == found.action
            for item in plan["recommendations"]
        ):
            raise KeyError(card)
        return CardRef(found.client, found.intervention, found.action, found.date)

    def __setitem__(self, card: str, ref: CardRef) -> None:
        self.update({card: ref})

    def update(self, other: Any = (), /, **more: CardRef) -> None:
        from neuroseq.store.cards import IssuedCard, remember_cards

        given = dict(other, **more)
        kept = [
            IssuedCard(card, ref.client, ref.date, ref.intervention, ref.action)
            for card, ref in given.items()
        ]
        with self.lock:
            remember_cards(self.store, kept)

    def __delitem__(self, card: str) -> None:
        from neuroseq.store.cards import forget_card

        with self.lock:
            if not forget_card(self.store, card):
                raise KeyError(card)

    def __iter__(self) -> Iterator[str]:
        from neuroseq.store.cards import issued_cards

        return iter([found.card for found in issued_cards(self.store)])

    def __len__(self) -> int:
        from neuroseq.store.cards import card_count

        return card_count(self.store)


def cds_routes(
    store: CaseStore,
    pool: PlanningPool,
    lock: threading.Lock,
    *,
    read: Collection[str],
    decide: Collection[str],
    catalog_ids: Collection[str] | Mapping[str, str] | None = None,
) -> list[Route]:
    """The CDS Hooks routes (discovery, service, feedback) wired to this app."""
    return service_routes(
        plan=pool_plan(pool, store, lock),
        authorize=token_authorizer(store, read=read, decide=decide),
        decide=store_decide(store, lock),
        catalog_ids=catalog_ids,
        cards=StoredCards(store, lock),
    )
