"""The one place neuroseq touches durable_rules 2.0.28.

The rule compiler hands this module plain durable_rules JSON rulesets; a
:class:`RuleEngine` registers them once and evaluates many sessions (one per case)
against them, returning every rule firing as a plain :class:`Firing`, in a
deterministic order. Nothing outside ``engine/`` imports durable_rules.

What the adapter adds to durable_rules (each point is a hazard of 2.0.28 measured
here; ``/work/shared/DESIGN.md`` has the background):

* **One host per process.** :func:`get_host` lazily creates the process's single
  :class:`NeuroseqHost`; every :class:`RuleEngine` registers into it under a unique
  internal name. The host starts no timer threads (they race with asserts, error 307);
  ``durable.lang``'s global host is never used.
* **Actions are data.** A rule's ``"run"`` is absent or :data:`COLLECT_ACTION`; the
  adapter registers every rule with one do-nothing action (durable_rules wants one)
  and no Python code ever runs inside durable's dispatch, so there is no action
  exception for durable to swallow into the state's ``exception`` key. Definitions
  are deep-copied first (durable_rules deletes ``run`` keys from what it is given).
* **Fast dispatch.** :meth:`NeuroseqHost.assert_json` asserts one pre-serialised batch
  and drains the firings itself, returning each rule's match as decoded data, without
  durable's per-firing ``Closure`` and state round trip (40% of the time).
* **Projection.** durable_rules' cost grows with the number of properties of each
  fact, so only the fields some rule refers to are asserted (``project=False`` turns
  this off); firings report the caller's whole facts, looked up by id. Batches are
  encoded and firings decoded with ``pydantic_core``'s JSON (pydantic's own core),
  about three times faster than the standard library's. On the bundled
  rule base (wide catalogue facts) this makes evaluation about three times faster.
* **Unmatched facts.** durable_rules' own ``assert_facts`` raises
  ``MessageNotHandledException`` when some fact of a batch passes no rule's conditions,
  although the native engine has processed the whole batch (``handleMessages`` goes on
  past such a fact and reports the state as usual). :meth:`NeuroseqHost.assert_json`
  reads the native result itself and accepts that code, so no fact type needs
  declaring and no catch-all rule is needed (an earlier catch-all "sink" rule cost
  about 8% of the engine's time, holding every fact in its network).
* **Sessions.** Every :meth:`RuleEngine.evaluate` uses durable's default session
  ``"0"`` (facts carry no ``sid``, so the caller's facts are serialised as they are,
  never copied to add a key), and the session's state is deleted from every ruleset
  afterwards, even on failure, so each case starts from a fresh state (durable_rules
  also holds at most 1024 live sessions per ruleset). Creating that state costs
  durable about 0.15 ms for a 100-rule base (it allocates and clears frame tables
  for every node); *retracting* the batch instead and keeping the state would be
  cheaper, but durable_rules 2.0.28's retraction reads uninitialised memory
  (``deleteMessageFromFrame`` under ``retractFacts``, shown by valgrind) and after
  some thousands of cases corrupts the heap, so neuroseq never retracts. An engine
  whose state could not be deleted refuses to evaluate again rather than plan on
  stale facts.
  Deleting a state in which no action was ever started frees uninitialised pointers
  (``deleteStateNode`` frees ``context.messages``): SIGSEGV or abort, depending on
  heap layout. So every batch starts with a session fact that an *anchor* rule in
  every ruleset always fires on, and pending actions are consumed before the state
  is deleted.
* **Errors.** Duplicate or malformed facts are refused before anything is asserted;
  every durable_rules error (error 303, ``MemoryError``, ...) becomes an
  :class:`neuroseq.errors.EngineError`.
* **Crash guard.** A rule comparing one fact's field with another fact's field by
  ``$lt``/``$lte``/``$gt``/``$gte`` (or ``$neq``) crashes the process with SIGSEGV
  depending on its position among the rules (upstream issue #381).
  :func:`check_definition_safe` finds such comparisons and :class:`RuleEngine`
  refuses them. Equality references (``{"region": {"r": "region"}}``) are safe. The
  operators are :data:`neuroseq.engine.limits.UNSAFE_REFERENCE_OPERATORS`, the same
  definition the rule compiler refuses by (finding NS107).
* **Limit guard.** A ruleset that would spin or fail with error 303 under the model of
  ``engine/LIMITS.md`` (:func:`neuroseq.engine.packing.ruleset_problems`) is refused;
  :func:`split_rules` is the one packer, which the compiler uses too.
* **Watchdog.** Each ``assertFacts`` runs in a helper thread through ctypes (which
  releases the GIL) while the caller waits with a timeout, so a spinning engine call
  ends in an :class:`EngineError` and Ctrl-C works (:class:`_Watchdog`).
* **Shape guard.** durable_rules silently ignores every key but the first of a
  condition object (``{"type": "item", "score": 2}`` tests only ``type``), and
  ``{"score": {"$lt": 3}}`` is not a comparison; the adapter refuses both. Write
  ``{"$and": [{"type": "item"}, {"$lt": {"score": 3}}]}``.

Other limits of durable_rules 2.0.28 measured here (``engine/LIMITS.md`` has the
numbers and how they were measured):

* error 303 when one fact passes more than 64 children of one node at once (tests
  against constants of any kind, matching equality children included); it depends on
  the data, so without the limit guard it would show at :meth:`RuleEngine.evaluate`.
* error 108 at registration when more than 256 rules share one identical pattern.
* an endless loop once 512 children (equality constants and other tests against
  constants together, or fact types) hang off one node.
* error 304 when a rule joins more than :data:`MAX_PATTERNS_PER_RULE` facts (refused
  at construction).
* an ``any`` rule fires once for every non-empty combination of its satisfied
  alternatives (three satisfied alternatives: seven firings).

Not thread-safe (neither is durable_rules): parallelism means processes.
"""

from __future__ import annotations

import _thread
import copy
import ctypes
import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal, NamedTuple

import pydantic_core
from durable import engine as _durable

from neuroseq.engine import limits as _limits
from neuroseq.engine.packing import pack_rules, ruleset_problems
from neuroseq.errors import EngineError

__all__ = [
    "COLLECT_ACTION",
    "ENGINE_PATH",
    "MAX_PATTERNS_PER_RULE",
    "MAX_RULES_PER_RULESET",
    "RESERVED_PREFIX",
    "Firing",
    "NeuroseqHost",
    "RuleEngine",
    "RulesetDefinition",
    "WATCHDOG_SECONDS",
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

MAX_RULES_PER_RULESET: Final = _limits.MAX_RULES_PER_RULESET
"""Most caller rules :class:`RuleEngine` accepts in one ruleset (:func:`split_rules`).

durable_rules 2.0.28 loops forever once 512 distinct tests against constants hang off one
node of its network; each rule adds at most a few, and the adapter adds only an anchor
rule, so 400 keeps a wide margin. It does not protect against the
data-dependent error 303 (one fact passing more than 64 distinct ordering conditions
that branch from one point): a compiler that wants to exclude that for all data keeps
fewer than 64 patterns with ordering conditions per fact type in one ruleset, for
instance with a smaller ``max_rules``. Each extra ruleset costs about 15-20% of the
evaluation time of a 120-rule base (every fact is asserted into every ruleset).
"""

MAX_FIRINGS: Final = 1_000_000
"""Most firings one evaluation may produce in one ruleset (a guard against runaway joins
and against a durable_rules action queue that never empties)."""

MAX_PATTERNS_PER_RULE: Final = _limits.MAX_PATTERNS_PER_RULE
"""Most facts one rule may join (durable_rules fails with error 304 beyond this)."""

RESERVED_PREFIX: Final = "neuroseq:"
"""Prefix of the adapter's own rule names, fact types and fact ids; callers may not use it."""

_ANCHOR_RULE: Final = "neuroseq:session"
_SESSION_TYPE: Final = "neuroseq:session"
_SESSION_FACT_ID: Final = "neuroseq:session"
_ANCHOR_ALIAS: Final = "neuroseq_session"
_NOOP_ACTION: Final = "neuroseq.noop"
_SESSION_KEY: Final = "sid"
_ASSERTED: Final = 0
_SOME_NOT_HANDLED: Final = 1
"""Native result codes of ``assert_facts``: every fact matched some condition, or not."""
_DEFAULT_SESSION: Final = "0"
"""durable_rules' session for facts without a ``sid`` key."""
_SESSION_FACT: Final = {"type": _SESSION_TYPE, "id": _SESSION_FACT_ID}
_STATE_FACT_ID: Final = f"sid-{_DEFAULT_SESSION}"
"""The id of durable's own state record in the session; a fact may not use it."""
_decode = pydantic_core.from_json

WATCHDOG_SECONDS: Final = _limits.WATCHDOG_SECONDS
"""Default limit on one engine call (:class:`RuleEngine`'s ``timeout``)."""

_UNSAFE_REFERENCE_OPERATORS: Final = _limits.UNSAFE_REFERENCE_OPERATORS
_FIELD_OPERATORS: Final = _UNSAFE_REFERENCE_OPERATORS | {"$mt", "$imt", "$iall", "$iany"}
_COMPARISON_OPERATORS: Final = _UNSAFE_REFERENCE_OPERATORS
_ARITHMETIC_OPERATORS: Final = frozenset({"$add", "$sub", "$mul", "$div"})
_EXISTENCE_OPERATORS: Final = frozenset({"$ex", "$nex"})
_BOOLEAN_OPERATORS: Final = frozenset({"$and", "$or"})
_RULE_KEYS: Final = frozenset({"all", "any", "pri", "run"})


def _engine_error(message: str) -> EngineError:
    return EngineError(message, path=ENGINE_PATH)


class Firing(NamedTuple):
    """One firing of one rule: which ruleset and rule, and the facts its patterns matched.

    ``matched`` maps every alias of the rule's patterns that took part in the match to
    the matched fact: the very object the caller passed (all its fields, no JSON round
    trip, no durable_rules keys; treat it as read-only). For ``any`` rules only the aliases of the satisfied alternatives are
    present.
    """

    ruleset: str
    rule: str
    matched: Mapping[str, Mapping[str, Any]]

    @property
    def fact_ids(self) -> tuple[str, ...]:
        """The ids of the matched facts, in alias order."""
        return tuple(str(self.matched[alias]["id"]) for alias in sorted(self.matched))

    def sort_key(self) -> tuple[str, str, tuple[str, ...]]:
        """Ruleset, rule, then matched fact ids: the order :meth:`RuleEngine.evaluate` uses."""
        return (self.ruleset, self.rule, self.fact_ids)


class NeuroseqHost(_durable.Host):  # type: ignore[misc]  # durable has no type hints
    """The durable_rules host of this process: no timer threads, one do-nothing action.

    Use :func:`get_host` rather than constructing one. Every rule is registered with
    the action :data:`_NOOP_ACTION`, which :meth:`get_action` (called by durable_rules
    while registering) resolves; firings are read by :meth:`assert_json` instead.
    """

    def _run(self) -> None:
        """Start nothing: durable_rules' dispatch and timer threads are not wanted."""

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        """Resolve an action name while durable_rules registers a ruleset."""
        if action_name != _NOOP_ACTION:
            raise _engine_error(f"no action named {action_name!r}")
        return _ignore

    def register_ruleset(self, name: str, definition: dict[str, Any]) -> Any:
        """Register one ruleset (``definition`` is consumed) and return durable's object."""
        self.register_rulesets({name: definition})
        return self._ruleset_directory[name]

    def assert_json(
        self, ruleset_name: str, payload: str | bytes, timeout: float | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        """Assert a JSON array of facts into one ruleset; return every firing's match.

        This replaces ``Host.assert_facts``, whose per-firing ``Closure``, state
        serialisation and ``update_state`` round trip cost about 40% of the whole
        evaluation and which nothing here needs. Each firing is returned as
        ``(rule name, {alias: matched fact as asserted})``, in durable's firing order;
        every started action is completed, so the session holds none afterwards.
        """
        ruleset = self.get_ruleset(ruleset_name)
        handle = ruleset._handle
        native = _durable.durable_rules_engine
        deadline = None if timeout is None else time.monotonic() + timeout
        if timeout is None:
            code, offset = native.assert_facts(handle, payload)
        else:
            data = payload.encode() if isinstance(payload, str) else payload
            code, offset = _WATCHDOG.assert_facts(handle, data, timeout)
            if code not in _RETURNED_CODES:
                raise RuntimeError(f"Could not assert facts, error code: {code}")
        if code not in (_ASSERTED, _SOME_NOT_HANDLED):
            # the second argument only feeds durable's exception messages: keep fact
            # contents out of them
            ruleset._handle_result((code, offset), [])
        matches: list[tuple[str, dict[str, Any]]] = []
        started = native.start_action_for_state(handle, offset)
        if not started:
            return matches
        message: str | None = started[1]
        budget = MAX_FIRINGS
        while message:
            budget -= 1
            if budget < 0:
                raise _engine_error(
                    f"more than {MAX_FIRINGS} firings for one case in ruleset {ruleset_name!r}: "
                    "some rule joins too many facts"
                )
            if deadline is not None and not budget & 1023 and time.monotonic() > deadline:
                # collecting firings holds no lock a signal could not interrupt, so
                # this is a plain stop: the session is consumed and deleted as usual
                raise EngineTimeout(f"ran past {timeout:g} s collecting firings")
            matches.extend(_decode(message).items())
            message = native.complete_and_start_action(handle, offset)
        return matches

    def unregister_ruleset(self, name: str) -> None:
        """Remove a ruleset from this host and free its engine handle."""
        ruleset = self._ruleset_directory.pop(name, None)
        if ruleset is None:
            return
        self._ruleset_list.remove(ruleset)
        _durable.durable_rules_engine.delete_ruleset(ruleset._handle)


_RETURNED_CODES: Final = frozenset({0, 1, 2, 3})
"""Codes durable's own wrapper returns rather than raises: asserted, not handled,
observed, deferred."""


class EngineTimeout(Exception):
    """An engine call ran past its limit (or was interrupted) and was abandoned."""


def _held_lock() -> Any:
    """A plain lock, already held: a binary semaphore that starts empty.

    The watchdog's hand-offs use plain locks (one C call each way) rather than
    ``threading.Semaphore`` (a Python-level condition variable that allocates a
    lock per wait): two hand-offs happen for every ruleset of every case.
    """
    lock = _thread.allocate_lock()
    lock.acquire()
    return lock


class _Watchdog:
    """Runs ``assertFacts`` in a helper thread, so the caller can stop waiting.

    durable_rules' C code holds the GIL while it runs, so neither a signal handler nor
    a timer thread can run Python code while ``assertFacts`` spins (as it does on a
    network with 512 equality constants under one node). Called through ctypes the
    same native function releases the GIL: the helper thread runs it while the
    calling thread waits on a lock with a timeout, which Ctrl-C interrupts. An
    abandoned call keeps its thread (a daemon) busy inside durable_rules until the
    process exits; the host is then unusable (:attr:`abandoned` says why) and every
    later engine call refuses.
    """

    def __init__(self) -> None:
        self._request, self._done = _held_lock(), _held_lock()
        self._job: tuple[int, bytes] = (0, b"")
        self._result: tuple[int, int] = (0, 0)
        self._thread: threading.Thread | None = None
        self._native: Any = None
        self.abandoned: str | None = None
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        """A forked child has no helper thread: start a new one on its first call.

        An abandoned call stays abandoned: the child's copy of durable_rules' memory
        may be half-way through it.
        """
        self._request, self._done = _held_lock(), _held_lock()
        self._thread = None

    def _start(self) -> None:
        library = ctypes.CDLL(_durable.durable_rules_engine.__file__)
        function = library.assertFacts
        function.argtypes = [ctypes.c_uint, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint)]
        function.restype = ctypes.c_uint
        self._native = function
        self._thread = threading.Thread(target=self._serve, name="neuroseq-engine", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        offset = ctypes.c_uint(0)
        native = self._native
        while True:
            self._request.acquire()
            handle, payload = self._job
            code = native(handle, payload, ctypes.byref(offset))
            self._result = (int(code), int(offset.value))
            self._done.release()

    def assert_facts(self, handle: int, payload: bytes, timeout: float) -> tuple[int, int]:
        """``assertFacts(handle, payload)`` as (code, state offset), or EngineTimeout."""
        if self.abandoned is not None:
            raise EngineTimeout(self.abandoned)
        if self._thread is None:
            self._start()
        self._job = (handle, payload)
        self._request.release()
        try:
            finished = self._done.acquire(timeout=timeout)
        except BaseException:
            self.abandoned = "an earlier engine call was interrupted"
            raise
        if not finished:
            self.abandoned = f"an earlier engine call ran past {timeout:g} s"
            raise EngineTimeout(f"ran past {timeout:g} s")
        return self._result


_WATCHDOG = _Watchdog()

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


def _dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _check_value(
    value: object, where: str, aliases: frozenset[str], own: str, problems: list[str]
) -> None:
    """A right-hand side: a constant, ``{"alias": "field"}`` or an arithmetic expression."""
    if value is None or isinstance(value, str | int | float | bool):
        return
    if not isinstance(value, Mapping) or len(value) != 1:
        problems.append(
            f"{where}: {_dump(value)} is neither a constant, a reference "
            '{"alias": "field"} nor an expression'
        )
        return
    ((key, operand),) = value.items()
    if key in _ARITHMETIC_OPERATORS:
        if not isinstance(operand, Mapping) or set(operand) != {"$l", "$r"}:
            problems.append(f"{where}: {key} needs an object with '$l' and '$r'")
            return
        for side in ("$l", "$r"):
            _check_value(operand[side], f"{where}.{key}.{side}", aliases, own, problems)
    elif not isinstance(key, str) or key.startswith("$"):
        problems.append(
            f"{where}: {_dump(value)} is not a reference (operators go around the field: "
            '{"$lt": {"field": 3}})'
        )
    elif key == own or key not in aliases:
        what = "its own pattern" if key == own else "no pattern of the rule"
        problems.append(f"{where}: alias {key!r} names {what}; durable_rules never matches it")
    elif not isinstance(operand, str) or not operand:
        problems.append(f"{where}: a reference names a field: {{{key!r}: 'field'}}")


def _check_condition(
    condition: object, where: str, aliases: frozenset[str], own: str, problems: list[str]
) -> None:
    if not isinstance(condition, Mapping) or len(condition) != 1:
        problems.append(
            f"{where}: a condition must be an object with exactly one key "
            "(durable_rules ignores all keys but the first; combine tests with $and), "
            f"got {_dump(condition)}"
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
            _check_condition(part, f"{where}.{key}[{index}]", aliases, own, problems)
    elif key in _FIELD_OPERATORS or key in _EXISTENCE_OPERATORS:
        if not isinstance(value, Mapping) or len(value) != 1:
            problems.append(
                f"{where}: {key} needs an object with exactly one field, got {_dump(value)}"
            )
        elif key in _COMPARISON_OPERATORS:
            ((field, right),) = value.items()
            _check_value(right, f"{where}.{key}.{field}", aliases, own, problems)
    elif key.startswith("$"):
        problems.append(f"{where}: operator {key!r} is not supported by the adapter")
    else:
        _check_value(value, f"{where}.{key}", aliases, own, problems)


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
        if rule_name.startswith(RESERVED_PREFIX):
            problems.append(f"{where}: the prefix {RESERVED_PREFIX!r} is reserved")
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
            named: list[tuple[str, str, object]] = []
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
                elif alias in (other for other, _, _ in named):
                    problems.append(f"{where_pattern}: alias {alias!r} is used twice")
                else:
                    named.append((alias, where_pattern, condition))
            aliases = frozenset(alias for alias, _, _ in named)
            for alias, where_pattern, condition in named:
                _check_condition(condition, f"{where_pattern}.{alias}", aliases, alias, problems)
    problems.extend(f"{where_ruleset}, {reason}" for reason in check_definition_safe(definition))
    if not problems:
        problems.extend(f"{where_ruleset}: {reason}" for reason in ruleset_problems(definition))
    return problems


# ---------------------------------------------------------------------------
# Splitting


def split_rules(
    rules: Mapping[str, Mapping[str, Any]],
    *,
    max_rules: int = MAX_RULES_PER_RULESET,
    prefix: str = "rules",
) -> dict[str, dict[str, Any]]:
    """Split ``rules`` (rule name -> rule) into rulesets the engine can run.

    The one packer, :func:`neuroseq.engine.packing.pack_rules`: at most ``max_rules``
    rules per ruleset and within every per-node budget of :mod:`neuroseq.engine.limits`;
    the rulesets are named ``{prefix}.000``, ``{prefix}.001``, ... Splitting changes no
    result: every fact is asserted into every ruleset and a rule only ever sees facts,
    never other rules' firings. The rules themselves are not copied.
    """
    return pack_rules(rules, max_rules=max_rules, prefix=prefix)


# ---------------------------------------------------------------------------
# The engine

_engine_numbers = itertools.count(1)


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
    definitions are checked (shape, crash-prone joins), deep-copied, given an anchor
    rule (see the module docstring; neither ever shows in the result) and
    registered in the process host (:func:`get_host`). Every problem found is
    reported in one :class:`EngineError`.

    ``fact_types``, if given, is an allow-list: :meth:`evaluate` then refuses facts of
    any other type (types that some pattern tests by ``{"type": "<constant>"}`` are
    allowed too). Without it any string type is accepted. Rule names, fact types and
    fact ids starting with :data:`RESERVED_PREFIX` are reserved, and so is the id
    ``"sid-0"`` (durable's own record of the session).

    Values must be JSON data. With ``check_values`` (the default) every asserted value
    is checked by the standard library's encoder, as it would be asserted; a caller
    whose facts are JSON data by construction (the planner builds its facts from
    validated models) may pass ``False``, and then only NaN, infinities and values
    that cannot be serialised at all are refused: other Python values (sets, bytes,
    dates) would be asserted in pydantic_core's JSON form.

    ``timeout`` limits each engine call of :meth:`evaluate` (default
    :data:`neuroseq.engine.limits.WATCHDOG_SECONDS`, read when the engine is built;
    ``None`` turns the watchdog off): a call past it, or interrupted by Ctrl-C, is
    abandoned and :meth:`evaluate` raises :class:`EngineError` located at ``source``
    (the planner passes its rule folder). The process cannot use durable_rules again
    after that (the abandoned call still runs in a helper thread).

    Call :meth:`close` (or use the engine as a context manager) to free the rulesets
    when the engine is no longer needed; an engine that is never closed keeps its
    rulesets until the process ends, which is fine for the usual one-engine process.
    """

    def __init__(
        self,
        rulesets: Mapping[str, RulesetDefinition],
        fact_types: Iterable[str] | None = None,
        *,
        project: bool = True,
        check_values: bool = True,
        timeout: float | None | Literal["default"] = "default",
        source: str = ENGINE_PATH,
    ) -> None:
        if timeout == "default":
            timeout = _limits.WATCHDOG_SECONDS
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds or None")
        self._timeout = timeout
        self._source = source
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
        declared = set(fact_types or ())
        for fact_type in declared:
            if (
                not isinstance(fact_type, str)
                or not fact_type
                or fact_type.startswith(RESERVED_PREFIX)
            ):
                problems.append(f"fact type {fact_type!r} is not allowed")
        if problems:
            raise _engine_error("invalid rule definitions:\n  " + "\n  ".join(problems))
        pattern_types = _pattern_types(rulesets)
        for fact_type in sorted(pattern_types):
            if fact_type.startswith(RESERVED_PREFIX):
                problems.append(f"patterns may not test the reserved type {fact_type!r}")
        if problems:
            raise _engine_error("invalid rule definitions:\n  " + "\n  ".join(problems))
        self._fact_types: frozenset[str] | None = (
            None if fact_types is None else frozenset(declared | pattern_types)
        )
        wanted = _referenced_fields(rulesets) | {"id", "type"}
        self._field_set: frozenset[str] | None = frozenset(wanted) if project else None
        self._fields: tuple[str, ...] = tuple(sorted(wanted))
        self._include: dict[str, set[str]] | None = {"__all__": set(wanted)} if project else None
        self._stale = False
        self._check_values = check_values
        self._host = get_host()
        self._number = next(_engine_numbers)
        # public ruleset name -> internal (host-unique) name, in name order
        self._names: dict[str, str] = {}
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
    def fact_types(self) -> frozenset[str] | None:
        """The fact types :meth:`evaluate` accepts, or ``None`` for any."""
        return self._fact_types

    def _register(self, name: str, definition: RulesetDefinition) -> None:
        internal = f"{name}#{self._number}"
        prepared: dict[str, Any] = copy.deepcopy(dict(definition))
        for rule in prepared.values():
            rule["run"] = _NOOP_ACTION
        prepared[_ANCHOR_RULE] = {
            "all": [{_ANCHOR_ALIAS: {"type": _SESSION_TYPE}}],
            "run": _NOOP_ACTION,
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

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert ``facts`` into every ruleset in one session and return the firings.

        Every fact needs a string ``type`` (one of :attr:`fact_types`) and a non-empty
        string ``id`` unique in the batch; the key ``sid`` is reserved and values must be
        JSON data. Firings come sorted by ruleset, rule and matched fact ids, so the
        result never depends on the engine's firing order. The session's state is
        deleted from every ruleset before returning, whether or not evaluation
        succeeded. Raises :class:`EngineError` for bad facts or any durable_rules error.
        """
        if self._closed:
            raise _engine_error("the rule engine is closed")
        if _WATCHDOG.abandoned is not None:
            raise EngineError(
                f"{_WATCHDOG.abandoned} and still runs inside durable_rules; "
                "this process cannot use the engine again",
                path=self._source,
            )
        if self._stale:
            raise _engine_error(
                "a previous session's state could not be deleted; this engine is unusable"
            )
        payload, originals = self._prepare(facts)
        keyed: list[tuple[_FiringKey, Firing]] = []
        touched: list[str] = []
        try:
            for name, internal in self._names.items():
                touched.append(internal)
                try:
                    matches = self._host.assert_json(internal, payload, self._timeout)
                except EngineTimeout as error:
                    raise EngineError(
                        f"the rule engine {error} in ruleset {name!r} and was stopped; "
                        "durable_rules loops forever on some rule bases (engine/LIMITS.md): "
                        "run 'neuroseq rules check' on this rule base",
                        path=self._source,
                    ) from None
                except Exception as error:
                    raise _engine_error(
                        f"durable_rules failed in ruleset {name!r}: {_durable_message(error)}"
                    ) from error
                _add_firings(keyed, name, matches, originals)
        finally:
            for internal in touched:
                self._end_session(internal)
        keyed.sort(key=_first)
        return [firing for _key, firing in keyed]

    def _end_session(self, internal: str) -> None:
        """Delete the session's state in one ruleset, first consuming pending actions.

        After a failure the session may hold actions nobody started; they are
        started and completed (unrecorded) so that the state's action context is
        initialised before durable_rules frees it (see the module docstring). If the
        state cannot be deleted although it exists, the engine is marked stale.
        """
        host = self._host
        if _WATCHDOG.abandoned is not None:
            # the abandoned call is still inside durable_rules: touch nothing
            self._stale = True
            return
        try:
            handle = host.get_ruleset(internal)._handle
            native = _durable.durable_rules_engine
            budget = MAX_FIRINGS
            started = native.start_action(handle)
            while started and budget > 0:
                while native.complete_and_start_action(handle, started[2]) and budget > 0:
                    budget -= 1
                started = native.start_action(handle)
                budget -= 1
            if budget <= 0:
                raise _engine_error("pending actions never ran out")
            host.delete_state(internal, _DEFAULT_SESSION)
        except Exception:
            # the session may never have been created in this ruleset; if it was,
            # the next session would see its facts
            try:
                host.get_state(internal, _DEFAULT_SESSION)
            except Exception:
                return
            self._stale = True

    def _prepare(
        self, facts: Sequence[Mapping[str, Any]]
    ) -> tuple[str, dict[str, Mapping[str, Any]]]:
        """Check the facts; return the batch as JSON and the facts by id.

        With projection on, only the fields some rule refers to are asserted: durable's
        cost grows with the number of properties of a fact, and fields no condition
        reads cannot change a match. Firings report the caller's full facts anyway.
        """
        try:
            # the checks run over the whole batch at once (C loops, not a Python one);
            # anything odd falls through to _fact_problems, which says what
            originals = {fact["id"]: fact for fact in facts}
            types = {fact["type"] for fact in facts}
            fact_types = self._fact_types
            if (
                len(originals) == len(facts)
                and all(type(fact_id) is str and fact_id for fact_id in originals)
                and not any(fact_id.startswith(RESERVED_PREFIX) for fact_id in originals)
                and _STATE_FACT_ID not in originals
                and all(type(fact_type) is str and fact_type for fact_type in types)
                and (fact_types is None or types <= fact_types)
                and not any(fact_type.startswith(RESERVED_PREFIX) for fact_type in types)
                and not any(_SESSION_KEY in fact for fact in facts)
            ):
                # the session fact comes first, so even a batch that fails part-way
                # has fired the anchor rule (see the module docstring)
                batch = [_SESSION_FACT, *facts]
                if not all(type(fact) is dict for fact in facts):
                    batch = [_SESSION_FACT, *(dict(fact) for fact in facts)]
                payload = pydantic_core.to_json(
                    batch, include=self._include, inf_nan_mode="constants"
                ).decode()
                suspect = self._check_values or "NaN" in payload or "Infinity" in payload
                if not suspect or _plain_json(batch, self._field_set):
                    return payload, originals
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        raise _engine_error("invalid facts:\n  " + "\n  ".join(self._fact_problems(facts)))

    def _fact_problems(self, facts: Sequence[Mapping[str, Any]]) -> list[str]:
        """Every problem with ``facts`` (the slow path behind :meth:`_prepare`)."""
        problems: list[str] = []
        seen: set[str] = {_SESSION_FACT_ID}
        for index, fact in enumerate(facts):
            where = f"fact {index}"
            if not isinstance(fact, Mapping):
                problems.append(f"{where}: not a mapping")
                continue
            fact_id = fact.get("id")
            if not isinstance(fact_id, str) or not fact_id:
                problems.append(f"{where}: needs a non-empty string 'id'")
            else:
                where = f"fact {fact_id!r}"
                if fact_id.startswith(RESERVED_PREFIX) or fact_id == _STATE_FACT_ID:
                    problems.append(f"{where}: this id is reserved for the adapter")
                elif fact_id in seen:
                    problems.append(f"{where}: duplicate id (each fact needs a unique id)")
                seen.add(fact_id)
            fact_type = fact.get("type")
            if not isinstance(fact_type, str) or not fact_type:
                problems.append(f"{where}: needs a non-empty string 'type'")
            elif fact_type.startswith(RESERVED_PREFIX):
                problems.append(f"{where}: type {fact_type!r} is reserved for the adapter")
            elif self._fact_types is not None and fact_type not in self._fact_types:
                problems.append(f"{where}: type {fact_type!r} is not a declared fact type")
            if _SESSION_KEY in fact:
                problems.append(f"{where}: the key {_SESSION_KEY!r} is reserved")
            asserted = (
                fact if self._field_set is None else {f: fact[f] for f in self._fields if f in fact}
            )
            try:
                json.dumps(asserted, allow_nan=False)
            except (TypeError, ValueError) as error:
                problems.append(f"{where}: not JSON data ({error})")
        return problems or ["facts could not be prepared"]

    def close(self) -> None:
        """Unregister this engine's rulesets and actions; :meth:`evaluate` then fails."""
        self._closed = True
        for internal in self._names.values():
            try:
                self._host.unregister_ruleset(internal)
            except Exception:
                pass  # best effort while tearing down
        self._names.clear()

    def __enter__(self) -> RuleEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _ignore(c: object) -> None:
    """The action of the adapter's own anchor rule."""


_FiringKey = tuple[str, str, tuple[str, ...]]


def _first(pair: tuple[_FiringKey, Firing]) -> _FiringKey:
    return pair[0]


def _add_firings(
    keyed: list[tuple[_FiringKey, Firing]],
    ruleset: str,
    matches: Iterable[tuple[str, Mapping[str, Mapping[str, Any]]]],
    originals: Mapping[str, Mapping[str, Any]],
) -> None:
    """Append each match of ``ruleset`` as a :class:`Firing` of the caller's facts, keyed."""
    for rule, match in matches:
        if rule == _ANCHOR_RULE:
            continue
        if len(match) == 1:
            ((alias, fact),) = match.items()
            matched = {alias: originals[fact["id"]]}
            ids: tuple[str, ...] = (fact["id"],)
        else:
            matched = {alias: originals[fact["id"]] for alias, fact in match.items()}
            ids = tuple(matched[alias]["id"] for alias in sorted(matched))
        keyed.append(((ruleset, rule, ids), Firing(ruleset, rule, matched)))


def _plain_json(batch: Sequence[Mapping[str, Any]], fields: frozenset[str] | None) -> bool:
    """Whether the asserted part of ``batch`` is JSON without NaN or infinities."""
    try:
        json.dumps(
            [{k: v for k, v in fact.items() if fields is None or k in fields} for fact in batch],
            allow_nan=False,
        )
    except (TypeError, ValueError):
        return False
    return True


def _referenced_fields(rulesets: Mapping[str, RulesetDefinition]) -> set[str]:
    """Top-level fact fields that some condition or reference of some rule reads.

    Follows the grammar :func:`_check_condition` accepts (definitions are checked
    first); a field left out would silently change results, so anything unexpected
    is included rather than skipped.
    """
    found: set[str] = set()

    def field(name: object) -> None:
        if isinstance(name, str):
            found.add(name.split(".", 1)[0])

    def value(node: object) -> None:  # constant, {"alias": "field"} or expression
        if isinstance(node, Mapping):
            for key, operand in node.items():
                if key in _ARITHMETIC_OPERATORS and isinstance(operand, Mapping):
                    for side in operand.values():
                        value(side)
                elif isinstance(operand, str):
                    field(operand)
                else:
                    value(operand)

    def condition(node: object) -> None:
        if not isinstance(node, Mapping):
            return
        for key, operand in node.items():
            if key in _BOOLEAN_OPERATORS and isinstance(operand, list | tuple):
                for part in operand:
                    condition(part)
            elif isinstance(key, str) and key.startswith("$"):
                if isinstance(operand, Mapping):
                    for name, right in operand.items():
                        field(name)
                        value(right)
            else:
                field(key)
                value(operand)

    for definition in rulesets.values():
        for rule in definition.values():
            if isinstance(rule, Mapping):
                for kind in ("all", "any"):
                    for pattern in rule.get(kind, ()):
                        if isinstance(pattern, Mapping):
                            for part in pattern.values():
                                condition(part)
    return found


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
