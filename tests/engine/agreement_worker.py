"""Worker for the check/plan agreement test: run in a subprocess (the engine may hang or crash).

    python agreement_worker.py SEED BASES CASES FOLDER

Generates BASES random rule bases (seeded). Each mixes ordinary random rules
(from ``crash_worker.random_rule``, keeping those that compile clean alone) with
constructs at and past the engine's measured limits, sized at random on both
sides of each edge: many ``is_not`` rules on one field, many equality rules on
one field, one ``one_of`` with hundreds of values, an ``all`` over several
two-way ``any``, a join of many facts, a join of facts named by no id, an
``is_not`` ref between two facts.
From the sizes the generator knows which limit codes ``rules check`` must
report (engine/LIMITS.md). For each base it runs ``rules check``; a base that
checks clean is planned for CASES random cases, under a 5 s watchdog.

Prints one JSON line per base: ``predicted`` and ``found`` limit codes,
``planned`` cases, ``rulesets`` and ``error`` (what planning raised, if anything).
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import crash_worker  # noqa: E402

from neuroseq.catalog.loader import load_catalog  # noqa: E402
from neuroseq.engine import limits  # noqa: E402
from neuroseq.engine.compiler import compile_rules  # noqa: E402
from neuroseq.engine.planner import Planner  # noqa: E402
from neuroseq.engine.rule_model import parse_rule_file  # noqa: E402
from neuroseq.engine.rulebase import check_rulebase, load_rulebase  # noqa: E402
from neuroseq.errors import NeuroseqError, RuleError  # noqa: E402
from neuroseq.scoring.items import ITEM_IDS  # noqa: E402
from neuroseq.scoring.profile import score  # noqa: E402
from neuroseq.source import load_text  # noqa: E402

LIMIT_CODES = {"NS107", "NS301", "NS302", "NS303", "NS304", "NS305"}
ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def _rule(rule_id: str, when: list[str], target: str = "tf_cbt") -> str:
    body = "\n".join(f"      {line}" for line in when)
    return (
        f"  - id: {rule_id}\n    title: generated\n    when:\n{body}\n"
        f"    then:\n      defer: {{intervention: {target}}}\n"
        "    rationale: generated\n    source: generator\n"
    )


def _clean_alone(text: str) -> bool:
    doc = load_text("schema: neuroseq/rules/v1\nrules:\n" + text, "r.yaml", error=RuleError)
    rules, problems = parse_rule_file(doc)
    return not problems and bool(rules) and not compile_rules(rules, CATALOG).errors


def _values(rng: random.Random, count: int) -> list[str]:
    chosen = rng.sample(range(1, 10_000), count)
    return [f"{value / 1000:.3f}" for value in chosen]


def generate(rng: random.Random, number: int) -> tuple[str, set[str]]:
    """One rule base as the text of one rule file, and the limit codes it must get."""
    texts: list[str] = []
    predicted: set[str] = set()
    for index in range(rng.randint(0, 12)):
        text = crash_worker.random_rule(rng, 1000 * number + index)
        if _clean_alone(text):
            texts.append(text)
    kinds = rng.sample(["is_not", "equality", "one_of", "dnf", "join"], rng.randint(1, 3))
    if rng.random() < 0.2:
        kinds.append("ref")
    if rng.random() < 0.2:
        kinds.append("wide_join")
    if "is_not" in kinds:  # packed into several rulesets: never refused
        for index, value in enumerate(_values(rng, rng.randint(40, 140))):
            texts.append(_rule(f"g.is_not_{index}", [f"cmr: {{value: {{is_not: {value}}}}}"]))
    if "equality" in kinds:  # likewise
        for index, value in enumerate(_values(rng, rng.randint(300, 700))):
            texts.append(_rule(f"g.equal_{index}", [f"cmr: {{value: {value}}}"]))
    if "one_of" in kinds:
        size = rng.choice([rng.randint(300, 511), rng.randint(512, 700)])
        texts.append(
            _rule("g.one_of", [f"cmr: {{value: {{one_of: [{', '.join(_values(rng, size))}]}}}}"])
        )
        if size > limits.EQUALITY_CONSTANTS_PER_TYPE:
            predicted.add("NS301")
    if "dnf" in kinds:
        width = rng.choice([rng.randint(3, 8), rng.randint(9, 11)])
        items = rng.sample(list(ITEM_IDS), 2 * width)
        lines = ["all:"] + [
            f"  - any: [{{item as a{i}: {{id: {items[2 * i]}, score: {{below: {i + 1}}}}}}}, "
            f"{{item as b{i}: {{id: {items[2 * i + 1]}, score: {{at_least: {i}}}}}}}]"
            for i in range(width)
        ]
        texts.append(_rule("g.dnf", lines))
        if 2**width > limits.MAX_CONJUNCTIONS_PER_RULE:
            predicted.add("NS303")
    if "join" in kinds:
        size = rng.choice([rng.randint(8, 16), rng.randint(17, 20)])
        items = rng.sample(list(ITEM_IDS), size)
        lines = ["all:"] + [
            f"  - item as i{n}: {{id: {item}, score: {{at_least: 0}}}}"
            for n, item in enumerate(items)
        ]
        texts.append(_rule("g.join", lines))
        if size > limits.MAX_PATTERNS_PER_RULE:
            predicted.add("NS302")
    if "ref" in kinds:
        texts.append(
            _rule(
                "g.ref",
                [
                    "all:",
                    "  - region as low: {id: limbic}",
                    "  - region as high: {id: cortex, impairment: {is_not: {ref: low.impairment}}}",
                ],
            )
        )
        predicted.add("NS107")
    if "wide_join" in kinds:  # patterns naming no id: every combination of items fires
        width = rng.choice([2, 4])
        lines = ["all:"] + [f"  - item as w{n}: {{score: {{at_least: 0}}}}" for n in range(width)]
        texts.append(_rule("g.wide_join", lines))
        if len(ITEM_IDS) ** width > limits.MAX_JOIN_COMBINATIONS:
            predicted.add("NS305")
    rng.shuffle(texts)
    return "schema: neuroseq/rules/v1\nrules:\n" + "".join(texts), predicted


def run_base(rng: random.Random, number: int, cases: int, root: Path) -> dict[str, Any]:
    text, predicted = generate(rng, number)
    folder = root / f"base{number}"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "rules" / "rulebase.yaml", folder / "rulebase.yaml")
    (folder / "generated.yaml").write_text(text)
    base, problems = load_rulebase(folder)
    compilation, findings = check_rulebase(base, problems, CATALOG)
    errors = [f for f in findings if f.severity == "error"]
    found = sorted({f.code for f in errors})
    result: dict[str, Any] = {
        "base": number,
        "predicted": sorted(predicted),
        "found": found,
        "rules": len(base.rules),
        "engine_rules": len(compilation.rules),
        "planned": 0,
        "rulesets": 0,
        "error": None,
    }
    if errors:
        return result
    try:
        planner = Planner.load(folder)
        result["rulesets"] = len(planner.compilation.rulesets())
        for index in range(cases):
            case = crash_worker.random_case(rng, index)
            planner.plan(case, score(case))
            result["planned"] += 1
    except NeuroseqError as error:
        result["error"] = str(error)[:500]
    return result


def main() -> None:
    seed, bases, cases, root = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    limits.WATCHDOG_SECONDS = 5.0
    rng = random.Random(seed)
    for number in range(bases):
        print(json.dumps(run_base(rng, number, cases, Path(root))), flush=True)


if __name__ == "__main__":
    main()
