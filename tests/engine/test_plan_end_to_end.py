"""Planning end to end through the real durable_rules engine (no mocks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.cli import main
from neuroseq.engine.plan_model import Plan
from neuroseq.engine.workflow import plan_case
from neuroseq.errors import CaseError
from neuroseq.scoring.items import ITEMS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
REQUIRED = {"schema", "client_id", "metric", "rulebase", "catalog", "scores", "recommendations"}
ITEM_KEYS = {
    "rank",
    "audience",
    "domain",
    "phase",
    "action",
    "intervention",
    "summary",
    "rule",
    "rationale",
    "facts",
    "six_rs",
    "source",
}


def _plan(name: str, **kwargs: Path) -> dict:
    result = plan_case(EXAMPLES / name, **kwargs)
    return result.plan.to_json()


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in EXAMPLES.glob("*.yaml") if not p.name.startswith("caregiver-")),
)
def test_plan_follows_the_contract(name: str) -> None:
    plan = _plan(name)
    assert REQUIRED <= set(plan)
    assert plan["schema"] == "neuroseq/plan/v1"
    assert len(plan["rulebase"]["sha256"]) == 64 and len(plan["catalog"]["sha256"]) == 64
    ranks = [item["rank"] for item in plan["recommendations"]]
    assert ranks == list(range(1, len(ranks) + 1))
    order = {"therapeutic_web": 0, "family": 1, "client": 2}
    audiences = [order[item["audience"]] for item in plan["recommendations"]]
    assert audiences == sorted(audiences)
    phases = [item["phase"] for item in plan["recommendations"] if item["audience"] == "client"]
    phase_order = {"regulate": 0, "relate": 1, "reason": 2}
    assert [phase_order[p] for p in phases] == sorted(phase_order[p] for p in phases)
    for item in plan["recommendations"]:
        assert ITEM_KEYS <= set(item)
        assert item["rule"] and item["rationale"] and item["source"]
        assert "{" not in item["rationale"]
    Plan.model_validate(plan)


def test_plan_is_byte_identical_on_repeat() -> None:
    runner = CliRunner()
    first = runner.invoke(
        main, ["plan", str(EXAMPLES / "severe-young-child.yaml"), "--format", "json"]
    )
    second = runner.invoke(
        main, ["plan", str(EXAMPLES / "severe-young-child.yaml"), "--format", "json"]
    )
    assert first.exit_code == 0, first.output
    assert first.output == second.output


def test_plan_case_severe_child_regulate_first_and_cognitive_work_suspended() -> None:
    plan = _plan("severe-young-child.yaml")
    assert plan["scores"]["cmr"] < 1.0
    assert plan["scores"]["risk"]["overall"] == "very_high"
    actions = {item["intervention"]: item["action"] for item in plan["recommendations"]}
    for service in ("tf_cbt", "tutoring", "speech_language_therapy"):
        assert actions[service] == "suspend"
    suspended = next(i for i in plan["recommendations"] if i["intervention"] == "tf_cbt")
    assert "0.56" in suspended["rationale"]
    assert "reiki" not in actions  # declined: never proposed as active, nor listed for nothing
    for wanted in (
        "school_psychoeducation",
        "caregiver_psychoeducation",
        "in_room_aide",
    ):
        assert actions.get(wanted) == "recommend", wanted
    # the family budget (6) leaves sibling inclusion out, and says so
    left_out = {c["intervention"]: c["reason"] for c in plan["also_considered"]}
    assert left_out["sibling_inclusion"] == "budget"
    client = [i for i in plan["recommendations"] if i["audience"] == "client"]
    assert client[0]["phase"] == "regulate"
    assert not any(i["phase"] == "reason" and i["action"] == "recommend" for i in client)


def test_plan_case_typical_child_has_no_suspension_and_no_significant_impairment() -> None:
    plan = _plan("typical-9-year-old.yaml")
    assert not any(i["action"] == "suspend" for i in plan["recommendations"])
    groups = list(plan["scores"]["regions"].values()) + list(plan["scores"]["domains"].values())
    assert all(g["impairment"] != "significant" for g in groups)


def test_plan_case_er_snapshot_plans_without_history() -> None:
    plan = _plan("er-snapshot.yaml")
    assert plan["metric"] == "er"
    assert plan["scores"]["risk"]["overall"] == "not_assessed"
    assert not any(
        i["phase"] == "relate" and i["action"] == "recommend" for i in plan["recommendations"]
    )


def test_plan_case_follow_up_resumes_suspended_services(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((EXAMPLES / "severe-young-child.yaml").read_text())
    data["metric"] = "follow_up"
    data["client"]["age_years"] = 7.0
    data["client"]["assessment_date"] = "2027-01-15"
    for item in ITEMS:
        if item.region in ("diencephalon_cerebellum", "limbic"):
            data["cns"][item.id] = min(12, data["cns"][item.id] + 4)
    path = tmp_path / "later.yaml"
    path.write_text(yaml.safe_dump(data))
    result = plan_case(path, previous=EXAMPLES / "severe-young-child.yaml")
    plan = result.plan.to_json()
    assert 1.0 <= plan["scores"]["cmr"] < 2.0
    actions = {item["intervention"]: item["action"] for item in plan["recommendations"]}
    assert actions["tf_cbt"] == "resume"
    assert plan["previous"]["actions"]["tf_cbt"] == "suspend"


def test_plan_case_refuses_a_previous_case_of_another_client(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="compare assessments of one client only"):
        plan_case(
            EXAMPLES / "severe-young-child.yaml", previous=EXAMPLES / "typical-9-year-old.yaml"
        )


def test_plan_cli_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    case = str(EXAMPLES / "severe-young-child.yaml")
    for fmt in ("text", "md", "html", "json"):
        out = tmp_path / f"plan.{fmt}"
        result = runner.invoke(main, ["plan", case, "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        text = out.read_text()
        assert "not the official NMT™ Metric" in text
    html = (tmp_path / "plan.html").read_text()
    assert "<b>Markup" not in html and "&lt;b&gt;Markup" in html


def test_plan_cli_bad_case_exits_1_nothing_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (EXAMPLES / "severe-young-child.yaml").read_text().replace("- tf_cbt", "- tf_cbtt")
    )
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["plan", str(bad), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1
    assert (
        "unknown catalogue id 'tf_cbtt'; did you mean 'tf_cbt' (Trauma-focused cognitive behavioural therapy)?"
        in result.output
    )
    assert not out.exists()


def test_explain_shows_trace_and_failed_conditions() -> None:
    runner = CliRunner()
    case = str(EXAMPLES / "severe-young-child.yaml")
    result = runner.invoke(main, ["explain", case])
    assert result.exit_code == 0, result.output
    assert "rule:      client.reason.suspend_current" in result.output
    assert "fact:      cmr cmr: gate=deferred, value=0.56" in result.output
    fired = runner.invoke(main, ["explain", case, "--rule", "client.reason.suspend_current"])
    assert "FIRED and won: suspend" in fired.output
    missed = runner.invoke(main, ["explain", case, "--rule", "client.reason.needed"])
    assert "did not fire" in missed.output
    assert "FAILS  cmr cmr: gate is available" in missed.output
    unknown = runner.invoke(main, ["explain", case, "--rule", "client.reason.suspend_curent"])
    assert unknown.exit_code == 1
    assert "did you mean 'client.reason.suspend_current'" in unknown.output


def test_rules_check_bundled_base_is_clean() -> None:
    result = CliRunner().invoke(main, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_rules_check_broken_folder_exits_1(tmp_path: Path) -> None:
    (tmp_path / "rulebase.yaml").write_text('schema: neuroseq/rulebase/v1\nversion: "1"\n')
    (tmp_path / "bad.yaml").write_text(
        "schema: neuroseq/rules/v1\nrules:\n  - id: a.b\n    title: t\n    when: {cmr: {value: {below: -1}}}\n"
        "    then: {recomend: {intervention: drumming}}\n    rationale: r\n    source: s\n"
    )
    result = CliRunner().invoke(main, ["rules", "check", "--rules", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}:6: error NS001:" in result.output
    assert "unknown action 'recomend'; did you mean 'recommend'?" in result.output


def test_rules_test_command_runs_the_data_tests() -> None:
    result = CliRunner().invoke(main, ["rules", "test"])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output


def test_catalog_commands() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["catalog", "list"])
    assert listing.exit_code == 0 and "tf_cbt" in listing.output
    shown = runner.invoke(main, ["catalog", "show", "drumming"])
    assert shown.exit_code == 0 and "Therapeutic drumming" in shown.output
    missing = runner.invoke(main, ["catalog", "show", "drumingg"])
    assert missing.exit_code == 1 and "drumming" in missing.output


def test_schema_plan_is_json_schema() -> None:
    result = CliRunner().invoke(main, ["schema", "plan"])
    schema = json.loads(result.output)
    assert {"recommendations", "scores", "rulebase"} <= set(schema["properties"])


def test_explain_caregiver_rules_with_the_caregiver_file() -> None:
    runner = CliRunner()
    case = str(EXAMPLES / "typical-9-year-old.yaml")
    rule = "family.caregiver.depleted_respite"
    fired = runner.invoke(
        main,
        ["explain", case, "--caregiver", str(EXAMPLES / "caregiver-depleted.yaml"), "--rule", rule],
    )
    assert fired.exit_code == 0, fired.output
    assert "FIRED and won: recommend respite_care" in fired.output
    missed = runner.invoke(
        main,
        ["explain", case, "--caregiver", str(EXAMPLES / "caregiver-strong.yaml"), "--rule", rule],
    )
    assert "FAILS  caregiver caregiver: reserve_category is depleted" in missed.output
    assert "reserve_category=strong" in missed.output


def test_explain_json_shows_why_each_item_won_and_each_candidate_lost() -> None:
    case = str(EXAMPLES / "published-case-intake.yaml")
    result = CliRunner().invoke(main, ["explain", case, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "neuroseq/explain/v1"
    tutoring = next(i for i in data["items"] if i["intervention"] == "tutoring")
    assert tutoring["action"] == "suspend" and tutoring["rule"] == "client.reason.suspend_current"
    assert all(c["reason"] and c["detail"] and c["rule"] for c in data["also_considered"])
    one = CliRunner().invoke(
        main, ["explain", case, "--rule", "client.reason.suspend_current", "--format", "json"]
    )
    ids = {i["intervention"] for i in json.loads(one.output)["items"]}
    assert ids == {"tf_cbt", "tutoring", "speech_language_therapy"}


def test_explain_output_suffix_picks_json_and_refuses_html(tmp_path: Path) -> None:
    case = str(EXAMPLES / "severe-young-child.yaml")
    out = tmp_path / "why.json"
    assert CliRunner().invoke(main, ["explain", case, "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["schema"] == "neuroseq/explain/v1"
    refused = CliRunner().invoke(main, ["explain", case, "-o", str(tmp_path / "why.html")])
    assert refused.exit_code == 2
