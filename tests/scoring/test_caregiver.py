"""The caregiver file's models: a home, its resources and each child's challenges."""

from __future__ import annotations

import pytest

from neuroseq.scoring.caregiver import (
    CHILD_RATINGS,
    INTERNAL_RESOURCES,
    REVERSE_SCORED,
    CaregiverFile,
    ChildChallenge,
    HouseholdDemands,
    child_shape_problem,
)


def test_child_challenge_model_checks_its_shape_without_the_loader() -> None:
    with pytest.raises(ValueError, match="missing: medical"):
        ChildChallenge.model_validate(
            {"age_years": 3, "behavioural": 1, "emotional": 1, "developmental": 1}
        )
    child = ChildChallenge.model_validate({"case": "x.yaml"})
    assert child.case == "x.yaml"


def test_child_shape_problem_a_case_child_takes_nothing_else() -> None:
    ratings = dict.fromkeys(CHILD_RATINGS, False)
    assert child_shape_problem(has_case=True, has_age=False, ratings=ratings) == ""
    message = child_shape_problem(has_case=True, has_age=True, ratings={**ratings, "medical": True})
    assert message.startswith("a child given by 'case' takes its age and needs from the case file")
    assert "remove medical, age_years" in message


def test_child_shape_problem_a_rated_child_needs_its_age_and_four_ratings() -> None:
    assert (
        child_shape_problem(
            has_case=False, has_age=True, ratings=dict.fromkeys(CHILD_RATINGS, True)
        )
        == ""
    )
    message = child_shape_problem(
        has_case=False,
        has_age=False,
        ratings={**dict.fromkeys(CHILD_RATINGS, True), "emotional": False},
    )
    assert message.endswith("missing: age_years, emotional")


def test_child_challenge_ratings_of_a_rated_child() -> None:
    child = ChildChallenge.model_validate(
        {"age_years": 3, "behavioural": 1, "emotional": 2.5, "medical": 0, "developmental": 3}
    )
    assert child.ratings() == {
        "behavioural": 1.0,
        "emotional": 2.5,
        "medical": 0.0,
        "developmental": 3.0,
    }


def test_household_demands_default_to_none(home_data) -> None:  # type: ignore[no-untyped-def]
    assert set(HouseholdDemands().as_dict().values()) == {0.0}
    home = CaregiverFile.model_validate(home_data())
    assert home.challenges.other_household_demands == HouseholdDemands()
    assert home.challenges.children == ()


def test_caregiver_file_refuses_unknown_keys_and_reverse_scores_two_items(home_data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        CaregiverFile.model_validate({**home_data(), "pets": 2})
    assert REVERSE_SCORED == {"own_adversity_history", "current_stress"}
    assert REVERSE_SCORED <= set(INTERNAL_RESOURCES)
