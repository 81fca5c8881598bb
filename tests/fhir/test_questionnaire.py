"""fhir/questionnaire.py: the neuroseq Questionnaire covers every case field, once."""

from __future__ import annotations

from typing import Any, get_args, get_origin

from fhir.resources.R4B.questionnaire import Questionnaire
from pydantic import BaseModel

from neuroseq.fhir.codes import QUESTIONNAIRE_URL
from neuroseq.fhir.questionnaire import QUESTIONS, Question, all_questions, canonical, questionnaire
from neuroseq.scoring.case import Case


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation) if get_origin(annotation) is not None else ():
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _case_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    found = set()
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key == "schema":
            continue
        path = f"{prefix}.{key}" if prefix else key
        found.add(path)
        inner = _model_of(field.annotation)
        if inner is not None:
            found |= _case_fields(inner, path)
    return found


def test_questions_cover_every_case_field() -> None:
    # a field added to the case model must get a question, or the round trip loses it
    assert {q.link_id for q in all_questions()} == _case_fields(Case)


def test_all_questions_have_unique_link_ids() -> None:
    ids = [q.link_id for q in all_questions()]
    assert len(ids) == len(set(ids))


def test_questionnaire_validates_with_r4b() -> None:
    model = Questionnaire.model_validate(questionnaire())
    assert model.url == QUESTIONNAIRE_URL
    assert canonical() == f"{QUESTIONNAIRE_URL}|{model.version}"
    assert [item.linkId for item in model.item or []] == [q.link_id for q in QUESTIONS]


def test_questionnaire_lists_the_32_functions_in_map_order() -> None:
    cns = next(q for q in QUESTIONS if q.key == "cns")
    assert len(cns.children) == 32
    assert cns.children[0].link_id == "cns.cardiovascular_ans"
    assert cns.children[7].text.startswith("8. ")


def test_question_child_finds_by_link_id() -> None:
    client = next(q for q in QUESTIONS if q.key == "client")
    found = client.child("client.age_years")
    assert isinstance(found, Question) and found.type == "decimal"
    assert client.child("client.nope") is None
