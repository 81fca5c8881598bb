"""The case file model: ``schema: neuroseq/case/v1`` (CASE_FORMAT.md).

A :class:`Case` is what a clinician writes: the client, current services,
household, developmental history (Parts A and B), the 32 current
brain-mediated functions (Part C) and current relational health (Part D).
Models forbid unknown keys and enforce the stated ranges; cross-field rules
(history needed for a full metric, periods beyond the client's age, how age
is given) are model validators, so every problem is reported in one run.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from neuroseq.scoring.items import ITEM_IDS
from neuroseq.vocabulary import PERIODS, Period

__all__ = [
    "PERIODS",
    "PERIOD_START_YEARS",
    "Case",
    "Client",
    "CnsScores",
    "MEDICATION_CLASSES",
    "PSYCHOTROPIC_CLASSES",
    "SENSITIVITIES",
    "HistoryPeriod",
    "Household",
    "Medication",
    "RelationalHealth",
    "earlier_assessment_problem",
]

ItemScore = Annotated[float, Field(ge=0, le=12, multiple_of=0.5, strict=True)]
"""0-12 in whole or half points; 12 is a fully organised young adult."""

Rating = Annotated[float, Field(ge=0, le=3, multiple_of=0.5, strict=True)]
"""0-3 in whole or half points; 3 is strong."""

ShortText = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
"""One line of text; control characters (which could drive a terminal) are refused."""


def _date_not_number(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a date is written YYYY-MM-DD, not a number")
    return value


CalendarDate = Annotated[dt.date, BeforeValidator(_date_not_number)]
"""A calendar date written YYYY-MM-DD (a bare number is refused, not read as a timestamp)."""
CatalogId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

#: Age in years at which each developmental period starts.
PERIOD_START_YEARS: dict[str, float] = {
    "perinatal": 0.0,
    "infancy": 2 / 12,
    "early_childhood": 1.0,
    "childhood": 4.0,
    "adolescence": 11.0,
    "adulthood": 18.0,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Sensitivity = Literal[
    "touch_defensive",
    "sound_sensitive",
    "light_sensitive",
    "movement_sensitive",
    "water_averse",
    "animal_averse",
]
#: The closed vocabulary of ``client.sensitivities`` (catalogue cautions test them).
SENSITIVITIES: tuple[Sensitivity, ...] = get_args(Sensitivity)

MedicationClass = Literal[
    "stimulant",
    "non_stimulant_adhd",
    "alpha_agonist",
    "antipsychotic",
    "mood_stabiliser",
    "antidepressant",
    "anxiolytic",
    "sleep_aid",
    "other_psychotropic",
    "non_psychotropic",
]
MEDICATION_CLASSES: tuple[MedicationClass, ...] = get_args(MedicationClass)
#: Classes that count towards a medication review (every class but non_psychotropic).
PSYCHOTROPIC_CLASSES: frozenset[str] = frozenset(MEDICATION_CLASSES) - {"non_psychotropic"}


def _vocabulary_from_guide(field: str, vocabulary: str) -> Any:
    """A ``json_schema_extra`` giving ``field`` the meaning of every word of a closed vocabulary."""

    def describe(schema: dict[str, Any]) -> None:
        from neuroseq.scoring.guide import load_guide, vocabulary_description

        words = getattr(load_guide().vocabularies, vocabulary)
        schema["properties"][field]["description"] = vocabulary_description(words)

    return describe


class Medication(_Strict):
    """One current medication: its name as written and its class (the class is what rules use)."""

    name: ShortText = Field(
        description="The medication's name as written (free text for the reader)."
    )
    class_: MedicationClass = Field(
        alias="class",
        description="The kind of medication, from a closed list (see `neuroseq items vocabularies`).",
    )

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra=_vocabulary_from_guide("class", "medication_classes"),
    )


class Client(_Strict):
    """Who the plan is for, pseudonymously, and what they like and decline."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=_vocabulary_from_guide("sensitivities", "sensitivities"),
    )

    id: Annotated[
        str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    ] = Field(
        description="A pseudonymous id (never a name): up to 64 letters, digits, dots, "
        "hyphens and underscores, starting with a letter or digit, e.g. demo-001."
    )
    age_years: Annotated[float, Field(ge=0, le=99, strict=True)] | None = Field(
        default=None,
        description="Age in years at the assessment, 0-99 (e.g. 9 or 9.5); or give "
        "date_of_birth together with assessment_date instead.",
    )
    date_of_birth: CalendarDate | None = Field(
        default=None, description="Date of birth, YYYY-MM-DD; needs assessment_date."
    )
    assessment_date: CalendarDate | None = Field(
        default=None,
        description="The date of this assessment, YYYY-MM-DD; orders assessments of one "
        "client over time (plan --previous, compare).",
    )
    sex: ShortText | None = Field(default=None, description="Optional, free text.")
    placement: ShortText | None = Field(
        default=None, description="Optional, free text: where the client lives now."
    )
    school_setting: ShortText | None = Field(
        default=None, description="Optional, free text: school, college or day setting."
    )
    placements_count: Annotated[int, Field(ge=0, le=200, strict=True)] | None = Field(
        default=None, description="Optional: out-of-home placements so far, 0-200."
    )
    interests: tuple[ShortText, ...] = Field(
        default=(),
        description="What the client enjoys (free text, e.g. music, animals): planning "
        "prefers activities that match (Rewarding).",
    )
    declined: tuple[CatalogId, ...] = Field(
        default=(),
        description="Catalogue ids the client or family declines (`neuroseq catalog list`); "
        "they are never recommended.",
    )
    requested: tuple[CatalogId, ...] = Field(
        default=(),
        description="Catalogue ids the client or family asks for; the plan answers each.",
    )
    sensitivities: tuple[Sensitivity, ...] = Field(
        default=(),
        description="Known sensitivities, from a closed list: " + ", ".join(SENSITIVITIES) + ".",
    )
    medications: tuple[Medication, ...] = Field(
        default=(), description="Current medications, each with its name and class."
    )

    @model_validator(mode="after")
    def _age_is_known(self) -> Client:
        if self.age_years is None:
            if self.date_of_birth is None or self.assessment_date is None:
                raise ValueError("give age_years, or date_of_birth together with assessment_date")
            if self.date_of_birth > self.assessment_date:
                raise ValueError("date_of_birth is after assessment_date")
            if self.age > 99:
                raise ValueError("date_of_birth gives an age above 99 years")
        return self

    @property
    def age(self) -> float:
        """Chronological age in years at assessment."""
        if self.age_years is not None:
            return self.age_years
        assert self.date_of_birth is not None and self.assessment_date is not None
        return (self.assessment_date - self.date_of_birth).days / 365.25


class Household(_Strict):
    """The home: siblings and the caregiver's own situation (each unknown when absent)."""

    siblings_in_home: Annotated[int, Field(ge=0, le=30, strict=True)] | None = Field(
        default=None, description="Brothers and sisters living in the home, 0-30."
    )
    sibling_conflict: Annotated[bool, Field(strict=True)] | None = Field(
        default=None, description="true when conflict between siblings strains the home."
    )
    caregiver_trauma_informed: Annotated[bool, Field(strict=True)] | None = Field(
        default=None,
        description="true when the main caregiver has had trauma-informed training.",
    )
    caregiver_own_adversity: Annotated[bool, Field(strict=True)] | None = Field(
        default=None,
        description="true when the caregiver's own history of adversity weighs on caregiving.",
    )


def _described_by_guide(section: Literal["cns", "history", "relational_health"]) -> Any:
    """A ``json_schema_extra`` that fills the field descriptions from the scoring guide.

    The guide (scoring/guide.yaml) is the one place the rating anchors are
    written; it is read only when a schema is generated, not when a case loads.
    """

    def describe(schema: dict[str, Any]) -> None:
        from neuroseq.scoring.guide import field_descriptions

        for name, text in field_descriptions(section).items():
            schema["properties"][name]["description"] = text

    return describe


class HistoryPeriod(_Strict):
    """Adversity (Part A) and relational health (Part B) in one developmental period."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra=_described_by_guide("history")
    )

    period: Period
    adversity: Rating
    pattern: Literal["none", "single", "episodic", "chronic"]
    nature: tuple[ShortText, ...] = ()
    bonding: Rating
    family_support: Rating
    community_support: Rating


class CnsScores(_Strict):
    """Part C: the 32 brain-mediated functions, each 0-12 in half points."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra=_described_by_guide("cns")
    )

    cardiovascular_ans: ItemScore
    autonomic_regulation: ItemScore
    temperature_metabolism: ItemScore
    extraocular_eye_movements: ItemScore
    suck_swallow_gag: ItemScore
    attention_tracking: ItemScore
    feeding_appetite: ItemScore
    sleep: ItemScore
    fine_motor: ItemScore
    coordination_large_motor: ItemScore
    dissociative_continuum: ItemScore
    arousal_continuum: ItemScore
    neuroendocrine_hypothalamic: ItemScore
    primary_sensory_integration: ItemScore
    reward: ItemScore
    affect_regulation_mood: ItemScore
    attunement_empathy: ItemScore
    psychosexual: ItemScore
    relational_attachment: ItemScore
    short_term_memory_learning: ItemScore
    somato_motorsensory_integration: ItemScore
    sense_time_delay_gratification: ItemScore
    communication_expressive_receptive: ItemScore
    self_awareness_self_image: ItemScore
    speech_articulation: ItemScore
    concrete_cognition: ItemScore
    nonverbal_cognition: ItemScore
    modulate_reactivity_impulsivity: ItemScore
    math_symbolic_cognition: ItemScore
    reading_verbal: ItemScore
    abstract_reflective_cognition: ItemScore
    values_beliefs_morality: ItemScore

    def as_dict(self) -> dict[str, float]:
        """Scores by item id, in map order."""
        return {item: float(getattr(self, item)) for item in ITEM_IDS}


class RelationalHealth(_Strict):
    """Part D: current relational health, each 0-3."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra=_described_by_guide("relational_health")
    )

    family: Rating
    peers: Rating
    school: Rating
    community: Rating


class Case(_Strict):
    """One assessment of one client: the input of ``neuroseq score`` and ``plan``."""

    _sha256: str = PrivateAttr(default="")

    @property
    def sha256(self) -> str:
        """SHA-256 of the bytes the case was read from ('' when built in memory)."""
        return self._sha256

    def with_sha256(self, digest: str) -> Case:
        """This case, recording the SHA-256 of the bytes it was read from (provenance)."""
        self._sha256 = digest
        return self

    schema_: Literal["neuroseq/case/v1"] = Field(
        alias="schema", description="Always neuroseq/case/v1: the format of this file."
    )
    metric: Literal["full", "follow_up", "er"] = Field(
        description="full = history and current functioning (an intake); follow_up = an "
        "updated current status of a client assessed before; er = a rapid snapshot of "
        "current functioning only, no history needed (after a crisis or change of placement)."
    )
    client: Client = Field(description="Who the assessment is of, pseudonymously.")
    current_services: tuple[CatalogId, ...] = Field(
        default=(),
        description="Catalogue ids of the services the client receives now "
        "(`neuroseq catalog list`); the plan continues, suspends or fades each.",
    )
    household: Household = Field(
        default=Household(), description="The home; every field is unknown when absent."
    )
    history: tuple[HistoryPeriod, ...] | None = Field(
        default=None,
        description="Parts A and B: adversity and relational health in each developmental "
        "period up to the client's age (`neuroseq items history`); needed for metric full.",
    )
    cns: CnsScores = Field(
        description="Part C: the 32 brain-mediated functions, each 0-12 in half points "
        "against a fully organised young adult (`neuroseq items`)."
    )
    relational_health: RelationalHealth | None = Field(
        default=None,
        description="Part D: current relational health, each 0-3 "
        "(`neuroseq items relational_health`).",
    )
    notes: (
        Annotated[str, Field(max_length=20_000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
        | None
    ) = Field(
        default=None,
        description="Free text for the reader, up to 20,000 characters; never interpreted "
        "and never printed by neuroseq score.",
    )

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="after")
    def _history_fits(self) -> Case:
        problems: list[str] = []
        if self.metric == "full" and not self.history:
            problems.append("metric 'full' needs a history (Parts A and B); use 'er' without one")
        seen: set[str] = set()
        for index, entry in enumerate(self.history or ()):
            if entry.period in seen:
                problems.append(f"history[{index}]: period '{entry.period}' is given twice")
            seen.add(entry.period)
            start = PERIOD_START_YEARS[entry.period]
            if start > self.client.age:
                problems.append(
                    f"history[{index}]: period '{entry.period}' starts at "
                    f"{start:g} years, after the client's age of {self.client.age:.1f}"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def earlier_assessment_problem(earlier: Case, later: Case) -> tuple[str, str] | None:
    """``(field, message)`` when ``earlier`` is not an assessment before ``later``, else None.

    Assessment dates decide when both cases give one; otherwise the ages do. The
    message names both values, so the user can see which file is which.
    """
    before, after = earlier.client.assessment_date, later.client.assessment_date
    if before is not None and after is not None:
        if before < after:
            return None
        when = "the same day as" if before == after else "later than"
        return (
            "client.assessment_date",
            f"the previous assessment is dated {before.isoformat()}, {when} this one "
            f"({after.isoformat()}); --previous must be an earlier assessment of the same client",
        )
    if earlier.client.age < later.client.age:
        return None
    return (
        "client.age_years",
        f"the previous assessment is at age {earlier.client.age:.2f}, not younger than this "
        f"one ({later.client.age:.2f}); --previous must be an earlier assessment of the same "
        "client (give assessment_date in both files to order them by date)",
    )
