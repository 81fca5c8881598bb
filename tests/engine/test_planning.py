"""Planning settings: the ``planning:`` block of rulebase.yaml, parsed with its defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from neuroseq.engine.planning import DEFAULT_PLANNING, RelevanceWeights, parse_planning
from neuroseq.errors import Problem, SourceLocation


def test_planning_problems_are_located() -> None:
    def problem(key: object, message: str) -> Problem:
        return Problem(SourceLocation("rulebase.yaml", 7), ".".join(map(str, key)), message)

    settings, problems = parse_planning({"budget": {"client": 0}, "extra": 1}, problem)
    assert settings == DEFAULT_PLANNING
    fields = sorted(p.field for p in problems)
    assert fields == ["planning.budget.client", "planning.extra"]


def test_budget_limit_per_audience_and_metric() -> None:
    budget = DEFAULT_PLANNING.budget
    assert budget.limit("client", "full") == 10
    assert budget.limit("therapeutic_web", "follow_up") == 6
    assert budget.limit("client", "er") == 4
    assert budget.limit("family", "er") == 3


def test_parse_planning_reads_a_trainer_s_values_over_the_defaults() -> None:
    def problem(key: object, message: str) -> Problem:
        return Problem(SourceLocation("rulebase.yaml"), ".".join(map(str, key)), message)

    settings, problems = parse_planning(
        {"budget": {"client": 8}, "relevance": {"need": 0.6}}, problem
    )
    assert problems == []
    assert settings.budget.client == 8
    assert settings.budget.family == DEFAULT_PLANNING.budget.family
    assert settings.relevance.need == 0.6


def test_relevance_weights_refuse_a_negative_weight() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        RelevanceWeights(need=-1)
