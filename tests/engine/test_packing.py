"""The ruleset packer: what each rule costs, and rulesets that stay under every budget."""

from __future__ import annotations

from typing import Any

from neuroseq.engine.limits import EQUALITY_CONSTANTS_PER_TYPE, PASSED_BUDGET
from neuroseq.engine.packing import RuleCost, pack_rules, rule_cost, rule_problems, ruleset_problems


def _below(value: float, fact_type: str = "cmr") -> dict[str, Any]:
    return {"all": [{"m": {"$and": [{"type": fact_type}, {"$lt": {"value": value}}]}}]}


def _one_of(count: int) -> dict[str, Any]:
    alternatives = [{"id": f"item_{i}"} for i in range(count)]
    return {"all": [{"m": {"$and": [{"type": "item"}, {"$or": alternatives}]}}]}


def test_rule_cost_counts_types_and_tests_against_constants() -> None:
    cost = rule_cost(_below(1.0))
    assert cost.types == {"cmr"}
    assert cost.equality == {"cmr": {'{"$lt": {"value": 1.0}}'}}
    assert cost.passed == {"cmr": {'{"$lt": {"value": 1.0}}'}}
    assert cost.rules == 1


def test_rule_cost_add_sums_two_rules_and_shares_identical_tests() -> None:
    total = RuleCost()
    total.add(rule_cost(_below(1.0)))
    total.add(rule_cost(_below(1.0)))
    total.add(rule_cost(_below(2.0, "risk")))
    assert total.rules == 3
    assert total.types == {"cmr", "risk"}
    assert len(total.equality["cmr"]) == 1


def test_rule_cost_fits_refuses_past_the_passed_budget() -> None:
    total = RuleCost()
    for i in range(PASSED_BUDGET):
        total.add(rule_cost(_below(1 + i / 1000)))
    assert not total.fits(rule_cost(_below(5.0)), max_rules=400)
    assert total.fits(rule_cost(_below(1.0)), max_rules=400)  # the same test is shared
    assert not RuleCost().fits(rule_cost(_below(1.0)), max_rules=0)


def test_rule_problems_one_of_past_the_equality_table_spins() -> None:
    assert rule_problems("wide", _one_of(EQUALITY_CONSTANTS_PER_TYPE)) == []
    (problem,) = rule_problems("wide", _one_of(EQUALITY_CONSTANTS_PER_TYPE + 1))
    assert problem.startswith("rule 'wide': 512 distinct tests against constants on item facts")


def test_ruleset_problems_names_error_303_and_the_remedy() -> None:
    rules = {f"r{i}": _below(1 + i / 1000) for i in range(100)}
    (problem,) = ruleset_problems(rules)
    assert "100 distinct conditions on cmr facts" in problem
    assert "the engine allows 64 (error 303)" in problem


def test_pack_rules_keeps_every_rule_once_in_order_under_the_budgets() -> None:
    rules = {f"r{i:03}": _below(1 + i / 1000) for i in range(100)}
    packed = pack_rules(rules, prefix="t")
    assert list(packed) == ["t.000", "t.001", "t.002"]
    assert [len(part) for part in packed.values()] == [48, 48, 4]
    assert [name for part in packed.values() for name in part] == list(rules)
    assert all(ruleset_problems(part) == [] for part in packed.values())


def test_pack_rules_max_rules_caps_a_ruleset() -> None:
    rules = {f"r{i}": _below(1.0) for i in range(10)}
    assert [len(part) for part in pack_rules(rules, max_rules=4).values()] == [4, 4, 2]
    assert pack_rules({}) == {}
