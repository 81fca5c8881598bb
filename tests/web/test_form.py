"""The assessment form: fields to a case document and back, and problems beside fields."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import neuroseq
from neuroseq.errors import CaseError
from neuroseq.web.form import case_text, field_names, fields_of, problems_by_field, score_document

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
CASES = [p for p in sorted(EXAMPLES.glob("*.yaml")) if "caregiver" not in p.name]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_text_of_fields_of_an_example_is_the_same_case(path: Path) -> None:
    fields = fields_of(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert set(fields) <= set(field_names())
    made = neuroseq.parse_case(case_text(fields), "form.yaml")
    assert made.model_dump() == neuroseq.load_case(path).model_dump()


def test_problems_by_field_puts_each_problem_beside_its_field() -> None:
    fields = fields_of(yaml.safe_load((EXAMPLES / "published-case-intake.yaml").read_text()))
    fields.update({"cns.sleep": "14", "history[0].include": "", "history[2].adversity": "7"})
    fields["client.sensitivities"] = "loud"
    with pytest.raises(CaseError) as caught:
        neuroseq.parse_case(case_text(fields), "form.yaml")
    found = problems_by_field(caught.value.problems, fields, field_names())
    assert found.by_field["cns.sleep"] == ["too high: at most 12 (got 14)"]
    # history[1] in the document is the third period of the form, with the first left out.
    assert "history[2].adversity" in found.by_field
    assert "client.sensitivities" in found.by_field


def test_fields_of_a_follow_up_clears_the_date_and_notes() -> None:
    fields = fields_of(
        {"metric": "full", "client": {"id": "a", "assessment_date": "2026-01-01"}, "notes": "n"},
        follow_up=True,
    )
    assert (
        fields["metric"] == "follow_up"
        and fields["client.assessment_date"] == ""
        and fields["notes"] == ""
    )


def test_score_document_is_an_er_snapshot_of_the_age_and_scores() -> None:
    fields = fields_of(yaml.safe_load((EXAMPLES / "typical-9-year-old.yaml").read_text()))
    case = neuroseq.parse_case(score_document(fields), "preview")
    assert case.metric == "er" and case.client.id == "preview"
