"""Shared fixtures for catalogue tests: the bundled catalogue and small YAML files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from neuroseq.catalog.loader import load_catalog
from neuroseq.catalog.model import Catalog

ENTRY = """\
  - id: {id}
    name: {name}
    summary: A short test entry.
    audience: client
    mode: somatosensory
    phase: regulate
    targets: [brainstem]
    domains: [self_regulation]
    six_rs:
      relational: {{value: true, how: "with an adult"}}
      relevant: {{value: true, how: "matched"}}
      repetitive: {{value: true, how: "repeated"}}
      rewarding: {{value: true, how: "fun"}}
      rhythmic: {{value: true, how: "steady beat"}}
      respectful: {{value: true, how: "chosen"}}
    min_developmental_age: 1.0
    min_cmr: null
    settings: [home]
    dosing: {{frequency: "several times a day", episode: "5 minutes"}}
    contraindications: []
    interest_tags: [music]
    evidence: {{note: "test", source: "test"}}
"""
"""One valid client entry, 23 lines long; format with ``id`` and ``name``."""

HEADER = 'schema: neuroseq/catalog/v1\nversion: "test"\ninterventions:\n'
"""Three lines that open a catalogue file."""


def _catalog_text(*ids: str) -> str:
    return HEADER + "".join(ENTRY.format(id=ident, name=f"Entry {ident}") for ident in ids)


@pytest.fixture
def catalog_text() -> Callable[..., str]:
    """Text of a valid catalogue holding one test entry per id given."""
    return _catalog_text


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def write_catalog(tmp_path: Path) -> Callable[[str], Path]:
    """Write catalogue text to a file and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "catalog.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
