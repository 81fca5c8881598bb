"""The Caregiver Challenge Estimator in one call: caregiver file in, scored and advised home out.

Used by ``neuroseq cce``; keeps the CLI thin. The catalogue is loaded first
(through the :class:`~neuroseq.engine.planner.Planner` of the caregiver rule
base) so that the case files the children refer to are checked against it;
the home is scored with the weights (project defaults unless a file is
given) and the recommendations come from the same rule engine as plans, from
the caregiver rule base (``rules/caregiver``, kept apart from the child rule
base).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from neuroseq.engine.caregiver_facts import caregiver_fact
from neuroseq.engine.plan_model import Recommendation
from neuroseq.engine.planner import Planner
from neuroseq.engine.rulebase import bundled_rules_folder
from neuroseq.scoring.caregiver_loader import CaregiverAssessment, load_caregiver
from neuroseq.scoring.caregiver_score import CaregiverReserve, score_caregiver
from neuroseq.scoring.caregiver_weights import CaregiverWeights, default_weights, load_weights
from neuroseq.scoring.norms import Norms, default_norms, load_norms

__all__ = ["CceResult", "advise_home", "caregiver_rules_folder", "estimate_caregiver"]


@dataclass(frozen=True)
class CceResult:
    """A scored home and the recommendations for its caregiver."""

    assessment: CaregiverAssessment
    reserve: CaregiverReserve
    recommendations: tuple[Recommendation, ...]
    also_considered: tuple[str, ...]
    planner: Planner


def caregiver_rules_folder() -> Path:
    """The caregiver rule base that ships with neuroseq (``rules/caregiver``)."""
    return bundled_rules_folder() / "caregiver"


def estimate_caregiver(
    path: Path,
    *,
    weights: Path | None = None,
    rules: Path | None = None,
    catalog: Path | None = None,
    norms: Path | None = None,
    planner: Planner | None = None,
) -> CceResult:
    """Load, score and advise one caregiver file (:func:`advise_home` by path)."""
    planner = planner or Planner.load(rules or caregiver_rules_folder(), catalog)
    weights_data = load_weights(weights)
    norms_data = load_norms(norms)
    names = {item.id: str(item.name) for item in planner.catalog.interventions}
    assessment = load_caregiver(path, catalog_ids=names)
    return advise_home(assessment, weights=weights_data, norms=norms_data, planner=planner)


def advise_home(
    assessment: CaregiverAssessment,
    *,
    weights: CaregiverWeights | None = None,
    norms: Norms | None = None,
    planner: Planner | None = None,
) -> CceResult:
    """Score a caregiver assessment (a value) and advise the home from the caregiver rules."""
    planner = planner or Planner.load(caregiver_rules_folder())
    reserve = score_caregiver(assessment, weights or default_weights(), norms or default_norms())
    items, also = planner.advise_caregiver(caregiver_fact(reserve))
    return CceResult(assessment, reserve, tuple(items), tuple(also), planner)
