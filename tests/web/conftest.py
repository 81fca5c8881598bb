"""The web app's fixtures: an app on each store database, logged-in clients, a stored intake."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from neuroseq.store import CaseStore
from neuroseq.store.users import add_user
from neuroseq.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent.parent
INTAKE = ROOT / "examples" / "published-case-intake.yaml"
FOLLOWUP = ROOT / "examples" / "published-case-followup.yaml"
PASSWORD = "correct horse battery"
CLIENT = "published-case"
INTAKE_DATE = "2026-01-12"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Web:
    """A test client on the app, with the store it runs on."""

    def __init__(self, app: Any, store: CaseStore) -> None:
        self.app = app
        self.store = store
        self.client = TestClient(app, base_url="http://localhost")

    def login(self, name: str, role: str) -> str:
        """Add ``name`` with ``role`` (if new) and log in; returns the CSRF token."""
        from neuroseq.store.users import user

        if user(self.store, name) is None:
            add_user(self.store, name, role, PASSWORD, actor="test")
        token = csrf_of(self.client.get("/login").text)
        response = self.client.post(
            "/login",
            data={"csrf": token, "name": name, "password": PASSWORD},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        home = self.client.get(response.headers["location"])
        return csrf_of(home.text)


@pytest.fixture
def web_factory(store_url: str) -> Iterator[Callable[..., Web]]:
    made: list[TestClient] = []

    def make(**settings: Any) -> Web:
        app = create_app(Settings(db=store_url, workers=1, login_delay=0.0, **settings))
        web = Web(app, app.state.neuroseq.store)
        web.client.__enter__()
        made.append(web.client)
        return web

    yield make
    for client in made:
        client.__exit__(None, None, None)


@pytest.fixture
def web(web_factory: Callable[..., Web]) -> Web:
    return web_factory()


@pytest.fixture
def stored(web: Web, planner: Any) -> Web:
    """The app with the published intake stored (planned in this process, as the CLI does)."""
    web.store.add(INTAKE.read_bytes(), str(INTAKE), planner, actor="test")
    return web


@pytest.fixture(scope="module")
def shared_app(module_store_url: str, planner: Any) -> Iterator[Web]:
    """One app per test module and store database, with the published intake stored.

    Building an app (its planner, templates and store) takes a second or more, and on
    PostgreSQL a new database besides; tests that only read, or whose changes no other
    test reads (their own audit lines, a login of a user that :meth:`Web.login` adds if
    new), share this one through :func:`shared_stored`. A test that changes what others
    would see (disables or logs out a user, fails logins, adds a user by hand, expects an
    empty store or an exact audit log) uses :func:`stored` or :func:`web`: an app of its own.
    """
    app = create_app(Settings(db=module_store_url, workers=1, login_delay=0.0))
    web = Web(app, app.state.neuroseq.store)
    web.client.__enter__()
    try:
        web.store.add(INTAKE.read_bytes(), str(INTAKE), planner, actor="test")
        yield web
    finally:
        web.client.__exit__(None, None, None)


@pytest.fixture
def shared_stored(shared_app: Web) -> Iterator[Web]:
    """:func:`shared_app` through a new test client: no cookie, so no session, of another test."""
    web = Web(shared_app.app, shared_app.store)
    try:
        yield web
    finally:
        web.client.close()
