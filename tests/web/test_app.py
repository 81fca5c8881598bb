"""The web app's pages through the ASGI test client, on SQLite and PostgreSQL.

Tests that only read the stored intake, or change nothing another test reads, share
one app per store database (``shared_stored``, each through a new client); a test that
stores, decides, records, adds or disables accounts, saves drafts, or checks what the
store or its audit log holds gets an app of its own (``stored``, ``web``, ``web_factory``).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import neuroseq
from neuroseq.engine.plan_diff import action_changes
from neuroseq.web.form import fields_of

from .conftest import CLIENT, FOLLOWUP, INTAKE, INTAKE_DATE, Web, csrf_of

PLAN = f"/clients/{CLIENT}/plans/{INTAKE_DATE}"


def _intake_fields() -> dict[str, str]:
    return fields_of(yaml.safe_load(INTAKE.read_text(encoding="utf-8")))


def _post_follow_up(web: Web, previous: str, **extra: str) -> Any:
    """Post the intake as a follow-up of 2027-01-18 from the follow-up form, with a sleep
    score out of range (a mistake) unless ``extra`` says otherwise."""
    page = web.client.get(f"/clients/{CLIENT}/follow-up").text
    fields = {**_intake_fields(), "metric": "follow_up", "client.assessment_date": "2027-01-18"}
    data = {
        **fields,
        "cns.sleep": "14",
        "csrf": csrf_of(page),
        "kind": "follow_up",
        "previous": previous,
        **extra,
    }
    return web.client.post("/assessments", data=data, follow_redirects=False)


def test_home_sends_each_role_to_its_page(shared_stored: Web) -> None:
    for name, role, page in (
        ("c1", "clinician", "/clients"),
        ("t1", "trainer", "/trainer"),
        ("a1", "admin", "/admin/users"),
    ):
        shared_stored.login(name, role)
        response = shared_stored.client.get("/", follow_redirects=False)
        assert response.headers["location"] == page


def test_clients_lists_and_searches(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    assert CLIENT in shared_stored.client.get("/clients").text
    assert CLIENT in shared_stored.client.get("/clients?q=PUBLISHED").text
    assert f"/clients/{CLIENT}" not in shared_stored.client.get("/clients?q=zzz").text


def test_client_shows_the_timeline_charts_and_audits_the_view(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    page = shared_stored.client.get(f"/clients/{CLIENT}").text
    assert 'aria-label="CMR over time: 2026-01-12 0.72"' in page
    assert "Developmental age by domain over time" in page
    lines = [
        line
        for line in shared_stored.store.audit_log(CLIENT)
        if line["action"] == "web-view-timeline"
    ]
    assert lines and lines[-1]["actor"] == "rivera"


def test_plan_page_shows_the_report_inline_with_forms(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    response = shared_stored.client.get(PLAN)
    assert response.status_code == 200
    page = response.text
    assert "Functional brain map" in page and "<svg" in page
    assert page.count('action="/clients/published-case/plans/2026-01-12/fidelity#item-') == len(
        shared_stored.store.assessment(CLIENT).plan["recommendations"]
    )
    assert "server-timing" in response.headers


def test_plan_page_puts_the_plan_before_the_decisions_in_the_reports_words(
    shared_stored: Web,
) -> None:
    shared_stored.login("rivera", "clinician")
    page = shared_stored.client.get(PLAN).text
    assert page.index('<article class="report">') < page.index('id="ft-heading"')
    first = shared_stored.store.assessment(CLIENT).plan["recommendations"][0]
    from neuroseq.engine.assembly import VERBS

    assert f"<b>{VERBS[first['action']]}: {first['name']}</b>" in page
    row = page[page.index(f'id="item-{first["intervention"]}"') :]
    row = row[: row.index("</tr>")]
    assert '<option value="">choose…</option><option value="accept">' in row
    assert '<option value="">choose…</option><option value="done">' in row
    assert " selected" not in row and "recommend ·" not in row


def test_plan_page_shows_no_controls_or_their_instructions_to_a_reviewer(
    shared_stored: Web,
) -> None:
    shared_stored.login("lee", "reviewer")
    page = shared_stored.client.get(PLAN).text
    assert "Accept or override" not in page and "accept or override" not in page
    assert "<select" not in page and "What the clinicians decided" in page


def test_record_decision_and_fidelity_refuse_no_choice_beside_the_field(stored: Web) -> None:
    token = stored.login("rivera", "clinician")
    for kind, data, message in (
        ("decision", {"decision": ""}, "Choose accept or override."),
        ("fidelity", {"status": ""}, "Choose what was done: done, partly, not done"),
        ("fidelity", {"status": "done", "rating": "7"}, "Choose a rating of 0, 1, 2 or 3"),
    ):
        response = stored.client.post(
            f"{PLAN}/{kind}", data={"csrf": token, "item": "drumming", **data}
        )
        assert response.status_code == 400 and "Not possible" not in response.text
        beside = re.search(
            rf'<span class="field-problem" id="problem-{kind}-drumming" role="alert">([^<]*)<',
            response.text,
        )
        assert beside is not None and beside.group(1).startswith(message)
        assert 'aria-invalid="true" aria-describedby="problem-' + kind + '-drumming"' in (
            response.text
        )
    latest = stored.store.assessment(CLIENT)
    assert latest.latest_decisions() == {} and latest.latest_fidelity() == {}


def test_record_decision_and_fidelity_show_the_comment_and_note_in_the_row(stored: Web) -> None:
    token = stored.login("rivera", "clinician")
    stored.client.post(
        f"{PLAN}/decision",
        data={"csrf": token, "item": "drumming", "decision": "accept", "note": "family keen"},
    )
    page = stored.client.post(
        f"{PLAN}/fidelity",
        data={"csrf": token, "item": "drumming", "status": "partly", "note": "twice a week"},
    ).text
    row = page[page.index('id="item-drumming"') :]
    row = row[: row.index("</tr>")]
    assert "Comment: family keen" in row and "Note: twice a week" in row
    assert re.search(r"by rivera, \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC", row)


def test_record_fidelity_and_decision_are_stored_and_shown(stored: Web) -> None:
    token = stored.login("rivera", "clinician")
    response = stored.client.post(
        f"{PLAN}/fidelity",
        data={"csrf": token, "item": "drumming", "status": "done", "rating": "3"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    decided = stored.client.post(
        f"{PLAN}/decision",
        data={"csrf": token, "item": "drumming", "decision": "override", "reason": "timing"},
    )
    drumming = next(
        r["name"]
        for r in stored.store.assessment(CLIENT).plan["recommendations"]
        if r["intervention"] == "drumming"
    )
    assert decided.status_code == 200 and f"Saved for {drumming}." in decided.text
    latest = stored.store.assessment(CLIENT)
    assert latest.latest_fidelity()["drumming"].status == "done"
    assert latest.latest_fidelity()["drumming"].by == "rivera"
    assert latest.latest_decisions()["drumming"].reason == "timing"
    assert "overridden (timing) by rivera" in decided.text


def test_record_decision_refuses_an_override_without_a_reason(stored: Web) -> None:
    token = stored.login("rivera", "clinician")
    response = stored.client.post(
        f"{PLAN}/decision", data={"csrf": token, "item": "drumming", "decision": "override"}
    )
    assert response.status_code == 400
    assert "--override" not in response.text and "Not possible" not in response.text
    beside = re.search(
        r'<span class="field-problem" id="problem-decision-drumming" role="alert">([^<]*)<',
        response.text,
    )
    assert beside is not None
    assert beside.group(1) == (
        "Choose why you override it: clinical judgement, family preference, not available, "
        "already addressed, safety concern, timing or other."
    )
    assert '<option value="override" selected>' in response.text  # the clinician's place kept
    assert stored.store.assessment(CLIENT).latest_decisions() == {}


def test_download_gives_the_stored_plan_json_and_the_report(stored: Web) -> None:
    stored.login("rivera", "clinician")
    plan = stored.client.get(f"{PLAN}/plan.json")
    assert plan.text == stored.store.assessment(CLIENT).plan_json
    assert "attachment" in plan.headers["content-disposition"]
    report = stored.client.get(f"{PLAN}/report.html")
    assert (
        report.text.startswith("<!DOCTYPE html>")
        and "attachment" in report.headers["content-disposition"]
    )
    printed = stored.client.get(f"{PLAN}/print")
    assert "content-disposition" not in printed.headers and "Treatment plan" in printed.text
    assert stored.client.get(f"{PLAN}/other").status_code == 404
    actions = {line["action"] for line in stored.store.audit_log(CLIENT)}
    assert {"web-download-plan", "web-download-report", "web-download-print"} <= actions


def test_submit_assessment_shows_a_mistake_beside_its_field_and_stores_nothing(web: Web) -> None:
    token = web.login("rivera", "clinician")
    fields = {**_intake_fields(), "cns.sleep": "14"}
    response = web.client.post("/assessments", data={**fields, "csrf": token, "action": "submit"})
    assert response.status_code == 400
    beside = re.search(
        r'id="f-cns-sleep" class="invalid"[^>]*>(?:<span class="field-problem"[^>]*>([^<]*))',
        response.text,
    )
    assert beside is not None and beside.group(1) == "too high: at most 12 (got 14)"
    assert 'value="14"' in response.text  # nothing typed is lost
    assert web.store.clients() == []


def test_submit_assessment_plans_in_the_pool_and_redirects_to_the_plan(web: Web) -> None:
    token = web.login("rivera", "clinician")
    response = web.client.post(
        "/assessments",
        data={**_intake_fields(), "csrf": token, "action": "submit"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == PLAN
    stored = web.store.assessment(CLIENT)
    assert stored.source == f"web-form/{CLIENT}.yaml"
    assert web.store.audit_log(CLIENT)[0]["actor"] == "rivera"


def test_submit_assessment_saves_a_draft_without_losing_anything(web: Web) -> None:
    token = web.login("rivera", "clinician")
    fields = {**_intake_fields(), "cns.sleep": "not yet", "notes": "half done"}
    response = web.client.post(
        "/assessments", data={**fields, "csrf": token, "action": "draft"}, follow_redirects=False
    )
    assert response.status_code == 303
    page = web.client.get(response.headers["location"]).text
    assert 'value="not yet"' in page and "half done" in page
    from neuroseq.store.users import drafts_of

    (draft,) = drafts_of(web.store, "rivera")
    assert draft.fields["cns.sleep"] == "not yet"
    assert all(
        draft.fields.get(k, "") == v for k, v in fields.items() if k != "client.sensitivities"
    )


def test_submit_assessment_follow_up_draft_reopens_as_the_follow_up(stored: Web) -> None:
    stored.login("rivera", "clinician")
    page = stored.client.get(f"/clients/{CLIENT}/follow-up").text
    fields = {**_intake_fields(), "metric": "follow_up", "client.assessment_date": "2027-01-18"}
    common = {**fields, "csrf": csrf_of(page), "kind": "follow_up", "action": "draft"}
    response = stored.client.post(
        "/assessments", data={**common, "previous": INTAKE_DATE}, follow_redirects=False
    )
    assert response.status_code == 303
    reopened = stored.client.get(response.headers["location"]).text
    assert "Follow-up assessment (after 2026-01-12)" in reopened
    assert "Carried over from the assessment of 2026-01-12" in reopened
    assert 'name="kind" value="follow_up"' in reopened
    assert 'name="previous" value="2026-01-12"' in reopened
    assert "form.previous" not in reopened
    # A forged date is not kept: the draft reopens as a new assessment.
    forged = stored.client.post(
        "/assessments", data={**common, "previous": "<b>x"}, follow_redirects=False
    )
    again = stored.client.get(forged.headers["location"]).text
    assert "New assessment" in again and 'name="previous" value=""' in again


def test_preview_redraws_the_brain_map_from_the_scores(shared_stored: Web) -> None:
    token = shared_stored.login("rivera", "clinician")
    fields = _intake_fields()
    drawn = shared_stored.client.post("/assessments/preview", data={**fields, "csrf": token})
    assert drawn.status_code == 200 and drawn.text.count("<svg") == 2 and "CMR 0.72" in drawn.text
    wrong = shared_stored.client.post(
        "/assessments/preview", data={**fields, "cns.sleep": "x", "csrf": token}
    )
    assert "<svg" not in wrong.text and "check 8 Sleep" in wrong.text


def test_follow_up_starts_from_the_latest_assessment(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    page = shared_stored.client.get(f"/clients/{CLIENT}/follow-up").text
    assert 'name="client.id" id="f-client-id" value="published-case"' in page
    assert 'name="client.assessment_date" id="f-client-assessment-date" value=""' in page
    assert '<option value="follow_up" selected>' in page


def test_follow_up_carries_over_the_latest_services_and_medications_and_says_so(
    stored: Web, planner: Any
) -> None:
    stored.store.add(FOLLOWUP.read_bytes(), str(FOLLOWUP), planner, actor="test")
    stored.login("rivera", "clinician")
    page = stored.client.get(f"/clients/{CLIENT}/follow-up").text
    # From the latest stored assessment (the 2027 follow-up), not the intake.
    assert (
        'name="current_services" id="f-current-services" '
        'value="music_movement, singing_humming, in_room_aide"'
    ) in page
    assert 'id="f-client-medications" rows="5" cols="50">clonidine: alpha_agonist</textarea>' in (
        page
    )
    note = re.search(r'<p class="carried" id="carried-over" role="note">([^<]*)</p>', page)
    assert note is not None
    assert note.group(1).startswith(
        "Carried over from the assessment of 2027-01-18: the current services and medications"
    )
    assert "Follow-up assessment (after 2027-01-18)" in page
    assert 'id="carried-over"' not in stored.client.get("/assessments/new").text


def test_follow_up_with_a_mistake_is_shown_again_as_a_follow_up(stored: Web) -> None:
    stored.login("rivera", "clinician")
    response = _post_follow_up(stored, INTAKE_DATE, action="submit")
    assert response.status_code == 400
    assert "Follow-up assessment (after 2026-01-12)" in response.text
    assert "Carried over from the assessment of 2026-01-12" in response.text
    assert 'name="previous" value="2026-01-12"' in response.text
    forged = _post_follow_up(stored, "<b>x", kind="new")
    assert forged.status_code == 400 and "<b>x" not in forged.text
    assert 'id="carried-over"' not in forged.text
    assert [a.date for a in stored.store.history(CLIENT)] == [INTAKE_DATE]


def test_new_assessment_describes_every_half_point_from_the_guide(web: Web) -> None:
    from neuroseq.scoring.guide import load_guide
    from neuroseq.vocabulary import PERIODS

    web.login("rivera", "clinician")
    page = web.client.get("/assessments/new").text
    halves = re.findall(r'<option value="(\d\.5)"(?: selected)?>([^<]*)</option>', page)
    # Parts A and B: four ratings per period; Part D: four; each with three half points.
    assert len(halves) == 3 * (4 * len(PERIODS) + 4)
    assert all(label.startswith(f"{value}: between ") for value, label in halves)
    guide = load_guide()
    bonding = guide.history.bonding
    assert bonding.half_point(1) == f"between {bonding.short[1]} and {bonding.short[2]}"
    assert f'<option value="1.5">1.5: {bonding.half_point(1)}</option>' in page
    peers = guide.relational_health.fields.peers
    assert f'<option value="2.5">2.5: {peers.half_point(2)}</option>' in page
    assert '<option value="3">3: several steady, mutual friendships</option>' in page


def test_compare_shows_the_change_over_time(stored: Web, planner: Any) -> None:
    stored.store.add(FOLLOWUP.read_bytes(), str(FOLLOWUP), planner, actor="test")
    stored.login("rivera", "clinician")
    page = stored.client.get(f"/clients/{CLIENT}/compare").text
    assert "Change over time: client published-case" in page and "2 assessments" in page


def test_audit_view_and_review_notes_for_a_reviewer(stored: Web) -> None:
    token = stored.login("lee", "reviewer")
    page = stored.client.get(f"/clients/{CLIENT}/audit").text
    assert "client.regulate" in page or "Rule" in page
    added = stored.client.post(
        f"/clients/{CLIENT}/notes",
        data={"csrf": token, "note": "rationale checked", "date": INTAKE_DATE},
    )
    assert added.status_code == 200 and "rationale checked" in added.text
    line = [entry for entry in stored.store.audit_log(CLIENT) if entry["action"] == "review-note"][
        -1
    ]
    assert line["actor"] == "lee" and "rationale" not in json.dumps(line)


def test_need_lets_a_reviewer_read_but_change_nothing(stored: Web) -> None:
    token = stored.login("lee", "reviewer")
    assert stored.client.get(PLAN).status_code == 200
    assert (
        'action="/clients/published-case/plans/2026-01-12/fidelity"'
        not in stored.client.get(PLAN).text
    )
    for path, data in (
        (f"{PLAN}/fidelity", {"item": "drumming", "status": "done"}),
        (f"{PLAN}/decision", {"item": "drumming", "decision": "accept"}),
        ("/assessments", {**_intake_fields(), "action": "submit"}),
    ):
        assert stored.client.post(path, data={**data, "csrf": token}).status_code == 403, path
    assert stored.client.get("/assessments/new").status_code == 403
    assert stored.store.assessment(CLIENT).fidelity == ()


def test_need_refuses_a_clinician_review_notes_users_and_rules(shared_stored: Web) -> None:
    token = shared_stored.login("rivera", "clinician")
    assert (
        shared_stored.client.post(
            f"/clients/{CLIENT}/notes", data={"csrf": token, "note": "x"}
        ).status_code
        == 403
    )
    assert shared_stored.client.get("/admin/users").status_code == 403
    assert shared_stored.client.get("/trainer").status_code == 403


def test_trainer_sees_rule_checks_and_tests_but_no_case(shared_stored: Web) -> None:
    shared_stored.login("kim", "trainer")
    assert shared_stored.client.get("/clients").status_code == 403
    page = shared_stored.client.get("/trainer").text
    assert "Rule checks" in page and re.search(r"\d+ passed, 0 failed", page)


def test_users_page_adds_and_disables_accounts(web: Web) -> None:
    token = web.login("root", "admin")
    added = web.client.post(
        "/admin/users",
        data={"csrf": token, "name": "rivera", "role": "clinician", "password": "long enough pw"},
    )
    assert added.status_code == 200 and "rivera" in added.text
    short = web.client.post(
        "/admin/users", data={"csrf": token, "name": "kim", "role": "trainer", "password": "short"}
    )
    assert short.status_code == 400 and "at least 10 characters" in short.text
    web.client.post("/admin/users/rivera/disable", data={"csrf": token})
    from neuroseq.store.users import user

    assert user(web.store, "rivera").disabled  # type: ignore[union-attr]
    assert csrf_of(web.client.get("/admin/users").text)


def test_download_gives_the_fhir_bundle_as_neuroseq_plan_does(stored: Web) -> None:
    from click.testing import CliRunner

    from neuroseq.cli import main

    stored.login("rivera", "clinician")
    assert f'href="{PLAN}/plan.fhir.json"' in stored.client.get(PLAN).text
    response = stored.client.get(f"{PLAN}/plan.fhir.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{CLIENT}-{INTAKE_DATE}.fhir.json"'
    )
    assert response.headers["cache-control"] == "no-store"
    planned = CliRunner().invoke(main, ["plan", str(INTAKE), "--format", "fhir"])
    assert planned.exit_code == 0, planned.output
    assert response.content == planned.stdout_bytes
    assert json.loads(response.content)["resourceType"] == "Bundle"
    logged = [
        line for line in stored.store.audit_log(CLIENT) if line["action"] == "web-download-fhir"
    ]
    assert [(line["actor"], line["assessment_date"]) for line in logged] == [
        ("rivera", INTAKE_DATE)
    ]


def test_download_says_how_to_install_the_fhir_extra_without_it(
    stored: Web, monkeypatch: Any
) -> None:
    import sys

    stored.login("rivera", "clinician")
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)  # as if the extra were absent
    page = stored.client.get(PLAN).text
    assert "plan.fhir.json" not in page and "<code>pip install 'neuroseq[fhir]'</code>" in page
    response = stored.client.get(f"{PLAN}/plan.fhir.json")
    assert response.status_code == 404
    assert "pip install &#39;neuroseq[fhir]&#39;" in response.text
    assert "web-download-fhir" not in {line["action"] for line in stored.store.audit_log()}


def _candidate(tmp_path: Path, old: str = "", new: str = "") -> Path:
    from neuroseq.engine.rulebase import bundled_rules_folder

    folder = tmp_path / "candidate-rules"
    shutil.copytree(bundled_rules_folder(), folder)
    if old:
        base = folder / "rulebase.yaml"
        text = base.read_text(encoding="utf-8")
        assert old in text
        base.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def _impact(web: Web, planner: Any) -> Any:
    web.store.add(INTAKE.read_bytes(), str(INTAKE), planner, actor="test")
    token = web.login("kim", "trainer")
    page = web.client.get("/trainer").text
    assert '<option value="0">candidate-rules</option>' in page
    return web.client.post("/trainer/impact", data={"csrf": token, "candidate": "0"})


def test_trainer_impact_names_the_changes_of_a_changed_threshold(
    web_factory: Any, tmp_path: Path, planner: Any
) -> None:
    folder = _candidate(tmp_path, "client_per_phase: 5", "client_per_phase: 2")
    web = web_factory(candidate_rules=(str(folder),))
    response = _impact(web, planner)
    assert response.status_code == 200, response.text
    page = response.text
    assert "1 of 1 plans change under" in page
    assert "recommend → not in plan" in page and "<code>case 1</code>:" in page
    case = neuroseq.load_case(INTAKE)
    changes = action_changes(planner.plan(case).plan, neuroseq.Planner.load(folder).plan(case).plan)
    removed = {change.intervention for change in changes}
    assert removed and all(f"<code>{item}</code>" in page for item in removed)
    assert CLIENT not in page and INTAKE_DATE not in page  # trainers see no case data
    (line,) = [x for x in web.store.audit_log() if x["action"] == "web-rules-impact"]
    assert (line["actor"], line["detail"]) == ("kim", "candidate-rules: 1 of 1 plans change")


def test_trainer_impact_of_an_identical_copy_changes_nothing(
    web_factory: Any, tmp_path: Path, planner: Any
) -> None:
    web = web_factory(candidate_rules=(str(_candidate(tmp_path)),))
    response = _impact(web, planner)
    assert response.status_code == 200, response.text
    assert "0 of 1 plans change under" in response.text
    assert "Changed cases" not in response.text


def test_trainer_impact_shows_a_refused_candidates_located_problems(
    web_factory: Any, tmp_path: Path, planner: Any
) -> None:
    folder = _candidate(tmp_path)
    (folder / "broken.yaml").write_text("rules: [{id: broken", encoding="utf-8")
    web = web_factory(candidate_rules=(str(folder),))
    response = _impact(web, planner)
    assert response.status_code == 400
    assert "The candidate was refused" in response.text
    assert re.search(r"broken\.yaml:\d+", response.text)
    assert "web-rules-impact-refused" in {line["action"] for line in web.store.audit_log()}


def test_trainer_impact_is_for_trainers_and_configured_folders_only(
    web_factory: Any, tmp_path: Path
) -> None:
    web = web_factory(candidate_rules=(str(_candidate(tmp_path)),))
    token = web.login("rivera", "clinician")
    refused = web.client.post("/trainer/impact", data={"csrf": token, "candidate": "0"})
    assert refused.status_code == 403
    token = web.login("kim", "trainer")
    for choice in ("1", "-1", str(tmp_path), ""):
        response = web.client.post("/trainer/impact", data={"csrf": token, "candidate": choice})
        assert response.status_code == 400, choice
        assert "candidate rule folders this server was started with" in response.text
    assert web.client.post("/trainer/impact", data={"candidate": "0"}).status_code == 403


def test_trainer_says_how_to_configure_candidates_when_there_are_none(shared_stored: Web) -> None:
    shared_stored.login("kim", "trainer")
    page = shared_stored.client.get("/trainer").text
    assert "neuroseq serve --candidate-rules DIR" in page and "/trainer/impact" not in page


def test_candidate_folders_refuse_what_is_not_a_folder(store_url: str, tmp_path: Path) -> None:
    from neuroseq.errors import RuleError
    from neuroseq.web.app import Settings, create_app

    afile = tmp_path / "rules.yaml"
    afile.write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RuleError) as refused:
        create_app(
            Settings(db=store_url, workers=1, candidate_rules=(str(afile), str(tmp_path / "no")))
        )
    assert [str(p) for p in refused.value.problems] == [
        f"{afile}: --candidate-rules: is not a folder: give a rule folder",
        f"{tmp_path / 'no'}: --candidate-rules: does not exist: give a rule folder",
    ]


def test_create_app_keeps_sessions_across_a_restart(web_factory: Any) -> None:
    first = web_factory()
    first.login("rivera", "clinician")
    cookie = first.client.cookies.get("neuroseq_session")
    assert cookie and first.client.get("/clients").status_code == 200
    second = web_factory()  # a new process on the same store: the kept secret
    second.client.cookies.set("neuroseq_session", cookie)
    response = second.client.get("/clients", follow_redirects=False)
    assert response.status_code == 200 and "rivera (clinician)" in response.text
    other = web_factory(secret="another secret")  # a cookie signed otherwise is refused
    other.client.cookies.set("neuroseq_session", cookie)
    assert other.client.get("/clients", follow_redirects=False).status_code == 303


def test_submit_assessment_says_an_identical_intake_is_already_stored(web: Web) -> None:
    token = web.login("rivera", "clinician")
    data = {**_intake_fields(), "csrf": token, "action": "submit"}
    first = web.client.post("/assessments", data=data)
    assert first.status_code == 200 and "already stored" not in first.text
    response = web.client.post("/assessments", data=data)
    assert response.status_code == 200
    assert "This assessment is already stored; nothing changed." in response.text


def test_submit_assessment_says_to_tick_replace_for_different_content(shared_stored: Web) -> None:
    token = shared_stored.login("rivera", "clinician")
    fields = {**_intake_fields(), "cns.sleep": "3"}
    response = shared_stored.client.post("/assessments", data={**fields, "csrf": token})
    assert response.status_code == 400 and "--replace" not in response.text
    assert "tick &#39;replace an assessment already stored for this date&#39;" in response.text


def test_submit_assessment_shows_form_words_not_file_words(shared_stored: Web) -> None:
    token = shared_stored.login("rivera", "clinician")
    fields = {
        **_intake_fields(),
        "cns.sleep": "",
        "client.medications": "just a name",
        "current_services": "OT",
        "relational_health.family": "",
    }
    page = shared_stored.client.post("/assessments", data={**fields, "csrf": token}).text
    assert "a mapping of keys" not in page and "neuroseq catalog list" not in page
    assert "write one medication a line as name: class" in page
    assert "choose one of the catalogue&#39;s ids" in page
    assert "give a score from 0 to 12 (whole or half points)" in page
    assert "just a name" not in page.split('id="f-client-medications"')[0]


def test_preview_names_items_to_check_not_ids(shared_stored: Web) -> None:
    token = shared_stored.login("rivera", "clinician")
    wrong = shared_stored.client.post(
        "/assessments/preview", data={**_intake_fields(), "cns.sleep": "x", "csrf": token}
    ).text
    from neuroseq.scoring.items import ITEMS

    sleep = next(item for item in ITEMS if item.id == "sleep")
    assert f"check {sleep.number} {sleep.label}" in wrong and "cns." not in wrong
    empty = shared_stored.client.post("/assessments/preview", data={"csrf": token}).text
    assert "cns." not in empty and "Sleep" not in empty


def test_client_names_items_not_started_and_shows_readable_times(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    page = shared_stored.client.get(f"/clients/{CLIENT}").text
    stored_plan = shared_stored.store.assessment(CLIENT).plan
    names = {r["intervention"]: r["name"] for r in stored_plan["recommendations"]}
    for entry in stored_plan.get("not_started", []):
        assert entry["intervention"] not in page.split("Not started, ask why:")[-1][:2000]
        assert names.get(entry["intervention"], "") in page


def test_when_shows_a_timestamp_as_a_person_reads_it() -> None:
    from neuroseq.web.app import when

    assert when("2026-12-01T23:25:00+00:00") == "1 Dec 2026 23:25 UTC"
    assert when("2026-12-02T01:25:00+02:00") == "1 Dec 2026 23:25 UTC"
    assert when("") == "" and when("not a time") == "not a time"


def test_audit_view_shows_readable_times(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    page = shared_stored.client.get(f"/clients/{CLIENT}/audit").text
    assert not re.search(r"<td>\d{4}-\d\d-\d\dT", page)
    assert re.search(r"<td>\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC</td>", page)


def test_submit_assessment_draft_says_saved_and_reopened_says_draft(web: Web) -> None:
    token = web.login("rivera", "clinician")
    response = web.client.post(
        "/assessments",
        data={**_intake_fields(), "csrf": token, "action": "draft"},
        follow_redirects=False,
    )
    assert "Draft saved (" in web.client.get(response.headers["location"]).text
    reopened = web.client.get(response.headers["location"].replace("&saved=1", "")).text
    assert "This is a draft (" in reopened and "nothing is stored or planned" in reopened


def test_new_assessment_offers_half_points_and_labels_history(shared_stored: Web) -> None:
    shared_stored.login("rivera", "clinician")
    page = shared_stored.client.get("/assessments/new").text
    assert '<option value="1.5">1.5: between mild and serious</option>' in page
    assert 'aria-label="Adversity, early childhood"' in page
    assert "`" not in page.split('<form method="post" action="/assessments"')[1]
    assert "early_childhood (" not in page and 'rows="5"' in page


def test_login_shows_the_plans_statement_in_the_footer(shared_stored: Web) -> None:
    from neuroseq.vocabulary import STATEMENT

    page = shared_stored.client.get("/login").text
    assert STATEMENT.replace("&", "&amp;") in page and "&trade;" not in page


def test_compare_labels_stored_assessments_and_says_why_for_each_change(
    stored: Web, planner: Any
) -> None:
    stored.store.add(FOLLOWUP.read_bytes(), str(FOLLOWUP), planner, actor="test")
    stored.login("rivera", "clinician")
    page = stored.client.get(f"/clients/{CLIENT}/compare").text
    assert "<th>File</th>" not in page and "<th>Assessment</th>" in page
    assert '<td data-label="Why"></td>' not in page
