"""Strict YAML/JSON loading: safe tags, no duplicate keys, limits, and messages in words."""

from __future__ import annotations

import pytest

from neuroseq.errors import RuleError
from neuroseq.source import load_text, pattern_in_words


def test_pattern_in_words_describes_catalogue_ids() -> None:
    assert pattern_in_words(r"^[a-z][a-z0-9_]*$", "CBT") == (
        "contains capital letters, which is not allowed: use only lower-case letters, digits "
        "and '_', starting with a lower-case letter (no spaces)"
    )


def test_load_text_refuses_a_rule_file_that_would_run_code() -> None:
    text = "schema: neuroseq/rules/v1\nrules:\n  - !!python/object/apply:os.system ['true']\n"
    with pytest.raises(RuleError, match="is not allowed"):
        load_text(text, "evil.yaml", error=RuleError)
