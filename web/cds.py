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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from neuroseq.fhir.cds_hooks import Caller, PlanFunction, service_routes

if TYPE_CHECKING:
    from neuroseq.store import CaseStore
    from neuroseq.web.workers import PlanningPool

__all__ = ["cds_routes", "pool_plan", "store_decide", "token_authorizer"]


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
    )
