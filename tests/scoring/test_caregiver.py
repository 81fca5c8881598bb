"""The caregiver file's models: a home, its resources and each child's challenges."""

from __future__ import annotations

import pytest

from neuroseq.scoring.caregiver import ChildChallenge


def test_child_challenge_model_checks_its_shape_without_the_loader() -> None:
    with pytest.raises(ValueError, match="missing: medical"):
        ChildChallenge.model_validate(
            {"age_years": 3, "behavioural": 1, "emotional": 1, "developmental": 1}
        )
    child = ChildChallenge.model_validate({"case": "x.yaml"})
    assert child.case == "x.yaml"
