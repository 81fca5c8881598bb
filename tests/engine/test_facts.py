"""The fact vocabulary and the facts asserted for one case (real case, real catalogue)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.facts import (
    FACT_TYPES,
    applicable_cautions,
    case_facts,
    catalog_facts,
    flag,
    override_facts,
)
from neuroseq.scoring.items import ITEM_IDS
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
SEVERE = load_case(ROOT / "examples" / "severe-young-child.yaml")
PROFILE = score(SEVERE)


def test_fact_types_name_the_vocabulary_rules_can_use() -> None:
    assert set(FACT_TYPES) == {
        "caregiver",
        "client",
        "cmr",
        "domain",
        "intervention",
        "item",
        "region",
        "relational_health",
        "risk",
    }
    assert FACT_TYPES["item"].ids is not None and tuple(FACT_TYPES["item"].ids) == ITEM_IDS


def test_fact_type_field_finds_a_field_by_name() -> None:
    value = FACT_TYPES["cmr"].field("value")
    assert value is not None and (value.kind, value.low, value.high) == ("number", 0, 100)
    assert FACT_TYPES["cmr"].field("valu") is None


def test_flag_names_one_value_of_a_list_field() -> None:
    assert flag("targets", "brainstem") == "targets__brainstem"


def test_case_facts_one_per_item_region_domain_and_intervention() -> None:
    counts = Counter(fact["type"] for fact in case_facts(SEVERE, PROFILE, CATALOG))
    assert counts == {
        "intervention": len(CATALOG.interventions),
        "item": 32,
        "region": 5,
        "risk": 5,
        "domain": 4,
        "cmr": 1,
        "relational_health": 1,
        "client": 1,
    }


def test_case_facts_carry_the_scored_values() -> None:
    facts = {(f["type"], f["id"]): f for f in case_facts(SEVERE, PROFILE, CATALOG)}
    assert facts["cmr", "cmr"] == {
        "type": "cmr",
        "id": "cmr",
        "value": 0.56,
        "typical": 2.07,
        "band": "deferred",
        "age_ratio": 0.27,
        "gate": "deferred",
        "opens_at": 1.0,
    }
    sleep = facts["item", "sleep"]
    assert (sleep["score"], sleep["impairment"]) == (5.0, "significant")
    assert facts["client", "client"]["placement_kind"] == "foster"


def test_case_facts_wanted_limits_the_profile_facts() -> None:
    facts = case_facts(SEVERE, PROFILE, CATALOG, wanted={"cmr": None, "item": frozenset({"sleep"})})
    assert {(f["type"], f["id"]) for f in facts if f["type"] != "intervention"} == {
        ("item", "sleep"),
        ("cmr", "cmr"),
    }


def test_case_facts_mark_what_an_earlier_plan_did() -> None:
    facts = case_facts(SEVERE, PROFILE, CATALOG, previous={"tf_cbt": "suspend"})
    tf_cbt = next(f for f in facts if f["id"] == "tf_cbt")
    assert tf_cbt["previous_action"] == "suspend"
    drumming = next(f for f in facts if f["id"] == "drumming")
    assert drumming["previous_action"] != "suspend"


def test_catalog_facts_flag_every_list_value() -> None:
    drumming = catalog_facts(CATALOG)["drumming"]
    entry = CATALOG.get("drumming")
    assert (drumming["type"], drumming["audience"], drumming["phase"]) == (
        "intervention",
        entry.audience,
        entry.phase,
    )
    assert all(drumming[flag("targets", target)] is True for target in entry.targets)


@pytest.mark.parametrize(
    ("conditions", "requested", "applies"),
    [
        (frozenset(), True, []),
        (frozenset({"touch_defensive"}), True, ["touch_defensive"]),
        (frozenset(), False, ["not_requested"]),
    ],
    ids=["none", "condition-holds", "not-requested"],
)
def test_applicable_cautions_by_condition_and_request(
    conditions: frozenset[str], requested: bool, applies: list[str]
) -> None:
    cautions = [
        ("touch_defensive", "exclude", "no touch"),
        ("not_requested", "hold", "only on request"),
    ]
    found = applicable_cautions(cautions, conditions, requested)
    assert [condition for condition, _, _ in found] == applies


def test_override_facts_recomputes_what_follows_from_a_field() -> None:
    facts = case_facts(SEVERE, PROFILE, CATALOG)
    (cmr,) = [f for f in override_facts(facts, {"cmr": {"value": 3.0}}) if f["type"] == "cmr"]
    assert (cmr["value"], cmr["band"], cmr["gate"]) == (3.0, "available", "available")
    (before,) = [f for f in facts if f["type"] == "cmr"]
    assert before["value"] == 0.56  # the facts given are not changed
