"""neuroseq plan --format fhir (and -o NAME.fhir.json) and neuroseq batch --format fhir."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fhir.resources.R4B.bundle import Bundle

from neuroseq.cli import main

SEVERE = Path(__file__).resolve().parent.parent / "examples" / "severe-young-child.yaml"


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_plan_format_fhir_writes_a_valid_r4b_bundle(tmp_path: Path) -> None:
    code, out, err = _run("plan", SEVERE, "--format", "fhir")
    assert code == 0, err
    assert Bundle.model_validate_json(out).type == "collection"
    # -o NAME.fhir.json says it too, and --format fhir may name any .json file
    assert _run("plan", SEVERE, "-o", tmp_path / "a.fhir.json")[0] == 0
    assert _run("plan", SEVERE, "--format", "fhir", "-o", tmp_path / "b.json")[0] == 0
    assert (tmp_path / "a.fhir.json").read_text() == out == (tmp_path / "b.json").read_text()


def test_plan_fhir_suffix_contradicting_format_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run("plan", SEVERE, "--format", "json", "-o", tmp_path / "x.fhir.json")
    assert code == 2 and "--format json contradicts the output file x.fhir.json" in err
    code, _, err = _run("score", SEVERE, "-o", tmp_path / "x.fhir.json")
    assert code == 2 and "this command does not write fhir" in err


def test_batch_format_fhir_writes_what_plan_writes(tmp_path: Path) -> None:
    code, _, err = _run("batch", SEVERE, "-o", tmp_path / "out", "--format", "fhir", "--jobs", "1")
    assert code == 0, err
    _, out, _ = _run("plan", SEVERE, "--format", "fhir")
    assert (tmp_path / "out" / "severe-young-child.plan.fhir.json").read_text() == out
