"""Issue 12 section 6: no message quotes case content; files stay in their folders.

Free text planted in a case ("Jane disclosed ...") must never appear in a
refusal: messages say what is wrong and where (file, line, field), echoing
only ids, enum values, numbers and dates.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.catalog.loader import load_catalog
from neuroseq.cli import main
from neuroseq.errors import CaregiverError, CatalogError, NormsError
from neuroseq.scoring.caregiver_loader import load_caregiver
from neuroseq.scoring.caregiver_weights import load_weights
from neuroseq.scoring.norms import load_norms

ROOT = Path(__file__).resolve().parent.parent
TYPICAL = ROOT / "examples" / "typical-9-year-old.yaml"
CARER = ROOT / "examples" / "caregiver-strong.yaml"
SECRET = "Jane disclosed abuse by her stepfather"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _case(tmp_path: Path, old: str, new: str) -> Path:
    text = TYPICAL.read_text()
    assert old in text, old
    path = tmp_path / "case.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("interests: [football, drawing]", f'notes: "{SECRET} ' + "x" * 20_000 + '"', "notes"),
        ("metric: full", f"metric: {SECRET}", "metric"),
        ("  age_years: 9.0", f"  age_years: {SECRET}", "client.age_years"),
        ("  age_years: 9.0", f'  age_years: 9.0\n  sex: "{SECRET}' + "x" * 300 + '"', "client.sex"),
        ("  sleep: 11", f"  sleep: {SECRET}", "cns.sleep"),
        ("  sleep: 11", f"  sleep: 11\n  {SECRET}: 3", "cns.<key>"),
        ("  sleep: 11", "  sleep: 11\n  Jane: 3\n  Jane: 4", "cns.Jane"),
        ("  age_years: 9.0", f"  date_of_birth: {SECRET}", "client.date_of_birth"),
        ("history:", f'current_services: ["{SECRET}"]\nhistory:', "current_services[0]"),
        ("history:", f"household: {{siblings_in_home: {SECRET}}}\nhistory:", "household"),
        ("  id: example-typical-9", f"  id: {SECRET}", "client.id"),
        ("  id: example-typical-9", "  id: !!int Jane-disclosed", ""),
        (
            "interests: [football, drawing]",
            f"interests: [{SECRET} {'y' * 300}]",
            "client.interests",
        ),
    ],
    ids=[
        "notes-too-long",
        "enum",
        "number",
        "short-text-too-long",
        "item-score",
        "unknown-key",
        "duplicate-key",
        "date",
        "service-id",
        "siblings",
        "client-id",
        "tag",
        "interest",
    ],
)
def test_score_case_refusal_never_quotes_free_text(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    path = _case(tmp_path, old, new)
    code, out = _run("score", str(path))
    assert code == 1, out
    assert f"{path}:" in out and field in out, out
    assert "Jane disclosed" not in out and "stepfather" not in out, out
    assert "input_value" not in out and "internal error" not in out, out


def test_load_caregiver_refuses_a_case_path_outside_its_folder_without_reading_it(
    tmp_path: Path,
) -> None:
    carer = tmp_path / "home" / "carer.yaml"
    carer.parent.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("account: x:0:0:admin\nJane: disclosed\n")
    carer.write_text(
        CARER.read_text().replace("case: typical-9-year-old.yaml", "case: ../secret.yaml")
    )
    with pytest.raises(CaregiverError, match=r"leads outside the caregiver file's folder") as info:
        load_caregiver(carer)
    assert "Jane" not in str(info.value) and "x:0:0" not in str(info.value)
    carer.write_text(
        CARER.read_text().replace("case: typical-9-year-old.yaml", "case: /etc/passwd")
    )
    code, out = _run("cce", str(carer))
    assert code == 1 and "leads outside the caregiver file's folder" in out
    assert "unknown key" not in out and "x:0:0" not in out


def test_load_caregiver_refuses_a_case_path_through_a_link_out_of_the_folder(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(TYPICAL, tmp_path / "typical-9-year-old.yaml")
    (home / "typical-9-year-old.yaml").symlink_to(tmp_path / "typical-9-year-old.yaml")
    carer = home / "carer.yaml"
    carer.write_text(CARER.read_text())
    with pytest.raises(CaregiverError, match=r"children\[0\].case: the case path 'typical-9-year"):
        load_caregiver(carer)


def test_load_caregiver_case_given_on_the_command_line_may_lie_outside(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    case = tmp_path / "typical-9-year-old.yaml"
    shutil.copy(TYPICAL, case)
    carer = home / "carer.yaml"
    carer.write_text(
        CARER.read_text().replace(
            "case: typical-9-year-old.yaml", "case: ../typical-9-year-old.yaml"
        )
    )
    assessment = load_caregiver(carer, allowed_cases=[case])
    assert assessment.cases[0].client.id == "example-typical-9"


def test_load_caregiver_case_in_a_folder_below_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "children").mkdir()
    shutil.copy(TYPICAL, tmp_path / "children" / "typical.yaml")
    carer = tmp_path / "carer.yaml"
    carer.write_text(
        CARER.read_text().replace("case: typical-9-year-old.yaml", "case: children/typical.yaml")
    )
    assert load_caregiver(carer).cases[0].client.id == "example-typical-9"


def _linked_out(tmp_path: Path, source: Path, name: str) -> Path:
    outside = tmp_path / "elsewhere" / name
    outside.parent.mkdir()
    shutil.copy(source, outside)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / name).symlink_to(outside)
    return folder / name


def test_load_catalog_refuses_a_file_linked_out_of_its_folder(tmp_path: Path) -> None:
    link = _linked_out(tmp_path, ROOT / "catalog" / "interventions.yaml", "catalog.yaml")
    with pytest.raises(CatalogError, match=r"catalog.yaml: is a symbolic link to a file outside"):
        load_catalog(link)


def test_load_norms_refuses_a_file_linked_out_of_its_folder(tmp_path: Path) -> None:
    link = _linked_out(tmp_path, ROOT / "scoring" / "norms.yaml", "norms.yaml")
    with pytest.raises(NormsError, match=r"norms.yaml: is a symbolic link to a file outside"):
        load_norms(link)


def test_load_weights_refuses_a_file_linked_out_of_its_folder(tmp_path: Path) -> None:
    link = _linked_out(tmp_path, ROOT / "scoring" / "caregiver_weights.yaml", "weights.yaml")
    with pytest.raises(CaregiverError, match=r"weights.yaml: is a symbolic link to a file outside"):
        load_weights(link)


def test_load_catalog_reads_a_file_linked_inside_its_folder(tmp_path: Path) -> None:
    shutil.copy(ROOT / "catalog" / "interventions.yaml", tmp_path / "real.yaml")
    (tmp_path / "catalog.yaml").symlink_to("real.yaml")
    assert "drumming" in load_catalog(tmp_path / "catalog.yaml").ids


def test_plan_template_linked_to_proc_self_environ_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plan.md.j2").symlink_to("/proc/self/environ")
    code, out = _run("plan", str(TYPICAL), "--format", "md", "--templates", str(tmp_path))
    assert code == 1, out
    assert f"{tmp_path / 'plan.md.j2'}: the template is a symbolic link to a file outside" in out
    assert "PATH=" not in out and "HOME=" not in out


def test_plan_template_included_through_a_link_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.j2"
    outside.write_text("secret template\n")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "part.j2").symlink_to(outside)
    (folder / "plan.md.j2").write_text('{% include "part.j2" %}\n')
    code, out = _run("plan", str(TYPICAL), "--format", "md", "--templates", str(folder))
    assert code == 1 and "part.j2: the template is a symbolic link" in out
    assert "secret template" not in out


# --- unsafe characters (issue 12 section 7) ----------------------------------------


@pytest.mark.parametrize(
    ("new", "field", "message"),
    [
        ('  placement: "home \\x9b31m"', "client.placement", "contains a control character"),
        ('  placement: "home \\u202e"', "client.placement", "contains a bidirectional text"),
        ('  interests: ["\\u2066music"]', "client.interests[0]", "contains a bidirectional"),
        ('  sex: "\\x9d"', "client.sex", "contains a control character"),
    ],
)
def test_score_case_short_text_refuses_c1_and_bidi(
    tmp_path: Path, new: str, field: str, message: str
) -> None:
    path = _case(tmp_path, "  age_years: 9.0", f"  age_years: 9.0\n{new}")
    if "interests" in new:
        path.write_text(path.read_text().replace("  interests: [football, drawing]\n", ""))
    code, out = _run("score", str(path))
    assert code == 1 and f"{path}:9: {field}: {message}" in out, out


def test_score_case_notes_may_hold_any_printable_text(tmp_path: Path) -> None:
    path = _case(
        tmp_path, "notes: Synthetic example. Settled at home and school.", 'notes: "a \\u202e b"'
    )
    code, out = _run("score", str(path))
    assert code == 0, out


def test_rules_and_catalog_text_refuse_escape_c1_and_bidi(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    rule_file = folder / "client_reason.yaml"
    lines = rule_file.read_text().split("\n")
    line = next(i for i, row in enumerate(lines) if row.lstrip().startswith("title:"))
    indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
    lines[line] = f'{indent}title: "red \\e[31m title"'
    rule_file.write_text("\n".join(lines))
    line += 1
    code, out = _run("rules", "check", "--rules", str(folder))
    assert code == 1, out
    assert f"{rule_file}:{line}: error NS" in out and "contains a control character" in out
    assert "\x1b" not in out
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        (ROOT / "catalog" / "interventions.yaml")
        .read_text()
        .replace("name: Therapeutic drumming", 'name: "Therapeutic \\u202edrumming"', 1)
    )
    with pytest.raises(
        CatalogError, match=r"catalog.yaml:\d+: interventions\[0\].name: contains a bidi"
    ):
        load_catalog(catalog)
    code, out = _run("catalog", "show", "drumming", "--catalog", str(catalog))
    assert code == 1 and "\u202e" not in out
