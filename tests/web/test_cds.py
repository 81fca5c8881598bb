"""The CDS Hooks service as `neuroseq serve` serves it: tokens from the store, planning in the pool.

Every request goes to the web app itself (the ASGI test client on
:func:`neuroseq.web.app.create_app`), so the Host allow-list, the headers and
the store's service tokens are the ones in use; planning runs in the app's
worker process with the real engine, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import neuroseq
from neuroseq.fhir.cds_hooks import CARD_SUMMARY_MAX, OVERRIDE_SYSTEM, RULE_SYSTEM, discovery
from neuroseq.fhir.export import bundle
from neuroseq.store.credentials import create_token
from neuroseq.store.users import add_user, disable_user

from .conftest import PASSWORD, ROOT, Web

SEVERE = ROOT / "examples" / "severe-young-child.yaml"
SEVERE_CLIENT = "example-severe-6"
SERVICE = "/cds-services/neuroseq-plan"
FEEDBACK = f"{SERVICE}/feedback"


def _assessment(planner: neuroseq.Planner, path: Path = SEVERE) -> dict[str, Any]:
    exported = bundle(planner.plan(neuroseq.load_case(path)))
    (response,) = [
        entry["resource"]
        for entry in exported["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    return dict(response)


def _hook(assessment: dict[str, Any], where: str = "prefetch") -> dict[str, Any]:
    request: dict[str, Any] = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "https://ehr.example.org/fhir",
        "context": {"userId": "Practitioner/7", "patientId": "1288992"},
    }
    if where == "prefetch":
        request["prefetch"] = {
            "assessment": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": assessment, "search": {"mode": "match"}}],
            }
        }
    else:
        request["context"]["assessment"] = assessment
    return request


def _token(web: Web, name: str, role: str) -> dict[str, str]:
    add_user(web.store, name, role, PASSWORD, actor="test")
    token, _ = create_token(web.store, name, actor="test")
    return {"Authorization": f"Bearer {token}"}


def _check_card(card: dict[str, Any]) -> None:
    """The CDS Hooks card rules: required fields, the summary's length, allowed values."""
    assert {"uuid", "summary", "indicator", "source"} <= set(card)
    assert 0 < len(card["summary"]) < CARD_SUMMARY_MAX
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"] and card["source"]["topic"]["system"] == RULE_SYSTEM
    assert card["detail"] and "**Why:**" in card["detail"]
    for suggestion in card["suggestions"]:
        assert suggestion["label"] and suggestion["uuid"]
    assert all(r["system"] == OVERRIDE_SYSTEM for r in card["overrideReasons"])


def test_cds_routes_serve_discovery_on_the_web_app(web: Web) -> None:
    response = web.client.get("/cds-services")
    assert response.status_code == 200 and response.json() == discovery()
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    foreign = web.client.get("/cds-services", headers={"host": "evil.example"})
    assert foreign.status_code == 421


@pytest.mark.parametrize("where", ["prefetch", "context"])
def test_cds_routes_plan_in_the_pool_and_store_the_assessment(
    where: str, web: Web, planner: neuroseq.Planner
) -> None:
    auth = _token(web, "okafor", "reviewer")
    response = web.client.post(SERVICE, json=_hook(_assessment(planner), where), headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store" and "set-cookie" not in response.headers
    cards = response.json()["cards"]
    stored = web.store.assessment(SEVERE_CLIENT)
    items = stored.plan["recommendations"]
    assert len(cards) == len(items) > 0
    for card, item in zip(cards, items, strict=True):
        _check_card(card)
        assert card["source"]["label"] == item["source"]
        assert card["source"]["topic"]["code"] == item["rule"]
        expected = {"suspend": "warning", "avoid": "critical"}.get(item["action"], "info")
        assert card["indicator"] == expected
    assert any(item["action"] == "suspend" for item in items)
    assert any(card["indicator"] == "warning" for card in cards)
    views = [line for line in web.store.audit_log(SEVERE_CLIENT) if line["actor"] == "okafor"]
    assert [line["action"] for line in views] == ["add", "cds-view-plan"]
    assert views[-1]["assessment_date"] == "2026-01-15"


def test_cds_routes_record_a_clinicians_feedback_as_the_stores_decision(
    web: Web, planner: neuroseq.Planner
) -> None:
    auth = _token(web, "rivera", "clinician")
    cards = web.client.post(SERVICE, json=_hook(_assessment(planner)), headers=auth).json()["cards"]
    items = web.store.assessment(SEVERE_CLIENT).plan["recommendations"]
    first, second = items[0]["intervention"], items[1]["intervention"]
    feedback = {
        "feedback": [
            {"card": cards[0]["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-02-01"},
            {
                "card": cards[1]["uuid"],
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {"system": OVERRIDE_SYSTEM, "code": "timing"},
                    "userComment": "after the summer",
                },
            },
        ]
    }
    response = web.client.post(FEEDBACK, json=feedback, headers=auth)
    assert response.status_code == 200, response.text
    decisions = web.store.assessment(SEVERE_CLIENT).latest_decisions()
    assert decisions[first].decision == "accepted" and decisions[first].by == "rivera"
    assert (decisions[second].decision, decisions[second].reason) == ("overridden", "timing")
    assert decisions[second].note == "after the summer"
    logged = [line for line in web.store.audit_log(SEVERE_CLIENT) if line["action"] == "decide"]
    assert len(logged) == 2 and {line["actor"] for line in logged} == {"rivera"}
    assert "after the summer" not in json.dumps(web.store.audit_log())


def test_token_authorizer_refuses_no_token_a_bad_one_and_a_disabled_users(
    web: Web, planner: neuroseq.Planner
) -> None:
    request = _hook(_assessment(planner))
    auth = _token(web, "rivera", "clinician")
    for headers in (
        {},
        {"Authorization": "Bearer nsq_not-a-token"},
        {"Authorization": auth["Authorization"].replace("Bearer", "Basic")},
    ):
        for url, body in ((SERVICE, request), (FEEDBACK, {"feedback": [{"card": "x"}]})):
            refused = web.client.post(url, json=body, headers=headers)
            assert refused.status_code == 401, (url, headers)
            assert refused.headers["www-authenticate"] == "Bearer"
    disable_user(web.store, "rivera", actor="test")
    assert web.client.post(SERVICE, json=request, headers=auth).status_code == 401
    assert web.store.clients() == []  # nothing was planned or stored for a refused caller


def test_token_authorizer_lets_a_reviewer_see_cards_but_not_decide(
    web: Web, planner: neuroseq.Planner
) -> None:
    auth = _token(web, "okafor", "reviewer")
    cards = web.client.post(SERVICE, json=_hook(_assessment(planner)), headers=auth).json()["cards"]
    response = web.client.post(
        FEEDBACK,
        json={"feedback": [{"card": cards[0]["uuid"], "outcome": "accepted"}]},
        headers=auth,
    )
    assert response.status_code == 403
    assert "feedback needs a clinician's token" in response.text
    assert web.store.assessment(SEVERE_CLIENT).latest_decisions() == {}


def test_pool_plan_errors_never_echo_case_content(web: Web, planner: neuroseq.Planner) -> None:
    auth = _token(web, "rivera", "clinician")
    assessment = _assessment(planner)
    secret = "Zebra-dragonfly family note"
    assessment["item"][0]["linkId"] = secret
    response = web.client.post(SERVICE, json=_hook(assessment), headers=auth)
    assert response.status_code == 422
    assert response.json()["problems"] and secret not in response.text
    assert web.store.clients() == []


def test_store_decide_refuses_feedback_on_unknown_cards(web: Web) -> None:
    auth = _token(web, "rivera", "clinician")
    response = web.client.post(
        FEEDBACK, json={"feedback": [{"card": "no-such-card", "outcome": "accepted"}]}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "feedback[0].card"


def test_cds_feedback_on_a_card_issued_before_a_restart_is_recorded_as_a_decision(
    web_factory: Any, planner: neuroseq.Planner
) -> None:
    first = web_factory()
    auth = _token(first, "rivera", "clinician")
    cards = first.client.post(SERVICE, json=_hook(_assessment(planner)), headers=auth).json()[
        "cards"
    ]
    item = first.store.assessment(SEVERE_CLIENT).plan["recommendations"][1]["intervention"]
    first.client.__exit__(None, None, None)  # the server stops: its memory is gone

    restarted = web_factory()
    feedback = {
        "feedback": [
            {
                "card": cards[1]["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": {"system": OVERRIDE_SYSTEM, "code": "timing"}},
            }
        ]
    }
    response = restarted.client.post(FEEDBACK, json=feedback, headers=auth)
    assert response.status_code == 200, response.text
    decision = restarted.store.assessment(SEVERE_CLIENT).latest_decisions()[item]
    assert (decision.decision, decision.reason, decision.by) == ("overridden", "timing", "rivera")


def test_cds_cards_are_kept_in_the_store_as_ids_and_codes_only(
    web: Web, planner: neuroseq.Planner
) -> None:
    from neuroseq.store.cards import issued_cards

    auth = _token(web, "okafor", "reviewer")
    cards = web.client.post(SERVICE, json=_hook(_assessment(planner)), headers=auth).json()["cards"]
    items = web.store.assessment(SEVERE_CLIENT).plan["recommendations"]
    kept = {card.card: card for card in issued_cards(web.store)}
    assert set(kept) == {card["uuid"] for card in cards}
    for card, item in zip(cards, items, strict=True):
        found = kept[card["uuid"]]
        assert (found.client, found.date) == (SEVERE_CLIENT, "2026-01-15")
        assert (found.intervention, found.action) == (item["intervention"], item["action"])
    # Asked again (the record system shows the patient again): the same cards, renewed.
    web.client.post(SERVICE, json=_hook(_assessment(planner)), headers=auth)
    assert len(issued_cards(web.store)) == len(cards)
