"""The engine limits in engine/LIMITS.md, measured on the real durable_rules, and the model of them.

Each measurement runs ``limits_probe.py`` in a child process with a timeout (a
spinning engine cannot be stopped from inside the process). The model tests tie
:func:`neuroseq.engine.packing.ruleset_problems` (what the adapter refuses) and
:func:`~neuroseq.engine.packing.pack_rules` to the same edges.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from neuroseq.engine.adapter import RuleEngine
from neuroseq.engine.packing import pack_rules, ruleset_problems

PROBE = Path(__file__).with_name("limits_probe.py")
_spec = importlib.util.spec_from_file_location("limits_probe", PROBE)
assert _spec is not None and _spec.loader is not None
probe = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(probe)


def _measure(shape: str, size: int, timeout: float = 4.0) -> str:
    try:
        child = subprocess.run(
            [sys.executable, str(PROBE), shape, str(size)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "spins"
    assert child.returncode == 0, child.stderr
    return child.stdout.strip()


def _rules(shape: str, size: int) -> dict[str, Any]:
    rules, _facts = probe._shape(shape, size)
    return rules  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("shape", "fine"), [("eq_rules", 511), ("eq_two_fields", 510), ("eq_plus_neq", 511)]
)
def test_limits_512_tests_against_constants_on_one_type_spin(shape: str, fine: int) -> None:
    assert _measure(shape, fine).startswith("ok")
    assert _measure(shape, 512) == "spins"


def test_limits_65_passed_conditions_give_error_303() -> None:
    assert _measure("neq_rules", 64).startswith("ok")
    assert _measure("neq_rules", 65) == "error Could not assert facts, error code: 303"
    # equality children that match count too
    assert _measure("lt_plus_eq", 64).startswith("ok")
    assert "303" in _measure("lt_plus_eq", 65)
    # a chain of tests in one rule does not branch
    assert _measure("neq_one_rule", 1000).startswith("ok")


@pytest.mark.parametrize(
    ("shape", "fine", "refused"),
    [
        ("eq_rules", 511, 512),
        ("eq_one_rule", 511, 512),
        ("neq_rules", 64, 65),
        ("lt_plus_eq", 64, 65),
    ],
)
def test_packing_ruleset_problems_refuse_exactly_past_the_edge(
    shape: str, fine: int, refused: int
) -> None:
    assert ruleset_problems(_rules(shape, fine)) == []
    assert ruleset_problems(_rules(shape, refused)) != []


def test_packing_counts_a_long_chain_conservatively() -> None:
    # the engine runs a chain of 1,000 $neq tests (measured above); the model counts
    # every test against a constant, so it refuses one past 511: too careful, never wrong
    assert ruleset_problems(_rules("neq_one_rule", 511)) == []
    assert ruleset_problems(_rules("neq_one_rule", 512)) != []


def test_packing_splits_what_one_ruleset_cannot_hold() -> None:
    rules = _rules("neq_rules", 70)
    packed = pack_rules(rules, prefix="p")
    assert len(packed) == 2
    assert sum(len(part) for part in packed.values()) == 70
    assert all(ruleset_problems(part) == [] for part in packed.values())
    equality = pack_rules(_rules("eq_rules", 1200))
    assert len(equality) == 3
    assert all(ruleset_problems(part) == [] for part in equality.values())


def test_adapter_refuses_a_ruleset_that_would_spin() -> None:
    from neuroseq.errors import EngineError

    with pytest.raises(EngineError, match="512 distinct tests against constants on cmr facts"):
        RuleEngine({"main": _rules("eq_one_rule", 512)})
    with pytest.raises(EngineError, match="65 distinct conditions on cmr facts"):
        RuleEngine({"main": _rules("neq_rules", 65)})
