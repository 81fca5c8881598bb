"""The one error family: located problems, one error per stage, equal when their problems are."""

from __future__ import annotations

import pytest

import neuroseq.errors as errors
from neuroseq.errors import (
    CaseError,
    NeuroseqError,
    NormsError,
    Problem,
    RuleError,
    SourceLocation,
)

STAGES = {
    "CaseError": "case",
    "NormsError": "norms",
    "CatalogError": "catalog",
    "RuleError": "rules",
    "EngineError": "engine",
    "ReportError": "report",
    "CaregiverError": "caregiver",
    "StoreError": "store",
    "FhirError": "fhir",
}


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (SourceLocation("case.yaml"), "case.yaml"),
        (SourceLocation("case.yaml", 7), "case.yaml:7"),
        (SourceLocation("case.yaml", 7, 3), "case.yaml:7:3"),
        (SourceLocation("case.yaml", None, 3), "case.yaml"),
    ],
    ids=["path", "line", "line-and-column", "column-without-line"],
)
def test_source_location_prints_as_path_line_column(location: SourceLocation, shown: str) -> None:
    assert str(location) == shown


def test_source_location_orders_by_path_then_line() -> None:
    locations = [
        SourceLocation("b.yaml", 1),
        SourceLocation("a.yaml", 9),
        SourceLocation("a.yaml", 2),
    ]
    assert [str(location) for location in sorted(locations)] == ["a.yaml:2", "a.yaml:9", "b.yaml:1"]


def test_problem_prints_location_field_and_message() -> None:
    problem = Problem(SourceLocation("case.yaml", 4), "cns.sleep", "must be at most 12")
    assert str(problem) == "case.yaml:4: cns.sleep: must be at most 12"
    assert problem.severity == "error"


def test_problem_without_a_field_prints_location_and_message() -> None:
    assert str(Problem(SourceLocation("x.yaml"), "", "is empty")) == "x.yaml: is empty"


def test_neuroseq_error_carries_every_problem_one_per_line() -> None:
    first = Problem(SourceLocation("case.yaml", 2), "schema", "unknown schema")
    second = Problem(SourceLocation("case.yaml", 9), "cns.sleep", "must be at most 12")
    error = CaseError([first, second])
    assert error.problems == (first, second)
    assert (
        str(error)
        == "case.yaml:2: schema: unknown schema\ncase.yaml:9: cns.sleep: must be at most 12"
    )
    assert error.exit_code == 1


def test_neuroseq_error_from_a_message_is_located_at_its_path() -> None:
    assert CaseError("cannot be read", path="case.yaml").problems == (
        Problem(SourceLocation("case.yaml"), "", "cannot be read"),
    )
    assert str(NormsError("is empty")) == "<input>: is empty"


def test_neuroseq_error_equal_when_type_and_problems_are() -> None:
    problem = Problem(SourceLocation("rules.yaml", 3), "rules[0].id", "duplicate id")
    assert RuleError([problem]) == RuleError([problem])
    assert hash(RuleError([problem])) == hash(RuleError([problem]))
    assert RuleError([problem]) != CaseError([problem])
    assert RuleError([problem]) != RuleError([problem, problem])
    assert RuleError([problem]) != "rules.yaml:3"


def test_neuroseq_error_subclasses_name_their_stage() -> None:
    assert {name: getattr(errors, name).stage for name in STAGES} == STAGES
    assert all(issubclass(getattr(errors, name), NeuroseqError) for name in STAGES)
    assert NeuroseqError.stage == "input"


def test_all_lists_exactly_the_error_family() -> None:
    assert set(errors.__all__) == {*STAGES, "NeuroseqError", "Problem", "SourceLocation"}


def test_case_error_is_caught_as_a_neuroseq_error() -> None:
    with pytest.raises(NeuroseqError, match=r"^case\.yaml:1: client\.id: is required$"):
        raise CaseError([Problem(SourceLocation("case.yaml", 1), "client.id", "is required")])
