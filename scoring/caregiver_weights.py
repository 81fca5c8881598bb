"""The Caregiver Challenge Estimator weights: ``schema: neuroseq/caregiver-weights/v1``.

Every number the estimator uses lives in one data file, the bundled
``scoring/caregiver_weights.yaml``: how much each resource, child rating,
Profile component and household demand counts, and the reserve cut-offs.
They are **project defaults** (nothing is published) and an agency can
replace them (``--weights FILE``). :func:`load_weights` reads a file strictly
and reports every problem as a :class:`~neuroseq.errors.CaregiverError`
located by ``file:line``; the bundled file is loaded once and cached.

Weights are never negative, which is what keeps the estimator's invariants:
more resources never lower the reserve and more challenge never raises it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from neuroseq.errors import CaregiverError
from neuroseq.scoring.caregiver import (
    CHILD_RATINGS,
    EXTERNAL_RESOURCES,
    INTERNAL_RESOURCES,
)
from neuroseq.source import (
    SourceDocument,
    document_from_bytes,
    read_source,
    validate_document,
)

__all__ = [
    "RESERVE_CATEGORIES",
    "AgeFactor",
    "CaregiverWeights",
    "ReserveCategory",
    "default_weights",
    "load_weights",
    "weights_from_document",
]

ReserveCategory = Literal["depleted", "strained", "adequate", "strong"]
#: Reserve categories from lowest to highest; the names are fixed, the cut-offs are data.
RESERVE_CATEGORIES: tuple[ReserveCategory, ...] = ("depleted", "strained", "adequate", "strong")

PathKey = tuple[str | int, ...]

Weight = Annotated[float, Field(ge=0, le=100, strict=True)]
"""A relative weight: 0 (does not count) or more."""
Share = Annotated[float, Field(ge=0, le=1, strict=True)]
Points = Annotated[float, Field(ge=0, le=1000, strict=True)]
OpenShare = Annotated[float, Field(gt=0, lt=1, strict=True)]
Cutoff = Annotated[float, Field(ge=-1000, le=100, strict=True)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InternalWeights(_Frozen):
    """Relative weight of each internal resource."""

    physical_health: Weight
    mental_health: Weight
    own_adversity_history: Weight
    parenting_experience: Weight
    trauma_informed_knowledge: Weight
    regulation_under_stress: Weight
    current_stress: Weight


class ExternalWeights(_Frozen):
    """Relative weight of each external resource."""

    co_caregiver: Weight
    extended_family: Weight
    respite_access: Weight
    community_faith: Weight
    financial_stability: Weight
    service_access: Weight
    school_partnership: Weight


class ResourceWeights(_Frozen):
    """How internal and external resources combine, and what each item weighs."""

    internal_share: Share
    internal: InternalWeights
    external: ExternalWeights


class AgeFactor(_Frozen):
    """A band of child ages (from ``from`` up to the next band) and its severity factor."""

    from_: Annotated[float, Field(ge=0, le=99, strict=True)] = Field(alias="from")
    factor: Annotated[float, Field(gt=0, le=10, strict=True)]


class DirectRatingWeights(_Frozen):
    """Relative weight of each direct child rating."""

    behavioural: Weight
    emotional: Weight
    medical: Weight
    developmental: Weight


class ProfileComponentWeights(_Frozen):
    """Relative weight of each component of a case-derived child challenge."""

    impairment: Weight
    cmr: Weight
    developmental_gap: Weight
    risk: Weight


class RiskValues(_Frozen):
    """The overall developmental risk category as a value 0-1."""

    low: Share
    moderate: Share
    high: Share
    very_high: Share
    not_assessed: Share


class FromProfile(_Frozen):
    """How a child given by case file becomes a severity 0-1."""

    weights: ProfileComponentWeights
    impairment_full_at_ratio: OpenShare
    cmr_enough: Annotated[float, Field(gt=0, le=100, strict=True)]
    cmr_full_at_share: OpenShare
    gap_full_at_share: Annotated[float, Field(gt=0, le=1, strict=True)]
    risk: RiskValues


class HouseholdWeights(_Frozen):
    """Points of each household demand at the highest rating (3)."""

    dependent_adults: Points
    work_or_study: Points
    housing_instability: Points
    appointments_and_contact: Points
    household_conflict: Points


class ChallengeWeights(_Frozen):
    """How the children and the other demands of the home become challenge points."""

    per_child_base: Points
    per_child_span: Points
    age_factors: tuple[AgeFactor, ...] = Field(min_length=1)
    direct_ratings: DirectRatingWeights
    from_profile: FromProfile
    household_demands: HouseholdWeights


class Categories(_Frozen):
    """Where each reserve category starts (depleted lies below ``strained_from``)."""

    strained_from: Cutoff
    adequate_from: Cutoff
    strong_from: Cutoff


class CaregiverWeights(_Frozen):
    """Validated estimator weights (project defaults unless a file replaces them)."""

    schema_: Literal["neuroseq/caregiver-weights/v1"] = Field(alias="schema")
    version: Annotated[str, Field(min_length=1, max_length=64, strict=True)]
    resources: ResourceWeights
    challenge: ChallengeWeights
    categories: Categories

    _source: str = PrivateAttr(default="")
    _sha256: str = PrivateAttr(default="")

    @property
    def source(self) -> str:
        """The file these weights were read from ('' when built in memory)."""
        return self._source

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes ('' when built in memory)."""
        return self._sha256

    def internal_weight(self, item: str) -> float:
        value: float = getattr(self.resources.internal, item)
        return value

    def external_weight(self, item: str) -> float:
        value: float = getattr(self.resources.external, item)
        return value

    def age_factor(self, age: float) -> float:
        """The severity factor of the age band ``age`` falls in."""
        factor = self.challenge.age_factors[0].factor
        for band in self.challenge.age_factors:
            if age >= band.from_:
                factor = band.factor
        return factor

    def category(self, reserve: float) -> ReserveCategory:
        """The category of a reserve value."""
        cuts = self.categories
        if reserve >= cuts.strong_from:
            return "strong"
        if reserve >= cuts.adequate_from:
            return "adequate"
        if reserve >= cuts.strained_from:
            return "strained"
        return "depleted"


# --- cross-field checks, on the plain data so each is located ---------------------


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _some_weight(
    data: Mapping[str, Any], key: PathKey, names: tuple[str, ...], what: str
) -> list[tuple[PathKey, str]]:
    group = _get(data, *(str(k) for k in key))
    if not isinstance(group, Mapping):
        return []
    values = [_number(group.get(name)) for name in names]
    if all(v is not None for v in values) and not any(v for v in values):
        return [(key, f"every {what} weight is 0; give at least one a weight above 0")]
    return []


def consistency_problems(data: Mapping[str, Any]) -> list[tuple[PathKey, str]]:
    """Cross-field problems of a weights file's plain data, each with its key path."""
    problems: list[tuple[PathKey, str]] = []
    problems += _some_weight(data, ("resources", "internal"), INTERNAL_RESOURCES, "internal")
    problems += _some_weight(data, ("resources", "external"), EXTERNAL_RESOURCES, "external")
    problems += _some_weight(data, ("challenge", "direct_ratings"), CHILD_RATINGS, "direct rating")
    problems += _some_weight(
        data,
        ("challenge", "from_profile", "weights"),
        ("impairment", "cmr", "developmental_gap", "risk"),
        "Profile component",
    )
    factors = _get(data, "challenge", "age_factors")
    if isinstance(factors, list):
        starts = [_number(f.get("from")) if isinstance(f, Mapping) else None for f in factors]
        if starts and starts[0] is not None and starts[0] != 0:
            problems.append(
                (
                    ("challenge", "age_factors", 0, "from"),
                    "the first age band must start at 0 so every child has a factor",
                )
            )
        for index in range(1, len(starts)):
            start, previous = starts[index], starts[index - 1]
            if start is not None and previous is not None and start <= previous:
                problems.append(
                    (
                        ("challenge", "age_factors", index, "from"),
                        f"must be above the previous band's start ({previous:g})",
                    )
                )
    risk = _get(data, "challenge", "from_profile", "risk")
    if isinstance(risk, Mapping):
        levels = ("low", "moderate", "high", "very_high")
        for before, here in zip(levels, levels[1:], strict=False):
            a, b = _number(risk.get(before)), _number(risk.get(here))
            if a is not None and b is not None and b < a:
                problems.append(
                    (
                        ("challenge", "from_profile", "risk", here),
                        f"must not be below {before} ({a:g}): a higher risk never "
                        "means less challenge",
                    )
                )
    cuts = data.get("categories")
    if isinstance(cuts, Mapping):
        names = ("strained_from", "adequate_from", "strong_from")
        for before, here in zip(names, names[1:], strict=False):
            a, b = _number(cuts.get(before)), _number(cuts.get(here))
            if a is not None and b is not None and b <= a:
                problems.append((("categories", here), f"must be above {before} ({a:g})"))
    return problems


# --- loading ---------------------------------------------------------------------


def weights_from_document(doc: SourceDocument) -> CaregiverWeights:
    """Validate a parsed weights document, collecting every problem in one error."""
    return validate_document(
        doc,
        CaregiverWeights,
        error=CaregiverError,
        expected="schema, version, resources, challenge ...",
        checks=lambda data: [doc.problem(key, text) for key, text in consistency_problems(data)],
    )


def load_weights(path: Path | str | None = None) -> CaregiverWeights:
    """Read and validate a weights file; ``None`` gives the bundled project defaults."""
    if path is None:
        return default_weights()
    raw = read_source(path, error=CaregiverError, contained=True)
    weights = weights_from_document(document_from_bytes(raw, str(path), error=CaregiverError))
    weights._source = str(path)
    weights._sha256 = hashlib.sha256(raw).hexdigest()
    return weights


@functools.lru_cache(maxsize=1)
def default_weights() -> CaregiverWeights:
    """The bundled ``scoring/caregiver_weights.yaml``, loaded once per process."""
    resource = resources.files("neuroseq.scoring") / "caregiver_weights.yaml"
    with resources.as_file(resource) as path:
        return load_weights(path)
