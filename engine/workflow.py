"""The main job in one call: case file(s) in, a scored and planned result out.

Used by ``neuroseq plan`` and ``neuroseq explain``; keeps the CLI thin. The
catalogue is loaded first so the case's service ids are checked against it,
and a previous assessment must belong to the same client.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neuroseq.engine.plan_model import Plan
from neuroseq.engine.planner import Planner, PreviousAssessment
from neuroseq.errors import CaseError, NeuroseqError, Problem, SourceLocation
from neuroseq.scoring.case import Case
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.norms import Norms, load_norms
from neuroseq.scoring.profile import Profile, score

__all__ = ["PlanResult", "plan_case"]


@dataclass(frozen=True)
class PlanResult:
    """Everything a renderer or reviewer needs about one planned case."""

    case: Case
    profile: Profile
    plan: Plan
    planner: Planner
    previous: PreviousAssessment | None


def plan_case(
    path: Path,
    *,
    rules: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
    previous: Path | None = None,
    planner: Planner | None = None,
) -> PlanResult:
    """Load, score and plan one case file (with an optional earlier assessment)."""
    planner = planner or Planner.load(rules, catalog)
    norms_data: Norms = load_norms(norms)
    ids = set(planner.catalog.ids)
    problems: list[Problem] = []
    case: Case | None = None
    earlier: Case | None = None
    try:
        case = load_case(path, catalog_ids=ids)
    except NeuroseqError as exc:
        problems.extend(exc.problems)
    if previous is not None:
        try:
            earlier = load_case(previous, catalog_ids=ids)
        except NeuroseqError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CaseError(problems)
    assert case is not None
    if earlier is not None and earlier.client.id != case.client.id:
        raise CaseError(
            [
                Problem(
                    SourceLocation(str(previous)),
                    "client.id",
                    f"the previous assessment is of client '{earlier.client.id}', not "
                    f"'{case.client.id}'; compare assessments of one client only",
                )
            ]
        )
    profile = score(case, norms_data)
    before = planner.previous_from(earlier, score(earlier, norms_data)) if earlier else None
    plan = planner.plan(case, profile, before)
    return PlanResult(case, profile, plan, planner, before)
