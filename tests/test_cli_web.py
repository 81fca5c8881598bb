"""`neuroseq users add|list|disable` and `neuroseq serve` through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main


def _run(*args: str, db: str, input: str | None = None) -> object:
    return CliRunner().invoke(main, [*args, "--db", db], input=input)


def test_users_add_list_and_disable(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    added = _run(
        "users",
        "add",
        "rivera",
        "--role",
        "clinician",
        "--password-stdin",
        db=db,
        input="correct horse battery\n",
    )
    assert added.exit_code == 0, added.output  # type: ignore[attr-defined]
    assert added.output == "added clinician rivera\n"  # type: ignore[attr-defined]
    listed = _run("users", "list", db=db)
    assert (
        listed.output.startswith("rivera")
        and "clinician" in listed.output
        and "active" in listed.output
    )  # type: ignore[attr-defined]
    disabled = _run("users", "disable", "rivera", db=db)
    assert disabled.output == "disabled rivera\n"  # type: ignore[attr-defined]
    assert "disabled" in _run("users", "list", db=db).output  # type: ignore[attr-defined]


def test_users_add_refuses_a_short_password_and_an_unknown_role(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    short = _run(
        "users", "add", "rivera", "--role", "clinician", "--password-stdin", db=db, input="short\n"
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output  # type: ignore[attr-defined]
    role = _run("users", "add", "rivera", "--role", "boss", "--password-stdin", db=db, input="x\n")
    assert role.exit_code == 2  # type: ignore[attr-defined]
    assert "no users yet" in _run("users", "list", db=db).output  # type: ignore[attr-defined]


def test_serve_says_how_to_install_the_web_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    result = _run("serve", db=f"sqlite:///{tmp_path / 'n.db'}")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "pip install 'neuroseq[web]'" in result.output  # type: ignore[attr-defined]


def test_users_token_prints_a_new_token_once_and_users_disable_ends_it(tmp_path: Path) -> None:
    from neuroseq.store import CaseStore
    from neuroseq.store.credentials import token_user

    db = f"sqlite:///{tmp_path / 'n.db'}"
    _run("users", "add", "rivera", "--role", "clinician", "--password-stdin", db=db, input="x" * 12)
    made = CliRunner().invoke(main, ["users", "token", "rivera", "--label", "ehr-main", "--db", db])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("nsq_") and "\n" not in token
    assert made.stderr == "token 1 (ehr-main) for rivera: shown once, only its hash is kept\n"
    with CaseStore.open(db) as store:
        assert token_user(store, token) is not None
        assert token not in json.dumps(store.audit_log())
    again = CliRunner().invoke(main, ["users", "token", "rivera", "--db", db]).stdout.strip()
    assert again != token
    revoked = _run("users", "token", "rivera", "--revoke", db=db)
    assert revoked.output == "disabled 2 token(s) of rivera\n"  # type: ignore[attr-defined]
    third = CliRunner().invoke(main, ["users", "token", "rivera", "--db", db]).stdout.strip()
    assert _run("users", "disable", "rivera", db=db).exit_code == 0  # type: ignore[attr-defined]
    with CaseStore.open(db) as store:
        assert [token_user(store, t) for t in (token, again, third)] == [None, None, None]


def test_users_token_refuses_a_trainer_and_an_unknown_name(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    _run("users", "add", "kim", "--role", "trainer", "--password-stdin", db=db, input="x" * 12)
    trainer = _run("users", "token", "kim", db=db)
    assert trainer.exit_code == 1  # type: ignore[attr-defined]
    assert "'kim' is a trainer: only clinician and reviewer accounts" in trainer.output  # type: ignore[attr-defined]
    assert "nsq_" not in trainer.output  # type: ignore[attr-defined]
    unknown = _run("users", "token", "nobody", db=db)
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output  # type: ignore[attr-defined]


def test_serve_refuses_a_candidate_rules_that_is_not_a_folder(tmp_path: Path) -> None:
    afile = tmp_path / "rules.yaml"
    afile.write_text("rules: []\n", encoding="utf-8")
    for given in (afile, tmp_path / "missing"):
        result = _run("serve", "--candidate-rules", str(given), db=f"sqlite:///{tmp_path / 'n.db'}")
        assert result.exit_code == 2  # type: ignore[attr-defined]
        assert "Invalid value for '--candidate-rules'" in result.output  # type: ignore[attr-defined]
        assert str(given) in result.output  # type: ignore[attr-defined]


def test_serve_starts_without_the_fhir_extra(tmp_path: Path) -> None:
    # As `pip install '.[web]'` leaves it: no top-level `fhir` package at all. The app
    # serves, without the CDS Hooks service.
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "import sys; sys.modules['fhir'] = None; from neuroseq.cli import main; "
        f"main(['serve', '--port', '{port}', '--db', sys.argv[1], '--workers', '1'])"
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", code, f"sqlite:///{tmp_path / 'n.db'}"], stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    answer.read()
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "neuroseq serve did not start"
                time.sleep(0.3)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/cds-services", timeout=5)
        missing.value.close()
        assert missing.value.code == 404
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert "CDS Hooks" not in (tmp_path / "serve.log").read_text()


def test_users_tokens_lists_label_account_created_and_revoked_never_the_token(
    tmp_path: Path,
) -> None:
    from neuroseq.store import CaseStore
    from neuroseq.store.credentials import token_digest

    db = f"sqlite:///{tmp_path / 'n.db'}"
    for name, role in (("rivera", "clinician"), ("okafor", "reviewer")):
        _run("users", "add", name, "--role", role, "--password-stdin", db=db, input="x" * 12)
    made = [
        CliRunner().invoke(
            main, ["users", "token", name, "--label", label, "--db", db, "--by", "admin"]
        )
        for name, label in (("rivera", "epic-prod"), ("okafor", "epic-test"), ("rivera", "cerner"))
    ]
    tokens = [result.stdout.strip() for result in made]
    _run("users", "token", "okafor", "--revoke", db=db)

    listed = _run("users", "tokens", db=db)
    assert listed.exit_code == 0, listed.output  # type: ignore[attr-defined]
    lines = listed.output.splitlines()  # type: ignore[attr-defined]
    assert [line.split()[:4] for line in lines] == [
        ["2", "okafor", "epic-test", "revoked"],
        ["1", "rivera", "epic-prod", "active"],
        ["3", "rivera", "cerner", "active"],
    ]
    assert all(" created 20" in line and line.endswith(" by admin") for line in lines)
    one = _run("users", "tokens", "rivera", "--format", "json", db=db)
    data = json.loads(one.output)  # type: ignore[attr-defined]
    assert data["schema"] == "neuroseq/service-tokens/v1"
    assert [(t["id"], t["account"], t["label"], t["revoked"]) for t in data["tokens"]] == [
        (1, "rivera", "epic-prod", False),
        (3, "rivera", "cerner", False),
    ]
    assert set(data["tokens"][0]) == {
        "id",
        "account",
        "label",
        "created_at",
        "created_by",
        "revoked",
    }
    shown = listed.output + one.output  # type: ignore[attr-defined]
    for token in tokens:
        assert token not in shown and token_digest(token) not in shown
    with CaseStore.open(db) as store:  # listing changes nothing
        assert [line["action"] for line in store.audit_log()][-1] == "token-revoke"


def test_users_tokens_says_when_there_are_none_and_refuses_an_unknown_name(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    none = _run("users", "tokens", db=db)
    assert none.exit_code == 0  # type: ignore[attr-defined]
    assert none.output == "no service tokens: neuroseq users token NAME\n"  # type: ignore[attr-defined]
    _run("users", "add", "rivera", "--role", "clinician", "--password-stdin", db=db, input="x" * 12)
    assert _run("users", "tokens", "rivera", db=db).output == (  # type: ignore[attr-defined]
        "no service tokens for rivera: neuroseq users token NAME\n"
    )
    assert json.loads(_run("users", "tokens", "--format", "json", db=db).output)["tokens"] == []  # type: ignore[attr-defined]
    unknown = _run("users", "tokens", "nobody", db=db)
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output  # type: ignore[attr-defined]
