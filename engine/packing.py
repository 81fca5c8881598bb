"""The one ruleset packer: engine rules in, durable_rules rulesets that stay under every limit out.

The compiler's engine rules and the adapter's :func:`~neuroseq.engine.adapter.split_rules`
both pack here. A rule's *cost* is read from its durable_rules JSON: per fact type
the distinct tests against constants (each a child of some node: equality tables
and condition lists share one limit of 511), the distinct conditions a fact can pass at once
(non-equality tests, and one per field tested for equality), and the use of each
identical pattern. :func:`pack_rules` adds each rule to the first ruleset that
stays within :mod:`neuroseq.engine.limits`' budgets; :func:`rule_problems` says why a
rule cannot run even alone, and :func:`ruleset_problems` why a given ruleset would
fail (the adapter refuses such a ruleset).

Splitting changes no result: every fact is asserted into every ruleset and a rule
only ever sees facts, never other rules' firings.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from neuroseq.engine.limits import (
    EQUALITY_BUDGET,
    EQUALITY_CONSTANTS_PER_TYPE,
    IDENTICAL_PATTERN_BUDGET,
    MAX_RULES_PER_RULESET,
    PASSED_BUDGET,
    PASSED_CONDITIONS_PER_NODE,
)

__all__ = ["RuleCost", "pack_rules", "rule_cost", "rule_problems", "ruleset_problems"]

_NON_EQUALITY = frozenset({"$lt", "$lte", "$gt", "$gte", "$neq", "$mt", "$imt", "$iall", "$iany"})
_EXISTENCE = frozenset({"$ex", "$nex"})
_SCALARS = frozenset({str, int, float, bool, type(None)})


@dataclass
class RuleCost:
    """What one rule (or a ruleset, summed) takes from the engine's per-node limits."""

    types: set[str] = field(default_factory=set)
    equality: dict[str, set[object]] = field(default_factory=dict)
    """Per fact type, the distinct tests against a constant (equality or not): each is a
    child of some node, and one node holds at most 511 children."""
    passed: dict[str, set[object]] = field(default_factory=dict)
    """Per fact type, the distinct conditions one fact could pass at once."""
    shapes: Counter[str] = field(default_factory=Counter)
    rules: int = 0

    def add(self, other: RuleCost) -> None:
        self.types |= other.types
        for key, values in other.equality.items():
            self.equality.setdefault(key, set()).update(values)
        for key, values in other.passed.items():
            self.passed.setdefault(key, set()).update(values)
        self.shapes.update(other.shapes)
        self.rules += other.rules

    def fits(self, other: RuleCost, max_rules: int) -> bool:
        """Whether ``other`` can join this ruleset within the packing budgets."""
        if self.rules + other.rules > max_rules:
            return False
        if len(self.types | other.types) > EQUALITY_BUDGET:
            return False
        for key, values in other.equality.items():
            if len(self.equality.get(key, set()) | values) > EQUALITY_BUDGET:
                return False
        for key, values in other.passed.items():
            if len(self.passed.get(key, set()) | values) > PASSED_BUDGET:
                return False
        return all(
            self.shapes.get(shape, 0) + count <= IDENTICAL_PATTERN_BUDGET
            for shape, count in other.shapes.items()
        )


_ENCODER = json.JSONEncoder(sort_keys=True, default=str)


def _dump(value: object) -> str:
    """``json.dumps(value, sort_keys=True, default=str)``, with one encoder for all calls."""
    return _ENCODER.encode(value)


_COSTS: dict[str, RuleCost] = {}


def _cost(rule: Mapping[str, Any]) -> RuleCost:
    """:func:`rule_cost`, worked out once per distinct rule (by its JSON).

    Compiling a rule base asks for the cost of every rule four times (the rule on
    its own, packing, and the adapter's two checks). The result is shared: callers
    here only read it (:meth:`RuleCost.add` copies what it takes).
    """
    key = _dump(rule)
    found = _COSTS.get(key)
    if found is None:
        if len(_COSTS) >= 8192:
            _COSTS.clear()
        found = _COSTS[key] = rule_cost(rule)
    return found


def _walk(term: object, fact_type: str, cost: RuleCost) -> None:
    if not isinstance(term, Mapping):
        return
    for key, operand in term.items():
        if key in ("$and", "$or") and isinstance(operand, list | tuple):
            for part in operand:
                _walk(part, fact_type, cost)
        elif key in _NON_EQUALITY and isinstance(operand, Mapping):
            constant = all(not isinstance(right, Mapping) for right in operand.values())
            if constant:  # a comparison with another fact is a join, not an alpha node
                cost.passed.setdefault(fact_type, set()).add(_dump({key: operand}))
                cost.equality.setdefault(fact_type, set()).add(_dump({key: operand}))
        elif key in _EXISTENCE:
            cost.passed.setdefault(fact_type, set()).add(_dump({key: operand}))
            cost.equality.setdefault(fact_type, set()).add(_dump({key: operand}))
        elif isinstance(key, str) and not key.startswith("$") and not isinstance(operand, Mapping):
            # An equality test: a tuple is as distinct as its JSON and costs no encoding
            # (the type tells true from 1 from 1.0, as JSON does); other values are
            # encoded. Either way it never equals the string of another kind of test.
            if type(operand) in _SCALARS:
                test: object = (key, type(operand).__name__, operand)
            else:
                test = _dump({key: operand})
            cost.equality.setdefault(fact_type, set()).add(test)
            cost.passed.setdefault(fact_type, set()).add(f"field:{key}")


def rule_cost(rule: Mapping[str, Any]) -> RuleCost:
    """The cost of one durable_rules rule (``{"all"|"any": [{alias: condition}, ...]}``)."""
    cost = RuleCost(rules=1)
    for kind in ("all", "any"):
        for pattern in rule.get(kind, ()) or ():
            if not isinstance(pattern, Mapping):
                continue
            for expression in pattern.values():
                cost.shapes[_dump(expression)] += 1
                terms = (
                    expression.get("$and", [expression]) if isinstance(expression, Mapping) else []
                )
                fact_type = next(
                    (
                        str(t["type"])
                        for t in terms
                        if isinstance(t, Mapping) and isinstance(t.get("type"), str)
                    ),
                    "*",
                )
                cost.types.add(fact_type)
                for term in terms:
                    if isinstance(term, Mapping) and "type" in term and len(term) == 1:
                        continue
                    _walk(term, fact_type, cost)
    return cost


def rule_problems(name: str, rule: Mapping[str, Any]) -> list[str]:
    """Why ``rule`` cannot run even in a ruleset of its own (empty if it can).

    One rule's tests form a chain, which the engine follows one node at a time, so
    error 303 cannot come from one rule alone; the equality table of one node can
    still overflow (``one_of`` with 512 values spins forever).
    """
    cost = _cost(rule)
    return [
        f"rule {name!r}: {len(values)} distinct tests against constants on {fact_type} facts; "
        f"the engine holds at most {EQUALITY_CONSTANTS_PER_TYPE} per fact type "
        "(one more makes it spin forever)"
        for fact_type, values in sorted(cost.equality.items())
        if len(values) > EQUALITY_CONSTANTS_PER_TYPE
    ]


def ruleset_problems(definition: Mapping[str, Any]) -> list[str]:
    """Why the engine would hang or fail on this ruleset (empty if it would not)."""
    total = RuleCost()
    problems: list[str] = []
    for name, rule in definition.items():
        if isinstance(rule, Mapping):
            problems.extend(rule_problems(str(name), rule))
            total.add(_cost(rule))
    if problems:
        return problems
    for fact_type, values in sorted(total.equality.items()):
        if len(values) > EQUALITY_CONSTANTS_PER_TYPE:
            problems.append(
                f"{len(values)} distinct tests against constants on {fact_type} facts; the engine "
                f"holds at most {EQUALITY_CONSTANTS_PER_TYPE} per fact type in one ruleset "
                "(one more makes it spin forever): split the rules with split_rules()"
            )
    if total.rules > 1:
        for fact_type, values in sorted(total.passed.items()):
            if len(values) > PASSED_CONDITIONS_PER_NODE:
                problems.append(
                    f"{len(values)} distinct conditions on {fact_type} facts that one fact could "
                    f"pass at once; the engine allows {PASSED_CONDITIONS_PER_NODE} (error 303): "
                    "split the rules with split_rules()"
                )
    return problems


def pack_rules(
    rules: Mapping[str, Mapping[str, Any]],
    *,
    max_rules: int = MAX_RULES_PER_RULESET,
    prefix: str = "rules",
) -> dict[str, dict[str, Any]]:
    """Pack ``rules`` (name -> rule) into as few rulesets as the budgets allow.

    Each rule goes into the first ruleset it fits (rules keep their relative
    order inside a ruleset); the rulesets are named ``{prefix}.000``,
    ``{prefix}.001``, ... A rule that fits nowhere starts a new ruleset, alone if
    need be (:func:`rule_problems` says whether it can run at all). The rules
    themselves are not copied.
    """
    if max_rules < 1:
        raise ValueError("max_rules must be at least 1")
    sets: list[tuple[RuleCost, dict[str, Any]]] = []
    for name, rule in rules.items():
        cost = _cost(rule)
        target = next((entry for entry in sets if entry[0].fits(cost, max_rules)), None)
        if target is None:
            target = (RuleCost(), {})
            sets.append(target)
        target[0].add(cost)
        target[1][name] = rule
    return {f"{prefix}.{number:03d}": members for number, (_total, members) in enumerate(sets)}
