"""Compile validated rules into durable_rules JSON rulesets, checking them on the way.

Each rule's condition is put in disjunctive normal form: ``any`` becomes one
engine rule per branch and ``not`` is pushed down into the tests of a fact
that always exists (one identified by its id). Every conjunction names one
*target* intervention — the one the action applies to.

The compiler never emits an ordering comparison between two facts (durable_rules
2.0.28 segfaults on it, upstream issue #381). A comparison that involves a
catalogue attribute is *specialised*: the rule is copied once per catalogue
intervention that can match, with the attribute replaced by its constant
value. Any other ordering comparison between facts is refused with a reason.

Findings (errors and warnings) are data: :class:`Finding` with a location.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from neuroseq.catalog.model import Catalog
from neuroseq.engine.dnf import Conjunction, count_conjunctions, disjunctive_normal_form
from neuroseq.engine.facts import FACT_TYPES, FactField, catalog_facts, flag
from neuroseq.engine.findings import Finding, finding
from neuroseq.engine.limits import (
    MAX_CONJUNCTIONS_PER_RULE,
    MAX_ENGINE_RULES_PER_RULE,
    MAX_JOIN_COMBINATIONS,
    MAX_PATTERNS_PER_RULE,
    MAX_RULES_PER_RULESET,
    TRAINER_TO_ENGINE_OPERATOR,
    reference_is_safe,
)
from neuroseq.engine.packing import pack_rules, rule_problems
from neuroseq.engine.rule_model import (
    ORDERING,
    Pattern,
    Ref,
    Rule,
    Test,
)
from neuroseq.errors import SourceLocation
from neuroseq.vocabulary import AUDIENCES, DOMAINS, PHASES

__all__ = [
    "ACTION_NAME",
    "CompiledRule",
    "Compilation",
    "compile_rules",
    "evaluate_test",
    "render_template",
]

ACTION_NAME = "collect"
NEAR_LIMIT = 360
"""From this many engine rules on, ``rules check`` warns about the size of the base."""


_NEGATE = {
    "is": "is_not",
    "is_not": "is",
    "below": "at_least",
    "at_least": "below",
    "above": "at_most",
    "at_most": "above",
    "one_of": "none_of",
    "none_of": "one_of",
    "contains": "lacks",
    "lacks": "contains",
}
_FLIP = {"below": "above", "above": "below", "at_most": "at_least", "at_least": "at_most"}
_DURABLE_OP = {"below": "$lt", "at_most": "$lte", "above": "$gt", "at_least": "$gte"}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_SPEC = re.compile(r"^(\.\d)?[f%]?$|^d$")


@dataclass(frozen=True)
class CompiledRule:
    """One engine rule: a conjunction of one source rule, maybe specialised."""

    name: str
    rule: Rule
    patterns: tuple[Pattern, ...]
    negated: tuple[Pattern, ...]
    target_alias: str
    definition: Mapping[str, Any]
    implied: tuple[tuple[str, str, str], ...] = ()
    """(alias, fact type, fact id) of patterns left out of ``definition``: patterns that only name
    one fact by its id. Joining such a fact in the engine is a lookup that costs a
    network node per rule; the planner adds the fact to each firing instead, and a
    firing whose implied fact was not asserted is dropped, as the join would have."""


def _names_id(pattern: Pattern) -> str | None:
    """The id a pattern names with ``id is <constant>``, if it does."""
    for test in pattern.tests:
        if test.field == "id" and test.op == "is" and isinstance(test.value, str):
            return test.value
    return None


def _implied(
    patterns: Sequence[Pattern],
) -> tuple[list[Pattern], tuple[tuple[str, str, str], ...]]:
    """Split a conjunction into the patterns the engine joins and those implied by an id.

    A pattern is implied when its only test is ``id is <constant>``, no other pattern
    refers to it, and no other pattern of its fact type could match the same fact
    (durable_rules never binds one fact to two patterns of a rule, so such a rule
    must keep both in the engine to keep its meaning); at least one pattern always
    stays with the engine.
    """
    referred = {
        test.value.alias
        for pattern in patterns
        for test in pattern.tests
        if isinstance(test.value, Ref)
    }

    kept: list[Pattern] = []
    implied: list[tuple[str, str, str]] = []
    for pattern in patterns:
        only_test = pattern.tests[0] if len(pattern.tests) == 1 else None
        if (
            only_test is not None
            and only_test.field == "id"
            and only_test.op == "is"
            and isinstance(only_test.value, str)
            and pattern.alias not in referred
            and all(
                _names_id(other) not in (None, only_test.value)
                for other in patterns
                if other is not pattern and other.fact_type == pattern.fact_type
            )
        ):
            implied.append((pattern.alias, pattern.fact_type, only_test.value))
        else:
            kept.append(pattern)
    if not kept:  # the engine needs something to match: keep the first
        first = patterns[0]
        kept = [first]
        implied = [entry for entry in implied if entry[0] != first.alias]
    return kept, tuple(implied)


@dataclass
class Compilation:
    """The result of compiling a rule base: engine rules, findings, facts wanted."""

    rules: list[CompiledRule] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    wanted: dict[str, frozenset[str] | None] = field(default_factory=dict)
    fields: dict[str, set[str]] = field(default_factory=dict)
    """Per fact type, every field some rule tests, refers to or names in a rationale."""
    reached: set[str] = field(default_factory=set)
    _packed: dict[str, dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def rulesets(self) -> dict[str, dict[str, Any]]:
        """durable_rules definitions, packed so that no ruleset reaches an engine limit.

        The one packer (:func:`neuroseq.engine.packing.pack_rules`) decides; the
        adapter refuses what it would not allow, so what compiles also registers.
        """
        if self._packed is None:
            self._packed = pack_rules(
                {compiled.name: compiled.definition for compiled in self.rules}, prefix="neuroseq"
            )
        return self._packed

    def by_name(self) -> dict[str, CompiledRule]:
        return {c.name: c for c in self.rules}


def _path(key: Sequence[str | int]) -> str:
    from neuroseq.source import field_path

    return field_path(key)


# --- python evaluation (static specialisation, explain) ------------------------


def evaluate_test(fact: Mapping[str, Any], test: Test, value: Any | None = None) -> bool:
    """Whether ``fact`` passes ``test`` (``value`` replaces a Ref's resolved value)."""
    expected = test.value if value is None else value
    if test.op in ("contains", "lacks"):
        held = bool(fact.get(flag(test.field, str(expected)), False))
        return held if test.op == "contains" else not held
    actual = fact.get(test.field)
    if test.op == "is":
        return bool(actual == expected)
    if test.op == "is_not":
        return bool(actual != expected)
    if test.op == "one_of":
        return actual in expected
    if test.op == "none_of":
        return actual not in expected
    if not isinstance(actual, int | float) or isinstance(actual, bool):
        return False
    if test.op == "below":
        return bool(actual < expected)
    if test.op == "at_most":
        return bool(actual <= expected)
    if test.op == "above":
        return bool(actual > expected)
    return bool(actual >= expected)


# --- contradictions -----------------------------------------------------------


def contradiction(pattern: Pattern) -> str | None:
    """Why the constant tests of one pattern can never all hold, or None."""
    by_field: dict[str, list[Test]] = {}
    for test in pattern.tests:
        if not isinstance(test.value, Ref):
            by_field.setdefault(test.field, []).append(test)
    for name, tests in by_field.items():
        low, low_strict, high, high_strict = float("-inf"), False, float("inf"), False
        allowed: set[Any] | None = None
        excluded: set[Any] = set()
        held: set[Any] = set()
        lacked: set[Any] = set()
        for test in tests:
            value = test.value
            if test.op in ("contains", "lacks"):
                (held if test.op == "contains" else lacked).add(value)
                continue
            if test.op in ("above", "at_least") and value >= low:
                low_strict = test.op == "above" or (value == low and low_strict)
                low = value
            elif test.op in ("below", "at_most") and value <= high:
                high_strict = test.op == "below" or (value == high and high_strict)
                high = value
            elif test.op in ("is", "one_of"):
                values = set(value) if isinstance(value, tuple) else {value}
                allowed = values if allowed is None else allowed & values
            elif test.op in ("is_not", "none_of"):
                excluded |= set(value) if isinstance(value, tuple) else {value}
        if held & lacked:
            return f"{name} both includes and lacks {sorted(held & lacked)[0]}"
        if low > high or (low == high and (low_strict or high_strict)):
            return f"{name} cannot be {'above' if low_strict else 'at least'} {low:g} and {'below' if high_strict else 'at most'} {high:g}"
        if allowed is not None:
            numeric = [
                v
                for v in allowed
                if not isinstance(v, int | float)
                or isinstance(v, bool)
                or (
                    (v > low or (v == low and not low_strict))
                    and (v < high or (v == high and not high_strict))
                )
            ]
            remaining = set(numeric) - excluded
            if not remaining:
                return f"no value of {name} passes every test"
    return None


# --- templates -------------------------------------------------------------


def template_fields(template: str) -> list[tuple[str, str, str]]:
    """(alias, field, format spec) of every placeholder in a rationale."""
    found = []
    for match in _PLACEHOLDER.finditer(template):
        body = match.group(1)
        name, _, spec = body.partition(":")
        alias, _, fld = name.partition(".")
        found.append((alias.strip(), fld.strip(), spec))
    return found


def _format(value: Any, spec: str) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not spec:
        return format(value, ".2f" if abs(value) < 10 else ".1f").rstrip("0").rstrip(".")
    try:
        return format(value, spec) if spec else str(value).replace("_", " ")
    except (ValueError, TypeError):
        return str(value)


@functools.lru_cache(maxsize=2048)
def _template_parts(template: str) -> tuple[tuple[str, str, str, str], ...]:
    """The template as (literal text, alias, field, spec) runs, parsed once."""
    parts: list[tuple[str, str, str, str]] = []
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        name, _, spec = match.group(1).partition(":")
        alias, _, fld = name.partition(".")
        parts.append((template[last : match.start()], alias, fld, spec))
        last = match.end()
    parts.append((template[last:], "", "", ""))
    return tuple(parts)


def render_template(template: str, matched: Mapping[str, Mapping[str, Any]]) -> str:
    """Fill ``{alias.field[:spec]}`` with matched values; nothing else is evaluated."""
    out: list[str] = []
    for literal, alias, fld, spec in _template_parts(template):
        out.append(literal)
        if alias or fld:
            out.append(_format(matched.get(alias, {}).get(fld), spec))
    return "".join(out)


# --- normal form -------------------------------------------------------------


def _single_id(pattern: Pattern) -> str | None:
    for test in pattern.tests:
        if test.field == "id" and test.op == "is" and isinstance(test.value, str):
            return test.value
    fact_type = FACT_TYPES.get(pattern.fact_type)
    if fact_type is not None and len(fact_type.ids) == 1:
        return fact_type.ids[0]
    return None


def _fact_count(pattern: Pattern) -> int:
    """How many facts a pattern of a fact type other than intervention could match, at most."""
    for test in pattern.tests:
        if test.field == "id" and test.op == "is" and not isinstance(test.value, Ref):
            return 1
        if test.field == "id" and test.op == "one_of":
            return len(test.value)
    fact_type = FACT_TYPES.get(pattern.fact_type)
    return max(1, len(fact_type.ids)) if fact_type is not None else 1


def _negations(pattern: Pattern) -> list[Pattern]:
    """not(pattern) for a fact that always exists: one pattern per negated test."""
    keep = [t for t in pattern.tests if t.field == "id" and t.op == "is"]
    others = [t for t in pattern.tests if not (t.field == "id" and t.op == "is")]
    return [replace(pattern, tests=(*keep, replace(test, op=_NEGATE[test.op]))) for test in others]


# --- the compiler ---------------------------------------------------------------


class _Compiler:
    def __init__(self, catalog: Catalog, lines: Mapping[str, Any]) -> None:
        self.catalog = catalog
        self.static = catalog_facts(catalog)
        self.lines = lines
        self.out = Compilation()

    def fail(self, rule: Rule, key: Sequence[str | int], message: str, code: str) -> None:
        line_for = self.lines.get(rule.path)
        line = line_for(key) if line_for is not None else rule.line
        self.out.findings.append(
            finding(code, SourceLocation(rule.path, line or rule.line), _path(key), message)
        )

    # checks of one pattern against the vocabulary
    def check_pattern(self, rule: Rule, pattern: Pattern) -> bool:
        fact_type = FACT_TYPES.get(pattern.fact_type)
        if fact_type is None:
            import difflib

            close = difflib.get_close_matches(pattern.fact_type, list(FACT_TYPES), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.fail(
                rule,
                pattern.key,
                f"unknown fact type '{pattern.fact_type}'; {hint}fact types: {', '.join(FACT_TYPES)}",
                "NS101",
            )
            return False
        ok = True
        for test in pattern.tests:
            ok = self.check_test(rule, pattern, test) and ok
        return ok

    def check_test(self, rule: Rule, pattern: Pattern, test: Test) -> bool:
        fact_type = FACT_TYPES[pattern.fact_type]
        if test.field == "id":
            if test.op not in ("is", "is_not", "one_of", "none_of"):
                self.fail(
                    rule,
                    test.key,
                    "an id can be tested with is, is_not, one_of or none_of",
                    "NS105",
                )
                return False
            ids = fact_type.ids or tuple(self.catalog.ids)
            values = test.value if isinstance(test.value, tuple) else (test.value,)
            ok = True
            for value in values:
                if isinstance(value, Ref):
                    continue
                if value not in ids:
                    import difflib

                    close = difflib.get_close_matches(str(value), list(ids), n=1, cutoff=0.6)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    what = (
                        "catalogue id"
                        if pattern.fact_type == "intervention"
                        else f"{pattern.fact_type} id"
                    )
                    self.fail(rule, test.key, f"unknown {what} '{value}'{hint}", "NS103")
                    ok = False
            return ok
        spec = fact_type.field(test.field)
        if spec is None and pattern.fact_type == "intervention" and test.field == "name":
            spec = FactField("name", "text", "name")
        if spec is None:
            import difflib

            names = ["id", *(f.name for f in fact_type.fields)]
            close = difflib.get_close_matches(test.field, names, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.fail(
                rule,
                test.key,
                f"'{pattern.fact_type}' has no field '{test.field}'; {hint}fields: {', '.join(names)}",
                "NS102",
            )
            return False
        if isinstance(test.value, Ref):
            if test.op in ("contains", "lacks", "one_of", "none_of"):
                self.fail(
                    rule,
                    test.key,
                    f"'{test.op}' cannot take a ref; compare with is, is_not or an ordering test",
                    "NS105",
                )
                return False
            return True
        if spec.kind == "list":
            if test.op not in ("contains", "lacks"):
                self.fail(
                    rule,
                    test.key,
                    f"'{test.field}' is a list: test it with contains or lacks",
                    "NS105",
                )
                return False
            if spec.values and test.value not in spec.values:
                self.fail(
                    rule,
                    test.key,
                    f"'{test.value}' is not a known value of {test.field}; allowed: {', '.join(spec.values)}",
                    "NS103",
                )
                return False
            if pattern.fact_type == "client" and test.field in ("services", "declined"):
                if test.value not in self.static:
                    self.fail(rule, test.key, self._unknown_id(str(test.value)), "NS103")
                    return False
            if pattern.fact_type == "client" and test.field == "interests":
                if test.op == "lacks":
                    self.fail(
                        rule,
                        test.key,
                        "interests are free text, so 'lacks' cannot be checked; "
                        "use contains (or intervention.interest_match)",
                        "NS105",
                    )
                    return False
            return True
        if test.op in ("contains", "lacks"):
            self.fail(
                rule,
                test.key,
                f"'{test.op}' is for list fields; '{test.field}' is {spec.kind}",
                "NS105",
            )
            return False
        values = test.value if isinstance(test.value, tuple) else (test.value,)
        for value in values:
            if spec.kind == "number":
                if not isinstance(value, int | float) or isinstance(value, bool):
                    self.fail(rule, test.key, f"'{test.field}' is a number; got {value!r}", "NS103")
                    return False
                if (spec.low is not None and value < spec.low) or (
                    spec.high is not None and value > spec.high
                ):
                    self.fail(
                        rule,
                        test.key,
                        f"threshold {value} for {pattern.fact_type}.{test.field} is outside its "
                        f"range {spec.low:g} to {spec.high:g}",
                        "NS104",
                    )
                    return False
            elif spec.kind == "bool":
                if not isinstance(value, bool):
                    self.fail(
                        rule, test.key, f"'{test.field}' is true or false; got {value!r}", "NS103"
                    )
                    return False
                if test.op in ORDERING:
                    self.fail(
                        rule,
                        test.key,
                        f"'{test.op}' needs a number; '{test.field}' is true/false",
                        "NS105",
                    )
                    return False
            else:
                if test.op in ORDERING:
                    self.fail(
                        rule,
                        test.key,
                        f"'{test.op}' needs a number; '{test.field}' is text",
                        "NS105",
                    )
                    return False
                if spec.values and value not in spec.values:
                    import difflib

                    close = difflib.get_close_matches(str(value), spec.values, n=1, cutoff=0.5)
                    hint = f"did you mean '{close[0]}'? " if close else ""
                    self.fail(
                        rule,
                        test.key,
                        f"'{value}' is not a value of {pattern.fact_type}.{test.field}; {hint}allowed: {', '.join(spec.values)}",
                        "NS103",
                    )
                    return False
        return True

    def compile_rule(self, rule: Rule) -> None:
        before = len(self.out.findings)
        size = count_conjunctions(rule.when, MAX_CONJUNCTIONS_PER_RULE)
        if size > MAX_CONJUNCTIONS_PER_RULE:
            self.fail(
                rule,
                (*rule.key, "when"),
                f"this condition expands to more than {MAX_CONJUNCTIONS_PER_RULE} alternative "
                "conjunctions (each 'any' inside an 'all' multiplies them, and so does 'not' "
                "over several tests); split the rule into several rules",
                "NS303",
            )
            return
        conjunctions = disjunctive_normal_form(rule.when)
        template = template_fields(rule.rationale)
        if rule.summary:
            template += template_fields(rule.summary)
        for text in (rule.rationale, rule.summary or ""):
            if "{" in _PLACEHOLDER.sub("", text) or "}" in _PLACEHOLDER.sub("", text):
                self.fail(
                    rule,
                    (*rule.key, "rationale"),
                    "a brace outside a placeholder; write placeholders as {alias.field} "
                    "and no other braces",
                    "NS111",
                )
        for alias, fld, spec in template:
            if not _NAME.match(f"{alias}.{fld}") or not _SPEC.match(spec):
                self.fail(
                    rule,
                    (*rule.key, "rationale"),
                    "a placeholder is {alias.field} or {alias.field:.0%} / {alias.field:.1f}; "
                    f"got '{{{alias}.{fld}{':' + spec if spec else ''}}}'",
                    "NS111",
                )
        count = 0
        for index, conjunction in enumerate(conjunctions):
            produced = self.compile_conjunction(rule, index, conjunction, template)
            count += produced
        if count == 0 and len(self.out.findings) == before:
            self.fail(
                rule,
                (*rule.key, "when"),
                "these conditions can never be true together, so the rule never fires",
                "NS201",
            )

    def compile_conjunction(
        self,
        rule: Rule,
        index: int,
        conjunction: Conjunction,
        template: Sequence[tuple[str, str, str]],
    ) -> int:
        positive: list[Pattern] = []
        negated: list[Pattern] = []
        ok = True
        for pattern, is_negated in conjunction:
            ok = self.check_pattern(rule, pattern) and ok
            if not is_negated:
                positive.append(pattern)
                continue
            fact_type = FACT_TYPES.get(pattern.fact_type)
            if _single_id(pattern) is None or fact_type is None or not fact_type.single:
                self.fail(
                    rule,
                    pattern.key,
                    "'not' works on a fact identified by its id (e.g. region: {id: limbic, ...}); "
                    "for interventions test a field instead (e.g. current: false)",
                    "NS106",
                )
                ok = False
                continue
            if any(isinstance(t.value, Ref) for t in pattern.tests):
                self.fail(
                    rule,
                    pattern.key,
                    "a ref inside 'not' is not supported; write the positive test",
                    "NS106",
                )
                ok = False
                continue
            negated.append(pattern)
        if not ok:
            return 0
        # not(a and b) on one fact = (not a) or (not b): expand into branches.
        branches: list[list[Pattern]] = [[]]
        for number, pattern in enumerate(negated):
            options = _negations(replace(pattern, alias=f"not_{number}"))
            if not options:
                return 0  # not(a fact that always exists) never holds
            branches = [b + [o] for b in branches for o in options]
        produced = 0
        for branch_index, extra in enumerate(branches):
            patterns = positive + extra
            produced += self.compile_patterns(
                rule, f"{index}.{branch_index}", patterns, negated, template
            )
        return produced

    def compile_patterns(
        self,
        rule: Rule,
        suffix: str,
        patterns: list[Pattern],
        negated: Sequence[Pattern],
        template: Sequence[tuple[str, str, str]],
    ) -> int:
        aliases: dict[str, Pattern] = {}
        for pattern in patterns:
            if pattern.alias in aliases:
                self.fail(
                    rule,
                    pattern.key,
                    f"two facts are called '{pattern.alias}' in one rule; name one, e.g. "
                    f"'{pattern.fact_type} as other'",
                    "NS109",
                )
                return 0
            aliases[pattern.alias] = pattern
        action = rule.action
        interventions = [p for p in patterns if p.fact_type == "intervention"]
        named_target = [p for p in interventions if _names_id(p) == action.intervention]
        if action.intervention is not None and named_target:
            # 'when' already matches this very intervention: act on that fact (a
            # second pattern for it would never match, see the check below)
            target = named_target[0]
        elif action.intervention is not None:
            if action.intervention not in self.static:
                self.fail(
                    rule,
                    (*action.key, "intervention"),
                    self._unknown_id(action.intervention),
                    "NS103",
                )
                return 0
            target = Pattern(
                "intervention",
                "target" if "intervention" in aliases else "intervention",
                (Test("id", "is", action.intervention, (*action.key, "intervention")),),
                action.key,
            )
            if target.alias in aliases:
                target = replace(target, alias="target")
            patterns = [*patterns, target]
            aliases[target.alias] = target
        elif len(interventions) != 1:
            self.fail(
                rule,
                action.key,
                "say which intervention the action is for: match exactly one 'intervention' "
                "in 'when', or give 'intervention: <catalogue id>' in the action",
                "NS108",
            )
            return 0
        else:
            target = interventions[0]
        for alias, fld, _spec in template:
            if not _NAME.match(f"{alias}.{fld}"):
                continue
            if alias and alias not in aliases:
                self.fail(
                    rule,
                    (*rule.key, "rationale"),
                    f"the rationale names '{alias}', which is not matched in 'when' (matched: {', '.join(sorted(aliases))})",
                    "NS111",
                )
                return 0
            if alias:
                fact_type = FACT_TYPES[aliases[alias].fact_type]
                spec_field = fact_type.field(fld)
                if fld not in ("id", "name") and (spec_field is None or spec_field.kind == "list"):
                    self.fail(
                        rule,
                        (*rule.key, "rationale"),
                        f"the rationale names {alias}.{fld}, but '{fact_type.name}' has no field '{fld}'",
                        "NS102",
                    )
                    return 0
        for name, allowed in (
            ("audience", AUDIENCES),
            ("phase", PHASES),
            ("domain", DOMAINS),
        ):
            value = getattr(action, name)
            if value is not None and value not in allowed:
                self.fail(
                    rule,
                    (*action.key, name),
                    f"'{value}' is not a {name}; allowed: {', '.join(allowed)}",
                    "NS103",
                )
                return 0
        for pattern in patterns:
            for test in pattern.tests:
                if isinstance(test.value, Ref) and test.value.alias in aliases:
                    other_type = FACT_TYPES[aliases[test.value.alias].fact_type]
                    known = test.value.field in ("id", "name") or other_type.field(test.value.field)
                    if not known:
                        self.fail(
                            rule,
                            test.key,
                            f"ref '{test.value.alias}.{test.value.field}': '{other_type.name}' has no field '{test.value.field}'",
                            "NS102",
                        )
                        return 0
                if isinstance(test.value, Ref) and test.value.alias not in aliases:
                    self.fail(
                        rule,
                        test.key,
                        f"ref '{test.value.alias}.{test.value.field}' names no matched fact (matched: {', '.join(sorted(aliases))})",
                        "NS113",
                    )
                    return 0
        named: dict[tuple[str, str], Pattern] = {}
        for pattern in patterns:
            fact_id = _names_id(pattern)
            if fact_id is None:
                continue
            first = named.setdefault((pattern.fact_type, fact_id), pattern)
            if first is not pattern:
                self.fail(
                    rule,
                    pattern.key,
                    f"'{first.alias}' and '{pattern.alias}' both match {pattern.fact_type} "
                    f"'{fact_id}', but the engine never matches one fact twice in a rule, so "
                    "this can never fire: put all the tests on that fact in one pattern",
                    "NS110",
                )
                return 0
        for pattern in patterns:
            reason = contradiction(pattern)
            if reason is not None:
                self.fail(
                    rule,
                    pattern.key,
                    f"contradictory conditions on {pattern.fact_type} '{pattern.alias}': {reason}, "
                    "so this can never fire",
                    "NS114",
                )
                return 0
        return self.specialise(rule, suffix, patterns, aliases, negated, target)

    def _unknown_id(self, value: str) -> str:
        import difflib

        close = difflib.get_close_matches(value, list(self.static), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown catalogue id '{value}'{hint}"

    def _is_static(self, pattern: Pattern, fld: str) -> bool:
        if pattern.fact_type != "intervention":
            return False
        if fld in ("id", "name"):
            return True
        spec = FACT_TYPES["intervention"].field(fld)
        return spec is not None and (spec.static or fld in _STATIC_INTERVENTION_FIELDS)

    def specialise(
        self,
        rule: Rule,
        suffix: str,
        patterns: list[Pattern],
        aliases: Mapping[str, Pattern],
        negated: Sequence[Pattern],
        target: Pattern,
    ) -> int:
        # Which intervention patterns must be expanded over the catalogue?
        expand: list[str] = []
        for pattern in patterns:
            for test in pattern.tests:
                if not isinstance(test.value, Ref):
                    continue
                other = aliases[test.value.alias]
                left_static = self._is_static(pattern, test.field)
                right_static = self._is_static(other, test.value.field)
                if left_static and pattern.alias not in expand:
                    expand.append(pattern.alias)
                if right_static and other.alias not in expand:
                    expand.append(other.alias)
                engine_operator = TRAINER_TO_ENGINE_OPERATOR.get(test.op, test.op)
                if not left_static and not right_static and not reference_is_safe(engine_operator):
                    self.fail(
                        rule,
                        test.key,
                        f"cannot compile safely: comparing two facts with '{test.op}' crashes "
                        "the engine (durable_rules issue #381; only 'is' may compare two facts); "
                        "compare with a constant, or use a derived field such as "
                        "intervention.developmentally_ready",
                        "NS107",
                    )
                    return 0
        # Candidate catalogue entries for each intervention pattern (static tests only).
        candidates: dict[str, list[str]] = {}
        for pattern in patterns:
            if pattern.fact_type != "intervention":
                continue
            ids = [
                item_id
                for item_id, fact in self.static.items()
                if all(
                    evaluate_test(fact, t)
                    for t in pattern.tests
                    if not isinstance(t.value, Ref) and self._is_static(pattern, t.field)
                )
            ]
            candidates[pattern.alias] = ids
            if not ids:
                self.fail(
                    rule,
                    pattern.key,
                    "no catalogue intervention matches this pattern, so the rule never fires",
                    "NS202",
                )
                return 0
        for item_id in candidates.get(target.alias, []):
            self.out.reached.add(item_id)
        combinations = 1
        for pattern in patterns:
            if pattern.fact_type == "intervention":
                combinations *= 1 if pattern.alias in expand else len(candidates[pattern.alias])
            else:
                combinations *= _fact_count(pattern)
        if combinations > MAX_JOIN_COMBINATIONS:
            self.fail(
                rule,
                (*rule.key, "when"),
                f"this rule could join up to {combinations} combinations of facts per case, "
                f"more than {MAX_JOIN_COMBINATIONS}; the engine fires once for each: pin the "
                "patterns by id or test their fields",
                "NS305",
            )
            return 0
        size = 1
        for alias in expand:
            size *= len(candidates[alias])
        if size > MAX_ENGINE_RULES_PER_RULE:
            self.fail(
                rule,
                (*rule.key, "when"),
                f"specialised against the catalogue this rule becomes {size} engine rules, more "
                f"than {MAX_ENGINE_RULES_PER_RULE}; narrow the intervention patterns that a ref "
                "names (e.g. by phase or audience) or use a derived field",
                "NS304",
            )
            return 0
        combos: list[dict[str, str]] = [{}]
        for alias in expand:
            combos = [{**c, alias: i} for c in combos for i in candidates[alias]]
        produced = 0
        for combo in combos:
            concrete = self.substitute(patterns, combo, aliases)
            if concrete is None:
                continue
            name = f"{rule.id}#{suffix}" + "".join(f"@{combo[a]}" for a in expand)
            joined, implied = _implied(concrete)
            if len(joined) > MAX_PATTERNS_PER_RULE:
                self.fail(
                    rule,
                    (*rule.key, "when"),
                    f"this rule joins {len(joined)} facts; the engine joins at most "
                    f"{MAX_PATTERNS_PER_RULE} in one rule (error 304)",
                    "NS302",
                )
                return produced
            definition = {"all": [{p.alias: self.expression(p)} for p in joined]}
            limits = rule_problems(name, definition)
            if limits:
                self.fail(
                    rule,
                    (*rule.key, "when"),
                    "the engine cannot run this rule: "
                    + "; ".join(reason.split(": ", 1)[-1] for reason in limits)
                    + "; split the values over several rules",
                    "NS301",
                )
                return produced
            self.out.rules.append(
                CompiledRule(
                    name, rule, tuple(concrete), tuple(negated), target.alias, definition, implied
                )
            )
            self.want(concrete, rule)
            produced += 1
        return produced

    def substitute(
        self, patterns: list[Pattern], combo: Mapping[str, str], aliases: Mapping[str, Pattern]
    ) -> list[Pattern] | None:
        """Replace refs to catalogue attributes by constants; None if this combination never matches."""
        moved: dict[str, list[Test]] = {p.alias: [] for p in patterns}
        for pattern in patterns:
            for test in pattern.tests:
                if not isinstance(test.value, Ref):
                    if pattern.alias in combo and self._is_static(pattern, test.field):
                        continue  # already checked when candidates were chosen
                    moved[pattern.alias].append(test)
                    continue
                other = aliases[test.value.alias]
                right_fixed = other.alias in combo and self._is_static(other, test.value.field)
                left_fixed = pattern.alias in combo and self._is_static(pattern, test.field)
                if right_fixed:
                    value = self._static_value(combo[other.alias], test.value.field)
                    if left_fixed:
                        left = self._static_value(combo[pattern.alias], test.field)
                        if not evaluate_test({"x": left}, replace(test, field="x"), value):
                            return None
                        continue
                    moved[pattern.alias].append(self._constant(test, test.field, test.op, value))
                elif left_fixed:
                    value = self._static_value(combo[pattern.alias], test.field)
                    op = _FLIP.get(test.op, test.op)
                    moved[other.alias].append(self._constant(test, test.value.field, op, value))
                else:
                    moved[pattern.alias].append(test)  # equality join between facts
        result = []
        for pattern in patterns:
            tests = moved[pattern.alias]
            if pattern.alias in combo:
                tests = [Test("id", "is", combo[pattern.alias], pattern.key), *tests]
            result.append(replace(pattern, tests=tuple(tests)))
        return result

    def _static_value(self, item_id: str, fld: str) -> Any:
        if fld == "id":
            return item_id
        if fld in ("targets", "domains", "settings", "interest_tags"):
            item = self.catalog.get(item_id)
            return tuple(getattr(item, fld))
        return self.static[item_id].get(fld)

    @staticmethod
    def _constant(test: Test, fld: str, op: str, value: Any) -> Test:
        if isinstance(value, tuple):
            op = {"is": "one_of", "is_not": "none_of"}.get(op, op)
        return Test(fld, op, value, test.key)

    def want(self, patterns: Iterable[Pattern], rule: Rule) -> None:
        patterns = list(patterns)
        types = {p.alias: p.fact_type for p in patterns}
        fields = self.out.fields
        for pattern in patterns:
            used = fields.setdefault(pattern.fact_type, set())
            for test in pattern.tests:
                if test.op in ("contains", "lacks"):
                    used.add(flag(test.field, str(test.value)))
                else:
                    used.add(test.field)
                if isinstance(test.value, Ref) and test.value.alias in types:
                    fields.setdefault(types[test.value.alias], set()).add(test.value.field)
        texts = rule.rationale + (rule.summary or "")
        for alias, name, _spec in template_fields(texts):
            if alias in types:
                fields.setdefault(types[alias], set()).add(name)
        for pattern in patterns:
            ids = _single_id(pattern)
            current = self.out.wanted.get(pattern.fact_type, frozenset())
            if pattern.fact_type not in self.out.wanted or current is not None:
                if ids is None:
                    self.out.wanted[pattern.fact_type] = None
                else:
                    self.out.wanted[pattern.fact_type] = (current or frozenset()) | {ids}

    def expression(self, pattern: Pattern) -> dict[str, Any]:
        terms: list[dict[str, Any]] = [{"type": pattern.fact_type}]
        for test in pattern.tests:
            terms.append(_durable_test(test))
        return {"$and": terms}


_STATIC_INTERVENTION_FIELDS = frozenset(
    {
        "audience",
        "mode",
        "phase",
        "min_developmental_age",
        "min_cmr",
        "relational",
        "relevant",
        "repetitive",
        "rewarding",
        "rhythmic",
        "respectful",
    }
)


def _durable_test(test: Test) -> dict[str, Any]:
    value = test.value
    if isinstance(value, Ref):
        reference = {value.alias: value.field}
        if test.op == "is":
            return {test.field: reference}
        raise AssertionError("unsafe references are specialised or refused before this point")
    if test.op == "is":
        return {test.field: value}
    if test.op == "is_not":
        return {"$neq": {test.field: value}}
    if test.op in _DURABLE_OP:
        return {_DURABLE_OP[test.op]: {test.field: value}}
    if test.op == "one_of":
        return (
            {"$or": [{test.field: v} for v in value]} if len(value) > 1 else {test.field: value[0]}
        )
    if test.op == "none_of":
        return {"$and": [{"$neq": {test.field: v}} for v in value]}
    if test.op == "contains":
        return {flag(test.field, str(value)): True}
    return {"$neq": {flag(test.field, str(value)): True}}


def compile_rules(
    rules: Sequence[Rule], catalog: Catalog, lines: Mapping[str, Any] | None = None
) -> Compilation:
    """Check and compile ``rules`` against ``catalog``. ``lines`` maps a path to its line lookup."""
    compiler = _Compiler(catalog, lines or {})
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            compiler.fail(
                rule,
                (*rule.key, "id"),
                f"duplicate rule id '{rule.id}' (first at {first.path}:{first.line})",
                "NS112",
            )
            continue
        seen[rule.id] = rule
        compiler.compile_rule(rule)
    out = compiler.out
    count = len(out.rules)
    sets = len(out.rulesets()) if count else 0
    if sets > 1 or count >= NEAR_LIMIT:
        out.findings.append(
            finding(
                "NS204",
                SourceLocation("<rule base>"),
                "",
                f"the rule base compiles to {count} engine rules packed into {sets} durable_rules "
                f"ruleset{'s' if sets != 1 else ''} (limits per ruleset: {MAX_RULES_PER_RULESET} "
                "rules and engine/LIMITS.md's per-fact-type budgets); each extra ruleset costs "
                "another assertion of every fact per case",
            )
        )
    return out


def unreachable_interventions(compilation: Compilation, catalog: Catalog) -> list[str]:
    """Catalogue ids that no compiled rule can act on."""
    return [i for i in catalog.ids if i not in compilation.reached]
