"""One planned case as plain values (:class:`PlanResult`), and the file edge for paths.

The orchestration itself is the public API (:mod:`neuroseq.api`):
:func:`plan_case` is a thin wrapper that names the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from neuroseq.catalog.model import Catalog
from neuroseq.engine.plan_model import Plan
from neuroseq.engine.planner import Planner, PreviousAssessment
from neuroseq.scoring.case import Case
from neuroseq.scoring.norms import Norms, load_norms
from neuroseq.scoring.profile import Profile

if TYPE_CHECKING:
    from neuroseq.scoring.caregiver_score import CaregiverReserve

__all__ = ["PlanResult", "plan_case"]


@dataclass(frozen=True)
class PlanResult:
    """Everything a renderer or reviewer needs about one planned case: plain values."""

    case: Case
    profile: Profile
    plan: Plan
    previous: PreviousAssessment | None
    caregiver: CaregiverReserve | None
    """The home's scored reserve when a caregiver file was given (``--caregiver``)."""
    catalog: Catalog
    norms: Norms
    """The norms that scored the case (reports draw the typical map with them)."""


def plan_case(
    path: Path,
    *,
    rules: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
    previous: Path | None = None,
    planner: Any = None,
    caregiver: Path | None = None,
    caregiver_weights: Path | None = None,
) -> PlanResult:
    """Load, score and plan one case file: :func:`neuroseq.api.plan_files` by paths.

    ``planner`` is a :class:`neuroseq.api.Planner` (or an engine planner, which is
    given the norms named by ``norms``).
    """
    from neuroseq.api import Planner as PublicPlanner
    from neuroseq.api import plan_files

    if planner is None:
        planner = PublicPlanner.load(rules, catalog, norms)
    elif isinstance(planner, Planner):
        planner = PublicPlanner(planner, load_norms(norms))
    return plan_files(
        path,
        planner=planner,
        previous=previous,
        caregiver=caregiver,
        caregiver_weights=caregiver_weights,
    )
