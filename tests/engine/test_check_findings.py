"""`rules check` findings: stable codes, engine limits found statically with file:line, grouping.

Each engine limit is found from the rule text (never by running the engine), with
the line of the rule, and what `rules check` accepts is what the planner registers:
the packer splits what one ruleset cannot hold.
"""

from __future__ import annotations

import shutil
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from neuroseq.catalog.loader import load_catalog
from neuroseq.cli import main
from neuroseq.engine.dnf import count_conjunctions, disjunctive_normal_form
from neuroseq.engine.findings import KINDS, Finding, finding, render_findings
from neuroseq.engine.planner import Planner
from neuroseq.engine.rule_model import parse_rule_file
from neuroseq.engine.rulebase import check_rulebase, load_rulebase
from neuroseq.errors import RuleError, SourceLocation
from neuroseq.source import load_text

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def _folder(tmp_path: Path, rules_yaml: str, name: str = "extra.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "rulebase.yaml", folder / "rulebase.yaml")
    (folder / name).write_text(
        "schema: neuroseq/rules/v1\nrules:\n" + textwrap.indent(textwrap.dedent(rules_yaml), "  ")
    )
    return folder


def _check(folder: Path) -> list[Finding]:
    base, problems = load_rulebase(folder)
    _compilation, findings = check_rulebase(base, problems, CATALOG)
    return findings


def _rule(when: str, rule_id: str = "t.rule") -> str:
    return f"""
- id: {rule_id}
  title: A test rule
  when:
{textwrap.indent(textwrap.dedent(when).strip(), "    ")}
  then:
    defer: {{intervention: tf_cbt}}
  rationale: r
  source: test
"""


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.severity == "error"]


def test_findings_kinds_have_stable_codes_severities_and_descriptions() -> None:
    assert len(KINDS) == len({kind.title for kind in KINDS.values()})
    for code, kind in KINDS.items():
        assert code == kind.code and code.startswith("NS") and len(code) == 5
        assert kind.severity in ("error", "warning")
        assert kind.description.endswith(".")


def test_findings_readme_documents_every_code() -> None:
    text = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 10.") : text.index("## 11.")]
    for code, kind in KINDS.items():
        assert f"`{code}`" in section, code
        assert kind.title in section, code


def test_check_is_not_ref_between_two_facts_is_refused_like_the_adapter_would(
    tmp_path: Path,
) -> None:
    folder = _folder(
        tmp_path,
        _rule(
            """
            all:
              - region as low: {id: limbic}
              - region as high: {id: cortex, impairment: {is_not: {ref: low.impairment}}}
            """
        ),
    )
    findings = _check(folder)
    assert _codes(findings) == ["NS107"]
    (unsafe,) = [f for f in findings if f.code == "NS107"]
    assert unsafe.location == SourceLocation(str(folder / "extra.yaml"), 9)
    assert "comparing two facts with 'is_not' crashes the engine" in unsafe.message


def test_check_one_of_with_512_values_is_refused_at_its_rule(tmp_path: Path) -> None:
    values = ", ".join(f"{0.001 * (i + 1):.3f}" for i in range(512))
    folder = _folder(tmp_path, _rule(f"cmr: {{value: {{one_of: [{values}]}}}}"))
    findings = _check(folder)
    assert _codes(findings) == ["NS301"]
    (limit,) = [f for f in findings if f.code == "NS301"]
    assert limit.location == SourceLocation(str(folder / "extra.yaml"), 6)
    assert "512 distinct tests against constants on cmr facts" in limit.message
    # 511 values check clean
    fewer = _folder(tmp_path / "fewer", _rule(f"cmr: {{value: {{one_of: [{values[:-7]}]}}}}"))
    assert _codes(_check(fewer)) == []


def test_check_and_plan_agree_on_70_is_not_rules(tmp_path: Path) -> None:
    rules = "".join(
        _rule(f"cmr: {{value: {{is_not: {0.01 * (i + 1):.2f}}}}}", f"t.not_{i}") for i in range(70)
    )
    folder = _folder(tmp_path, rules)
    findings = _check(folder)
    assert _codes(findings) == []
    planner = Planner.load(folder)
    assert len(planner.compilation.rulesets()) == 2
    from neuroseq.scoring.loader import load_case
    from neuroseq.scoring.norms import default_norms
    from neuroseq.scoring.profile import score_case

    case = load_case(ROOT / "examples" / "typical-9-year-old.yaml")
    plan = planner.plan(case, score_case(case, default_norms()))
    assert any(item.intervention == "tf_cbt" for item in plan.recommendations)


def test_dnf_count_of_22_two_way_any_is_counted_not_built() -> None:
    lines = "\n".join(
        f"      - any: [{{region: {{id: limbic, ratio: {{below: 0.{i + 10}}}}}}}, "
        f"{{cmr: {{value: {{below: 0.{i + 10}}}}}}}]"
        for i in range(22)
    )
    text = f"schema: neuroseq/rules/v1\nrules:\n{_rule('all:' + chr(10) + lines)}"
    doc = load_text(textwrap.dedent(text), "big.yaml", error=RuleError)
    (rule,), problems = parse_rule_file(doc)
    assert problems == []
    started = time.monotonic()
    assert count_conjunctions(rule.when, 10**9) == 2**22
    assert count_conjunctions(rule.when, 256) == 257
    assert time.monotonic() - started < 1.0


def test_check_rule_over_256_conjunctions_is_refused_quickly(tmp_path: Path) -> None:
    lines = "\n".join(
        f"  - any: [{{region: {{id: limbic, ratio: {{below: 0.{i + 10}}}}}}}, "
        f"{{cmr: {{value: {{below: 0.{i + 10}}}}}}}]"
        for i in range(22)
    )
    folder = _folder(tmp_path, _rule("all:\n" + lines))
    started = time.monotonic()
    findings = _check(folder)
    assert time.monotonic() - started < 10
    assert _codes(findings) == ["NS303"]
    assert findings[0].location.path == str(folder / "extra.yaml")


def test_dnf_not_over_several_tests_counts_each_branch() -> None:
    text = _rule("not: {region: {id: limbic, ratio: {below: 0.5}, impairment: significant}}")
    doc = load_text("schema: neuroseq/rules/v1\nrules:\n" + text, "n.yaml", error=RuleError)
    (rule,), _ = parse_rule_file(doc)
    assert count_conjunctions(rule.when, 256) == 2
    assert len(disjunctive_normal_form(rule.when)) == 1


def test_check_rule_joining_17_facts_is_refused(tmp_path: Path) -> None:
    from neuroseq.scoring.items import ITEM_IDS

    patterns = "\n".join(
        f"  - item as i{n}: {{id: {item}, score: {{at_least: 0}}}}"
        for n, item in enumerate(list(ITEM_IDS)[:17])
    )
    findings = _check(_folder(tmp_path, _rule("all:\n" + patterns)))
    assert _codes(findings) == ["NS302"]


def test_findings_render_groups_repeated_warnings_and_ignores_codes() -> None:
    where = SourceLocation("catalog.yaml", 3)
    warnings = [finding("NS203", where, f"interventions.i{n}", "unreachable") for n in range(10)]
    error = finding("NS112", SourceLocation("a.yaml", 1), "rules[0].id", "duplicate")
    lines = render_findings([error, *warnings])
    assert lines[0] == "a.yaml:1: error NS112: rules[0].id: duplicate"
    assert lines[1] == "catalog.yaml:3: warning NS203: interventions.i0: unreachable"
    assert len(lines) == 5
    assert lines[4].startswith("catalog.yaml: warning NS203: 7 more like this (interventions.i3,")
    assert lines[4].endswith("--ignore NS203 hides them")
    assert render_findings([error, *warnings], ignore=["NS203"]) == [lines[0]]


def test_cli_rules_check_one_rule_base_groups_its_warnings(tmp_path: Path) -> None:
    from neuroseq.catalog.loader import load_catalog

    unreached = len(load_catalog().interventions) - 1  # every entry but the rule's own
    folder = _folder(tmp_path, _rule("cmr: {value: {below: 1.0}}"))
    result = CliRunner().invoke(main, ["rules", "check", "--rules", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5
    assert lines[3].endswith("--ignore NS203 hides them")
    assert lines[-1] == f"1 rules, 1 engine rules: 0 error(s), {unreached} warning(s)"
    ignored = CliRunner().invoke(
        main, ["rules", "check", "--rules", str(folder), "--ignore", "NS203"]
    )
    assert ignored.exit_code == 0
    assert ignored.output.splitlines() == [
        f"1 rules, 1 engine rules: 0 error(s), 0 warning(s), {unreached} ignored"
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [("NS999", "no finding has the code 'NS999'"), ("NS107", "NS107 is an error")],
)
def test_cli_rules_check_ignore_refuses_unknown_codes_and_errors(code: str, message: str) -> None:
    result = CliRunner().invoke(main, ["rules", "check", "--ignore", code])
    assert result.exit_code == 2
    assert message in result.output


def test_check_rule_specialised_past_2048_engine_rules_is_refused_before_copying(
    tmp_path: Path,
) -> None:
    when = """
    all:
      - intervention as a: {current: false}
      - intervention as b: {phase: {ref: a.phase}}
      - intervention as c: {mode: {ref: b.mode}}
    """
    started = time.monotonic()
    findings = _check(_folder(tmp_path, _rule(when)))
    assert time.monotonic() - started < 10
    assert _codes(findings) == ["NS304"]
    (refused,) = [f for f in findings if f.code == "NS304"]
    assert "more than 2048" in refused.message


def test_planner_refusal_names_each_error_with_its_code(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _rule("cmr: {valu: {below: 1.0}}"))
    with pytest.raises(RuleError) as refused:
        Planner.load(folder)
    assert str(refused.value).startswith(f"{folder / 'extra.yaml'}:7: NS102: rules[0].when.cmr")


def test_check_rule_joining_four_unnamed_items_is_refused(tmp_path: Path) -> None:
    patterns = "\n".join(f"  - item as i{k}: {{score: {{at_least: 0}}}}" for k in range(4))
    findings = _check(_folder(tmp_path, _rule("all:\n" + patterns)))
    assert _codes(findings) == ["NS305"]
    assert "up to 1048576 combinations of facts per case" in findings[0].message
    three = "\n".join(f"  - item as i{k}: {{score: {{at_least: 0}}}}" for k in range(3))
    assert _codes(_check(_folder(tmp_path / "three", _rule("all:\n" + three)))) == []
