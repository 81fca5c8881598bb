"""The one place neuroseq touches durable_rules 2.0.28.

The rule compiler hands this module plain durable_rules JSON rulesets; this module
registers them once and evaluates many sessions (one per case) against them, returning
every rule firing as a plain, deterministic :class:`Firing`. Nothing outside ``engine/``
imports durable_rules.

What the adapter does on top of durable_rules (each point is a known hazard of 2.0.28,
see ``/work/shared/DESIGN.md``):

* **One host per process.** :func:`get_host` lazily creates the single
  :class:`NeuroseqHost` of the process; every :class:`RuleEngine` registers into it.
  Its two timer threads are never started (they race with our asserts, error 307).
  ``durable.lang``'s global host is never used.
* **Actions are data.** A rule's ``"run"`` is either absent or :data:`COLLECT_ACTION`;
  the adapter rewrites it to a per-rule action name that :meth:`NeuroseqHost.get_action`
  resolves to the adapter's collector. The collector only records the match.
* **Deep copies.** Definitions are deep-copied before registration (the engine deletes
  ``run`` keys from the dict it is given).
* **Sinks.** A fact that passes no rule's conditions makes durable_rules reject the
  whole batch (``MessageNotHandledException``) - even when its type is used by some
  rule. Every ruleset therefore gets one sink rule per fact type that holds the fact
  but can never fire (it joins the fact with a type no fact ever has).
* **Sessions.** Every :meth:`RuleEngine.evaluate` uses a fresh session id and deletes
  that session's state from every ruleset afterwards, even on failure (durable_rules
  holds at most 1024 live sessions per ruleset, then raises ``MemoryError``).
* **Errors.** Duplicate fact ids, exceptions inside actions (which durable_rules
  swallows into the state's ``exception`` key) and every durable_rules error (such as
  error 303, "stack" overflow) surface as :class:`neuroseq.errors.EngineError`.
* **Crash guard.** A rule comparing one fact's field with another fact's field by
  ``$lt``/``$lte``/``$gt``/``$gte`` (or ``$neq``) can crash the process with SIGSEGV
  (upstream issue #381). :func:`check_definition_safe` finds such comparisons and
  :class:`RuleEngine` refuses them. Equality references (``{"id": {"a": "region"}}``)
  are fine.
* **Shape guard.** durable_rules silently ignores every key but the first of a
  condition object (``{"type": "item", "score": 2}`` tests only ``type``), so the
  adapter refuses condition objects with more than one key: use ``$and``.

Limits of durable_rules 2.0.28 measured here (see :data:`MAX_RULES_PER_RULESET`):

* error 303 when one fact passes more than 64 distinct non-equality conditions
  (``$lt``, ``$gt``, ...) that branch from the same point; equality tests against
  constants are hashed and do not count. This depends on the data, so it shows at
  :meth:`RuleEngine.evaluate` time.
* error 108 when more than about 256 rules share one identical pattern (at
  registration).
* 512 or more distinct equality constants (or fact types) under one node make the
  engine loop forever; :class:`RuleEngine` refuses rulesets larger than
  :data:`MAX_RULES_PER_RULESET` so that cannot happen.
* error 304 when a rule joins more than 16 facts (refused at construction).

Not thread-safe (neither is durable_rules): parallelism means processes.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from durable import engine as _durable

from neuroseq.errors import EngineError

__all__ = [
    "COLLECT_ACTION",
    "ENGINE_PATH",
    "MAX_PATTERNS_PER_RULE",
    "MAX_RULES_PER_RULESET",
    "Firing",
    "NeuroseqHost",
    "RuleEngine",
    "RulesetDefinition",
    "check_definition_safe",
    "get_host",
    "split_rules",
]

RulesetDefinition = Mapping[str, Any]
"""A durable_rules JSON ruleset: rule name -> ``{"all"|"any": [...], "pri": n, "run": ...}``."""

ENGINE_PATH: Final = "<engine>"
"""The source location every :class:`EngineError` from this module carries."""

COLLECT_ACTION: Final = "neuroseq.collect"
"""The only action name a rule may give as ``"run"`` (it may also leave ``run`` out)."""

MAX_RULES_PER_RULESET: Final = 400
"""Most caller rules in one ruleset (sink rules come on top, one per fact type).

durable_rules 2.0.28 hangs (an endless loop in its node hash table) once about 512
distinct equality tests hang off one node, and reported error 303 near 480 rules in
earlier measurements. 400 rules plus a few dozen sinks stays clear of that. Note that
the data-dependent error 303 (one fact passing more than 64 distinct ordering
conditions branching from one point) can occur far below this; a compiler that wants
to rule it out for any data keeps fewer than 64 ordering-conditioned patterns per
fact type in one ruleset (:func:`split_rules` with a smaller ``max_rules``).
"""

MAX_PATTERNS_PER_RULE: Final = 16
"""Most facts one rule may join (durable_rules fails with error 304 beyond this)."""

SINK_RULE_PREFIX: Final = "neuroseq.sink:"
"""Reserved prefix of the adapter's sink rules; caller rule names may not use it."""

_NEVER_TYPE: Final = "neuroseq:never"
_SINK_ALIAS: Final = "neuroseq_fact"
_NEVER_ALIAS: Final = "neuroseq_never"
_ACTION_PREFIX: Final = "neuroseq.action#"
_SESSION_KEY: Final = "sid"

_ORDERING_OPERATORS: Final = frozenset({"$lt", "$lte", "$gt", "$gte"})
_UNSAFE_REFERENCE_OPERATORS: Final = _ORDERING_OPERATORS | {"$neq"}
_FIELD_OPERATORS: Final = _UNSAFE_REFERENCE_OPERATORS | {"$mt", "$imt", "$iall", "$iany"}
_EXISTENCE_OPERATORS: Final = frozenset({"$ex", "$nex"})
_BOOLEAN_OPERATORS: Final = frozenset({"$and", "$or"})
_RULE_KEYS: Final = frozenset({"all", "any", "pri", "run"})


def _engine_error(message: str) -> EngineError:
    return EngineError(message, path=ENGINE_PATH)


@dataclass(frozen=True, slots=True)
class Firing:
    """One firing of one rule: which ruleset and rule, and the facts its patterns matched.

    ``matched`` maps every alias of the rule's patterns that took part in the match to
    the matched fact, as the caller asserted it (a fresh plain ``dict``, without
    durable_rules' session key). For ``any`` rules only the aliases of the satisfied
    alternatives are present.
    """

    ruleset: str
    rule: str
    matched: Mapping[str, dict[str, Any]]

    @property
    def fact_ids(self) -> tuple[str, ...]:
        """The ids of the matched facts, in alias order."""
        return tuple(str(self.matched[alias]["id"]) for alias in sorted(self.matched))

    def sort_key(self) -> tuple[str, str, tuple[str, ...]]:
        """Ruleset, rule, then matched fact ids: the order :meth:`RuleEngine.evaluate` uses."""
        return (self.ruleset, self.rule, self.fact_ids)


_Collector = Callable[[Any], None]


class NeuroseqHost(_durable.Host):  # type: ignore[misc]  # durable has no type hints
    """The durable_rules host of this process: no timer threads, actions resolved by name.

    Use :func:`get_host` rather than constructing one. Actions are bound with
    :meth:`bind_action` before a ruleset naming them is registered; :meth:`get_action`
    (which durable_rules calls while registering) resolves them.
    """

    def __init__(self) -> None:
        self._bound_actions: dict[str, _Collector] = {}
        super().__init__()

    def _run(self) -> None:
        """Start nothing: durable_rules' dispatch and timer threads are not wanted."""

    def get_action(self, action_name: str) -> _Collector:
        """Return the collector bound to ``action_name`` (durable_rules' lookup hook)."""
        try:
            return self._bound_actions[action_name]
        except KeyError:
            raise _engine_error(f"no action named {action_name!r} is bound") from None

    def bind_action(self, action_name: str, action: _Collector) -> None:
        """Make ``action_name`` resolve to ``action``."""
        self._bound_actions[action_name] = action

    def unbind_action(self, action_name: str) -> None:
        """Forget ``action_name`` (nothing happens if it is not bound)."""
        self._bound_actions.pop(action_name, None)

    def register_ruleset(self, name: str, definition: dict[str, Any]) -> Any:
        """Register one ruleset (``definition`` is consumed) and return durable's object."""
        self.register_rulesets({name: definition})
        return self._ruleset_directory[name]

    def unregister_ruleset(self, name: str) -> None:
        """Remove a ruleset from this host and free its engine handle."""
        ruleset = self._ruleset_directory.pop(name, None)
        if ruleset is None:
            return
        self._ruleset_list.remove(ruleset)
        _durable.durable_rules_engine.delete_ruleset(ruleset._handle)


_host: NeuroseqHost | None = None


def get_host() -> NeuroseqHost:
    """Return the process's single :class:`NeuroseqHost`, creating it on first use."""
    global _host
    if _host is None:
        _host = NeuroseqHost()
    return _host


# ---------------------------------------------------------------------------
# Checking definitions


def check_definition_safe(definition: RulesetDefinition) -> list[str]:
    """Return one reason for each comparison in ``definition`` that can crash durable_rules.

    A crash-prone comparison is ``$lt``, ``$lte``, ``$gt``, ``$gte`` or ``$neq`` whose
    right-hand side refers to another fact's field (``{"alias": "field"}``, or an
    arithmetic expression over such references) instead of a constant. durable_rules
    2.0.28 then crashes the process with SIGSEGV depending on where the rule sits
    among the others (upstream issue #381; reproduced by
    ``tests/engine/test_adapter_crash.py``). Equality references are safe.

    The walk is structural and tolerant: it never fails on odd input, and an empty
    list means no such comparison was found.
    """
    reasons: list[str] = []
    for rule_name, rule in definition.items():
        _find_unsafe_comparisons(rule, f"rule {rule_name!r}", reasons)
    return reasons


def _find_unsafe_comparisons(node: object, where: str, reasons: list[str]) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in _UNSAFE_REFERENCE_OPERATORS and isinstance(value, Mapping):
                for field, right in value.items():
                    if isinstance(right, Mapping):
                        reasons.append(
                            f"{where}: {key} compares field {field!r} with another fact's "
                            f"field ({json.dumps(right, sort_keys=True, default=str)}); "
                            "durable_rules 2.0.28 can crash on such joins (issue #381): "
                            "compare against a constant or an equality reference instead"
                        )
            _find_unsafe_comparisons(value, where, reasons)
    elif isinstance(node, list | tuple):
        for item in node:
            _find_unsafe_comparisons(item, where, reasons)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _check_condition(condition: object, where: str, problems: list[str]) -> None:
    if not isinstance(condition, Mapping) or len(condition) != 1:
        problems.append(
            f"{where}: a condition must be an object with exactly one key "
            "(durable_rules ignores all keys but the first; combine tests with $and), "
            f"got {json.dumps(condition, sort_keys=True, default=str)}"
        )
        return
    ((key, value),) = condition.items()
    if not isinstance(key, str):
        problems.append(f"{where}: condition key {key!r} is not a string")
    elif key in _BOOLEAN_OPERATORS:
        if not isinstance(value, list | tuple) or not value:
            problems.append(f"{where}: {key} needs a non-empty list of conditions")
            return
        for index, part in enumerate(value):
            _check_condition(part, f"{where}.{key}[{index}]", problems)
    elif key in _FIELD_OPERATORS or key in _EXISTENCE_OPERATORS:
        if not isinstance(value, Mapping) or len(value) != 1:
            problems.append(
                f"{where}: {key} needs an object with exactly one field "
                f"(got {json.dumps(value, sort_keys=True, default=str)})"
            )
    elif key.startswith("$"):
        problems.append(f"{where}: operator {key!r} is not supported by the adapter")
    elif not _is_scalar(value) and not isinstance(value, Mapping):
        problems.append(f"{where}: field {key!r} must equal a constant or a reference")


def _definition_problems(ruleset_name: str, definition: object) -> list[str]:
    """Everything wrong with one ruleset definition, as messages (empty if fine)."""
    where_ruleset = f"ruleset {ruleset_name!r}"
    if not isinstance(definition, Mapping):
        return [f"{where_ruleset}: the definition must be a mapping of rule name to rule"]
    problems: list[str] = []
    if not definition:
        problems.append(f"{where_ruleset}: has no rules")
    if len(definition) > MAX_RULES_PER_RULESET:
        problems.append(
            f"{where_ruleset}: has {len(definition)} rules, more than "
            f"{MAX_RULES_PER_RULESET}; split it with split_rules()"
        )
    for rule_name, rule in definition.items():
        where = f"{where_ruleset}, rule {rule_name!r}"
        if not isinstance(rule_name, str) or not rule_name:
            problems.append(f"{where}: rule names must be non-empty strings")
            continue
        if rule_name.startswith(SINK_RULE_PREFIX):
            problems.append(f"{where}: the prefix {SINK_RULE_PREFIX!r} is reserved")
        if not isinstance(rule, Mapping):
            problems.append(f"{where}: a rule must be a mapping")
            continue
        unknown = sorted(str(key) for key in rule if key not in _RULE_KEYS)
        if unknown:
            problems.append(f"{where}: unsupported keys {unknown} (allowed: all, any, pri, run)")
        kinds = [kind for kind in ("all", "any") if kind in rule]
        if len(kinds) != 1:
            problems.append(f"{where}: needs exactly one of 'all' or 'any'")
        if "run" in rule and rule["run"] != COLLECT_ACTION:
            problems.append(
                f"{where}: 'run' must be {COLLECT_ACTION!r} or absent, got {rule['run']!r}"
            )
        pri = rule.get("pri", 0)
        if not isinstance(pri, int) or isinstance(pri, bool):
            problems.append(f"{where}: 'pri' must be an integer")
        for kind in kinds:
            patterns = rule[kind]
            if not isinstance(patterns, list | tuple) or not patterns:
                problems.append(f"{where}: {kind!r} needs a non-empty list of patterns")
                continue
            if len(patterns) > MAX_PATTERNS_PER_RULE:
                problems.append(
                    f"{where}: joins {len(patterns)} facts, more than {MAX_PATTERNS_PER_RULE}"
                )
            aliases: set[str] = set()
            for index, pattern in enumerate(patterns):
                where_pattern = f"{where}.{kind}[{index}]"
                if not isinstance(pattern, Mapping) or len(pattern) != 1:
                    problems.append(
                        f"{where_pattern}: a pattern must be {{alias: condition}} "
                        "with exactly one alias"
                    )
                    continue
                ((alias, condition),) = pattern.items()
                if not isinstance(alias, str) or not alias or "$" in alias:
                    problems.append(f"{where_pattern}: alias {alias!r} is not a plain name")
                elif alias in aliases:
                    problems.append(f"{where_pattern}: alias {alias!r} is used twice")
                else:
                    aliases.add(alias)
                _check_condition(condition, f"{where_pattern}.{alias}", problems)
    problems.extend(f"{where_ruleset}, {reason}" for reason in check_definition_safe(definition))
    return problems


# ---------------------------------------------------------------------------
# Splitting


def split_rules(
    rules: Mapping[str, Mapping[str, Any]],
    *,
    max_rules: int = MAX_RULES_PER_RULESET,
    prefix: str = "rules",
) -> dict[str, dict[str, Any]]:
    """Split ``rules`` (rule name -> rule) into rulesets of at most ``max_rules`` rules.

    Rules keep their order; the rulesets are named ``{prefix}.000``, ``{prefix}.001``,
    ... so that name order is creation order. Splitting changes no result: every fact
    is asserted into every ruleset and a rule only ever sees facts, never other rules'
    firings. The rules themselves are not copied.
    """
    if max_rules < 1:
        raise ValueError("max_rules must be at least 1")
    items = list(rules.items())
    return {
        f"{prefix}.{number:03d}": dict(items[start : start + max_rules])
        for number, start in enumerate(range(0, len(items), max_rules))
    }


# ---------------------------------------------------------------------------
# The engine

_engine_numbers = itertools.count(1)
_session_numbers = itertools.count(1)


def _durable_message(error: Exception) -> str:
    """A short description of a durable_rules error, without any fact contents."""
    if isinstance(error, _durable.MessageNotHandledException):
        return "a fact passed no rule's conditions (MessageNotHandledException)"
    if isinstance(error, _durable.MessageObservedException):
        return "a fact was asserted twice (MessageObservedException)"
    return f"{type(error).__name__}: {error}"


class RuleEngine:
    """A set of durable_rules rulesets, registered once, evaluated for many sessions.

    ``rulesets`` maps ruleset name -> definition (see :data:`RulesetDefinition`). The
    definitions are checked (shape, crash-prone joins), deep-copied, given a sink rule
    per fact type, and registered in the process host (:func:`get_host`). Every
    problem found is reported in one :class:`EngineError`.

    ``fact_types`` names every fact type :meth:`evaluate` may receive; types that some
    pattern tests by ``{"type": "<constant>"}`` are added automatically. A fact of any
    other type is refused before anything is asserted.

    Call :meth:`close` (or use the engine as a context manager) to free the rulesets
    when the engine is no longer needed; an engine that is never closed keeps its
    rulesets until the process ends, which is fine for the usual one-engine process.
    """

    def __init__(
        self,
        rulesets: Mapping[str, RulesetDefinition],
        fact_types: Iterable[str] = (),
    ) -> None:
        problems: list[str] = []
        for name in rulesets:
            if not isinstance(name, str) or not name:
                problems.append(f"ruleset name {name!r} is not a non-empty string")
            elif "$state" in name or "$flow" in name:
                problems.append(f"ruleset name {name!r}: '$state'/'$flow' are reserved")
            else:
                problems.extend(_definition_problems(name, rulesets[name]))
        if not rulesets:
            problems.append("no rulesets given")
        declared = set(fact_types)
        for fact_type in declared:
            if not isinstance(fact_type, str) or not fact_type or fact_type == _NEVER_TYPE:
                problems.append(f"fact type {fact_type!r} is not allowed")
        if problems:
            raise _engine_error("invalid rule definitions:\n  " + "\n  ".join(problems))

        self._fact_types: frozenset[str] = frozenset(declared | _pattern_types(rulesets))
        self._host = get_host()
        self._number = next(_engine_numbers)
        # public ruleset name -> internal (host-unique) name, in name order
        self._names: dict[str, str] = {}
        self._action_names: list[str] = []
        self._pending: list[tuple[str, str, Any]] = []
        self._closed = False
        try:
            for name in sorted(rulesets):
                self._register(name, rulesets[name])
        except BaseException:
            self.close()
            raise

    @property
    def ruleset_names(self) -> tuple[str, ...]:
        """The public ruleset names, sorted."""
        return tuple(self._names)

    @property
    def fact_types(self) -> frozenset[str]:
        """Every fact type :meth:`evaluate` accepts."""
        return self._fact_types

    def _register(self, name: str, definition: RulesetDefinition) -> None:
        internal = f"{name}#{self._number}"
        prepared: dict[str, Any] = copy.deepcopy(dict(definition))
        for rule_name, rule in prepared.items():
            rule["run"] = self._bind(name, rule_name)
        sink_action = self._bind(name, SINK_RULE_PREFIX)
        for fact_type in sorted(self._fact_types):
            prepared[f"{SINK_RULE_PREFIX}{fact_type}"] = {
                "all": [
                    {_SINK_ALIAS: {"type": fact_type}},
                    {_NEVER_ALIAS: {"type": _NEVER_TYPE}},
                ],
                "run": sink_action,
            }
        try:
            self._host.register_ruleset(internal, prepared)
        except EngineError:
            raise
        except Exception as error:
            raise _engine_error(
                f"durable_rules refused ruleset {name!r}: {_durable_message(error)}"
            ) from error
        self._names[name] = internal

    def _bind(self, ruleset: str, rule: str) -> str:
        action_name = f"{_ACTION_PREFIX}{self._number}.{len(self._action_names)}"

        def collect(c: Any) -> None:
            self._collect(ruleset, rule, c)

        self._host.bind_action(action_name, collect)
        self._action_names.append(action_name)
        return action_name

    def _collect(self, ruleset: str, rule: str, c: Any) -> None:
        """Record one firing (called by durable_rules inside the assert)."""
        self._pending.append((ruleset, rule, c._m))

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert ``facts`` into every ruleset in a fresh session and return the firings.

        Every fact needs a string ``type`` (one of :attr:`fact_types`) and a string
        ``id`` unique in the batch; keys ``sid`` and ``$...`` are reserved. Firings come
        sorted by ruleset, rule and matched fact ids, so the result never depends on the
        engine's firing order. The session's state is deleted before returning, whether
        or not evaluation succeeded.
        """
        if self._closed:
            raise _engine_error("the rule engine is closed")
        session = f"neuroseq-{next(_session_numbers)}"
        batch = self._prepare(facts, session)
        self._pending.clear()
        touched: list[str] = []
        try:
            for name, internal in self._names.items():
                touched.append(internal)
                try:
                    state = self._host.assert_facts(internal, batch)
                except Exception as error:
                    raise _engine_error(
                        f"durable_rules failed in ruleset {name!r}: {_durable_message(error)}"
                    ) from error
                if isinstance(state, dict) and "exception" in state:
                    raise _engine_error(
                        f"a rule action failed in ruleset {name!r}: {state['exception']}"
                    )
            firings = [
                Firing(ruleset, rule, _plain_match(message))
                for ruleset, rule, message in self._pending
                if rule != SINK_RULE_PREFIX
            ]
        finally:
            self._pending.clear()
            for internal in touched:
                try:
                    self._host.delete_state(internal, session)
                except Exception:  # noqa: S110 - no state was created for this session
                    pass
        firings.sort(key=Firing.sort_key)
        return firings

    def _prepare(self, facts: Sequence[Mapping[str, Any]], session: str) -> list[dict[str, Any]]:
        problems: list[str] = []
        seen: set[str] = set()
        batch: list[dict[str, Any]] = []
        for index, fact in enumerate(facts):
            where = f"fact {index}"
            if not isinstance(fact, Mapping):
                problems.append(f"{where}: not a mapping")
                continue
            fact_id = fact.get("id")
            fact_type = fact.get("type")
            if not isinstance(fact_id, str) or not fact_id:
                problems.append(f"{where}: needs a non-empty string 'id'")
            else:
                where = f"fact {fact_id!r}"
                if fact_id in seen:
                    problems.append(f"{where}: duplicate id (each fact needs a unique id)")
                seen.add(fact_id)
            if not isinstance(fact_type, str) or fact_type not in self._fact_types:
                problems.append(
                    f"{where}: type {fact_type!r} is not one of the declared fact types"
                )
            for key in fact:
                if not isinstance(key, str) or key == _SESSION_KEY or key.startswith("$"):
                    problems.append(f"{where}: key {key!r} is reserved or not a string")
            item = dict(fact)
            item[_SESSION_KEY] = session
            batch.append(item)
        if problems:
            raise _engine_error("invalid facts:\n  " + "\n  ".join(problems))
        return batch

    def close(self) -> None:
        """Unregister this engine's rulesets and actions; :meth:`evaluate` then fails."""
        self._closed = True
        for internal in self._names.values():
            try:
                self._host.unregister_ruleset(internal)
            except Exception:  # noqa: S110 - best effort while tearing down
                pass
        self._names.clear()
        for action_name in self._action_names:
            self._host.unbind_action(action_name)
        self._action_names.clear()

    def __enter__(self) -> RuleEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _plain_match(message: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Alias -> fact as the caller gave it (durable's session key and ``$`` keys removed)."""
    return {
        alias: {key: value for key, value in fact.items() if key != _SESSION_KEY and not key.startswith("$")}
        for alias, fact in message.items()
    }


def _pattern_types(rulesets: Mapping[str, RulesetDefinition]) -> set[str]:
    """Fact types that some pattern tests with ``{"type": "<constant>"}``."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key == "type" and isinstance(value, str):
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    for definition in rulesets.values():
        for rule in definition.values():
            if isinstance(rule, Mapping):
                walk(rule.get("all", ()))
                walk(rule.get("any", ()))
    return found
