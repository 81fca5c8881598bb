"""Loading the intervention catalogue from YAML into a validated :class:`Catalog`.

``load_catalog()`` reads the catalogue bundled with the package (package data,
so it works outside the repository); ``load_catalog(path)`` reads a trainer's
own file. Loading is strict (see :mod:`neuroseq.source`) and reports every
problem in one :class:`~neuroseq.errors.CatalogError`, each with ``file:line``.
``catalog_sha256`` fingerprints the exact bytes so a plan can name the
catalogue that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from neuroseq.catalog.model import DUPLICATE_ID_MESSAGE, Catalog
from neuroseq.errors import CatalogError, Problem
from neuroseq.source import SourceDocument, load_document, read_source, validate_document

__all__ = ["BUNDLED_CATALOG", "bundled_catalog_path", "catalog_sha256", "load_catalog"]

BUNDLED_CATALOG = "interventions.yaml"
"""File name of the catalogue shipped inside ``neuroseq.catalog``."""


@contextmanager
def bundled_catalog_path() -> Iterator[Path]:
    """A real file system path to the bundled catalogue, valid inside the ``with`` block."""
    resource = resources.files("neuroseq.catalog") / BUNDLED_CATALOG
    with resources.as_file(resource) as path:
        yield path


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate a catalogue file; ``None`` means the bundled catalogue.

    Raises :class:`CatalogError` listing every problem (unknown or missing
    keys, values out of range, duplicate ids, YAML errors) with its line.
    """
    if path is None:
        with bundled_catalog_path() as bundled:
            return _load(bundled)
    return _load(path)


def catalog_sha256(path: Path | None = None) -> str:
    """Hex sha256 of the catalogue file's bytes; ``None`` means the bundled catalogue."""
    if path is None:
        data = (resources.files("neuroseq.catalog") / BUNDLED_CATALOG).read_bytes()
    else:
        data = read_source(path, error=CatalogError, contained=True)
    return hashlib.sha256(data).hexdigest()


def _load(path: Path) -> Catalog:
    # A catalogue must not link out of its folder; its text (names, summaries,
    # versions) is checked for control characters and bidi overrides by the loader.
    doc = load_document(path, error=CatalogError, contained=True)
    problems = _duplicate_ids(doc)
    try:
        catalog = validate_document(doc, Catalog, error=CatalogError)
    except CatalogError as exc:
        # The model reports repeated ids without lines; the located versions
        # from _duplicate_ids replace them.
        problems += [p for p in exc.problems if not p.message.startswith(DUPLICATE_ID_MESSAGE)]
        raise CatalogError(_ordered(problems)) from None
    if problems:  # pragma: no cover - the model rejects every duplicate found above
        raise CatalogError(_ordered(problems))
    return catalog


def _duplicate_ids(doc: SourceDocument) -> list[Problem]:
    """Every repeated intervention id, located at the line of the repeat.

    Checked on the raw data so a duplicate is reported even when other
    entries fail validation (the model's own check then never runs).
    """
    data: Any = doc.data
    items = data.get("interventions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        key = ("interventions", index, "id")
        ident = item["id"]
        if ident in first:
            first_line = doc.line_for(("interventions", first[ident], "id"))
            problems.append(
                doc.problem(
                    key,
                    f"{DUPLICATE_ID_MESSAGE} '{ident}' (first given on line {first_line}); "
                    "give each intervention a unique id",
                )
            )
        else:
            first[ident] = index
    return problems


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.location.line or 0, p.field, p.message))
