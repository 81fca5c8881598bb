"""JSON Schemas of neuroseq's output documents: scores, compare and cce.

Each document is described by a pydantic model here, and ``neuroseq schema
scores|compare|cce`` prints its JSON Schema; tests validate real output
against these models, so a schema cannot drift from what is written. The
scores document (``score --format json``) is closed: every key is listed.
The compare and cce documents list the keys a reader can rely on and allow
more (reports may add keys; CASE_FORMAT.md: "more may be added").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from neuroseq.engine.plan_model import Recommendation
from neuroseq.scoring.items import ItemId, Region
from neuroseq.scoring.norms import Band, CmrBand, Domain, Impairment, RiskCategory
from neuroseq.vocabulary import Period

__all__ = ["CceDocument", "CompareDocument", "ScoresDocument", "output_models"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


Number = Annotated[float, Field(description="rounded to 2 decimals")]


class ItemScoreJson(_Closed):
    """One function: the client's score beside the typical score for age."""

    score: float = Field(description="0-12 in half points")
    typical: Number = Field(description="the typical score for the client's age")
    ratio: Number = Field(description="score / typical, 2 decimals (the labels use it so)")
    band: Band = Field(description="colour band against a fully organised young adult")
    impairment: Impairment = Field(description="against typical for age")


class GroupScoreJson(_Closed):
    """A region or domain: sums, ratio, impairment and developmental age."""

    score: float = Field(description="sum of the client's item scores")
    typical: Number = Field(description="sum of the typical item scores for age")
    ratio: Number
    impairment: Impairment
    developmental_age: Number = Field(
        description="years; the chronological age when the group is typical for age"
    )
    at_or_above_age: bool = Field(description="the client reaches the typical sum")
    at_or_near_age: bool = Field(description="the group is rated typical for age")


class RiskJson(_Closed):
    """Developmental risk from the history (Parts A and B)."""

    overall: RiskCategory | Literal["not_assessed"]
    overall_value: float | None
    overall_period: Period | None
    periods: dict[Period, RiskCategory]
    values: dict[Period, float]


class ScoresJson(_Closed):
    """The ``scores`` object, as in a plan (CASE_FORMAT.md)."""

    age: Number
    cmr: Number = Field(description="cortical modulation ratio")
    cmr_typical: Number = Field(description="the CMR of a typical peer of the same age")
    cmr_band: CmrBand
    items: dict[ItemId, ItemScoreJson]
    regions: dict[Region, GroupScoreJson]
    domains: dict[Domain, GroupScoreJson]
    risk: RiskJson


class ScoresDocument(_Closed):
    """What ``neuroseq score --format json`` writes."""

    schema_: Literal["neuroseq/scores/v1"] = Field(alias="schema")
    client_id: str
    metric: Literal["full", "follow_up", "er"]
    scores: ScoresJson


class CompareAssessment(_Open):
    """One assessment in a comparison, in time order."""

    index: int
    path: str
    assessment_date: str | None
    age: float
    metric: Literal["full", "follow_up", "er"]
    cmr: float
    cmr_typical: float
    cmr_band: CmrBand
    start_phase: str | None
    actions: dict[str, str] = Field(description="intervention id -> action in that plan")


class CompareItem(_Open):
    """One function across the assessments (scores as text: '6.5')."""

    number: int
    id: ItemId
    region: Region
    scores: list[str]
    bands: list[Band]
    typical: str
    change: str


class CompareGroup(_Open):
    """A region or domain across the assessments."""

    id: str
    title: str
    scores: list[str]
    typical: str
    percents: list[str]
    developmental_ages: list[str]
    score_change: str
    developmental_age_change: str


class CompareCmr(_Open):
    """The CMR at each assessment."""

    values: list[float]
    change: float
    typical_latest: float


class CompareDocument(_Open):
    """What ``neuroseq compare --format json`` writes."""

    schema_: Literal["neuroseq/compare/v1"] = Field(alias="schema")
    client_id: str
    typical_age: float
    assessments: list[CompareAssessment] = Field(min_length=1)
    items: list[CompareItem]
    regions: list[CompareGroup]
    domains: list[CompareGroup]
    cmr: CompareCmr
    plan_changes: list[dict[str, Any]] = Field(
        description="per step from one assessment to the next: resumed, suspended, new, "
        "stopped and changed interventions"
    )


class Provenance(_Open):
    """A data file's version and sha256."""

    version: str
    sha256: str


class CceScores(_Open):
    """The caregiving reserve and its parts."""

    resources: float
    reserve: float
    category: Literal["depleted", "strained", "adequate", "strong"]


class CceDocument(_Open):
    """What ``neuroseq cce --format json`` writes."""

    schema_: Literal["neuroseq/cce/v1"] = Field(alias="schema")
    caregiver_id: str
    placement_type: str
    weights: Provenance
    rulebase: Provenance
    catalog: Provenance
    scores: CceScores = Field(
        description="internal and external resources, challenge, reserve and its category"
    )
    recommendations: list[Recommendation]


def output_models() -> dict[str, type[BaseModel]]:
    """The output documents ``neuroseq schema`` knows, by kind."""
    return {"scores": ScoresDocument, "compare": CompareDocument, "cce": CceDocument}
