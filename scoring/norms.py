"""The scoring norms: ``schema: neuroseq/norms/v1`` (the bundled ``scoring/norms.yaml``).

Every number scoring uses lives in one data file a trainer can change: the
maturation curves of the five regions, the published typical 9-year-old
column, the colour bands, the impairment cut-offs, the domain map, the
cortical modulation ratio (CMR) constants and the developmental-risk weights
(DOMAIN.md section 3). :func:`load_norms` reads it strictly and reports every
problem as a :class:`~neuroseq.errors.NormsError` located by ``file:line``;
the bundled file is loaded once and cached.

A validated :class:`Norms` answers the questions scoring asks: the fraction
of adult capacity of a region at an age, the typical score of an item for an
age, the band of a score, the impairment of a ratio, and the inverse of the
norm curve (the developmental age equivalent of a group of items).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from neuroseq.errors import NormsError
from neuroseq.scoring.items import ITEM_IDS, ITEMS, REGIONS, Region
from neuroseq.source import (
    SourceDocument,
    document_from_bytes,
    field_path,
    read_source,
    validate_document,
)
from neuroseq.vocabulary import (
    BANDS,
    CMR_BANDS,
    DOMAINS,
    IMPAIRMENTS,
    Band,
    CmrBand,
    Domain,
    Impairment,
)

__all__ = [
    "BANDS",
    "CMR_BANDS",
    "DOMAINS",
    "IMPAIRMENTS",
    "RATIO_DECIMALS",
    "RISK_CATEGORIES",
    "Band",
    "BandStart",
    "CategoryStart",
    "CmrBand",
    "CmrSettings",
    "Curves",
    "Domain",
    "Domains",
    "Impairment",
    "ImpairmentCutoffs",
    "Maturation",
    "NormTables",
    "Norms",
    "PatternFactors",
    "RiskCategory",
    "RiskSettings",
    "TimingWeights",
    "TypicalColumn",
    "consistency_problems",
    "default_norms",
    "load_norms",
    "norms_from_document",
    "region_fraction",
    "typical_item",
]


RiskCategory = Literal["low", "moderate", "high", "very_high"]
RISK_CATEGORIES: tuple[RiskCategory, ...] = ("low", "moderate", "high", "very_high")

_ITEM_SET = frozenset(ITEM_IDS)
_ITEM_INDEX: Mapping[str, int] = {item_id: index for index, item_id in enumerate(ITEM_IDS)}
_REGION_OF_ITEM: tuple[int, ...] = tuple(REGIONS.index(item.region) for item in ITEMS)
_TYPICAL_CACHE_SIZE = 1024

RATIO_DECIMALS = 2
"""Ratios to typical are shown, and compared with the impairment cut-offs, to 2 places."""

PathKey = tuple[str | int, ...]

Fraction = Annotated[float, Field(gt=0, le=1, strict=True)]
"""A share of adult capacity or a cut-off ratio, in (0, 1]."""
Weight = Annotated[float, Field(ge=0, le=1, strict=True)]
"""A weight or factor in [0, 1]."""
Start = Annotated[float, Field(ge=0, strict=True)]
Positive = Annotated[float, Field(gt=0, strict=True)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Curves(_Frozen):
    """Fraction of adult capacity of each region at each anchor age (never decreasing)."""

    brainstem: tuple[Fraction, ...]
    diencephalon_cerebellum: tuple[Fraction, ...]
    limbic: tuple[Fraction, ...]
    cortex: tuple[Fraction, ...]
    frontal_cortex: tuple[Fraction, ...]

    def of(self, region: Region) -> tuple[float, ...]:
        """The curve of one region."""
        curve: tuple[float, ...] = getattr(self, region)
        return curve


class Maturation(_Frozen):
    """Anchor ages (years, increasing from 0) and the region curves through them."""

    anchor_ages: tuple[Annotated[float, Field(ge=0, le=99, strict=True)], ...] = Field(min_length=2)
    curves: Curves


class TypicalColumn(_Frozen):
    """The published typical scores of a same-age peer at one reference age (9)."""

    age: Annotated[float, Field(gt=0, le=99, strict=True)]
    items: dict[str, Positive]


class BandStart(_Frozen):
    """A colour band starts at ``from`` and runs up to the next band's ``from``."""

    band: Band
    from_: Start = Field(alias="from")


class ImpairmentCutoffs(_Frozen):
    """Ratios to typical-for-age below which a score is significantly/moderately impaired."""

    significant_below: Fraction
    moderate_below: Fraction


class Domains(_Frozen):
    """The item ids of each functional domain; every item is in exactly one."""

    sensory_integration: tuple[str, ...] = Field(min_length=1)
    self_regulation: tuple[str, ...] = Field(min_length=1)
    relational: tuple[str, ...] = Field(min_length=1)
    cognitive: tuple[str, ...] = Field(min_length=1)

    def of(self, domain: Domain) -> tuple[str, ...]:
        """The item ids of one domain, as listed in the norms file."""
        ids: tuple[str, ...] = getattr(self, domain)
        return ids


class CmrSettings(_Frozen):
    """Which regions the cortical modulation ratio compares, its floor and thresholds."""

    numerator_regions: tuple[Region, ...] = Field(min_length=1)
    denominator_regions: tuple[Region, ...] = Field(min_length=1)
    deficit_floor: Positive
    brief_segments_from: Positive
    available_from: Positive


class PatternFactors(_Frozen):
    """How much of an adversity's severity counts, by its pattern."""

    none: Weight
    single: Weight
    episodic: Weight
    chronic: Weight


class TimingWeights(_Frozen):
    """How much each developmental period weighs in developmental risk."""

    perinatal: Weight
    infancy: Weight
    early_childhood: Weight
    childhood: Weight
    adolescence: Weight
    adulthood: Weight


class CategoryStart(_Frozen):
    """A risk category starts at ``from`` and runs up to the next category's ``from``."""

    category: RiskCategory
    from_: Start = Field(alias="from")


class RiskSettings(_Frozen):
    """Developmental risk: pattern factors, timing weights and categories."""

    pattern_factors: PatternFactors
    timing_weights: TimingWeights
    categories: tuple[CategoryStart, ...] = Field(min_length=1)


class NormTables:
    """Numbers precomputed from validated norms so that scoring one case stays fast.

    Read-only by convention; get it from :attr:`Norms.tables`. Items are
    addressed by their index in map order (``ITEM_IDS``), regions by their
    index in ``REGIONS``.
    """

    __slots__ = (
        "adult",
        "anchors",
        "band_starts",
        "breakpoints",
        "category_starts",
        "curve_cache",
        "curves",
        "cmr_cutoffs",
        "cmr_denominator",
        "cmr_numerator",
        "deficit_floor",
        "domain_indices",
        "impairment_cutoffs",
        "reference_age",
        "reference_fraction",
        "region_indices",
        "typical_cache",
        "typical_reference",
    )

    def __init__(self, norms: Norms) -> None:
        self.anchors = tuple(norms.maturation.anchor_ages)
        self.curves = tuple(norms.maturation.curves.of(region) for region in REGIONS)
        self.adult = norms.adult_score
        self.reference_age = norms.typical.age
        self.reference_fraction = tuple(
            self.fraction(index, self.reference_age) for index in range(len(REGIONS))
        )
        self.typical_reference = tuple(float(norms.typical.items[i]) for i in ITEM_IDS)
        self.breakpoints = tuple(sorted({*self.anchors, self.reference_age}))
        self.band_starts = tuple(start.from_ for start in norms.bands)
        self.category_starts = tuple(start.from_ for start in norms.risk.categories)
        self.impairment_cutoffs = (
            norms.impairment.significant_below,
            norms.impairment.moderate_below,
        )
        self.cmr_cutoffs = (norms.cmr.brief_segments_from, norms.cmr.available_from)
        self.region_indices: Mapping[Region, tuple[int, ...]] = MappingProxyType(
            {
                region: tuple(i for i, item in enumerate(ITEMS) if item.region == region)
                for region in REGIONS
            }
        )
        self.domain_indices: Mapping[Domain, tuple[int, ...]] = MappingProxyType(
            {
                domain: tuple(sorted(_ITEM_INDEX[i] for i in norms.domains.of(domain)))
                for domain in DOMAINS
            }
        )
        self.cmr_numerator = tuple(
            i for region in norms.cmr.numerator_regions for i in self.region_indices[region]
        )
        self.cmr_denominator = tuple(
            i for region in norms.cmr.denominator_regions for i in self.region_indices[region]
        )
        self.deficit_floor = norms.cmr.deficit_floor
        self.typical_cache: dict[float, tuple[float, ...]] = {}
        self.curve_cache: dict[tuple[int, ...], tuple[tuple[float, float], ...]] = {}

    def fraction(self, region_index: int, age: float) -> float:
        """Fraction of adult capacity of a region at ``age``, linear between anchors."""
        anchors, curve = self.anchors, self.curves[region_index]
        if age >= anchors[-1]:
            return curve[-1]
        upper = bisect_right(anchors, age)
        lo, hi = anchors[upper - 1], anchors[upper]
        start, end = curve[upper - 1], curve[upper]
        return start + (end - start) * (age - lo) / (hi - lo)

    def typical(self, age: float) -> tuple[float, ...]:
        """Typical scores of the 32 items at ``age`` (years, >= 0), cached per age."""
        cached = self.typical_cache.get(age)
        if cached is not None:
            return cached
        fractions = tuple(self.fraction(index, age) for index in range(len(REGIONS)))
        values: list[float] = []
        for value, region in zip(self.typical_reference, _REGION_OF_ITEM, strict=True):
            now, ref = fractions[region], self.reference_fraction[region]
            if age <= self.reference_age:
                values.append(value * (now / ref))
            elif ref >= 1.0:
                values.append(value)
            else:
                values.append(value + (self.adult - value) * (now - ref) / (1.0 - ref))
        result = tuple(values)
        if len(self.typical_cache) >= _TYPICAL_CACHE_SIZE:
            self.typical_cache.clear()
        self.typical_cache[age] = result
        return result

    def band(self, score: float) -> Band:
        """The colour band of an item score."""
        return BANDS[max(0, bisect_right(self.band_starts, score) - 1)]

    def impairment(self, ratio: float) -> Impairment:
        """Impairment given a ratio to the typical score for age.

        The ratio is compared as it is shown (rounded to :data:`RATIO_DECIMALS`
        places), so every ratio printed as 0.70 gets the same label: 7 / 10 and
        6.999 / 10 are both "moderate" at a 0.70 cut-off, never one of each.
        """
        significant, moderate = self.impairment_cutoffs
        ratio = round(ratio, RATIO_DECIMALS)
        if ratio < significant:
            return "significant"
        if ratio < moderate:
            return "moderate"
        return "typical"

    def cmr_band(self, cmr: float) -> CmrBand:
        """What a cortical modulation ratio allows."""
        brief, available = self.cmr_cutoffs
        if cmr < brief:
            return "deferred"
        if cmr < available:
            return "brief_segments"
        return "available"

    def risk_category(self, value: float) -> RiskCategory:
        """The category of a developmental risk value."""
        return RISK_CATEGORIES[max(0, bisect_right(self.category_starts, value) - 1)]

    def cortical_modulation_ratio(self, values: Sequence[float]) -> float:
        """CMR of 32 item scores in map order.

        Mean score of the numerator regions' items divided by the mean deficit
        (adult score - score) of the denominator regions' items, that mean
        deficit floored at ``deficit_floor``.
        """
        top = sum(values[i] for i in self.cmr_numerator) / len(self.cmr_numerator)
        deficit = sum(self.adult - values[i] for i in self.cmr_denominator) / len(
            self.cmr_denominator
        )
        return top / max(self.deficit_floor, deficit)

    def curve(self, indices: tuple[int, ...]) -> tuple[tuple[float, float], ...]:
        """The typical sum of ``indices`` at every breakpoint age; linear in between."""
        cached = self.curve_cache.get(indices)
        if cached is None:
            cached = tuple(
                (age, sum(self.typical(age)[i] for i in indices)) for age in self.breakpoints
            )
            if len(self.curve_cache) >= _TYPICAL_CACHE_SIZE:
                self.curve_cache.clear()
            self.curve_cache[indices] = cached
        return cached

    def developmental_age(
        self, indices: tuple[int, ...], score_sum: float, typical_sum: float, age: float
    ) -> tuple[float, bool]:
        """``(developmental age, at or above age)`` of items scoring ``score_sum`` in total.

        ``typical_sum`` is the typical sum of the same items at ``age``.
        """
        # The typical sum of a group is piecewise linear in age with breaks at
        # the anchor ages and the reference age, so the inverse is exact: the
        # first age in [0, age] at which the typical sum reaches score_sum.
        if score_sum >= typical_sum - 1e-9 * max(1.0, abs(typical_sum)):
            return age, True
        points = self.curve(indices)
        previous_age, previous_sum = points[0]
        if score_sum <= previous_sum:
            return 0.0, False
        for point_age, point_sum in points[1:]:
            if point_age >= age:
                point_age, point_sum = age, typical_sum
            if point_sum >= score_sum:
                share = (score_sum - previous_sum) / (point_sum - previous_sum)
                return min(age, previous_age + share * (point_age - previous_age)), False
            previous_age, previous_sum = point_age, point_sum
        return age, False  # pragma: no cover - typical_sum > score_sum ends the loop above


class Norms(_Frozen):
    """Validated scoring norms; the methods answer scoring's questions for any age."""

    schema_: Literal["neuroseq/norms/v1"] = Field(alias="schema")
    version: Annotated[str, Field(min_length=1, max_length=64, strict=True)]
    adult_score: Annotated[float, Field(gt=0, le=100, strict=True)]
    maturation: Maturation
    typical: TypicalColumn
    bands: tuple[BandStart, ...] = Field(min_length=1)
    impairment: ImpairmentCutoffs
    domains: Domains
    cmr: CmrSettings
    risk: RiskSettings

    _tables: NormTables = PrivateAttr()
    _source: str = PrivateAttr(default="")
    _sha256: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _consistent(self) -> Norms:
        problems = consistency_problems(self.model_dump(by_alias=True))
        if problems:
            raise ValueError("; ".join(f"{field_path(key)}: {text}" for key, text in problems))
        self._tables = NormTables(self)
        return self

    @property
    def tables(self) -> NormTables:
        """Precomputed lookups for fast scoring (fetch once per case in hot loops)."""
        return self._tables

    @property
    def source(self) -> str:
        """The file these norms were read from ('' when built in memory)."""
        return self._source

    @property
    def sha256(self) -> str:
        """SHA-256 of the file's bytes ('' when built in memory)."""
        return self._sha256

    def fraction(self, region: Region, age: float) -> float:
        """Fraction of adult capacity of ``region`` at ``age`` (linear between anchors)."""
        return self._tables.fraction(REGIONS.index(region), _checked_age(age))

    def typical_item(self, item_id: str, age: float) -> float:
        """Typical score of one item for ``age`` (DOMAIN.md section 3)."""
        return self._tables.typical(_checked_age(age))[_item_index(item_id)]

    def typical_values(self, age: float) -> tuple[float, ...]:
        """Typical scores of all 32 items for ``age``, in map order (cached per age)."""
        return self._tables.typical(_checked_age(age))

    def typical_scores(self, age: float) -> dict[str, float]:
        """Typical scores of all 32 items for ``age``, by item id (a new dict)."""
        return dict(zip(ITEM_IDS, self.typical_values(age), strict=True))

    def band(self, score: float) -> Band:
        """The colour band of an item score (a band runs up to the next one's start)."""
        return self._tables.band(score)

    def impairment_of(self, ratio: float) -> Impairment:
        """Impairment of a score given its ratio to the typical score for age."""
        return self._tables.impairment(ratio)

    def cmr_band(self, cmr: float) -> CmrBand:
        """What a cortical modulation ratio allows for cognitive-predominant work."""
        return self._tables.cmr_band(cmr)

    def risk_category(self, value: float) -> RiskCategory:
        """The category of a developmental risk value."""
        return self._tables.risk_category(value)

    def domain_items(self, domain: Domain) -> tuple[str, ...]:
        """The item ids of a domain, in map order."""
        return tuple(ITEM_IDS[i] for i in self._tables.domain_indices[domain])

    def developmental_age(
        self, item_ids: Iterable[str], score_sum: float, age: float
    ) -> tuple[float, bool]:
        """Age equivalent of a group of items scoring ``score_sum`` in total.

        Returns ``(developmental_age, at_or_above_age)``: the first age at which
        the typical sum of the items reaches ``score_sum``; the chronological
        age itself (and True) when the client reaches the typical sum for
        their age; 0.0 below the typical sum at birth.
        """
        age = _checked_age(age)
        indices = tuple(_item_index(item_id) for item_id in item_ids)
        typical = self._tables.typical(age)
        typical_sum = sum(typical[i] for i in indices)
        return self._tables.developmental_age(indices, score_sum, typical_sum, age)


def _checked_age(age: float) -> float:
    if not isinstance(age, int | float) or math.isnan(age) or age < 0:
        raise ValueError(f"age must be a number of years, 0 or more (got {age!r})")
    return float(age)


def _item_index(item_id: str) -> int:
    try:
        return _ITEM_INDEX[item_id]
    except KeyError:
        raise ValueError(_unknown_item(item_id)) from None


def _unknown_item(name: str) -> str:
    close = difflib.get_close_matches(name, ITEM_IDS, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else "; see the item ids in DOMAIN.md"
    return f"unknown item id '{name}'{hint}"


# --- consistency checks ------------------------------------------------------
#
# These run on the plain data of the file, so a file with type errors
# elsewhere still gets these problems reported, each at its own line.


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _numbers(value: Any) -> list[float] | None:
    if not isinstance(value, list | tuple):
        return None
    numbers = [_number(v) for v in value]
    if any(n is None for n in numbers):
        return None
    return [n for n in numbers if n is not None]


def consistency_problems(data: Mapping[str, Any]) -> list[tuple[PathKey, str]]:
    """Cross-field problems of a norms file's plain data, each with its key path."""
    problems: list[tuple[PathKey, str]] = []
    adult = _number(data.get("adult_score"))
    anchors = _check_anchors(data, problems)
    _check_curves(data, anchors, problems)
    reference = _number(_get(data, "typical", "age"))
    if reference is not None and anchors and reference > anchors[-1]:
        problems.append(
            (("typical", "age"), f"must lie within the anchor ages (0 to {anchors[-1]:g})")
        )
    _check_typical_items(data, adult, problems)
    _check_domains(data, problems)
    problems += _check_starts(data.get("bands"), ("bands",), "band", BANDS, adult)
    significant = _number(_get(data, "impairment", "significant_below"))
    moderate = _number(_get(data, "impairment", "moderate_below"))
    if significant is not None and moderate is not None and significant >= moderate:
        problems.append(
            (
                ("impairment", "moderate_below"),
                f"must be above significant_below ({significant:g}): moderate impairment "
                "lies between the two cut-offs",
            )
        )
    _check_cmr(data, problems)
    problems += _check_starts(
        _get(data, "risk", "categories"), ("risk", "categories"), "category", RISK_CATEGORIES
    )
    return problems


def _check_anchors(data: Mapping[str, Any], problems: list[tuple[PathKey, str]]) -> list[float]:
    """Check the anchor ages; return them when usable by the other checks, else []."""
    anchors = _numbers(_get(data, "maturation", "anchor_ages"))
    if not anchors:
        return []
    key: PathKey = ("maturation", "anchor_ages")
    usable = True
    if anchors[0] != 0:
        problems.append(((*key, 0), "the first anchor age must be 0 (birth)"))
        usable = False
    for index in range(1, len(anchors)):
        if anchors[index] <= anchors[index - 1]:
            problems.append(
                (
                    (*key, index),
                    f"anchor ages must increase; {anchors[index]:g} follows {anchors[index - 1]:g}",
                )
            )
            usable = False
    return anchors if usable else []


def _check_curves(
    data: Mapping[str, Any], anchors: list[float], problems: list[tuple[PathKey, str]]
) -> None:
    curves = _get(data, "maturation", "curves")
    if not isinstance(curves, Mapping):
        return
    for region in REGIONS:
        values = _numbers(curves.get(region))
        if values is None:
            continue
        key: PathKey = ("maturation", "curves", region)
        if not values:
            problems.append((key, "is empty; give one fraction per anchor age"))
            continue
        if anchors and len(values) != len(anchors):
            problems.append(
                (
                    key,
                    f"has {len(values)} values; give one per anchor age "
                    f"({len(anchors)}: {', '.join(f'{a:g}' for a in anchors)})",
                )
            )
        for index in range(1, len(values)):
            if values[index] < values[index - 1]:
                problems.append(
                    (
                        (*key, index),
                        f"the curve falls from {values[index - 1]:g} to {values[index]:g}; "
                        "a region does not lose capacity as it matures, so values must "
                        "not decrease",
                    )
                )
        if values[-1] != 1:
            problems.append(
                (
                    (*key, len(values) - 1),
                    f"must end at 1.0 (got {values[-1]:g}): a young adult has full capacity",
                )
            )


def _check_typical_items(
    data: Mapping[str, Any], adult: float | None, problems: list[tuple[PathKey, str]]
) -> None:
    items = _get(data, "typical", "items")
    if not isinstance(items, Mapping):
        return
    for name, value in items.items():
        key: PathKey = ("typical", "items", str(name))
        if name not in _ITEM_SET:
            problems.append((key, _unknown_item(str(name))))
        elif adult is not None and (number := _number(value)) is not None and number > adult:
            problems.append((key, f"{number:g} is above adult_score ({adult:g})"))
    for item_id in ITEM_IDS:
        if item_id not in items:
            problems.append(
                (
                    ("typical", "items", item_id),
                    f"item '{item_id}' is missing; give the typical value of all 32 items",
                )
            )


def _check_domains(data: Mapping[str, Any], problems: list[tuple[PathKey, str]]) -> None:
    domains = data.get("domains")
    if not isinstance(domains, Mapping):
        return
    seen: dict[str, str] = {}
    complete = True
    for domain in DOMAINS:
        ids = domains.get(domain)
        if not isinstance(ids, list | tuple):
            complete = False
            continue
        for index, item_id in enumerate(ids):
            if not isinstance(item_id, str):
                continue
            key: PathKey = ("domains", domain, index)
            if item_id not in _ITEM_SET:
                problems.append((key, _unknown_item(item_id)))
            elif item_id in seen:
                problems.append(
                    (
                        key,
                        f"item '{item_id}' is already in domain '{seen[item_id]}'; "
                        "each item belongs to exactly one domain",
                    )
                )
            else:
                seen[item_id] = domain
    missing = [item_id for item_id in ITEM_IDS if item_id not in seen]
    if complete and missing:
        problems.append(
            (
                ("domains",),
                f"items in no domain: {', '.join(missing)}; each item belongs to "
                "exactly one domain",
            )
        )


def _check_cmr(data: Mapping[str, Any], problems: list[tuple[PathKey, str]]) -> None:
    numerator = _get(data, "cmr", "numerator_regions")
    denominator = _get(data, "cmr", "denominator_regions")
    if isinstance(numerator, list | tuple) and isinstance(denominator, list | tuple):
        for index, region in enumerate(denominator):
            if isinstance(region, str) and region in numerator:
                problems.append(
                    (
                        ("cmr", "denominator_regions", index),
                        f"region '{region}' is also a numerator region; the two sides "
                        "of the ratio must not share regions",
                    )
                )
    for key in ("numerator_regions", "denominator_regions"):
        regions = _get(data, "cmr", key)
        if isinstance(regions, list | tuple):
            for index, region in enumerate(regions):
                if isinstance(region, str) and region in regions[:index]:
                    problems.append((("cmr", key, index), f"region '{region}' is given twice"))
    brief = _number(_get(data, "cmr", "brief_segments_from"))
    available = _number(_get(data, "cmr", "available_from"))
    if brief is not None and available is not None and brief >= available:
        problems.append(
            (
                ("cmr", "available_from"),
                f"must be above brief_segments_from ({brief:g})",
            )
        )


def _check_starts(
    value: Any,
    key: PathKey,
    name_key: str,
    names: Sequence[str],
    upper: float | None = None,
) -> list[tuple[PathKey, str]]:
    """Check a list of ``{name_key: ..., from: ...}`` bands covering 0 upwards."""
    if not isinstance(value, list | tuple) or not all(isinstance(e, Mapping) for e in value):
        return []
    problems: list[tuple[PathKey, str]] = []
    given = [entry.get(name_key) for entry in value]
    if all(name in names for name in given) and tuple(given) != tuple(names):
        problems.append((key, f"give the {name_key}s {', '.join(names)} once each, in this order"))
    starts = [_number(entry.get("from")) for entry in value]
    if starts and starts[0] is not None and starts[0] != 0:
        problems.append(
            ((*key, 0, "from"), f"the first {name_key} must start at 0 so every value has one")
        )
    for index in range(1, len(starts)):
        here, before = starts[index], starts[index - 1]
        if here is not None and before is not None and here <= before:
            problems.append(
                (
                    (*key, index, "from"),
                    f"must be above the previous {name_key}'s start ({before:g})",
                )
            )
    if upper is not None:
        for index, start in enumerate(starts):
            if start is not None and start > upper:
                problems.append(
                    (
                        (*key, index, "from"),
                        f"{start:g} is above adult_score ({upper:g}); no score could reach it",
                    )
                )
    return problems


# --- loading -------------------------------------------------------------------


def norms_from_document(doc: SourceDocument) -> Norms:
    """Validate a parsed norms document, collecting every problem in one error."""
    return validate_document(
        doc,
        Norms,
        error=NormsError,
        expected="schema, version, maturation, typical ...",
        checks=lambda data: [doc.problem(key, text) for key, text in consistency_problems(data)],
    )


def load_norms(path: Path | str | None = None) -> Norms:
    """Read and validate a norms file; ``None`` gives the bundled norms (cached)."""
    if path is None:
        return default_norms()
    raw = read_source(path, error=NormsError, contained=True)
    norms = norms_from_document(document_from_bytes(raw, str(path), error=NormsError))
    norms._source = str(path)
    norms._sha256 = hashlib.sha256(raw).hexdigest()
    return norms


@functools.lru_cache(maxsize=1)
def default_norms() -> Norms:
    """The bundled ``scoring/norms.yaml``, loaded once per process."""
    resource = resources.files("neuroseq.scoring") / "norms.yaml"
    with resources.as_file(resource) as path:
        return load_norms(path)


def region_fraction(region: Region, age: float, norms: Norms | None = None) -> float:
    """Fraction of adult capacity of ``region`` at ``age`` (bundled norms by default)."""
    return (norms or default_norms()).fraction(region, age)


def typical_item(item_id: str, age: float, norms: Norms | None = None) -> float:
    """Typical score of ``item_id`` for ``age`` (bundled norms by default)."""
    return (norms or default_norms()).typical_item(item_id, age)
