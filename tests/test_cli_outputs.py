"""The CLI's outputs: never over its own input, escaped for the terminal, in a clinician's words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import _printable, main

ROOT = Path(__file__).resolve().parents[1]
SEVERE = ROOT / "examples" / "severe-young-child.yaml"
TYPICAL = ROOT / "examples" / "typical-9-year-old.yaml"


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


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b]0;title\x07b", "a\\x1b]0;title\\x07b"),
        ("csi \x9b31m", "csi \\x9b31m"),
        ("bidi \u202eevil", "bidi \\u202eevil"),
        ("isolate \u2066x\u2069", "isolate \\u2066x\\u2069"),
        ("line\rover", "line\\x0dover"),
        ("keep\tthis\nline", "keep\tthis\nline"),
        ("colour \x1b[31mred\x1b[0m", "colour \x1b[31mred\x1b[0m"),
    ],
)
def test_printable_escapes_control_characters(raw: str, shown: str) -> None:
    assert _printable(raw) == shown


def test_cli_error_for_a_file_named_with_escapes_prints_no_raw_control(tmp_path: Path) -> None:
    path = tmp_path / "case\x1b]0;owned\x07\u202e.yaml"
    result = CliRunner().invoke(main, ["score", str(path)])
    code, out = result.exit_code, result.output
    assert code == 1 and "file not found" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "case\\x1b]0;owned\\x07\\u202e.yaml" in out


def test_cli_terminal_output_of_free_text_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        TYPICAL.read_text().replace(
            "notes: Synthetic example. Settled at home and school.",
            'notes: "a \\u202e b \\x9b c"',
        )
    )
    result = CliRunner().invoke(main, ["plan", str(path), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.output and "\x9b" not in result.output
    assert "a \\u202e b \\x9b c" in result.output
