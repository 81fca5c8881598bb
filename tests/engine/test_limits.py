"""The engine's limits: one definition, budgets that stay under the measured edges.

The edges themselves are measured against durable_rules in test_engine_limits.py;
these tests keep the definition consistent with itself and with the rule language.
"""

from __future__ import annotations

import pytest

from neuroseq.engine.limits import (
    EQUALITY_BUDGET,
    EQUALITY_CONSTANTS_PER_TYPE,
    IDENTICAL_PATTERN_BUDGET,
    ORDERING_OPERATORS,
    PASSED_BUDGET,
    PASSED_CONDITIONS_PER_NODE,
    TRAINER_TO_ENGINE_OPERATOR,
    UNSAFE_REFERENCE_OPERATORS,
    reference_is_safe,
)
from neuroseq.engine.rule_model import OPERATORS, ORDERING


def test_limits_budgets_leave_room_below_the_measured_edges() -> None:
    assert 0 < EQUALITY_BUDGET < EQUALITY_CONSTANTS_PER_TYPE
    assert 0 < PASSED_BUDGET < PASSED_CONDITIONS_PER_NODE
    assert 0 < IDENTICAL_PATTERN_BUDGET < 256  # error 108 at about 256 identical patterns


def test_trainer_to_engine_operator_maps_every_comparison_of_the_rule_language() -> None:
    comparisons = {name for name in OPERATORS if name in TRAINER_TO_ENGINE_OPERATOR}
    assert comparisons == set(TRAINER_TO_ENGINE_OPERATOR)
    assert {TRAINER_TO_ENGINE_OPERATOR[name] for name in ORDERING} == ORDERING_OPERATORS
    assert TRAINER_TO_ENGINE_OPERATOR["is"] == "$eq"
    assert TRAINER_TO_ENGINE_OPERATOR["is_not"] == "$neq"


@pytest.mark.parametrize("operator", sorted(UNSAFE_REFERENCE_OPERATORS))
def test_reference_is_safe_refuses_ordering_and_neq(operator: str) -> None:
    assert not reference_is_safe(operator)


def test_reference_is_safe_only_for_equality() -> None:
    assert reference_is_safe("$eq")
    assert UNSAFE_REFERENCE_OPERATORS == ORDERING_OPERATORS | {"$neq"}
