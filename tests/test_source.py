"""Strict YAML/JSON loading: safe tags, no duplicate keys, limits, and messages in words."""

from __future__ import annotations

from neuroseq.source import pattern_in_words


def test_pattern_in_words_describes_catalogue_ids() -> None:
    assert pattern_in_words(r"^[a-z][a-z0-9_]*$", "CBT") == (
        "contains capital letters, which is not allowed: use only lower-case letters, digits "
        "and '_', starting with a lower-case letter (no spaces)"
    )
