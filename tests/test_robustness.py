"""Regression tests from a black-box review: hostile inputs and outputs at the CLI edge."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEVERE = ROOT / "examples" / "severe-young-child.yaml"
TYPICAL = ROOT / "examples" / "typical-9-year-old.yaml"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _case(tmp_path: Path, old: str, new: str, base: Path = TYPICAL) -> Path:
    text = base.read_text()
    assert old in text, old
    path = tmp_path / "case.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_score_refuses_a_device_file_without_reading_it(tmp_path: Path) -> None:
    code, out = _run("score", "/dev/zero")
    assert code == 1 and "not a regular file" in out


def test_score_refuses_a_fifo_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    code, out = _run("score", str(fifo))
    assert code == 1 and "not a regular file" in out


def test_score_output_onto_a_device_is_refused(tmp_path: Path) -> None:
    code, out = _run("score", str(TYPICAL), "-o", "/dev/null")
    assert code == 1 and "not a regular file" in out
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_score_output_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    code, _ = _run("score", str(TYPICAL), "--format", "json", "-o", str(link))
    assert code == 0
    assert link.is_symlink() and target.is_file()


def test_score_output_new_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    # Issue 12 section 7: case data is sensitive, so a new report is 0600 (was 0644).
    out = tmp_path / "scores.json"
    old = os.umask(0o022)
    try:
        assert _run("score", str(TYPICAL), "--format", "json", "-o", str(out))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_score_output_into_an_unwritable_place_is_a_located_error() -> None:
    code, out = _run("score", str(TYPICAL), "-o", "/proc/neuroseq-out.json")
    assert code == 1 and "/proc/neuroseq-out.json: cannot write" in out
    assert "internal error" not in out


def test_plan_custom_templates_are_sandboxed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "plan.md.j2").write_text(
        '{{ cycler.__init__.__globals__.os.system("touch ' + str(marker) + '") }}\n'
    )
    code, out = _run("plan", str(SEVERE), "--format", "md", "--templates", str(tmp_path))
    assert code == 1 and "unsafe" in out
    assert not marker.exists()


@pytest.mark.parametrize("body", ["{{ 1/0 }}", '{{ 1 + "a" }}', '{% include "plan.md.j2" %}'])
def test_plan_templates_failing_at_render_time_are_report_errors(tmp_path: Path, body: str) -> None:
    (tmp_path / "plan.md.j2").write_text(body + "\n")
    code, out = _run("plan", str(SEVERE), "--format", "md", "--templates", str(tmp_path))
    assert code == 1 and "template failed while rendering" in out
    assert "internal error" not in out


def test_rules_nan_threshold_in_a_rule_is_refused(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    path = folder / "therapeutic_web.yaml"
    text = path.read_text()
    assert "peers: {at_most: 1}" in text
    path.write_text(text.replace("peers: {at_most: 1}", "peers: {at_most: .nan}", 1))
    code, out = _run("rules", "check", "--rules", str(folder))
    assert code == 1 and "therapeutic_web.yaml:" in out


def test_rules_folder_named_like_a_rule_file_is_ignored(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / "extra.yaml").mkdir()
    code, out = _run("rules", "check", "--rules", str(folder))
    assert code == 0, out


def test_rules_stray_brace_in_a_rationale_is_refused(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    path = folder / "client_reason.yaml"
    path.write_text(
        path.read_text().replace(
            "CMR is {cmr.value}, below 1.0", "CMR is {cmr.value:{cmr.value}}", 1
        )
    )
    code, out = _run("rules", "check", "--rules", str(folder))
    assert code == 1 and "a brace outside a placeholder" in out


def test_score_checks_catalogue_ids(tmp_path: Path) -> None:
    case = _case(tmp_path, "relational_health:", "current_services: [tutorin]\nrelational_health:")
    code, out = _run("score", str(case))
    assert code == 1 and "unknown catalogue id 'tutorin'" in out


def test_score_age_that_disagrees_with_dates_is_refused(tmp_path: Path) -> None:
    case = _case(tmp_path, "  age_years: 9.0\n", "  age_years: 9.0\n  date_of_birth: 2000-01-01\n")
    code, out = _run("score", str(case))
    assert code == 1 and "disagrees with date_of_birth" in out


def test_score_number_is_not_a_date(tmp_path: Path) -> None:
    case = _case(tmp_path, "  age_years: 9.0\n", "  date_of_birth: 1577836800\n")
    code, out = _run("score", str(case))
    assert code == 1 and "a date is written YYYY-MM-DD" in out


def test_schema_field_name_is_not_a_key(tmp_path: Path) -> None:
    case = _case(tmp_path, "schema: neuroseq/case/v1", "schema_: neuroseq/case/v1")
    code, out = _run("score", str(case))
    assert code == 1 and "schema_" in out


def test_score_duplicate_key_is_reported_with_the_other_problems(tmp_path: Path) -> None:
    case = _case(tmp_path, "  sleep: 11\n", "  sleep: 11\n  sleep: 10\n")
    case.write_text(
        case.read_text()
        .replace("  reward: 11", "  reward: 60")
        .replace("metric: full", "metric: fulll")
    )
    code, out = _run("score", str(case))
    assert code == 1
    for fragment in ("duplicate key 'sleep'", "cns.reward", "did you mean 'full'"):
        assert fragment in out, out


def test_score_control_character_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_bytes(
        TYPICAL.read_bytes().replace(b"Synthetic example.", b"Synthetic \x1b example.")
    )
    code, out = _run("score", str(path))
    assert code == 1 and f"{path}:" in out and "control character" in out
    line = out.split(f"{path}:")[1].split(":")[0]
    assert line.isdigit()


def test_score_huge_json_integer_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"schema": "neuroseq/case/v1", "n": ' + "9" * 5000 + "}")
    code, out = _run("score", str(path))
    assert code == 1 and "internal error" not in out and f"{path}" in out


def test_score_control_characters_in_free_text_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(
        '{"schema": "neuroseq/case/v1", "metric": "er", "client": {"id": "a", "age_years": 5, '
        '"placement": "x\\u001by"}, "cns": {}}'
    )
    code, out = _run("score", str(path))
    assert code == 1 and "client.placement: contains a control character" in out


def test_score_yaml_merge_keys_are_refused(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        "relational_health: {family: 3, peers: 3, school: 3, community: 3}",
        "relational_health: {<<: {family: 1}, family: 3, peers: 3, school: 3, community: 3}",
    )
    code, out = _run("score", str(case))
    assert code == 1 and "merge keys (<<) are not allowed" in out


def test_compare_refuses_the_same_assessment_twice() -> None:
    code, out = _run("compare", str(SEVERE), str(SEVERE))
    assert code == 1 and "given twice" in out


@pytest.mark.parametrize(
    ("other", "fragment"),
    [
        ("examples/caregiver-strong.yaml", "this is a caregiver file, not a case file: give it as"),
        ("catalog/interventions.yaml", "this is an intervention catalogue, not a case file"),
        ("rules/rulebase.yaml", "this is a rule base manifest, not a case file"),
        ("scoring/norms.yaml", "this is a norms file, not a case file"),
    ],
)
def test_plan_another_neuroseq_file_given_as_a_case_says_what_it_is(
    other: str, fragment: str
) -> None:
    code, out = _run("plan", str(ROOT / other))
    assert code == 1
    assert fragment in out
    assert "required key is missing" not in out  # one clear problem, not a list of symptoms
