"""The rule language: a YAML rule file parsed into typed rules that keep their file and line."""

from __future__ import annotations

import pytest

from neuroseq.engine.rule_model import (
    OPERATORS,
    Action,
    AllOf,
    AnyOf,
    NotOf,
    Pattern,
    Ref,
    Rule,
    parse_rule_file,
)
from neuroseq.engine.rule_model import Test as FieldTest
from neuroseq.errors import Problem, RuleError
from neuroseq.source import load_text

RULE = """\
schema: neuroseq/rules/v1
rules:
  - id: t.rule
    title: A test rule
    when:
      all:
        - cmr: {value: {below: 1.0}}
        - any:
          - region: {id: limbic, ratio: {below: 0.5}}
          - not: {risk: {overall: {is: high}}}
    then:
      defer: {intervention: tf_cbt}
    rationale: "CMR {cmr.value}"
    source: test
"""


def _parse(text: str) -> tuple[list[Rule], list[Problem]]:
    return parse_rule_file(load_text(text, "r.yaml", error=RuleError))


def _messages(text: str) -> list[str]:
    rules, problems = _parse(text)
    assert rules == []
    return [str(problem) for problem in problems]


def test_parse_rule_file_gives_typed_located_rules() -> None:
    (rule,), problems = _parse(RULE)
    assert problems == []
    assert (rule.id, rule.title, rule.path, rule.line) == ("t.rule", "A test rule", "r.yaml", 3)
    assert (rule.rationale, rule.source, rule.summary) == ("CMR {cmr.value}", "test", None)
    assert rule.action == Action(
        "defer", "tf_cbt", None, None, None, 50, ("rules", 0, "then", "defer")
    )


def test_parse_rule_file_nests_all_any_and_not() -> None:
    (rule,), _ = _parse(RULE)
    assert isinstance(rule.when, AllOf)
    cmr, either = rule.when.items
    assert cmr == Pattern(
        "cmr",
        "cmr",
        (
            FieldTest(
                "value", "below", 1.0, ("rules", 0, "when", "all", 0, "cmr", "value", "below")
            ),
        ),
        ("rules", 0, "when", "all", 0, "cmr"),
    )
    assert isinstance(either, AnyOf)
    region, negated = either.items
    assert isinstance(region, Pattern) and region.fact_type == "region"
    assert [test.op for test in region.tests] == ["is", "below"]
    assert isinstance(negated, NotOf) and isinstance(negated.item, Pattern)
    assert negated.item.tests[0].value == "high"


def test_parse_rule_file_reads_a_reference_to_another_fact() -> None:
    text = RULE.replace(
        "cmr: {value: {below: 1.0}}", "intervention: {min_cmr: {above: {ref: cmr.value}}}"
    )
    (rule,), problems = _parse(text)
    assert problems == []
    assert isinstance(rule.when, AllOf)
    first = rule.when.items[0]
    assert isinstance(first, Pattern)
    assert first.tests[0].value == Ref(alias="cmr", field="value")


def test_parse_rule_file_suggests_the_operator_and_the_action_meant() -> None:
    text = RULE.replace("below: 1.0", "belw: 1.0").replace("defer:", "defr:")
    assert _messages(text) == [
        "r.yaml:7: rules[0].when.all[0].cmr.value.belw: unknown test 'belw'; did you mean "
        f"'below'? operators: {', '.join(OPERATORS)}",
        "r.yaml:12: rules[0].then.defr: unknown action 'defr'; did you mean 'defer'? actions: "
        "avoid, suspend, defer, resume, continue, recommend",
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "id: t.rule",
            "id: T rule",
            "r.yaml:3: rules[0].id: a rule id is lower-case words joined by dots or underscores",
        ),
        ("    source: test\n", "", "r.yaml:3: rules[0]: the rule has no 'source'"),
    ],
    ids=["bad-id", "no-source"],
)
def test_parse_rule_file_refuses_a_malformed_rule_at_its_line(
    old: str, new: str, message: str
) -> None:
    (shown,) = _messages(RULE.replace(old, new))
    assert shown.startswith(message)


def test_operators_describe_every_test_in_words() -> None:
    assert {"is", "is_not", "below", "at_most", "above", "at_least", "one_of"} <= set(OPERATORS)
    assert all(description and not description.endswith(".") for description in OPERATORS.values())
