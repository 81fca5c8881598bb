"""Disjunctive normal form of a rule's condition, and its size counted without building it.

A rule's ``when`` becomes one engine rule per conjunction: ``any`` adds
alternatives, ``all`` multiplies them, and ``not`` swaps the two (De Morgan). An
``all`` over 22 two-way ``any`` has 2**22 conjunctions, so the compiler first
counts them with :func:`count_conjunctions` (arithmetic on the tree, never a
list) and refuses a rule over the cap before :func:`disjunctive_normal_form`
builds anything.
"""

from __future__ import annotations

from neuroseq.engine.rule_model import AllOf, Condition, NotOf, Pattern

__all__ = ["Conjunction", "count_conjunctions", "disjunctive_normal_form"]

Conjunction = tuple[tuple[Pattern, bool], ...]
"""(pattern, negated) pairs that must all hold."""


def count_conjunctions(condition: Condition, cap: int, negate: bool = False) -> int:
    """How many engine conjunctions ``condition`` compiles to, or ``cap + 1`` if more.

    A negated pattern on a fact identified by its id becomes one branch per
    non-id test (``not (a and b)`` is ``not a or not b``), so it counts that many.
    """
    if isinstance(condition, Pattern):
        if not negate:
            return 1
        return sum(1 for t in condition.tests if not (t.field == "id" and t.op == "is"))
    if isinstance(condition, NotOf):
        return count_conjunctions(condition.item, cap, not negate)
    counts = [count_conjunctions(item, cap, negate) for item in condition.items]
    if isinstance(condition, AllOf) != negate:
        if 0 in counts:
            return 0
        total = 1
        for count in counts:
            total = min(total * count, cap + 1)
        return total
    return min(sum(counts), cap + 1)


def disjunctive_normal_form(condition: Condition, negate: bool = False) -> list[Conjunction]:
    """Every conjunction of ``condition`` (count it first: the list can be huge)."""
    if isinstance(condition, Pattern):
        return [((condition, negate),)]
    if isinstance(condition, NotOf):
        return disjunctive_normal_form(condition.item, not negate)
    items = condition.items
    if isinstance(condition, AllOf) != negate:
        result: list[Conjunction] = [()]
        for item in items:
            result = [
                left + right for left in result for right in disjunctive_normal_form(item, negate)
            ]
        return result
    out: list[Conjunction] = []
    for item in items:
        out.extend(disjunctive_normal_form(item, negate))
    return out
