"""``neuroseq rules check``: findings grouped by code, ``--ignore`` by code only."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.catalog.loader import load_catalog
from neuroseq.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _folder(tmp_path: Path, rules_yaml: str, name: str = "extra.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "rulebase.yaml", folder / "rulebase.yaml")
    (folder / name).write_text(
        "schema: neuroseq/rules/v1\nrules:\n" + textwrap.indent(textwrap.dedent(rules_yaml), "  ")
    )
    return folder


def _rule(when: str, rule_id: str = "t.rule") -> str:
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


def test_cli_rules_check_one_rule_base_groups_its_warnings(tmp_path: Path) -> None:

    unreached = len(load_catalog().interventions) - 1  # every entry but the rule's own
    folder = _folder(tmp_path, _rule("cmr: {value: {below: 1.0}}"))
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
