"""A CDS Hooks service offering neuroseq's plan to a record system (an ASGI sub-application).

    GET  /cds-services                          discovery
    POST /cds-services/neuroseq-plan            hook patient-view: assessment in, cards out
    POST /cds-services/neuroseq-plan/feedback   accepted / overridden -> the store's decision

:func:`service_routes` gives the three routes, which ``neuroseq serve`` adds to
the web app (behind its guards, planning in its worker pool, authorising by
the store's service tokens); :func:`create_app` builds a self-contained
Starlette application from them that any ASGI server runs.
It takes its seams as arguments, so it holds no engine and no database of its
own:

* ``plan`` plans case-file text and returns the plan contract (JSON data).
  durable_rules is not thread-safe, so planning never runs in a request
  thread: :func:`pool_planner` sends the work to a process pool (the web
  app's worker pool, one planner per process); :func:`serial_planner` runs
  one planner on one dedicated thread, one case at a time (for tests and
  single-clinic use: the engine is never entered by two threads at once).
* ``authorize(request)`` returns who calls (a :class:`Caller`) or None (401).
  The web app supplies one backed by the store's per-account service tokens
  (a caller whose role may not decide gets 403 from feedback);
  :func:`bearer_tokens` accepts static bearer tokens, one per record system.
* ``decide`` records a clinician decision: ``CaseStore.decide``.

The assessment is the QuestionnaireResponse answering the neuroseq
Questionnaire, given in ``prefetch.assessment`` (a search Bundle or the
resource) or in ``context.assessment``; it is read by the same import as
``neuroseq fhir import``. One card per plan item, in plan order.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import inspect
import json
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from neuroseq.batch.work import PlannerSetup, planner_for
from neuroseq.errors import NeuroseqError, Problem
from neuroseq.fhir.codes import NAMESPACE, QUESTIONNAIRE_URL, system_url
from neuroseq.vocabulary import OVERRIDE_REASONS, OverrideReason

__all__ = [
    "CARD_SUMMARY_MAX",
    "INDICATORS",
    "OVERRIDE_SYSTEM",
    "RULE_SYSTEM",
    "SERVICE_ID",
    "Caller",
    "CardRef",
    "bearer_tokens",
    "cards_for",
    "create_app",
    "discovery",
    "override_reason",
    "plan_case_text",
    "pool_planner",
    "serial_planner",
    "service_routes",
]

SERVICE_ID = "neuroseq-plan"
CARD_SUMMARY_MAX = 140
"""CDS Hooks: a card's summary is under 140 characters."""
OVERRIDE_SYSTEM = system_url("override-reason")
RULE_SYSTEM = system_url("rule")
"""A card's source topic: the deciding rule's id as a code of this system."""
MAX_BODY = 2 * 1024 * 1024
"""Largest request body (a hook request with its prefetch)."""
MAX_FEEDBACK = 200
"""Most feedback entries in one request (one per card; a plan has far fewer items)."""
MAX_COMMENT = 2000
"""Longest clinician's comment kept as a decision's note (the case store's limit)."""

INDICATORS: dict[str, str] = {
    "recommend": "info",
    "continue": "info",
    "resume": "info",
    "defer": "info",
    "suspend": "warning",
    "avoid": "critical",
}
"""Card indicator per action: a suspension warns; an item to avoid is critical."""

_VERBS = {
    "recommend": "Start",
    "continue": "Continue",
    "resume": "Resume",
    "suspend": "Suspend",
    "defer": "Defer",
    "avoid": "Avoid",
}

PlanFunction = Callable[[str, str, str], Awaitable[dict[str, Any]]]
"""``await plan(case_text, source, actor)`` -> the plan contract (``neuroseq/plan/v1``) as JSON
data; ``actor`` (the caller's name) is who the store's audit line names when it is stored."""


@dataclass(frozen=True)
class Caller:
    """Who calls the service: a record system (and, where it says, its user)."""

    name: str
    """Recorded as who made a decision (``by``); an id, never a person's name unless configured."""
    may_decide: bool = True
    """Whether this caller's feedback may be recorded as a clinician's decision (the web app:
    only a clinician's token); one that may not gets 403 from the feedback endpoint."""


Authorize = Callable[[Request], "Caller | None | Awaitable[Caller | None]"]
Decide = Callable[..., object]
"""``decide(client, item, *, accept, reason, note, by, date)``: ``CaseStore.decide``."""


@dataclass(frozen=True)
class CardRef:
    """What a card was about, so its feedback can be recorded on the right plan item."""

    client: str
    intervention: str
    action: str
    date: str | None
    """The assessment date (``None``: the client's latest stored assessment)."""


# --- planning seams ---------------------------------------------------------------


def _planned(
    planner: Any, text: str, source: str, store: Any, actor: str = "cds-hooks"
) -> dict[str, Any]:
    """Plan case text; with a store, add it (a no-op when stored before) and return its stored plan."""
    from neuroseq.api import parse_case

    if store is None:
        plan: dict[str, Any] = planner.plan(
            parse_case(text, source, catalog=planner.catalog)
        ).plan.to_json()
        return plan
    added = store.add(text.encode("utf-8"), source, planner, actor=actor)
    stored: dict[str, Any] = json.loads(store.assessment(added.client, added.date).plan_compact)
    return stored


_STORES: dict[str, Any] = {}


def plan_case_text(
    text: str,
    source: str,
    setup: PlannerSetup | None = None,
    db: str | None = None,
    actor: str = "cds-hooks",
) -> dict[str, Any]:
    """Plan case-file text with this process's planner: the plan contract as JSON data.

    Picklable, for a process pool: each worker loads its planner once
    (:func:`neuroseq.batch.work.planner_for`) and opens the store at ``db`` once.
    With ``db`` the assessment is added to the store (planned with the client's
    stored history), so feedback on its cards can be recorded there.
    """
    store = None
    if db is not None:
        store = _STORES.get(db)
        if store is None:
            from neuroseq.store import CaseStore

            store = _STORES[db] = CaseStore.open(db)
    return _planned(planner_for(setup or PlannerSetup()), text, source, store, actor)


def pool_planner(
    executor: concurrent.futures.Executor,
    setup: PlannerSetup | None = None,
    db: str | None = None,
) -> PlanFunction:
    """Plan in ``executor`` (a process pool: the web app's workers), never in the request thread."""

    async def plan(text: str, source: str, actor: str) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, plan_case_text, text, source, setup, db, actor)

    return plan


def serial_planner(planner: Any, store: Any = None) -> PlanFunction:
    """Plan with one loaded ``neuroseq.Planner`` on one dedicated thread, one case at a time.

    durable_rules is not thread-safe: a single worker thread means it is never
    entered by two threads at once. For tests and a low-volume service; a
    busy one uses :func:`pool_planner`. With ``store`` (a ``CaseStore``) each
    assessment is added to it and its stored plan returned, so feedback can be
    recorded on it (the store's engine must allow use from that thread, as
    SQLAlchemy's does).
    """
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="neuroseq")

    async def plan(text: str, source: str, actor: str) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, _planned, planner, text, source, store, actor)

    return plan


def bearer_tokens(tokens: Mapping[str, str]) -> Authorize:
    """Accept ``Authorization: Bearer TOKEN`` for configured tokens (token -> record system name).

    Tokens are compared in constant time. This is the simple configuration for
    a standalone service whose record system sends a static token; ``neuroseq
    serve`` authorises by the store's per-account service tokens instead
    (:mod:`neuroseq.web.cds`). CDS Hooks' signed JWTs are not verified by
    neuroseq (README, FHIR and CDS Hooks).
    """
    known = [(token.encode("utf-8"), name) for token, name in tokens.items() if token]

    def authorize(request: Request) -> Caller | None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            return None
        presented = given.strip().encode("utf-8")
        found = None
        for token, name in known:
            if hmac.compare_digest(token, presented):
                found = Caller(name)
        return found

    return authorize


# --- discovery and cards ------------------------------------------------------------


def discovery() -> dict[str, Any]:
    """The discovery document: one service, hook patient-view, prefetching the assessment."""
    query = (
        "QuestionnaireResponse?subject={{context.patientId}}"
        f"&questionnaire={QUESTIONNAIRE_URL}&status=completed&_sort=-authored&_count=1"
    )
    return {
        "services": [
            {
                "hook": "patient-view",
                "id": SERVICE_ID,
                "title": "neuroseq treatment plan",
                "description": "A sequenced, explained treatment plan (regulate, relate, reason) "
                "from the latest neuroseq assessment. Independent implementation of published "
                "neurosequential ideas, not the official NMT™ Metric; decision support only.",
                "prefetch": {"assessment": query},
                "usageRequirements": "The assessment is a QuestionnaireResponse answering "
                f"{QUESTIONNAIRE_URL} (neuroseq fhir questionnaire), in prefetch.assessment "
                "or context.assessment. Calls carry Authorization: Bearer.",
            }
        ]
    }


def _summary(action: str, name: str) -> str:
    text = f"{_VERBS.get(action, action.capitalize())}: {name}"
    if len(text) > CARD_SUMMARY_MAX - 1:
        text = text[: CARD_SUMMARY_MAX - 2].rstrip() + "…"
    return text


def _detail(item: Mapping[str, Any], gate: str | None) -> str:
    from neuroseq.reports.render import markdown_text

    who = str(item["audience"]).replace("_", " ")
    if item.get("phase"):
        who += f", {item['phase']}"
    lines = [
        f"**{markdown_text(_summary(item['action'], item['name']))}** ({markdown_text(who)})",
        "",
        markdown_text(item["summary"]),
        "",
        f"**Why:** {markdown_text(item['rationale'])}",
    ]
    if gate:
        lines += ["", f"**Waits for:** {markdown_text(gate)}"]
    if item.get("cautions"):
        lines += ["", "**Cautions:**", *(f"- {markdown_text(c)}" for c in item["cautions"])]
    if item.get("review"):
        lines += ["", f"**Review:** {markdown_text(item['review'])}"]
    lines += [
        "",
        f"Rule `{item['rule']}`; source: {markdown_text(item['source'])}. "
        "neuroseq is decision support: the clinician decides.",
    ]
    return "\n".join(lines)


def _service_request(item: Mapping[str, Any], patient: str | None) -> dict[str, Any]:
    from neuroseq.fhir.codes import INTERVENTION_SYSTEM

    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "code": {
            "coding": [
                {
                    "system": INTERVENTION_SYSTEM,
                    "code": item["intervention"],
                    "display": item["name"],
                }
            ],
            "text": item["name"],
        },
    }
    if item["action"] == "avoid":
        resource["doNotPerform"] = True
    if patient:
        resource["subject"] = {"reference": f"Patient/{patient}"}
    return resource


def _card_id(plan: Mapping[str, Any], date: str | None, item: Mapping[str, Any]) -> str:
    key = f"card|{plan['client_id']}|{date or plan['age']}|{item['intervention']}|{item['action']}"
    return str(uuid.uuid5(NAMESPACE, key))


def cards_for(
    plan: Mapping[str, Any], date: str | None, patient: str | None = None
) -> list[tuple[dict[str, Any], CardRef]]:
    """One card per plan item (plan order), each with what its feedback refers to."""
    gates = {(s["intervention"], s["action"]): s["reason"] for s in plan.get("stop", [])}
    reasons = [
        {"system": OVERRIDE_SYSTEM, "code": code, "display": code.replace("_", " ")}
        for code in OVERRIDE_REASONS
    ]
    found = []
    for item in plan["recommendations"]:
        action = item["action"]
        ident = _card_id(plan, date, item)
        suggestion: dict[str, Any] = {
            "label": _summary(action, item["name"]),
            "uuid": str(uuid.uuid5(NAMESPACE, f"suggestion|{ident}")),
            "isRecommended": True,
        }
        if action in ("recommend", "resume", "defer", "avoid"):
            suggestion["actions"] = [
                {
                    "type": "create",
                    "description": _summary(action, item["name"]),
                    "resource": _service_request(item, patient),
                }
            ]
        card = {
            "uuid": ident,
            "summary": _summary(action, item["name"]),
            "detail": _detail(item, gates.get((item["intervention"], action))),
            "indicator": INDICATORS[action],
            "source": {
                "label": item["source"],
                "topic": {
                    "system": RULE_SYSTEM,
                    "code": item["rule"],
                    "display": item["rule_title"],
                },
            },
            "suggestions": [suggestion],
            "selectionBehavior": "at-most-one",
            "overrideReasons": reasons,
        }
        found.append((card, CardRef(plan["client_id"], item["intervention"], action, date)))
    return found


def override_reason(coding: Any) -> OverrideReason:
    """A CDS Hooks override reason (a Coding) as one of OVERRIDE_REASONS.

    neuroseq's own codes map to themselves; no reason, or another system's
    code, is ``other`` (the clinician's comment is kept as the note).
    """
    if isinstance(coding, Mapping) and coding.get("system") == OVERRIDE_SYSTEM:
        code = coding.get("code")
        for reason in OVERRIDE_REASONS:
            if code == reason:
                return reason
    return "other"


# --- the application -----------------------------------------------------------------


def _comment_problem(comment: str | None) -> str:
    """What makes a clinician's comment unfit for a decision's note ('' if nothing): the
    case store's own limits, checked before any entry of a feedback request is recorded.
    The message says what is wrong, never what was written."""
    from neuroseq.source import unsafe_character

    if comment is None:
        return ""
    if len(comment) > MAX_COMMENT:
        return f"is {len(comment):,} characters; the limit is {MAX_COMMENT:,}"
    return unsafe_character(comment.replace("\n", " ").replace("\t", " ")) or ""


def _problems(status: int, problems: Collection[Problem] | Collection[tuple[str, str]]) -> Response:
    shown = [
        {"field": p.field, "message": p.message}
        if isinstance(p, Problem)
        else {"field": p[0], "message": p[1]}
        for p in problems
    ]
    return JSONResponse({"problems": shown}, status_code=status)


async def _body(request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    # Read as it arrives and stop past MAX_BODY: a chunked request has no Content-Length,
    # and reading it whole first would hold any size in memory.
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None, _problems(413, [("", f"the request is larger than {MAX_BODY} bytes")])
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, _problems(400, [("", "the request body is not JSON")])
    except RecursionError:
        # json's decoder recurses once per level of nesting: thousands of "[" exhaust the stack
        return None, _problems(400, [("", "the request body is nested too deeply")])
    if not isinstance(data, dict):
        return None, _problems(400, [("", "the request body must be a JSON object")])
    return data, None


def _assessment(data: Mapping[str, Any]) -> tuple[str, Any]:
    prefetch = data.get("prefetch")
    if isinstance(prefetch, Mapping) and prefetch.get("assessment") is not None:
        return "prefetch.assessment", prefetch["assessment"]
    context = data.get("context")
    if isinstance(context, Mapping) and context.get("assessment") is not None:
        return "context.assessment", context["assessment"]
    return "", None


def _holds_no_response(resource: Any) -> bool:
    """A search Bundle with no QuestionnaireResponse: the patient has no assessment on record."""
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "Bundle":
        return False
    entries = resource.get("entry") or []
    return isinstance(entries, list) and not any(
        isinstance(e, Mapping)
        and isinstance(e.get("resource"), Mapping)
        and e["resource"].get("resourceType") == "QuestionnaireResponse"
        for e in entries
    )


def service_routes(
    *,
    plan: PlanFunction,
    authorize: Authorize,
    decide: Decide,
    catalog_ids: Collection[str] | Mapping[str, str] | None = None,
    cards: MutableMapping[str, CardRef] | None = None,
    max_cards: int = 10_000,
) -> list[Route]:
    """The service's three routes, at their full paths (``/cds-services...``).

    The web app adds them to its own routes, so its guards (the Host allow-list,
    ``no-store`` and the other headers) and its error pages cover them too;
    :func:`create_app` serves them on their own. ``cards`` remembers what each
    issued card was about (card uuid -> :class:`CardRef`) for its feedback: an
    in-memory map of the last ``max_cards`` by default (lost on a restart); a
    web app passes a lasting or shared one (``neuroseq serve``: the case store's,
    :class:`neuroseq.web.cds.StoredCards`). A given map is written once per hook
    call with ``update`` (all of its cards) and read with ``get``, both in a
    worker thread, so it may do I/O.
    """
    memory: OrderedDict[str, CardRef] = OrderedDict()

    async def remember(made: Mapping[str, CardRef]) -> None:
        if cards is not None:
            await run_in_threadpool(cards.update, made)
            return
        for key, ref in made.items():
            memory[key] = ref
            memory.move_to_end(key)
        while len(memory) > max_cards:
            memory.popitem(last=False)

    async def recall(keys: Sequence[str]) -> dict[str, CardRef | None]:
        if cards is not None:
            return await run_in_threadpool(lambda: {key: cards.get(key) for key in keys})
        return {key: memory.get(key) for key in keys}

    async def caller(request: Request) -> Caller | None:
        found = authorize(request)
        if inspect.isawaitable(found):
            found = await found
        return found if isinstance(found, Caller) else None

    def unauthorized() -> Response:
        return JSONResponse(
            {"problems": [{"field": "Authorization", "message": "a valid bearer token is needed"}]},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    async def services(request: Request) -> Response:
        return JSONResponse(discovery())

    async def service(request: Request) -> Response:
        who = await caller(request)
        if who is None:
            return unauthorized()
        data, refused = await _body(request)
        if data is None:
            assert refused is not None
            return refused
        wrong = []
        if data.get("hook") != "patient-view":
            wrong.append(("hook", "this service answers the hook patient-view"))
        if not isinstance(data.get("hookInstance"), str):
            wrong.append(("hookInstance", "a hook request needs its hookInstance (a UUID)"))
        if wrong:
            return _problems(400, wrong)
        where, resource = _assessment(data)
        if resource is None:
            return _problems(
                412,
                [
                    (
                        "prefetch.assessment",
                        "no assessment: give the QuestionnaireResponse in prefetch.assessment "
                        "or context.assessment (this service does not query the FHIR server)",
                    )
                ],
            )
        if _holds_no_response(resource):
            return JSONResponse({"cards": []})
        from neuroseq.fhir.import_ import import_case

        raw = json.dumps(resource, indent=1).encode("utf-8")
        try:
            imported = await run_in_threadpool(
                import_case, raw, where, catalog_ids=catalog_ids, header=False
            )
            planned = await plan(imported.text, f"{where}.yaml", who.name)
        except NeuroseqError as exc:
            problems = [
                Problem(p.location, f"{where}.{p.field}" if p.field else where, p.message)
                for p in exc.problems
            ]
            return _problems(422, problems)
        date = imported.case.client.assessment_date
        context = data.get("context")
        patient = context.get("patientId") if isinstance(context, Mapping) else None
        made = cards_for(
            planned,
            date.isoformat() if date else None,
            patient if isinstance(patient, str) else None,
        )
        await remember({card["uuid"]: ref for card, ref in made})
        return JSONResponse({"cards": [card for card, _ in made]})

    async def feedback(request: Request) -> Response:
        who = await caller(request)
        if who is None:
            return unauthorized()
        if not who.may_decide:
            return _problems(
                403,
                [
                    (
                        "Authorization",
                        "this token's account may not record decisions: feedback needs a "
                        "clinician's token",
                    )
                ],
            )
        data, refused = await _body(request)
        if data is None:
            assert refused is not None
            return refused
        entries = data.get("feedback")
        if not isinstance(entries, list) or not entries:
            return _problems(400, [("feedback", "give a list of feedback entries")])
        if len(entries) > MAX_FEEDBACK:
            return _problems(413, [("feedback", f"at most {MAX_FEEDBACK} entries in one request")])
        problems: list[tuple[str, str]] = []
        known = await recall([str(e.get("card")) for e in entries if isinstance(e, Mapping)])
        decisions: list[tuple[str, CardRef, dict[str, Any]]] = []
        # Every entry is checked before any is recorded: a refused request records nothing.
        for index, entry in enumerate(entries):
            where = f"feedback[{index}]"
            if not isinstance(entry, Mapping):
                problems.append((where, "a feedback entry is an object"))
                continue
            ref = known.get(str(entry.get("card")))
            outcome = entry.get("outcome")
            if ref is None:
                problems.append(
                    (
                        f"{where}.card",
                        "not a card this service issued (or long ago, or the plan it was "
                        "issued from has changed since)",
                    )
                )
                continue
            if outcome not in ("accepted", "overridden"):
                problems.append((f"{where}.outcome", "allowed: accepted, overridden"))
                continue
            why = entry.get("overrideReason")
            why = why if isinstance(why, Mapping) else {}
            comment = why.get("userComment")
            note = comment if isinstance(comment, str) and comment else None
            wrong = _comment_problem(note)
            if wrong:
                problems.append((f"{where}.overrideReason.userComment", wrong))
                continue
            decisions.append(
                (
                    where,
                    ref,
                    {
                        "accept": outcome == "accepted",
                        "reason": None
                        if outcome == "accepted"
                        else override_reason(why.get("reason")),
                        "note": note,
                    },
                )
            )
        if problems:
            return _problems(422, problems)
        for where, ref, values in decisions:
            try:
                await run_in_threadpool(
                    decide, ref.client, ref.intervention, by=who.name, date=ref.date, **values
                )
            except NeuroseqError as exc:
                problems += [(where, p.message) for p in exc.problems]
        if problems:
            return _problems(422, problems)
        return JSONResponse({})

    return [
        Route("/cds-services", services, methods=["GET"]),
        Route(f"/cds-services/{SERVICE_ID}", service, methods=["POST"]),
        Route(f"/cds-services/{SERVICE_ID}/feedback", feedback, methods=["POST"]),
    ]


def create_app(
    *,
    plan: PlanFunction,
    authorize: Authorize,
    decide: Decide,
    catalog_ids: Collection[str] | Mapping[str, str] | None = None,
    cards: MutableMapping[str, CardRef] | None = None,
    max_cards: int = 10_000,
    cors_origins: Sequence[str] = (),
) -> Starlette:
    """The CDS Hooks application on its own (:func:`service_routes`).

    ``cors_origins`` lets browser-based (SMART) record-system clients at those
    origins call the service.
    """
    middleware = []
    if cors_origins:
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    return Starlette(
        middleware=middleware,
        routes=service_routes(
            plan=plan,
            authorize=authorize,
            decide=decide,
            catalog_ids=catalog_ids,
            cards=cards,
            max_cards=max_cards,
        ),
    )
