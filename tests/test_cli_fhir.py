"""neuroseq fhir questionnaire|codesystems|import (cli_fhir.py), and the extra's install hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

import neuroseq.fhir
from neuroseq.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEVERE = EXAMPLES / "severe-young-child.yaml"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"


def _run(*args: object, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    return result.exit_code, result.stdout, result.stderr


def _plan_json(*args: object) -> dict[str, object]:
    code, out, err = _run("plan", *args, "--format", "json")
    assert code == 0, err
    plan: dict[str, object] = json.loads(out)
    return plan


def test_fhir_questionnaire_and_codesystems_print_valid_r4b(tmp_path: Path) -> None:
    code, out, _ = _run("fhir", "questionnaire")
    assert code == 0 and Questionnaire.model_validate_json(out).status == "active"
    assert _run("fhir", "questionnaire", "-o", tmp_path / "q.json")[0] == 0
    assert (tmp_path / "q.json").read_text() == out
    code, out, _ = _run("fhir", "codesystems")
    assert code == 0 and Bundle.model_validate_json(out).entry


def test_fhir_import_round_trip_gives_the_same_plan(tmp_path: Path) -> None:
    exported = tmp_path / "severe.fhir.json"
    assert _run("plan", SEVERE, "-o", exported)[0] == 0
    code, _, err = _run("fhir", "import", exported, "-o", tmp_path / "case.yaml")
    assert code == 0, err
    before, after = _plan_json(SEVERE), _plan_json(tmp_path / "case.yaml")
    assert after["recommendations"] == before["recommendations"]
    assert after["scores"] == before["scores"]


def test_fhir_import_round_trip_of_the_follow_up_pair(tmp_path: Path) -> None:
    for name, case, previous in (("intake", INTAKE, None), ("followup", FOLLOWUP, INTAKE)):
        extra = ("--previous", previous) if previous else ()
        assert _run("plan", case, *extra, "-o", tmp_path / f"{name}.fhir.json")[0] == 0
        code, _, err = _run(
            "fhir", "import", tmp_path / f"{name}.fhir.json", "-o", tmp_path / f"{name}.yaml"
        )
        assert code == 0, err
    before = _plan_json(FOLLOWUP, "--previous", INTAKE)
    after = _plan_json(tmp_path / "followup.yaml", "--previous", tmp_path / "intake.yaml")
    assert after["recommendations"] == before["recommendations"]
    assert after["scores"] == before["scores"]
    assert after["previous"] == before["previous"]


def test_fhir_import_reads_standard_input_and_writes_json(tmp_path: Path) -> None:
    _, out, _ = _run("plan", SEVERE, "--format", "fhir")
    code, text, err = _run("fhir", "import", "-", input=out)
    assert code == 0, err
    assert "client:\n  id: example-severe-6\n" in text
    assert _run("fhir", "import", "-", "-o", tmp_path / "case.json", input=out)[0] == 0
    assert json.loads((tmp_path / "case.json").read_text())["client"]["id"] == "example-severe-6"


def test_fhir_import_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    exported = tmp_path / "severe.fhir.json"
    assert _run("plan", SEVERE, "-o", exported)[0] == 0
    code, _, err = _run("fhir", "import", exported, "-o", exported)
    assert code == 2 and "is one of the input files" in err
    code, _, err = _run("fhir", "import", exported, "-o", tmp_path / "case.txt")
    assert code == 2 and "name the case file .yaml, .yml or .json" in err


def test_fhir_import_refuses_malformed_fhir_with_located_problems(tmp_path: Path) -> None:
    _, out, _ = _run("plan", SEVERE, "--format", "fhir")
    document = json.loads(out)
    cns = next(i for i in document["entry"][1]["resource"]["item"] if i["linkId"] == "cns")
    cns["item"][7]["answer"] = [{"valueDecimal": 14}]
    bad = tmp_path / "bad.fhir.json"
    bad.write_text(json.dumps(document, indent=2))
    code, _, err = _run("fhir", "import", bad, "-o", tmp_path / "case.yaml")
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"{bad}:")
    assert (
        ": entry[1].resource.item[8].item[7].answer[0]: linkId 'cns.sleep': too high: at most 12"
        in lines[0]
    )
    assert lines[-1] == "neuroseq: 1 problem in the fhir; nothing was written."
    assert not (tmp_path / "case.yaml").exists()
    (tmp_path / "patient.json").write_text('{"resourceType": "Patient"}')
    code, _, err = _run("fhir", "import", tmp_path / "patient.json")
    assert code == 1 and "resourceType: a 'Patient' resource; allowed:" in err
    code, _, err = _run("fhir", "import", tmp_path / "missing.json")
    assert code == 1 and "missing.json: file not found" in err


@pytest.mark.parametrize(
    "args",
    [
        ("plan", SEVERE, "--format", "fhir"),
        ("batch", SEVERE, "-o", "out", "--format", "fhir", "--jobs", "1"),
        ("fhir", "import", SEVERE),
    ],
)
def test_fhir_commands_without_the_extra_say_how_to_install_it(
    args: tuple[object, ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(neuroseq.fhir, "available", lambda: False)
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(*args)
    assert code == 1
    assert "FHIR needs the optional fhir extra: pip install 'neuroseq[fhir]'" in err
    assert "in the fhir; nothing was written." in err
    assert not (tmp_path / "out").exists()
