"""Load a rule folder: the manifest, every rule file, and their checks.

A rule folder holds ``rulebase.yaml`` (``schema: neuroseq/rulebase/v1`` with a
``version``), any number of rule files (``*.yaml``) and a ``tests/`` folder of
given/expect rule tests. :func:`load_rulebase` parses it strictly;
:func:`check_rulebase` adds the compiler's findings, so ``neuroseq rules check``
and planning see the same problems.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from neuroseq.catalog.model import Catalog
from neuroseq.engine.compiler import Compilation, compile_rules, unreachable_interventions
from neuroseq.engine.findings import Finding, as_finding, finding
from neuroseq.engine.planning import DEFAULT_PLANNING, PlanningSettings, parse_planning
from neuroseq.engine.rule_model import Rule, parse_rule_file
from neuroseq.errors import Problem, RuleError, SourceLocation
from neuroseq.source import document_from_bytes, load_document, read_source
from neuroseq.vocabulary import AUDIENCES

__all__ = [
    "MANIFEST",
    "RuleBase",
    "bundled_rules_folder",
    "check_rulebase",
    "load_rulebase",
]

MANIFEST = "rulebase.yaml"
DEFAULT_MAX_NEW = 4


@dataclass(frozen=True)
class RuleBase:
    """Every rule of one folder, with the folder's version and content hash."""

    folder: str
    version: str
    sha256: str
    rules: tuple[Rule, ...]
    line_lookup: dict[str, Callable[[Sequence[str | int]], int | None]]
    max_new_per_group: int = DEFAULT_MAX_NEW
    catalog_audiences: tuple[str, ...] = AUDIENCES
    """Catalogue audiences this rule base is meant to reach (unreachable-entry check)."""
    planning: PlanningSettings = DEFAULT_PLANNING
    """Budget, relevance weights and re-assessment defaults (manifest key ``planning``)."""


def bundled_rules_folder() -> Path:
    """The rule base that ships with neuroseq."""
    return Path(str(files("neuroseq.rules")))


def _rule_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != MANIFEST and p.is_file())


def load_rulebase(folder: Path | None = None) -> tuple[RuleBase, list[Problem]]:
    """Parse a rule folder. Returns what could be read and every problem found."""
    folder = folder or bundled_rules_folder()
    problems: list[Problem] = []
    if not folder.is_dir():
        raise RuleError([Problem(SourceLocation(str(folder)), "", "not a folder of rule files")])
    digest = hashlib.sha256()
    version = "unversioned"
    max_new = DEFAULT_MAX_NEW
    audiences: tuple[str, ...] = AUDIENCES
    planning = DEFAULT_PLANNING
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            raw = read_source(manifest, error=RuleError, contained=True)
            digest.update(b"rulebase.yaml\0" + raw + b"\0")
            doc = document_from_bytes(raw, str(manifest), error=RuleError)
        except RuleError as exc:
            problems.extend(exc.problems)
        else:
            data = doc.data if isinstance(doc.data, dict) else {}
            for key in data:
                if key not in (
                    "schema",
                    "version",
                    "description",
                    "max_new_per_group",
                    "catalog_audiences",
                    "planning",
                ):
                    problems.append(
                        doc.problem(
                            (key,),
                            f"unknown key '{key}'; allowed: schema, version, description, "
                            "max_new_per_group, catalog_audiences, planning",
                        )
                    )
            planning, found = parse_planning(data.get("planning"), doc.problem)
            problems.extend(found)
            scope = data.get("catalog_audiences", list(AUDIENCES))
            if isinstance(scope, list) and scope and all(a in AUDIENCES for a in scope):
                audiences = tuple(scope)
            else:
                problems.append(
                    doc.problem(
                        ("catalog_audiences",),
                        f"a list of audiences from: {', '.join(AUDIENCES)}",
                    )
                )
            limit = data.get("max_new_per_group", DEFAULT_MAX_NEW)
            if isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= 50:
                max_new = limit
            else:
                problems.append(doc.problem(("max_new_per_group",), "a whole number from 1 to 50"))
            if data.get("schema") != "neuroseq/rulebase/v1":
                problems.append(doc.problem(("schema",), "expected 'schema: neuroseq/rulebase/v1'"))
            if isinstance(data.get("version"), str) and data["version"].strip():
                version = data["version"]
            else:
                problems.append(
                    doc.problem(
                        ("version",), 'give the rule base a version, e.g. version: "2026.11.0"'
                    )
                )
    else:
        problems.append(
            Problem(
                SourceLocation(str(manifest)), "", "the rule folder has no rulebase.yaml manifest"
            )
        )
    rules: list[Rule] = []
    lookups: dict[str, Callable[[Sequence[str | int]], int | None]] = {}
    paths = _rule_files(folder)
    if not paths:
        problems.append(
            Problem(SourceLocation(str(folder)), "", "the folder holds no rule files (*.yaml)")
        )
    for path in paths:
        try:
            raw = read_source(path, error=RuleError, contained=True)
            digest.update(path.name.encode() + b"\0" + raw + b"\0")
            rule_doc = document_from_bytes(raw, str(path), error=RuleError)
        except RuleError as exc:
            problems.extend(exc.problems)
            continue
        lookups[rule_doc.path] = rule_doc.line_for
        parsed, found = parse_rule_file(rule_doc)
        rules.extend(parsed)
        problems.extend(found)
    base = RuleBase(
        str(folder),
        version,
        digest.hexdigest(),
        tuple(rules),
        lookups,
        max_new,
        audiences,
        planning,
    )
    return base, problems


def _catalog_lines(path: Path | None) -> Callable[[str], SourceLocation]:
    """Where each catalogue entry's id is written, for findings about entries."""
    from neuroseq.catalog.loader import bundled_catalog_path
    from neuroseq.errors import CatalogError

    lines: dict[str, int] = {}
    shown = str(path) if path else "catalog/interventions.yaml"
    try:
        if path is None:
            with bundled_catalog_path() as bundled:
                doc = load_document(bundled, error=CatalogError)
        else:
            doc = load_document(path, error=CatalogError)
        for index, entry in enumerate(doc.data.get("interventions") or []):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                lines[entry["id"]] = doc.line_for(("interventions", index, "id")) or 0
    except (CatalogError, AttributeError):
        pass
    return lambda item_id: SourceLocation(shown, lines.get(item_id))


def check_rulebase(
    base: RuleBase,
    problems: Sequence[Problem],
    catalog: Catalog,
    catalog_path: Path | None = None,
) -> tuple[Compilation, list[Finding]]:
    """Compile the rules and gather every finding, sorted by file and line.

    Validators run per rule (the parser and the compiler), then once across the
    base (duplicate ids, packing, unreachable catalogue entries). Problems from
    loading become findings of code NS001.
    """
    compilation = compile_rules(base.rules, catalog, base.line_lookup)
    findings = [as_finding(problem) for problem in problems] + compilation.findings
    unreachable = [
        item_id
        for item_id in unreachable_interventions(compilation, catalog)
        if catalog.get(item_id).audience in base.catalog_audiences
    ]
    if unreachable:
        locate = _catalog_lines(catalog_path)
        for item_id in unreachable:
            findings.append(
                finding(
                    "NS203",
                    locate(item_id),
                    f"interventions.{item_id}",
                    "no rule can recommend or act on this catalogue entry",
                )
            )
    findings.sort(key=lambda p: (p.location.path, p.location.line or 0, p.field, p.message))
    return compilation, findings
