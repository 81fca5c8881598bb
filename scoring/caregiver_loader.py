"""Load a caregiver file strictly: YAML or JSON in, a :class:`CaregiverAssessment` out.

Schema problems come from pydantic; the shape of each child ("a case file
reference, or an age with four direct ratings") is checked here on the raw
data as well, so it is reported at the child's own line even when other
fields are wrong. A child given by ``case:`` is loaded with the case loader,
relative to the caregiver file; the case file's own problems keep their own
``file:line`` and the caregiver file gets one located problem pointing at the
reference. Every problem is collected and raised together as one
:class:`~neuroseq.errors.CaregiverError`.

A ``case:`` path must stay inside the caregiver file's folder (``../``, an
absolute path or a symbolic link out of it is refused), so a caregiver file
cannot make neuroseq read, and list as problems, a file elsewhere. Case files
the user named themselves (``allowed_cases``: the case being planned) may lie
anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from neuroseq.errors import CaregiverError, NeuroseqError, Problem
from neuroseq.scoring.caregiver import CHILD_RATINGS, CaregiverFile, child_shape_problem
from neuroseq.scoring.case import Case
from neuroseq.scoring.loader import load_case
from neuroseq.source import (
    SourceDocument,
    load_document,
    validate_document,
)

__all__ = ["CaregiverAssessment", "caregiver_from_document", "load_caregiver"]


@dataclass(frozen=True)
class CaregiverAssessment:
    """A validated caregiver file and the case files its children refer to."""

    path: str
    document: CaregiverFile
    cases: Mapping[int, Case]
    """The loaded case of each child given by ``case:``, by the child's index."""


def load_caregiver(
    path: Path | str,
    *,
    catalog_ids: Collection[str] | None = None,
    allowed_cases: Collection[Path | str] = (),
) -> CaregiverAssessment:
    """Read, parse and validate one caregiver file and the case files it names.

    ``allowed_cases`` are case files given on the command line: a ``case:``
    naming one of them may point outside the caregiver file's folder.
    """
    return caregiver_from_document(
        load_document(path, error=CaregiverError, keep_going=True),
        catalog_ids=catalog_ids,
        allowed_cases=allowed_cases,
    )


def caregiver_from_document(
    doc: SourceDocument,
    *,
    catalog_ids: Collection[str] | None = None,
    allowed_cases: Collection[Path | str] = (),
) -> CaregiverAssessment:
    """Validate an already parsed document as a caregiver file, collecting every problem."""
    cases: dict[int, Case] = {}
    allowed = {os.path.realpath(case) for case in allowed_cases}

    def children(data: dict[str, Any]) -> list[Problem]:
        problems: list[Problem] = list(doc.problems)
        cases.update(_children(doc, data, catalog_ids, allowed, problems))
        return problems

    document = validate_document(
        doc,
        CaregiverFile,
        error=CaregiverError,
        expected="schema, caregiver, internal_resources, external_resources, challenges",
        checks=children,
    )
    return CaregiverAssessment(doc.path, document, MappingProxyType(cases))


def _present(child: Mapping[str, Any], key: str) -> bool:
    return child.get(key) is not None


def _children(
    doc: SourceDocument,
    data: Mapping[str, Any],
    catalog_ids: Collection[str] | None,
    allowed: Collection[str],
    problems: list[Problem],
) -> dict[int, Case]:
    """Check each child's shape and load the case files; return the loaded cases."""
    challenges = data.get("challenges")
    children = challenges.get("children") if isinstance(challenges, dict) else None
    if not isinstance(children, list):
        return {}
    cases: dict[int, Case] = {}
    seen: dict[Path, int] = {}
    folder = Path(doc.path).parent
    for index, child in enumerate(children):
        if not isinstance(child, dict):
            continue
        key: tuple[str | int, ...] = ("challenges", "children", index)
        message = child_shape_problem(
            has_case=_present(child, "case"),
            has_age=_present(child, "age_years"),
            ratings={name: _present(child, name) for name in CHILD_RATINGS},
        )
        if message:
            problems.append(doc.problem(key, message))
        reference = child.get("case")
        if not isinstance(reference, str) or not reference.strip():
            continue
        where = (*key, "case")
        shown = _shown_reference(reference)
        try:
            target = Path(os.path.realpath(folder / reference))
            found = target.is_file()
        except (OSError, ValueError):
            problems.append(doc.problem(where, f"the case path {shown} is not a usable file name"))
            continue
        if not _inside(target, folder) and str(target) not in allowed:
            problems.append(
                doc.problem(
                    where,
                    f"the case path {shown} leads outside the caregiver file's folder; "
                    "keep the case files beside the caregiver file (or in a folder below it)",
                )
            )
            continue
        if target in seen:
            problems.append(
                doc.problem(
                    where,
                    f"the case file {shown} is already given as "
                    f"challenges.children[{seen[target]}]; list each child once",
                )
            )
            continue
        seen[target] = index
        if not found:
            problems.append(
                doc.problem(
                    where,
                    f"case file {shown} not found; a case path is relative to the caregiver file",
                )
            )
            continue
        try:
            cases[index] = load_case(folder / reference, catalog_ids=catalog_ids)
        except NeuroseqError as exc:
            count = len(exc.problems)
            noun = "problem" if count == 1 else "problems"
            problems.extend(exc.problems)
            problems.append(
                doc.problem(
                    where,
                    f"the case file {shown} has {count} {noun}, listed with its own file and line",
                )
            )
    return cases


def _inside(target: Path, folder: Path) -> bool:
    """Whether ``target`` (already resolved) lies in ``folder`` or below it."""
    root = os.path.realpath(folder)
    return os.path.commonpath([root, str(target)]) == root


def _shown_reference(reference: str) -> str:
    """A case path for a message: as written when short, else only its length."""
    if len(reference) <= 120 and reference.isprintable():
        return f"'{reference}'"
    return f"({len(reference)} characters)"
