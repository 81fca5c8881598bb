"""Strict loading of YAML and JSON source files, keeping line numbers.

Every data file neuroseq reads (cases, norms, the catalogue, rules, rule
tests, caregiver files) goes through :func:`load_document`, then
:func:`validate_document` turns the plain data into a pydantic model. Both
collect every problem they can find and raise the caller's stage error
(a :class:`~neuroseq.errors.NeuroseqError` subclass) with ``file:line``
locations.

Loading is defensive because case files describe vulnerable children and
rule files come from many hands:

* safe construction only: tags that build objects (``!!python/...``) fail;
* duplicate keys fail;
* files above :data:`MAX_BYTES`, more than :data:`MAX_ALIASES` aliases, or
  more than :data:`MAX_NODES` nodes once aliases are expanded fail quickly,
  so a "billion laughs" file is refused;
* text must be UTF-8.
"""

from __future__ import annotations

import difflib
import json
import stat
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from neuroseq.errors import NeuroseqError, Problem, SourceLocation

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_NODES",
    "SourceDocument",
    "field_path",
    "unique_problems",
    "load_document",
    "load_text",
    "validate_document",
]

MAX_BYTES = 1024 * 1024
MAX_ALIASES = 100
MAX_NODES = 100_000

PathKey = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class SourceDocument:
    """Plain data read from one file, with the line of every key and item."""

    path: str
    data: Any
    lines: Mapping[PathKey, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    """Problems found while loading that did not stop it (``keep_going``)."""

    def line_for(self, key: Sequence[str | int]) -> int | None:
        """The line of ``key``, or of its nearest ancestor the parser saw."""
        probe = tuple(key)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get(())

    def location(self, key: Sequence[str | int] = ()) -> SourceLocation:
        return SourceLocation(self.path, self.line_for(key))

    def problem(self, key: Sequence[str | int], message: str) -> Problem:
        return Problem(self.location(key), field_path(key), message)


def unique_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Problems without repeats, in file, line and field order (stable output)."""
    return sorted(
        set(problems), key=lambda p: (p.location.path, p.location.line or 0, p.field, p.message)
    )


def field_path(key: Sequence[str | int]) -> str:
    """``("history", 0, "period")`` -> ``history[0].period``."""
    text = ""
    for part in key:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# libyaml (C) composes and scans about ten times faster than pure Python;
# PyYAML's wheels ship it. Either way only safe constructors are used.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader whose dates stay text; aliases are bounded in :func:`_walk`."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # Dates stay text here; the models parse them and report bad ones with
    # their field, instead of the YAML constructor failing on 2026-13-45.
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _decode(raw: bytes, path: str, error: type[NeuroseqError]) -> str:
    if len(raw) > MAX_BYTES:
        raise error(
            [
                Problem(
                    SourceLocation(path),
                    "",
                    f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes",
                )
            ]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            [
                Problem(
                    SourceLocation(path, line),
                    "",
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                    "save the file as UTF-8",
                )
            ]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise error(
            [Problem(SourceLocation(path, line), "", "contains a NUL byte; not a text file")]
        )
    return text


def load_document(
    path: Path | str, *, error: type[NeuroseqError], keep_going: bool = False
) -> SourceDocument:
    """Read and parse one YAML or JSON file strictly, raising ``error`` on any problem.

    With ``keep_going``, duplicate keys do not stop loading: the document is
    returned with those problems in :attr:`SourceDocument.problems`, so that
    validation can report them together with everything else in one run.
    Disallowed tags always stop loading.
    """
    shown = str(path)
    try:
        mode = Path(path).stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            raise error(
                [
                    Problem(
                        SourceLocation(shown),
                        "",
                        "not a regular file (a device, pipe or socket); give a YAML or JSON file",
                    )
                ]
            )
        # Read at most one byte past the limit, whatever the file claims its size is.
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise error([Problem(SourceLocation(shown), "", "file not found")]) from None
    except IsADirectoryError:
        raise error([Problem(SourceLocation(shown), "", "is a folder, not a file")]) from None
    except OSError as exc:
        raise error([Problem(SourceLocation(shown), "", f"cannot read: {exc.strerror}")]) from None
    return load_text(_decode(raw, shown, error), shown, error=error, keep_going=keep_going)


def load_text(
    text: str, path: str, *, error: type[NeuroseqError], keep_going: bool = False
) -> SourceDocument:
    """Parse text already read (YAML, or JSON when ``path`` ends in .json)."""
    if path.lower().endswith(".json"):
        return _load_json(text, path, error, keep_going)
    return _load_yaml(text, path, error, keep_going)


def _only_duplicates(problems: Sequence[Problem]) -> bool:
    return all(p.message.startswith("duplicate key") for p in problems)


def _yaml_problem(exc: yaml.YAMLError, path: str, text: str = "") -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1 if text else None
        return Problem(
            SourceLocation(path, line),
            "",
            f"contains the control character #x{exc.character:04x}, which YAML does not allow; "
            "remove it",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if "could not determine a constructor" in message or "unhashable" in message:
        message = (
            "this YAML tag is not allowed: neuroseq files hold plain data only "
            f"(mappings, lists, text, numbers, dates) ({problem})"
        )
    else:
        message = f"not valid YAML: {message}"
    return Problem(SourceLocation(path, line, column), "", message)


def _load_yaml(
    text: str, path: str, error: type[NeuroseqError], keep_going: bool = False
) -> SourceDocument:
    try:
        loader = _StrictLoader(text)
    except yaml.YAMLError as exc:
        raise error([_yaml_problem(exc, path, text)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise error([Problem(SourceLocation(path, 1), "", "the file is empty")])
        lines: dict[PathKey, int] = {}
        problems: list[Problem] = []
        _walk(node, (), lines, problems, path, [0, 0], set())
        if problems and not (keep_going and _only_duplicates(problems)):
            raise error(problems)
        data = loader.construct_document(node)
    except (ValueError, TypeError, OverflowError) as exc:
        raise error([Problem(SourceLocation(path), "", f"a value cannot be read: {exc}")]) from None
    except yaml.YAMLError as exc:
        raise error([_yaml_problem(exc, path, text)]) from None
    except RecursionError:
        raise error([Problem(SourceLocation(path), "", "nested too deeply")]) from None
    finally:
        loader.dispose()
    return SourceDocument(path, data, lines, tuple(problems))


def _scalar_key(node: Node) -> str | None:
    if isinstance(node, ScalarNode):
        return str(node.value)
    return None


def _walk(
    node: Node,
    key: PathKey,
    lines: dict[PathKey, int],
    problems: list[Problem],
    path: str,
    count: list[int],
    visited: set[int],
    in_alias: bool = False,
) -> None:
    """Record the line of every key and item; find duplicate keys; bound expansion.

    ``count`` is [values visited, aliases met]: a node met a second time was
    reached through an alias.
    """
    count[0] += 1
    if id(node) in visited and not in_alias:
        in_alias = True
        count[1] += 1
        if count[1] > MAX_ALIASES:
            raise yaml.MarkedYAMLError(
                problem=f"more than {MAX_ALIASES} aliases (&anchor/*alias); "
                "neuroseq files do not need them",
                problem_mark=node.start_mark,
            )
    visited.add(id(node))
    if count[0] > MAX_NODES:
        raise yaml.MarkedYAMLError(
            problem=f"more than {MAX_NODES:,} values once aliases are expanded",
            problem_mark=node.start_mark,
        )
    lines.setdefault(key, node.start_mark.line + 1)
    if node.tag not in _StrictLoader.yaml_constructors:
        problems.append(
            Problem(
                SourceLocation(path, node.start_mark.line + 1, node.start_mark.column + 1),
                field_path(key),
                f"the YAML tag '{node.tag}' is not allowed: neuroseq files hold plain data "
                "only (mappings, lists, text, numbers, dates)",
            )
        )
        return
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            name = _scalar_key(key_node)
            if name is None:
                problems.append(
                    Problem(
                        SourceLocation(path, key_node.start_mark.line + 1),
                        field_path(key),
                        "keys must be plain text, not lists or mappings",
                    )
                )
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(
                        SourceLocation(path, key_node.start_mark.line + 1),
                        field_path(key),
                        "merge keys (<<) are not allowed; write each key out",
                    )
                )
                continue
            line = key_node.start_mark.line + 1
            if name in seen:
                problems.append(
                    Problem(
                        SourceLocation(path, line),
                        field_path((*key, name)),
                        f"duplicate key '{name}' (first given on line {seen[name]}); "
                        "give each key once",
                    )
                )
                continue
            seen[name] = line
            lines[(*key, name)] = line
            _walk(value_node, (*key, name), lines, problems, path, count, visited, in_alias)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*key, index), lines, problems, path, count, visited, in_alias)


def _load_json(
    text: str, path: str, error: type[NeuroseqError], keep_going: bool = False
) -> SourceDocument:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in items:
            if name in result:
                duplicates.append(name)
            result[name] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise error(
            [Problem(SourceLocation(path, exc.lineno, exc.colno), "", f"not valid JSON: {exc.msg}")]
        ) from None
    except ValueError as exc:
        raise error([Problem(SourceLocation(path), "", f"a value cannot be read: {exc}")]) from None
    except RecursionError:
        raise error([Problem(SourceLocation(path), "", "nested too deeply")]) from None
    # JSON strings cannot hold raw tabs, so outside strings a tab is only
    # white space: swapping it for a space lets the YAML composer find lines.
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    try:
        loader = _StrictLoader(text.replace("\t", " "))
        try:
            node = loader.get_single_node()
            if node is not None:
                _walk(node, (), lines, problems, path, [0, 0], set())
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        lines, problems = {}, []
    if duplicates and not problems:
        problems = [
            Problem(SourceLocation(path), name, f"duplicate key '{name}'; give each key once")
            for name in duplicates
        ]
    if problems and not (keep_going and _only_duplicates(problems)):
        raise error(problems)
    return SourceDocument(path, data, lines, tuple(problems))


# --- validation -------------------------------------------------------------


def validate_document(
    doc: SourceDocument,
    model: type[ModelT],
    *,
    error: type[NeuroseqError],
    expected: str | None = None,
    checks: Callable[[dict[str, Any]], list[Problem]] | None = None,
) -> ModelT:
    """Validate ``doc.data`` against ``model``; every problem becomes a located message.

    ``expected`` names the top-level keys for the message when the file is not a
    mapping. ``checks`` adds problems found outside the model (cross-field checks
    located at the right line): they are reported together with the model's, and a
    whole-file model error is left out when they exist (it repeats them without a
    line). Any problem raises ``error`` with every problem, each once.
    """
    data = doc.data
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        message = (
            f"expected a mapping with {expected}"
            if expected
            else f"expected a mapping of keys at the top of the file, found {kind}"
        )
        raise error([Problem(doc.location(()), "", message)])
    located = checks(data) if checks is not None else []
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        from_model = pydantic_problems(doc, model, exc)
        if located:
            from_model = [p for p in from_model if p.field != ""]
        raise error(unique_problems([*located, *from_model])) from None
    if located:
        raise error(unique_problems(located))
    return value


def pydantic_problems(
    doc: SourceDocument,
    model: type[BaseModel],
    exc: ValidationError,
    prefix: PathKey = (),
) -> list[Problem]:
    """Turn a pydantic ValidationError into located, readable problems."""
    problems: list[Problem] = []
    for item in exc.errors(include_url=False):
        loc = _clean_loc(item["loc"])
        full = (*prefix, *loc)
        message = _message(model, loc, item)
        problems.append(Problem(doc.location(full), field_path(full), message))
    return sorted(set(problems), key=lambda p: (p.location.line or 0, p.field, p.message))


def _clean_loc(loc: tuple[int | str, ...]) -> PathKey:
    """Drop pydantic's internal steps (union members, validator names) from a location."""
    clean: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        clean.append(part)
    return tuple(clean)


def _message(model: type[BaseModel], loc: PathKey, item: Mapping[str, Any]) -> str:
    kind = item["type"]
    given = item.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        allowed = _allowed_keys(model, loc[:-1])
        hint = ""
        similar = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if similar:
            hint = f"; did you mean '{similar[0]}'?"
        elif allowed and len(allowed) <= 12:
            hint = f"; allowed keys: {', '.join(sorted(allowed))}"
        return f"unknown key '{name}'{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch" and "\\x00" in str(item.get("ctx", {}).get("pattern", "")):
        return "contains a control character; remove it"
    if kind in ("literal_error", "enum"):
        expected = item.get("ctx", {}).get("expected", "")
        shown = _shown(given)
        close = ""
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
        if isinstance(given, str):
            match = difflib.get_close_matches(given, options, n=1, cutoff=0.6)
            if match:
                close = f"; did you mean '{match[0]}'?"
        return f"{shown} is not allowed; expected {expected}{close}"
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind not in ("value_error", "assertion_error") and given is not None:
        message = f"{message} (got {_shown(given)})"
    return message


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _allowed_keys(model: type[BaseModel], loc: PathKey) -> list[str]:
    """The field names allowed at ``loc`` inside ``model`` (best effort)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Annotated wrappers to reach a model class, if any."""
    for _ in range(5):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else members[0]
        else:
            break
    return annotation


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple, Sequence, frozenset, set) and args:
        return args[0]
    if origin in (dict, Mapping) and len(args) == 2:
        return args[1]
    return None
