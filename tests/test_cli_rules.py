"""``neuroseq rules check``: findings grouped by code, ``--ignore`` by code only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from neuroseq.catalog.loader import load_catalog
from neuroseq.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_cli_rules_check_one_rule_base_groups_its_warnings(rule_files: Any, tmp_path: Path) -> None:

    unreached = len(load_catalog().interventions) - 1  # every entry but the rule's own
    folder = rule_files.folder(tmp_path, rule_files.rule("cmr: {value: {below: 1.0}}"))
    result = CliRunner().invoke(main, ["rules", "check", "--rules", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5
    assert lines[3].endswith("--ignore NS203 hides them")
    assert lines[-1] == f"1 rules, 1 engine rules: 0 error(s), {unreached} warning(s)"
    ignored = CliRunner().invoke(
        main, ["rules", "check", "--rules", str(folder), "--ignore", "NS203"]
    )
    assert ignored.exit_code == 0
    assert ignored.output.splitlines() == [
        f"1 rules, 1 engine rules: 0 error(s), 0 warning(s), {unreached} ignored"
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [("NS999", "no finding has the code 'NS999'"), ("NS107", "NS107 is an error")],
)
def test_cli_rules_check_ignore_refuses_unknown_codes_and_errors(code: str, message: str) -> None:
    result = CliRunner().invoke(main, ["rules", "check", "--ignore", code])
    assert result.exit_code == 2
    assert message in result.output
