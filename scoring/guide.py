"""The scoring guide: how to rate each field of a case, from ``scoring/guide.yaml``.

One data file holds it (``schema: neuroseq/guide/v1``), in the project's own
words (never the official NMT™ Metric's): for each of the 32 functions what
it is, how it shows at home and at school, anchors for 0, 3, 6, 9 and 12 and a
short form for a report's key; for the history (Parts A and B) and current
relational health (Part D) what each rating means, with examples.

It is read strictly, like every other data file, and validated as complete:
every item id once, every anchor and level present. Its users are
``neuroseq items`` (:mod:`neuroseq.reports.guide_text`), the case schema's
field descriptions (:func:`field_descriptions`, used by
:mod:`neuroseq.scoring.case`) and report keys (:func:`short_forms`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from neuroseq.errors import NeuroseqError
from neuroseq.scoring.case import MEDICATION_CLASSES, SENSITIVITIES
from neuroseq.scoring.items import ITEM_IDS, ITEMS
from neuroseq.source import load_document, validate_document

__all__ = [
    "ANCHOR_SCORES",
    "Guide",
    "HistoryGuide",
    "ItemGuide",
    "RatedField",
    "RelationalHealthGuide",
    "Vocabularies",
    "Vocabulary",
    "field_descriptions",
    "item_description",
    "load_guide",
    "short_forms",
    "vocabulary_description",
]

ANCHOR_SCORES: tuple[int, ...] = (0, 3, 6, 9, 12)
"""The item scores every item's anchors describe."""
_LEVELS: tuple[int, ...] = (0, 1, 2, 3)
_PATTERNS = ("none", "single", "episodic", "chronic")

Text = Annotated[str, Field(min_length=1, max_length=600)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exact_keys(given: Mapping[Any, Any], wanted: tuple[Any, ...], what: str) -> None:
    if tuple(sorted(given, key=str)) != tuple(sorted(wanted, key=str)):
        missing = [str(k) for k in wanted if k not in given]
        extra = [str(k) for k in given if k not in wanted]
        expected = (
            f"each of the {len(wanted)} item ids"
            if len(wanted) > 12
            else f"exactly {', '.join(map(str, wanted))}"
        )
        raise ValueError(
            f"{what} must be given for {expected}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; not allowed {', '.join(extra)}" if extra else "")
        )


class ItemGuide(_Strict):
    """How to rate one of the 32 functions."""

    short: Annotated[str, Field(min_length=1, max_length=80)]
    """A few words for a report's key."""
    function: Text
    home: Text
    school: Text
    anchors: dict[int, Text]
    """What a score of 0, 3, 6, 9 and 12 looks like."""

    @model_validator(mode="after")
    def _all_anchors(self) -> ItemGuide:
        _exact_keys(self.anchors, ANCHOR_SCORES, "anchors")
        return self


class RatedField(_Strict):
    """A 0-3 rating: what it measures and what each whole level means.

    Ratings go in whole or half points; a half point is described by the
    short names of the two levels it lies between (:meth:`choices`).
    """

    description: Text
    levels: dict[int, Text]
    short: dict[int, Annotated[str, Field(min_length=1, max_length=40)]]
    """A few words per level, for the half points between levels."""

    @model_validator(mode="after")
    def _all_levels(self) -> RatedField:
        _exact_keys(self.levels, _LEVELS, "levels")
        _exact_keys(self.short, _LEVELS, "short")
        return self

    def half_point(self, low: int) -> str:
        """What ``low + 0.5`` means: between the two levels, by their short names."""
        return f"between {self.short[low]} and {self.short[low + 1]}"

    def choices(self) -> tuple[tuple[str, str], ...]:
        """Every rating from 0 to 3 in half points, as (value, what it means), in order.

        Whole points are the levels' descriptions; half points are :meth:`half_point`.
        Values are written as a case file's fields read back (``1``, ``1.5``).
        """
        found: list[tuple[str, str]] = []
        for level in _LEVELS:
            found.append((str(level), self.levels[level]))
            if level != _LEVELS[-1]:
                found.append((f"{level}.5", self.half_point(level)))
        return tuple(found)


class PatternField(_Strict):
    """How adversity came: one line per pattern."""

    description: Text
    values: dict[str, Text]

    @model_validator(mode="after")
    def _all_patterns(self) -> PatternField:
        _exact_keys(self.values, _PATTERNS, "values")
        return self


class TextField(_Strict):
    """A field that is described, not rated."""

    description: Text


class HistoryGuide(_Strict):
    """Parts A and B: one history entry per developmental period."""

    period: Text
    adversity: RatedField
    pattern: PatternField
    nature: TextField
    bonding: RatedField
    family_support: RatedField
    community_support: RatedField


class RelationalHealthFields(_Strict):
    """Part D's four ratings."""

    family: RatedField
    peers: RatedField
    school: RatedField
    community: RatedField


class RelationalHealthGuide(_Strict):
    """Part D: current relational health."""

    description: Text
    fields: RelationalHealthFields


class Vocabulary(_Strict):
    """A closed list of words a case may use, each with its meaning."""

    description: Text
    values: dict[str, Text]


class Vocabularies(_Strict):
    """The closed vocabularies of ``client.sensitivities`` and medication classes."""

    sensitivities: Vocabulary
    medication_classes: Vocabulary

    @model_validator(mode="after")
    def _match_the_case_model(self) -> Vocabularies:
        _exact_keys(self.sensitivities.values, SENSITIVITIES, "sensitivities.values")
        _exact_keys(self.medication_classes.values, MEDICATION_CLASSES, "medication_classes.values")
        return self


class Guide(_Strict):
    """The whole scoring guide, complete for all 32 items."""

    schema_: Literal["neuroseq/guide/v1"] = Field(alias="schema")
    version: Annotated[str, Field(min_length=1, max_length=64)]
    scale: Text
    anchor_levels: dict[int, Text]
    items: dict[str, ItemGuide]
    history: HistoryGuide
    relational_health: RelationalHealthGuide
    vocabularies: Vocabularies

    @model_validator(mode="after")
    def _complete(self) -> Guide:
        _exact_keys(self.anchor_levels, ANCHOR_SCORES, "anchor_levels")
        _exact_keys(self.items, ITEM_IDS, "items")
        return self

    def item(self, item_id: str) -> ItemGuide:
        """The guide to one item (``KeyError`` for an unknown id)."""
        return self.items[item_id]


def load_guide(path: Path | str | None = None) -> Guide:
    """Read and validate a guide file; ``None`` gives the bundled guide (cached)."""
    if path is None:
        return _bundled()
    doc = load_document(path, error=NeuroseqError)
    return validate_document(doc, Guide, error=NeuroseqError, expected="schema, version, items ...")


@functools.lru_cache(maxsize=1)
def _bundled() -> Guide:
    resource = resources.files("neuroseq.scoring") / "guide.yaml"
    with resources.as_file(resource) as path:
        return load_guide(path)


def short_forms(guide: Guide | None = None) -> dict[str, str]:
    """Each item's short form by id, in map order (for a report's key)."""
    guide = guide or load_guide()
    return {item_id: guide.items[item_id].short for item_id in ITEM_IDS}


def item_description(item_id: str, guide: Guide | None = None) -> str:
    """One item's guide as a single paragraph (the case schema's field description)."""
    guide = guide or load_guide()
    entry = guide.items[item_id]
    item = ITEMS[ITEM_IDS.index(item_id)]
    anchors = "; ".join(f"{score} = {_clause(entry.anchors[score])}" for score in ANCHOR_SCORES)
    return (
        f"Item {item.number} ({item.region}), 0-12 in half points: {entry.function} "
        f"At home: {entry.home} At school: {entry.school} Anchors: {anchors}."
    )


def _clause(text: str) -> str:
    return text.rstrip(".")


def _rated(field: RatedField) -> str:
    levels = "; ".join(f"{level} = {_clause(field.levels[level])}" for level in _LEVELS)
    return f"{field.description} Levels: {levels}."


def vocabulary_description(vocabulary: Vocabulary) -> str:
    """A closed vocabulary as one paragraph: what it is, then each value and its meaning."""
    values = "; ".join(f"{name} = {_clause(text)}" for name, text in vocabulary.values.items())
    return f"{vocabulary.description} Values: {values}."


def field_descriptions(
    section: Literal["cns", "history", "relational_health"], guide: Guide | None = None
) -> dict[str, str]:
    """Field descriptions of one case section, by field name, taken from the guide."""
    guide = guide or load_guide()
    if section == "cns":
        return {item_id: item_description(item_id, guide) for item_id in ITEM_IDS}
    if section == "history":
        history = guide.history
        patterns = "; ".join(
            f"{name} = {_clause(text)}" for name, text in history.pattern.values.items()
        )
        return {
            "period": history.period,
            "adversity": _rated(history.adversity),
            "pattern": f"{history.pattern.description} {patterns}.",
            "nature": history.nature.description,
            "bonding": _rated(history.bonding),
            "family_support": _rated(history.family_support),
            "community_support": _rated(history.community_support),
        }
    fields = guide.relational_health.fields
    return {
        name: _rated(getattr(fields, name)) for name in ("family", "peers", "school", "community")
    }
