"""Rule-check findings: stable codes with a severity and a description, grouped when shown."""

from __future__ import annotations

from pathlib import Path

from neuroseq.engine.findings import KINDS, finding, render_findings
from neuroseq.errors import SourceLocation

ROOT = Path(__file__).resolve().parents[2]


def test_findings_kinds_have_stable_codes_severities_and_descriptions() -> None:
    assert len(KINDS) == len({kind.title for kind in KINDS.values()})
    for code, kind in KINDS.items():
        assert code == kind.code and code.startswith("NS") and len(code) == 5
        assert kind.severity in ("error", "warning")
        assert kind.description.endswith(".")


def test_findings_readme_documents_every_code() -> None:
    text = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 10.") : text.index("## 11.")]
    for code, kind in KINDS.items():
        assert f"`{code}`" in section, code
        assert kind.title in section, code


def test_findings_render_groups_repeated_warnings_and_ignores_codes() -> None:
    where = SourceLocation("catalog.yaml", 3)
    warnings = [finding("NS203", where, f"interventions.i{n}", "unreachable") for n in range(10)]
    error = finding("NS112", SourceLocation("a.yaml", 1), "rules[0].id", "duplicate")
    lines = render_findings([error, *warnings])
    assert lines[0] == "a.yaml:1: error NS112: rules[0].id: duplicate"
    assert lines[1] == "catalog.yaml:3: warning NS203: interventions.i0: unreachable"
    assert len(lines) == 5
    assert lines[4].startswith("catalog.yaml: warning NS203: 7 more like this (interventions.i3,")
    assert lines[4].endswith("--ignore NS203 hides them")
    assert render_findings([error, *warnings], ignore=["NS203"]) == [lines[0]]
