"""`neuroseq users add|list|disable` and `neuroseq serve` through CliRunner."""

from __future__ import annotations

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
