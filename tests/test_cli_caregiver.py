"""The CLI edge of the Caregiver Challenge Estimator: cce, plan --caregiver, schema, rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEPLETED = str(ROOT / "examples" / "caregiver-depleted.yaml")
STRONG = str(ROOT / "examples" / "caregiver-strong.yaml")
SEVERE = str(ROOT / "examples" / "severe-young-child.yaml")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_cce_text_shows_scores_and_recommendations() -> None:
    code, out, _ = _run("cce", DEPLETED)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "neuroseq cce: caregiver example-carer-depleted, foster placement"
    assert any(
        line.startswith("RESERVE -64.8  DEPLETED  (resources 22.3 - challenge 87.1)")
        for line in lines
    )
    assert "RESOURCES 22.3 of 100  (internal 23.8, external 20.8)" in lines
    assert "CHALLENGE 87.1 points" in lines
    assert (
        "  1. RECOMMEND Placement stability planning [placement_stability_planning] (therapeutic web)"
        in lines
    )
    assert any("RECOMMEND Planned respite care [respite_care]" in line for line in lines)
    assert "project defaults" in out and "not the official NMT™ Metric" in out


def test_cli_cce_json_follows_its_contract() -> None:
    code, out, _ = _run("cce", STRONG, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "neuroseq/cce/v1"
    assert data["caregiver_id"] == "example-carer-strong"
    assert data["scores"]["category"] == "strong"
    assert data["scores"]["reserve"] == 48.48
    assert data["scores"]["internal"]["score"] == 85.71
    assert data["scores"]["external"]["score"] == 81.25
    assert len(data["weights"]["sha256"]) == 64
    assert data["recommendations"] == []


def test_cli_cce_md_and_html(tmp_path: Path) -> None:
    code, out, _ = _run("cce", DEPLETED, "--format", "md")
    assert code == 0
    assert out.startswith("# Caregiver Challenge Estimator: caregiver example-carer-depleted")
    assert "**-64.8 points: depleted**" in out
    html_path = tmp_path / "cce.html"
    code, out, _ = _run("cce", DEPLETED, "--format", "html", "-o", str(html_path))
    assert (code, out) == (0, "")
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<p class="reserve depleted"><b>-64.8 points: depleted</b>' in html


def test_cli_cce_escapes_free_text_in_html_and_markdown(tmp_path: Path) -> None:
    case = tmp_path / "<b>x|y.yaml"
    shutil.copy(ROOT / "examples" / "typical-9-year-old.yaml", case)
    text = (
        Path(STRONG)
        .read_text(encoding="utf-8")
        .replace("case: typical-9-year-old.yaml", "case: '<b>x|y.yaml'")
    )
    home = tmp_path / "home.yaml"
    home.write_text(text, encoding="utf-8")
    code, out, _ = _run("cce", str(home), "--format", "html")
    assert code == 0
    assert "<b>x" not in out and "&lt;b&gt;x|y.yaml" in out
    code, out, _ = _run("cce", str(home), "--format", "md")
    assert "\\<b\\>x\\|y.yaml" in out


def test_cli_cce_weights_override_changes_the_reserve(tmp_path: Path) -> None:
    bundled = (ROOT / "scoring" / "caregiver_weights.yaml").read_text(encoding="utf-8")
    weights = tmp_path / "weights.yaml"
    weights.write_text(bundled.replace("strong_from: 25", "strong_from: 60"), encoding="utf-8")
    code, out, _ = _run("cce", STRONG, "--format", "json", "--weights", str(weights))
    assert code == 0
    assert json.loads(out)["scores"]["category"] == "adequate"


def test_cli_cce_bad_file_exit_1_with_lines_and_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        Path(DEPLETED)
        .read_text(encoding="utf-8")
        .replace("  mental_health: 1", "  mental_health: 5")
        .replace("case: severe-young-child.yaml", "case: missing.yaml"),
        encoding="utf-8",
    )
    out_file = tmp_path / "out.json"
    code, out, err = _run("cce", str(bad), "--format", "json", "-o", str(out_file))
    assert code == 1
    assert out == ""
    assert f"{bad}:11: internal_resources.mental_health: too high: at most 3" in err
    assert f"{bad}:27: challenges.children[0].case: case file 'missing.yaml' not found" in err
    assert err.splitlines()[-1] == "neuroseq: 2 problems in the caregiver; nothing was written."
    assert not out_file.exists()


def test_cli_cce_bad_weights_exit_1(tmp_path: Path) -> None:
    weights = tmp_path / "w.yaml"
    weights.write_text("schema: neuroseq/caregiver-weights/v1\nversion: x\n", encoding="utf-8")
    code, _, err = _run("cce", DEPLETED, "--weights", str(weights))
    assert code == 1
    assert f"{weights}:1: resources: required key is missing" in err


def test_cli_plan_with_caregiver_puts_self_care_and_respite_first() -> None:
    code, out, _ = _run("plan", SEVERE, "--caregiver", DEPLETED, "--format", "json")
    assert code == 0
    family = [r for r in json.loads(out)["recommendations"] if r["audience"] == "family"]
    assert [r["intervention"] for r in family[:2]] == ["caregiver_self_care", "respite_care"]
    code, out, _ = _run("plan", SEVERE, "--format", "json")
    family = [
        r["intervention"] for r in json.loads(out)["recommendations"] if r["audience"] == "family"
    ]
    assert "respite_care" not in family


@pytest.mark.parametrize("command", ["plan", "explain"])
def test_cli_caregiver_weights_need_caregiver(command: str) -> None:
    code, _, err = _run(command, SEVERE, "--caregiver-weights", DEPLETED)
    assert code == 2
    assert "--caregiver-weights needs --caregiver" in err


def test_cli_explain_takes_the_plan_s_caregiver_weights(tmp_path: Path) -> None:
    # explain must see the plan that `plan` made with the same options
    weights = tmp_path / "weights.yaml"
    bundled = (ROOT / "scoring" / "caregiver_weights.yaml").read_text(encoding="utf-8")
    weights.write_text(bundled, encoding="utf-8")
    args = (SEVERE, "--caregiver", DEPLETED, "--caregiver-weights", str(weights))
    code, out, _ = _run("explain", *args)
    assert code == 0
    code_plan, plan_out, _ = _run("plan", *args, "--format", "json")
    assert code_plan == 0
    first = json.loads(plan_out)["recommendations"][0]["intervention"]
    assert first in out


def test_cli_schema_caregiver() -> None:
    code, out, _ = _run("schema", "caregiver")
    assert code == 0
    schema = json.loads(out)
    assert schema["$id"] == "neuroseq/caregiver/v1"
    assert set(schema["required"]) == {
        "schema",
        "caregiver",
        "internal_resources",
        "external_resources",
        "challenges",
    }
    assert "reverse-scored" in json.dumps(schema["$defs"]["InternalResources"])


def test_cli_rules_check_and_test_on_the_caregiver_folder() -> None:
    folder = str(ROOT / "rules" / "caregiver")
    code, out, _ = _run("rules", "check", "--rules", folder)
    assert code == 0
    # the caregiver rules reach every family entry but the child-level bedtime routine,
    # kinship carer support and the residential unit's routines (which need the child's
    # placement, not the home's reserve)
    assert out.splitlines()[-1].startswith("15 rules, 16 engine rules: 0 error(s), 4 warning(s)")
    for ident in (
        "sleep_routine",
        "kinship_carer_support",
        "unit_daily_rhythm",
        "unit_bedtime_routine",
    ):
        assert f"interventions.{ident}: no rule can recommend" in out
    assert "error:" not in out
    code, out, _ = _run("rules", "test", "--rules", folder)
    assert code == 0
    assert out.splitlines()[-1] == "17 passed, 0 failed"
