"""fhir/export.py: every export is a valid R4B Bundle, deterministic, and says what the plan says."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

import neuroseq
from neuroseq.fhir.codes import ACTIVITY_STATUS, CLIENT_ID_SYSTEM, extension_url
from neuroseq.fhir.export import bundle, bundle_json_text, groups, response_items

from .conftest import CASE_EXAMPLES

ALL = [*CASE_EXAMPLES, "followup-with-previous"]


def _resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def _extension(activity: dict[str, Any], name: str) -> list[Any]:
    url = extension_url(name)
    return [
        next(v for k, v in e.items() if k.startswith("value"))
        for e in activity["extension"]
        if e["url"] == url
    ]


@pytest.mark.parametrize("name", ALL)
def test_bundle_json_text_validates_with_r4b(name: str, planned: dict[str, Any]) -> None:
    text = bundle_json_text(planned[name])
    model = Bundle.model_validate_json(text)
    assert model.type == "collection"
    kinds = [entry.resource.get_resource_type() for entry in model.entry or []]  # type: ignore[union-attr]
    assert kinds[:2] == ["Patient", "QuestionnaireResponse"]
    assert kinds.count("Observation") == 9
    assert kinds[-2:] == ["CarePlan", "RequestGroup"]


def test_bundle_json_text_is_deterministic(planner: neuroseq.Planner, examples: Any) -> None:
    case = neuroseq.load_case(examples / "severe-young-child.yaml")
    first = bundle_json_text(planner.plan(case))
    assert bundle_json_text(planner.plan(case)) == first
    document = json.loads(first)
    # no generation time, no random ids: every id is uuid5 of the content
    assert "timestamp" not in document and "meta" not in document
    assert all(e["fullUrl"] == f"urn:uuid:{e['resource']['id']}" for e in document["entry"])


def test_bundle_patient_carries_only_the_client_id(planned: dict[str, Any]) -> None:
    patient = _resources(bundle(planned["severe-young-child.yaml"]), "Patient")[0]
    assert set(patient) == {"resourceType", "id", "identifier"}
    assert patient["identifier"] == [{"system": CLIENT_ID_SYSTEM, "value": "example-severe-6"}]


def test_bundle_observations_carry_cmr_and_domain_scores(planned: dict[str, Any]) -> None:
    result = planned["severe-young-child.yaml"]
    found = {
        o["code"]["coding"][0]["code"]: o["valueQuantity"]["value"]
        for o in _resources(bundle(result), "Observation")
    }
    scores = result.plan.scores
    assert found["cmr"] == scores["cmr"]
    for domain, values in scores["domains"].items():
        assert found[f"ratio.{domain}"] == values["ratio"]
        assert found[f"developmental-age.{domain}"] == values["developmental_age"]


@pytest.mark.parametrize("name", ALL)
def test_bundle_care_plan_activities_follow_the_plan(name: str, planned: dict[str, Any]) -> None:
    result = planned[name]
    care_plan = _resources(bundle(result), "CarePlan")[0]
    assert care_plan["intent"] == "plan"
    activities = care_plan.get("activity", [])  # a typical child may have no items
    assert len(activities) == len(result.plan.recommendations)
    for activity, item in zip(activities, result.plan.recommendations, strict=True):
        detail = activity["detail"]
        assert detail["status"] == ACTIVITY_STATUS[item.action]
        assert detail["code"]["coding"][0]["code"] == item.intervention
        assert _extension(activity, "rationale") == [item.rationale]
        assert _extension(activity, "rule") == [item.rule]
        assert _extension(activity, "source") == [item.source]
        assert _extension(activity, "caution") == item.cautions
        assert _extension(activity, "action") == [item.action]
        assert detail.get("doNotPerform", False) is (item.action == "avoid")


def test_bundle_defer_names_its_gate(planned: dict[str, Any]) -> None:
    result = planned["severe-young-child.yaml"]
    deferred = {s.intervention: s.reason for s in result.plan.stop if s.action == "defer"}
    assert deferred
    for activity in _resources(bundle(result), "CarePlan")[0]["activity"]:
        code = activity["detail"]["code"]["coding"][0]["code"]
        if code in deferred:
            assert activity["detail"]["status"] == "not-started"
            assert activity["detail"]["description"].endswith(f"Deferred until: {deferred[code]}")


def test_groups_order_web_family_then_client_by_phase(planned: dict[str, Any]) -> None:
    names = [name for name, _ in groups(planned["severe-young-child.yaml"])]
    assert names == [
        "therapeutic_web",
        "family",
        "client.regulate",
        "client.relate",
        "client.reason",
    ]


def test_bundle_request_group_sequences_groups_with_before(planned: dict[str, Any]) -> None:
    result = planned["severe-young-child.yaml"]
    actions = _resources(bundle(result), "RequestGroup")[0]["action"]
    ids = [a["id"] for a in actions]
    for action, following in zip(actions, ids[1:], strict=False):
        assert action["relatedAction"] == [{"actionId": following, "relationship": "before"}]
    assert "relatedAction" not in actions[-1]
    order = [inner["id"] for a in actions for inner in a["action"]]
    assert order == [item.intervention for item in result.plan.recommendations]


def test_response_items_skip_absent_and_empty_fields() -> None:
    items = response_items(
        {"metric": "er", "client": {"id": "a", "interests": []}, "household": {}}
    )
    assert [i["linkId"] for i in items] == ["metric", "client"]
    assert [i["linkId"] for i in items[1]["item"]] == ["client.id"]
