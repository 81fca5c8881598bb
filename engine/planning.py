"""The planning defaults a trainer can change: budget, relevance weights, re-assessment.

They live in the rule base manifest (``rulebase.yaml``, key ``planning``), so they
travel with the rules and the rule base's sha256 covers them. Every value is a
project default, not a published number (DOMAIN.md section 5); ``rules/README.md``
section 9 writes the relevance formula out for trainers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from neuroseq.errors import Problem
from neuroseq.scoring.items import ITEMS

__all__ = ["Budget", "PlanningSettings", "RelevanceWeights", "Staging", "parse_planning"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Budget(_Strict):
    """How much one plan asks of a client, a family and a school (active items)."""

    client: int = Field(default=10, ge=1, le=50, description="Active client items in all.")
    therapeutic_web: int = Field(default=6, ge=1, le=50)
    family: int = Field(default=6, ge=1, le=50)
    client_per_phase: int = Field(
        default=5, ge=1, le=50, description="Active client items in one phase."
    )
    deferred_per_phase: int = Field(
        default=3, ge=0, le=50, description="New items held for later, per phase."
    )
    er_client: int = Field(default=4, ge=0, le=50, description="ER snapshot: client items.")
    er_therapeutic_web: int = Field(default=5, ge=0, le=50)
    er_family: int = Field(default=3, ge=0, le=50)

    def limit(self, audience: str, metric: str) -> int:
        """The number of active items an audience may have in a plan of this metric."""
        if metric == "er":
            return int(getattr(self, f"er_{audience}"))
        return int(getattr(self, audience))


class RelevanceWeights(_Strict):
    """Weights of the five parts of an item's relevance (they need not sum to 1)."""

    need: float = Field(default=0.45, ge=0, le=10)
    interest: float = Field(default=0.20, ge=0, le=10)
    settings: float = Field(default=0.10, ge=0, le=10)
    fit: float = Field(default=0.10, ge=0, le=10)
    priority: float = Field(default=0.15, ge=0, le=10)


class Staging(_Strict):
    """How cognitive-predominant work restarts while the CMR allows only brief segments.

    While the CMR gate is ``brief_segments`` (1.0 to below 2.0, and below typical for
    age), at most ``start_now`` active cognitive-predominant items start (or resume, or
    continue) at once: the first stage. The others stay in the plan as a second stage,
    to start after a review ``review_weeks`` later if the client stays regulated
    through the first stage's segments. An entry with a ``later`` caution that applies
    to this client goes to the second stage whatever its relevance.
    """

    start_now: int = Field(
        default=2,
        ge=1,
        le=10,
        description="Cognitive-predominant items in the first stage while the CMR allows brief segments only.",
    )
    review_weeks: int = Field(
        default=6, ge=1, le=26, description="Weeks until the review that opens the second stage."
    )


_PLACEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "shelter": ("shelter", "emergency", "hostel", "homeless"),
    "independent": (
        "supported housing",
        "supported living",
        "supported accommodation",
        "supported flat",
        "semi-independent",
        "independent",
        "lives alone",
        "living alone",
        "own flat",
        "own tenancy",
        "bedsit",
    ),
    "residential": (
        "residential",
        "group home",
        "children's home",
        "childrens home",
        "care home",
        "unit",
        "institution",
        "inpatient",
        "hospital",
        "treatment centre",
        "treatment center",
    ),
    "foster": ("foster",),
    "kinship": (
        "kinship",
        "grandparent",
        "grandmother",
        "grandfather",
        "relative",
        "aunt",
        "uncle",
    ),
    "adoptive": ("adopt",),
    "biological": (
        "birth",
        "biological",
        "parent",
        "mother",
        "father",
        "mum",
        "mom",
        "dad",
        "family",
    ),
}


#: Free-text school settings that say the client is not at a school, college or
#: nursery (a toddler at home, an adult at work): school items are not for them.
_NOT_AT_SCHOOL_WORDS: tuple[str, ...] = (
    "none",
    "no school",
    "not in school",
    "not at school",
    "not attending",
    "not yet",
    "at home",
    "home with",
    "work",
    "employed",
    "unemployed",
    "retired",
    "job",
    "home educated",
    "home-educated",
    "home schooled",
    "home-schooled",
    "homeschool",
)


class PlanningSettings(_Strict):
    """Everything the selection stage needs besides the rules and the catalogue."""

    budget: Budget = Budget()
    relevance: RelevanceWeights = RelevanceWeights()
    level_decay: float = Field(
        default=0.75,
        gt=0,
        le=1,
        description="Weight of an item one level above the lowest impaired level (squared at two).",
    )
    fit_years: float = Field(
        default=4.0,
        gt=0,
        le=25,
        description="Years above an entry's max_developmental_age at which its fit reaches 0.",
    )
    cmr_for_age: float = Field(
        default=0.85,
        gt=0,
        le=1,
        description=(
            "A CMR at or above this fraction of a same-age peer's is typical for age and is "
            "never gated (the norms' moderate impairment cut-off by default)."
        ),
    )
    worst_items: int = Field(default=3, ge=1, le=10, description="Items a rationale names.")
    start_items: tuple[str, ...] = Field(
        default=(
            "dissociative_continuum",
            "arousal_continuum",
            "sleep",
            "feeding_appetite",
            "suck_swallow_gag",
        ),
        description=(
            "Single functions whose significant impairment starts the client sequence at "
            "their own level when it is lower than the lowest significantly impaired region "
            "(single severe functions count)."
        ),
    )
    staging: Staging = Staging()
    er_scores_note: str = Field(
        default=(
            "The scores were taken in crisis (an ER snapshot after a crisis or a change of "
            "placement, with no history) and are provisional: acute stress lowers functioning, "
            "so confirm them at the full assessment before planning beyond safety and "
            "stabilisation."
        ),
        min_length=1,
        description="What an ER plan says about its scores (shown in every format).",
    )
    reassessment_months: int = Field(default=6, ge=1, le=36)
    er_reassessment_months: int = Field(default=3, ge=1, le=36)
    watch_items: int = Field(default=5, ge=1, le=32, description="Items a re-assessment watches.")
    placement_words: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(_PLACEMENT_WORDS),
        description=(
            "How the free-text placement is read: the kind whose word appears first in the "
            "text (the head of 'lives with parents and grandmother' is the parents), ties "
            "going to the kind listed first; no match is 'other', no placement is 'unknown'."
        ),
    )

    not_at_school_words: tuple[str, ...] = Field(
        default=_NOT_AT_SCHOOL_WORDS,
        description=(
            "A school setting whose text starts a word with one of these (e.g. 'none', "
            "'at home with foster carer', 'part-time work') says the client is not at a "
            "school, college or nursery: at_school is false and school items are not offered."
        ),
    )

    @field_validator("start_items")
    @classmethod
    def _known_items(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = {item.id for item in ITEMS}
        unknown = [item for item in value if item not in known]
        if unknown:
            raise ValueError(f"unknown item id(s) {', '.join(unknown)}; item ids: neuroseq items")
        return value


DEFAULT_PLANNING = PlanningSettings()


def parse_planning(
    raw: Any, problem: Callable[[Sequence[str | int], str], Problem]
) -> tuple[PlanningSettings, list[Problem]]:
    """The ``planning`` mapping of a manifest; problems are located with ``problem(key, text)``."""
    if raw is None:
        return DEFAULT_PLANNING, []
    try:
        return PlanningSettings.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            key = ("planning", *(str(part) for part in error["loc"]))
            problems.append(problem(key, error["msg"]))
        return DEFAULT_PLANNING, problems
