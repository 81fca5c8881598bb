"""FHIR R4B in and out, and a CDS Hooks service (``neuroseq.fhir``; extra ``neuroseq[fhir]``).

    PlanResult --export--> Bundle (collection): Patient, QuestionnaireResponse,
                           Observations, CarePlan, RequestGroup
    QuestionnaireResponse (or a Bundle holding one) --import--> case document -> Case

The resources are built and checked with ``fhir.resources`` (its R4B models),
which the optional extra installs; :func:`require` says how to install it
when it is missing. :mod:`neuroseq.fhir.codes` and
:mod:`neuroseq.fhir.questionnaire` are plain data and need no FHIR library.
fhir/MAPPING.md writes down the choices (R4B, canonical URLs, the action ->
activity status table).
"""

from __future__ import annotations

import sys
from pathlib import Path

from neuroseq.errors import FhirError, Problem, SourceLocation

__all__ = ["INSTALL_HINT", "available", "require"]

if __name__ == "fhir":  # pragma: no cover - only when the repository root is on sys.path
    # This folder then shadows the installed `fhir` package (fhir.resources): let
    # `fhir.resources` resolve to the installed one as well.
    __path__ = [  # noqa: F821
        *__path__,  # noqa: F821
        *(
            str(Path(entry) / "fhir")
            for entry in sys.path
            if entry and (Path(entry) / "fhir" / "resources").is_dir()
        ),
    ]

INSTALL_HINT = "FHIR needs the optional fhir extra: pip install 'neuroseq[fhir]'"


def available() -> bool:
    """Whether ``fhir.resources`` (R4B models) can be imported."""
    try:
        import fhir.resources.R4B  # noqa: F401
    except ImportError:
        return False
    return True


def require(what: str = "FHIR") -> None:
    """Raise a located :class:`FhirError` saying how to install the extra, when it is missing."""
    if not available():
        raise FhirError([Problem(SourceLocation(what), "", INSTALL_HINT)])
