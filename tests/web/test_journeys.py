"""End-to-end journeys in a real Chromium against `neuroseq serve` running for real.

The server is the CLI in a subprocess (uvicorn, its planning pool, the real
engine, a SQLite store); the browser is Debian's chromium driven by
playwright (never a downloaded browser). Screenshots of each page are saved
under pytest's temporary folder; the path is printed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.web.form import fields_of

from .conftest import FOLLOWUP, INTAKE, PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"), reason="no chromium"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web-server")
    db = f"sqlite:///{folder / 'clinic.db'}"
    neuroseq = [sys.executable, "-m", "neuroseq"]
    for name, role in (("rivera", "clinician"), ("lee", "reviewer")):
        subprocess.run(
            [*neuroseq, "users", "add", name, "--role", role, "--password-stdin", "--db", db],
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
    port = _free_port()
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        [*neuroseq, "serve", "--port", str(port), "--db", db, "--workers", "1"],
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                log.close()
                raise RuntimeError("neuroseq serve did not start") from None
            time.sleep(0.3)
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("CI needs Debian's chromium (.ci/run installs it)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-screenshots")
    print(f"\nscreenshots of the web journeys: {folder}")
    return folder


def _login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/clients")


def _fill(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        selector = f'[name="{name}"]'
        if name == "client.sensitivities":
            for box in page.query_selector_all(selector):
                box.set_checked(box.get_attribute("value") in value.split(","))
        elif name.endswith(".include"):
            page.locator(selector).set_checked(value == "on")
        elif page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def _shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_serve_clinician_from_login_to_a_follow_up_comparison(
    server: str, browser: Any, shots: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    _login(page, server, "rivera")
    _shot(page, shots, "01-clients-empty")

    page.click("text=New assessment")
    intake = fields_of(yaml.safe_load(INTAKE.read_text(encoding="utf-8")))
    _fill(page, {**intake, "cns.sleep": "14"})
    page.wait_for_selector("#brain-map .muted")  # an invalid score: no map, says which field
    assert "8 Sleep" in page.inner_text("#brain-map")
    page.click("button:has-text('Check, plan and store')")
    problem = page.locator("#problem-cns-sleep")
    assert problem.inner_text() == "too high: at most 12 (got 14)"
    assert page.get_attribute("#f-cns-sleep", "aria-invalid") == "true"
    _shot(page, shots, "02-form-mistake-beside-field")

    page.fill('[name="cns.sleep"]', intake["cns.sleep"])
    page.locator('[name="cns.sleep"]').dispatch_event("change")
    page.wait_for_selector("#brain-map svg")  # redrawn by htmx as the score is fixed
    assert "CMR 0.72" in page.inner_text("#brain-map")
    _shot(page, shots, "03-form-brain-map-redrawn")
    page.click("button:has-text('Check, plan and store')")
    page.wait_for_url("**/clients/published-case/plans/2026-01-12")
    assert page.locator("article.report svg").count() >= 2
    assert page.locator("tr.rec").count() > 3
    _shot(page, shots, "04-plan")

    row = page.locator("#item-drumming")
    row.locator("select[name=status]").select_option("done")
    row.locator("select[name=rating]").select_option("3")
    row.locator("button:has-text('Save fidelity')").click()
    page.wait_for_selector("text=Saved for Therapeutic drumming")
    assert "done 3/3 by rivera" in page.locator("#item-drumming").inner_text()
    _shot(page, shots, "05-plan-fidelity-recorded")

    page.click("text=Add a follow-up")
    page.wait_for_url("**/follow-up")
    followup = fields_of(yaml.safe_load(FOLLOWUP.read_text(encoding="utf-8")))
    _fill(page, followup)
    _shot(page, shots, "06-follow-up-form")
    with page.expect_navigation():
        page.click("button:has-text('Check, plan and store')")
    _shot(page, shots, "07-follow-up-plan")
    assert page.url.endswith("/clients/published-case/plans/2027-01-18"), page.inner_text("main")[
        :500
    ]
    page.goto(f"{server}/clients/published-case")
    assert "Cortical modulation ratio over time" in page.inner_text("body")
    assert page.locator("svg.trend").count() == 2
    _shot(page, shots, "08-timeline")
    page.click("text=Compare over time")
    page.wait_for_selector("text=Change over time: client published-case")
    _shot(page, shots, "09-compare")
    # No CSP violation and no script error (the 400 of the mistake and a favicon 404 are fine).
    assert [e for e in errors if "Failed to load resource" not in e] == []
    page.close()


def test_serve_reviewer_cannot_edit(server: str, browser: Any, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, server, "lee")
    page.goto(f"{server}/clients/published-case/plans/2026-01-12")
    assert page.locator("button:has-text('Save fidelity')").count() == 0
    assert page.locator("text=New assessment").count() == 0
    _shot(page, shots, "10-reviewer-plan")
    token = page.get_attribute("input[name=csrf]", "value")
    refused = page.request.post(
        f"{server}/clients/published-case/plans/2026-01-12/fidelity",
        form={"csrf": token, "item": "drumming", "status": "not_done"},
    )
    assert refused.status == 403
    page.goto(f"{server}/clients/published-case/audit")
    page.fill("textarea[name=note]", "rationale read")
    page.click("button:has-text('Add review note')")
    page.wait_for_selector("text=rationale read")
    _shot(page, shots, "11-reviewer-audit")
    page.close()


def test_serve_refuses_a_foreign_host_and_a_missing_csrf_token(server: str, browser: Any) -> None:
    port = server.rsplit(":", 1)[1]
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as connection:
        connection.sendall(
            b"GET /login HTTP/1.1\r\nHost: rebound.example\r\nConnection: close\r\n\r\n"
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 421")
    page = browser.new_page()
    _login(page, server, "rivera")
    refused = page.request.post(
        f"{server}/clients/published-case/plans/2026-01-12/fidelity",
        form={"item": "drumming", "status": "not_done"},
    )
    assert refused.status == 403
    page.close()


def test_chromium_is_the_debian_one() -> None:
    assert shutil.which("chromium") or os.path.exists(CHROMIUM)
