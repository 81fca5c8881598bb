"""The CLI edge for scoring: exit codes, messages, atomic output (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq import __version__
from neuroseq.cli import main

ROOT = Path(__file__).resolve().parent.parent
TYPICAL = str(ROOT / "examples" / "typical-9-year-old.yaml")


def test_cli_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"neuroseq, version {__version__}"


def test_cli_score_text_summary() -> None:
    result = CliRunner().invoke(main, ["score", TYPICAL, "--no-color"])
    assert result.exit_code == 0, result.output
    assert "CMR 4.67" in result.output
    assert "not the official NMT™ Metric" in result.output
    assert "\x1b[" not in result.output


def test_cli_score_json_has_scores_object() -> None:
    result = CliRunner().invoke(main, ["score", TYPICAL, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["scores"]["cmr"] == 4.67
    assert set(data["scores"]) >= {"cmr", "items", "regions", "domains", "risk"}
    assert data["scores"]["risk"]["overall"] == "low"


def test_cli_score_writes_output_file(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(main, ["score", TYPICAL, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0
    assert result.output == ""
    assert json.loads(out.read_text())["client_id"] == "example-typical-9"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.json"]


def test_cli_score_bad_case_exit_1_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(TYPICAL).read_text().replace("  sleep: 11", "  sleep: 13"))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["score", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{bad}:" in result.output
    assert "cns.sleep" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_cli_score_missing_argument_is_usage_error() -> None:
    result = CliRunner().invoke(main, ["score"])
    assert result.exit_code == 2


def test_cli_score_unknown_format_is_usage_error() -> None:
    result = CliRunner().invoke(main, ["score", TYPICAL, "--format", "pdf"])
    assert result.exit_code == 2


def test_cli_score_custom_norms_errors_are_located(tmp_path: Path) -> None:
    norms = tmp_path / "norms.yaml"
    norms.write_text("schema: neuroseq/norms/v1\nversion: x\nbogus: 1\n")
    result = CliRunner().invoke(main, ["score", TYPICAL, "--norms", str(norms)])
    assert result.exit_code == 1
    assert f"{norms}:" in result.output


def test_cli_schema_case_is_json_schema() -> None:
    result = CliRunner().invoke(main, ["schema", "case"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert "cns" in schema["properties"]


def test_cli_no_traceback_on_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import neuroseq.scoring.loader as loader

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(loader, "load_case", explode)
    result = CliRunner().invoke(main, ["score", TYPICAL])
    assert result.exit_code == 1
    assert "internal error" in result.output
    assert "Traceback" not in result.output
