"""Shared fixtures: the bundled examples, a valid case as text, caregiver homes, and store databases.

Store databases: every store test runs on SQLite and on a real PostgreSQL server.
PostgreSQL: ``NEUROSEQ_TEST_POSTGRES`` names a server's maintenance database
(``postgresql://postgres@127.0.0.1:PORT/postgres``); `.ci/run` starts one and
exports it. Without it, the tests start their own from the machine's
PostgreSQL binaries (``initdb`` and ``pg_ctl`` refuse root, so as root they
run as the ``postgres`` user) on a free port with its socket in a temporary
folder, and stop it at the end. Only when no server binary exists do the
PostgreSQL tests skip, and never in CI. Each test gets a new database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

# Property tests check what holds, not how fast: on a loaded machine a
# per-example deadline only makes them flaky.
settings.register_profile("neuroseq", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("neuroseq")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def typical_case_text() -> str:
    return (EXAMPLES / "typical-9-year-old.yaml").read_text(encoding="utf-8")


INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"
PG_ENVIRONMENT = "NEUROSEQ_TEST_POSTGRES"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl, or None."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(candidate).parent
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A PostgreSQL server in a temporary folder, trusted on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="neuroseq-pg-"))
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quoted(command))]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _quoted(words: list[str]) -> list[str]:
    return [shlex.quote(w) for w in words]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database (started here if need be)."""
    given = os.environ.get(PG_ENVIRONMENT)
    if given:
        yield given
        return
    bindir = binaries()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL store tests: no PostgreSQL server binary found")
        pytest.skip("no PostgreSQL server binary on this machine (initdb)")
    server = Server(bindir)
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def _fresh_database(admin: str) -> tuple[str, str]:
    import psycopg

    name = f"neuroseq_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, admin.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


STORES = ["sqlite", "postgresql"]


@contextlib.contextmanager
def _new_store(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A new, empty store database of the kind ``request.param`` (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'store' / 'neuroseq.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    name, url = _fresh_database(admin)
    try:
        yield url
    finally:
        _drop_database(admin, name)


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty store database: a SQLite file, or a fresh PostgreSQL database."""
    with _new_store(request, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=STORES)
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """As :func:`store_url`, but one database for the whole test module: for fixtures
    that build something once and share it among tests that do not change it."""
    with _new_store(request, tmp_path_factory.mktemp("module-store")) as url:
        yield url


@pytest.fixture(scope="session")
def planner():  # type: ignore[no-untyped-def]
    import neuroseq

    return neuroseq.Planner.load()


def _case_text(client: str, date: str = "2026-01-12", *, base: Path = INTAKE) -> str:
    """The published intake (or ``base``) as another client on another date."""
    text = base.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  id: .*$", f"  id: {client}", text, count=1)
    return re.sub(r"(?m)^  assessment_date: .*$", f"  assessment_date: {date}", text, count=1)


def _write_cases(folder: Path, prefix: str, count: int) -> list[Path]:
    """``count`` case files of different clients in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"{prefix}-{n:03d}.yaml"
        path.write_text(_case_text(f"{prefix}-{n:03d}"), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def case_text() -> Callable[..., str]:
    """``case_text(client, date)``: the published intake as another client and date."""
    return _case_text


@pytest.fixture
def write_cases() -> Callable[[Path, str, int], list[Path]]:
    """``write_cases(folder, prefix, count)``: case files of ``count`` different clients."""
    return _write_cases


SEVERE = EXAMPLES / "severe-young-child.yaml"
TYPICAL = EXAMPLES / "typical-9-year-old.yaml"

FEW_INTERNAL = {
    "physical_health": 2,
    "mental_health": 1,
    "own_adversity_history": 3,
    "parenting_experience": 1,
    "trauma_informed_knowledge": 0,
    "regulation_under_stress": 1,
    "current_stress": 3,
}
FEW_EXTERNAL = {
    "co_caregiver": 0,
    "extended_family": 1,
    "respite_access": 0,
    "community_faith": 1,
    "financial_stability": 1,
    "service_access": 1,
    "school_partnership": 1,
}
STRONG_EXTERNAL = dict.fromkeys(FEW_EXTERNAL, 3)


def _home(
    children: list[dict[str, Any]] | None = None,
    *,
    internal: dict[str, float] | None = None,
    external: dict[str, float] | None = None,
    demands: dict[str, float] | None = None,
    placement: str = "foster",
) -> dict[str, Any]:
    """A caregiver document as plain data (few resources unless given)."""
    challenges: dict[str, Any] = {"children": children or []}
    if demands:
        challenges["other_household_demands"] = demands
    return {
        "schema": "neuroseq/caregiver/v1",
        "caregiver": {"id": "test-carer", "placement_type": placement},
        "internal_resources": dict(internal or FEW_INTERNAL),
        "external_resources": dict(external or FEW_EXTERNAL),
        "challenges": challenges,
    }


@pytest.fixture
def home_data() -> Any:
    """Build a caregiver document as plain data (few resources unless given)."""
    return _home


@pytest.fixture
def write_home(tmp_path: Path) -> Any:
    """Write a caregiver document (and copies of the example cases) to tmp_path."""
    shutil.copy(SEVERE, tmp_path / SEVERE.name)
    shutil.copy(TYPICAL, tmp_path / TYPICAL.name)

    def write(data: dict[str, Any], name: str = "home.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


class RuleFiles:
    """Rule folders for tests: the bundled ``rulebase.yaml`` and one rule file of the test's own."""

    @staticmethod
    def folder(where: Path, rules_yaml: str, name: str = "extra.yaml") -> Path:
        """``where``/rules holding the bundled settings and ``rules_yaml`` as the file ``name``."""
        folder = where / "rules"
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "rules" / "rulebase.yaml", folder / "rulebase.yaml")
        (folder / name).write_text(
            "schema: neuroseq/rules/v1\nrules:\n"
            + textwrap.indent(textwrap.dedent(rules_yaml), "  ")
        )
        return folder

    @staticmethod
    def rule(when: str, rule_id: str = "t.rule") -> str:
        """One rule with the condition ``when`` that defers tf_cbt."""
        return f"""
- id: {rule_id}
  title: A test rule
  when:
{textwrap.indent(textwrap.dedent(when).strip(), "    ")}
  then:
    defer: {{intervention: tf_cbt}}
  rationale: r
  source: test
"""


@pytest.fixture
def rule_files() -> RuleFiles:
    """Builds rule folders (:class:`RuleFiles`)."""
    return RuleFiles()
