"""The one error family of neuroseq.

Every problem a user can cause is a :class:`Problem` with a source location.
Stages collect problems and raise one error per stage carrying all of them::

    NeuroseqError                 exit status 1, printed without a traceback
    ├── CaseError                 the case file (scoring/)
    ├── NormsError                the norms data file (scoring/)
    ├── CatalogError              the intervention catalogue (catalog/)
    ├── RuleError                 the rule files and their tests (rules/, engine/)
    ├── EngineError               the rule engine failed while planning (engine/)
    ├── ReportError               rendering or templates (reports/)
    ├── CaregiverError            caregiver files and weights (scoring/)
    ├── StoreError                the case store: its database and what is asked of it (store/)
    └── FhirError                 FHIR in and out: malformed or foreign FHIR, the fhir extra (fhir/)

The CLI turns these into messages in one place (``cli.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CaregiverError",
    "CaseError",
    "CatalogError",
    "EngineError",
    "FhirError",
    "NeuroseqError",
    "NormsError",
    "Problem",
    "ReportError",
    "RuleError",
    "SourceLocation",
    "StoreError",
]


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where something is: ``path:line:column`` (line and column 1-based, optional)."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input: where, which field, what is wrong and what is allowed."""

    location: SourceLocation
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.location}:{field} {self.message}"


class NeuroseqError(Exception):
    """Base of every error neuroseq reports to a user; carries one or more problems."""

    exit_code = 1
    stage = "input"

    def __init__(self, problems: Iterable[Problem] | str, *, path: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(SourceLocation(path or "<input>"), "", problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.problems == getattr(other, "problems", None)

    def __hash__(self) -> int:
        return hash((type(self), self.problems))


class CaseError(NeuroseqError):
    """A case file cannot be loaded or is not valid ``neuroseq/case/v1``."""

    stage = "case"


class NormsError(NeuroseqError):
    """The norms data file cannot be loaded or is inconsistent."""

    stage = "norms"


class CatalogError(NeuroseqError):
    """The intervention catalogue cannot be loaded or is inconsistent."""

    stage = "catalog"


class RuleError(NeuroseqError):
    """A rule file or a rule test cannot be loaded, compiled or is inconsistent."""

    stage = "rules"


class EngineError(NeuroseqError):
    """The rule engine failed while planning a case."""

    stage = "engine"


class ReportError(NeuroseqError):
    """A report could not be rendered (for instance a broken custom template)."""

    stage = "report"


class CaregiverError(NeuroseqError):
    """A caregiver file or a weights file cannot be loaded or is not valid."""

    stage = "caregiver"


class StoreError(NeuroseqError):
    """The case store cannot do what was asked (no such client, a conflicting add, a bad database)."""

    stage = "store"


class FhirError(NeuroseqError):
    """FHIR given to neuroseq is malformed or not neuroseq's, or FHIR support is not installed."""

    stage = "fhir"
