"""The main job in one call: case file(s) in, a scored and planned result out.

Used by ``neuroseq plan`` and ``neuroseq explain``; keeps the CLI thin. The
catalogue is loaded first so the case's service ids are checked against it,
and a previous assessment must belong to the same client. An optional
caregiver file (``plan --caregiver``) is scored by the Caregiver Challenge
Estimator and its reserve becomes the ``caregiver`` fact the family rules use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from neuroseq.engine.plan_model import Plan
from neuroseq.engine.planner import Planner, PreviousAssessment
from neuroseq.errors import (
    CaregiverError,
    CaseError,
    NeuroseqError,
    Problem,
    SourceLocation,
)
from neuroseq.scoring.case import Case
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.norms import Norms, load_norms
from neuroseq.scoring.profile import Profile, score

if TYPE_CHECKING:  # the caregiver modules load only when a caregiver file is given
    from neuroseq.scoring.caregiver_loader import CaregiverAssessment
    from neuroseq.scoring.caregiver_score import CaregiverReserve
    from neuroseq.scoring.caregiver_weights import CaregiverWeights

__all__ = ["PlanResult", "plan_case"]


@dataclass(frozen=True)
class PlanResult:
    """Everything a renderer or reviewer needs about one planned case."""

    case: Case
    profile: Profile
    plan: Plan
    planner: Planner
    previous: PreviousAssessment | None
    caregiver: CaregiverReserve | None = None
    """The home's scored reserve when a caregiver file was given (``--caregiver``)."""


def plan_case(
    path: Path,
    *,
    rules: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
    previous: Path | None = None,
    planner: Planner | None = None,
    caregiver: Path | None = None,
    caregiver_weights: Path | None = None,
) -> PlanResult:
    """Load, score and plan one case file (with an optional earlier assessment).

    ``caregiver`` names a caregiver file whose reserve (scored with
    ``caregiver_weights``, project defaults when None) is asserted as the
    ``caregiver`` fact; without it no caregiver fact is asserted.
    """
    planner = planner or Planner.load(rules, catalog)
    norms_data: Norms = load_norms(norms)
    ids = {item.id: str(item.name) for item in planner.catalog.interventions}
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
    home: CaregiverAssessment | None = None
    weights: CaregiverWeights | None = None
    home_problems: list[Problem] = []
    if caregiver is not None:
        from neuroseq.scoring.caregiver_loader import load_caregiver
        from neuroseq.scoring.caregiver_weights import load_weights

        try:
            weights = load_weights(caregiver_weights)
            home = load_caregiver(caregiver, catalog_ids=ids, allowed_cases=(path,))
        except NeuroseqError as exc:
            home_problems.extend(exc.problems)
    if problems:
        raise CaseError(problems + home_problems)
    if home_problems:
        raise CaregiverError(home_problems)
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
    reserve = None
    fact = None
    if home is not None:
        from neuroseq.engine.caregiver_facts import caregiver_fact
        from neuroseq.scoring.caregiver_score import score_caregiver

        reserve = score_caregiver(home, weights, norms_data)
        fact = caregiver_fact(reserve)
    plan = planner.plan(case, profile, before, caregiver=fact)
    return PlanResult(case, profile, plan, planner, before, reserve)
