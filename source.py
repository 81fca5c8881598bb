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
* text must be UTF-8;
* explicit tags with values they cannot hold (``!!int ""``), numbers beyond
  :data:`MAX_NUMBER` or not finite, and nesting deeper than :data:`MAX_DEPTH`
  fail with their line;
* C0 and C1 control characters and bidirectional overrides fail in every
  text value except free text (``notes``), which the models check;
* files that must sit in their folder (rules, catalogue, norms, weights)
  fail when they are symbolic links to somewhere outside it.

Messages never quote what a file says (case files describe children): they
name the file, line and field, say what is wrong and what is allowed, and
echo a value only when it is an id, an enum value, a number or a date.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_NUMBER",
    "SourceDocument",
    "describe_value",
    "document_from_bytes",
    "field_path",
    "is_echoable",
    "load_document",
    "load_text",
    "pattern_in_words",
    "read_source",
    "refuse_outside_link",
    "unique_problems",
    "unsafe_character",
    "validate_document",
]

MAX_BYTES = 1024 * 1024
MAX_ALIASES = 100
MAX_NODES = 100_000
MAX_DEPTH = 100
"""Deepest nesting of mappings and lists; neuroseq files need far fewer levels."""
MAX_NUMBER = 10**15
"""Largest magnitude of a number in any file; beyond it a number is refused with its line."""

FREE_TEXT_KEYS = frozenset({"notes"})
"""Keys holding free text: the models check their characters, the loader does not."""

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
    """``("history", 0, "period")`` -> ``history[0].period``.

    A key that is not a plain name (it has spaces or unusual characters, so it
    may be text someone wrote) is shown as ``<key>``: the line says where it is.
    """
    text = ""
    for part in key:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = str(part) if is_echoable(part) else "<key>"
            text += f".{name}" if text else name
    return text


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+-]*")
_DATE_LIKE = re.compile(r"[0-9]{1,4}([-/. ][0-9]{1,4}){0,2}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+Z-]*")


def is_echoable(value: object) -> bool:
    """Whether a message may show ``value``: an id, an enum value, a name of a key.

    Text with spaces or unusual characters may be something a clinician wrote
    about a child, so it is never shown; a number, a boolean and a short
    single token (``fulll``, ``CBT``, ``tf_cbt``) are.
    """
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return abs(value) < MAX_NUMBER if math.isfinite(value) else False
    return isinstance(value, str) and len(value) <= 40 and _TOKEN.fullmatch(value) is not None


def describe_value(value: object) -> str:
    """What a message says it got: the value when :func:`is_echoable`, else only its kind."""
    if isinstance(value, str):
        if is_echoable(value):
            return repr(value)
        count = len(value)
        return f"text of {count} character{'s' if count != 1 else ''}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return json.dumps(value) if is_echoable(value) else "a number too large to use"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a value of type {type(value).__name__}"


_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def unsafe_character(text: str) -> str | None:
    """A message naming the first character ``text`` must not hold, or None.

    Refused: C0 and C1 control characters (they drive terminals) except tab,
    line feed and carriage return, and the bidirectional overrides and
    isolates U+202A-U+202E and U+2066-U+2069 (they make text display in an
    order other than the one it is stored in).
    """
    found = _UNSAFE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if code >= 0x202A:
        return (
            f"contains a bidirectional text control (U+{code:04X}), which makes text "
            "display in a misleading order; remove it"
        )
    return "contains a control character; remove it"


# libyaml (C) composes and scans about ten times faster than pure Python;
# PyYAML's wheels ship it. Either way only safe constructors are used.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader whose dates stay text; aliases are bounded in :func:`_walk`.

    A value that its tag cannot hold (``!!int ""``, ``!!bool maybe``, an
    integer too long to read) fails at its own line instead of escaping as a
    Python error from deep inside PyYAML.
    """

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, LookupError, OverflowError, AttributeError):
            raise yaml.MarkedYAMLError(
                problem=f"this value cannot be read as {_tag_name(node.tag)}; "
                "write it plainly (without a tag) or fix the value",
                problem_mark=node.start_mark,
            ) from None


_ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "seq", "map", "timestamp")
)
"""Tags a neuroseq file may use: plain data (no binary, sets, pairs or ordered maps)."""


def _tag_name(tag: str) -> str:
    short = tag.replace("tag:yaml.org,2002:", "!!")
    return f"'{short}'" if is_echoable(short.lstrip("!")) else "its tag"


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


def refuse_outside_link(path: Path | str, *, error: type[NeuroseqError]) -> None:
    """Refuse ``path`` when it is a symbolic link to somewhere outside its own folder.

    Rule, catalogue, norms, weights and template files are data a trainer
    shares; a link out of their folder (to ``/proc/self/environ``, another
    user's files) would put whatever it names into a plan or a report.
    """
    link = Path(path)
    if not link.is_symlink():
        return
    folder = os.path.realpath(link.parent if str(link.parent) else ".")
    target = os.path.realpath(link)
    if os.path.commonpath([folder, target]) != folder:
        raise error(
            [
                Problem(
                    SourceLocation(str(path)),
                    "",
                    "is a symbolic link to a file outside its folder; copy the file "
                    "into the folder instead",
                )
            ]
        )


def read_source(path: Path | str, *, error: type[NeuroseqError], contained: bool = False) -> bytes:
    """The bytes of one regular file (at most :data:`MAX_BYTES` + 1), or ``error``.

    ``contained`` refuses a symbolic link out of the file's folder
    (:func:`refuse_outside_link`).
    """
    shown = str(path)
    try:
        if contained:
            refuse_outside_link(path, error=error)
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
        reason = exc.strerror or type(exc).__name__
        raise error([Problem(SourceLocation(shown), "", f"cannot read: {reason}")]) from None
    except ValueError:  # a NUL byte in the path
        raise error([Problem(SourceLocation(shown), "", "not a usable file name")]) from None
    return raw


def load_document(
    path: Path | str,
    *,
    error: type[NeuroseqError],
    keep_going: bool = False,
    contained: bool = False,
) -> SourceDocument:
    """Read and parse one YAML or JSON file strictly, raising ``error`` on any problem.

    With ``keep_going``, duplicate keys and unsafe characters in text do not
    stop loading: the document is returned with those problems in
    :attr:`SourceDocument.problems`, so that validation can report them
    together with everything else in one run. Disallowed tags, unreadable
    values and numbers out of range always stop loading. ``contained`` refuses
    a symbolic link out of the file's folder.
    """
    raw = read_source(path, error=error, contained=contained)
    return document_from_bytes(raw, str(path), error=error, keep_going=keep_going)


def document_from_bytes(
    raw: bytes, path: str, *, error: type[NeuroseqError], keep_going: bool = False
) -> SourceDocument:
    """Parse the bytes of a file already read (see :func:`load_document`)."""
    return load_text(_decode(raw, path, error), path, error=error, keep_going=keep_going)


def load_text(
    text: str, path: str, *, error: type[NeuroseqError], keep_going: bool = False
) -> SourceDocument:
    """Parse text already read (YAML, or JSON when ``path`` ends in .json)."""
    if path.lower().endswith(".json"):
        return _load_json(text, path, error, keep_going)
    return _load_yaml(text, path, error, keep_going)


def _only_soft(problems: Sequence[Problem]) -> bool:
    """Whether every problem is one that ``keep_going`` lets loading continue past."""
    return all(p.message.startswith(_SOFT_PREFIXES) for p in problems)


_SOFT_PREFIXES = ("duplicate key", "contains a control character", "contains a bidirectional")


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
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else problem
    if _is_tab_problem(message, text, mark):
        where = f"line {line}, column {column}" if line is not None else "this line"
        return Problem(
            SourceLocation(path, line, column),
            "",
            f"a tab character at {where}: YAML indents with spaces only; "
            "replace the tab with spaces",
        )
    if "could not determine a constructor" in message or "unhashable" in message:
        message = (
            "this YAML tag is not allowed: neuroseq files hold plain data only "
            "(mappings, lists, text, numbers, dates)"
        )
    elif type(exc) is yaml.MarkedYAMLError and exc.problem:
        message = problem  # one of neuroseq's own messages (_walk, construct_object)
    else:
        message = f"not valid YAML: {_quiet(message)}"
    return Problem(SourceLocation(path, line, column), "", message)


def _is_tab_problem(message: str, text: str, mark: Any) -> bool:
    if "tab" in message or "'\\t'" in message:
        return True
    if mark is None or not text:
        return False
    lines = text.split("\n")
    return 0 <= mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def _quiet(message: str) -> str:
    """A parser's message without quoted text from the file (single characters stay)."""

    def keep(found: re.Match[str]) -> str:
        inner = found.group(1) if found.group(1) is not None else found.group(2)
        if len(inner) <= 1 or inner.startswith("<") or is_echoable(inner):
            return found.group()
        return "'…'"

    return _QUOTED.sub(keep, message)[:300]


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
        if problems and not (keep_going and _only_soft(problems)):
            raise error(problems)
        data = loader.construct_document(node)
    except (ValueError, TypeError, OverflowError, LookupError):
        raise error([Problem(SourceLocation(path), "", "a value cannot be read")]) from None
    except yaml.YAMLError as exc:
        raise error([_yaml_problem(exc, path, text)]) from None
    except RecursionError:
        raise error([Problem(SourceLocation(path), "", "nested too deeply")]) from None
    finally:
        loader.dispose()
    return _checked_values(SourceDocument(path, data, lines, tuple(problems)), error, keep_going)


def _checked_values(
    doc: SourceDocument, error: type[NeuroseqError], keep_going: bool
) -> SourceDocument:
    """Refuse numbers beyond :data:`MAX_NUMBER` and unsafe characters in text, each located.

    A number out of range always stops loading (later stages would overflow
    on it); unsafe text stops it unless ``keep_going``.
    """
    hard: list[Problem] = []
    soft: list[Problem] = []
    stack: list[tuple[PathKey, Any, bool]] = [((), doc.data, False)]
    while stack:
        key, value, free = stack.pop()
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                hard.append(doc.problem(key, "not a finite number; give a number"))
            elif abs(value) > MAX_NUMBER:
                hard.append(doc.problem(key, "this number is far too large for any field here"))
        elif isinstance(value, str):
            message = None if free else unsafe_character(value)
            if message:
                soft.append(doc.problem(key, message))
        elif isinstance(value, dict):
            for name, item in value.items():
                if isinstance(name, str) and not free:
                    message = unsafe_character(name)
                    if message:
                        soft.append(doc.problem((*key, name), f"the key {message}"))
                inner = free or (isinstance(name, str) and name in FREE_TEXT_KEYS)
                stack.append(((*key, name if isinstance(name, str) else str(name)), item, inner))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                stack.append(((*key, index), item, free))
    if hard:
        raise error(unique_problems([*doc.problems, *hard, *soft]))
    if soft and not keep_going:
        raise error(unique_problems([*doc.problems, *soft]))
    if soft:
        return SourceDocument(doc.path, doc.data, doc.lines, (*doc.problems, *soft))
    return doc


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
    if len(key) > MAX_DEPTH:
        raise yaml.MarkedYAMLError(
            problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=node.start_mark
        )
    lines.setdefault(key, node.start_mark.line + 1)
    if node.tag not in _ALLOWED_TAGS:
        problems.append(
            Problem(
                SourceLocation(path, node.start_mark.line + 1, node.start_mark.column + 1),
                field_path(key),
                f"the YAML tag {_tag_name(node.tag)} is not allowed: neuroseq files hold plain "
                "data only (mappings, lists, text, numbers, dates)",
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
                shown = f"'{name}'" if is_echoable(name) else "on this line"
                problems.append(
                    Problem(
                        SourceLocation(path, line),
                        field_path((*key, name)),
                        f"duplicate key {shown} (first given on line {seen[name]}); "
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


_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _yaml_safe_literal(found: re.Match[str]) -> str:
    """A JSON string literal rewritten so the YAML composer reads it (lines kept).

    JSON escapes YAML does not know (``\\/``, surrogate pairs such as
    ``\\ud83d\\ude00``) would otherwise stop the composer, and every line
    number would be lost.
    """
    literal = found.group()
    try:
        value = json.loads(literal)
    except ValueError:
        return '"' + "x" * max(0, len(literal) - 2) + '"'
    out = []
    for char in str(value):
        code = ord(char)
        if 0x20 <= code < 0x7F and char not in '"\\':
            out.append(char)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\uFFFD")
        else:
            out.append(f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


def _json_lines(text: str, path: str) -> tuple[dict[PathKey, int], list[Problem]]:
    """The line of every key and item of a JSON text, and its duplicate keys, located.

    JSON strings cannot hold raw tabs, so outside strings a tab is only white
    space: swapping it for a space lets the YAML composer find lines.
    """
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    try:
        loader = _StrictLoader(_JSON_STRING.sub(_yaml_safe_literal, text).replace("\t", " "))
        try:
            node = loader.get_single_node()
            if node is not None:
                _walk(node, (), lines, problems, path, [0, 0], set())
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return {}, []
    return lines, problems


class _LazyLines(Mapping[PathKey, int]):
    """The lines of a JSON file, found the first time a message asks for one.

    Finding lines re-reads the text with the YAML composer, which costs more than
    parsing the JSON; most files have nothing to locate.
    """

    def __init__(self, text: str, path: str) -> None:
        self._text: str | None = text
        self._path = path
        self._lines: dict[PathKey, int] = {}

    def _found(self) -> dict[PathKey, int]:
        if self._text is not None:
            self._lines = _json_lines(self._text, self._path)[0]
            self._text = None
        return self._lines

    def __getitem__(self, key: PathKey) -> int:
        return self._found()[key]

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())

    def __contains__(self, key: object) -> bool:
        return key in self._found()


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
            [
                Problem(
                    SourceLocation(path, exc.lineno, exc.colno),
                    "",
                    f"not valid JSON: {_quiet(exc.msg)}",
                )
            ]
        ) from None
    except ValueError:
        raise error(
            [Problem(SourceLocation(path), "", "a value cannot be read (a number far too long?)")]
        ) from None
    except RecursionError:
        raise error([Problem(SourceLocation(path), "", "nested too deeply")]) from None
    lines: Mapping[PathKey, int]
    problems: list[Problem] = []
    if duplicates:
        lines, problems = _json_lines(text, path)
    else:
        # a valid file needs its lines only to locate a later problem: find them then
        lines = _LazyLines(text, path)
    if len(_depth_probe(data)) > MAX_DEPTH:
        raise error(
            [Problem(SourceLocation(path), "", f"nested more than {MAX_DEPTH} levels deep")]
        )
    if duplicates and not problems:
        problems = [
            Problem(
                SourceLocation(path),
                field_path((name,)),
                f"duplicate key {describe_value(name)}; give each key once",
            )
            for name in duplicates
        ]
    if problems and not (keep_going and _only_soft(problems)):
        raise error(problems)
    return _checked_values(SourceDocument(path, data, lines, tuple(problems)), error, keep_going)


def _depth_probe(data: Any) -> PathKey:
    """The path to one of the deepest values (iterative: deep JSON must not overflow the stack)."""
    deepest: PathKey = ()
    stack: list[tuple[PathKey, Any]] = [((), data)]
    while stack:
        key, value = stack.pop()
        if len(key) > len(deepest):
            deepest = key
        if len(key) > MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend(((*key, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*key, i), v) for i, v in enumerate(value))
    return deepest


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
    ctx = item.get("ctx") or {}
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else ""
        allowed = _allowed_keys(model, loc[:-1])
        hint = ""
        similar = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if similar:
            hint = f"; did you mean '{similar[0]}'?"
        elif allowed and len(allowed) <= 12:
            hint = f"; allowed keys: {', '.join(sorted(allowed))}"
        shown = f"'{name}'" if is_echoable(name) else "on this line"
        return f"unknown key {shown}{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "\\x00" in pattern:
            return "contains a control character; remove it"
        return pattern_in_words(pattern, given)
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        close = ""
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",")]
        if isinstance(given, str):
            match = difflib.get_close_matches(given, options, n=1, cutoff=0.6)
            if not match:
                match = [o for o in options if o.lower() == given.strip().lower()]
            if match:
                close = f"; did you mean '{match[0]}'?"
        return f"{describe_value(given)} is not allowed; expected {expected}{close}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return _date_message(kind, given)
    words = _KIND_WORDS.get(kind)
    if words is not None:
        shown = f" (got {describe_value(given)})" if given is not None else ""
        return words.format(**{k: _number_words(v) for k, v in ctx.items()}) + shown
    message = _quiet(str(item["msg"]))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind not in ("value_error", "assertion_error") and given is not None:
        message = f"{message} (got {describe_value(given)})"
    return message


# pydantic's error kinds in words a clinician reads (the value is shown by describe_value).
_KIND_WORDS = {
    "less_than_equal": "too high: at most {le}",
    "greater_than_equal": "too low: at least {ge}",
    "less_than": "too high: below {lt}",
    "greater_than": "too low: above {gt}",
    "multiple_of": "use steps of {multiple_of} (whole or half points)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number, without a fraction",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false (leave the key out when it is not known)",
    "bool_parsing": "true or false (leave the key out when it is not known)",
    "string_type": "text",
    "tuple_type": "a list, e.g. [first, second]",
    "list_type": "a list, e.g. [first, second]",
    "dict_type": "a mapping of keys and values (indented lines under the key)",
    "model_type": "a mapping of keys and values (indented lines under the key)",
    "model_attributes_type": "a mapping of keys and values (indented lines under the key)",
    "string_too_short": "give at least {min_length} character(s)",
    "string_too_long": "too long: at most {max_length} characters",
    "too_short": "give at least {min_length} item(s)",
    "too_long": "too many: at most {max_length} items",
}


def _number_words(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _date_message(kind: str, given: Any) -> str:
    """Dates in a clinician's words: the form to use and, for a date-like value, what was seen."""
    shown = ""
    if isinstance(given, str) and len(given) <= 25 and _DATE_LIKE.fullmatch(given.strip()):
        shown = f"; got {given.strip()}"
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", given.strip()):
            return (
                f"{given.strip()} is not a calendar date (month 01-12, a day that month has); "
                "write dates as YYYY-MM-DD"
            )
    elif isinstance(given, str):
        shown = "; got text that is not a date"
    elif isinstance(given, int | float) and not isinstance(given, bool):
        shown = f"; got the number {describe_value(given)}"
    elif kind == "date_from_datetime_inexact":
        shown = "; give the date without a time"
    else:
        shown = f"; got {describe_value(given)}"
    return f"write dates as YYYY-MM-DD, e.g. 2026-03-15{shown}"


_CLASS_WORDS = {"A-Za-z": "letters", "a-z": "lower-case letters", "A-Z": "capital letters"}
_CHAR_WORDS = {" ": "a space", "\t": "a tab", "\n": "a line break"}


def _class_words(body: str) -> list[str]:
    """``A-Za-z0-9._-`` -> ``["letters", "digits", "'.'", "'_'", "'-'"]``."""
    words: list[str] = []
    for letters, word in _CLASS_WORDS.items():
        if letters in body:
            words.append(word)
            body = body.replace(letters, "")
            break
    if "0-9" in body:
        words.append("digits")
        body = body.replace("0-9", "")
    words.extend(f"'{char}'" for char in body.replace("\\", ""))
    return words


def _joined(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def pattern_in_words(pattern: str, given: Any = None) -> str:
    """A message for a value that does not match ``pattern``, in words instead of a regex.

    Patterns of the form ``^[first][rest]*$`` are described by their allowed
    characters; the characters of ``given`` that are not allowed are named
    (single characters are not case content).
    """
    found = re.fullmatch(r"\^\[([^\]]+)\]\[([^\]]+)\]\*\$", pattern)
    if found is None:
        return "does not have the form this field needs"
    first, rest = found.groups()
    starts = [w if w.startswith("'") else "a " + w.rstrip("s") for w in _class_words(first)]
    message = (
        f"use only {_joined(_class_words(rest))}, starting with {_joined(starts, 'or')} (no spaces)"
    )
    if isinstance(given, str) and given:
        bad = sorted(set(re.sub(f"[{rest}]", "", given)))
        named = [_CHAR_WORDS.get(c, "capital letters" if c.isupper() else f"'{c}'") for c in bad]
        named = list(dict.fromkeys(named))
        if named:
            return f"contains {_joined(named[:4])}, which is not allowed: {message}"
        return f"does not start with an allowed character: {message}"
    return message


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
