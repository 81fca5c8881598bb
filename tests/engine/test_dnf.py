"""Disjunctive normal form: ``any``/``not`` expanded, or only counted when too big."""

from __future__ import annotations

import textwrap
import time
from typing import Any

from neuroseq.engine.dnf import count_conjunctions, disjunctive_normal_form
from neuroseq.engine.rule_model import parse_rule_file
from neuroseq.errors import RuleError
from neuroseq.source import load_text


def test_dnf_count_of_22_two_way_any_is_counted_not_built(rule_files: Any) -> None:
    lines = "\n".join(
        f"      - any: [{{region: {{id: limbic, ratio: {{below: 0.{i + 10}}}}}}}, "
        f"{{cmr: {{value: {{below: 0.{i + 10}}}}}}}]"
        for i in range(22)
    )
    text = f"schema: neuroseq/rules/v1\nrules:\n{rule_files.rule('all:' + chr(10) + lines)}"
    doc = load_text(textwrap.dedent(text), "big.yaml", error=RuleError)
    (rule,), problems = parse_rule_file(doc)
    assert problems == []
    started = time.monotonic()
    assert count_conjunctions(rule.when, 10**9) == 2**22
    assert count_conjunctions(rule.when, 256) == 257
    assert time.monotonic() - started < 1.0


def test_dnf_not_over_several_tests_counts_each_branch(rule_files: Any) -> None:
    text = rule_files.rule(
        "not: {region: {id: limbic, ratio: {below: 0.5}, impairment: significant}}"
    )
    doc = load_text("schema: neuroseq/rules/v1\nrules:\n" + text, "n.yaml", error=RuleError)
    (rule,), _ = parse_rule_file(doc)
    assert count_conjunctions(rule.when, 256) == 2
    assert len(disjunctive_normal_form(rule.when)) == 1
