"""The CLI never writes over what it was given, and speaks a clinician's words."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from neuroseq.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEVERE = ROOT / "examples" / "severe-young-child.yaml"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_plan_refuses_to_write_over_its_own_case(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    shutil.copy(SEVERE, case)
    before = case.read_bytes()
    code, out = _run("plan", str(case), "--format", "text", "-o", str(case))
    assert code == 2 and "is one of the input files" in out
    assert case.read_bytes() == before


def test_cli_score_and_explain_refuse_their_input_as_output(tmp_path: Path) -> None:
    case = tmp_path / "case.txt"
    shutil.copy(SEVERE, case)
    for command in ("score", "explain"):
        code, out = _run(command, str(case), "-o", str(case))
        assert code == 2 and "is one of the input files" in out, command


def test_cli_examples_never_overwrite_an_edited_case(tmp_path: Path) -> None:
    target = tmp_path / "my-case.yaml"
    assert _run("examples", "blank", "-o", str(target))[0] == 0
    target.write_text(target.read_text() + "# my edits\n")
    code, out = _run("examples", "blank", "-o", str(target))
    assert code == 2 and "already exists" in out
    assert target.read_text().endswith("# my edits\n")


def test_cli_messages_say_the_scale_not_the_validator(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    text = SEVERE.read_text().replace("  sleep: 5\n", "  sleep: 13\n")
    text = text.replace("interests: [music, animals, trampolines]", "interests: music")
    case.write_text(text)
    code, out = _run("plan", str(case))
    assert code == 1
    assert "cns.sleep: too high: at most 12 (got 13)" in out
    assert "client.interests: a list, e.g. [first, second]" in out
    assert "Input should" not in out
