"""fhir/cds_hooks.py: discovery, the neuroseq-plan service and feedback, through Starlette's test client.

Planning runs on :func:`serial_planner`'s one dedicated thread around one
loaded planner (durable_rules is never entered by two threads at once); one
test plans in a single-worker process pool as the web app's pool would.
"""

from __future__ import annotations

import concurrent.futures
import copy
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import neuroseq
from neuroseq.fhir.cds_hooks import (
    CARD_SUMMARY_MAX,
    OVERRIDE_SYSTEM,
    RULE_SYSTEM,
    bearer_tokens,
    cards_for,
    create_app,
    discovery,
    override_reason,
    pool_planner,
    serial_planner,
)
from neuroseq.fhir.export import bundle
from neuroseq.store import CaseStore
from neuroseq.vocabulary import OVERRIDE_REASONS

AUTH = {"Authorization": "Bearer ehr-token"}
URL = "/cds-services/neuroseq-plan"


def _request(assessment: Any, where: str = "prefetch") -> dict[str, Any]:
    request: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example.org/fhir",
        "context": {"userId": "Practitioner/7", "patientId": "1288992"},
    }
    if where == "prefetch":
        request["prefetch"] = {"assessment": assessment}
    else:
        request["context"]["assessment"] = assessment
    return request


def _search(resource: dict[str, Any]) -> dict[str, Any]:
    """The assessment as the prefetch query returns it: a searchset Bundle."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 1,
        "entry": [
            {
                "fullUrl": "https://ehr.example.org/fhir/QuestionnaireResponse/9",
                "resource": resource,
                "search": {"mode": "match"},
            }
        ],
    }


@pytest.fixture(scope="module")
def severe(planned: dict[str, Any]) -> dict[str, Any]:
    return bundle(planned["severe-young-child.yaml"])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaseStore]:
    with CaseStore.open(str(tmp_path / "clinic.db")) as opened:
        yield opened


@pytest.fixture
def client(planner: neuroseq.Planner, store: CaseStore) -> TestClient:
    app = create_app(
        plan=serial_planner(planner, store=store),
        authorize=bearer_tokens({"ehr-token": "ehr-a"}),
        decide=store.decide,
    )
    return TestClient(app)


def test_discovery_describes_one_patient_view_service(client: TestClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    (service,) = response.json()["services"]
    assert service["hook"] == "patient-view" and service["id"] == "neuroseq-plan"
    assert {"title", "description", "prefetch"} <= set(service)
    assert "{{context.patientId}}" in service["prefetch"]["assessment"]
    assert response.json() == discovery()


def _check_card(card: dict[str, Any]) -> None:
    """The CDS Hooks card rules (2.0): required fields, lengths and values."""
    assert {"uuid", "summary", "indicator", "source"} <= set(card)
    assert len(card["summary"]) < CARD_SUMMARY_MAX
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"]
    assert card["source"]["topic"]["system"] == RULE_SYSTEM
    assert card["suggestions"] and card["selectionBehavior"] in ("at-most-one", "any")
    for suggestion in card["suggestions"]:
        assert suggestion["label"] and suggestion["uuid"]
        for action in suggestion.get("actions", []):
            assert action["type"] in ("create", "update", "delete") and action["description"]
    for reason in card["overrideReasons"]:
        assert reason["system"] == OVERRIDE_SYSTEM and reason["code"] in OVERRIDE_REASONS


@pytest.mark.parametrize("where", ["prefetch", "context"])
def test_create_app_service_returns_a_card_per_plan_item(
    where: str, client: TestClient, severe: dict[str, Any], planned: dict[str, Any]
) -> None:
    response = client.post(
        URL, json=_request(_search(severe["entry"][1]["resource"]), where), headers=AUTH
    )
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    items = planned["severe-young-child.yaml"].plan.recommendations
    assert len(cards) == len(items)
    for card, item in zip(cards, items, strict=True):
        _check_card(card)
        assert card["source"]["label"] == item.source
        assert card["source"]["topic"]["code"] == item.rule
        assert item.name in card["summary"]
        assert "**Why:**" in card["detail"]
        assert card["indicator"] == {"suspend": "warning", "avoid": "critical"}.get(
            item.action, "info"
        )
    assert any(card["indicator"] == "warning" for card in cards)


def test_cards_for_keeps_summaries_short() -> None:
    item = {
        "intervention": "x",
        "name": "A" * 300,
        "action": "recommend",
        "audience": "client",
        "phase": "regulate",
        "summary": "s",
        "rationale": "r",
        "rule": "r.x",
        "rule_title": "t",
        "source": "Perry & Dobson 2013",
        "cautions": ["c"],
        "review": "",
    }
    ((card, ref),) = cards_for({"client_id": "c", "age": 9.0, "recommendations": [item]}, None)
    _check_card(card)
    assert card["summary"].endswith("…") and ref.intervention == "x"


def test_create_app_service_refuses_without_a_valid_token(
    client: TestClient, severe: dict[str, Any]
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic ehr-token"}):
        response = client.post(URL, json=_request(severe), headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_create_app_service_needs_the_assessment(client: TestClient) -> None:
    request = _request(None)
    response = client.post(URL, json=request, headers=AUTH)
    assert response.status_code == 412
    assert response.json()["problems"][0]["field"] == "prefetch.assessment"


def test_create_app_service_answers_no_cards_without_an_assessment_on_record(
    client: TestClient,
) -> None:
    empty = {"resourceType": "Bundle", "type": "searchset", "total": 0}
    response = client.post(URL, json=_request(empty), headers=AUTH)
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_create_app_service_refuses_another_hook_and_bad_bodies(
    client: TestClient, severe: dict[str, Any]
) -> None:
    request = _request(severe)
    request["hook"] = "order-sign"
    del request["hookInstance"]
    response = client.post(URL, json=request, headers=AUTH)
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == ["hook", "hookInstance"]
    response = client.post(URL, content=b"not json", headers=AUTH)
    assert response.status_code == 400


def test_create_app_service_locates_problems_of_malformed_fhir(
    client: TestClient, severe: dict[str, Any]
) -> None:
    resource = copy.deepcopy(severe["entry"][1]["resource"])
    resource["item"][0]["answer"][0]["valueCoding"]["code"] = "fulll"
    response = client.post(URL, json=_request(resource), headers=AUTH)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["field"] == "prefetch.assessment.item[0].answer[0].valueCoding.code"
    assert "allowed: full, follow_up, er" in problem["message"]


def _cards(client: TestClient, severe: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = client.post(URL, json=_request(severe), headers=AUTH)
    assert response.status_code == 200, response.text
    return {card["summary"]: card for card in response.json()["cards"]}


def test_create_app_feedback_records_decisions_in_the_store(
    client: TestClient, store: CaseStore, severe: dict[str, Any]
) -> None:
    cards = _cards(client, severe)
    accepted = cards["Start: Therapeutic drumming"]
    overridden = cards["Suspend: Academic tutoring"]
    body = {
        "feedback": [
            {
                "card": accepted["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": accepted["suggestions"][0]["uuid"]}],
                "outcomeTimestamp": "2026-01-15T10:00:00Z",
            },
            {
                "card": overridden["uuid"],
                "outcome": "overridden",
                "overrideReason": {
                    "reason": overridden["overrideReasons"][5],
                    "userComment": "after the summer",
                },
                "outcomeTimestamp": "2026-01-15T10:01:00Z",
            },
        ]
    }
    response = client.post(URL + "/feedback", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    decisions = {d.intervention: d for d in store.assessment("example-severe-6").decisions}
    assert decisions["drumming"].decision == "accepted"
    assert decisions["tutoring"].decision == "overridden"
    assert decisions["tutoring"].reason == "timing"
    assert decisions["tutoring"].note == "after the summer"
    assert decisions["tutoring"].by == "ehr-a"


def test_create_app_feedback_refuses_unknown_cards_and_outcomes(
    client: TestClient, severe: dict[str, Any]
) -> None:
    card = next(iter(_cards(client, severe).values()))
    body = {
        "feedback": [
            {"card": "nope", "outcome": "accepted"},
            {"card": card["uuid"], "outcome": "maybe"},
        ]
    }
    response = client.post(URL + "/feedback", json=body, headers=AUTH)
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["problems"]] == [
        "feedback[0].card",
        "feedback[1].outcome",
    ]
    assert client.post(URL + "/feedback", json={"feedback": []}, headers=AUTH).status_code == 400
    assert client.post(URL + "/feedback", json=body).status_code == 401


@pytest.mark.parametrize(
    ("coding", "reason"),
    [
        ({"system": OVERRIDE_SYSTEM, "code": "family_preference"}, "family_preference"),
        ({"system": OVERRIDE_SYSTEM, "code": "made_up"}, "other"),
        ({"system": "http://ehr.example.org/reasons", "code": "timing"}, "other"),
        (None, "other"),
    ],
)
def test_override_reason_maps_codings_to_the_store_reasons(coding: Any, reason: str) -> None:
    assert override_reason(coding) == reason


def test_pool_planner_plans_in_a_worker_process(
    severe: dict[str, Any], planned: dict[str, Any]
) -> None:
    # the web app hands over its worker pool; here a single-worker process pool
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        app = create_app(
            plan=pool_planner(pool),
            authorize=bearer_tokens({"ehr-token": "ehr-a"}),
            decide=lambda *args, **kwargs: None,
        )
        response = TestClient(app).post(URL, json=_request(severe), headers=AUTH)
    assert response.status_code == 200, response.text
    assert len(response.json()["cards"]) == len(
        planned["severe-young-child.yaml"].plan.recommendations
    )
