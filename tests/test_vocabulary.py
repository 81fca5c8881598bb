"""The vocabulary has one home: other modules import it and never type it out again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from neuroseq import vocabulary

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["catalog", "engine", "reports", "rules", "scoring"]
SOURCES = sorted(path for folder in PACKAGES for path in (ROOT / folder).rglob("*.py")) + sorted(
    p for p in ROOT.glob("*.py") if p.name != "vocabulary.py"
)


def _spelled(words: tuple[str, ...]) -> re.Pattern[str]:
    """The words written out as a tuple or Literal in this order, quotes and commas only."""
    quoted = r"\s*,\s*".join(f'"{re.escape(w)}"' for w in words)
    return re.compile(quoted)


@pytest.mark.parametrize(
    "name",
    ["AUDIENCES", "PHASES", "DOMAINS", "REGIONS", "ACTIONS", "ACTIVE_ACTIONS", "BANDS", "PERIODS"],
)
def test_vocabulary_is_typed_out_only_in_its_module(name: str) -> None:
    pattern = _spelled(getattr(vocabulary, name))
    found = [
        str(p.relative_to(ROOT)) for p in SOURCES if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert found == [], f"{name} typed out again in {found}; import it from neuroseq.vocabulary"


def test_vocabulary_tuples_match_their_literal_types() -> None:
    from typing import get_args

    pairs = [
        (vocabulary.Audience, vocabulary.AUDIENCES),
        (vocabulary.Phase, vocabulary.PHASES),
        (vocabulary.Domain, vocabulary.DOMAINS),
        (vocabulary.Region, vocabulary.REGIONS),
        (vocabulary.Action, vocabulary.ACTIONS),
        (vocabulary.Band, vocabulary.BANDS),
        (vocabulary.Impairment, vocabulary.IMPAIRMENTS),
        (vocabulary.CmrBand, vocabulary.CMR_BANDS),
        (vocabulary.Period, vocabulary.PERIODS),
    ]
    for literal, words in pairs:
        assert set(get_args(literal)) == set(words)
    assert set(vocabulary.ACTIVE_ACTIONS) | set(vocabulary.GATE_ACTIONS) == set(vocabulary.ACTIONS)


def test_vocabulary_field_docs_repeat_no_norms_number() -> None:
    from neuroseq.engine.facts import FACT_TYPES

    for fact_type in FACT_TYPES.values():
        for spec in fact_type.fields:
            assert not re.search(r"0\.70|0\.85|< ?1\.0|< ?2\.0", spec.doc), (
                fact_type.name,
                spec.name,
            )
