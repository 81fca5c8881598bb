"""The plan contract: ``schema: neuroseq/plan/v1`` (CASE_FORMAT.md).

A :class:`Plan` is what ``neuroseq plan --format json`` writes and what the
reports render. It carries the versions and hashes of the rule base and the
catalogue that produced it, the scores, and every recommendation with its
rule, facts, thresholds and source. Nothing in it depends on the time or on
chance, so the same case and rule base give a byte-identical plan.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from neuroseq.vocabulary import STATEMENT, Action, Audience, CmrBand, Phase

__all__ = [
    "Considered",
    "NotStarted",
    "Overruled",
    "Plan",
    "Reassessment",
    "Recommendation",
    "Relevance",
    "SixRs",
    "Stop",
    "Summary",
    "Versioned",
    "construct",
]


_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__


def construct(model: type[_M], values: dict[str, Any]) -> _M:
    """An instance of ``model`` from values already known to be valid, without validation.

    The same object ``model.model_construct(**values)`` builds when ``values`` names
    every field (tests compare the two), at a sixth of the cost; the planner builds
    tens of items per case. ``values`` becomes the instance's ``__dict__``.
    """
    instance = model.__new__(model)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", set(values))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Versioned(_Model):
    """The version and sha256 of a rule base or catalogue."""

    version: str
    sha256: str


class SixRs(_Model):
    """The 6 R's of an intervention (from the catalogue)."""

    relational: bool
    relevant: bool
    repetitive: bool
    rewarding: bool
    rhythmic: bool
    respectful: bool


class Overruled(_Model):
    """A rule that also fired for this intervention but lost under the conflict policy."""

    rule: str
    action: str


class Relevance(_Model):
    """How well a client item fits this client: the score and its five weighted parts.

    Each part is 0-1; ``score`` is the weighted sum (weights: the rule base's
    ``planning.relevance``). rules/README.md section 9 writes the formula out.
    """

    score: float
    need: float = Field(
        description="Relative deficit of the items it works on, toward the lowest impaired level."
    )
    interest: float = Field(description="1 when it fits one of the client's interests.")
    settings: float = Field(
        description="1 in a daily setting the client has, 0.5 clinic or community only."
    )
    fit: float = Field(description="Developmental fit in the domain it demands.")
    priority: float = Field(description="The deciding rule's priority / 100.")


class Recommendation(_Model):
    """One line of the plan: an action on one intervention, with its full trace."""

    rank: int
    audience: Audience
    domain: str | None
    phase: Phase | None
    action: Action
    intervention: str
    name: str
    summary: str
    rule: str
    rule_title: str
    rationale: str
    facts: list[dict[str, Any]]
    six_rs: SixRs
    dosing: dict[str, str]
    settings: list[str]
    priority: int
    source: str
    evidence: str
    supporting_rules: list[str] = Field(default_factory=list)
    overruled: list[Overruled] = Field(default_factory=list)
    works_on: list[str] = Field(
        default_factory=list, description="The items (of the 32) the activity mainly works on."
    )
    relevance: Relevance | None = Field(
        default=None, description="Client items: how well it fits this client (null otherwise)."
    )
    standing: str = Field(
        default="",
        description=(
            "Client items: the item's standing among the plan's items of its phase, e.g. "
            "'ranks 2 of 5 active regulate items by relevance (0.81)' (explain and the audit "
            "sections show it; it is not part of the rationale)."
        ),
    )
    stage: int | None = Field(
        default=None,
        description=(
            "Cognitive-predominant work restarting while the CMR allows brief segments only: "
            "1 starts now, 2 starts after the review named in the item's notes (null when the "
            "plan does not stage; rule base planning.staging)."
        ),
    )
    cautions: list[str] = Field(
        default_factory=list, description="The catalogue cautions that apply to this client."
    )
    responsible: list[str] = Field(
        default_factory=list, description="Who carries it out, the main one first."
    )
    review: str = Field(default="", description="What to look for at review.")
    notes: list[str] = Field(
        default_factory=list,
        description="Age-respectful form, follow-up questions and other notes for this item.",
    )
    six_rs_how: dict[str, str] = Field(
        default_factory=dict,
        description="How this plan meets each of the 6 R's (empty for gated items).",
    )


class Considered(_Model):
    """A candidate the plan left out, with its relevance and the reason it lost."""

    intervention: str
    name: str
    audience: Audience
    phase: Phase | None
    relevance: float | None
    reason: Literal[
        "budget",
        "phase_limit",
        "overlap",
        "contraindicated",
        "not_ready",
        "declined",
        "outside_age_range",
    ]
    detail: str
    rule: str = Field(description="The rule whose decision it was (the winning rule).")


class Stop(_Model):
    """Something the plan suspends, defers, avoids or fades, and why."""

    intervention: str
    name: str
    action: Literal["suspend", "defer", "avoid", "fade"]
    reason: str
    rule: str | None = Field(default=None, description="The deciding rule (none for a fade).")


class NotStarted(_Model):
    """An earlier plan's item that the case does not list as current: ask, do not continue."""

    intervention: str
    name: str
    previous_action: str
    note: str


class Reassessment(_Model):
    """When to look again, and the items to watch."""

    due: str | None = Field(description="YYYY-MM-DD, from the assessment date; null without one.")
    months: int
    watch: list[str]


class Summary(_Model):
    """What the plan is built on, in one place."""

    lowest_impaired_level: str | None = Field(
        description="The region the client sequence starts at (null when none is significantly impaired)."
    )
    start_phase: Phase | None
    start_reason: str | None = Field(
        default=None,
        description=(
            "Why the client sequence starts where it does: the lowest significantly impaired "
            "level, or a severe single function below it (null when nothing is significantly impaired)."
        ),
    )
    start_items: list[str] = Field(
        default_factory=list,
        description=(
            "Severe single functions (rule base planning.start_items) that start the sequence "
            "below the lowest significantly impaired region, if any."
        ),
    )
    cmr: float
    cmr_gate: CmrBand
    provisional: str | None = Field(
        default=None,
        description=(
            "ER snapshots: the scores were taken in crisis and are provisional, and what to do "
            "about it (null for full and follow-up assessments)."
        ),
    )
    worst_items: list[str]
    active_items: dict[str, int] = Field(
        description="Active items (recommend, continue, resume) per audience."
    )


class Plan(_Model):
    """A sequenced, explained treatment plan for one assessment."""

    schema_: Literal["neuroseq/plan/v1"] = Field(default="neuroseq/plan/v1", alias="schema")
    client_id: str
    metric: Literal["full", "follow_up", "er"]
    age: float
    generator: str
    statement: str = STATEMENT
    rulebase: Versioned
    catalog: Versioned
    norms: Versioned
    case: Versioned | None = Field(
        default=None,
        description="The input case: its schema and the sha256 of the bytes it was read from.",
    )
    caregiver_weights: Versioned | None = Field(
        default=None,
        description="With a caregiver file: the version and sha256 of the weights that scored it.",
    )
    start_phase: Phase | None
    scores: dict[str, Any]
    recommendations: list[Recommendation]
    summary: Summary | None = None
    stop: list[Stop] = Field(
        default_factory=list,
        description="What the plan suspends, defers, avoids or fades, and why.",
    )
    not_started: list[NotStarted] = Field(default_factory=list)
    reassessment: Reassessment | None = None
    also_considered: list[Considered] = Field(
        default_factory=list,
        description="Candidates left out, with their relevance and the reason, best first.",
    )
    previous: dict[str, Any] | None = None
    caregiver: dict[str, Any] | None = Field(
        default=None,
        description="The home's caregiving reserve (plan --caregiver): the caregiver fact the family rules saw.",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """The plan as plain JSON data, keys in contract order."""
        return self.model_dump(by_alias=True, mode="json")
