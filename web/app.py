"""The web app: server-rendered pages (Starlette, jinja2, htmx) over the case store.

:func:`create_app` builds it from :class:`Settings`. Every page reads and
writes through :class:`~neuroseq.store.CaseStore`; every assessment is added
by a worker of the app's :class:`~neuroseq.web.workers.PlanningPool`, so no
request thread runs the rule engine. Reading a stored plan, scoring a form
for the brain map and rendering reports are plain Python and run in the
request's thread pool.

Who may do what (:data:`PERMISSIONS`): clinicians read and change cases;
reviewers read every case and add review notes; trainers see the rule checks,
rule tests and the impact of a candidate rule folder on the stored cases
(counted and numbered, no case data); admins manage accounts (no case data).
Every view of a client and every change is written to the store's audit log
with ids and codes only.

With the ``fhir`` extra the app also serves the CDS Hooks service
(:mod:`neuroseq.web.cds`) at ``/cds-services``, behind the same guards, and
the plan page offers the FHIR Bundle.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from neuroseq.errors import NeuroseqError, Problem
from neuroseq.store import users as accounts
from neuroseq.store.credentials import app_key
from neuroseq.web import form as case_form
from neuroseq.web.security import SESSION_COOKIE, Guard, Session, Sessions, Throttle, same_token

if TYPE_CHECKING:
    from neuroseq.api import Planner
    from neuroseq.batch.impact import ImpactReport
    from neuroseq.store import CaseStore, StoredAssessment
    from neuroseq.web.workers import PlanningPool

__all__ = ["PERMISSIONS", "Settings", "create_app"]

_T = TypeVar("_T")
_HERE = Path(__file__).parent
_LOG = logging.getLogger("neuroseq.web")
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "read": frozenset({"clinician", "reviewer"}),
    "edit": frozenset({"clinician"}),
    "note": frozenset({"reviewer"}),
    "rules": frozenset({"trainer"}),
    "users": frozenset({"admin"}),
}
_HOME = {
    "clinician": "/clients",
    "reviewer": "/clients",
    "trainer": "/trainer",
    "admin": "/admin/users",
}
_CLIENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
"""A date as the store keeps it (ASCII digits only, and no trailing new line as ``$`` allows)."""
_NUMBER = re.compile(r"[0-9]{1,15}\Z")
"""A small whole number as typed (a draft id, a choice): ASCII digits, few enough for
every database's integer column."""
_DRAFT_PREVIOUS = "form.previous"
"""The key under which a follow-up's draft keeps the date of the assessment it follows."""
_MAX_FORM = 512 * 1024


@dataclass
class Settings:
    """How the app runs: its store, who may reach it, and its planning workers."""

    db: str
    allowed_hosts: tuple[str, ...] = ()
    secure_cookies: bool = False
    """Mark the session cookie Secure (set when served behind a TLS proxy)."""
    workers: int = 2
    secret: str | None = None
    """Signs session cookies. None (the default): the store's own, made once and kept
    (:func:`neuroseq.store.credentials.app_key`), so a restart, or a second process on
    the same store, keeps everyone logged in."""
    session_seconds: int = 8 * 3600
    login_limit: int = 5
    login_window: float = 900.0
    login_delay: float = 0.25
    rules: str | None = None
    catalog: str | None = None
    norms: str | None = None
    candidate_rules: tuple[str, ...] = ()
    """Rule folders a trainer may measure the impact of (``serve --candidate-rules DIR``):
    only these, named by the server's operator; the browser never names a path."""


@dataclass
class State:
    """What every request shares: the store, a planner for reading, the pool, the guards."""

    settings: Settings
    store: CaseStore
    planner: Planner
    """Used for its catalogue and norms only (reading stored plans); it never plans here."""
    pool: PlanningPool
    sessions: Sessions
    throttle: Throttle
    templates: jinja2.Environment
    candidates: tuple[Path, ...] = ()
    """The candidate rule folders, resolved when the app starts."""
    reports: OrderedDict[str, tuple[str, str]] = field(default_factory=OrderedDict)
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    """Request threads write one at a time: on SQLite a waiting writer would otherwise
    back off in SQLite's busy handler (sleeps of up to 100 ms) instead of queueing here."""


def _log(state: State, actor: str, action: str, **where: Any) -> None:
    with state.write_lock:
        state.store.log_event(actor, action, **where)


def _writing(state: State, work: Callable[[], _T]) -> _T:
    with state.write_lock:
        return work()


@dataclass
class Ctx:
    """One request: its session and the logged-in user (None before login)."""

    request: Request
    state: State
    session: Session
    user: accounts.User | None

    @property
    def name(self) -> str:
        assert self.user is not None
        return self.user.name

    def may(self, permission: str) -> bool:
        return self.user is not None and self.user.role in PERMISSIONS[permission]


# --- plumbing -------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    reports = Path(__file__).resolve().parent.parent / "reports" / "templates"
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(str(_HERE / "templates")),
                jinja2.FileSystemLoader(str(reports)),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["words"] = lambda value: str(value).replace("_", " ")
    environment.filters["slug"] = lambda value: re.sub(r"[^A-Za-z0-9]+", "-", str(value)).strip("-")
    environment.filters["when"] = when
    environment.filters["prose"] = prose
    from neuroseq.engine.assembly import VERBS
    from neuroseq.vocabulary import STATEMENT

    environment.globals["verbs"] = VERBS
    environment.globals["statement"] = STATEMENT
    return environment


def when(value: Any) -> str:
    """A stored timestamp (ISO 8601) as a person reads it: ``1 Dec 2026 23:25 UTC``."""
    import datetime

    if value is None or value == "":
        return ""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def prose(value: Any) -> Markup:
    """Help text written for files (`` `pattern` ``, ``early_childhood``) as a page shows it:
    code spans without their backticks, ids in words."""
    from markupsafe import escape

    parts = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: m.group().replace("_", " "), str(value))
    shown = [
        str(escape(part)) if n % 2 == 0 else f"<i>{escape(part)}</i>"
        for n, part in enumerate(parts.split("`"))
    ]
    return Markup("".join(shown))


async def _ctx(request: Request) -> Ctx:
    state: State = request.app.state.neuroseq
    session = state.sessions.read(request.cookies.get(SESSION_COOKIE))
    user = None
    if session.user is not None:
        found = await run_in_threadpool(accounts.user, state.store, session.user)
        if found is not None and found.session_open(session.issued):
            user = found
        else:
            session = state.sessions.new(None)
    return Ctx(request, state, session, user)


def _finish(ctx: Ctx, response: Response) -> Response:
    if ctx.session.fresh:
        response.set_cookie(**ctx.state.sessions.cookie(ctx.session))
    return response


def _page(ctx: Ctx, template: str, status: int = 200, **values: Any) -> Response:
    html = ctx.state.templates.get_template(template).render(
        user=ctx.user,
        csrf=ctx.session.csrf,
        may=ctx.may,
        path=ctx.request.url.path,
        **values,
    )
    return _finish(ctx, HTMLResponse(html, status_code=status))


def _redirect(ctx: Ctx, to: str) -> Response:
    return _finish(ctx, RedirectResponse(to, status_code=303))


async def _form(ctx: Ctx) -> FormData:
    """The posted form, refused (403) without this session's CSRF token."""
    length = ctx.request.headers.get("content-length") or "0"
    if not length.isascii() or not length.isdigit() or int(length) > _MAX_FORM:
        raise HTTPException(413, "The form is too large.")
    # Counted as it arrives too: a chunked request has no Content-Length to check.
    chunks, size = [], 0
    async for chunk in ctx.request.stream():
        size += len(chunk)
        if size > _MAX_FORM:
            raise HTTPException(413, "The form is too large.")
        chunks.append(chunk)
    body = b"".join(chunks)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    data = await Request(ctx.request.scope, replay).form(max_files=0, max_fields=2000)
    token = data.get("csrf") or ctx.request.headers.get("x-csrf-token")
    if not same_token(str(token) if token is not None else None, ctx.session.csrf):
        raise HTTPException(
            403,
            "The form's security token is missing or out of date: reload the page and try again.",
        )
    return data


def _need(ctx: Ctx, permission: str) -> None:
    if ctx.user is None:
        raise HTTPException(401, "Log in first.")
    if not ctx.may(permission):
        raise HTTPException(403, "Your role does not allow this.")


def _client_id(value: str) -> str:
    if not _CLIENT.match(value):
        raise HTTPException(404, "No such client.")
    return value


def _date(value: str) -> str:
    if not _DATE.match(value):
        raise HTTPException(404, "No such assessment.")
    return value


Handler = Callable[[Ctx], Awaitable[Response]]


def _route(path: str, handler: Handler, methods: tuple[str, ...] = ("GET",)) -> Route:
    async def endpoint(request: Request) -> Response:
        ctx = await _ctx(request)
        try:
            return await handler(ctx)
        except HTTPException as exc:
            if exc.status_code == 401 and request.method == "GET":
                return _redirect(ctx, "/login")
            return _error(ctx, exc.status_code, str(exc.detail))
        except NeuroseqError as exc:
            # The project's messages name fields, ids, numbers and dates, never free text.
            status = 404 if any(p.field == "CLIENT" for p in exc.problems) else 400
            return _error(ctx, status, "", problems=exc.problems)

    return Route(path, endpoint, methods=list(methods), name=handler.__name__)


def _error(ctx: Ctx, status: int, message: str, problems: tuple[Problem, ...] = ()) -> Response:
    return _page(
        ctx,
        "error.html.j2",
        status,
        title="Not possible",
        code=status,
        message=message,
        problems=[f"{p.field}: {p.message}" if p.field else p.message for p in problems],
    )


def _stored_or_404(ctx: Ctx, client: str, date: str) -> StoredAssessment:
    for stored in ctx.state.store.history(client):
        if stored.date == date:
            return stored
    raise HTTPException(404, "No such assessment.")


def _report_parts(state: State, stored: StoredAssessment) -> tuple[str, str]:
    """The stored plan's HTML report as (style, body), cached by the plan's content.

    A stored plan never changes (fidelity and decisions are not in the report), so the
    cache key is the case's and the plan's content with the earlier assessment it follows.
    """
    import hashlib

    key = hashlib.sha256(
        "\0".join(
            (stored.client, stored.sha256, stored.plan_compact, str(stored.previous_date))
        ).encode()
    ).hexdigest()
    found = state.reports.get(key)
    if found is not None:
        state.reports.move_to_end(key)
        return found
    from neuroseq.api import render

    _, result = state.store.plan_result(stored.client, state.planner, stored.date)
    html = render(result, "html")
    parts = (_between(html, "<style>", "</style>"), _between(html, "<body>", "</body>"))
    state.reports[key] = parts
    while len(state.reports) > 64:
        state.reports.popitem(last=False)
    return parts


def _between(html: str, start: str, end: str) -> str:
    first = html.index(start) + len(start)
    return html[first : html.index(end, first)]


# --- login ----------------------------------------------------------------------


async def login(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        if ctx.user is not None:
            return _redirect(ctx, _HOME[ctx.user.role])
        return _page(ctx, "login.html.j2", title="Log in", problem="")
    data = await _form(ctx)
    name = str(data.get("name", ""))[:64]
    password = str(data.get("password", ""))
    # The audit line names who tried only when it is a possible user name (no control
    # characters or markup from a stranger reach the log).
    logged = name if _CLIENT.match(name) else "invalid-name"
    address = ctx.request.client.host if ctx.request.client else "unknown"
    throttle = ctx.state.throttle
    if throttle.locked(name, address):
        await run_in_threadpool(_log, ctx.state, logged, "login-locked")
        return _page(
            ctx,
            "login.html.j2",
            429,
            title="Log in",
            problem="Too many failed attempts: wait 15 minutes and try again.",
        )
    found = await run_in_threadpool(accounts.authenticate, ctx.state.store, name, password)
    if found is None:
        delay = throttle.failed(name, address)
        await run_in_threadpool(_log, ctx.state, logged, "login-failed")
        import asyncio

        await asyncio.sleep(delay)
        return _page(ctx, "login.html.j2", 401, title="Log in", problem="Wrong name or password.")
    throttle.succeeded(name)
    await run_in_threadpool(_log, ctx.state, found.name, "login", detail=found.role)
    ctx.session = ctx.state.sessions.new(found.name)
    ctx.user = found
    return _redirect(ctx, _HOME[found.role])


async def logout(ctx: Ctx) -> Response:
    await _form(ctx)
    if ctx.user is not None:
        # every session of the account ends, not only this browser's cookie
        name, store = ctx.user.name, ctx.state.store
        await run_in_threadpool(_writing, ctx.state, lambda: accounts.sign_out(store, name))
    ctx.session = ctx.state.sessions.new(None)
    ctx.user = None
    return _redirect(ctx, "/login")


async def home(ctx: Ctx) -> Response:
    if ctx.user is None:
        return _redirect(ctx, "/login")
    return _redirect(ctx, _HOME[ctx.user.role])


# --- clients --------------------------------------------------------------------


async def clients(ctx: Ctx) -> Response:
    _need(ctx, "read")
    query = str(ctx.request.query_params.get("q", ""))[:64].strip()
    found = await run_in_threadpool(ctx.state.store.clients)
    if query:
        found = [c for c in found if query.lower() in c.client.lower()]
    await run_in_threadpool(_log, ctx.state, ctx.name, "web-list", detail=f"{len(found)} shown")
    drafts = (
        await run_in_threadpool(accounts.drafts_of, ctx.state.store, ctx.name)
        if ctx.may("edit")
        else []
    )
    return _page(ctx, "clients.html.j2", title="Clients", clients=found, query=query, drafts=drafts)


async def client(ctx: Ctx) -> Response:
    _need(ctx, "read")
    client_id = _client_id(ctx.request.path_params["client"])

    def work() -> dict[str, Any]:
        from neuroseq.store.timeline import timeline_json
        from neuroseq.web.charts import cmr_trend, development_trend

        history = ctx.state.store.history(client_id, all_versions=True)
        data = timeline_json(client_id, history)
        _log(ctx.state, ctx.name, "web-view-timeline", client=client_id)
        return {
            "timeline": data,
            "cmr_chart": cmr_trend(data["assessments"]),
            "development_chart": development_trend(data["assessments"]),
            "notes": accounts.review_notes(ctx.state.store, client_id),
            "names": {i.id: i.name for i in ctx.state.planner.catalog.interventions},
        }

    values = await run_in_threadpool(work)
    return _page(ctx, "client.html.j2", title=f"Client {client_id}", client=client_id, **values)


async def plan_page(ctx: Ctx) -> Response:
    _need(ctx, "read")
    client_id = _client_id(ctx.request.path_params["client"])
    date = _date(ctx.request.path_params["date"])
    return await _plan_response(ctx, client_id, date)


_NOTICES: Final = {"unchanged": "This assessment is already stored; nothing changed."}
"""Notices a redirect to the plan page may ask for (``?notice=``), by code."""


@dataclass(frozen=True)
class ItemProblem:
    """A refused decision or fidelity record, shown beside its field in the item's row."""

    item: str
    form: str
    """``decision`` or ``fidelity``."""
    field: str
    message: str
    typed: dict[str, str]


async def _plan_response(
    ctx: Ctx, client_id: str, date: str, problem: ItemProblem | None = None
) -> Response:
    started = time.perf_counter()

    def work() -> dict[str, Any]:
        stored = _stored_or_404(ctx, client_id, date)
        style, body = _report_parts(ctx.state, stored)
        _log(ctx.state, ctx.name, "web-view-plan", client=client_id, date=date)
        return {"stored": stored, "report_style": Markup(style), "report_body": Markup(body)}

    values = await run_in_threadpool(work)
    stored: StoredAssessment = values["stored"]
    from neuroseq.vocabulary import FIDELITY_STATUSES, OVERRIDE_REASONS

    items = stored.plan["recommendations"]
    names = {item["intervention"]: item["name"] for item in items}
    saved = str(ctx.request.query_params.get("saved", ""))
    response = _page(
        ctx,
        "plan.html.j2",
        400 if problem else 200,
        title=f"Plan {client_id} {date}",
        client=client_id,
        date=date,
        items=items,
        fidelity=stored.latest_fidelity(),
        decisions=stored.latest_decisions(),
        statuses=FIDELITY_STATUSES,
        reasons=OVERRIDE_REASONS,
        saved=names.get(saved, ""),
        notice=_NOTICES.get(str(ctx.request.query_params.get("notice", "")), ""),
        problem=problem,
        fhir=fhir_available(),
        **values,
    )
    response.headers["server-timing"] = f"render;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def _words(values: tuple[str, ...]) -> str:
    shown = [value.replace("_", " ") for value in values]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _rating_problem(value: str) -> str:
    """What is wrong with a typed fidelity rating ('' when nothing is)."""
    value = value.strip()
    if value in ("", "0", "1", "2", "3"):
        return ""
    return "Choose a rating of 0, 1, 2 or 3, or leave it empty."


@dataclass(frozen=True)
class _ItemRecord:
    """What one of the plan page's per-item forms (fidelity or decision) checks and stores."""

    form: str
    """``fidelity`` or ``decision``: the form's name, as :class:`ItemProblem` names it."""
    fields: tuple[str, ...]
    """The form's fields besides ``item`` and ``note``, shown again as typed when refused."""
    stripped: tuple[str, ...]
    """Those of ``fields`` read without surrounding white space."""
    problem: Callable[[dict[str, str]], tuple[str, str]]
    """(field, message) of the first thing wrong with the typed values, ("", "") if none."""
    store: Callable[[CaseStore, str, str, dict[str, str], str | None, str, str], object]
    """``store(store, client, item, typed, note, by, date)``: the store's write."""


def _fidelity_problem(typed: dict[str, str]) -> tuple[str, str]:
    from neuroseq.vocabulary import FIDELITY_STATUSES

    if typed["status"] not in FIDELITY_STATUSES:
        return "status", f"Choose what was done: {_words(FIDELITY_STATUSES)}."
    if _rating_problem(typed["rating"]):
        return "rating", _rating_problem(typed["rating"])
    return "", ""


def _decision_problem(typed: dict[str, str]) -> tuple[str, str]:
    from neuroseq.vocabulary import OVERRIDE_REASONS

    if typed["decision"] not in ("accept", "override"):
        return "decision", "Choose accept or override."
    if typed["decision"] == "override" and typed["reason"] not in OVERRIDE_REASONS:
        return "reason", f"Choose why you override it: {_words(OVERRIDE_REASONS)}."
    return "", ""


_FIDELITY: Final = _ItemRecord(
    "fidelity",
    ("status", "rating"),
    ("rating",),
    _fidelity_problem,
    lambda store, client, item, typed, note, by, date: store.record_fidelity(
        client,
        item,
        status=typed["status"],
        rating=int(typed["rating"]) if typed["rating"] else None,
        note=note,
        by=by,
        date=date,
    ),
)
_DECISION: Final = _ItemRecord(
    "decision",
    ("decision", "reason"),
    (),
    _decision_problem,
    lambda store, client, item, typed, note, by, date: store.decide(
        client,
        item,
        accept=typed["decision"] == "accept",
        reason=None if typed["decision"] == "accept" else typed["reason"],
        note=note,
        by=by,
        date=date,
    ),
)


async def _record_item(ctx: Ctx, kind: _ItemRecord) -> Response:
    """Check one per-item form of the plan page and store it, or show it again refused."""
    _need(ctx, "edit")
    data = await _form(ctx)
    client_id = _client_id(ctx.request.path_params["client"])
    date = _date(ctx.request.path_params["date"])
    item = str(data.get("item", ""))
    typed = {name: str(data.get(name, "")) for name in kind.fields}
    typed.update({name: typed[name].strip() for name in kind.stripped})
    note = str(data.get("note", "")).strip() or None
    field, message = kind.problem(typed)
    if message:
        shown = {**typed, "note": note or ""}
        return await _plan_response(
            ctx, client_id, date, ItemProblem(item, kind.form, field, message, shown)
        )
    store = ctx.state.store
    await run_in_threadpool(
        _writing,
        ctx.state,
        lambda: kind.store(store, client_id, item, typed, note, ctx.name, date),
    )
    return _redirect(ctx, f"/clients/{client_id}/plans/{date}?saved={item}#item-{item}")


async def record_fidelity(ctx: Ctx) -> Response:
    return await _record_item(ctx, _FIDELITY)


async def record_decision(ctx: Ctx) -> Response:
    return await _record_item(ctx, _DECISION)


async def download(ctx: Ctx) -> Response:
    _need(ctx, "read")
    client_id = _client_id(ctx.request.path_params["client"])
    date = _date(ctx.request.path_params["date"])
    kind = ctx.request.path_params["kind"]
    if kind not in _DOWNLOADS:
        raise HTTPException(404, "No such download.")
    if kind == "plan.fhir.json" and not fhir_available():
        from neuroseq.fhir import INSTALL_HINT

        raise HTTPException(404, f"{INSTALL_HINT}, then restart neuroseq serve.")

    def work() -> Response:
        from neuroseq.api import render

        stored = _stored_or_404(ctx, client_id, date)
        _log(ctx.state, ctx.name, _DOWNLOADS[kind], client=client_id, date=date)
        name = f"{client_id}-{date}"
        if kind == "plan.json":
            return Response(
                stored.plan_json,
                media_type="application/json",
                headers={"content-disposition": f'attachment; filename="{name}.plan.json"'},
            )
        _, result = ctx.state.store.plan_result(client_id, ctx.state.planner, date)
        if kind == "plan.fhir.json":
            # As `neuroseq plan --format fhir` writes it: the Bundle and one newline.
            text = render(result, "fhir")
            return Response(
                text if text.endswith("\n") else text + "\n",
                media_type="application/fhir+json",
                headers={"content-disposition": f'attachment; filename="{name}.fhir.json"'},
            )
        html = render(result, "html")
        headers = (
            {}
            if kind == "print"
            else {"content-disposition": f'attachment; filename="{name}.html"'}
        )
        return HTMLResponse(html, headers=headers)

    return _finish(ctx, await run_in_threadpool(work))


_DOWNLOADS: Final = {
    "report.html": "web-download-report",
    "print": "web-download-print",
    "plan.json": "web-download-plan",
    "plan.fhir.json": "web-download-fhir",
}
"""Each download and the audit line it writes."""


def fhir_available() -> bool:
    """Whether the fhir extra is installed (the FHIR download and the CDS Hooks service)."""
    from neuroseq.fhir import available

    return available()


async def compare(ctx: Ctx) -> Response:
    _need(ctx, "read")
    client_id = _client_id(ctx.request.path_params["client"])

    def work() -> dict[str, Any]:
        from neuroseq.store.reports import client_report

        html = client_report(ctx.state.store, client_id, ctx.state.planner)
        _log(ctx.state, ctx.name, "web-view-compare", client=client_id)
        return {
            "report_style": Markup(_between(html, "<style>", "</style>")),
            "report_body": Markup(_between(html, "<body>", "</body>")),
            "count": len(ctx.state.store.history(client_id)),
        }

    values = await run_in_threadpool(work)
    return _page(
        ctx, "compare.html.j2", title=f"Change over time {client_id}", client=client_id, **values
    )


async def audit_view(ctx: Ctx) -> Response:
    _need(ctx, "read")
    client_id = _client_id(ctx.request.path_params["client"])

    def work() -> dict[str, Any]:
        history = ctx.state.store.history(client_id)
        _log(ctx.state, ctx.name, "web-view-audit", client=client_id)
        return {
            "history": history,
            "notes": accounts.review_notes(ctx.state.store, client_id),
            "log": ctx.state.store.audit_log(client_id)[-200:],
        }

    values = await run_in_threadpool(work)
    return _page(ctx, "audit.html.j2", title=f"Audit {client_id}", client=client_id, **values)


async def add_note(ctx: Ctx) -> Response:
    _need(ctx, "note")
    data = await _form(ctx)
    client_id = _client_id(ctx.request.path_params["client"])
    date = str(data.get("date", "")).strip() or None
    if date is not None:
        _date(date)
    await run_in_threadpool(
        _writing,
        ctx.state,
        lambda: accounts.add_review_note(
            ctx.state.store, client_id, str(data.get("note", "")), by=ctx.name, date=date
        ),
    )
    return _redirect(ctx, f"/clients/{client_id}/audit#notes")


# --- the assessment form ----------------------------------------------------------


def _form_values(ctx: Ctx, fields: dict[str, str], **values: Any) -> dict[str, Any]:
    from neuroseq.scoring.guide import load_guide
    from neuroseq.scoring.items import ITEMS
    from neuroseq.vocabulary import PERIODS

    guide = load_guide()
    return {
        "fields": fields,
        "items": ITEMS,
        "guide": guide,
        "periods": PERIODS,
        "patterns": case_form.PATTERNS,
        "sensitivities": case_form.SENSITIVITY_CHOICES,
        "medication_classes": case_form.MEDICATION_CHOICES,
        "household_flags": case_form.HOUSEHOLD_FLAGS,
        "relational": case_form.RELATIONAL_HEALTH,
        "catalog": [(i.id, i.name) for i in ctx.state.planner.catalog.interventions],
        "problems": values.pop("problems", case_form.FormProblems({}, [])),
        "draft_saved_at": values.pop("draft_saved_at", ""),
        "just_saved": values.pop("just_saved", False),
        "previous": values.pop("previous", ""),
        "brain_map": values.pop("brain_map", None) or _brain_map(ctx, fields),
        **values,
    }


def _brain_map(ctx: Ctx, fields: dict[str, str]) -> dict[str, Any]:
    """The client's brain map (and the typical peer's) from the form's age and scores."""
    from neuroseq.api import parse_case
    from neuroseq.reports.context import maps
    from neuroseq.scoring.items import ITEMS
    from neuroseq.scoring.profile import score

    try:
        case = parse_case(case_form.score_document(fields), "form")
    except NeuroseqError as exc:
        found = case_form.problems_by_field(exc.problems, fields, case_form.field_names())
        labels = {f"cns.{item.id}": f"{item.number} {item.label}" for item in ITEMS}
        labels.update({"client.age_years": "the age", "client.date_of_birth": "the date of birth"})
        labels["client.assessment_date"] = "the assessment date"
        wrong = [labels.get(name, name) for name in found.by_field]
        wrong += ["the age"] if found.general and "the age" not in wrong else []
        if not any(fields.get(f"cns.{item.id}", "").strip() for item in ITEMS):
            scores = {f"{item.number} {item.label}" for item in ITEMS}
            wrong = [name for name in wrong if name not in scores]
        if len(wrong) > 6:
            wrong = [*wrong[:6], f"{len(wrong) - 6} more"]
        return {"maps": None, "wrong": wrong}
    profile = score(case, ctx.state.planner.norms)
    age = f"{profile.age:g}"
    drawn = maps(profile, ctx.state.planner.norms, title=f"This assessment, age {age}")
    return {"maps": drawn, "wrong": [], "age": age, "cmr": f"{profile.cmr.value:.2f}"}


async def new_assessment(ctx: Ctx) -> Response:
    _need(ctx, "edit")
    draft_id = ctx.request.query_params.get("draft")
    fields: dict[str, str] = {}
    found: accounts.Draft | None = None
    if draft_id is not None:
        if not _NUMBER.match(draft_id):
            raise HTTPException(404, "No such draft.")
        found = await run_in_threadpool(accounts.draft, ctx.state.store, ctx.name, int(draft_id))
        if found is None:
            raise HTTPException(404, "No such draft.")
        fields = dict(found.fields)
    # A follow-up's draft remembers the assessment it follows (a form key, not a case field).
    previous = await run_in_threadpool(
        _previous_of, ctx, fields.get("client.id", "").strip(), fields.pop(_DRAFT_PREVIOUS, "")
    )
    kind = "follow_up" if previous else "new"
    saved_at = found.saved_at if found is not None else ""
    just_saved = ctx.request.query_params.get("saved") == "1"
    values = await run_in_threadpool(
        lambda: _form_values(
            ctx,
            fields,
            draft=draft_id or "",
            kind=kind,
            previous=previous,
            draft_saved_at=saved_at,
            just_saved=just_saved,
        )
    )
    title = "Follow-up assessment" if previous else "New assessment"
    return _page(ctx, "assess.html.j2", title=title, **values)


async def follow_up(ctx: Ctx) -> Response:
    _need(ctx, "edit")
    client_id = _client_id(ctx.request.path_params["client"])

    def work() -> dict[str, Any]:
        import yaml

        latest = ctx.state.store.assessment(client_id)
        _log(ctx.state, ctx.name, "web-start-follow-up", client=client_id, date=latest.date)
        fields = case_form.fields_of(yaml.safe_load(latest.document), follow_up=True)
        return _form_values(ctx, fields, draft="", kind="follow_up", previous=latest.date)

    values = await run_in_threadpool(work)
    return _page(ctx, "assess.html.j2", title=f"Follow-up of {client_id}", **values)


def _fields(data: FormData) -> dict[str, str]:
    names = case_form.field_names()
    fields = {}
    for name in names:
        if name == "client.sensitivities":
            fields[name] = ",".join(str(v) for v in data.getlist(name))
        elif name in data:
            fields[name] = str(data.get(name, ""))
    return fields


async def preview(ctx: Ctx) -> Response:
    _need(ctx, "edit")
    data = await _form(ctx)
    fields = _fields(data)
    drawn = await run_in_threadpool(_brain_map, ctx, fields)
    return _page(ctx, "_brain_map.html.j2", brain_map=drawn)


def _previous_of(ctx: Ctx, client_id: str, given: str) -> str:
    """The earlier assessment a follow-up form says it carries over (its hidden field), if
    it is one of this client's stored assessments; else '' (the form says nothing of it)."""
    if not given or not _DATE.match(given) or not _CLIENT.match(client_id):
        return ""
    try:
        dates = {stored.date for stored in ctx.state.store.history(client_id)}
    except NeuroseqError:
        return ""
    return given if given in dates else ""


async def submit_assessment(ctx: Ctx) -> Response:
    _need(ctx, "edit")
    data = await _form(ctx)
    fields = _fields(data)
    action = str(data.get("action", "submit"))
    draft_id = str(data.get("draft", ""))
    kind = str(data.get("kind", "new"))
    client_id = fields.get("client.id", "").strip()
    previous = str(data.get("previous", "")) if kind == "follow_up" else ""
    if action == "draft":
        previous = await run_in_threadpool(_previous_of, ctx, client_id, previous)
        kept = {**fields, _DRAFT_PREVIOUS: previous} if previous else fields
        saved = await run_in_threadpool(
            _writing,
            ctx.state,
            lambda: accounts.save_draft(
                ctx.state.store,
                ctx.name,
                kept,
                draft_id=int(draft_id) if _NUMBER.match(draft_id) else None,
                client=fields.get("client.id", "").strip()
                if _CLIENT.match(fields.get("client.id", "").strip())
                else None,
            ),
        )
        return _redirect(ctx, f"/assessments/new?draft={saved.id}&saved=1")
    raw = case_form.case_text(fields)
    source = f"web-form/{client_id if _CLIENT.match(client_id) else 'new'}.yaml"
    try:
        from neuroseq.api import parse_case

        # Checked here first (plain Python) so a mistake is shown without a planning round trip;
        # the worker checks it again as every add does.
        await run_in_threadpool(lambda: parse_case(raw, source, catalog=ctx.state.planner.catalog))
        added = await ctx.state.pool.add(
            raw, source, replace=data.get("replace") == "on", actor=ctx.name
        )
    except NeuroseqError as exc:
        problems = case_form.problems_by_field(exc.problems, fields, case_form.field_names())
        values = await run_in_threadpool(
            lambda: _form_values(
                ctx,
                fields,
                draft=draft_id,
                kind=kind,
                problems=problems,
                previous=_previous_of(ctx, client_id, previous),
            )
        )
        return _page(ctx, "assess.html.j2", 400, title="Check the assessment", **values)
    if _NUMBER.match(draft_id):
        await run_in_threadpool(
            _writing,
            ctx.state,
            lambda: accounts.delete_draft(ctx.state.store, ctx.name, int(draft_id)),
        )
    notice = "?notice=unchanged" if added.outcome == "unchanged" else ""
    return _redirect(ctx, f"/clients/{added.client}/plans/{added.date}{notice}")


# --- trainer and admin ------------------------------------------------------------


async def trainer(ctx: Ctx) -> Response:
    _need(ctx, "rules")

    def work() -> dict[str, Any]:
        from neuroseq.catalog.loader import load_catalog
        from neuroseq.engine.rulebase import check_rulebase, load_rulebase

        settings = ctx.state.settings
        folder = Path(settings.rules) if settings.rules else None
        catalog_path = Path(settings.catalog) if settings.catalog else None
        base, problems = load_rulebase(folder)
        compilation, findings = check_rulebase(
            base, problems, load_catalog(catalog_path), catalog_path
        )
        _log(ctx.state, ctx.name, "web-view-rules")
        return {
            "rules": len(base.rules),
            "engine_rules": len(compilation.rules),
            "findings": findings,
        }

    values = await run_in_threadpool(work)
    # Rule tests plan their givens with the rule engine: in a planning worker.
    results = await ctx.state.pool.rule_tests()
    return _page(
        ctx,
        "trainer.html.j2",
        title="Rules",
        results=results,
        candidates=[folder.name for folder in ctx.state.candidates],
        **values,
    )


def _without_clients(report: ImpactReport) -> ImpactReport:
    """The report with each case numbered instead of named (trainers see no case data) and
    each rule folder by its name only (the page offers no server path)."""
    import dataclasses

    def named(versions: dict[str, str]) -> dict[str, str]:
        folder = versions.get("folder", "")
        return {**versions, "folder": Path(folder).name if folder != "bundled" else folder}

    return dataclasses.replace(
        report,
        base=named(report.base),
        candidate=named(report.candidate),
        cases=tuple(
            dataclasses.replace(case, file=f"case {number}", client="", date="")
            for number, case in enumerate(report.cases, start=1)
        ),
    )


async def trainer_impact(ctx: Ctx) -> Response:
    """The impact of one of the server's candidate rule folders on the stored cases."""
    _need(ctx, "rules")
    data = await _form(ctx)
    choice = str(data.get("candidate", ""))
    candidates = ctx.state.candidates
    if not _NUMBER.match(choice) or int(choice) >= len(candidates):
        raise HTTPException(
            400, "Choose one of the candidate rule folders this server was started with."
        )
    folder = candidates[int(choice)]
    try:
        # Both rule bases plan every stored case: in a process of the pool's, never here.
        report = await ctx.state.pool.impact(str(folder))
    except NeuroseqError as exc:
        await run_in_threadpool(
            _log, ctx.state, ctx.name, "web-rules-impact-refused", detail=folder.name
        )
        return _page(
            ctx,
            "trainer_impact.html.j2",
            400,
            title=f"Impact of {folder.name}",
            candidate=folder.name,
            # Located in the candidate folder: named by the folder's name, as the page offers it.
            problems=[str(p).replace(str(folder), folder.name) for p in exc.problems],
            report_style="",
            report_body="",
        )

    def work() -> dict[str, Any]:
        from neuroseq.batch.impact import render_impact

        html = render_impact(_without_clients(report), "html")
        _log(
            ctx.state,
            ctx.name,
            "web-rules-impact",
            detail=f"{folder.name}: {report.changed} of {len(report.cases)} plans change",
        )
        return {
            "report_style": Markup(_between(html, "<style>", "</style>")),
            "report_body": Markup(_between(html, "<body>", "</body>")),
        }

    values = await run_in_threadpool(work)
    return _page(
        ctx,
        "trainer_impact.html.j2",
        title=f"Impact of {folder.name}",
        candidate=folder.name,
        problems=[],
        **values,
    )


async def users_page(ctx: Ctx) -> Response:
    _need(ctx, "users")
    problem = ""
    if ctx.request.method == "POST":
        data = await _form(ctx)
        try:
            await run_in_threadpool(
                _writing,
                ctx.state,
                lambda: accounts.add_user(
                    ctx.state.store,
                    str(data.get("name", "")).strip(),
                    str(data.get("role", "")),
                    str(data.get("password", "")),
                    actor=ctx.name,
                ),
            )
            return _redirect(ctx, "/admin/users")
        except NeuroseqError as exc:
            problem = "; ".join(p.message for p in exc.problems)
    found = await run_in_threadpool(accounts.users, ctx.state.store)
    return _page(
        ctx,
        "users.html.j2",
        400 if problem else 200,
        title="Users",
        users=found,
        roles=accounts.ROLES,
        problem=problem,
    )


async def disable(ctx: Ctx) -> Response:
    _need(ctx, "users")
    await _form(ctx)
    name = ctx.request.path_params["name"]
    await run_in_threadpool(
        _writing, ctx.state, lambda: accounts.disable_user(ctx.state.store, name, actor=ctx.name)
    )
    return _redirect(ctx, "/admin/users")


async def health(ctx: Ctx) -> Response:
    return JSONResponse({"ok": True})


# --- the app ----------------------------------------------------------------------


ROUTES: Final = (
    ("/", home, ("GET",)),
    ("/login", login, ("GET", "POST")),
    ("/logout", logout, ("POST",)),
    ("/healthz", health, ("GET",)),
    ("/clients", clients, ("GET",)),
    ("/clients/{client}", client, ("GET",)),
    ("/clients/{client}/plans/{date}", plan_page, ("GET",)),
    ("/clients/{client}/plans/{date}/fidelity", record_fidelity, ("POST",)),
    ("/clients/{client}/plans/{date}/decision", record_decision, ("POST",)),
    ("/clients/{client}/plans/{date}/{kind}", download, ("GET",)),
    ("/clients/{client}/compare", compare, ("GET",)),
    ("/clients/{client}/audit", audit_view, ("GET",)),
    ("/clients/{client}/notes", add_note, ("POST",)),
    ("/clients/{client}/follow-up", follow_up, ("GET",)),
    ("/assessments/new", new_assessment, ("GET",)),
    ("/assessments", submit_assessment, ("POST",)),
    ("/assessments/preview", preview, ("POST",)),
    ("/trainer", trainer, ("GET",)),
    ("/trainer/impact", trainer_impact, ("POST",)),
    ("/admin/users", users_page, ("GET", "POST")),
    ("/admin/users/{name}/disable", disable, ("POST",)),
)


def _compile_templates(environment: jinja2.Environment) -> None:
    """Compile the pages' and the reports' templates now, not in a clinician's first request."""
    from neuroseq.reports.render import environment as report_environment

    for path in sorted((_HERE / "templates").glob("*.j2")):
        environment.get_template(path.name)
    reports = report_environment(None, html=True)
    for name in ("plan.html.j2", "compare.html.j2"):
        reports.get_template(name)


def _warm(state: State) -> None:
    """Import and run the report path once (on the latest stored plan, if any), so the first
    clinician to open a plan does not wait for it."""
    import neuroseq.reports.compare
    import neuroseq.reports.context
    import neuroseq.reports.family_summary
    import neuroseq.store.timeline
    import neuroseq.web.charts  # noqa: F401

    found = state.store.clients()
    if found:
        latest = state.store.assessment(found[0].client)
        _report_parts(state, latest)


def _candidate_folders(given: tuple[str, ...]) -> tuple[Path, ...]:
    """The candidate rule folders, resolved; anything but an existing folder is refused."""
    from neuroseq.errors import RuleError, SourceLocation

    problems = []
    found = []
    for name in given:
        path = Path(name)
        if not path.is_dir():
            what = "does not exist" if not path.exists() else "is not a folder"
            problems.append(
                Problem(SourceLocation(name), "--candidate-rules", f"{what}: give a rule folder")
            )
        else:
            found.append(path.resolve())
    if problems:
        raise RuleError(problems)
    return tuple(found)


def create_app(settings: Settings, *, pool: PlanningPool | None = None) -> Starlette:
    """The app on ``settings.db``; it owns (and closes) its planning pool."""
    from contextlib import asynccontextmanager

    from neuroseq.api import Planner
    from neuroseq.store import CaseStore
    from neuroseq.web.workers import PlanningPool

    candidates = _candidate_folders(settings.candidate_rules)
    store = CaseStore.open(settings.db)
    planner = Planner.load(
        Path(settings.rules) if settings.rules else None,
        Path(settings.catalog) if settings.catalog else None,
        Path(settings.norms) if settings.norms else None,
    )
    planning = pool or PlanningPool(
        settings.db,
        workers=settings.workers,
        rules=settings.rules,
        catalog=settings.catalog,
        norms=settings.norms,
    )
    _compile_templates(environment := _environment())
    state = State(
        settings,
        store,
        planner,
        planning,
        Sessions(
            settings.secret or app_key(store),
            max_age=settings.session_seconds,
            secure=settings.secure_cookies,
        ),
        Throttle(
            limit=settings.login_limit,
            window=settings.login_window,
            base_delay=settings.login_delay,
        ),
        environment,
        candidates,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        try:
            yield
        finally:
            planning.close()
            store.close()

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never the exception's text: it might hold case content. An id ties it to the log.
        reference = secrets.token_hex(4)
        _LOG.error("error %s: %s in %s", reference, type(exc).__name__, request.url.path)
        return HTMLResponse(
            f"<!DOCTYPE html><title>Error</title><p>Something went wrong (reference {reference}). "
            "Nothing was changed by the failed step.</p>",
            status_code=500,
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        return HTMLResponse(
            "<!DOCTYPE html><title>Not found</title><p>Not found.</p>", status_code=404
        )

    routes: list[Route | Mount] = [
        _route(path, handler, methods) for path, handler, methods in ROUTES
    ]
    if fhir_available():
        from neuroseq.web.cds import cds_routes

        routes.extend(
            cds_routes(
                store,
                planning,
                state.write_lock,
                read=PERMISSIONS["read"],
                decide=PERMISSIONS["edit"],
                catalog_ids=planner.catalog.ids,
            )
        )
    routes.append(Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={500: server_error, 404: not_found, 405: not_found},
    )
    app.state.neuroseq = state
    _warm(state)
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts)
    return app
