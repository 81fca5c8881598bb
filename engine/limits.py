"""What durable_rules 2.0.28 can run: the one definition the compiler, packer and adapter share.

Every number here was measured with ``tests/engine/limits_probe.py`` (each shape in
a subprocess with a timeout); ``engine/LIMITS.md`` records the measurements and
``tests/engine/test_engine_limits.py`` keeps the edges as regression tests.

durable_rules builds one alpha network per ruleset: a root whose children are
``type = <constant>`` nodes, under each a chain of the pattern's other tests in
order (identical prefixes shared, ``$or`` branching). Two limits of that network
matter here:

* one node holds at most :data:`EQUALITY_CONSTANTS_PER_TYPE` children, equality
  constants and other tests against constants together: with one more, registering
  or asserting spins forever at 100% CPU holding the GIL (the tests may be spread
  over any fields and rules; 511 on ``cmr`` plus 511 on ``risk`` is fine, 512 on
  ``cmr`` is not, nor 480 equality constants and 32 ``$neq`` tests);
* a fact may pass at most :data:`PASSED_CONDITIONS_PER_NODE` children of one node
  at once, equality and non-equality alike (``$lt``, ``$neq``, ...); one more is
  error 303 at assert time. A chain of tests in one rule is not branching: one rule
  with 1,000 ``$neq`` tests runs fine.

The other limits: error 304 beyond :data:`MAX_PATTERNS_PER_RULE` joined facts,
error 108 when about 256 rules share one identical pattern, and a crash (SIGSEGV,
upstream issue #381) when a rule compares two facts' fields by ordering or
``$neq`` (:data:`UNSAFE_REFERENCE_OPERATORS`).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "EQUALITY_BUDGET",
    "EQUALITY_CONSTANTS_PER_TYPE",
    "IDENTICAL_PATTERN_BUDGET",
    "MAX_CONJUNCTIONS_PER_RULE",
    "MAX_ENGINE_RULES_PER_RULE",
    "MAX_JOIN_COMBINATIONS",
    "MAX_PATTERNS_PER_RULE",
    "MAX_RULES_PER_RULESET",
    "ORDERING_OPERATORS",
    "PASSED_BUDGET",
    "PASSED_CONDITIONS_PER_NODE",
    "TRAINER_TO_ENGINE_OPERATOR",
    "UNSAFE_REFERENCE_OPERATORS",
    "WATCHDOG_SECONDS",
    "reference_is_safe",
]

ORDERING_OPERATORS: Final = frozenset({"$lt", "$lte", "$gt", "$gte"})
UNSAFE_REFERENCE_OPERATORS: Final = ORDERING_OPERATORS | {"$neq"}
"""Operators that must never compare one fact's field with another fact's field."""

TRAINER_TO_ENGINE_OPERATOR: Final = {
    "is": "$eq",
    "is_not": "$neq",
    "below": "$lt",
    "at_most": "$lte",
    "above": "$gt",
    "at_least": "$gte",
}
"""The engine operator each trainer operator that can take a ref compiles to."""

EQUALITY_CONSTANTS_PER_TYPE: Final = 511
"""Most children of one node, equality or not (512 spin forever)."""
EQUALITY_BUDGET: Final = 500
"""What the packer allows per fact type per ruleset (distinct tests against constants)."""

PASSED_CONDITIONS_PER_NODE: Final = 64
"""Most children of one node that one fact may pass (65: error 303)."""
PASSED_BUDGET: Final = 48
"""What the packer allows per fact type per ruleset: distinct non-equality tests plus
distinct fields tested for equality (each can be passed at once)."""

IDENTICAL_PATTERN_BUDGET: Final = 200
"""Most uses of one identical pattern per ruleset (engine: error 108 at about 256)."""

MAX_RULES_PER_RULESET: Final = 400
"""Most rules in one ruleset (a margin under the limits above for odd shapes)."""

MAX_PATTERNS_PER_RULE: Final = 16
"""Most facts one rule may join (error 304 beyond)."""

MAX_CONJUNCTIONS_PER_RULE: Final = 256
"""Most conjunctions one rule's condition may expand to (``any`` and ``not`` multiply)."""

MAX_ENGINE_RULES_PER_RULE: Final = 2048
"""Most engine rules one rule may compile to once specialised against the catalogue."""

MAX_JOIN_COMBINATIONS: Final = 100_000
"""Most combinations of facts one engine rule may join per case (an upper bound: the
product of how many facts each pattern could match). The engine finds every one and
fires for each: 4 unconstrained ``item`` patterns are 863,040 firings, 32 s per case."""

WATCHDOG_SECONDS: Final = 10.0
"""Default limit on one engine call while planning one case."""


def reference_is_safe(operator: str) -> bool:
    """Whether comparing two facts' fields with engine ``operator`` is safe (``$eq`` only)."""
    return operator not in UNSAFE_REFERENCE_OPERATORS
