"""The caregiver file model: ``schema: neuroseq/caregiver/v1`` (Caregiver Challenge Estimator).

A :class:`CaregiverFile` describes one home: the caregiver (pseudonymously)
and the placement type, the caregiver's internal and external resources, and
the challenges of the home: the children in it and other household demands.
Each child is given either as a reference to a neuroseq case file (its
challenge is then derived from the scored Profile) or as four direct ratings
with an age. Models forbid unknown keys and enforce the stated ranges; the
whole-file rule "a child is a case reference or direct ratings, not both" is
a model validator, and :mod:`neuroseq.scoring.caregiver_loader` repeats it on
the raw data so each problem is reported at its own line.

Rating scale (all items, 0-3 in whole or half points): 0 none or very poor,
3 strong. Two internal items are the other way round, because they rate a
burden, not a resource, and are **reverse-scored** (counted as ``3 - rating``):
``own_adversity_history`` (0 none ... 3 severe) and ``current_stress``
(0 none ... 3 severe: more current stress means fewer resources to draw on).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CHILD_RATINGS",
    "EXTERNAL_RESOURCES",
    "HOUSEHOLD_DEMANDS",
    "INTERNAL_RESOURCES",
    "MAX_CHILDREN",
    "PLACEMENT_TYPES",
    "RATING_MAX",
    "REVERSE_SCORED",
    "CaregiverFile",
    "CaregiverInfo",
    "Challenges",
    "ChildChallenge",
    "ExternalResources",
    "HouseholdDemands",
    "InternalResources",
    "PlacementType",
]

#: Top of the 0-3 rating scale of every caregiver item (the format's scale, not a weight).
RATING_MAX = 3.0
MAX_CHILDREN = 12

PlacementType = Literal["biological", "foster", "kinship", "adoptive", "respite"]
PLACEMENT_TYPES: tuple[PlacementType, ...] = (
    "biological",
    "foster",
    "kinship",
    "adoptive",
    "respite",
)
INTERNAL_RESOURCES = (
    "physical_health",
    "mental_health",
    "own_adversity_history",
    "parenting_experience",
    "trauma_informed_knowledge",
    "regulation_under_stress",
    "current_stress",
)
#: Internal items that rate a burden (0 none ... 3 severe); they count as 3 - rating.
REVERSE_SCORED = frozenset({"own_adversity_history", "current_stress"})
EXTERNAL_RESOURCES = (
    "co_caregiver",
    "extended_family",
    "respite_access",
    "community_faith",
    "financial_stability",
    "service_access",
    "school_partnership",
)
CHILD_RATINGS = ("behavioural", "emotional", "medical", "developmental")
HOUSEHOLD_DEMANDS = (
    "dependent_adults",
    "work_or_study",
    "housing_instability",
    "appointments_and_contact",
    "household_conflict",
)


Rating = Annotated[float, Field(ge=0, le=3, multiple_of=0.5, strict=True)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaregiverInfo(_Strict):
    """Who the caregiver is, pseudonymously, and what kind of placement the home offers."""

    id: Id = Field(description="A pseudonymous id; never a name.")
    placement_type: PlacementType


class InternalResources(_Strict):
    """What the caregiver brings: each 0-3 (3 strong); two items are reverse-scored."""

    physical_health: Annotated[Rating, Field(description="0 very poor ... 3 good")]
    mental_health: Annotated[Rating, Field(description="0 very poor ... 3 good")]
    own_adversity_history: Annotated[
        Rating,
        Field(
            description="the caregiver's own history of adversity, 0 none ... 3 severe (reverse-scored)"
        ),
    ]
    parenting_experience: Annotated[Rating, Field(description="0 none ... 3 extensive")]
    trauma_informed_knowledge: Annotated[
        Rating, Field(description="0 none ... 3 trained and practised")
    ]
    regulation_under_stress: Annotated[
        Rating,
        Field(description="staying regulated when the child is not, 0 rarely ... 3 reliably"),
    ]
    current_stress: Annotated[
        Rating,
        Field(
            description="current life stress, 0 none ... 3 severe (reverse-scored: more stress, fewer resources)"
        ),
    ]

    def as_dict(self) -> dict[str, float]:
        """Ratings by item, as given (not yet reverse-scored)."""
        return {name: float(getattr(self, name)) for name in INTERNAL_RESOURCES}


class ExternalResources(_Strict):
    """The support around the caregiver: each 0-3 (0 none ... 3 strong)."""

    co_caregiver: Annotated[
        Rating, Field(description="a partner or co-caregiver sharing daily care")
    ]
    extended_family: Annotated[Rating, Field(description="relatives who help")]
    respite_access: Annotated[Rating, Field(description="access to planned breaks")]
    community_faith: Annotated[Rating, Field(description="community and faith connections")]
    financial_stability: Annotated[Rating, Field(description="money enough for the home's needs")]
    service_access: Annotated[
        Rating, Field(description="access to health, social care and therapy services")
    ]
    school_partnership: Annotated[
        Rating, Field(description="a working partnership with school or nursery")
    ]

    def as_dict(self) -> dict[str, float]:
        """Ratings by item."""
        return {name: float(getattr(self, name)) for name in EXTERNAL_RESOURCES}


class ChildChallenge(_Strict):
    """One child in the home: a case file reference, or direct ratings with an age.

    Either ``case`` (a neuroseq case file, relative to the caregiver file) and
    nothing else but an optional ``id``; or ``age_years`` with all four ratings
    (each 0-3, 0 no extra need ... 3 very high need).
    """

    case: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None,
        description="A neuroseq case file, relative to this caregiver file.",
    )
    id: Id | None = Field(default=None, description="A pseudonymous id for the child.")
    age_years: Annotated[float, Field(ge=0, le=99, strict=True)] | None = None
    behavioural: Rating | None = None
    emotional: Rating | None = None
    medical: Rating | None = None
    developmental: Rating | None = None

    @model_validator(mode="after")
    def _case_or_ratings(self) -> ChildChallenge:
        message = child_shape_problem(
            has_case=self.case is not None,
            has_age=self.age_years is not None,
            ratings={name: getattr(self, name) is not None for name in CHILD_RATINGS},
        )
        if message:
            raise ValueError(message)
        return self

    def ratings(self) -> dict[str, float]:
        """The four direct ratings (only for a child rated directly)."""
        return {name: float(getattr(self, name) or 0.0) for name in CHILD_RATINGS}


def child_shape_problem(*, has_case: bool, has_age: bool, ratings: dict[str, bool]) -> str:
    """What is wrong with the shape of one child entry ('' when it is fine)."""
    given = [name for name, present in ratings.items() if present]
    if has_case:
        extra = [*given, *(["age_years"] if has_age else [])]
        if extra:
            return (
                f"a child given by 'case' takes its age and needs from the case file; "
                f"remove {', '.join(extra)} (or remove 'case' to rate the child directly)"
            )
        return ""
    missing = [name for name, present in ratings.items() if not present]
    if not has_age:
        missing.insert(0, "age_years")
    if missing:
        return (
            "give either 'case: <case file>' or age_years with behavioural, emotional, "
            f"medical and developmental ratings (0-3); missing: {', '.join(missing)}"
        )
    return ""


class HouseholdDemands(_Strict):
    """Other demands on the home, each 0-3 (0 none ... 3 heavy); all default to 0."""

    dependent_adults: Annotated[
        Rating, Field(description="caring for ill, disabled or elderly adults")
    ] = 0.0
    work_or_study: Annotated[Rating, Field(description="hours of paid work or study")] = 0.0
    housing_instability: Annotated[
        Rating, Field(description="overcrowding, threatened or temporary housing")
    ] = 0.0
    appointments_and_contact: Annotated[
        Rating, Field(description="court, agency and therapy appointments, family-contact visits")
    ] = 0.0
    household_conflict: Annotated[
        Rating, Field(description="conflict between the adults in the home")
    ] = 0.0

    def as_dict(self) -> dict[str, float]:
        """Ratings by item."""
        return {name: float(getattr(self, name)) for name in HOUSEHOLD_DEMANDS}


class Challenges(_Strict):
    """The challenges the home carries: the children in it and other household demands."""

    children: tuple[ChildChallenge, ...] = Field(default=(), max_length=MAX_CHILDREN)
    other_household_demands: HouseholdDemands = HouseholdDemands()


class CaregiverFile(_Strict):
    """One home: the input of ``neuroseq cce`` and of ``neuroseq plan --caregiver``."""

    schema_: Literal["neuroseq/caregiver/v1"] = Field(alias="schema")
    caregiver: CaregiverInfo
    internal_resources: InternalResources
    external_resources: ExternalResources
    challenges: Challenges
    notes: Annotated[str, Field(max_length=20_000)] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True)
