"""Forgiving, never guessing, input: `-` for standard input, formats from -o, --previous."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import SUFFIX_FORMATS, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TYPICAL = EXAMPLES / "typical-9-year-old.yaml"
SEVERE = EXAMPLES / "severe-young-child.yaml"
BASELINE = ROOT / "tests" / "data" / "followup" / "severe-6-baseline.yaml"
FOLLOWUP = ROOT / "tests" / "data" / "followup" / "severe-7-followup.yaml"


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


# --- standard input -------------------------------------------------------------


def test_score_dash_reads_the_case_from_standard_input() -> None:
    from_file = _run("score", str(TYPICAL), "--format", "json")
    from_stdin = _run("score", "-", "--format", "json", stdin=TYPICAL.read_text())
    assert from_stdin == from_file
    assert from_stdin[0] == 0


def test_score_dash_accepts_json_indented_with_tabs() -> None:
    import yaml

    text = json.dumps(yaml.safe_load(TYPICAL.read_text()), default=str, indent="\t")
    code, out, _ = _run("score", "-", "--format", "json", stdin=text)
    assert code == 0
    assert json.loads(out)["client_id"] == "example-typical-9"


def test_score_dash_problems_name_stdin_and_the_line() -> None:
    text = TYPICAL.read_text().replace("  sleep: 11", "  sleep: 13")
    code, out, err = _run("score", "-", stdin=text)
    line = text.splitlines().index("  sleep: 13") + 1
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"<stdin>:{line}: cns.sleep: too high: at most 12 (got 13)",
        "neuroseq: 1 problem in the case; nothing was written.",
    ]


def test_plan_dash_gives_the_same_plan_as_the_file() -> None:
    from_file = _run("plan", str(SEVERE), "--format", "json")
    from_stdin = _run("plan", "-", "--format", "json", stdin=SEVERE.read_text())
    assert from_file[0] == 0
    assert from_stdin == from_file


def test_explain_dash_reads_standard_input() -> None:
    code, out, _ = _run("explain", "-", stdin=TYPICAL.read_text())
    assert code == 0
    assert out == _run("explain", str(TYPICAL))[1]


def test_compare_one_dash_reads_standard_input_and_shows_it_as_stdin() -> None:
    code, out, _ = _run(
        "compare", str(BASELINE), "-", "--format", "json", stdin=FOLLOWUP.read_text()
    )
    assert code == 0
    paths = [entry["path"] for entry in json.loads(out)["assessments"]]
    assert paths == [str(BASELINE), "<stdin>"]


def test_compare_two_dashes_is_a_usage_error() -> None:
    code, _, err = _run("compare", "-", "-", stdin=FOLLOWUP.read_text())
    assert code == 2
    assert err.splitlines()[-1] == "Error: standard input (-) can give only one case"


# --- the format follows the -o suffix ----------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "start"),
    [(".json", '{\n  "schema": "neuroseq/plan/v1"'), (".md", "# "), (".html", "<!DOCTYPE html>")]
    + [(".txt", "neuroseq plan"), (".HTML", "<!DOCTYPE html>")],
)
def test_plan_output_suffix_sets_the_format(tmp_path: Path, suffix: str, start: str) -> None:
    target = tmp_path / f"report{suffix}"
    code, out, err = _run("plan", str(SEVERE), "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8").startswith(start)


def test_score_output_suffix_csv_writes_csv(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    assert _run("score", str(TYPICAL), "-o", str(target))[0] == 0
    assert target.read_text().splitlines()[0] == (
        "id,number,region,domain,score,typical,ratio,band,impairment"
    )


def test_plan_format_that_contradicts_the_suffix_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = _run("plan", str(SEVERE), "--format", "md", "-o", str(target))
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "Error: --format md contradicts the output file report.html (a .html file is html); "
        "give one of them, or make them agree"
    )
    assert not target.exists()


def test_plan_format_that_agrees_with_the_suffix_is_fine(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    assert _run("plan", str(SEVERE), "--format", "md", "-o", str(target))[0] == 0
    assert target.read_text().startswith("# ")


def test_score_format_given_with_an_unknown_suffix_is_used(tmp_path: Path) -> None:
    target = tmp_path / "scores.out"
    assert _run("score", str(TYPICAL), "--format", "json", "-o", str(target))[0] == 0
    assert json.loads(target.read_text())["schema"] == "neuroseq/scores/v1"


def test_plan_unknown_suffix_without_format_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    code, _, err = _run("plan", str(SEVERE), "-o", str(target))
    assert code == 2
    assert err.splitlines()[-1] == (
        "Error: cannot tell the format from report.pdf: name the file .txt, .json, .md, "
        ".html or .fhir.json, or give --format (text, json, md, html, fhir)"
    )
    assert not target.exists()


def test_plan_suffix_of_a_format_it_cannot_write_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run("plan", str(SEVERE), "-o", str(tmp_path / "plan.csv"))
    assert code == 2
    assert err.splitlines()[-1] == (
        "Error: this command does not write csv (plan.csv); it writes text, json, md, html, "
        "fhir: name the file .txt, .json, .md, .html or .fhir.json"
    )


def test_score_no_suffix_and_no_format_writes_the_default(tmp_path: Path) -> None:
    target = tmp_path / "scores"
    assert _run("score", str(TYPICAL), "-o", str(target))[0] == 0
    assert target.read_text().startswith("neuroseq score: client example-typical-9")


def test_cce_and_compare_follow_the_suffix_too(tmp_path: Path) -> None:
    home = tmp_path / "home.json"
    assert _run("cce", str(EXAMPLES / "caregiver-strong.yaml"), "-o", str(home))[0] == 0
    assert json.loads(home.read_text())["schema"] == "neuroseq/cce/v1"
    change = tmp_path / "change.txt"
    assert _run("compare", str(BASELINE), str(FOLLOWUP), "-o", str(change))[0] == 0
    assert change.read_text().startswith("neuroseq compare: client example-severe-6")


def test_suffix_formats_cover_the_issue_list() -> None:
    assert {SUFFIX_FORMATS[s] for s in (".html", ".md", ".json", ".csv", ".txt")} == {
        "html",
        "md",
        "json",
        "csv",
        "text",
    }


# --- --previous must be an earlier assessment of the same client --------------------


def test_plan_previous_earlier_assessment_is_accepted() -> None:
    code, out, _ = _run("plan", str(FOLLOWUP), "--previous", str(BASELINE), "--format", "json")
    assert code == 0
    assert json.loads(out)["previous"]["actions"]["tf_cbt"] == "suspend"


def test_plan_previous_later_assessment_is_refused_with_both_dates() -> None:
    code, out, err = _run("plan", str(BASELINE), "--previous", str(FOLLOWUP))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{FOLLOWUP}: client.assessment_date: the previous assessment is dated 2027-01-20, "
        "later than this one (2026-01-15); --previous must be an earlier assessment of the "
        "same client",
        "neuroseq: 1 problem in the case; nothing was written.",
    ]


def test_plan_previous_same_date_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(BASELINE.read_text())
    code, _, err = _run("plan", str(BASELINE), "--previous", str(copy))
    assert code == 1
    assert (
        "the previous assessment is dated 2026-01-15, the same day as this one (2026-01-15)" in err
    )


def test_explain_previous_same_file_is_refused(tmp_path: Path) -> None:
    code, out, err = _run("explain", str(SEVERE), "--previous", str(SEVERE))
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        f"{SEVERE}: --previous names the case file itself ({SEVERE}); give an earlier "
        "assessment of the same client"
    )


def test_plan_previous_without_dates_is_ordered_by_age(tmp_path: Path) -> None:
    older = tmp_path / "older.yaml"
    older.write_text(
        BASELINE.read_text()
        .replace("  assessment_date: 2026-01-15\n", "")
        .replace("age_years: 6.0", "age_years: 8.0")
    )
    code, _, err = _run("plan", str(BASELINE), "--previous", str(older))
    assert code == 1
    assert (
        f"{older}: client.age_years: the previous assessment is at age 8.00, not younger than "
        "this one (6.00)"
    ) in err


def test_plan_previous_from_standard_input_is_checked_too() -> None:
    code, _, err = _run("plan", str(BASELINE), "--previous", "-", stdin=FOLLOWUP.read_text())
    assert code == 1
    assert err.startswith("<stdin>: client.assessment_date: the previous assessment is dated ")
