"""The rule language: YAML rule files parsed into typed, located rules.

A rule file (``schema: neuroseq/rules/v1``) holds a list of rules::

    - id: client.regulate.brainstem_first
      title: Start with patterned somatosensory regulation
      when:
        all:
          - region: {id: brainstem, impairment: significant}
          - intervention: {phase: regulate, targets: {contains: brainstem}}
      then:
        recommend: {priority: 60}
      rationale: "Brainstem functioning is {region.ratio:.0%} of typical: regulate first."
      source: Perry & Dobson 2013

The vocabulary (fact types and fields) is :data:`neuroseq.engine.facts.FACT_TYPES`;
``rules/README.md`` explains it for trainers. Parsing is strict and collects
every problem with its ``file:line``; rule files hold data only, so nothing in
them can run code, import or read files.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neuroseq.errors import Problem
from neuroseq.source import SourceDocument
from neuroseq.vocabulary import ACTIONS, GATE_ACTIONS

__all__ = [
    "ACTIONS",
    "OPERATORS",
    "Action",
    "AllOf",
    "AnyOf",
    "Condition",
    "NotOf",
    "Pattern",
    "Ref",
    "Rule",
    "Test",
    "parse_rule_file",
]


#: Test operators trainers write, and what each means.
OPERATORS: dict[str, str] = {
    "is": "equals the value",
    "is_not": "differs from the value",
    "below": "is less than the value",
    "at_most": "is less than or equal to the value",
    "above": "is greater than the value",
    "at_least": "is greater than or equal to the value",
    "one_of": "equals one of the listed values",
    "none_of": "equals none of the listed values",
    "contains": "the list field holds the value",
    "lacks": "the list field does not hold the value",
}
ORDERING = ("below", "at_most", "above", "at_least")

_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_ALIAS = re.compile(r"^([a-z_]+)(?:\s+as\s+([a-z][a-z0-9_]*))?$")
_REF = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Ref:
    """A reference to another matched fact's field: ``{ref: intervention.min_cmr}``."""

    alias: str
    field: str


@dataclass(frozen=True)
class Test:
    """One field test inside a pattern."""

    field: str
    op: str
    value: Any  # scalar, tuple of scalars, or Ref
    key: Key


@dataclass(frozen=True)
class Pattern:
    """A fact of one type whose fields pass every test; ``alias`` names it in templates."""

    fact_type: str
    alias: str
    tests: tuple[Test, ...]
    key: Key


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]
    key: Key


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]
    key: Key


@dataclass(frozen=True)
class NotOf:
    item: Condition
    key: Key


Condition = Pattern | AllOf | AnyOf | NotOf


@dataclass(frozen=True)
class Action:
    """What a rule does when it fires, to one intervention."""

    kind: str
    intervention: str | None
    audience: str | None
    phase: str | None
    domain: str | None
    priority: int
    key: Key
    gate: bool = False
    """A gate acts only on an intervention another rule proposes or the client receives now."""


@dataclass(frozen=True)
class Rule:
    """One validated rule with its file and line."""

    id: str
    title: str
    when: Condition
    action: Action
    rationale: str
    source: str
    path: str
    line: int
    key: Key
    summary: str | None = None


_RULE_KEYS = ("id", "title", "when", "then", "rationale", "source", "summary")
_ACTION_KEYS = ("intervention", "audience", "phase", "domain", "priority", "gate")


class _Parser:
    def __init__(self, doc: SourceDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def fail(self, key: Sequence[str | int], message: str) -> None:
        self.problems.append(self.doc.problem(key, message))

    def unknown_keys(
        self, mapping: Mapping[str, Any], allowed: Sequence[str], key: Key, what: str
    ) -> None:
        for name in mapping:
            if name not in allowed:
                close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
                self.fail((*key, name), f"unknown key '{name}' in {what}; {hint}")

    # -- conditions ---------------------------------------------------------

    def condition(self, raw: Any, key: Key) -> Condition | None:
        if not isinstance(raw, dict) or len(raw) != 1:
            self.fail(
                key,
                "a condition is a mapping with one key: all, any, not, or a fact type "
                "such as region or intervention",
            )
            return None
        ((name, body),) = raw.items()
        name = str(name)
        if name in ("all", "any"):
            if not isinstance(body, list) or not body:
                self.fail((*key, name), f"'{name}' takes a non-empty list of conditions")
                return None
            items = [self.condition(item, (*key, name, i)) for i, item in enumerate(body)]
            parsed = tuple(c for c in items if c is not None)
            if len(parsed) != len(items):
                return None
            return AllOf(parsed, key) if name == "all" else AnyOf(parsed, key)
        if name == "not":
            inner = self.condition(body, (*key, name))
            return NotOf(inner, key) if inner is not None else None
        return self.pattern(name, body, key)

    def pattern(self, name: str, body: Any, key: Key) -> Pattern | None:
        match = _ALIAS.match(name)
        if match is None:
            self.fail(
                (*key, name),
                f"'{name}' is not a fact type; write a fact type (e.g. region), "
                "optionally 'region as low' to name it",
            )
            return None
        fact_type, alias = match.group(1), match.group(2) or match.group(1)
        if not isinstance(body, dict):
            self.fail((*key, name), "a fact pattern is a mapping of field: test")
            return None
        tests: list[Test] = []
        for field, raw in body.items():
            field_key = (*key, name, str(field))
            if isinstance(raw, dict) and set(raw) != {"ref"}:
                if not raw:
                    self.fail(field_key, "an empty test; write e.g. {below: 0.7}")
                for op, value in raw.items():
                    if op not in OPERATORS:
                        close = difflib.get_close_matches(str(op), list(OPERATORS), n=1)
                        hint = f"did you mean '{close[0]}'? " if close else ""
                        self.fail(
                            (*field_key, str(op)),
                            f"unknown test '{op}'; {hint}operators: {', '.join(OPERATORS)}",
                        )
                        continue
                    parsed = self.value(value, (*field_key, str(op)), op)
                    if parsed is not _BAD:
                        tests.append(Test(str(field), str(op), parsed, (*field_key, str(op))))
            else:
                parsed = self.value(raw, field_key, "is")
                if parsed is not _BAD:
                    tests.append(Test(str(field), "is", parsed, field_key))
        return Pattern(fact_type, alias, tuple(tests), (*key, name))

    def value(self, raw: Any, key: Key, op: str) -> Any:
        if isinstance(raw, dict):
            if set(raw) != {"ref"} or not isinstance(raw["ref"], str):
                self.fail(
                    key, "a value is a number, text, true/false, a list, or {ref: fact.field}"
                )
                return _BAD
            match = _REF.match(raw["ref"])
            if match is None:
                self.fail(key, f"ref '{raw['ref']}' must look like alias.field, e.g. cmr.value")
                return _BAD
            return Ref(match.group(1), match.group(2))
        if op in ("one_of", "none_of"):
            if not isinstance(raw, list) or not raw:
                self.fail(key, f"'{op}' takes a non-empty list")
                return _BAD
            if not all(_scalar(v) for v in raw):
                self.fail(key, f"'{op}' takes a list of numbers, text or true/false")
                return _BAD
            return tuple(raw)
        if not _scalar(raw):
            self.fail(key, "a value is a number, text, true/false, a list, or {ref: fact.field}")
            return _BAD
        return raw

    # -- rules --------------------------------------------------------------

    def action(self, raw: Any, key: Key) -> Action | None:
        if not isinstance(raw, dict) or len(raw) != 1:
            self.fail(key, f"'then' holds exactly one action: {', '.join(ACTIONS)}")
            return None
        ((kind, body),) = raw.items()
        kind = str(kind)
        if kind not in ACTIONS:
            close = difflib.get_close_matches(kind, ACTIONS, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'? " if close else ""
            self.fail((*key, kind), f"unknown action '{kind}'; {hint}actions: {', '.join(ACTIONS)}")
            return None
        body = {} if body is None else body
        if not isinstance(body, dict):
            self.fail(
                (*key, kind),
                "an action takes a mapping: intervention, audience, phase, domain, priority, gate",
            )
            return None
        self.unknown_keys(body, _ACTION_KEYS, (*key, kind), f"'{kind}'")
        texts: dict[str, str | None] = {}
        for name in ("intervention", "audience", "phase", "domain"):
            value = body.get(name)
            if value is not None and not isinstance(value, str):
                self.fail((*key, kind, name), f"'{name}' is text")
                value = None
            texts[name] = value
        priority = body.get("priority", 50)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 100:
            self.fail(
                (*key, kind, "priority"),
                "priority is a whole number from 0 to 100 (higher comes first)",
            )
            priority = 50
        gate = body.get("gate", False)
        if not isinstance(gate, bool):
            self.fail((*key, kind, "gate"), "gate is true or false")
            gate = False
        elif gate and kind not in GATE_ACTIONS:
            self.fail(
                (*key, kind, "gate"),
                "only avoid, suspend and defer can be gates (a gate changes what another "
                "rule proposes or what the client receives now)",
            )
            gate = False
        return Action(
            kind,
            texts["intervention"],
            texts["audience"],
            texts["phase"],
            texts["domain"],
            priority,
            (*key, kind),
            gate,
        )

    def rule(self, raw: Any, key: Key) -> Rule | None:
        if not isinstance(raw, dict):
            self.fail(key, "each rule is a mapping with id, title, when, then, rationale, source")
            return None
        self.unknown_keys(raw, _RULE_KEYS, key, "a rule")
        ok = True
        for name in ("id", "title", "when", "then", "rationale", "source"):
            if name not in raw:
                self.fail(key, f"the rule has no '{name}'")
                ok = False
        for name in ("id", "title", "rationale", "source", "summary"):
            if name in raw and not (isinstance(raw[name], str) and raw[name].strip()):
                self.fail((*key, name), f"'{name}' must be non-empty text")
                ok = False
        if isinstance(raw.get("id"), str) and not _ID.match(raw["id"]):
            self.fail(
                (*key, "id"),
                "a rule id is lower-case words joined by dots or underscores, e.g. client.regulate.first",
            )
            ok = False
        when = self.condition(raw["when"], (*key, "when")) if "when" in raw else None
        action = self.action(raw["then"], (*key, "then")) if "then" in raw else None
        if not ok or when is None or action is None:
            return None
        return Rule(
            id=raw["id"],
            title=raw["title"],
            when=when,
            action=action,
            rationale=raw["rationale"],
            source=raw["source"],
            path=self.doc.path,
            line=self.doc.line_for(key) or 0,
            key=key,
            summary=raw.get("summary"),
        )


class _Bad:
    pass


_BAD = _Bad()


def _scalar(value: Any) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False  # .nan or .inf would make a test silently never (or always) hold
    return isinstance(value, str | int | float | bool) and value is not None


def parse_rule_file(doc: SourceDocument) -> tuple[list[Rule], list[Problem]]:
    """Parse one rule file; returns the rules it could read and every problem found."""
    parser = _Parser(doc)
    data = doc.data
    if not isinstance(data, dict):
        parser.fail((), "a rule file is a mapping with 'schema: neuroseq/rules/v1' and 'rules'")
        return [], parser.problems
    parser.unknown_keys(data, ("schema", "description", "rules"), (), "a rule file")
    if data.get("schema") != "neuroseq/rules/v1":
        parser.fail(("schema",), "the first key must be 'schema: neuroseq/rules/v1'")
    rules_raw = data.get("rules")
    if not isinstance(rules_raw, list):
        parser.fail(("rules",), "'rules' is a list of rules")
        return [], parser.problems
    rules = [parser.rule(raw, ("rules", i)) for i, raw in enumerate(rules_raw)]
    return [r for r in rules if r is not None], parser.problems
