"""Worker for the planning crash test: run in a subprocess so a segfault fails a test.

    python crash_worker.py default CASES SEED
    python crash_worker.py random CASES SEED RULES

``default`` plans CASES random valid profiles against the bundled rule base;
``random`` first generates a random rule base of about RULES rules that uses
every construct of the rule language (all/any/not, every operator, aliases,
equality joins between facts, ordering joins against catalogue attributes,
named interventions, every action), then plans CASES profiles against it.
It prints one summary line and exits 0; any crash kills the process.
"""

from __future__ import annotations

import random
import sys
from typing import Any

from neuroseq.catalog.loader import load_catalog
from neuroseq.engine.adapter import RuleEngine
from neuroseq.engine.assembly import assemble
from neuroseq.engine.compiler import compile_rules
from neuroseq.engine.facts import case_facts
from neuroseq.engine.planner import Planner
from neuroseq.engine.rule_model import parse_rule_file
from neuroseq.errors import RuleError
from neuroseq.scoring.case import PERIOD_START_YEARS, Case
from neuroseq.scoring.items import ITEM_IDS, REGIONS
from neuroseq.scoring.profile import score
from neuroseq.source import load_text

DOMAINS = ["sensory_integration", "self_regulation", "relational", "cognitive"]
IMPAIRMENTS = ["significant", "moderate", "typical"]
ACTIONS = ["recommend", "continue", "suspend", "defer", "resume", "avoid"]


def random_case(rng: random.Random, index: int) -> Case:
    age = round(rng.uniform(0.5, 24.0), 1)
    metric = rng.choice(["full", "follow_up", "er"])
    catalog_ids = ["tf_cbt", "tutoring", "play_therapy", "drumming", "cbt", "mentoring", "reiki"]
    data: dict[str, Any] = {
        "schema": "neuroseq/case/v1",
        "metric": metric,
        "client": {
            "id": f"crash-{index}",
            "age_years": age,
            "placements_count": rng.randint(0, 9),
            "interests": rng.sample(
                ["music", "animals", "swimming", "art", "dogs", "lego"], rng.randint(0, 3)
            ),
            "declined": rng.sample(catalog_ids, rng.randint(0, 2)),
        },
        "current_services": rng.sample(catalog_ids, rng.randint(0, 3)),
        "household": {
            "siblings_in_home": rng.randint(0, 4),
            "sibling_conflict": rng.random() < 0.5,
            "caregiver_trauma_informed": rng.random() < 0.5,
            "caregiver_own_adversity": rng.random() < 0.5,
        },
        "cns": {item: rng.randint(0, 24) / 2 for item in ITEM_IDS},
    }
    if rng.random() < 0.8:
        data["relational_health"] = {
            k: rng.randint(0, 3) for k in ("family", "peers", "school", "community")
        }
    if rng.random() < 0.7:
        data["client"]["school_setting"] = "school"
    if metric != "er" or rng.random() < 0.3:
        data["history"] = [
            {
                "period": period,
                "adversity": rng.randint(0, 3),
                "pattern": rng.choice(["none", "single", "episodic", "chronic"]),
                "bonding": rng.randint(0, 3),
                "family_support": rng.randint(0, 3),
                "community_support": rng.randint(0, 3),
            }
            for period, start in PERIOD_START_YEARS.items()
            if start <= age
        ]
    return Case.model_validate(data)


def _profile_pattern(rng: random.Random, alias: str | None = None) -> tuple[str, str]:
    """(yaml pattern, alias) over a profile fact, with random operators."""
    kind = rng.choice(["region", "domain", "item", "cmr", "client", "relational_health", "risk"])
    name = f"{kind} as {alias}" if alias else kind
    used = alias or kind
    if kind == "region":
        region = rng.choice(REGIONS)
        test = rng.choice(
            [
                f"impairment: {rng.choice(IMPAIRMENTS)}",
                f"impairment: {{one_of: [{rng.choice(IMPAIRMENTS)}, {rng.choice(IMPAIRMENTS)}]}}",
                f"ratio: {{below: {rng.uniform(0.3, 1.2):.2f}}}",
                f"developmental_age: {{at_most: {rng.uniform(0, 20):.1f}}}",
                f"age_gap: {{at_least: {rng.uniform(0, 6):.1f}}}",
                f"level: {{above: {rng.randint(1, 4)}}}",
            ]
        )
        return f"{name}: {{id: {region}, {test}}}", used
    if kind == "domain":
        test = rng.choice(
            [
                f"impairment: {{none_of: [{rng.choice(IMPAIRMENTS)}]}}",
                f"ratio: {{at_least: {rng.uniform(0.3, 1.2):.2f}}}",
                f"at_or_above_age: {rng.choice(['true', 'false'])}",
            ]
        )
        if rng.random() < 0.5:
            return f"{name}: {{id: {rng.choice(DOMAINS)}, {test}}}", used
        return f"{name}: {{{test}}}", used
    if kind == "item":
        item = rng.choice(ITEM_IDS)
        test = rng.choice(
            [
                f"score: {{below: {rng.randint(1, 12)}}}",
                "band: {one_of: [red, pink]}",
                "impairment: {is_not: typical}",
            ]
        )
        return f"{name}: {{id: {item}, {test}}}", used
    if kind == "cmr":
        test = rng.choice(
            [
                f"value: {{below: {rng.uniform(0.2, 4):.2f}}}",
                f"value: {{above: {rng.uniform(0.2, 4):.2f}}}",
                f"band: {rng.choice(['deferred', 'brief_segments', 'available'])}",
            ]
        )
        return f"{name}: {{{test}}}", used
    if kind == "client":
        test = rng.choice(
            [
                f"age: {{at_least: {rng.uniform(0, 20):.1f}}}",
                "metric: {one_of: [full, er]}",
                f"at_school: {rng.choice(['true', 'false'])}",
                f"placements_count: {{at_least: {rng.randint(0, 6)}}}",
                f"start_phase: {rng.choice(['regulate', 'relate', 'reason', 'none'])}",
            ]
        )
        return f"{name}: {{{test}}}", used
    if kind == "relational_health":
        return f"{name}: {{peers: {{at_most: {rng.randint(0, 3)}}}}}", used
    return f"{name}: {{id: overall, category: {{none_of: [low]}}}}", used


def _intervention_pattern(rng: random.Random) -> str:
    test = rng.choice(
        [
            f"phase: {rng.choice(['regulate', 'relate', 'reason'])}",
            f"mode: {rng.choice(['somatosensory', 'relational', 'cognitive', 'systemic'])}",
            f"targets: {{contains: {rng.choice(REGIONS)}}}",
            "settings: {lacks: clinic}",
            "interest_tags: {lacks: music}",
            "rhythmic: true",
            "current: true",
            "declined: false",
            "interest_match: true",
            "developmentally_ready: true",
            f"min_cmr: {{at_most: {rng.choice([0, 1, 2])}}}",
        ]
    )
    extra = rng.choice(["", ", declined: false", ", audience: client"])
    if extra and extra.split(":")[0].strip(", ") in test:
        extra = ""
    return f"intervention: {{{test}{extra}}}"


def random_rule(rng: random.Random, index: int) -> str:
    action = rng.choice(ACTIONS)
    style = rng.choice(["all", "any", "not", "join", "ordering", "named", "nested"])
    lines: list[str] = []
    named = ""
    template = "fired"
    if style == "all":
        first, alias = _profile_pattern(rng, "a")
        lines = ["all:", f"  - {first}", f"  - {_intervention_pattern(rng)}"]
        template = "{a.id} {intervention.name}"
    elif style == "any":
        first, _ = _profile_pattern(rng, "a")
        second, _ = _profile_pattern(rng, "a")
        lines = [
            "all:",
            "  - any:",
            f"      - {first}",
            f"      - {second}",
            f"  - {_intervention_pattern(rng)}",
        ]
        template = "{a.id}"
    elif style == "not":
        region = rng.choice(REGIONS)
        lines = [
            "all:",
            f"  - not: {{region: {{id: {region}, impairment: {rng.choice(IMPAIRMENTS)}, ratio: {{below: 0.9}}}}}}",
            f"  - {_intervention_pattern(rng)}",
        ]
    elif style == "join":
        region = rng.choice(REGIONS)
        lines = [
            "all:",
            f"  - region: {{id: {region}}}",
            "  - item: {region: {ref: region.id}, impairment: {is_not: typical}}",
            f"  - {_intervention_pattern(rng)}",
        ]
        template = "{item.id} in {region.id}"
    elif style == "ordering":
        domain = rng.choice(DOMAINS)
        op = rng.choice(["below", "at_most", "above", "at_least"])
        lines = [
            "all:",
            f"  - domain: {{id: {domain}}}",
            f"  - intervention: {{phase: {rng.choice(['regulate', 'relate', 'reason'])}, "
            f"min_developmental_age: {{{op}: {{ref: domain.developmental_age}}}}}}",
        ]
        template = "{domain.developmental_age} vs {intervention.min_developmental_age}"
    elif style == "named":
        first, _ = _profile_pattern(rng)
        lines = [first]
        named = rng.choice(
            [
                "drumming",
                "school_psychoeducation",
                "caregiver_self_care",
                "tf_cbt",
                "sibling_inclusion",
            ]
        )
    else:
        first, _ = _profile_pattern(rng, "a")
        second, _ = _profile_pattern(rng, "b")
        third, _ = _profile_pattern(rng, "c")
        lines = [
            "all:",
            "  - any:",
            f"      - {first}",
            "      - all:",
            f"          - {second}",
            f"          - not: {{cmr: {{value: {{above: {rng.uniform(0.5, 3):.2f}}}}}}}",
            f"  - {third}",
            f"  - {_intervention_pattern(rng)}",
        ]
    when = "\n".join("      " + line for line in lines)
    target = f"intervention: {named}, " if named else ""
    return (
        f"  - id: random.r{index}\n"
        f"    title: random rule {index}\n"
        f"    when:\n{when}\n"
        f"    then: {{{action}: {{{target}priority: {rng.randint(0, 100)}}}}}\n"
        f'    rationale: "{template}"\n'
        "    source: random\n"
    )


def random_rulebase(rng: random.Random, count: int) -> tuple[Any, int]:
    """A compiled random rule base with no errors: rules with errors are dropped."""
    catalog = load_catalog()
    texts = [random_rule(rng, i) for i in range(count)]
    doc = load_text(
        "schema: neuroseq/rules/v1\nrules:\n" + "".join(texts), "random.yaml", error=RuleError
    )
    rules, problems = parse_rule_file(doc)
    assert not problems, problems[:3]
    compilation = compile_rules(rules, catalog)
    bad = {p.field.split(".")[0] for p in compilation.errors}
    if bad:
        keep = [r for i, r in enumerate(rules) if f"rules[{i}]" not in bad]
        compilation = compile_rules(keep, catalog)
    assert not compilation.errors, compilation.errors[:3]
    return compilation, len(compilation.rules)


def main() -> None:
    mode, cases, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    planner = Planner.load()
    items = 0
    if mode == "default":
        for index in range(cases):
            case = random_case(rng, index)
            plan = planner.plan(case, score(case))
            items += len(plan.recommendations)
        print(f"default: {cases} cases, {items} items")
        return
    compilation, engine_rules = random_rulebase(rng, int(sys.argv[4]))
    engine = RuleEngine(compilation.rulesets())
    by_name = compilation.by_name()
    for index in range(cases):
        case = random_case(rng, index)
        facts = case_facts(case, score(case), planner.catalog, wanted=compilation.wanted)
        firings = engine.evaluate(facts)
        by_id = {fact["id"]: fact for fact in facts}
        found = assemble(firings, by_name, planner.catalog, max_new=4, facts=by_id).items
        items += len(found)
    print(
        f"random: {engine_rules} engine rules in {len(compilation.rulesets())} rulesets, {cases} cases, {items} items"
    )


if __name__ == "__main__":
    main()
