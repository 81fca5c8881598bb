"""The web app's guards, through the ASGI test client: hosts, headers, sessions, CSRF, throttling.

Tests that only read, or change nothing another test reads, share one app per store
database (``shared_stored``, each through a new client: no session of another test);
those that disable or log out a user, fail logins or add users by hand get their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from neuroseq.web.app import ROUTES
from neuroseq.web.security import SESSION_COOKIE, Sessions, Throttle, host_name

from .conftest import CLIENT, INTAKE_DATE, PASSWORD, Web, csrf_of

CASE_PAGES = (
    "/clients",
    f"/clients/{CLIENT}",
    f"/clients/{CLIENT}/plans/{INTAKE_DATE}",
    f"/clients/{CLIENT}/plans/{INTAKE_DATE}/plan.json",
    f"/clients/{CLIENT}/plans/{INTAKE_DATE}/report.html",
    f"/clients/{CLIENT}/compare",
    f"/clients/{CLIENT}/audit",
    f"/clients/{CLIENT}/follow-up",
    "/assessments/new",
)


def test_host_name_drops_the_port_and_brackets() -> None:
    assert host_name("LOCALHOST:8000") == "localhost"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("clinic.example") == "clinic.example"


def test_guard_refuses_a_foreign_host_header(shared_stored: Web) -> None:
    response = shared_stored.client.get("/login", headers={"host": "attacker.example"})
    assert response.status_code == 421
    assert "--allowed-host" in response.text
    assert response.headers["x-frame-options"] == "DENY"


def test_guard_accepts_localhost_127_and_an_allowed_host(web_factory: Callable[..., Web]) -> None:
    web = web_factory(allowed_hosts=("neuroseq.clinic.example",))
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000", "neuroseq.clinic.example"):
        assert web.client.get("/login", headers={"host": host}).status_code == 200, host
    assert web.client.get("/login", headers={"host": "other.example"}).status_code == 421


def test_guard_sets_csp_without_inline_script_and_no_store(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    response = shared_stored.client.get(f"/clients/{CLIENT}/plans/{INTAKE_DATE}")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    script = re.search(r"script-src ([^;]+)", csp)
    assert script is not None and script.group(1).strip() == "'self'"
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    # No inline script on the page: only the vendored htmx file.
    assert re.findall(r"<script[^>]*>", response.text) == [
        '<script src="/static/htmx.min.js" defer>'
    ]
    assert " on" not in re.sub(r"\s+", " ", "".join(re.findall(r"<[^>]+ on\w+=", response.text)))


def test_create_app_serves_the_vendored_htmx_with_its_licence(shared_stored: Web) -> None:
    response = shared_stored.client.get("/static/htmx.min.js")
    assert response.status_code == 200
    assert response.text.startswith("/*! htmx 2.")
    assert "Zero-Clause BSD" in response.text[:400]


def test_sessions_cookie_is_signed_httponly_and_samesite_strict(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    response = shared_stored.client.get("/login")
    token = csrf_of(shared_stored.client.get("/clients").text)
    del response, token
    login_page = TestClient(shared_stored.app, base_url="http://localhost").get("/login")
    cookie = login_page.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")


def test_sessions_read_refuses_a_tampered_cookie() -> None:
    sessions = Sessions("secret")
    session = sessions.new("rivera")
    value = sessions.cookie(session)["value"]
    assert sessions.read(value).user == "rivera"
    tampered = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    assert sessions.read(tampered).user is None
    assert Sessions("another secret").read(value).user is None


def test_sessions_cookie_is_secure_behind_tls() -> None:
    assert Sessions("s", secure=True).cookie(Sessions("s").new(None))["secure"] is True


@pytest.mark.parametrize("path", CASE_PAGES)
def test_route_shows_nothing_before_login(shared_stored: Web, path: str) -> None:
    response = shared_stored.client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert CLIENT not in response.text


def test_login_page_shows_no_case_data(shared_stored: Web) -> None:
    page = shared_stored.client.get("/login").text
    assert CLIENT not in page and "<svg" not in page


def _posts() -> list[str]:
    paths = []
    for path, _, methods in ROUTES:
        if "POST" in methods:
            paths.append(
                path.replace("{client}", CLIENT)
                .replace("{date}", INTAKE_DATE)
                .replace("{name}", "rivera")
            )
    return paths


@pytest.mark.parametrize("path", _posts())
def test_route_refuses_a_post_without_the_csrf_token(shared_stored: Web, path: str) -> None:
    shared_stored.login("admin1", "admin")
    shared_stored.login("rivera", "clinician")
    data = {"item": "drumming", "status": "done", "name": "rivera", "password": PASSWORD}
    response = shared_stored.client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403, path
    wrong = shared_stored.client.post(
        path, data={**data, "csrf": "not-the-token"}, follow_redirects=False
    )
    assert wrong.status_code == 403, path


def test_login_refuses_without_csrf_even_with_the_right_password(web: Web) -> None:
    from neuroseq.store.users import add_user

    add_user(web.store, "rivera", "clinician", PASSWORD, actor="test")
    response = web.client.post("/login", data={"name": "rivera", "password": PASSWORD})
    assert response.status_code == 403
    assert "rivera" not in web.client.cookies.get(SESSION_COOKIE, "")


def test_throttle_locks_after_the_limit_and_delays_grow() -> None:
    throttle = Throttle(limit=3, address_limit=5, window=60, base_delay=0.1, max_delay=1.0)
    delays = [throttle.failed("a", "x") for _ in range(3)]
    assert delays == [0.1, 0.2, 0.4]
    assert throttle.locked("a", "y") and throttle.locked("A", "x")
    # the address is not locked for the others until its own, higher limit
    assert not throttle.locked("b", "x")
    throttle.failed("c", "x")
    throttle.failed("d", "x")
    assert throttle.locked("b", "x") and not throttle.locked("b", "y")
    throttle.succeeded("a")
    assert not throttle.locked("a", "y")


def test_login_failures_of_one_name_do_not_lock_out_another_user(web: Web) -> None:
    from neuroseq.store.users import add_user

    add_user(web.store, "rivera", "clinician", PASSWORD, actor="test")
    token = csrf_of(web.client.get("/login").text)
    for _ in range(6):
        web.client.post("/login", data={"csrf": token, "name": "nobody", "password": "wrong"})
    answer = web.client.post(
        "/login",
        data={"csrf": token, "name": "rivera", "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def test_logout_ends_the_session_on_the_server_too(stored: Web) -> None:
    from neuroseq.web.security import SESSION_COOKIE

    token = stored.login("rivera", "clinician")
    kept = stored.client.cookies.get(SESSION_COOKIE)
    assert stored.client.get("/clients").status_code == 200
    stored.client.post("/logout", data={"csrf": token}, follow_redirects=False)
    # the cookie from before the logout, replayed from anywhere, lets nobody in
    replay = TestClient(stored.app, base_url="http://localhost", cookies={SESSION_COOKIE: kept})
    response = replay.get("/clients", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "logout" in [line["action"] for line in stored.store.audit_log()]
    # a new login works again
    stored.login("rivera", "clinician")
    assert stored.client.get("/clients").status_code == 200


def test_login_is_refused_after_repeated_failures_even_with_the_right_password(web: Web) -> None:
    from neuroseq.store.users import add_user

    add_user(web.store, "rivera", "clinician", PASSWORD, actor="test")
    token = csrf_of(web.client.get("/login").text)
    for _ in range(5):
        wrong = web.client.post(
            "/login", data={"csrf": token, "name": "rivera", "password": "wrong password"}
        )
        assert wrong.status_code == 401
    locked = web.client.post("/login", data={"csrf": token, "name": "rivera", "password": PASSWORD})
    assert locked.status_code == 429
    actions = [line["action"] for line in web.store.audit_log()]
    assert actions.count("login-failed") == 5 and "login-locked" in actions


def test_route_errors_never_echo_case_content(shared_stored: Web, planner: Any) -> None:
    token = shared_stored.login("rivera", "clinician")
    secret = "SECRET-NOTE-TEXT"
    response = shared_stored.client.post(
        f"/clients/{CLIENT}/plans/{INTAKE_DATE}/fidelity",
        data={"csrf": token, "item": "not_an_item", "status": "done", "note": secret},
    )
    assert response.status_code == 400
    assert secret not in response.text
    missing = shared_stored.client.get("/clients/nobody-here")
    assert missing.status_code == 404
    log = json.dumps(shared_stored.store.audit_log())
    assert secret not in log


def test_ctx_ends_the_session_of_a_disabled_user(stored: Web) -> None:
    from neuroseq.store.users import disable_user

    stored.login("rivera", "clinician")
    assert stored.client.get("/clients").status_code == 200
    disable_user(stored.store, "rivera", actor="test")
    response = stored.client.get("/clients", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
