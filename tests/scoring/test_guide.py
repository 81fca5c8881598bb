"""The scoring guide (scoring/guide.yaml): complete for all 32 items, and in the case schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.errors import NeuroseqError
from neuroseq.scoring.case import MEDICATION_CLASSES, SENSITIVITIES, Case
from neuroseq.scoring.guide import (
    ANCHOR_SCORES,
    field_descriptions,
    item_description,
    load_guide,
    short_forms,
)
from neuroseq.scoring.items import ITEM_IDS

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "scoring" / "guide.yaml"


def _write(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(GUIDE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "guide.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_guide_has_every_item_with_all_five_anchors() -> None:
    guide = load_guide()
    assert tuple(guide.items) == ITEM_IDS
    for item_id in ITEM_IDS:
        entry = guide.item(item_id)
        for text in (entry.short, entry.function, entry.home, entry.school):
            assert text.strip(), item_id
        assert tuple(sorted(entry.anchors)) == ANCHOR_SCORES, item_id
        assert all(entry.anchors[score].strip() for score in ANCHOR_SCORES), item_id
        assert len(set(entry.anchors.values())) == len(ANCHOR_SCORES), item_id


def test_guide_short_forms_are_short_and_in_map_order() -> None:
    forms = short_forms()
    assert tuple(forms) == ITEM_IDS
    assert all(0 < len(text) <= 80 for text in forms.values())
    assert len(set(forms.values())) == len(ITEM_IDS)
    assert forms["sleep"] == "falls asleep, stays asleep and wakes rested"


def test_guide_history_and_part_d_rate_every_level() -> None:
    guide = load_guide()
    for field in (guide.history.adversity, guide.history.bonding, guide.history.family_support):
        assert sorted(field.levels) == [0, 1, 2, 3]
    assert list(guide.history.pattern.values) == ["none", "single", "episodic", "chronic"]
    fields = guide.relational_health.fields
    for name in ("family", "peers", "school", "community"):
        assert sorted(getattr(fields, name).levels) == [0, 1, 2, 3]


def test_guide_rated_fields_describe_each_half_point_between_its_levels() -> None:
    guide = load_guide()
    adversity = guide.history.adversity
    assert [value for value, _ in adversity.choices()] == [
        "0", "0.5", "1", "1.5", "2", "2.5", "3"
    ]  # fmt: skip
    assert dict(adversity.choices())["1"] == adversity.levels[1]
    assert dict(adversity.choices())["1.5"] == "between mild and serious"
    fields = guide.relational_health.fields
    for rated in (
        guide.history.bonding,
        guide.history.family_support,
        guide.history.community_support,
        *(getattr(fields, name) for name in ("family", "peers", "school", "community")),
    ):
        assert sorted(rated.short) == [0, 1, 2, 3]
        assert len(set(rated.short.values())) == 4
        halves = [text for value, text in rated.choices() if value.endswith(".5")]
        assert halves == [f"between {rated.short[n]} and {rated.short[n + 1]}" for n in (0, 1, 2)]


def test_load_guide_refuses_a_rating_without_its_short_names(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda data: data["history"]["bonding"]["short"].pop(2))
    with pytest.raises(
        NeuroseqError,
        match=r"history\.bonding: short must be given for exactly 0, 1, 2, 3; missing 2",
    ):
        load_guide(path)


def test_guide_vocabularies_match_the_case_model() -> None:
    words = load_guide().vocabularies
    assert tuple(words.sensitivities.values) == SENSITIVITIES
    assert tuple(words.medication_classes.values) == MEDICATION_CLASSES


def test_load_guide_refuses_a_missing_item(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda data: data["items"].pop("sleep"))
    with pytest.raises(
        NeuroseqError, match=r":1: items must be given for each of the 32 item ids; missing sleep$"
    ):
        load_guide(path)


def test_load_guide_refuses_a_missing_anchor(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda data: data["items"]["reward"]["anchors"].pop(6))
    with pytest.raises(
        NeuroseqError,
        match=r"items\.reward: anchors must be given for exactly 0, 3, 6, 9, 12; missing 6",
    ):
        load_guide(path)


def test_load_guide_refuses_an_unknown_key(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda data: data["items"]["reward"].update(teen="x"))
    with pytest.raises(NeuroseqError, match=r"items\.reward\.teen"):
        load_guide(path)


def test_item_description_has_the_function_settings_and_anchors() -> None:
    text = item_description("sleep")
    assert text.startswith("Item 8 (diencephalon_cerebellum), 0-12 in half points: Settling")
    assert "At home: " in text and "At school: " in text
    assert "; 12 = Falls asleep easily" in text


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [(f"Case.{name}", prop) for name, prop in schema["properties"].items()]
    for model, sub in schema["$defs"].items():
        found += [(f"{model}.{name}", prop) for name, prop in sub.get("properties", {}).items()]
    return found


def test_field_descriptions_describe_every_field_of_the_case_schema() -> None:
    schema = Case.model_json_schema(by_alias=True)
    properties = _properties(schema)
    assert len(properties) > 60
    missing = [name for name, prop in properties if not prop.get("description")]
    assert missing == []


def test_item_description_and_field_descriptions_are_the_case_schema_s_ratings() -> None:
    defs = Case.model_json_schema(by_alias=True)["$defs"]
    assert defs["CnsScores"]["properties"]["sleep"]["description"] == item_description("sleep")
    history = field_descriptions("history")
    assert defs["HistoryPeriod"]["properties"]["adversity"]["description"] == history["adversity"]
    assert "3 = severe" in history["adversity"]
    peers = defs["RelationalHealth"]["properties"]["peers"]["description"]
    assert peers == field_descriptions("relational_health")["peers"]
    sensitivities = defs["Client"]["properties"]["sensitivities"]["description"]
    assert "touch_defensive = dislikes or fears being touched" in sensitivities
    assert "alpha_agonist = " in defs["Medication"]["properties"]["class"]["description"]
