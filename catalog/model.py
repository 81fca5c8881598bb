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
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from neuroseq.errors import CatalogError

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
    "Audience",
    "Catalog",
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

Audience = Literal["client", "family", "therapeutic_web"]
Mode = Literal["somatosensory", "relational", "cognitive", "systemic"]
Phase = Literal["regulate", "relate", "reason"]
Region = Literal["brainstem", "diencephalon_cerebellum", "limbic", "cortex", "frontal_cortex"]
Domain = Literal["sensory_integration", "self_regulation", "relational", "cognitive"]
Setting = Literal["home", "school", "clinic", "community", "residential"]

AUDIENCES: tuple[Audience, ...] = ("therapeutic_web", "family", "client")
"""Audiences in the order a plan lists them."""
MODES: tuple[Mode, ...] = ("somatosensory", "relational", "cognitive", "systemic")
PHASES: tuple[Phase, ...] = ("regulate", "relate", "reason")
"""Client phases in sequence order: regulate, then relate, then reason."""
REGIONS: tuple[Region, ...] = (
    "brainstem",
    "diencephalon_cerebellum",
    "limbic",
    "cortex",
    "frontal_cortex",
)
DOMAINS: tuple[Domain, ...] = ("sensory_integration", "self_regulation", "relational", "cognitive")
SETTINGS: tuple[Setting, ...] = ("home", "school", "clinic", "community", "residential")

PHASE_FOR_MODE: dict[str, Phase] = {
    "somatosensory": "regulate",
    "relational": "relate",
    "cognitive": "reason",
}
"""For client entries the phase follows from the mode; systemic work is never a client phase."""

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
    contraindications: tuple[Text, ...] = ()
    interest_tags: tuple[Tag, ...] = Field(
        default=(), description="Lowercase words matched against a client's interests."
    )
    evidence: Evidence

    @field_validator("targets", "domains", "settings", "interest_tags")
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
