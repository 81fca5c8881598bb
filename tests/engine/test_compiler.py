"""The rule compiler: one test per construct, and every `rules check` finding."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.compiler import Compilation, compile_rules, render_template
from neuroseq.engine.rule_model import parse_rule_file
from neuroseq.errors import Problem, RuleError
from neuroseq.source import load_text

CATALOG = load_catalog()


def _compile(rules_yaml: str, path: str = "rules.yaml") -> tuple[Compilation, list[Problem]]:
    text = "schema: neuroseq/rules/v1\nrules:\n" + textwrap.indent(
        textwrap.dedent(rules_yaml), "  "
    )
    doc = load_text(text, path, error=RuleError)
    rules, problems = parse_rule_file(doc)
    compilation = compile_rules(rules, CATALOG, {path: doc.line_for})
    return compilation, problems + compilation.findings


def _messages(findings: list[Problem]) -> list[str]:
    return [f"{f.location}: {f.severity}: {f.field}: {f.message}" for f in findings]


RULE = """
- id: t.rule
  title: A test rule
  when:
    all:
      - cmr: {value: {below: 1.0}}
      - intervention: {phase: reason, current: true}
  then:
    suspend: {priority: 90}
  rationale: CMR is {cmr.value}; suspend {intervention.name}.
  source: test
"""


def _definition(compilation: Compilation, index: int = 0) -> dict[str, Any]:
    return dict(compilation.rules[index].definition)


def test_compile_rules_constant_tests_become_durable_expressions() -> None:
    compilation, findings = _compile(RULE)
    assert findings == []
    assert _definition(compilation) == {
        "all": [
            {"cmr": {"$and": [{"type": "cmr"}, {"$lt": {"value": 1.0}}]}},
            {
                "intervention": {
                    "$and": [{"type": "intervention"}, {"phase": "reason"}, {"current": True}]
                }
            },
        ],
    }


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ("{value: 1.0}", {"value": 1.0}),
        ("{value: {is: 1.0}}", {"value": 1.0}),
        ("{value: {is_not: 1.0}}", {"$neq": {"value": 1.0}}),
        ("{value: {at_most: 1.0}}", {"$lte": {"value": 1.0}}),
        ("{value: {above: 1.0}}", {"$gt": {"value": 1.0}}),
        ("{value: {at_least: 1.0}}", {"$gte": {"value": 1.0}}),
        (
            "{band: {one_of: [deferred, available]}}",
            {"$or": [{"band": "deferred"}, {"band": "available"}]},
        ),
        ("{band: {none_of: [deferred]}}", {"$and": [{"$neq": {"band": "deferred"}}]}),
    ],
)
def test_compile_rules_each_operator(test: str, expected: dict[str, Any]) -> None:
    rule = RULE.replace("cmr: {value: {below: 1.0}}", f"cmr: {test}")
    compilation, findings = _compile(rule)
    assert findings == []
    assert _definition(compilation)["all"][0]["cmr"]["$and"][1] == expected


def test_compile_rules_contains_becomes_flag_test() -> None:
    rule = RULE.replace("{phase: reason, current: true}", "{targets: {contains: cortex}}")
    compilation, findings = _compile(rule)
    assert findings == []
    assert {"targets__cortex": True} in _definition(compilation)["all"][1]["intervention"]["$and"]


def test_compile_rules_any_becomes_one_engine_rule_per_branch() -> None:
    rule = RULE.replace(
        "      - cmr: {value: {below: 1.0}}\n",
        "      - any:\n          - cmr: {value: {below: 1.0}}\n          - cmr: {band: deferred}\n",
    )
    compilation, findings = _compile(rule)
    assert findings == []
    assert len(compilation.rules) == 2
    assert {c.rule.id for c in compilation.rules} == {"t.rule"}


def test_compile_rules_not_is_pushed_into_the_tests() -> None:
    rule = RULE.replace(
        "cmr: {value: {below: 1.0}}", "not: {region: {id: limbic, impairment: typical}}"
    ).replace("CMR is {cmr.value}; ", "")
    compilation, findings = _compile(rule)
    assert findings == []
    patterns = {k: v for p in _definition(compilation)["all"] for k, v in p.items()}
    region = patterns["not_0"]["$and"]
    assert {"id": "limbic"} in region
    assert {"$neq": {"impairment": "typical"}} in region


def test_compile_rules_named_intervention_adds_target_pattern() -> None:
    rule = """
    - id: t.named
      title: Named
      when: {cmr: {value: {below: 1.0}}}
      then: {recommend: {intervention: in_room_aide}}
      rationale: CMR {cmr.value}
      source: test
    """
    compilation, findings = _compile(rule)
    assert findings == []
    (compiled,) = compilation.rules
    assert [p.alias for p in compiled.patterns] == ["cmr", "intervention"]
    assert compiled.target_alias == "intervention"
    # a fact named only by its id is not joined in the engine: the planner adds it
    assert compiled.definition == {
        "all": [{"cmr": {"$and": [{"type": "cmr"}, {"$lt": {"value": 1.0}}]}}]
    }
    assert compiled.implied == (("intervention", "intervention", "in_room_aide"),)
    assert compilation.wanted["intervention"] == frozenset({"in_room_aide"})


def test_compile_rules_keeps_joins_that_test_more_than_an_id() -> None:
    rule = """
    - id: t.kept
      title: Kept
      when:
        all:
          - region as low: {id: limbic}
          - item: {region: {ref: low.id}}
          - intervention: {id: play_therapy, declined: false}
      then: {recommend: {}}
      rationale: "{item.id}"
      source: test
    """
    compilation, findings = _compile(rule)
    assert findings == []
    (compiled,) = compilation.rules
    # `low` is referred to by `item`, the intervention has a second test
    assert [next(iter(p)) for p in compiled.definition["all"]] == ["low", "item", "intervention"]
    assert compiled.implied == ()


def test_compile_rules_keeps_an_id_pattern_another_pattern_could_also_match() -> None:
    # the engine never binds one fact to two patterns: `other` must not match walking
    rule = """
    - id: t.two
      title: Two interventions
      when: {intervention as other: {phase: regulate, current: true}}
      then: {recommend: {intervention: walking}}
      rationale: "{other.name}"
      source: test
    """
    compilation, findings = _compile(rule)
    assert findings == []
    (compiled,) = compilation.rules
    assert [next(iter(p)) for p in compiled.definition["all"]] == ["other", "intervention"]
    assert compiled.implied == ()


def test_compile_rules_acts_on_the_intervention_when_already_matches() -> None:
    rule = """
    - id: t.same
      title: Walking, when it is not in place
      when: {intervention: {id: walking, current: false}}
      then: {recommend: {intervention: walking}}
      rationale: "{intervention.name}"
      source: test
    """
    compilation, findings = _compile(rule)
    assert findings == []
    (compiled,) = compilation.rules
    assert [p.alias for p in compiled.patterns] == ["intervention"]
    assert compiled.target_alias == "intervention"


def test_compile_rules_finds_two_patterns_on_one_fact_that_can_never_fire() -> None:
    rule = """
    - id: t.twice
      title: Limbic twice
      when:
        all:
          - region: {id: limbic}
          - not: {region: {id: limbic, impairment: significant}}
      then: {recommend: {intervention: walking}}
      rationale: limbic
      source: test
    """
    _, findings = _compile(rule)
    assert any(
        "both match region 'limbic'" in m and "can never fire" in m for m in _messages(findings)
    ), _messages(findings)


def test_compile_rules_keeps_one_pattern_for_the_engine() -> None:
    rule = """
    - id: t.only
      title: Only a name
      when: {intervention: {id: walking}}
      then: {recommend: {}}
      rationale: always
      source: test
    """
    compilation, findings = _compile(rule)
    assert findings == []
    (compiled,) = compilation.rules
    assert compiled.definition == {
        "all": [{"intervention": {"$and": [{"type": "intervention"}, {"id": "walking"}]}}]
    }
    assert compiled.implied == ()


def test_compiled_rule_firing_whose_implied_fact_is_missing_is_dropped(tmp_path: Path) -> None:
    # the caregiver fact is asserted only with `plan --caregiver`; a rule naming it by
    # id must not fire without it, exactly as the engine's join would not
    from neuroseq.engine.planner import Planner
    from neuroseq.scoring.loader import load_case
    from neuroseq.scoring.profile import score

    (tmp_path / "rulebase.yaml").write_text('schema: neuroseq/rulebase/v1\nversion: "1"\n')
    (tmp_path / "named.yaml").write_text(
        "schema: neuroseq/rules/v1\nrules:\n"
        "  - id: t.named\n    title: named\n"
        "    when: {all: [{caregiver: {id: caregiver}}, {cmr: {value: {at_least: 0}}}]}\n"
        "    then: {recommend: {intervention: caregiver_self_care}}\n"
        "    rationale: CMR {cmr.value}\n    source: test\n"
    )
    planner = Planner.load(tmp_path)
    (compiled,) = planner.compilation.rules
    assert {alias for alias, _, _ in compiled.implied} == {"caregiver", "intervention"}
    case = load_case(Path(__file__).resolve().parents[2] / "examples" / "severe-young-child.yaml")
    assert planner.plan(case, score(case)).recommendations == []
    home = {"type": "caregiver", "id": "caregiver", "reserve_category": "adequate"}
    plan = planner.plan(case, score(case), caregiver=home)
    assert [(i.intervention, i.rule) for i in plan.recommendations] == [
        ("caregiver_self_care", "t.named")
    ]
    assert [f["type"] for f in plan.recommendations[0].facts] == [
        "caregiver",
        "cmr",
        "intervention",
    ]


def test_compile_rules_ordering_join_with_catalogue_is_specialised() -> None:
    rule = """
    - id: t.join
      title: Join on developmental age
      when:
        all:
          - domain: {id: cognitive}
          - intervention: {phase: reason, min_developmental_age: {above: {ref: domain.developmental_age}}}
      then: {defer: {}}
      rationale: "{intervention.name} needs {intervention.min_developmental_age}"
      source: test
    """
    compilation, findings = _compile(rule)
    assert findings == []
    reason_ids = [i.id for i in CATALOG.interventions if i.phase == "reason"]
    assert len(compilation.rules) == len(reason_ids)
    text = json.dumps([c.definition for c in compilation.rules])
    assert '"$lt": {"developmental_age":' in text  # flipped onto the domain, as a constant
    for compiled in compilation.rules:
        for pattern in compiled.definition["all"]:
            for expression in pattern.values():
                assert "domain" not in json.dumps(expression).split('"type"')[0]
    tf_cbt = next(c for c in compilation.rules if c.name.endswith("@tf_cbt"))
    domain = tf_cbt.definition["all"][0]["domain"]["$and"]
    assert {"$lt": {"developmental_age": 4.0}} in domain  # tf_cbt's min_developmental_age


def test_compile_rules_never_emits_an_ordering_reference_between_facts() -> None:
    from neuroseq.engine.rulebase import check_rulebase, load_rulebase

    base, problems = load_rulebase()
    compilation, _ = check_rulebase(base, problems, CATALOG)

    def walk(node: Any, inside_ordering: bool = False) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if inside_ordering and isinstance(value, dict):
                    raise AssertionError(f"ordering comparison against a fact: {node}")
                walk(value, key in ("$lt", "$lte", "$gt", "$gte"))
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for compiled in compilation.rules:
        walk(compiled.definition)


def test_compile_rules_refuses_ordering_between_two_profile_facts() -> None:
    rule = RULE.replace(
        "cmr: {value: {below: 1.0}}", "cmr: {value: {below: {ref: domain.ratio}}}"
    ).replace("      - intervention:", "      - domain: {id: cognitive}\n      - intervention:")
    _, findings = _compile(rule)
    assert any("cannot compile safely" in m for m in _messages(findings)), _messages(findings)


def test_compile_rules_equality_join_between_facts_is_a_reference() -> None:
    rule = RULE.replace(
        "cmr: {value: {below: 1.0}}",
        "region: {id: limbic}\n      - item: {region: {ref: region.id}, impairment: significant}",
    ).replace("CMR is {cmr.value}; ", "")
    compilation, findings = _compile(rule)
    assert findings == []
    assert {"region": {"region": "id"}} in _definition(compilation)["all"][1]["item"]["$and"]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "cmr: {value: {below: 1.0}}",
            "cmrr: {value: {below: 1.0}}",
            "unknown fact type 'cmrr'; did you mean 'cmr'?",
        ),
        (
            "cmr: {value: {below: 1.0}}",
            "cmr: {valu: {below: 1.0}}",
            "'cmr' has no field 'valu'; did you mean 'value'?",
        ),
        (
            "cmr: {value: {below: 1.0}}",
            "cmr: {value: {belo: 1.0}}",
            "unknown test 'belo'; did you mean 'below'?",
        ),
        ("cmr: {value: {below: 1.0}}", "cmr: {value: {below: -1}}", "outside its range"),
        (
            "cmr: {value: {below: 1.0}}",
            "item: {id: sleep, score: {above: 12.5}}",
            "outside its range 0 to 12",
        ),
        (
            "cmr: {value: {below: 1.0}}",
            "item: {id: sleep, band: purple}",
            "'purple' is not a value of item.band",
        ),
        ("cmr: {value: {below: 1.0}}", "region: {id: midbrain}", "unknown region id 'midbrain'"),
        (
            "{phase: reason, current: true}",
            "{id: tf_cbtt}",
            "unknown catalogue id 'tf_cbtt'; did you mean 'tf_cbt'?",
        ),
        (
            "suspend: {priority: 90}",
            "suspnd: {priority: 90}",
            "unknown action 'suspnd'; did you mean 'suspend'?",
        ),
        (
            "suspend: {priority: 90}",
            "suspend: {priority: 900}",
            "priority is a whole number from 0 to 100",
        ),
        ("suspend: {priority: 90}", "suspend: {audience: parents}", "'parents' is not a audience"),
        ("rationale: CMR is {cmr.value}", "rationale: CMR is {cmr.valeu}", "has no field 'valeu'"),
        (
            "rationale: CMR is {cmr.value}",
            "rationale: CMR is {risk.value}",
            "names 'risk', which is not matched",
        ),
        ("rationale: CMR is {cmr.value}", "rationale: CMR is {cmr.value!r}", "a placeholder is"),
        ("{phase: reason, current: true}", "{targets: reason}", "'targets' is a list"),
        (
            "cmr: {value: {below: 1.0}}",
            "cmr: {band: {contains: x}}",
            "'contains' is for list fields",
        ),
        ("cmr: {value: {below: 1.0}}", "cmr: {band: {below: 2}}", "'below' needs a number"),
        ("  source: test\n", "", "the rule has no 'source'"),
        (
            "  title: A test rule\n",
            "  title: A test rule\n  colour: red\n",
            "unknown key 'colour' in a rule",
        ),
    ],
)
def test_compile_rules_reports_each_finding_with_file_and_line(
    old: str, new: str, fragment: str
) -> None:
    assert old in RULE, old
    _, findings = _compile(RULE.replace(old, new))
    messages = _messages(findings)
    hits = [m for m in messages if fragment in m]
    assert hits, messages
    assert hits[0].startswith("rules.yaml:"), hits[0]
    assert int(hits[0].split(":")[1]) >= 3


def test_compile_rules_finds_duplicate_rule_ids() -> None:
    _, findings = _compile(RULE + RULE)
    messages = _messages(findings)
    assert any("duplicate rule id 't.rule'" in m for m in messages), messages


@pytest.mark.parametrize(
    "pattern",
    [
        "cmr: {value: {below: 1.0, above: 2.0}}",
        "cmr: {value: {below: 1.0, at_least: 1.0}}",
        "cmr: {band: deferred, value: {is: 3, below: 1}}",
        "region: {id: limbic, impairment: {is: typical, is_not: typical}}",
        "region: {id: limbic, impairment: {one_of: [typical], none_of: [typical]}}",
    ],
)
def test_compile_rules_contradictory_thresholds_are_errors(pattern: str) -> None:
    rule = RULE.replace("cmr: {value: {below: 1.0}}", pattern).replace("CMR is {cmr.value}; ", "")
    _, findings = _compile(rule)
    messages = _messages(findings)
    assert any("contradictory conditions" in m and ": error:" in m for m in messages), messages


def test_compile_rules_contradiction_never_fires() -> None:
    rule = RULE.replace("{phase: reason, current: true}", "{phase: reason, mode: somatosensory}")
    _, findings = _compile(rule)
    assert any("never" in m and "warning" in m for m in _messages(findings)), _messages(findings)


def test_compile_rules_refuses_not_on_an_open_fact_type() -> None:
    rule = RULE.replace(
        "cmr: {value: {below: 1.0}}", "not: {domain: {impairment: significant}}"
    ).replace("CMR is {cmr.value}; ", "")
    _, findings = _compile(rule)
    assert any("'not' works on a fact identified by its id" in m for m in _messages(findings))


def test_render_template_fills_values_only() -> None:
    matched = {"cmr": {"value": 0.56}, "need": {"ratio": 0.5, "id": "self_regulation"}}
    text = render_template("CMR {cmr.value}; {need.id} at {need.ratio:.0%}", matched)
    assert text == "CMR 0.56; self regulation at 50%"
    assert render_template("{cmr.__class__}", matched) == "?"


def test_unreachable_interventions_are_warnings_with_lines(tmp_path: Path) -> None:
    from neuroseq.engine.rulebase import check_rulebase, load_rulebase

    (tmp_path / "rulebase.yaml").write_text('schema: neuroseq/rulebase/v1\nversion: "1"\n')
    (tmp_path / "one.yaml").write_text(
        "schema: neuroseq/rules/v1\nrules:\n" + textwrap.indent(textwrap.dedent(RULE), "  ")
    )
    base, problems = load_rulebase(tmp_path)
    _, findings = check_rulebase(base, problems, CATALOG)
    messages = _messages(findings)
    drumming = [m for m in messages if "interventions.drumming:" in m]
    assert drumming and ": warning:" in drumming[0]
    assert drumming[0].startswith("catalog/interventions.yaml:")
    assert int(drumming[0].split(":")[1]) > 1
    assert not any("interventions.tf_cbt:" in m for m in messages)


def test_compile_rules_warns_near_the_engine_size_limit() -> None:
    many = "".join(
        RULE.replace("id: t.rule", f"id: t.rule{i}").replace(
            "below: 1.0", f"below: {1 + i / 1000:.3f}"
        )
        for i in range(380)
    )
    compilation, findings = _compile(many)
    assert len(compilation.rules) == 380
    sets = compilation.rulesets()
    # 380 ordering tests on the cmr fact: packed 48 to a ruleset (durable's limit is 64).
    assert len(sets) == 8
    assert sum(len(rules) for rules in sets.values()) == 380
    assert any("packed into 8 durable_rules rulesets" in m for m in _messages(findings))


def test_compilation_rulesets_are_packed_under_the_identical_pattern_limit() -> None:
    same = "".join(
        RULE.replace("id: t.rule", f"id: t.same{i}").replace(
            "cmr: {value: {below: 1.0}}", "cmr: {band: deferred}"
        )
        for i in range(450)
    )
    compilation, _ = _compile(same)
    assert all(len(rules) <= 200 for rules in compilation.rulesets().values())


@pytest.mark.parametrize(
    ("test", "fragment"),
    [
        (
            "{services: {contains: tf_cbtt}}",
            "unknown catalogue id 'tf_cbtt'; did you mean 'tf_cbt'?",
        ),
        ("{interests: {lacks: music}}", "interests are free text, so 'lacks' cannot be checked"),
    ],
)
def test_compile_rules_checks_client_lists(test: str, fragment: str) -> None:
    rule = RULE.replace("cmr: {value: {below: 1.0}}", f"client: {test}").replace(
        "CMR is {cmr.value}; ", ""
    )
    _, findings = _compile(rule)
    assert any(fragment in m for m in _messages(findings)), _messages(findings)


def test_compile_rules_client_lists_fire_through_the_engine(tmp_path: Path) -> None:
    from neuroseq.engine.planner import Planner
    from neuroseq.scoring.loader import load_case
    from neuroseq.scoring.profile import score

    (tmp_path / "rulebase.yaml").write_text('schema: neuroseq/rulebase/v1\nversion: "1"\n')
    (tmp_path / "lists.yaml").write_text(
        "schema: neuroseq/rules/v1\nrules:\n"
        "  - id: t.lists\n    title: lists\n"
        "    when: {client: {services: {contains: tf_cbt}, declined: {lacks: yoga}, "
        "interests: {contains: music}, placement: therapeutic foster home}}\n"
        "    then: {continue: {intervention: tf_cbt}}\n"
        "    rationale: placement {client.placement}\n    source: test\n"
    )
    planner = Planner.load(tmp_path)
    case = load_case(Path(__file__).resolve().parents[2] / "examples" / "severe-young-child.yaml")
    plan = planner.plan(case, score(case))
    assert [(i.intervention, i.action) for i in plan.recommendations] == [("tf_cbt", "continue")]
    # the rule's own words come first; the planner adds the item's clause after them
    assert plan.recommendations[0].rationale.startswith("Placement therapeutic foster home; ")
