"""Issue 12 section 5: every input inside the error family, and issue 11's clinician wording.

Each reproducer of "Inputs that escape the error family" gets a located
refusal (file, line, field), exit status 1, no traceback and no "internal
error". The real CLI runs through CliRunner; planning uses the real engine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.errors import CaseError, NormsError
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.norms import load_norms

ROOT = Path(__file__).resolve().parent.parent
TYPICAL = ROOT / "examples" / "typical-9-year-old.yaml"
CARER = ROOT / "examples" / "caregiver-strong.yaml"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _refused(code: int, out: str, located: str) -> None:
    assert code == 1, out
    assert located in out, out
    assert "internal error" not in out and "Traceback" not in out, out


def _case(tmp_path: Path, old: str, new: str, name: str = "case.yaml") -> Path:
    text = TYPICAL.read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "located"),
    [
        (
            "metric: full\n",
            'metric: full\nx: !!int ""\n',
            ":6:4: this value cannot be read as '!!int'",
        ),
        ("metric: full", "metric: !!bool maybe", ":5:9: this value cannot be read as '!!bool'"),
        (
            "schema: neuroseq/case/v1",
            "schema: 0x" + "f" * 4000,
            ":4: schema: this number is far too large",
        ),
        ("age_years: 9.0", "age_years: " + "9" * 400, ":8: client.age_years: this number is far"),
        ("age_years: 9.0", "age_years: .nan", ":8: client.age_years: not a finite number"),
        ("metric: full", "metric: !!binary aGk=", ":5:9: metric: the YAML tag '!!binary'"),
    ],
    ids=["int-empty", "bool-maybe", "huge-hex-schema", "age-400-nines", "nan", "binary"],
)
def test_score_hostile_scalar_in_a_case_is_a_located_refusal(
    tmp_path: Path, old: str, new: str, located: str
) -> None:
    path = _case(tmp_path, old, new)
    code, out = _run("score", str(path))
    _refused(code, out, f"{path}{located}")


def test_norms_empty_curve_is_a_located_refusal(tmp_path: Path) -> None:
    text = (ROOT / "scoring" / "norms.yaml").read_text()
    norms = tmp_path / "norms.yaml"
    norms.write_text(
        "\n".join(
            "    brainstem: []" if line.startswith("    brainstem:") else line
            for line in text.split("\n")
        )
    )
    with pytest.raises(NormsError, match=r"norms.yaml:\d+: maturation.curves.brainstem: is empty"):
        load_norms(norms)
    code, out = _run("score", str(TYPICAL), "--norms", str(norms))
    _refused(code, out, "maturation.curves.brainstem: is empty; give one fraction per anchor age")


def test_cce_caregiver_case_path_999_characters_is_a_located_refusal(tmp_path: Path) -> None:
    carer = tmp_path / "carer.yaml"
    carer.write_text(
        CARER.read_text().replace("case: typical-9-year-old.yaml", "case: " + "a" * 999)
    )
    code, out = _run("cce", str(carer))
    _refused(
        code,
        out,
        f"{carer}:27: challenges.children[0].case: the case path (999 characters) is not a "
        "usable file name",
    )


def test_rules_file_linked_to_proc_self_mem_is_a_located_refusal(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / "zz.yaml").symlink_to("/proc/self/mem")
    link = folder / "zz.yaml"
    code, out = _run("rules", "check", "--rules", str(folder))
    _refused(code, out, f"{link}: error NS001: is a symbolic link to a file outside its folder")
    code, out = _run("plan", str(TYPICAL), "--rules", str(folder))
    _refused(code, out, f"{link}: NS001: is a symbolic link to a file outside its folder")


def test_rules_file_unreadable_inside_its_folder_is_a_located_refusal(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    (folder / "zz.yaml").mkdir()  # skipped: not a file
    (folder / "yy.yaml").write_bytes(b"\xff\xfe not text")
    code, out = _run("rules", "check", "--rules", str(folder))
    _refused(code, out, f"{folder / 'yy.yaml'}:1: error NS001: not UTF-8 text")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ 'x'*10**13 }}", "template stopped: the template builds more than 20,000,000"),
        ("{{ 'x'|truncate(-1) }}", "template failed while rendering: AssertionError"),
        ("{{ 10**(10**10) }}", "template stopped: a power too large to compute"),
        ("{{ 'x'|center(10**12) }}", "template stopped: a number above 10,000,000"),
        ("{{ '%99999999999s' % 'x' }}", "template stopped: a format width or precision"),
    ],
)
def test_plan_custom_template_expression_is_a_located_refusal(
    tmp_path: Path, body: str, message: str
) -> None:
    (tmp_path / "plan.md.j2").write_text(body + "\n")
    code, out = _run("plan", str(TYPICAL), "--format", "md", "--templates", str(tmp_path))
    _refused(code, out, f"{tmp_path / 'plan.md.j2'}:1: {message}")


def test_plan_custom_template_silent_loop_is_stopped_by_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neuroseq.reports import render

    monkeypatch.setattr(render, "TEMPLATE_SECONDS", 0.5)
    (tmp_path / "plan.md.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"
    )
    code, out = _run("plan", str(TYPICAL), "--format", "md", "--templates", str(tmp_path))
    _refused(code, out, "template stopped: rendering took longer than 0.5 seconds")


def test_plan_custom_template_output_size_is_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neuroseq.reports import render

    monkeypatch.setattr(render, "TEMPLATE_MAX_CHARS", 10_000)
    (tmp_path / "plan.md.j2").write_text("{% for i in range(100000) %}xxxxxxxxxx{% endfor %}\n")
    code, out = _run("plan", str(TYPICAL), "--format", "md", "--templates", str(tmp_path))
    _refused(code, out, "template stopped: the template builds more than 10,000 characters")


def test_json_case_with_unicode_escapes_keeps_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(
        "{\n"
        '  "schema": "neuroseq/case/v1",\n'
        '  "metric": "er",\n'
        '  "client": {\n'
        '    "id": "a\\/b",\n'
        '    "placement": "caf\\u00e9 \\ud83d\\ude00",\n'
        '    "age_years": 500\n'
        "  },\n"
        '  "cns": {}\n'
        "}\n"
    )
    with pytest.raises(CaseError, match=r"case.json:7: client.age_years: too high: at most 99"):
        load_case(path)


def test_json_case_nan_and_deep_nesting_are_located(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{"schema": "neuroseq/case/v1",\n "client": {"age_years": NaN}}')
    with pytest.raises(CaseError, match=r"case.json:2: client.age_years: not a finite number"):
        load_case(path)
    path.write_text('{"a": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(CaseError, match=r"nested"):
        load_case(path)


# --- issue 11: messages a clinician understands ------------------------------------


def test_load_case_id_pattern_message_names_allowed_characters_not_a_regex(tmp_path: Path) -> None:
    path = _case(tmp_path, "id: example-typical-9", "id: example typical")
    with pytest.raises(
        CaseError, match=r"client.id: contains a space, which is not allowed"
    ) as info:
        load_case(path)
    message = str(info.value)
    assert (
        "use only letters, digits, '.', '_' and '-', starting with a letter or a digit" in message
    )
    assert "^[" not in message and "example typical" not in message


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("15/03/2017", "write dates as YYYY-MM-DD, e.g. 2026-03-15; got 15/03/2017"),
        ("2017-02-30", "2017-02-30 is not a calendar date"),
        ("Jane's birthday", "write dates as YYYY-MM-DD, e.g. 2026-03-15; got text that is not"),
    ],
)
def test_date_message_names_the_form(tmp_path: Path, written: str, expected: str) -> None:
    path = _case(tmp_path, "age_years: 9.0", f'date_of_birth: "{written}"')
    with pytest.raises(CaseError, match="client.date_of_birth: ") as info:
        load_case(path)
    assert expected in str(info.value)
    assert "invalid character in year" not in str(info.value)
    assert "Jane" not in str(info.value)


def test_load_case_names_a_tab_in_yaml_with_its_line(tmp_path: Path) -> None:
    path = _case(tmp_path, "  age_years: 9.0", "\tage_years: 9.0")
    with pytest.raises(
        CaseError, match=r"case.yaml:8:1: a tab character at line 8, column 1: YAML indents"
    ):
        load_case(path)


def test_score_suggests_catalogue_ids_by_name(tmp_path: Path) -> None:
    path = _case(tmp_path, "history:", "current_services: [CBT, Therapeutic drumming]\nhistory:")
    code, out = _run("score", str(path))
    _refused(code, out, "current_services[0]: unknown catalogue id 'CBT'; did you mean 'cbt'")
    assert "current_services[1]: unknown catalogue id: ids are lower-case words" in out
    assert "did you mean 'drumming' (Therapeutic drumming)?" in out
    assert "contains capital letters" not in out  # the suggestion says it once


@pytest.mark.parametrize(
    ("born", "agrees"),
    [("2013-03-02", True), ("2012-06-01", True), ("2012-03-03", True), ("2012-03-02", False)],
    ids=["exactly-13", "13.75", "a-day-before-14", "turned-14"],
)
def test_load_case_age_years_whole_agrees_with_an_exact_age_up_to_a_year_above(
    tmp_path: Path, born: str, agrees: bool
) -> None:
    path = _case(tmp_path, "age_years: 9.0", f"age_years: 13\n  date_of_birth: {born}")
    if agrees:
        assert load_case(path).client.age_years == 13
    else:
        with pytest.raises(CaseError, match=r"age_years 13 disagrees .* give 14 on the last"):
            load_case(path)
