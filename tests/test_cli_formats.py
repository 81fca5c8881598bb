"""Formats people ask for: score csv|md|html, compare text, more schemas; engine import errors."""

from __future__ import annotations

import csv
import io
import json
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.reports.schemas import CceDocument, CompareDocument, ScoresDocument
from neuroseq.scoring.items import ITEM_IDS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TYPICAL = str(EXAMPLES / "typical-9-year-old.yaml")
UNEVEN = str(EXAMPLES / "uneven-adolescent.yaml")
BASELINE = str(ROOT / "tests" / "data" / "followup" / "severe-6-baseline.yaml")
FOLLOWUP = str(ROOT / "tests" / "data" / "followup" / "severe-7-followup.yaml")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_score_csv_has_one_row_per_item_with_the_issue_columns() -> None:
    code, out, _ = _run("score", UNEVEN, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "id",
        "number",
        "region",
        "domain",
        "score",
        "typical",
        "ratio",
        "band",
        "impairment",
    ]
    assert [row["id"] for row in rows] == list(ITEM_IDS)
    assert rows[1] == {
        "id": "autonomic_regulation",
        "number": "2",
        "region": "brainstem",
        "domain": "self_regulation",
        "score": "10",
        "typical": "12.00",
        "ratio": "0.83",
        "band": "light_green",
        "impairment": "moderate",
    }


def test_score_csv_agrees_with_score_json() -> None:
    rows = list(csv.DictReader(io.StringIO(_run("score", UNEVEN, "--format", "csv")[1])))
    items = json.loads(_run("score", UNEVEN, "--format", "json")[1])["scores"]["items"]
    for row in rows:
        item = items[row["id"]]
        assert float(row["ratio"]) == item["ratio"]
        assert float(row["typical"]) == item["typical"]
        assert (row["band"], row["impairment"]) == (item["band"], item["impairment"])


def test_score_md_has_items_groups_cmr_and_risk() -> None:
    code, out, _ = _run("score", UNEVEN, "--format", "md")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# neuroseq score: client example-uneven-15"
    assert (
        "| 2 | autonomic_regulation | brainstem | self_regulation | 10 | 12.00 | 0.83 "
        "| light_green | moderate |"
    ) in lines
    assert "| Brainstem | 67.5 | 72.0 | 0.94 | typical | at or near age (15.0) |" in lines
    assert (
        "| Self regulation | 93.5 | 124.5 | 0.75 | moderate | 4.4 (10.7 years below age) |" in lines
    )
    assert "## Cortical modulation ratio (CMR)" in lines
    assert lines[-1].startswith("neuroseq is an independent implementation")


def test_score_html_is_one_escaped_page_with_maps_and_guide_key() -> None:
    code, out, _ = _run("score", UNEVEN, "--format", "html")
    assert code == 0
    assert out.lstrip().startswith("<!DOCTYPE html>")
    assert out.count("<svg") >= 2
    assert (
        '<b>8</b> Sleep: <span class="short">falls asleep, stays asleep and wakes rested</span>'
        in out
    )
    assert "at or near age (15.0)" in out
    assert "<script" not in out


def test_score_md_and_html_for_an_er_case_without_history() -> None:
    er = str(EXAMPLES / "er-snapshot.yaml")
    assert "Not assessed: no history given (metric er)." in _run("score", er, "--format", "md")[1]
    assert "Not assessed: no history given (metric er)." in _run("score", er, "--format", "html")[1]


def test_compare_text_lists_assessments_groups_and_plan_changes() -> None:
    code, out, _ = _run("compare", FOLLOWUP, BASELINE, "--format", "text")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "neuroseq compare: client example-severe-6, 2 assessments "
        "(typical scores for the latest age, 7)"
    )
    assert lines[3].startswith("  #1  2026-01-15  age  6.00  full ")
    assert lines[4].startswith("  #2  2027-01-20  age  7.00  follow_up ")
    assert "CMR 0.56 -> 1.08 (change +0.52; typical for the latest age 2.67)" in lines
    assert "PLAN CHANGES from assessment #1 to #2" in lines
    assert "    tf_cbt                              Suspend -> Resume" in lines
    assert "   8 sleep                                  5    8  typical 10.4  change +3" in lines


def test_compare_text_agrees_with_compare_json() -> None:
    data = json.loads(_run("compare", BASELINE, FOLLOWUP, "--format", "json")[1])
    text = _run("compare", BASELINE, FOLLOWUP, "--format", "text")[1]
    for step in data["plan_changes"]:
        for kind in ("resumed", "new", "stopped"):
            for entry in step[kind]:
                assert f"    {entry['intervention']:<36}" in text


@pytest.mark.parametrize("kind", ["scores", "compare", "cce", "norms", "weights"])
def test_schema_new_kinds_print_a_json_schema(kind: str) -> None:
    code, out, _ = _run("schema", kind)
    assert code == 0
    document = json.loads(out)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    expected = "neuroseq/caregiver-weights/v1" if kind == "weights" else f"neuroseq/{kind}/v1"
    assert document["$id"] == expected
    assert document["properties"]["schema"]


def test_schema_models_accept_what_the_commands_write() -> None:
    scores = json.loads(_run("score", UNEVEN, "--format", "json")[1])
    assert ScoresDocument.model_validate(scores).client_id == "example-uneven-15"
    er = json.loads(_run("score", str(EXAMPLES / "er-snapshot.yaml"), "--format", "json")[1])
    assert ScoresDocument.model_validate(er).scores.risk.overall == "not_assessed"
    compared = json.loads(_run("compare", BASELINE, FOLLOWUP, "--format", "json")[1])
    assert len(CompareDocument.model_validate(compared).assessments) == 2
    home = json.loads(_run("cce", str(EXAMPLES / "caregiver-depleted.yaml"), "--format", "json")[1])
    assert CceDocument.model_validate(home).scores.category == "depleted"


def test_schema_scores_is_closed_so_a_new_key_must_be_documented() -> None:
    scores = json.loads(_run("score", TYPICAL, "--format", "json")[1])
    scores["scores"]["regions"]["limbic"]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        ScoresDocument.model_validate(scores)


def test_schema_norms_and_weights_validate_the_bundled_files() -> None:
    import yaml

    from neuroseq.scoring.caregiver_weights import CaregiverWeights
    from neuroseq.scoring.norms import Norms

    norms = yaml.safe_load((ROOT / "scoring" / "norms.yaml").read_text())
    assert Norms.model_validate(norms).version == "1.0.0"
    weights = yaml.safe_load((ROOT / "scoring" / "caregiver_weights.yaml").read_text())
    assert CaregiverWeights.model_validate(weights)


UNBUILT = (
    "/venv/lib/python3.13/site-packages/durable_rules_engine.cpython-313-x86_64-linux-gnu.so: "
    "undefined symbol: PyEval_CallObject"
)


def _broken_engine(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    fake = types.ModuleType("neuroseq.api")

    def missing(name: str) -> object:
        raise ImportError(message, name="durable_rules_engine")

    fake.__getattr__ = missing  # type: ignore[method-assign]
    monkeypatch.setitem(sys.modules, "neuroseq.api", fake)


def test_cli_durable_rules_built_without_the_fix_gives_the_reinstall_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _broken_engine(monkeypatch, UNBUILT)
    code, out, err = _run("plan", TYPICAL)
    assert (code, out) == (1, "")
    pip = f"{sys.executable} -m pip"
    assert err.splitlines() == [
        "neuroseq: the rule engine (durable-rules 2.0.28) is installed but cannot load: it was "
        "built without the fix Python 3.13 needs (undefined symbol PyEval_CallObject).",
        "Rebuild it with the fix, bypassing pip's cache of the broken build:",
        f"  {pip} cache remove durable_rules",
        f"  CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject {pip} install --no-cache-dir "
        "--force-reinstall --no-deps durable-rules==2.0.28",
    ]
    assert "bug in neuroseq" not in err


def test_cli_other_import_errors_stay_internal_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_engine(monkeypatch, "No module named 'jinja2'")
    code, _, err = _run("plan", TYPICAL)
    assert code == 1
    assert err.startswith("neuroseq: internal error (ImportError); this is a bug in neuroseq.")
