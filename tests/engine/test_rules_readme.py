"""The trainers' guide (rules/README.md) stays in step with the rule language.

The fact reference table must list exactly the fact types and fields of
:data:`neuroseq.engine.facts.FACT_TYPES` (with their kinds and allowed values),
and every worked example rule in the guide must compile without errors
against the bundled catalogue.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.compiler import _STATIC_INTERVENTION_FIELDS, compile_rules
from neuroseq.engine.facts import FACT_TYPES, FactField
from neuroseq.engine.rule_model import parse_rule_file
from neuroseq.errors import RuleError
from neuroseq.source import load_text

RULES_README = Path(__file__).resolve().parents[2] / "rules" / "README.md"
TEXT = RULES_README.read_text(encoding="utf-8")
CATALOG_MARK = "*(catalogue attribute)*"

_HEADING = re.compile(r"^### `([a-z_]+)`\s*$")
_ROW = re.compile(r"^\|\s*`([a-z_]+)`\s*\|(.*)\|\s*$")
_YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)


def _fact_reference() -> dict[str, list[tuple[str, str, str, str]]]:
    """{fact type: [(field, kind, allowed, meaning), ...]} from the guide's reference."""
    start = TEXT.index("## 13. Fact reference")
    end = TEXT.find("\n## ", start + 1)
    section = TEXT[start : end if end != -1 else len(TEXT)]
    table: dict[str, list[tuple[str, str, str, str]]] = {}
    current: str | None = None
    for line in section.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = heading.group(1)
            assert current not in table, f"fact type '{current}' is listed twice"
            table[current] = []
            continue
        row = _ROW.match(line)
        if row:
            assert current is not None, f"a field row before any fact type: {line}"
            cells = [cell.strip() for cell in row.group(2).split("|")]
            assert len(cells) == 3, f"a row needs field, kind, allowed, meaning: {line}"
            table[current].append((row.group(1), cells[0], cells[1], cells[2]))
    return table


def _allowed(spec: FactField) -> str:
    """The 'Allowed values or range' cell the guide shows for one field."""
    if spec.kind == "number":
        return f"{spec.low:g} to {spec.high:g}"
    if spec.kind == "bool":
        return "`true` or `false`"
    listed = ", ".join(f"`{value}`" for value in spec.values)
    if spec.kind == "text":
        return listed or "any text"
    return f"list of: {listed}" if listed else "list of any text"


def _is_catalogue_attribute(spec: FactField) -> bool:
    return spec.static or spec.name in _STATIC_INTERVENTION_FIELDS


def test_rules_readme_fact_reference_lists_exactly_the_fact_types() -> None:
    assert list(_fact_reference()) == list(FACT_TYPES)


@pytest.mark.parametrize("fact_type", list(FACT_TYPES))
def test_rules_readme_fact_reference_lists_exactly_the_fields(fact_type: str) -> None:
    rows = _fact_reference()[fact_type]
    expected = [(f.name, f.kind, _allowed(f)) for f in FACT_TYPES[fact_type].fields]
    assert [(name, kind, allowed) for name, kind, allowed, _ in rows] == expected
    for name, _kind, _allowed_cell, meaning in rows:
        assert meaning.strip(), f"{fact_type}.{name} has no meaning"


def test_rules_readme_marks_exactly_the_catalogue_attributes() -> None:
    rows = _fact_reference()["intervention"]
    marked = {name for name, _kind, _allowed_cell, meaning in rows if CATALOG_MARK in meaning}
    expected = {f.name for f in FACT_TYPES["intervention"].fields if _is_catalogue_attribute(f)}
    assert marked == expected
    for fact_type in FACT_TYPES:
        if fact_type != "intervention":
            assert not any(CATALOG_MARK in row[3] for row in _fact_reference()[fact_type])


def _example_rules() -> list[str]:
    return [block for block in _YAML_BLOCK.findall(TEXT) if block.startswith("- id:")]


def test_rules_readme_has_worked_examples() -> None:
    assert len(_example_rules()) >= 5


@pytest.mark.parametrize("block", _example_rules(), ids=lambda b: b.split()[2])
def test_rules_readme_example_rule_compiles(block: str) -> None:
    path = "README.md"
    text = "schema: neuroseq/rules/v1\nrules:\n" + textwrap.indent(block, "  ")
    doc = load_text(text, path, error=RuleError)
    rules, problems = parse_rule_file(doc)
    compilation = compile_rules(rules, load_catalog(), {path: doc.line_for})
    errors = [p for p in problems + compilation.findings if p.severity == "error"]
    assert errors == []
    assert len(rules) == 1
    assert compilation.rules, "the example compiles to no engine rule"
