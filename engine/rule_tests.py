"""Rule tests as data: ``given`` a case, ``expect`` recommendations, run for real.

A rule test file (``rules/tests/*.yaml``, ``schema: neuroseq/rule-tests/v1``)::

    tests:
      - name: CMR below 1.0 suspends current trauma-focused CBT
        given:
          age: 7                       # a typical child of this age ...
          cns: {sleep: 4, ...}         # ... with these items changed
          case: {current_services: [tf_cbt], client: {school_setting: year 2}}
          facts: {cmr: {value: 0.8}}   # optional: override scored facts
          caregiver: {reserve_category: depleted}   # optional: the home's caregiver fact
        expect:
          present:
            - {intervention: tf_cbt, action: suspend}
          absent:
            - {intervention: tf_cbt, action: continue}
          order:
            - [drumming, tf_cbt]       # drumming is ranked before tf_cbt
          considered:                  # left out, with the reason code
            - {intervention: emdr, reason: not_ready}
          stopped:                     # in the plan's stop list
            - {intervention: in_room_aide, action: fade}
          not_started: [school_psychoeducation]
          at_most: {client: 10, therapeutic_web: 6, family: 6, total: 22}

A key ending in ``_contains`` matches when the field (text, or a list of
texts) contains the given text: ``{intervention: yoga, cautions_contains: consent}``.

``given.file`` names a case file (relative to the test file) instead of
building one. ``given.caregiver`` asserts a ``caregiver`` fact (as with
``neuroseq plan --caregiver``): the fields given replace those of a neutral
home with an adequate reserve, or ``{file: <caregiver file>}`` scores a
caregiver file (relative to the test file) with the bundled weights. Without
it no caregiver fact is asserted. Every test runs through the real engine; a failure shows what
was expected beside what came out.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neuroseq.engine.plan_model import Plan
from neuroseq.engine.planner import Planner
from neuroseq.errors import CaseError, NeuroseqError, Problem, RuleError, SourceLocation
from neuroseq.scoring.case import PERIOD_START_YEARS, Case
from neuroseq.scoring.loader import case_from_document, load_case
from neuroseq.scoring.norms import default_norms
from neuroseq.scoring.profile import score
from neuroseq.source import SourceDocument, load_document
from neuroseq.vocabulary import ACTIVE_ACTIONS

__all__ = ["RuleTest", "RuleTestResult", "load_rule_tests", "run_rule_test", "typical_case_data"]

_TEST_KEYS = ("name", "given", "expect")
_GIVEN_KEYS = ("age", "metric", "cns", "case", "file", "facts", "previous", "caregiver")
_EXPECT_KEYS = ("present", "absent", "order", "considered", "stopped", "not_started", "at_most")


@dataclass(frozen=True)
class RuleTest:
    """One given/expect test with its location."""

    name: str
    given: Mapping[str, Any]
    expect: Mapping[str, Any]
    path: str
    line: int


@dataclass(frozen=True)
class RuleTestResult:
    """The outcome of one test: failures say what was expected and what came out."""

    test: RuleTest
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def typical_case_data(age: float, metric: str = "full") -> dict[str, Any]:
    """A case whose items sit at the typical values for ``age`` (to the half point)."""
    norms = default_norms()
    typical = norms.typical_scores(age)
    history = [
        {
            "period": period,
            "adversity": 0,
            "pattern": "none",
            "bonding": 3,
            "family_support": 3,
            "community_support": 3,
        }
        for period, start in PERIOD_START_YEARS.items()
        if start <= age
    ]
    data: dict[str, Any] = {
        "schema": "neuroseq/case/v1",
        "metric": metric,
        "client": {"id": "rule-test", "age_years": float(age)},
        "cns": {item: round(value * 2) / 2 for item, value in typical.items()},
        "relational_health": {"family": 3, "peers": 3, "school": 3, "community": 3},
    }
    if metric != "er":
        data["history"] = history
    return data


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_rule_tests(folder: Path) -> tuple[list[RuleTest], list[Problem]]:
    """Every test in ``folder`` (``*.yaml``), with problems for malformed ones."""
    tests: list[RuleTest] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.glob("*.yaml") if p.is_file()):
        try:
            doc = load_document(path, error=RuleError)
        except RuleError as exc:
            problems.extend(exc.problems)
            continue
        tests_found, found = _parse(doc)
        tests.extend(tests_found)
        problems.extend(found)
    return tests, problems


def _parse(doc: SourceDocument) -> tuple[list[RuleTest], list[Problem]]:
    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict) or data.get("schema") != "neuroseq/rule-tests/v1":
        return [], [
            doc.problem(
                ("schema",), "a rule test file starts with 'schema: neuroseq/rule-tests/v1'"
            )
        ]
    raw_tests = data.get("tests")
    if not isinstance(raw_tests, list):
        return [], [doc.problem(("tests",), "'tests' is a list of tests")]
    tests = []
    for index, raw in enumerate(raw_tests):
        key: tuple[str | int, ...] = ("tests", index)
        if not isinstance(raw, dict):
            problems.append(doc.problem(key, "a test is a mapping with name, given, expect"))
            continue
        bad = False
        for name, allowed, where in (
            (None, _TEST_KEYS, raw),
            ("given", _GIVEN_KEYS, raw.get("given")),
            ("expect", _EXPECT_KEYS, raw.get("expect")),
        ):
            if name is not None and not isinstance(where, dict):
                problems.append(doc.problem((*key, name), f"'{name}' is a mapping"))
                bad = True
                continue
            assert isinstance(where, dict)
            for field in where:
                if field not in allowed:
                    path = (*key, name, field) if name else (*key, field)
                    problems.append(
                        doc.problem(path, f"unknown key '{field}'; allowed: {', '.join(allowed)}")
                    )
                    bad = True
        if not isinstance(raw.get("name"), str):
            problems.append(doc.problem(key, "a test needs a 'name'"))
            bad = True
        if not bad:
            tests.append(
                RuleTest(raw["name"], raw["given"], raw["expect"], doc.path, doc.line_for(key) or 0)
            )
    return tests, problems


def _build_case(test: RuleTest, data: Mapping[str, Any]) -> Case:
    doc = SourceDocument(test.path, dict(data), {})
    try:
        return case_from_document(doc)
    except CaseError as exc:
        raise RuleError(
            [
                Problem(
                    SourceLocation(test.path, test.line),
                    f"test '{test.name}'",
                    f"given builds an invalid case: {p.field}: {p.message}",
                )
                for p in exc.problems
            ]
        ) from None


def _given_case(test: RuleTest, key: str = "") -> Case:
    given = test.given if not key else test.given[key]
    if "file" in given:
        return load_case(Path(test.path).parent / str(given["file"]))
    age = float(given.get("age", 9))
    data = typical_case_data(age, str(given.get("metric", "full")))
    if "cns" in given:
        data["cns"].update(given["cns"])
    if "case" in given:
        data = _merge(data, given["case"])
    return _build_case(test, data)


def plan_for_test(planner: Planner, test: RuleTest) -> Plan:
    """The plan the test's ``given`` produces (with fact overrides applied)."""
    case = _given_case(test)
    profile = score(case)
    previous = None
    if "previous" in test.given:
        earlier = _given_case(test, "previous")
        previous = planner.previous_from(earlier, score(earlier))
    overrides = test.given.get("facts") or {}
    caregiver = _given_caregiver(test)
    return planner.plan(case, profile, previous, overrides=overrides, caregiver=caregiver)


def _test_problem(test: RuleTest, message: str) -> RuleError:
    return RuleError(
        [Problem(SourceLocation(test.path, test.line), f"test '{test.name}'", message)]
    )


def _given_caregiver(test: RuleTest) -> dict[str, Any] | None:
    """The caregiver fact of ``given.caregiver``, or None when the test gives none."""
    given = test.given.get("caregiver")
    if given is None:
        return None
    if not isinstance(given, Mapping):
        raise _test_problem(
            test,
            "given.caregiver is a mapping of caregiver fact fields, or {file: <caregiver file>}",
        )
    if "file" in given:
        from neuroseq.engine.caregiver_facts import caregiver_fact
        from neuroseq.scoring.caregiver_loader import load_caregiver
        from neuroseq.scoring.caregiver_score import score_caregiver

        if len(given) != 1:
            raise _test_problem(test, "given.caregiver with 'file' takes no other keys")
        home = load_caregiver(Path(test.path).parent / str(given["file"]))
        return caregiver_fact(score_caregiver(home))
    from neuroseq.engine.caregiver_facts import typical_caregiver_fact
    from neuroseq.engine.facts import FACT_TYPES

    fact_type = FACT_TYPES["caregiver"]
    fact = typical_caregiver_fact()
    for name, value in given.items():
        spec = fact_type.field(str(name))
        if spec is None:
            close = difflib.get_close_matches(str(name), [f.name for f in fact_type.fields], n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _test_problem(test, f"given.caregiver: 'caregiver' has no field '{name}'{hint}")
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if spec.kind == "number" and not number:
            raise _test_problem(test, f"given.caregiver.{name} is a number; got {value!r}")
        if spec.kind == "text" and value not in spec.values:
            raise _test_problem(
                test,
                f"given.caregiver.{name}: {value!r} is not allowed; "
                f"expected one of {', '.join(spec.values)}",
            )
        fact[str(name)] = float(value) if number else value
    return fact


def _matches(item: Any, wanted: Mapping[str, Any]) -> bool:
    for key, value in wanted.items():
        if key.endswith("_contains"):
            found = getattr(item, key[: -len("_contains")], None)
            texts = found if isinstance(found, list) else [found]
            if not any(isinstance(t, str) and str(value) in t for t in texts):
                return False
        elif getattr(item, key, None) != value:
            return False
    return True


def _check_lists(plan: Plan, expect: Mapping[str, Any]) -> list[str]:
    """The checks on what the plan leaves out, stops, asks about and how big it is."""
    failures: list[str] = []
    for name, entries in (("considered", plan.also_considered), ("stopped", plan.stop)):
        shown = ", ".join(
            f"{e.intervention}:{getattr(e, 'reason', None) or getattr(e, 'action', '')}"
            for e in entries
        )
        for wanted in expect.get(name) or []:
            if not any(_matches(e, wanted) for e in entries):
                failures.append(
                    f"expected {name} {_show(wanted)}; came out: {shown or '(nothing)'}"
                )
    asked = [e.intervention for e in plan.not_started]
    for wanted_id in expect.get("not_started") or []:
        if wanted_id not in asked:
            failures.append(
                f"expected not_started {wanted_id}; came out: {', '.join(asked) or '(nothing)'}"
            )
    limits = expect.get("at_most") or {}
    active = [i for i in plan.recommendations if i.action in ACTIVE_ACTIONS]
    counts = {"total": len(plan.recommendations)}
    for item in active:
        counts[item.audience] = counts.get(item.audience, 0) + 1
    for group, limit in limits.items():
        if counts.get(group, 0) > limit:
            what = "items" if group == "total" else f"active {group} items"
            failures.append(f"expected at most {limit} {what}; came out {counts.get(group, 0)}")
    return failures


def run_rule_test(planner: Planner, test: RuleTest) -> RuleTestResult:
    """Run one test through the real engine."""
    try:
        plan = plan_for_test(planner, test)
    except NeuroseqError as exc:
        return RuleTestResult(test, tuple(str(p) for p in exc.problems))
    items = plan.recommendations
    came_out = ", ".join(f"{i.intervention}:{i.action}" for i in items) or "(nothing)"
    failures: list[str] = []
    for wanted in test.expect.get("present") or []:
        if not any(_matches(i, wanted) for i in items):
            failures.append(f"expected present {_show(wanted)}; came out: {came_out}")
    for wanted in test.expect.get("absent") or []:
        found = [i for i in items if _matches(i, wanted)]
        if found:
            failures.append(
                f"expected absent {_show(wanted)}; came out: {found[0].intervention}:{found[0].action} (rule {found[0].rule})"
            )
    ranks = {i.intervention: i.rank for i in items}
    for pair in test.expect.get("order") or []:
        first, second = pair
        if first not in ranks or second not in ranks:
            failures.append(f"expected {first} before {second}; came out: {came_out}")
        elif ranks[first] >= ranks[second]:
            failures.append(
                f"expected {first} before {second}; came out ranked {ranks[first]} and {ranks[second]}"
            )
    failures.extend(_check_lists(plan, test.expect))
    return RuleTestResult(test, tuple(failures))


def _show(wanted: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in wanted.items()) + "}"


def run_all(planner: Planner, tests: Sequence[RuleTest]) -> list[RuleTestResult]:
    """Run every test, in file order."""
    return [run_rule_test(planner, test) for test in tests]
