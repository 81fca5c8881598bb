"""The intervention catalogue as typed, immutable values (``neuroseq/catalog/v1``).

The catalogue is data a trainer edits (``interventions.yaml``); these models
say what a valid file looks like. The planner asserts catalogue entries as
facts beside the client's profile, so the rule language refers to the field
names defined here (``audience``, ``mode``, ``phase``, ``targets``,
``domains``, ``min_cmr``, ...).
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from neuroseq.errors import CatalogError
from neuroseq.scoring.case import SENSITIVITIES
from neuroseq.scoring.items import ItemId
from neuroseq.vocabulary import AUDIENCES, DOMAINS, PHASES, REGIONS, Audience, Domain, Phase, Region

__all__ = [
    "AUDIENCES",
    "CATALOG_SCHEMA",
    "DUPLICATE_ID_MESSAGE",
    "DOMAINS",
    "MODES",
    "PHASES",
    "PHASE_FOR_MODE",
    "REGIONS",
    "SETTINGS",
    "CAUTION_CONDITIONS",
    "RESPONSIBLE",
    "AgeRange",
    "Audience",
    "Catalog",
    "Caution",
    "Dosing",
    "Domain",
    "Evidence",
    "Intervention",
    "Mode",
    "Phase",
    "Region",
    "Setting",
    "SixR",
    "SixRs",
]

CATALOG_SCHEMA = "neuroseq/catalog/v1"

Mode = Literal["somatosensory", "relational", "cognitive", "systemic"]
Setting = Literal["home", "school", "clinic", "community", "residential"]

MODES: tuple[Mode, ...] = ("somatosensory", "relational", "cognitive", "systemic")
SETTINGS: tuple[Setting, ...] = ("home", "school", "clinic", "community", "residential")

PHASE_FOR_MODE: dict[str, Phase] = {
    "somatosensory": "regulate",
    "relational": "relate",
    "cognitive": "reason",
}
"""For client entries the phase follows from the mode; systemic work is never a client phase."""

#: When a catalogue caution applies to a client (computed per case by the planner;
#: rules/README.md and the catalogue header document each one).
CAUTION_CONDITIONS: dict[str, str] = {
    "always": "every client",
    "sexual_abuse_history": "a history period's nature mentions sexual abuse",
    "touch_defensive": "client.sensitivities lists touch_defensive",
    "sound_sensitive": "client.sensitivities lists sound_sensitive",
    "light_sensitive": "client.sensitivities lists light_sensitive",
    "movement_sensitive": "client.sensitivities lists movement_sensitive",
    "water_averse": "client.sensitivities lists water_averse",
    "animal_averse": "client.sensitivities lists animal_averse",
    "dissociation_significant": "dissociative_continuum is significantly impaired for age",
    "impulsivity_significant": "modulate_reactivity_impulsivity is significantly impaired for age",
    "arousal_significant": "arousal_continuum is significantly impaired for age",
    "cmr_below_1": "the CMR is below 1.0",
    "cmr_below_2": "the CMR is below 2.0",
    "no_stable_caregiver": (
        "the placement is a residential unit, group home or shelter, or the client lives on "
        "their own (independent)"
    ),
    "placement_unknown": "the case gives no placement",
    "not_requested": "the client or family has not asked for this activity (client.requested)",
    "adolescent_or_adult": "the client is 12 or older",
    "adult": "the client is 18 or older",
    "history_unknown": "the case gives no developmental history (an ER snapshot): abuse is not ruled out",
    "no_trauma_history": (
        "the case gives a developmental history and no period records adversity of severity 2 "
        "or 3 (no history is unknown, not 'no trauma')"
    ),
}
CautionCondition = Literal[
    "always",
    "sexual_abuse_history",
    "touch_defensive",
    "sound_sensitive",
    "light_sensitive",
    "movement_sensitive",
    "water_averse",
    "animal_averse",
    "dissociation_significant",
    "impulsivity_significant",
    "arousal_significant",
    "cmr_below_1",
    "cmr_below_2",
    "no_stable_caregiver",
    "placement_unknown",
    "not_requested",
    "adolescent_or_adult",
    "adult",
    "history_unknown",
    "no_trauma_history",
]
CautionEffect = Literal["exclude", "hold", "caution", "later"]
if set(CAUTION_CONDITIONS) != set(get_args(CautionCondition)) or not set(SENSITIVITIES) <= set(
    CAUTION_CONDITIONS
):  # pragma: no cover - a typo guard: every sensitivity is also a caution condition
    raise ImportError("CAUTION_CONDITIONS, CautionCondition and the sensitivities disagree")

Responsible = Literal[
    "caregiver",
    "teacher",
    "school_team",
    "therapist",
    "occupational_therapist",
    "speech_language_therapist",
    "caseworker",
    "care_coordinator",
    "prescriber",
    "paediatrician",
    "mentor",
    "coach",
    "clinician",
    "doctor",
    "client",
    "support_worker",
    "care_staff",
]
#: Who can carry an item out, as a plan names them.
RESPONSIBLE: tuple[Responsible, ...] = get_args(Responsible)

Text = Annotated[str, Field(min_length=1)]
SnakeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Tag = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


def _no_repeats(values: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}; give each once")
    return values


class SixR(BaseModel):
    """One of the 6 R's for an intervention: whether it offers it, and how."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: bool
    how: Text


class SixRs(BaseModel):
    """The 6 R's (relational, relevant, repetitive, rewarding, rhythmic, respectful)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relational: SixR
    relevant: SixR
    repetitive: SixR
    rewarding: SixR
    rhythmic: SixR
    respectful: SixR

    def flags(self) -> dict[str, bool]:
        """The six values alone, in the published order (the shape a plan carries)."""
        return {
            "relational": self.relational.value,
            "relevant": self.relevant.value,
            "repetitive": self.repetitive.value,
            "rewarding": self.rewarding.value,
            "rhythmic": self.rhythmic.value,
            "respectful": self.respectful.value,
        }


class Dosing(BaseModel):
    """How often an intervention happens and how long one episode lasts (clinician text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    frequency: Text
    episode: Text


class Evidence(BaseModel):
    """A short, honest note on the evidence and the published source it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    note: Text
    source: Text


class Caution(BaseModel):
    """A contraindication as data: when it applies (``if``), what it does (``then``), and its text.

    ``exclude``: not offered (a current service is suspended); ``hold``: waits (new work is
    deferred, current work suspended) while the condition holds; ``caution``: offered, with
    the text shown on the plan item; ``later``: offered with the text shown, and while the
    CMR allows only brief segments it goes to the plan's second stage (it starts after the
    first review), whatever its relevance (rule base ``planning.staging``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    if_: CautionCondition = Field(alias="if")
    then: CautionEffect
    text: Text


class AgeRange(BaseModel):
    """The chronological ages an activity is built for, in years (``max`` null: no upper bound)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float = Field(default=0.0, ge=0.0, le=99.0)
    max: float | None = Field(default=None, ge=0.0, le=99.0)

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"ages: max {self.max:g} is below min {self.min:g}")
        return self

    def holds(self, age: float) -> bool:
        """Whether a client of this chronological age is inside the range."""
        return self.min <= age and (self.max is None or age < self.max)

    def words(self) -> str:
        """The range as a clinician reads it: 'ages 2 to 7', 'ages 12 and up'."""
        if self.max is None:
            return f"ages {self.min:g} and up"
        return f"ages {self.min:g} to {self.max:g}"


class Intervention(BaseModel):
    """One catalogue entry: an activity or support the planner can recommend, gate or avoid."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: SnakeId = Field(description="Unique snake_case id that cases and rules refer to.")
    name: Text
    summary: Text = Field(description="One line a clinician can read.")
    audience: Audience
    mode: Mode
    phase: Phase | None = Field(
        default=None,
        description="Client entries only, fixed by mode; null for family and therapeutic_web.",
    )
    targets: tuple[Region, ...] = Field(default=(), description="Brain regions mainly worked on.")
    domains: tuple[Domain, ...] = Field(default=(), description="Functional domains worked on.")
    six_rs: SixRs
    min_developmental_age: float = Field(
        ge=0.0,
        le=25.0,
        description="Years, measured in the intervention's domains (developmental age).",
    )
    min_cmr: float | None = Field(
        default=None,
        ge=0.0,
        description="Lowest CMR at which it is offered (CMR >= min_cmr); null: no CMR gate.",
    )
    settings: tuple[Setting, ...]
    dosing: Dosing
    contraindications: tuple[Text, ...] = Field(
        default=(),
        description="Older prose form of cautions; each line is shown as an 'always' caution.",
    )
    cautions: tuple[Caution, ...] = Field(
        default=(), description="Contraindications as data: when each applies and what it does."
    )
    domain: Domain | None = Field(
        default=None,
        description=(
            "Client entries: the functional domain the activity mainly demands; readiness "
            "(min_developmental_age) is judged on the client's developmental age there."
        ),
    )
    works_on: tuple[ItemId, ...] = Field(
        default=(), description="The items (of the 32) it mainly works on; relevance uses them."
    )
    ages: AgeRange = Field(
        default=AgeRange(), description="Chronological ages it is built for (min inclusive)."
    )
    max_developmental_age: float | None = Field(
        default=None,
        ge=0.0,
        le=25.0,
        description="Above this developmental age it fits less well (relevance: developmental fit).",
    )
    older_form: Text | None = Field(
        default=None,
        description="How to offer it to a teen or adult in an age-respectful form.",
    )
    overlap: tuple[SnakeId, ...] = Field(
        default=(),
        description=(
            "Overlap groups (one name or a list): a plan keeps at most one active entry of "
            "each group, so an entry in two groups excludes the members of both."
        ),
    )
    responsible: tuple[Responsible, ...] = Field(
        default=(), description="Who carries it out (caregiver, teacher, therapist, ...)."
    )
    review: Text | None = Field(default=None, description="What to look for at review.")
    fade_note: Text | None = Field(
        default=None,
        description=(
            "How to fade it when a follow-up no longer calls for it (added to the fade's "
            "reason), e.g. taper an aide over weeks with the same adult."
        ),
    )
    cmr_gated_from_age: float = Field(
        default=0.0,
        ge=0.0,
        le=99.0,
        description=(
            "Cognitive entries: the CMR gate applies from this chronological age (e.g. play-based "
            "language work for preschoolers is not cognitive-predominant)."
        ),
    )
    sustained_relational: bool = Field(
        default=False,
        description=(
            "Relate entries that need sustained relational interaction: held as the next step "
            "while the lower levels are significantly impaired and the CMR is below 1.0."
        ),
    )
    interest_tags: tuple[Tag, ...] = Field(
        default=(), description="Lowercase words matched against a client's interests."
    )
    evidence: Evidence

    @field_validator("overlap", mode="before")
    @classmethod
    def _one_or_more_groups(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator(
        "targets", "domains", "settings", "interest_tags", "works_on", "responsible", "overlap"
    )
    @classmethod
    def _listed_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _no_repeats(value)

    @field_validator("settings")
    @classmethod
    def _has_a_setting(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(
                "give at least one setting (home, school, clinic, community, residential)"
            )
        return value

    @model_validator(mode="after")
    def _phase_matches_audience_and_mode(self) -> Intervention:
        if self.audience == "client":
            expected = PHASE_FOR_MODE.get(self.mode)
            if expected is None:
                raise ValueError(
                    f"mode '{self.mode}' is for family or therapeutic_web entries; "
                    "a client entry is somatosensory, relational or cognitive"
                )
            if self.phase is None:
                raise ValueError(
                    f"a client entry needs a phase; mode '{self.mode}' means phase '{expected}'"
                )
            if self.phase != expected:
                raise ValueError(
                    f"phase '{self.phase}' does not match mode '{self.mode}'; "
                    f"a {self.mode} client entry has phase '{expected}'"
                )
        else:
            if self.phase is not None:
                raise ValueError(
                    f"phase is only for client entries; set phase to null for "
                    f"audience '{self.audience}'"
                )
            if self.mode not in ("systemic", "relational"):
                raise ValueError(
                    f"mode '{self.mode}' is for client entries; audience "
                    f"'{self.audience}' uses mode systemic or relational"
                )
        return self

    @model_validator(mode="after")
    def _domain_among_domains(self) -> Intervention:
        # domain and works_on are optional so that catalogues written before
        # them still load (domain then defaults to the first of domains, and an
        # entry without works_on gets no need in its relevance); the bundled
        # catalogue gives both for every client entry (tests/catalog).
        if self.domain is not None and self.domains and self.domain not in self.domains:
            raise ValueError(f"domain '{self.domain}' is not among domains {list(self.domains)}")
        return self

    @property
    def demanded_domain(self) -> Domain | None:
        """The domain whose developmental age the activity demands (default: its first)."""
        return self.domain or (self.domains[0] if self.domains else None)

    @property
    def all_cautions(self) -> tuple[Caution, ...]:
        """Structured cautions, then the prose contraindications as 'always' cautions."""
        prose = tuple(
            Caution.model_validate({"if": "always", "then": "caution", "text": line})
            for line in self.contraindications
        )
        return self.cautions + prose

    @property
    def is_cognitive_predominant(self) -> bool:
        """True for client work that needs cortical capacity (the CMR gate applies)."""
        return self.audience == "client" and self.mode == "cognitive"


DUPLICATE_ID_MESSAGE = "duplicate intervention id"
"""Start of the message for a repeated id; the loader replaces it with located problems."""


class Catalog(BaseModel):
    """The whole catalogue: a schema tag, a version and uniquely named interventions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_: Literal["neuroseq/catalog/v1"] = Field(alias="schema")
    version: Text
    interventions: tuple[Intervention, ...]

    @field_validator("interventions")
    @classmethod
    def _ids_are_unique(cls, value: tuple[Intervention, ...]) -> tuple[Intervention, ...]:
        # Checked here, not with min_length: pydantic reports a too-short
        # tuple whenever any entry fails, which would mislead.
        if not value:
            raise ValueError("the catalogue needs at least one intervention")
        first: dict[str, int] = {}
        problems: list[str] = []
        for index, item in enumerate(value):
            if item.id in first:
                problems.append(
                    f"{DUPLICATE_ID_MESSAGE} '{item.id}' at interventions[{index}] "
                    f"(first at interventions[{first[item.id]}]); ids must be unique"
                )
            else:
                first[item.id] = index
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @property
    def ids(self) -> tuple[str, ...]:
        """Every intervention id, in file order."""
        return tuple(item.id for item in self.interventions)

    @functools.cached_property
    def _by_id(self) -> dict[str, Intervention]:
        return {item.id: item for item in self.interventions}

    def find(self, intervention_id: str) -> Intervention | None:
        """The intervention with this id, or None."""
        return self._by_id.get(intervention_id)

    def get(self, intervention_id: str) -> Intervention:
        """The intervention with this id; an unknown id raises :class:`CatalogError`."""
        item = self.find(intervention_id)
        if item is None:
            close = difflib.get_close_matches(intervention_id, self.ids, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise CatalogError(f"unknown intervention id {intervention_id!r}{hint}")
        return item

    def __contains__(self, intervention_id: object) -> bool:
        return isinstance(intervention_id, str) and intervention_id in self._by_id
