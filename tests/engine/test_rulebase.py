"""The rule base: loading a folder and checking it (``rules check``).

Each engine limit is found from the rule text (never by running the engine), with
the line of the rule, and what `rules check` accepts is what the planner registers:
the packer splits what one ruleset cannot hold.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.findings import Finding
from neuroseq.engine.planner import Planner
from neuroseq.engine.rulebase import check_rulebase, load_rulebase
from neuroseq.errors import SourceLocation

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def _messages(findings: list[Finding]) -> list[str]:
    return [f"{f.location}: {f.severity}: {f.field}: {f.message}" for f in findings]


def _check(folder: Path) -> list[Finding]:
    base, problems = load_rulebase(folder)
    _compilation, findings = check_rulebase(base, problems, CATALOG)
    return findings


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.severity == "error"]


def test_check_rulebase_is_not_ref_between_two_facts_is_refused_like_the_adapter_would(
    rule_files: Any,
    tmp_path: Path,
) -> None:
    folder = rule_files.folder(
        tmp_path,
        rule_files.rule(
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


def test_check_rulebase_one_of_with_512_values_is_refused_at_its_rule(
    rule_files: Any, tmp_path: Path
) -> None:
    values = ", ".join(f"{0.001 * (i + 1):.3f}" for i in range(512))
    folder = rule_files.folder(tmp_path, rule_files.rule(f"cmr: {{value: {{one_of: [{values}]}}}}"))
    findings = _check(folder)
    assert _codes(findings) == ["NS301"]
    (limit,) = [f for f in findings if f.code == "NS301"]
    assert limit.location == SourceLocation(str(folder / "extra.yaml"), 6)
    assert "512 distinct tests against constants on cmr facts" in limit.message
    # 511 values check clean
    fewer = rule_files.folder(
        tmp_path / "fewer", rule_files.rule(f"cmr: {{value: {{one_of: [{values[:-7]}]}}}}")
    )
    assert _codes(_check(fewer)) == []


def test_check_rulebase_and_plan_agree_on_70_is_not_rules(rule_files: Any, tmp_path: Path) -> None:
    rules = "".join(
        rule_files.rule(f"cmr: {{value: {{is_not: {0.01 * (i + 1):.2f}}}}}", f"t.not_{i}")
        for i in range(70)
    )
    folder = rule_files.folder(tmp_path, rules)
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


def test_check_rulebase_rule_over_256_conjunctions_is_refused_quickly(
    rule_files: Any, tmp_path: Path
) -> None:
    lines = "\n".join(
        f"  - any: [{{region: {{id: limbic, ratio: {{below: 0.{i + 10}}}}}}}, "
        f"{{cmr: {{value: {{below: 0.{i + 10}}}}}}}]"
        for i in range(22)
    )
    folder = rule_files.folder(tmp_path, rule_files.rule("all:\n" + lines))
    started = time.monotonic()
    findings = _check(folder)
    assert time.monotonic() - started < 10
    assert _codes(findings) == ["NS303"]
    assert findings[0].location.path == str(folder / "extra.yaml")


def test_check_rulebase_rule_joining_17_facts_is_refused(rule_files: Any, tmp_path: Path) -> None:
    from neuroseq.scoring.items import ITEM_IDS

    patterns = "\n".join(
        f"  - item as i{n}: {{id: {item}, score: {{at_least: 0}}}}"
        for n, item in enumerate(list(ITEM_IDS)[:17])
    )
    findings = _check(rule_files.folder(tmp_path, rule_files.rule("all:\n" + patterns)))
    assert _codes(findings) == ["NS302"]


def test_check_rulebase_rule_specialised_past_2048_engine_rules_is_refused_before_copying(
    rule_files: Any,
    tmp_path: Path,
) -> None:
    when = """
    all:
      - intervention as a: {current: false}
      - intervention as b: {phase: {ref: a.phase}}
      - intervention as c: {mode: {ref: b.mode}}
    """
    started = time.monotonic()
    findings = _check(rule_files.folder(tmp_path, rule_files.rule(when)))
    assert time.monotonic() - started < 10
    assert _codes(findings) == ["NS304"]
    (refused,) = [f for f in findings if f.code == "NS304"]
    assert "more than 2048" in refused.message


def test_check_rulebase_rule_joining_four_unnamed_items_is_refused(
    rule_files: Any, tmp_path: Path
) -> None:
    patterns = "\n".join(f"  - item as i{k}: {{score: {{at_least: 0}}}}" for k in range(4))
    findings = _check(rule_files.folder(tmp_path, rule_files.rule("all:\n" + patterns)))
    assert _codes(findings) == ["NS305"]
    assert "up to 1048576 combinations of facts per case" in findings[0].message
    three = "\n".join(f"  - item as i{k}: {{score: {{at_least: 0}}}}" for k in range(3))
    assert (
        _codes(_check(rule_files.folder(tmp_path / "three", rule_files.rule("all:\n" + three))))
        == []
    )


def test_check_rulebase_bundled_base_has_no_findings() -> None:
    from neuroseq.engine.rulebase import check_rulebase, load_rulebase

    base, problems = load_rulebase()
    _, findings = check_rulebase(base, problems, CATALOG)
    assert _messages(findings) == []


def test_bundled_rules_folder_is_package_data() -> None:
    from neuroseq.engine.rulebase import bundled_rules_folder

    folder = bundled_rules_folder()
    assert (folder / "rulebase.yaml").is_file()
    assert Path(folder, "tests").is_dir()
