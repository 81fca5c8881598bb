"""The JSON Schemas of the output documents: closed models that accept what the code writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from neuroseq.reports.compare import compare_cases, comparison_json
from neuroseq.reports.schemas import (
    CceDocument,
    CompareDocument,
    ScoresDocument,
    ScoresJson,
    output_models,
)
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import profile_scores_json, score

ROOT = Path(__file__).resolve().parents[2]
FOLLOWUP = ROOT / "tests" / "data" / "followup"


def test_output_models_by_kind() -> None:
    assert output_models() == {
        "scores": ScoresDocument,
        "compare": CompareDocument,
        "cce": CceDocument,
    }


@pytest.mark.parametrize("kind", ["scores", "compare", "cce"])
def test_output_models_print_as_json_schemas_with_required_keys(kind: str) -> None:
    schema = output_models()[kind].model_json_schema(by_alias=True)
    json.dumps(schema)
    assert schema["type"] == "object"
    assert "schema" in schema["required"]


def test_scores_document_is_closed() -> None:
    assert ScoresDocument.model_json_schema(by_alias=True)["additionalProperties"] is False


def test_compare_document_accepts_a_real_comparison_and_refuses_a_missing_key() -> None:
    data = comparison_json(
        compare_cases([FOLLOWUP / "severe-6-baseline.yaml", FOLLOWUP / "severe-7-followup.yaml"])
    )
    CompareDocument.model_validate(data)
    with pytest.raises(ValidationError, match="Field required"):
        CompareDocument.model_validate({key: value for key, value in data.items() if key != "cmr"})


def test_scores_json_accepts_the_scores_of_a_real_profile() -> None:
    profile = score(load_case(ROOT / "examples" / "typical-9-year-old.yaml"))
    scores = ScoresJson.model_validate(profile_scores_json(profile))
    assert scores.model_dump(by_alias=True)["cmr"] == profile_scores_json(profile)["cmr"]
