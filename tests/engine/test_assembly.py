"""Plan assembly on real firings: compiled rules run in durable_rules, then conflicts, order, budget.

Without a client context (as for a home alone, ``neuroseq cce``) items are kept by
rule priority, which makes the policy visible without relevance scores.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.adapter import RuleEngine
from neuroseq.engine.assembly import ACTION_STRENGTH, AUDIENCE_ORDER, Assembled, assemble
from neuroseq.engine.compiler import compile_rules
from neuroseq.engine.facts import case_facts
from neuroseq.engine.rule_model import parse_rule_file
from neuroseq.errors import RuleError
from neuroseq.scoring.loader import load_case
from neuroseq.scoring.profile import score
from neuroseq.source import load_text

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
CASE = load_case(ROOT / "examples" / "severe-young-child.yaml")  # CMR 0.56
FACTS = case_facts(CASE, score(CASE), CATALOG)


def _rule(rule_id: str, action: str, target: str, priority: int) -> str:
    return f"""
- id: {rule_id}
  title: {rule_id}
  when:
    cmr: {{value: {{below: 1.0}}}}
  then:
    {action}: {{intervention: {target}, priority: {priority}}}
  rationale: CMR is {{cmr.value}}.
  source: test
"""


@pytest.fixture
def assembled() -> Iterator[object]:
    engines: list[RuleEngine] = []

    def run(*rules: str, max_new: int = 10) -> Assembled:
        text = "schema: neuroseq/rules/v1\nrules:\n" + textwrap.indent("".join(rules), "  ")
        doc = load_text(text, "r.yaml", error=RuleError)
        parsed, problems = parse_rule_file(doc)
        compilation = compile_rules(parsed, CATALOG, {"r.yaml": doc.line_for})
        assert problems == [] and compilation.errors == []
        engine = RuleEngine(compilation.rulesets())
        engines.append(engine)
        firings = engine.evaluate(FACTS)
        return assemble(
            firings,
            compilation.by_name(),
            CATALOG,
            max_new=max_new,
            facts={fact["id"]: fact for fact in FACTS},
        )

    yield run
    for engine in engines:
        engine.close()


def test_assemble_avoid_beats_recommend_whatever_the_priority(assembled) -> None:  # type: ignore[no-untyped-def]
    result = assembled(
        _rule("t.respite", "recommend", "respite_care", 90),
        _rule("t.no_respite", "avoid", "respite_care", 10),
    )
    assert [item.intervention for item in result.items] == []
    (lost,) = result.also_considered
    assert (lost.intervention, lost.rule) == ("respite_care", "t.no_respite")


def test_assemble_orders_the_web_before_the_family_and_fills_the_rationale(assembled) -> None:  # type: ignore[no-untyped-def]
    result = assembled(
        _rule("t.family", "recommend", "caregiver_psychoeducation", 60),
        _rule("t.web", "recommend", "care_coordination", 40),
    )
    assert [(item.rank, item.intervention, item.audience) for item in result.items] == [
        (1, "care_coordination", "therapeutic_web"),
        (2, "caregiver_psychoeducation", "family"),
    ]
    assert {item.rationale for item in result.items} == {"CMR is 0.56."}
    assert [item.rule for item in result.items] == ["t.web", "t.family"]


def test_assemble_max_new_never_cuts_family_items_and_orders_by_priority(assembled) -> None:  # type: ignore[no-untyped-def]
    result = assembled(
        _rule("t.low", "recommend", "respite_care", 20),
        _rule("t.high", "recommend", "caregiver_psychoeducation", 80),
        max_new=1,
    )
    assert [item.intervention for item in result.items] == [
        "caregiver_psychoeducation",
        "respite_care",
    ]
    assert result.also_considered == []


def test_assemble_no_firings_gives_an_empty_plan(assembled) -> None:  # type: ignore[no-untyped-def]
    result = assembled(_rule("t.never", "recommend", "respite_care", 50).replace("below", "above"))
    assert result == Assembled([], [], [], [])


def test_action_strength_ranks_safety_first() -> None:
    assert ACTION_STRENGTH["avoid"] < ACTION_STRENGTH["suspend"] < ACTION_STRENGTH["recommend"]
    assert ACTION_STRENGTH["suspend"] == ACTION_STRENGTH["defer"]
    assert list(AUDIENCE_ORDER) == ["therapeutic_web", "family", "client"]
