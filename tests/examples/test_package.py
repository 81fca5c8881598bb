"""The bundled examples package: its files as package data, each with its description."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel

from neuroseq.examples import bundled_examples, example_named
from neuroseq.scoring.case import Case
from neuroseq.scoring.items import ITEM_IDS
from neuroseq.scoring.loader import load_case

ROOT = Path(__file__).resolve().parents[2]
BLANK = ROOT / "examples" / "blank.yaml"


def test_example_description_falls_back_when_there_is_no_comment(tmp_path: Path) -> None:
    from neuroseq.examples import _description

    assert _description("\n# first line\n# second\n") == "first line"
    assert _description("schema: x\n# late\n") == (
        "(no description: the file does not start with a comment)"
    )


def test_bundled_examples_reads_package_data() -> None:
    found = {example.name: example for example in bundled_examples()}
    assert "blank" in found
    assert example_named("blank") == found["blank"]
    assert example_named("nothing") is None


def test_bundled_examples_blank_is_a_valid_case_as_shipped() -> None:
    case = load_case(BLANK)
    assert case.metric == "full"
    assert case.cns.as_dict()["sleep"] == 11
    assert case.household.sibling_conflict is None


def _field_names(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(field.alias or name)
        for candidate in _nested_models(field.annotation):
            names |= _field_names(candidate)
    return names


def _nested_models(annotation: object) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in getattr(annotation, "__args__", ()):
        found += _nested_models(arg)
    return found


def test_bundled_examples_blank_names_every_field_of_the_case_format() -> None:
    text = BLANK.read_text(encoding="utf-8")
    names = _field_names(Case)
    assert {"schema", "client", "age_years", "class", "bonding", "peers", "sleep"} <= names
    assert [name for name in sorted(names) if not re.search(rf"\b{name}:", text)] == []
    assert set(yaml.safe_load(text)["cns"]) == set(ITEM_IDS)


def test_bundled_examples_blank_shows_every_allowed_value_of_the_closed_lists() -> None:
    text = BLANK.read_text(encoding="utf-8")
    from neuroseq.scoring.case import MEDICATION_CLASSES, PERIODS, SENSITIVITIES

    for word in (*SENSITIVITIES, *MEDICATION_CLASSES, *PERIODS, "single", "episodic", "chronic"):
        assert word in text, word
    for metric in ("full", "follow_up", "er"):
        assert metric in text
