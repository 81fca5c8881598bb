"""Findings of ``neuroseq rules check`` as data: a stable code, a severity, a location.

Modelled on pySigma's validator issue classes: each kind of finding is a
:class:`FindingKind` in :data:`KINDS` (code, severity, title, description), and
each finding is a :class:`Finding` (a :class:`~neuroseq.errors.Problem` that also
carries its code), so planning and ``rules test`` refuse the same errors that
``rules check`` prints. :func:`render_findings` turns findings into the
``file:line: severity CODE: where: message`` lines of the command, grouping
repeated warnings of one code and leaving out ignored codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from neuroseq.errors import Problem, SourceLocation

__all__ = [
    "GROUP_AFTER",
    "KINDS",
    "Finding",
    "FindingKind",
    "as_finding",
    "finding",
    "render_findings",
]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class FindingKind:
    """One kind of finding: its stable code, severity, short title and what it means."""

    code: str
    severity: str
    title: str
    description: str


# fmt: off
_KIND_LIST = (
    FindingKind("NS001", ERROR, "invalid-file", "A rule file or the manifest is not valid YAML or breaks the rule file schema (unknown or missing keys, bad ids, bad values)."),
    FindingKind("NS101", ERROR, "unknown-fact-type", "A pattern names a fact type the vocabulary does not have."),
    FindingKind("NS102", ERROR, "unknown-field", "A test, ref or placeholder names a field the fact type does not have."),
    FindingKind("NS103", ERROR, "unknown-value", "A value is not one the field allows, or an id is not in the catalogue or vocabulary."),
    FindingKind("NS104", ERROR, "threshold-out-of-range", "A number is outside the range of its field."),
    FindingKind("NS105", ERROR, "operator-mismatch", "An operator does not suit the field (below on text, contains on a number, a ref with one_of, ...)."),
    FindingKind("NS106", ERROR, "unsupported-not", "'not' on a fact that is not identified by its id, or with a ref inside."),
    FindingKind("NS107", ERROR, "unsafe-fact-comparison", "Two facts compared with an ordering test or is_not: the engine crashes on such joins (issue #381)."),
    FindingKind("NS108", ERROR, "no-target", "The rule does not say which intervention its action is for."),
    FindingKind("NS109", ERROR, "duplicate-alias", "Two facts have the same name in one rule."),
    FindingKind("NS110", ERROR, "same-fact-twice", "Two patterns name the same fact by its id; the engine never matches one fact twice."),
    FindingKind("NS111", ERROR, "bad-placeholder", "A rationale or summary has a malformed placeholder, a stray brace, or names an unmatched fact."),
    FindingKind("NS112", ERROR, "duplicate-rule-id", "Two rules have the same id."),
    FindingKind("NS113", ERROR, "dangling-ref", "A ref names no fact matched in the rule."),
    FindingKind("NS114", ERROR, "contradiction", "The tests of one pattern can never all hold."),
    FindingKind("NS201", WARNING, "never-fires", "The conditions can never be true together, so the rule never fires."),
    FindingKind("NS202", WARNING, "no-catalogue-match", "No catalogue intervention matches an intervention pattern."),
    FindingKind("NS203", WARNING, "unreachable-entry", "No rule can recommend or act on a catalogue entry."),
    FindingKind("NS204", WARNING, "many-rulesets", "The rule base needs more than one durable_rules ruleset; each costs another assertion of every fact per case."),
    FindingKind("NS301", ERROR, "too-many-constant-tests", "One rule holds more distinct tests against constants on one fact type than the engine can (512 or more spin forever)."),
    FindingKind("NS302", ERROR, "too-many-joined-facts", "One conjunction joins more than 16 facts (engine error 304)."),
    FindingKind("NS303", ERROR, "condition-too-large", "The condition expands to more conjunctions than allowed per rule ('any' and 'not' multiply)."),
    FindingKind("NS304", ERROR, "too-many-engine-rules", "Specialising the rule against the catalogue gives more engine rules than allowed per rule."),
    FindingKind("NS305", ERROR, "join-too-large", "One rule could join more than 100,000 combinations of facts per case; the engine would fire for each."),
)
# fmt: on

KINDS: dict[str, FindingKind] = {kind.code: kind for kind in _KIND_LIST}
"""Every kind of finding by code."""

GROUP_AFTER = 3
"""Warnings of one code beyond this many are folded into one summary line."""


@dataclass(frozen=True, order=True)
class Finding(Problem):
    """A :class:`Problem` found by a rule check, with the code of its kind."""

    code: str = ""

    @property
    def kind(self) -> FindingKind:
        return KINDS[self.code]

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.location}: {self.code}:{field} {self.message}"


def finding(code: str, location: SourceLocation, field: str, message: str) -> Finding:
    """A finding of kind ``code`` (its severity comes from the kind)."""
    return Finding(location, field, message, KINDS[code].severity, code)


def as_finding(problem: Problem) -> Finding:
    """A problem from loading or parsing as a finding (code NS001 unless it has one)."""
    if isinstance(problem, Finding):
        return problem
    return Finding(problem.location, problem.field, problem.message, problem.severity, "NS001")


def _line(item: Finding) -> str:
    where = f"{item.field}: " if item.field else ""
    return f"{item.location}: {item.severity} {item.code}: {where}{item.message}"


def render_findings(findings: Sequence[Problem], ignore: Iterable[str] = ()) -> list[str]:
    """The lines ``rules check`` prints: errors in full, repeated warnings grouped.

    Findings whose code is in ``ignore`` are left out. Past :data:`GROUP_AFTER`
    warnings of one code, the rest become one line naming how many more there
    are and where.
    """
    ignored = set(ignore)
    items = [as_finding(f) for f in findings]
    items = [f for f in items if f.code not in ignored]
    counts: dict[str, int] = {}
    for item in items:
        if item.severity == WARNING:
            counts[item.code] = counts.get(item.code, 0) + 1
    lines: list[str] = []
    shown: dict[str, int] = {}
    folded: dict[str, list[Finding]] = {}
    for item in items:
        if item.severity == WARNING and counts[item.code] > GROUP_AFTER + 1:
            shown[item.code] = shown.get(item.code, 0) + 1
            if shown[item.code] > GROUP_AFTER:
                folded.setdefault(item.code, []).append(item)
                continue
        lines.append(_line(item))
    for code, rest in folded.items():
        paths = sorted({f.location.path for f in rest})
        where = ", ".join(f.field or str(f.location) for f in rest[:5])
        more = f", ... ({len(rest) - 5} more)" if len(rest) > 5 else ""
        lines.append(
            f"{paths[0]}: warning {code}: {len(rest)} more like this ({where}{more}); "
            f"--ignore {code} hides them"
        )
    return lines
