"""Strict YAML/JSON loading: safe tags, no duplicate keys, limits, and messages in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from neuroseq.errors import CaseError, Problem, RuleError, SourceLocation
from neuroseq.source import (
    MAX_BYTES,
    describe_value,
    field_path,
    is_echoable,
    load_document,
    load_text,
    pattern_in_words,
    unique_problems,
    unsafe_character,
)


def test_pattern_in_words_describes_catalogue_ids() -> None:
    assert pattern_in_words(r"^[a-z][a-z0-9_]*$", "CBT") == (
        "contains capital letters, which is not allowed: use only lower-case letters, digits "
        "and '_', starting with a lower-case letter (no spaces)"
    )


def test_load_text_refuses_a_rule_file_that_would_run_code() -> None:
    text = "schema: neuroseq/rules/v1\nrules:\n  - !!python/object/apply:os.system ['true']\n"
    with pytest.raises(RuleError, match="is not allowed"):
        load_text(text, "evil.yaml", error=RuleError)


def test_load_text_keeps_the_line_of_every_key() -> None:
    doc = load_text("a: 1\nb:\n  c: [1, 2]\n", "x.yaml", error=CaseError)
    assert doc.data == {"a": 1, "b": {"c": [1, 2]}}
    assert doc.line_for(("b", "c")) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: 1\na: 2\n",
            "x.yaml:2: a: duplicate key 'a' (first given on line 1); give each key once",
        ),
        (
            "a:\n\t- 1\n",
            "x.yaml:2:1: a tab character at line 2, column 1: YAML indents with spaces only",
        ),
        (
            "a: !!python/name:os.system\n",
            "x.yaml:1:4: a: the YAML tag '!!python/name:os.system' is not allowed",
        ),
        ("<<: {a: 1}\n", "x.yaml:1: merge keys (<<) are not allowed; write each key out"),
    ],
    ids=["duplicate-key", "tab", "python-tag", "merge-key"],
)
def test_load_text_refuses_unsafe_or_ambiguous_yaml(text: str, message: str) -> None:
    with pytest.raises(CaseError, match=re.escape(message)):
        load_text(text, "x.yaml", error=CaseError)


def test_load_text_reads_dates_as_text_for_the_models_to_check() -> None:
    assert load_text("a: 2026-01-01\n", "x.yaml", error=CaseError).data == {"a": "2026-01-01"}


def test_load_text_reads_json_by_its_suffix() -> None:
    doc = load_text('{\n  "a": [1,\n  2]\n}\n', "x.json", error=CaseError)
    assert doc.data == {"a": [1, 2]}
    with pytest.raises(CaseError, match=r"^x\.json:"):
        load_text('{"a": 1,}', "x.json", error=CaseError)


def test_load_document_refuses_a_file_above_the_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    with pytest.raises(CaseError, match="big.yaml"):
        load_document(big, error=CaseError)


def test_load_document_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="nope.yaml: file not found"):
        load_document(tmp_path / "nope.yaml", error=CaseError)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("hello", "'hello'"), (3, "3"), (None, "null"), ([1], "a list"), ({"a": 1}, "a mapping")],
)
def test_describe_value_shows_scalars_and_names_containers(value: object, shown: str) -> None:
    assert describe_value(value) == shown


def test_unsafe_character_names_control_and_bidi_characters() -> None:
    assert unsafe_character("plain text") is None
    assert unsafe_character("a\x1bb") == "contains a control character; remove it"
    assert (unsafe_character("a\u202eb") or "").startswith(
        "contains a bidirectional text control (U+202E)"
    )


def test_is_echoable_only_for_single_tokens_and_numbers() -> None:
    assert is_echoable("abc") and is_echoable(5)
    assert not is_echoable("a b")


def test_field_path_joins_keys_and_indexes() -> None:
    assert field_path(("client", "interests", 0)) == "client.interests[0]"


def test_unique_problems_drops_repeats_in_file_and_line_order() -> None:
    late = Problem(SourceLocation("a.yaml", 9), "x", "m")
    early = Problem(SourceLocation("a.yaml", 2), "y", "m")
    assert unique_problems([late, early, late]) == [early, late]
