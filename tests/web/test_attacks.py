"""An attacker's read of the web app and its CDS Hooks service: tampered fields, odd bodies.

Each test here once failed (a 500, a refused request that still recorded something, a
hidden field taken at its word, a body read past the size limit); run on SQLite only,
as the refusals are the web app's, not the database's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import neuroseq
from neuroseq.fhir.cds_hooks import MAX_COMMENT, MAX_FEEDBACK
from neuroseq.store.users import disable_user

from .conftest import CLIENT, INTAKE_DATE, Web, csrf_of
from .test_app import _post_follow_up
from .test_cds import FEEDBACK, SERVICE, SEVERE_CLIENT, _assessment, _hook, _token


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'store' / 'neuroseq.db'}"


def _cards(web: Web, planner: neuroseq.Planner, auth: dict[str, str]) -> list[dict[str, Any]]:
    response = web.client.post(SERVICE, json=_hook(_assessment(planner)), headers=auth)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


@pytest.mark.parametrize("url", [SERVICE, FEEDBACK])
def test_cds_a_body_nested_too_deeply_is_refused_not_a_server_error(web: Web, url: str) -> None:
    auth = _token(web, "rivera", "clinician")
    response = web.client.post(url, content=b"[" * 100_000, headers=auth)
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == "the request body is nested too deeply"


def test_cds_feedback_with_one_bad_entry_records_no_decision_at_all(
    web: Web, planner: neuroseq.Planner
) -> None:
    auth = _token(web, "rivera", "clinician")
    cards = _cards(web, planner, auth)
    good = {"card": cards[0]["uuid"], "outcome": "accepted"}
    comment = "Zebra \u202e family note"
    for bad, field in (
        ({"card": "no-such-card", "outcome": "accepted"}, "feedback[1].card"),
        (
            {
                "card": cards[1]["uuid"],
                "outcome": "overridden",
                "overrideReason": {"userComment": comment},
            },
            "feedback[1].overrideReason.userComment",
        ),
        (
            {
                "card": cards[1]["uuid"],
                "outcome": "overridden",
                "overrideReason": {"userComment": "x" * (MAX_COMMENT + 1)},
            },
            "feedback[1].overrideReason.userComment",
        ),
    ):
        response = web.client.post(FEEDBACK, json={"feedback": [good, bad]}, headers=auth)
        assert response.status_code == 422
        assert [p["field"] for p in response.json()["problems"]] == [field]
        assert comment not in response.text
        assert web.store.assessment(SEVERE_CLIENT).latest_decisions() == {}
    assert "decide" not in [line["action"] for line in web.store.audit_log()]


def test_cds_comment_limit_is_the_stores_note_limit() -> None:
    from neuroseq.store.case_store import MAX_NOTE

    assert MAX_COMMENT == MAX_NOTE


def test_cds_feedback_refuses_more_entries_than_it_takes(
    web: Web, planner: neuroseq.Planner
) -> None:
    auth = _token(web, "rivera", "clinician")
    cards = _cards(web, planner, auth)
    many = [{"card": cards[0]["uuid"], "outcome": "accepted"}] * (MAX_FEEDBACK + 1)
    response = web.client.post(FEEDBACK, json={"feedback": many}, headers=auth)
    assert response.status_code == 413
    assert web.store.assessment(SEVERE_CLIENT).latest_decisions() == {}


def test_cds_feedback_on_a_card_its_plan_no_longer_holds_is_refused(
    web: Web, planner: neuroseq.Planner
) -> None:
    from neuroseq.store.cards import IssuedCard, remember_cards

    auth = _token(web, "rivera", "clinician")
    _cards(web, planner, auth)
    item = web.store.assessment(SEVERE_CLIENT).plan["recommendations"][0]
    assert item["action"] != "avoid"
    # As a card issued from an earlier version of this assessment, whose plan said "avoid"
    # where the replacement now says something else: accepting it must not accept the new item.
    stale = IssuedCard("stale-card", SEVERE_CLIENT, "2026-01-15", item["intervention"], "avoid")
    remember_cards(web.store, [stale])
    response = web.client.post(
        FEEDBACK, json={"feedback": [{"card": "stale-card", "outcome": "accepted"}]}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "feedback[0].card"
    assert web.store.assessment(SEVERE_CLIENT).latest_decisions() == {}


def test_cds_feedback_with_a_token_of_an_account_disabled_since_is_refused(
    web: Web, planner: neuroseq.Planner
) -> None:
    auth = _token(web, "rivera", "clinician")
    cards = _cards(web, planner, auth)
    disable_user(web.store, "rivera", actor="test")
    body = {"feedback": [{"card": cards[0]["uuid"], "outcome": "accepted"}]}
    assert web.client.post(FEEDBACK, json=body, headers=auth).status_code == 401
    assert web.store.assessment(SEVERE_CLIENT).latest_decisions() == {}


def test_form_counts_a_chunked_body_without_content_length_against_the_limit(web: Web) -> None:
    token = csrf_of(web.client.get("/login").text)

    def chunks() -> Iterator[bytes]:
        yield f"csrf={token}&name=x&password=".encode()
        for _ in range(60):  # 600 kB, past the 512 kB a form may have
            yield b"a" * 10_000

    response = web.client.post(
        "/login", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert "login-failed" not in [line["action"] for line in web.store.audit_log()]


@pytest.mark.parametrize("draft", ["\u00b2", "9" * 30])
def test_new_assessment_a_draft_id_of_odd_digits_is_no_draft_not_a_server_error(
    stored: Web, draft: str
) -> None:
    token = stored.login("rivera", "clinician")
    assert stored.client.get(f"/assessments/new?draft={draft}").status_code == 404
    saved = stored.client.post(
        "/assessments",
        data={"csrf": token, "action": "draft", "draft": draft, "client.id": "x"},
        follow_redirects=False,
    )
    assert saved.status_code == 303  # kept as a new draft of the clinician's own


def test_record_fidelity_a_rating_in_superscript_digits_is_refused_at_its_field(
    stored: Web,
) -> None:
    token = stored.login("rivera", "clinician")
    item = stored.store.assessment(CLIENT).plan["recommendations"][0]["intervention"]
    response = stored.client.post(
        f"/clients/{CLIENT}/plans/{INTAKE_DATE}/fidelity",
        data={"csrf": token, "item": item, "status": "done", "rating": "\u00b3"},
    )
    assert response.status_code == 400
    assert "Choose a rating of 0, 1, 2 or 3" in response.text
    assert stored.store.assessment(CLIENT).latest_fidelity() == {}


@pytest.mark.parametrize(
    "previous",
    [
        "2026-01-13",
        "9999-99-99",
        "2026-01-12\n",
        "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0661\u0662",
    ],
)
def test_follow_up_a_previous_date_that_is_no_stored_assessment_is_not_shown(
    stored: Web, previous: str
) -> None:
    stored.login("rivera", "clinician")
    response = _post_follow_up(stored, previous)
    assert response.status_code == 400
    assert 'id="carried-over"' not in response.text
    assert f"(after {previous})" not in response.text
    assert [a.date for a in stored.store.history(CLIENT)] == [INTAKE_DATE]


def test_follow_up_another_clients_date_is_not_shown_as_this_ones(
    stored: Web, planner: neuroseq.Planner
) -> None:
    severe = Path(__file__).resolve().parent.parent.parent / "examples" / "severe-young-child.yaml"
    stored.store.add(severe.read_bytes(), str(severe), planner, actor="test")
    stored.login("rivera", "clinician")
    response = _post_follow_up(stored, "2026-01-15")  # the other client's assessment
    assert response.status_code == 400 and 'id="carried-over"' not in response.text


def test_trainer_impact_a_choice_in_odd_digits_is_refused_not_a_server_error(web: Web) -> None:
    token = web.login("lee", "trainer")
    response = web.client.post("/trainer/impact", data={"csrf": token, "candidate": "\u00b2"})
    assert response.status_code == 400
    assert "Choose one of the candidate rule folders" in response.text


@pytest.mark.parametrize("date", ["2099-01-01", "2026-13-45"])
def test_add_note_on_a_date_the_client_has_no_assessment_on_is_refused(
    stored: Web, date: str
) -> None:
    from neuroseq.store.users import review_notes

    token = stored.login("okafor", "reviewer")
    response = stored.client.post(
        f"/clients/{CLIENT}/notes", data={"csrf": token, "note": "checked", "date": date}
    )
    assert response.status_code in (400, 404)
    assert review_notes(stored.store, CLIENT) == []
