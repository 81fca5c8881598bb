"""Probe one durable_rules 2.0.28 limit in this process (run it in a subprocess).

    python limits_probe.py SHAPE N

Builds a ruleset of the named SHAPE with size N straight on the native engine
(no neuroseq guard in between), asserts a few facts and prints ``ok`` or
``error <message>``; a shape that makes the engine spin never prints, so the
caller runs this with a timeout. ``engine/LIMITS.md`` records what the shapes
showed, and ``tests/engine/test_engine_limits.py`` keeps the edges as tests.

Shapes:

``eq_rules``       N rules ``{type: cmr, value: <constant i>}``
``eq_one_rule``    one rule ``{type: cmr, $or: [value = constant i, ...]}`` (``one_of``)
``eq_two_fields``  N/2 rules on ``cmr.value`` and N/2 on ``cmr.band``
``eq_two_types``   N rules on ``cmr.value`` and N rules on ``risk.value``
``neq_rules``      N rules ``{type: cmr, $neq: {value: <constant i>}}`` (``is_not``)
``neq_one_rule``   one rule, ``$and`` of N ``$neq`` tests (``none_of``)
``lt_rules``       N rules ``{type: cmr, $lt: {value: <constant i>}}``, every one passed
``lt_rules_miss``  the same N rules, asserted with a value that passes none
``lt_two_fields``  N/2 ``$lt`` rules on ``value`` and N/2 on ``typical``, every one passed
``lt_plus_eq``     N-2 such ``$lt`` rules and two matching equality rules on other fields
``eq_plus_neq``    480 equality rules and N - 480 ``$neq`` rules on ``cmr.value``
``rules``          N rules ``{type: cmr, id: cmr, $lt: {value: <i>}}`` behind one equality
"""

from __future__ import annotations

import json
import sys
from typing import Any

import durable_rules_engine as native


def _rule(*tests: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"m": {"$and": [{"type": "cmr"}, *tests]}}]}


def _shape(shape: str, n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fact = {"type": "cmr", "id": "cmr", "value": 0.5, "band": "b0", "typical": 0.5}
    values = [round(0.001 * (i + 1), 3) for i in range(n)]
    if shape.startswith("eq_"):
        fact["value"] = values[0]  # one equality rule matches
    if shape == "eq_rules":
        rules = {f"r{i}": _rule({"value": v}) for i, v in enumerate(values)}
    elif shape == "eq_one_rule":
        rules = {"r": _rule({"$or": [{"value": v} for v in values]})}
    elif shape == "eq_two_fields":
        half = n // 2
        rules = {f"v{i}": _rule({"value": v}) for i, v in enumerate(values[:half])}
        rules |= {f"b{i}": _rule({"band": f"b{i}"}) for i in range(n - half)}
    elif shape == "eq_two_types":
        rules = {f"c{i}": _rule({"value": v}) for i, v in enumerate(values)}
        rules |= {
            f"k{i}": {"all": [{"m": {"$and": [{"type": "risk"}, {"value": v}]}}]}
            for i, v in enumerate(values)
        }
        return rules, [fact, {"type": "risk", "id": "risk", "value": 0.5}]
    elif shape == "neq_rules":
        rules = {f"r{i}": _rule({"$neq": {"value": v}}) for i, v in enumerate(values)}
    elif shape == "neq_one_rule":
        rules = {"r": _rule({"$and": [{"$neq": {"value": v}} for v in values]})}
    elif shape in ("lt_rules", "lt_rules_miss"):
        rules = {f"r{i}": _rule({"$lt": {"value": 1 + v}}) for i, v in enumerate(values)}
        if shape == "lt_rules_miss":
            fact = {**fact, "value": 99.0}
    elif shape == "lt_two_fields":
        half = n // 2
        rules = {f"v{i}": _rule({"$lt": {"value": 1 + v}}) for i, v in enumerate(values[:half])}
        rules |= {f"t{i}": _rule({"$lt": {"typical": 1 + v}}) for i, v in enumerate(values[half:])}
    elif shape == "lt_plus_eq":
        # N-2 passing $lt conditions and two equality conditions that match
        rules = {f"r{i}": _rule({"$lt": {"value": 1 + v}}) for i, v in enumerate(values[2:])}
        rules |= {"e1": _rule({"band": "b0"}), "e2": _rule({"id": "cmr"})}
    elif shape == "eq_plus_neq":
        # 480 equality rules and N - 480 $neq rules on cmr.value, none of them passed
        rules = {f"e{i}": _rule({"value": v}) for i, v in enumerate(values[:480])}
        rules |= {f"n{i}": _rule({"$neq": {"value": 5 + i}}) for i in range(n - 480)}
        fact = {**fact, "value": 5.0}
    elif shape == "rules":
        rules = {
            f"r{i}": _rule({"id": "cmr"}, {"$lt": {"value": 1 + v}}) for i, v in enumerate(values)
        }
    else:
        raise SystemExit(f"unknown shape {shape!r}")
    return rules, [fact]


def main() -> None:
    shape, n = sys.argv[1], int(sys.argv[2])
    rules, facts = _shape(shape, n)
    try:
        handle = native.create_ruleset("probe", json.dumps(rules))
        code, offset = native.assert_facts(handle, json.dumps(facts))
        started = native.start_action_for_state(handle, offset)
        fired = 0
        while started:
            fired += 1
            started = native.complete_and_start_action(handle, offset)
    except Exception as error:  # the probe reports what durable said
        print(f"error {error}")
        return
    print(f"ok code={code} fired={fired}")


if __name__ == "__main__":
    main()
