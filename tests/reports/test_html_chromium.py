"""The HTML reports in a real headless Chromium (Debian's ``chromium`` package).

Checked through the DevTools protocol, with a tiny websocket client from the
standard library: each report loads with no console errors or exceptions and
makes no network request beyond its own file; a ``<script>`` in the case's
notes is shown as text and never runs; the screenshot is not blank; and the
printed PDF of a full metric has at most 6 pages on A4 and on Letter (the
plain-language summary and the audit section at the end take about two pages
more than the old 4-page table); at 375, 1024 and 1440 px nothing overflows
horizontally (PNG screenshots are kept in the test's tmp dir); and every printed
page carries the client id and "page N of M" (read back with ``pdftotext``
from poppler-utils: ``apt-get install -y poppler-utils``; that test is skipped
without it).

Skipped only when ``/usr/bin/chromium`` is absent. Install it with::

    apt-get update && apt-get install -y chromium
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from neuroseq.engine.planner import Planner
from neuroseq.engine.workflow import PlanResult, plan_case
from neuroseq.reports.compare import compare
from neuroseq.reports.render import render_plan

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "tests" / "data" / "followup" / "severe-6-baseline.yaml"
FOLLOWUP = ROOT / "tests" / "data" / "followup" / "severe-7-followup.yaml"
PUBLISHED_FOLLOWUP = ROOT / "examples" / "published-case-followup.yaml"
SCRIPT_NOTE = "<script>document.title='pwned'</script>"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is absent (apt-get update && apt-get install -y chromium)",
)


# --- a minimal websocket client (RFC 6455, text frames, client masking) ----------


class _WebSocket:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        assert parts.hostname and parts.port
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            data += chunk
        head, self.buffer = data.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"websocket handshake refused: {head[:80]!r}")

    def send(self, text: str) -> None:
        payload = text.encode()
        header = bytearray([0x81])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        header += mask
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + body)

    def _read(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("websocket closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def readable(self, timeout: float) -> bool:
        return bool(self.buffer) or bool(select.select([self.sock], [], [], timeout)[0])

    def recv(self) -> str:
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if second & 0x80 else b""
            payload = self._read(length)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            if opcode in (0x9, 0xA):  # ping / pong: no reply needed for these tests
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self) -> None:
        self.sock.close()


class _Browser:
    """Headless Chromium driven over the DevTools protocol (one page session)."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="neuroseq-chromium-")
        self.process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = _WebSocket(f"ws://127.0.0.1:{port}{path}")
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1000, "height": 1300, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        while True:
            data = json.loads(self.ws.recv())
            if data.get("id") == self.next_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data["result"]
            self.events.append(data)

    def _pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and self.ws.readable(left):
            self.events.append(json.loads(self.ws.recv()))

    def load(self, path: Path) -> dict[str, Any]:
        """Open ``path``; return what happened: requests, console errors, page facts."""
        self.events.clear()
        url = path.resolve().as_uri()
        self.call("Page.navigate", {"url": url}, session=True)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} did not finish loading")
            self._pump(0.2)
        self._pump(0.5)  # late requests or errors would show up here
        requests = [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
        errors = [
            e["params"]
            for e in self.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (
                e.get("method") == "Runtime.consoleAPICalled"
                and e["params"].get("type") in ("error", "assert", "warning")
            )
            or (
                e.get("method") == "Log.entryAdded"
                and e["params"]["entry"].get("level") in ("error", "warning")
            )
        ]
        facts = self.call(
            "Runtime.evaluate",
            {
                "expression": "JSON.stringify({title: document.title,"
                " scripts: document.scripts.length,"
                " notes: Array.from(document.querySelectorAll('.notes'))"
                ".map(n => n.textContent),"
                " svgs: document.querySelectorAll('svg').length})",
                "returnByValue": True,
            },
            session=True,
        )["result"]["value"]
        return {
            "url": url,
            "other_requests": [u for u in requests if u != url],
            "errors": errors,
            **json.loads(facts),
        }

    def screenshot(self) -> bytes:
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": {"x": 0, "y": 0, "width": 1000, "height": 1300, "scale": 0.5},
            },
            session=True,
        )
        return base64.b64decode(shot["data"])

    def set_width(self, width: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
            session=True,
        )

    def evaluate(self, expression: str) -> Any:
        return self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )["result"]["value"]

    def full_screenshot(self, width: int, height: int) -> bytes:
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            session=True,
        )
        return base64.b64decode(shot["data"])

    def pdf(self, width_in: float, height_in: float) -> bytes:
        printed = self.call(
            "Page.printToPDF",
            {"paperWidth": width_in, "paperHeight": height_in, "printBackground": True},
            session=True,
        )
        return base64.b64decode(printed["data"])

    def close(self) -> None:
        try:
            if hasattr(self, "ws"):
                try:
                    self.call("Browser.close")
                except (ConnectionError, OSError, RuntimeError):
                    pass
                self.ws.close()
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


# --- PNG and PDF helpers ------------------------------------------------------


def _png_rows(png: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, filtered rows as decompressed) of an 8-bit RGB(A)
    PNG, checked: the signature, the depth and colour type, and every row's filter byte."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        length = struct.unpack(">I", png[pos : pos + 4])[0]
        kind = png[pos + 4 : pos + 8]
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    assert len(raw) == height * (stride + 1), "the image data does not fill its rows"
    assert set(raw[:: stride + 1]) <= {0, 1, 2, 3, 4}, "a row with an unknown filter"
    return width, height, bpp, raw


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) of an 8-bit RGB(A) PNG whose data decompresses into whole rows
    (:func:`_png_rows`), without unfiltering it: pure Python takes many seconds on a
    full-page screenshot, and a size check needs no pixel."""
    width, height, _, _ = _png_rows(png)
    return width, height


def _png_pixels(png: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, unfiltered pixel rows) of an 8-bit RGB(A) PNG."""
    width, height, bpp, raw = _png_rows(png)
    stride = width * bpp
    out = bytearray()
    previous = bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 0xFF
        out += line
        previous = line
    return width, height, bpp, bytes(out)


def _pdf_pages(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


# --- fixtures -----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[_Browser]:
    chromium = _Browser()
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """HTML reports on disk: the severe case with a script in its notes, a typical
    child, an ER snapshot and a comparison over time."""
    folder = tmp_path_factory.mktemp("html")
    planner = Planner.load()
    text = (ROOT / "examples" / "severe-young-child.yaml").read_text(encoding="utf-8")
    hostile = folder / "hostile.yaml"
    hostile.write_text(
        text[: text.index("notes:")]
        + f'notes: "{SCRIPT_NOTE} <img src=\\"x\\" onerror=\\"document.title=1\\">"\n',
        encoding="utf-8",
    )
    plans: dict[str, PlanResult] = {
        "severe": plan_case(hostile, planner=planner),
        "typical": plan_case(ROOT / "examples" / "typical-9-year-old.yaml", planner=planner),
        "er": plan_case(ROOT / "examples" / "er-snapshot.yaml", planner=planner),
        "published": plan_case(
            ROOT / "examples" / "published-case-followup.yaml",
            planner=planner,
            previous=ROOT / "examples" / "published-case-intake.yaml",
        ),
    }
    paths = {}
    for name, result in plans.items():
        paths[name] = folder / f"{name}.html"
        paths[name].write_text(render_plan(result, "html"), encoding="utf-8")
    paths["compare"] = folder / "compare.html"
    paths["compare"].write_text(compare([FOLLOWUP, BASELINE], "html"), encoding="utf-8")
    paths["compare-published"] = folder / "compare-published.html"
    paths["compare-published"].write_text(
        compare([ROOT / "examples" / "published-case-intake.yaml", PUBLISHED_FOLLOWUP], "html"),
        encoding="utf-8",
    )
    from neuroseq.engine.caregiver_workflow import estimate_caregiver
    from neuroseq.reports.cce_render import render_cce

    paths["cce"] = folder / "cce.html"
    paths["cce"].write_text(
        render_cce(estimate_caregiver(ROOT / "examples" / "caregiver-depleted.yaml"), "html"),
        encoding="utf-8",
    )
    control = folder / "control.html"
    control.write_text('<!DOCTYPE html><img src="http://127.0.0.1:9/x.png" alt="">')
    paths["control"] = control
    return paths


# --- tests --------------------------------------------------------------------


def test_browser_detects_a_network_request(browser: _Browser, reports: dict[str, Path]) -> None:
    """Control: the harness does see a request when a page makes one."""
    seen = browser.load(reports["control"])
    assert seen["other_requests"] == ["http://127.0.0.1:9/x.png"]


@pytest.mark.parametrize(
    "name", ["severe", "typical", "er", "published", "compare", "compare-published", "cce"]
)
def test_render_plan_html_renders_in_chromium_without_errors_or_requests(
    browser: _Browser, reports: dict[str, Path], name: str
) -> None:
    seen = browser.load(reports[name])
    assert seen["errors"] == []
    assert seen["other_requests"] == []
    assert seen["scripts"] == 0
    assert seen["svgs"] >= (0 if name == "cce" else 3)


def test_render_plan_html_shows_script_in_notes_as_text(
    browser: _Browser, reports: dict[str, Path]
) -> None:
    seen = browser.load(reports["severe"])
    assert seen["title"] == "Treatment plan example-severe-6"  # the script never ran
    assert seen["scripts"] == 0
    assert any(SCRIPT_NOTE in note for note in seen["notes"])
    assert seen["errors"] == []


@pytest.mark.parametrize("name", ["severe", "typical"])
def test_render_plan_html_screenshot_is_not_blank(
    browser: _Browser, reports: dict[str, Path], name: str
) -> None:
    browser.load(reports[name])
    width, height, bpp, pixels = _png_pixels(browser.screenshot())
    assert (width, height) == (500, 650)
    grey = [sum(pixels[i : i + 3]) // 3 for i in range(0, len(pixels), bpp)]
    mean = sum(grey) / len(grey)
    variance = sum((g - mean) ** 2 for g in grey) / len(grey)
    colours = {pixels[i : i + 3] for i in range(0, len(pixels), bpp * 7)}
    assert variance > 200, "a near-uniform screenshot: nothing rendered"
    assert sum(1 for g in grey if g < 200) > 0.02 * len(grey)
    assert len(colours) > 20, "the coloured map should show many colours"


@pytest.mark.parametrize(("paper", "size"), [("A4", (8.27, 11.69)), ("Letter", (8.5, 11.0))])
@pytest.mark.parametrize("name", ["severe", "typical"])
def test_render_plan_html_full_metric_prints_in_at_most_4_pages(
    browser: _Browser,
    reports: dict[str, Path],
    name: str,
    paper: str,
    size: tuple[float, float],
) -> None:
    browser.load(reports[name])
    pages = _pdf_pages(browser.pdf(*size))
    assert 1 <= pages <= 6, f"{name} on {paper}: {pages} pages"


@pytest.mark.parametrize("width", [375, 1024, 1440])
@pytest.mark.parametrize(
    "name", ["severe", "typical", "er", "published", "compare-published", "cce"]
)
def test_render_plan_html_fits_the_width_without_horizontal_overflow(
    browser: _Browser,
    reports: dict[str, Path],
    tmp_path: Path,
    name: str,
    width: int,
) -> None:
    browser.set_width(width)
    try:
        browser.load(reports[name])
        scroll, inner, height = browser.evaluate(
            "[document.documentElement.scrollWidth, innerWidth,"
            " document.documentElement.scrollHeight]"
        )
        wide = browser.evaluate(
            "Array.from(document.querySelectorAll('body *'))"
            ".filter(e => e.getBoundingClientRect().right > innerWidth + 1"
            " && !e.closest('.table-wrap') && !e.closest('table.stack > thead')).length"
        )
        png = browser.full_screenshot(width, min(height, 4000))
        (tmp_path / f"{name}-{width}.png").write_bytes(png)
    finally:
        browser.set_width(1000)
    assert scroll <= inner, f"{name} at {width}px: {scroll} > {inner}"
    assert wide == 0, f"{name} at {width}px: {wide} elements reach past the right edge"
    assert _png_size(png)[0] == width


def test_render_plan_html_action_words_never_break_mid_word(
    browser: _Browser, reports: dict[str, Path]
) -> None:
    for width in (375, 1024):
        browser.set_width(width)
        try:
            browser.load(reports["severe"])
            lines = browser.evaluate(
                "Array.from(document.querySelectorAll('.action')).map(e => {"
                " const r = e.getClientRects(); return r.length; })"
            )
        finally:
            browser.set_width(1000)
        assert lines and all(count == 1 for count in lines), (width, lines)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent")
@pytest.mark.parametrize(("paper", "size"), [("A4", (8.27, 11.69)), ("Letter", (8.5, 11.0))])
@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("severe", "Client example-severe-6"),
        ("published", "Client published-case"),
        ("compare-published", "Client published-case"),
        ("cce", "Caregiver example-carer-depleted"),
    ],
)
def test_render_plan_html_every_printed_page_has_the_client_id_and_page_n_of_m(
    browser: _Browser,
    reports: dict[str, Path],
    tmp_path: Path,
    name: str,
    label: str,
    paper: str,
    size: tuple[float, float],
) -> None:
    browser.load(reports[name])
    pdf = tmp_path / f"{name}-{paper}.pdf"
    pdf.write_bytes(browser.pdf(*size))
    pages = _pdf_pages(pdf.read_bytes())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = text.split("\f")[:pages]
    assert len(printed) == pages
    for number, page in enumerate(printed, start=1):
        assert label in page, f"page {number} of {name} has no client id"
        assert f"page {number} of {pages}" in page, f"page {number} of {name}: no page number"
        assert "Generated " in page


def test_png_pixels_decodes_a_known_image() -> None:
    """The stdlib decoder used above, on a 2x1 RGB image with a Sub filter."""
    raw = bytes([1, 10, 20, 30, 5, 5, 5])  # filter 1: second pixel is (15, 25, 35)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    assert _png_pixels(png) == (2, 1, 3, bytes([10, 20, 30, 15, 25, 35]))
