"""The durable_rules adapter, against the real engine (no mocks)."""

from __future__ import annotations

import random
import resource
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from neuroseq.engine import adapter
from neuroseq.engine.adapter import (
    COLLECT_ACTION,
    MAX_PATTERNS_PER_RULE,
    MAX_RULES_PER_RULESET,
    Firing,
    RuleEngine,
    check_definition_safe,
    get_host,
    split_rules,
)
from neuroseq.errors import EngineError


def _and(*conditions: Mapping[str, Any]) -> dict[str, Any]:
    return {"$and": list(conditions)}


LOW_ITEM = {"all": [{"m": _and({"type": "item"}, {"$lt": {"score": 5}})}]}
REGION_JOIN = {
    "all": [
        {"region": _and({"type": "region"}, {"impairment": "significant"})},
        {"iv": _and({"type": "intervention"}, {"targets": {"region": "region"}})},
    ],
    "run": COLLECT_ACTION,
}
LOW_CMR = {"all": [{"cmr": _and({"type": "cmr"}, {"$lt": {"value": 1.0}})}], "pri": 1}

FACTS: list[dict[str, Any]] = [
    {"type": "item", "id": "item.a", "score": 2, "region": "brainstem"},
    {"type": "item", "id": "item.b", "score": 9, "region": "limbic"},
    {"type": "item", "id": "item.c", "score": 4.5, "region": "limbic", "note": "é ✓"},
    {"type": "region", "id": "region.bs", "region": "brainstem", "impairment": "significant"},
    {"type": "region", "id": "region.li", "region": "limbic", "impairment": "typical"},
    {"type": "cmr", "id": "cmr", "value": 0.72},
    {"type": "intervention", "id": "iv.drum", "targets": "brainstem", "mode": "rhythmic"},
    {"type": "intervention", "id": "iv.swing", "targets": "brainstem", "mode": "vestibular"},
    {"type": "intervention", "id": "iv.play", "targets": "limbic", "mode": "relational"},
    {"type": "client", "id": "client", "age_months": 110, "tags": ["foster", "school"]},
]


@pytest.fixture
def engine() -> Iterator[RuleEngine]:
    with RuleEngine(
        {"main": {"low_item": LOW_ITEM, "region_join": REGION_JOIN, "low_cmr": LOW_CMR}}
    ) as rule_engine:
        yield rule_engine


def _summary(firings: list[Firing]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [firing.sort_key() for firing in firings]


# --- firings ---------------------------------------------------------------


def test_rule_engine_single_pattern_firings_carry_the_plain_fact(engine: RuleEngine) -> None:
    firings = [f for f in engine.evaluate(FACTS) if f.rule == "low_item"]
    assert [f.matched for f in firings] == [
        {"m": {"type": "item", "id": "item.a", "score": 2, "region": "brainstem"}},
        {
            "m": {
                "type": "item",
                "id": "item.c",
                "score": 4.5,
                "region": "limbic",
                "note": "é ✓",
            }
        },
    ]
    assert all(f.ruleset == "main" and type(f.matched["m"]) is dict for f in firings)


def test_rule_engine_join_with_equality_reference_matches_only_related_facts(
    engine: RuleEngine,
) -> None:
    joins = [f for f in engine.evaluate(FACTS) if f.rule == "region_join"]
    assert [f.fact_ids for f in joins] == [("iv.drum", "region.bs"), ("iv.swing", "region.bs")]
    assert joins[0].matched["region"] == FACTS[3]
    assert joins[0].matched["iv"] == FACTS[6]


def test_rule_engine_gives_all_firings_and_nothing_else(engine: RuleEngine) -> None:
    assert _summary(engine.evaluate(FACTS)) == [
        ("main", "low_cmr", ("cmr",)),
        ("main", "low_item", ("item.a",)),
        ("main", "low_item", ("item.c",)),
        ("main", "region_join", ("iv.drum", "region.bs")),
        ("main", "region_join", ("iv.swing", "region.bs")),
    ]


def test_rule_engine_order_does_not_depend_on_fact_order_or_priorities() -> None:
    rules = {
        f"r{n}": {"all": [{"m": _and({"type": "item"}, {"$lt": {"score": n}})}], "pri": -n}
        for n in range(1, 12)
    }
    rules["region_join"] = REGION_JOIN
    with RuleEngine(split_rules(rules, max_rules=4)) as rule_engine:
        expected = rule_engine.evaluate(FACTS)
        assert expected == sorted(expected, key=Firing.sort_key)
        assert len({f.ruleset for f in expected}) == 3
        shuffled = list(FACTS)
        for seed in range(5):
            random.Random(seed).shuffle(shuffled)
            assert rule_engine.evaluate(shuffled) == expected


def test_rule_engine_any_rule_fires_once_per_combination_of_satisfied_alternatives() -> None:
    rule = {"any": [{"a": {"type": "cmr"}}, {"b": {"type": "client"}}]}
    with RuleEngine({"main": {"either": rule}}) as rule_engine:
        matched = [sorted(f.matched) for f in rule_engine.evaluate(FACTS)]
    assert sorted(matched) == [["a"], ["a", "b"], ["b"]]


def test_rule_engine_fact_types_no_rule_uses_and_facts_no_rule_matches(engine: RuleEngine) -> None:
    extra = [
        {"type": "risk", "id": "risk.a", "kind": "aggression"},  # no rule tests risks
        {"type": "item", "id": "item.z", "score": 12},  # an item no rule matches
    ]
    assert engine.evaluate(FACTS + extra) == engine.evaluate(FACTS)
    assert engine.evaluate(extra) == []
    assert engine.evaluate([]) == []


def test_rule_engine_asserts_only_referenced_fields_but_firings_carry_whole_facts() -> None:
    rules = {"low_item": LOW_ITEM, "region_join": REGION_JOIN, "low_cmr": LOW_CMR}
    wide = [dict(fact, blob=object(), extra=tuple(range(50))) for fact in FACTS]
    with RuleEngine({"main": rules}) as projected:
        firings = projected.evaluate(wide)
    with RuleEngine({"main": rules}, project=False) as whole:
        assert [f.sort_key() for f in whole.evaluate(FACTS)] == [f.sort_key() for f in firings]
    first = firings[0].matched["cmr"]
    assert first is wide[5]  # the caller's own fact, not a copy
    assert first["extra"] == tuple(range(50))  # no JSON round trip


def test_rule_engine_anchor_rule_never_shows() -> None:
    with RuleEngine({"main": {"never": {"all": [{"m": {"type": "nothing"}}]}}}) as rule_engine:
        assert rule_engine.evaluate(FACTS) == []


def test_rule_engine_facts_that_match_nothing_do_not_stop_the_others(engine: RuleEngine) -> None:
    strangers = [{"type": "unknown", "id": f"u{n}"} for n in range(3)]
    mixed = [strangers[0], *FACTS[:3], strangers[1], *FACTS[3:], strangers[2]]
    assert _summary(engine.evaluate(mixed)) == _summary(engine.evaluate(FACTS))


def test_rule_engine_only_the_anchor_fires_when_no_rule_matches() -> None:
    with RuleEngine({"main": {"never": {"all": [{"m": {"type": "nothing"}}]}}}) as rule_engine:
        host = get_host()
        internal = next(iter(rule_engine._names.values()))
        payload, _ = rule_engine._prepare(FACTS)
        assert [rule for rule, _ in host.assert_json(internal, payload)] == ["neuroseq:session"]
        host.delete_state(internal, "0")


def test_rule_engine_fact_type_allow_list() -> None:
    with RuleEngine({"main": {"low_item": LOW_ITEM}}, fact_types={"cmr"}) as rule_engine:
        assert rule_engine.fact_types == frozenset({"cmr", "item"})
        assert len(rule_engine.evaluate([FACTS[0], FACTS[5]])) == 1
        with pytest.raises(EngineError, match="'client' is not a declared fact type"):
            rule_engine.evaluate(FACTS)


# --- bad input -----------------------------------------------------------------


def test_rule_engine_refuses_duplicate_fact_ids_before_asserting(engine: RuleEngine) -> None:
    twin = dict(FACTS[0], score=3)
    with pytest.raises(EngineError, match="fact 'item.a': duplicate id") as caught:
        engine.evaluate([*FACTS, twin])
    assert caught.value.problems[0].location.path == "<engine>"
    assert len(engine.evaluate(FACTS)) == 5  # nothing was left behind


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        ({"type": "item"}, "needs a non-empty string 'id'"),
        ({"type": "item", "id": 7}, "needs a non-empty string 'id'"),
        ({"id": "x"}, "needs a non-empty string 'type'"),
        ({"type": "neuroseq:session", "id": "x"}, "is reserved for the adapter"),
        ({"type": "item", "id": "neuroseq:session"}, "this id is reserved"),
        ({"type": "item", "id": "x", "sid": "other"}, "the key 'sid' is reserved"),
        ({"type": "item", "id": "x", "score": float("nan")}, "not JSON data"),
        ({"type": "item", "id": "x", "score": object()}, "not JSON data"),
        ({"type": "item", "id": "x", "score": {1, 2}}, "not JSON data"),
        ({"type": "item", "id": "x", "score": b"5"}, "not JSON data"),
        ({"type": "item", "id": "sid-0"}, "this id is reserved"),
        ({"type": "item", "id": "neuroseq:mine"}, "this id is reserved"),
    ],
)
def test_rule_engine_refuses_bad_facts(
    engine: RuleEngine, fact: dict[str, Any], message: str
) -> None:
    with pytest.raises(EngineError, match=message):
        engine.evaluate([FACTS[0], fact])


def test_rule_engine_trusting_still_refuses_what_cannot_be_json() -> None:
    with RuleEngine({"main": {"low_item": LOW_ITEM}}, check_values=False) as trusting:
        for bad in (float("nan"), float("inf"), object()):
            with pytest.raises(EngineError, match="not JSON data"):
                trusting.evaluate([{"type": "item", "id": "x", "score": bad}])
        assert len(trusting.evaluate(FACTS)) == 2


def test_rule_engine_durable_errors_at_evaluation_surface_as_engine_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # one fact passing 65 distinct ordering conditions overflows durable's stack (303);
    # the adapter refuses such a ruleset up front, so its guard is switched off here
    rules = {
        f"r{n}": {"all": [{"m": _and({"type": "item"}, {"$gt": {"score": -n}})}]} for n in range(65)
    }
    with pytest.raises(EngineError, match=r"65 distinct conditions on item facts.*error 303"):
        RuleEngine({"main": rules})
    monkeypatch.setattr(adapter, "ruleset_problems", lambda definition: [])
    with RuleEngine({"main": rules}) as rule_engine:
        with pytest.raises(EngineError, match="error code: 303"):
            rule_engine.evaluate(FACTS)
        assert rule_engine.evaluate([FACTS[5]]) == []


def test_rule_engine_stops_runaway_firings(
    engine: RuleEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter, "MAX_FIRINGS", 2)
    with pytest.raises(EngineError, match="more than 2 firings for one case"):
        engine.evaluate(FACTS)
    monkeypatch.undo()
    assert len(engine.evaluate(FACTS)) == 5


def test_rule_engine_durable_errors_at_registration_surface_as_engine_error() -> None:
    # ~300 rules sharing one identical pattern exceed durable's beta limit (108)
    rules = {f"r{n}": {"all": [{"m": {"type": "item"}}]} for n in range(300)}
    with pytest.raises(EngineError, match="refused ruleset 'main': .*error code: 108"):
        RuleEngine({"main": rules})


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"all": [{"m": {"type": "item", "score": 2}}]}, "exactly one key"),
        ({"all": [{"m": {"type": "item", "score": 2}}]}, "ignores all keys but the first"),
        ({"all": [{"m": _and({"type": "item"}, {"score": {"$lt": 3}})}]}, "is not a reference"),
        ({"all": [{"m": {"score": [1, 2]}}]}, "neither a constant"),
        ({"all": [{"a": {"type": "x"}}, {"b": {"id": {"c": "id"}}}]}, "no pattern of the rule"),
        ({"all": [{"a": {"type": "x"}}, {"b": {"id": {"b": "id"}}}]}, "its own pattern"),
        ({"all": [{"a": {"type": "x"}}, {"b": {"id": {"a": 3}}}]}, "a reference names a field"),
        ({"all": [{"a": {"$gt": {"v": {"$add": {"$l": 1}}}}}]}, r"needs an object with '\$l'"),
        ({"all": [{"m": {"$lt": {"score": 3, "age": 1}}}]}, "exactly one field"),
        ({"all": [{"m": {"type": "item"}, "n": {"type": "cmr"}}]}, "exactly one alias"),
        ({"all": [{"m": {"type": "item"}}, {"m": {"type": "cmr"}}]}, "used twice"),
        ({"all": [{"m": {"$s": 1}}]}, "not supported"),
        ({"all": []}, "non-empty list"),
        ({"any": [{"m": {"type": "x"}}], "all": [{"m": {"type": "x"}}]}, "exactly one of"),
        ({"all": [{"m": {"type": "x"}}], "run": "print"}, "'run' must be"),
        ({"all": [{"m": {"type": "x"}}], "count": 2}, "unsupported keys"),
        ({"all": [{"m": {"type": "x"}}], "pri": "high"}, "'pri' must be an integer"),
        (
            {"all": [{f"a{n}": {"type": "x"}} for n in range(MAX_PATTERNS_PER_RULE + 1)]},
            "joins 17 facts",
        ),
    ],
)
def test_rule_engine_refuses_malformed_rules(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineError, match=message):
        RuleEngine({"main": {"bad": rule}})


def test_rule_engine_reports_every_problem_at_once() -> None:
    with pytest.raises(EngineError) as caught:
        RuleEngine(
            {
                "a": {"neuroseq:x": LOW_ITEM},
                "b": {"bad": {"all": [{"m": {"type": "item", "score": 2}}]}},
            },
            fact_types={"neuroseq:y"},
        )
    text = str(caught.value)
    assert "'neuroseq:' is reserved" in text
    assert "exactly one key" in text
    assert "fact type 'neuroseq:y' is not allowed" in text


def test_rule_engine_leaves_the_definitions_unchanged(engine: RuleEngine) -> None:
    assert REGION_JOIN["run"] == COLLECT_ACTION
    assert "run" not in LOW_ITEM


# --- ordering joins ----------------------------------------------------------


@pytest.mark.parametrize("operator", ["$lt", "$lte", "$gt", "$gte", "$neq"])
def test_check_definition_safe_reports_ordering_comparison_with_another_fact(operator: str) -> None:
    rule = {
        "all": [
            {"first": {"type": "item"}},
            {"second": _and({"type": "item"}, {operator: {"score": {"first": "score"}}})},
        ]
    }
    reasons = check_definition_safe({"later": rule})
    assert len(reasons) == 1
    assert reasons[0].startswith(f"rule 'later': {operator} compares field 'score'")
    assert "#381" in reasons[0]
    with pytest.raises(EngineError, match="issue #381"):
        RuleEngine({"main": {"later": rule}})


def test_check_definition_safe_reports_nested_and_arithmetic_references() -> None:
    expression = {"$add": {"$l": {"first": "score"}, "$r": 1}}
    definition = {
        "or": {"any": [{"a": {"$or": [{"type": "x"}, {"$gte": {"v": {"b": "v"}}}]}}]},
        "sum": {"all": [{"c": {"$lt": {"v": expression}}}]},
    }
    assert [reason.split(":")[0] for reason in check_definition_safe(definition)] == [
        "rule 'or'",
        "rule 'sum'",
    ]


def test_check_definition_safe_passes_constants_and_equality_references() -> None:
    definition = {"low_item": LOW_ITEM, "region_join": REGION_JOIN, "low_cmr": LOW_CMR}
    assert check_definition_safe(definition) == []
    assert check_definition_safe({"odd": {"all": "not a list"}}) == []


# --- splitting -------------------------------------------------------------------


def test_split_rules_keeps_order_and_sizes() -> None:
    rules = {f"r{n}": {"all": [{"m": {"type": "x"}}]} for n in range(9)}
    split = split_rules(rules, max_rules=4, prefix="base")
    assert list(split) == ["base.000", "base.001", "base.002"]
    assert [list(part) for part in split.values()] == [
        ["r0", "r1", "r2", "r3"],
        ["r4", "r5", "r6", "r7"],
        ["r8"],
    ]
    assert list(split_rules(rules)) == ["rules.000"]
    assert split_rules({}) == {}
    with pytest.raises(ValueError, match="at least 1"):
        split_rules(rules, max_rules=0)


def test_split_rules_base_gives_the_same_firings() -> None:
    rules = {"low_item": LOW_ITEM, "region_join": REGION_JOIN, "low_cmr": LOW_CMR}
    with RuleEngine({"one": rules}) as whole, RuleEngine(split_rules(rules, max_rules=1)) as parts:
        one = whole.evaluate(FACTS)
        split = parts.evaluate(FACTS)
        assert sorted((f.rule, f.fact_ids) for f in one) == sorted(
            (f.rule, f.fact_ids) for f in split
        )
        assert [f.ruleset for f in split] == ["rules.000"] * 2 + ["rules.001"] * 2 + ["rules.002"]
        assert parts.ruleset_names == ("rules.000", "rules.001", "rules.002")


def test_rule_engine_refuses_rulesets_above_the_limit() -> None:
    rules = {f"r{n}": {"all": [{"m": {"type": f"t{n}"}}]} for n in range(MAX_RULES_PER_RULESET + 1)}
    with pytest.raises(EngineError, match="split it with split_rules"):
        RuleEngine({"main": rules})
    with RuleEngine(split_rules(rules)) as rule_engine:
        assert len(rule_engine.ruleset_names) == 2


# --- sessions, host, lifecycle -------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_rule_engine_deletes_state_after_every_session(
    engine: RuleEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # durable_rules keeps at most 1024 live sessions per ruleset; 3000 succeed, and
    # the failing ones (refused facts, a durable error) leave nothing behind either
    # (the adapter refuses the overflowing ruleset up front: its guard is off here)
    monkeypatch.setattr(adapter, "ruleset_problems", lambda definition: [])
    before = _peak_rss_mb()
    for _ in range(3000):
        assert len(engine.evaluate(FACTS)) == 5
    assert _peak_rss_mb() - before < 20
    rules = {
        f"r{n}": {"all": [{"m": _and({"type": "item"}, {"$gt": {"score": -n}})}]} for n in range(65)
    }
    with RuleEngine({"main": rules}) as overflowing:
        for _ in range(1100):
            with pytest.raises(EngineError, match="303"):
                overflowing.evaluate(FACTS)


def test_rule_engine_keeps_no_fact_past_its_evaluation(engine: RuleEngine) -> None:
    # every evaluation's state is deleted: a later case sees none of an earlier
    # case's facts
    with RuleEngine(
        {"main": {"low_item": LOW_ITEM, "region_join": REGION_JOIN, "low_cmr": LOW_CMR}}
    ) as fresh:
        for subset in (FACTS, FACTS[:2], FACTS[3:], FACTS, [FACTS[0]], []):
            engine.evaluate(FACTS)
            assert _summary(engine.evaluate(subset)) == _summary(fresh.evaluate(subset))
            fresh.close()
            fresh = RuleEngine(
                {"main": {"low_item": LOW_ITEM, "region_join": REGION_JOIN, "low_cmr": LOW_CMR}}
            )


def test_rule_engine_every_evaluation_deletes_its_session_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(adapter, "ruleset_problems", lambda definition: [])  # see above
    host = get_host()
    rules = {
        f"r{n}": {"all": [{"m": _and({"type": "item"}, {"$gt": {"score": -n}})}]} for n in range(65)
    }
    with RuleEngine({"main": rules}) as overflowing:
        internal = next(iter(overflowing._names.values()))
        assert overflowing.evaluate([FACTS[5]]) == []
        with pytest.raises(Exception, match="error code: 309"):  # "sid not found"
            host.get_state(internal, "0")
        with pytest.raises(EngineError, match="303"):
            overflowing.evaluate(FACTS)
        with pytest.raises(Exception, match="error code: 309"):  # "sid not found"
            host.get_state(internal, "0")
        assert overflowing.evaluate([FACTS[5]]) == []


def test_rule_engine_whose_state_cannot_be_deleted_stops(
    engine: RuleEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = get_host()

    def refuse(ruleset: str, sid: str) -> None:
        raise RuntimeError("cannot delete")

    monkeypatch.setattr(host, "delete_state", refuse)
    assert len(engine.evaluate(FACTS)) == 5  # this session's result is sound
    monkeypatch.undo()
    with pytest.raises(EngineError, match="could not be deleted"):
        engine.evaluate(FACTS)


def test_get_host_is_one_host_without_timer_threads() -> None:
    assert get_host() is get_host()
    with RuleEngine({"main": {"low_item": LOW_ITEM}}) as rule_engine:
        rule_engine.evaluate(FACTS)
    assert not [t for t in threading.enumerate() if isinstance(t, threading.Timer)]


def test_rule_engine_close_unregisters_the_rulesets() -> None:
    host = get_host()
    rule_engine = RuleEngine({"main": {"low_item": LOW_ITEM}})
    internal = next(iter(rule_engine._names.values()))
    assert internal in host._ruleset_directory
    rule_engine.close()
    assert internal not in host._ruleset_directory
    with pytest.raises(EngineError, match="closed"):
        rule_engine.evaluate(FACTS)
    rule_engine.close()  # twice is fine


def test_rule_engine_many_can_share_ruleset_names() -> None:
    engines = [RuleEngine({"main": {"low_item": LOW_ITEM}}) for _ in range(3)]
    try:
        assert {len(e.evaluate(FACTS)) for e in engines} == {2}
    finally:
        for rule_engine in engines:
            rule_engine.close()
