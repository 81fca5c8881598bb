"""The public library API: values in, values out, the same bytes as the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import neuroseq
from neuroseq.cli import main
from neuroseq.engine.planner import Planner as RuleBasePlanner
from neuroseq.errors import CaseError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
INTAKE = EXAMPLES / "published-case-intake.yaml"
FOLLOWUP = EXAMPLES / "published-case-followup.yaml"
PLANNER = neuroseq.Planner.load()


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    "name",
    [
        "severe-young-child",
        "typical-9-year-old",
        "uneven-adolescent",
        "er-snapshot",
        "published-case-intake",
    ],
)
@pytest.mark.parametrize("fmt", ["json", "md", "text"])
def test_api_gives_the_cli_s_bytes(name: str, fmt: str) -> None:
    path = EXAMPLES / f"{name}.yaml"
    case = neuroseq.parse_case(path.read_text(encoding="utf-8"), source=str(path))
    text = neuroseq.render(PLANNER.plan(case), fmt)
    assert text == _cli("plan", str(path), "--format", fmt, "--no-color")


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_api_follow_up_pair_gives_the_cli_s_bytes(fmt: str) -> None:
    earlier = PLANNER.plan(neuroseq.load_case(INTAKE))
    later = PLANNER.plan(neuroseq.load_case(FOLLOWUP), previous=earlier)
    expected = _cli("plan", str(FOLLOWUP), "--previous", str(INTAKE), "--format", fmt)
    assert neuroseq.render(later, fmt) == expected
    # a previous case (planned first) and a previous result give the same plan
    again = PLANNER.plan(neuroseq.load_case(FOLLOWUP), previous=neuroseq.load_case(INTAKE))
    assert again.plan == later.plan


def test_api_plan_result_holds_values_not_a_planner() -> None:
    result = PLANNER.plan(neuroseq.load_case(INTAKE))
    assert not hasattr(result, "planner")
    assert result.norms is PLANNER.norms and result.catalog is PLANNER.catalog
    with pytest.raises(AttributeError):
        result.plan = result.plan  # type: ignore[misc]


def test_api_compare_plans_each_assessment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = RuleBasePlanner.plan

    def counted(
        self: RuleBasePlanner, case: neuroseq.Case, *args: object, **kwargs: object
    ) -> object:
        calls.append(case.client.id)
        return original(self, case, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RuleBasePlanner, "plan", counted)
    cases = [neuroseq.load_case(FOLLOWUP), neuroseq.load_case(INTAKE)]  # out of order
    comparison = neuroseq.compare(cases, PLANNER)
    assert len(calls) == 2
    ordered = [a.result.case.client.age for a in comparison.assessments]
    assert ordered == sorted(ordered)
    actions = {
        i.intervention: i.action for i in comparison.assessments[1].result.plan.recommendations
    }
    assert actions["tutoring"] == "resume"


def test_api_plan_records_every_input_s_identity() -> None:
    result = PLANNER.plan(neuroseq.load_case(INTAKE))
    norms_bytes = (ROOT / "scoring" / "norms.yaml").read_bytes()
    assert result.plan.norms.sha256 == hashlib.sha256(norms_bytes).hexdigest()
    assert result.plan.case is not None
    assert result.plan.case.sha256 == hashlib.sha256(INTAKE.read_bytes()).hexdigest()
    assert result.plan.caregiver_weights is None


def test_api_caregiver_plan_records_the_weights() -> None:
    home = neuroseq.load_caregiver(EXAMPLES / "caregiver-depleted.yaml", catalog=PLANNER.catalog)
    case = neuroseq.load_case(EXAMPLES / "severe-young-child.yaml")
    result = PLANNER.plan(case, caregiver=home)
    weights_bytes = (ROOT / "scoring" / "caregiver_weights.yaml").read_bytes()
    assert result.plan.caregiver_weights is not None
    assert result.plan.caregiver_weights.sha256 == hashlib.sha256(weights_bytes).hexdigest()
    plan_json = json.loads(neuroseq.render(result, "json"))
    assert plan_json["caregiver_weights"]["version"]


def test_api_report_uses_the_norms_the_plan_used(tmp_path: Path) -> None:
    custom = tmp_path / "norms.yaml"
    text = (ROOT / "scoring" / "norms.yaml").read_text(encoding="utf-8")
    custom.write_text(text.replace("    cardiovascular_ans: 12", "    cardiovascular_ans: 9", 1))
    planner = neuroseq.Planner.load(norms=custom)
    result = planner.plan(neuroseq.load_case(EXAMPLES / "typical-9-year-old.yaml"))
    assert result.plan.norms.sha256 == hashlib.sha256(custom.read_bytes()).hexdigest()
    bundled = neuroseq.render(
        PLANNER.plan(neuroseq.load_case(EXAMPLES / "typical-9-year-old.yaml")), "md"
    )
    assert neuroseq.render(result, "md") != bundled  # the typical map follows the norms


def test_api_parse_case_names_the_source_in_every_problem() -> None:
    with pytest.raises(CaseError) as info:
        neuroseq.parse_case("schema: neuroseq/case/v1\nmetric: full\n", source="intake.yaml")
    assert all(str(p).startswith("intake.yaml") for p in info.value.problems)


def test_api_previous_of_another_client_is_refused() -> None:
    other = neuroseq.load_case(EXAMPLES / "severe-young-child.yaml")
    with pytest.raises(CaseError, match="previous assessment is of client"):
        PLANNER.plan(neuroseq.load_case(INTAKE), previous=other)
