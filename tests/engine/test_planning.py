"""Planning settings: the ``planning:`` block of rulebase.yaml, parsed with its defaults."""

from __future__ import annotations

from neuroseq.engine.planning import DEFAULT_PLANNING, parse_planning
from neuroseq.errors import Problem, SourceLocation


def test_planning_problems_are_located() -> None:
    def problem(key: object, message: str) -> Problem:
        return Problem(SourceLocation("rulebase.yaml", 7), ".".join(map(str, key)), message)

    settings, problems = parse_planning({"budget": {"client": 0}, "extra": 1}, problem)
    assert settings == DEFAULT_PLANNING
    fields = sorted(p.field for p in problems)
    assert fields == ["planning.budget.client", "planning.extra"]
