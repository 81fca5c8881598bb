"""neuroseq benchmark: prints its figures; it asserts nothing.

    .venv/bin/python bench/run.py            # the full run (about a minute)
    .venv/bin/python bench/run.py --quick    # smaller counts

It generates seeded synthetic cases across ages, severities and metric kinds
and reports, in one run:

* cases/s for score only, and for score + plan, on one core;
* the engine floor: durable_rules' own cost to assert the very same facts
  against the very same compiled rules, and neuroseq's overhead as a ratio;
* a 15,000-case corpus planned with both cores (two processes);
* peak RSS over 10,000 cases in one process, and whether it grows;
* the time to compile and register a 200-rule base;
* the median wall time of `neuroseq score` and `neuroseq plan` on one case,
  process start included.

Targets (from the issues) are printed beside each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from multiprocessing import Pool
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent


def synthetic_case(seed: int) -> dict[str, Any]:
    """One valid case: age 1-18, a severity 0 (typical) to 1 (severe), any metric."""
    from neuroseq.scoring.case import PERIOD_START_YEARS
    from neuroseq.scoring.norms import default_norms

    rng = random.Random(seed)
    age = round(rng.uniform(1.0, 18.0), 1)
    severity = rng.random()
    metric = rng.choice(["full", "full", "follow_up", "er"])
    typical = default_norms().typical_scores(age)
    cns = {}
    for item, value in typical.items():
        drop = severity * rng.uniform(0.2, 0.8)
        cns[item] = max(0.0, min(12.0, round(value * (1 - drop) * 2) / 2))
    history = []
    for period, start in PERIOD_START_YEARS.items():
        if start <= age:
            adversity = min(3, round(severity * 3 * rng.random() + 0.2))
            history.append(
                {
                    "period": period,
                    "adversity": adversity,
                    "pattern": "none"
                    if adversity == 0
                    else rng.choice(["single", "episodic", "chronic"]),
                    "bonding": rng.randint(0, 3),
                    "family_support": rng.randint(0, 3),
                    "community_support": rng.randint(0, 3),
                }
            )
    services = [
        "tf_cbt",
        "tutoring",
        "speech_language_therapy",
        "play_therapy",
        "cbt",
        "art_therapy",
    ]
    case: dict[str, Any] = {
        "schema": "neuroseq/case/v1",
        "metric": metric,
        "client": {
            "id": f"bench-{seed}",
            "age_years": age,
            "placements_count": rng.randint(0, 8),
            "interests": rng.sample(["music", "animals", "swimming", "drawing", "football"], 2),
            "declined": rng.sample(["reiki", "yoga", "drama_therapy"], rng.randint(0, 1)),
        },
        "current_services": rng.sample(services, rng.randint(0, 3)),
        "household": {
            "siblings_in_home": rng.randint(0, 3),
            "sibling_conflict": rng.random() < 0.4,
            "caregiver_trauma_informed": rng.random() < 0.5,
            "caregiver_own_adversity": rng.random() < 0.3,
        },
        "cns": cns,
        "relational_health": {
            k: rng.randint(0, 3) for k in ("family", "peers", "school", "community")
        },
    }
    if age >= 5:
        case["client"]["school_setting"] = "mainstream"
    if metric != "er":
        case["history"] = history
    return case


def cases(count: int, offset: int = 0) -> Iterator[Any]:
    from neuroseq.scoring.case import Case

    for seed in range(offset, offset + count):
        yield Case.model_validate(synthetic_case(seed))


def _rss_mb() -> float:
    """Peak RSS of this process's memory so far (VmHWM; ru_maxrss would include the
    parent's size inherited across fork and exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_score(count: int) -> float:
    from neuroseq.scoring.profile import score

    corpus = list(cases(count))
    start = time.perf_counter()
    for case in corpus:
        score(case)
    return count / (time.perf_counter() - start)


_PHASE_TARGETS = {
    "brainstem": ("drumming", "rocking_swinging"),
    "diencephalon_cerebellum": ("music_movement", "walking"),
    "limbic": ("play_therapy", "animal_assisted"),
    "cortex": ("speech_language_therapy", "tutoring"),
    "frontal_cortex": ("social_skills_training", "executive_function_coaching"),
}


def large_rule_folder(folder: Path) -> int:
    """The bundled rule base plus 64 item-level rules: a base of over 100 rules."""
    import shutil

    from neuroseq.engine.rulebase import bundled_rules_folder
    from neuroseq.scoring.items import ITEMS

    shutil.copytree(bundled_rules_folder(), folder, dirs_exist_ok=True)
    lines = ["schema: neuroseq/rules/v1", "rules:"]
    for item in ITEMS:
        for level, target in zip(
            ("significant", "moderate"), _PHASE_TARGETS[item.region], strict=True
        ):
            lines += [
                f"  - id: bench.{item.id}.{level}",
                f"    title: {item.label} is {level}ly impaired",
                f"    when: {{item: {{id: {item.id}, impairment: {level}}}}}",
                f"    then: {{recommend: {{intervention: {target}, priority: 20}}}}",
                f'    rationale: "{item.label} scores {{item.score}} against {{item.typical}}"',
                "    source: benchmark",
            ]
    (folder / "bench_items.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 64


def _median_rate(count: int, rounds: int, run: Any) -> tuple[float, float, float]:
    """(median, slowest, fastest) cases/s over ``rounds`` timed runs of ``run()``.

    This machine is shared and its speed drifts by 30% from minute to minute; the
    median of several rounds is stable where one long run is not.
    """
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates), min(rates), max(rates)


class PlanFigures(NamedTuple):
    """What :func:`bench_plan` measures for one rule base."""

    full: tuple[float, float, float]
    """score + plan cases/s: (median, slowest, fastest) round."""
    wide_floor: float
    """cases/s of the wide floor (every fact field, encoded and decoded by durable)."""
    facts: float
    """facts per case."""
    engine_us: float
    """neuroseq's engine cost per case (RuleEngine.evaluate), microseconds."""
    minimal_us: float
    """the minimal durable_rules floor per case for the same facts, microseconds."""


def bench_plan(count: int, rounds: int, rules: Path | None = None) -> PlanFigures:
    """Score + plan rates, the wide floor, and the engine cost against the minimal floor."""
    from neuroseq.api import Planner as PublicPlanner
    from neuroseq.engine.facts import case_facts
    from neuroseq.scoring.profile import score

    public = PublicPlanner.load(rules)
    planner = public.engine
    corpus = list(cases(count))
    public.plan(corpus[0])

    def plan_all() -> None:
        for case in corpus:
            public.plan(case)

    full = _median_rate(count, rounds, plan_all)

    # The floor: the same facts asserted into the same compiled rules with
    # durable_rules' own calls and a do-nothing action.
    import durable.engine as engine

    facts_per_case = [
        case_facts(case, score(case), planner.catalog, wanted=planner.compilation.wanted)
        for case in corpus
    ]
    floor = statistics.median(
        _raw_durable(planner.compilation.rulesets(), facts_per_case) for _ in range(rounds)
    )
    del engine
    engine_us, minimal_us = _engine_against_minimal(public, corpus, rounds)
    return PlanFigures(full, floor, len(facts_per_case[0]), engine_us, minimal_us)


def _engine_against_minimal(public: Any, corpus: list[Any], rounds: int) -> tuple[float, float]:
    """(neuroseq's engine cost, the minimal durable_rules floor), microseconds per case.

    neuroseq's cost is :meth:`RuleEngine.evaluate` on the facts planning asserts:
    checking and projecting them, encoding, the watchdog's hand-off, the native
    assert, decoding every firing and deleting the session. The minimal floor is
    what no adapter can avoid for the very same facts and compiled rules: the
    projected payload encoded beforehand, the native assert, the firings drained
    without decoding, and the state deleted. Rounds alternate, so both see the
    same machine.
    """
    import durable.engine as durable

    engine = public.engine._engine
    captured: list[Any] = []
    evaluate = engine.evaluate

    def capture(facts: Any) -> Any:
        captured.append(facts)
        return evaluate(facts)

    engine.evaluate = capture
    try:
        for case in corpus:
            public.plan(case)
    finally:
        del engine.evaluate
    native = durable.durable_rules_engine
    handles = [engine._host.get_ruleset(name)._handle for name in engine._names.values()]
    payloads = [engine._prepare(facts)[0] for facts in captured]
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        for facts in captured:
            engine.evaluate(facts)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for payload in payloads:
            for handle in handles:
                code, offset = native.assert_facts(handle, payload)
                started = native.start_action_for_state(handle, offset)
                while started and native.complete_and_start_action(handle, offset):
                    pass
                native.delete_state(handle, "0")
        floor.append(time.perf_counter() - start)
    per_case = 1e6 / len(captured)
    return statistics.median(ours) * per_case, statistics.median(floor) * per_case


def _raw_durable(
    rulesets: dict[str, dict[str, Any]], facts_per_case: list[list[dict[str, Any]]]
) -> float:
    """durable_rules' own cost for the same facts and rules: its JSON encoding of the
    whole facts, its native assert, every firing's match decoded, the state deleted."""
    import copy

    import durable.engine as engine

    native = engine.durable_rules_engine

    class Quiet(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:  # no timer threads
            return None

        def get_action(self, name: str) -> Any:
            return lambda c: None

    definitions = copy.deepcopy(rulesets)
    for definition in definitions.values():
        for rule in definition.values():
            rule["run"] = "noop"
        # the same session anchor the adapter uses, so both see the same network
        definition["anchor"] = {"all": [{"s": {"type": "bench:session"}}], "run": "noop"}
    host = Quiet()
    host.register_rulesets(definitions)
    handles = [host.get_ruleset(name)._handle for name in definitions]
    start = time.perf_counter()
    for facts in facts_per_case:
        batch = json.dumps([{"type": "bench:session", "id": "s"}, *facts])
        for handle in handles:
            # durable's Host.assert_facts raises when some fact matches nothing,
            # although the batch was processed: read the native result instead
            code, offset = native.assert_facts(handle, batch)
            assert code in (0, 1), code
            started = native.start_action_for_state(handle, offset)
            message = started[1] if started else None
            while message:
                json.loads(message)
                message = native.complete_and_start_action(handle, offset)
            native.delete_state(handle, "0")
    return len(facts_per_case) / (time.perf_counter() - start)


def _plan_chunk(bounds: tuple[int, int]) -> int:
    from neuroseq.api import Planner

    planner = Planner.load()
    done = 0
    for case in cases(bounds[1], bounds[0]):
        planner.plan(case)
        done += 1
    return done


def bench_corpus(count: int) -> float:
    half = count // 2
    start = time.perf_counter()
    with Pool(2) as pool:
        total = sum(pool.map(_plan_chunk, [(0, half), (half, count - half)]))
    assert total == count
    return time.perf_counter() - start


def bench_memory(count: int) -> tuple[float, float]:
    from neuroseq.api import Planner

    planner = Planner.load()
    quarter = max(1, count // 4)
    rss_quarter = 0.0
    for index, case in enumerate(cases(count, 100_000)):
        planner.plan(case)
        if index == quarter:
            rss_quarter = _rss_mb()
    return rss_quarter, _rss_mb()


def bench_memory_subprocess(count: int) -> tuple[float, float]:
    """Peak RSS in a fresh process, so nothing else this benchmark did counts."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-only", str(count)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def bench_html(count: int) -> float:
    """Milliseconds per plan to render the HTML report (planning not included)."""
    from neuroseq.api import Planner, render

    planner = Planner.load()
    results = [planner.plan(case) for case in cases(count, 200_000)]
    render(results[0], "html")
    start = time.perf_counter()
    for result in results:
        render(result, "html")
    return (time.perf_counter() - start) / count * 1000


def bench_compile(rule_count: int) -> float:
    from neuroseq.catalog.loader import load_catalog
    from neuroseq.engine.adapter import RuleEngine
    from neuroseq.engine.compiler import compile_rules
    from neuroseq.engine.rule_model import parse_rule_file
    from neuroseq.errors import RuleError
    from neuroseq.source import load_text

    regions = ["brainstem", "diencephalon_cerebellum", "limbic", "cortex", "frontal_cortex"]
    rules = []
    for index in range(rule_count):
        region = regions[index % 5]
        rules.append(
            f"- id: bench.r{index}\n  title: bench\n  when:\n    all:\n"
            f"      - region: {{id: {region}, ratio: {{below: {0.5 + (index % 40) / 100:.2f}}}}}\n"
            f"      - intervention: {{id: drumming}}\n"
            f"  then: {{recommend: {{priority: {index % 100}}}}}\n"
            "  rationale: bench {region.ratio}\n  source: bench\n"
        )
    text = "schema: neuroseq/rules/v1\nrules:\n" + "".join(
        "  " + line + "\n" for r in rules for line in r.splitlines()
    )
    catalog = load_catalog()
    start = time.perf_counter()
    doc = load_text(text, "bench.yaml", error=RuleError)
    parsed, _ = parse_rule_file(doc)
    compilation = compile_rules(parsed, catalog)
    RuleEngine(compilation.rulesets())
    return time.perf_counter() - start


def bench_cli(runs: int) -> tuple[float, float]:
    example = ROOT / "examples" / "severe-young-child.yaml"
    exe = Path(sys.executable).parent / "neuroseq"
    timings: dict[str, list[float]] = {"score": [], "plan": []}
    with tempfile.TemporaryDirectory() as folder:
        for command in ("score", "plan"):
            for _ in range(runs):
                out = Path(folder) / "out.json"
                start = time.perf_counter()
                subprocess.run(
                    [str(exe), command, str(example), "--format", "json", "-o", str(out)],
                    check=True,
                )
                timings[command].append(time.perf_counter() - start)
    return statistics.median(timings["score"]), statistics.median(timings["plan"])


def _print_engine(figures: PlanFigures, target: str) -> None:
    ratio = figures.engine_us / figures.minimal_us
    print(
        f"minimal floor         {figures.minimal_us:9.0f} us/case  pre-encoded projected payload, "
        "native assert, drain undecoded, delete state"
    )
    print(
        f"engine cost           {figures.engine_us:9.0f} us/case  neuroseq's RuleEngine.evaluate"
        f" = {ratio:.2f} x the minimal floor{target}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--memory-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_only:
        quarter, peak = bench_memory(args.memory_only)
        print(quarter, peak)
        return
    n_score, n_plan, n_rounds, n_corpus, n_memory, n_cli = (
        (500, 300, 3, 2000, 2000, 3) if args.quick else (3000, 1000, 5, 15000, 10000, 9)
    )
    print(f"neuroseq benchmark  (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    rate = bench_score(n_score)
    print(f"score only            {rate:9.0f} cases/s   one core ({n_score} cases)")
    from neuroseq.engine.rulebase import load_rulebase

    default_rules = len(load_rulebase()[0].rules)
    bundled = bench_plan(n_plan, n_rounds)
    (full, _, _), floor, facts = bundled.full, bundled.wide_floor, bundled.facts
    print(
        f"score + plan          {full:9.0f} cases/s   one core, bundled base of {default_rules} rules"
        f" (median of {n_rounds} rounds of {n_plan})"
    )
    print(
        f"wide floor            {floor:9.0f} cases/s   raw durable_rules, same {facts:.0f} facts (all fields) and rules"
    )
    print(f"overhead ratio        {floor / full:9.2f} x        neuroseq time / wide floor time")
    _print_engine(bundled, "")
    with tempfile.TemporaryDirectory() as folder:
        large_rule_folder(Path(folder))
        large_rules = len(load_rulebase(Path(folder))[0].rules)
        large = bench_plan(n_plan, n_rounds, Path(folder))
    (big, slow, fast), big_floor, big_facts = large.full, large.wide_floor, large.facts
    print(
        f"score + plan          {big:9.0f} cases/s   one core, base of {large_rules} rules   target >= 1000"
        f" (rounds {slow:.0f}-{fast:.0f})"
    )
    print(
        f"wide floor            {big_floor:9.0f} cases/s   raw durable_rules, same {big_facts:.0f} facts (all fields) and rules"
    )
    print(
        f"overhead ratio        {big_floor / big:9.2f} x        neuroseq time / wide floor time   target <= 2.0"
    )
    _print_engine(large, "   target <= 1.5")
    seconds = bench_corpus(n_corpus)
    print(
        f"corpus of {n_corpus:<6}     {seconds:9.1f} s        two processes   target < 30 s for 15,000"
    )
    quarter, peak = bench_memory_subprocess(n_memory)
    print(
        f"peak RSS              {peak:9.1f} MB       over {n_memory} cases (at 1/4: {quarter:.1f} MB)   target < 200 MB, flat"
    )
    html_ms = bench_html(50 if args.quick else 200)
    print(
        f"HTML report           {html_ms:9.1f} ms       per plan (rendering only)   target < 20 ms"
    )
    compile_s = bench_compile(200)
    print(f"compile + register    {compile_s:9.3f} s        200-rule base   target < 0.3 s")
    score_s, plan_s = bench_cli(n_cli)
    print(
        f"neuroseq score (CLI)  {score_s:9.3f} s        median of {n_cli}, process start included   target < 0.4 s"
    )
    print(
        f"neuroseq plan (CLI)   {plan_s:9.3f} s        median of {n_cli}, process start included   target < 0.5 s"
    )
    print(
        json.dumps(
            {"score_per_s": round(rate), "plan_per_s": round(full), "floor_per_s": round(floor)}
        )
    )


if __name__ == "__main__":
    main()
