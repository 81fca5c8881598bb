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

__all__ = ["Overruled", "Plan", "Recommendation", "SixRs", "Versioned", "construct"]

STATEMENT = (
    "neuroseq is an independent implementation of published ideas (Perry & Dobson 2013), "
    "not the official NMT(TM) Metric. It is decision support: it supports, and never "
    "replaces, clinical judgement."
)


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


class Recommendation(_Model):
    """One line of the plan: an action on one intervention, with its full trace."""

    rank: int
    audience: Literal["therapeutic_web", "family", "client"]
    domain: str | None
    phase: Literal["regulate", "relate", "reason"] | None
    action: Literal["recommend", "continue", "suspend", "defer", "resume", "avoid"]
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
    start_phase: Literal["regulate", "relate", "reason"] | None
    scores: dict[str, Any]
    recommendations: list[Recommendation]
    also_considered: list[str] = Field(
        default_factory=list,
        description="New recommendations left out by the rule base's per-group limit, best first.",
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
