"""An attacker's read of the command line: names a terminal would act on, values too long."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main


@pytest.mark.parametrize("by", ["\x1b[8mhidden", "admin\u202e", "x" * 129])
def test_users_token_refuses_a_by_name_a_listing_would_print_raw(tmp_path: Path, by: str) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    runner = CliRunner()
    runner.invoke(
        main,
        ["users", "add", "ehr", "--role", "clinician", "--password-stdin", "--db", db],
        input="correct horse battery\n",
    )
    made = runner.invoke(main, ["users", "token", "ehr", "--db", db, "--by", by])
    assert made.exit_code == 1
    assert "--by:" in made.output and "Traceback" not in made.output
    assert "nsq_" not in made.output  # no token was made, so none is shown
    assert by not in made.output
    listed = runner.invoke(main, ["users", "tokens", "--db", db])
    assert listed.output.startswith("no service tokens")


def test_users_tokens_shows_a_names_terminal_escapes_as_text(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'n.db'}"
    unknown = CliRunner().invoke(main, ["users", "tokens", "\x1b]0;title\x07", "--db", db])
    assert unknown.exit_code == 1
    assert "\x1b" not in unknown.output and "\\x1b]0;title\\x07" in unknown.output
