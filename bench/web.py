"""neuroseq web benchmark: 20 concurrent clinicians on the loopback; asserts nothing.

    .venv/bin/python bench/web.py            # 60 s of load
    .venv/bin/python bench/web.py --quick    # 10 s

Starts ``neuroseq serve`` for real (uvicorn, its planning pool, a fresh
SQLite store in a temporary folder), stores a few clients' intakes, then
runs 20 client threads, each logged in with its own session, that in a loop
view a plan page and save a fidelity record on it (a CSRF-checked POST and
the redirect it answers with). It prints the error count, the request rate,
the p50 and p95 latency beside the 1 s target, and the plan page's
server-side render time (the ``Server-Timing`` header) beside the 300 ms
target.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
P95_TARGET = 1.0  # seconds, per request, 20 concurrent clients
RENDER_TARGET = 300.0  # ms, plan page, server side
PASSWORD = "bench password 2026"
CLIENTS = 20
STORED = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _seed(db: str, folder: Path) -> list[tuple[str, str, list[str]]]:
    """``STORED`` clients (copies of the published intake), their dates and plan items."""
    import yaml

    import neuroseq
    from neuroseq.store import CaseStore

    planner = neuroseq.Planner.load()
    text = (EXAMPLES / "published-case-intake.yaml").read_text(encoding="utf-8")
    plans = []
    with CaseStore.open(db) as store:
        for n in range(STORED):
            client = f"bench-{n:02d}"
            data = yaml.safe_load(text)
            data["client"]["id"] = client
            raw = yaml.safe_dump(data, sort_keys=False).encode("utf-8")
            added = store.add(raw, f"{client}.yaml", planner, actor="bench")
            items = [r["intervention"] for r in store.assessment(client).plan["recommendations"]]
            plans.append((client, added.date, items))
    return plans


class Clinician(threading.Thread):
    """One logged-in browser-like client on its own keep-alive connection."""

    def __init__(
        self, port: int, name: str, plans: list[tuple[str, str, list[str]]], until: float
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.name, self.plans, self.until = port, name, plans, until
        self.latencies: list[float] = []
        self.renders: list[float] = []
        self.errors: list[str] = []
        self.cookie = ""

    def _request(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        path: str,
        body: str | None = None,
    ) -> tuple[int, str, http.client.HTTPResponse]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.latencies.append(time.perf_counter() - started)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return response.status, text, response

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            _, page, _ = self._request(connection, "GET", "/login")
            token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            form = urllib.parse.urlencode({"csrf": token, "name": self.name, "password": PASSWORD})
            status, _, _ = self._request(connection, "POST", "/login", form)
            if status != 303:
                self.errors.append(f"login {status}")
                return
            self.latencies.clear()
            rng = random.Random(self.name)
            while time.monotonic() < self.until:
                client, date, items = rng.choice(self.plans)
                path = f"/clients/{client}/plans/{date}"
                status, page, response = self._request(connection, "GET", path)
                if status != 200:
                    self.errors.append(f"GET plan {status}")
                    continue
                timing = response.getheader("server-timing") or ""
                found = re.search(r"dur=([\d.]+)", timing)
                if found:
                    self.renders.append(float(found.group(1)))
                token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
                form = urllib.parse.urlencode(
                    {
                        "csrf": token,
                        "item": rng.choice(items),
                        "status": rng.choice(["done", "partly", "not_done"]),
                        "rating": str(rng.randint(0, 3)),
                    }
                )
                status, _, _ = self._request(connection, "POST", f"{path}/fidelity", form)
                if status != 303:
                    self.errors.append(f"POST fidelity {status}")
        except (OSError, http.client.HTTPException, AttributeError) as exc:
            self.errors.append(type(exc).__name__)
        finally:
            connection.close()


def _alone(port: int, plans: list[tuple[str, str, list[str]]]) -> tuple[list[float], list[float]]:
    """The plan page's server-side render, one request at a time: first view, then again."""
    viewer = Clinician(port, "clinician00", plans, 0.0)
    viewer.run()  # logs in; the loop does not run (its time is up)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    found: dict[str, list[float]] = {"cold": [], "warm": []}
    for kind in ("cold", "warm"):
        for client, date, _ in plans:
            _, _, response = viewer._request(connection, "GET", f"/clients/{client}/plans/{date}")
            timing = re.search(r"dur=([\d.]+)", response.getheader("server-timing") or "")
            found[kind].append(float(timing.group(1)) if timing else float("nan"))
    connection.close()
    return found["cold"], found["warm"]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 s of load instead of 60")
    parser.add_argument("--seconds", type=float, default=None)
    args = parser.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    with tempfile.TemporaryDirectory(prefix="neuroseq-bench-web-") as tmp:
        folder = Path(tmp)
        db = f"sqlite:///{folder / 'clinic.db'}"
        plans = _seed(db, folder)
        neuroseq = [sys.executable, "-m", "neuroseq"]
        for n in range(CLIENTS):
            subprocess.run(
                [
                    *neuroseq,
                    "users",
                    "add",
                    f"clinician{n:02d}",
                    "--role",
                    "clinician",
                    "--password-stdin",
                    "--db",
                    db,
                ],
                input=PASSWORD + "\n",
                text=True,
                check=True,
                capture_output=True,
            )
        port = _free_port()
        log = (folder / "serve.log").open("wb")
        server = subprocess.Popen(
            [*neuroseq, "serve", "--port", str(port), "--db", db], stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("bench: neuroseq serve did not start") from None
                    time.sleep(0.3)
            cold, warm = _alone(port, plans)
            until = time.monotonic() + seconds
            threads = [Clinician(port, f"clinician{n:02d}", plans, until) for n in range(CLIENTS)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    latencies = [v for t in threads for v in t.latencies]
    renders = [v for t in threads for v in t.renders]
    errors = [e for t in threads for e in t.errors]
    p95 = _percentile(latencies, 0.95)
    print(
        f"neuroseq web bench: {CLIENTS} concurrent clinicians for {seconds:g} s on the loopback (SQLite, {STORED} stored plans)"
    )
    print(
        f"  requests            {len(latencies):>8}  ({len(latencies) / elapsed:.1f}/s; plan views and fidelity saves)"
    )
    print(
        f"  errors              {len(errors):>8}  (target 0){'  ' + ', '.join(sorted(set(errors))) if errors else ''}"
    )
    print(
        f"  latency p50         {statistics.median(latencies) * 1000 if latencies else float('nan'):>8.1f} ms"
    )
    print(
        f"  latency p95         {p95 * 1000:>8.1f} ms  (target {P95_TARGET * 1000:.0f} ms: {'met' if p95 <= P95_TARGET else 'NOT met'})"
    )
    worst = max(cold)
    print(
        f"  plan page alone     {max(warm):>8.1f} ms  (server side, the slowest of {len(warm)} views "
        f"of a plan seen before; a first view {statistics.median(cold):.1f} ms median, {worst:.1f} ms "
        f"slowest; target {RENDER_TARGET:.0f} ms: {'met' if worst <= RENDER_TARGET else 'NOT met'})"
    )
    print(
        f"  plan page in load   {statistics.median(renders) if renders else float('nan'):>8.1f} ms  "
        f"median, {_percentile(renders, 0.95):.1f} ms p95 (server side, queueing for the CPU included)"
    )


if __name__ == "__main__":
    main()
