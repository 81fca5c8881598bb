"""fhir/import_.py: export -> import -> plan gives the same plan; bad FHIR gets located problems."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import neuroseq
from neuroseq.errors import FhirError
from neuroseq.fhir.export import bundle
from neuroseq.fhir.import_ import import_case

from .conftest import CASE_EXAMPLES, EXAMPLES


def _raw(document: Any) -> bytes:
    return json.dumps(document, indent=2).encode("utf-8")


def _same_plan(one: neuroseq.PlanResult, other: neuroseq.PlanResult) -> None:
    a, b = one.plan.to_json(), other.plan.to_json()
    assert a["recommendations"] == b["recommendations"]
    assert a["scores"] == b["scores"]
    # everything else too, but the sha256 of the bytes the case was read from
    assert {key for key in a if a[key] != b[key]} <= {"case"}


@pytest.mark.parametrize("name", CASE_EXAMPLES)
def test_import_case_round_trip_gives_the_same_plan(
    name: str, planner: neuroseq.Planner, planned: dict[str, Any]
) -> None:
    original = planned[name]
    imported = import_case(_raw(bundle(original)), "plan.fhir.json")
    assert imported.case.model_dump() == original.case.model_dump()
    _same_plan(planner.plan(imported.case), original)
    # the text written is a case file the loader takes as it is
    assert (
        neuroseq.parse_case(imported.text, "case.yaml").model_dump() == imported.case.model_dump()
    )


def test_import_case_round_trip_of_the_follow_up_pair(
    planner: neuroseq.Planner, planned: dict[str, Any]
) -> None:
    intake = import_case(_raw(bundle(planned["published-case-intake.yaml"])), "intake.fhir.json")
    later = import_case(_raw(bundle(planned["followup-with-previous"])), "followup.fhir.json")
    _same_plan(planner.plan(later.case, previous=intake.case), planned["followup-with-previous"])


def test_import_case_takes_a_bare_questionnaire_response(planned: dict[str, Any]) -> None:
    document = bundle(planned["er-snapshot.yaml"])
    response = document["entry"][1]["resource"]
    imported = import_case(_raw(response), "qr.json")
    assert imported.case.client.id == "example-er-8"
    assert imported.text.startswith("# Imported by `neuroseq fhir import` from qr.json")


def test_import_case_without_header_gives_the_same_text_for_the_same_answers(
    planned: dict[str, Any],
) -> None:
    document = bundle(planned["er-snapshot.yaml"])
    one = import_case(_raw(document), "a.json", header=False)
    other = import_case(_raw(document["entry"][1]["resource"]), "b.json", header=False)
    assert one.text == other.text and not one.text.startswith("#")


def _bundle(planned: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(bundle(planned["severe-young-child.yaml"]))


def _response(document: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = document["entry"][1]["resource"]
    return resource


def _group(document: dict[str, Any], link_id: str) -> dict[str, Any]:
    return next(i for i in _response(document)["item"] if i["linkId"] == link_id)


def _refused(document: Any, *expected: str, source: str = "in.fhir.json") -> list[str]:
    with pytest.raises(FhirError) as caught:
        import_case(_raw(document) if not isinstance(document, bytes) else document, source)
    shown = [str(p) for p in caught.value.problems]
    for text in expected:
        assert any(text in line for line in shown), shown
    return shown


def test_import_case_refuses_a_foreign_resource() -> None:
    _refused(
        {"resourceType": "Patient", "id": "x"},
        "in.fhir.json:2: resourceType: a 'Patient' resource; allowed: a QuestionnaireResponse",
    )


def test_import_case_refuses_json_that_is_not_fhir() -> None:
    _refused({"schema": "neuroseq/case/v1"}, "not a FHIR resource (no resourceType)")


def test_import_case_refuses_malformed_json() -> None:
    _refused(b'{"resourceType": "Bundle",\n', "in.fhir.json:2:1: not valid JSON")


def test_import_case_refuses_an_unknown_resource_type(planned: dict[str, Any]) -> None:
    document = _bundle(planned)
    document["entry"][0]["resource"] = {"resourceType": "Bogus"}
    _refused(document, "entry[0].resource.resourceType: 'Bogus' is not an R4B resource type")


def test_import_case_refuses_invalid_r4b_with_its_json_path(planned: dict[str, Any]) -> None:
    document = _bundle(planned)
    _response(document)["authored"] = "the day we met the child"
    shown = _refused(document, "entry[1].resource.authored: not valid FHIR R4B")
    assert not any("met the child" in line for line in shown)


def test_import_case_refuses_a_bundle_without_a_neuroseq_response(planned: dict[str, Any]) -> None:
    document = _bundle(planned)
    _response(document)["questionnaire"] = "http://loinc.org/q/1"
    _refused(document, "entry: the Bundle holds 1 QuestionnaireResponse(s), none answering")


def test_import_case_refuses_a_bundle_with_two_assessments(planned: dict[str, Any]) -> None:
    document = _bundle(planned)
    document["entry"].append(copy.deepcopy(document["entry"][1]))
    _refused(document, "holds 2 neuroseq QuestionnaireResponses (entry[1].resource, entry[")


@pytest.mark.parametrize(
    ("questionnaire", "expected"),
    [
        (
            None,
            "resourceType: names no questionnaire; allowed: https://neuroseq.org/fhir/Questionnaire",
        ),
        ("https://neuroseq.org/fhir/Questionnaire/neuroseq-case|9", "answers version '9'"),
        ("http://example.org/phq9", "questionnaire: answers another questionnaire"),
    ],
)
def test_import_case_refuses_another_questionnaire(
    questionnaire: str | None, expected: str, planned: dict[str, Any]
) -> None:
    response = _response(_bundle(planned))
    if questionnaire is None:
        del response["questionnaire"]
    else:
        response["questionnaire"] = questionnaire
    _refused(response, expected)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            "in-progress",
            "status: status 'in-progress' is not a finished assessment; allowed: completed, amended",
        ),
        (
            "done",
            "status: 'done' is not a QuestionnaireResponse status; allowed: completed, amended",
        ),
    ],
)
def test_import_case_checks_the_status_value_set(
    status: str, expected: str, planned: dict[str, Any]
) -> None:
    # fhir.resources does not check value sets: the import does
    response = _response(_bundle(planned))
    response["status"] = status
    _refused(response, expected)


def test_import_case_lists_every_problem_at_its_json_path(planned: dict[str, Any]) -> None:
    document = _bundle(planned)
    cns = _group(document, "cns")
    cns["item"][7]["answer"] = [{"valueDecimal": 13}]  # sleep
    cns["item"][8]["answer"] = [{"valueString": "sleeps with the light on"}]  # fine_motor
    del cns["item"][3]  # extraocular_eye_movements
    _group(document, "metric")["answer"][0]["valueCoding"]["code"] = "fulll"
    _response(document)["item"].append({"linkId": "bogus", "answer": [{"valueString": "x"}]})
    shown = _refused(
        document,
        "entry[1].resource.item[0].answer[0].valueCoding.code: 'fulll' is not a code of "
        "https://neuroseq.org/fhir/CodeSystem/metric; allowed: full, follow_up, er",
        "answer[0]: linkId 'cns.sleep': too high: at most 12",
        "linkId 'cns.fine_motor' (decimal) is answered with valueString; allowed: valueDecimal or valueInteger",
        "entry[1].resource.item[8]: linkId 'cns.extraocular_eye_movements': required key is missing",
        "entry[1].resource.item[11].linkId: unknown linkId 'bogus' here; the neuroseq Questionnaire allows: metric, client",
    )
    assert len(shown) == 5
    assert all(line.startswith("in.fhir.json:") and line.split(":")[1].isdigit() for line in shown)
    assert not any("light on" in line for line in shown)


def test_import_case_refuses_a_group_answered_as_a_question(planned: dict[str, Any]) -> None:
    response = _response(_bundle(planned))
    response["item"][1] = {"linkId": "client", "answer": [{"valueString": "x"}]}
    _refused(response, "linkId 'client' is a group: give its answers as nested items")


def test_import_case_refuses_two_answers_to_a_single_question(planned: dict[str, Any]) -> None:
    response = _response(_bundle(planned))
    metric = response["item"][0]
    metric["answer"] = metric["answer"] * 2
    _refused(response, "item[0].answer: linkId 'metric' takes one answer, not 2")


def test_import_case_refuses_unknown_catalogue_ids(planned: dict[str, Any], planner: Any) -> None:
    response = _response(_bundle(planned))
    services = next(i for i in response["item"] if i["linkId"] == "current_services")
    services["answer"][0]["valueCoding"]["code"] = "tf_cbtt"
    ids = {item.id: str(item.name) for item in planner.catalog.interventions}
    with pytest.raises(
        FhirError,
        match=r"linkId 'current_services' \(current_services\[0\]\): unknown catalogue id 'tf_cbtt'; did you mean 'tf_cbt'",
    ):
        import_case(_raw(response), "qr.json", catalog_ids=ids)


def test_import_case_reads_the_source_as_json_whatever_its_name(planned: dict[str, Any]) -> None:
    raw = _raw(_response(_bundle(planned)))
    assert import_case(raw, "<stdin>").case.client.id == "example-severe-6"
    with pytest.raises(FhirError, match=r"^<stdin>:1:2: not valid JSON"):
        import_case(b"{x", "<stdin>")


def test_import_case_text_names_no_free_text_in_its_header(tmp_path: Path, planned: Any) -> None:
    raw = _raw(_response(_bundle(planned)))
    text = import_case(raw, str(tmp_path / "record of the child.json")).text
    assert text.splitlines()[0].startswith("# Imported by `neuroseq fhir import` from a FHIR file")
    assert EXAMPLES.is_dir()
