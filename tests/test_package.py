"""The package surface: ``neuroseq.__all__`` and names loaded on first use."""

from __future__ import annotations

import types

import pytest

import neuroseq


def test_neuroseq_all_names_exactly_what_the_package_exports() -> None:
    for name in neuroseq.__all__:
        assert getattr(neuroseq, name) is not None, name
    public = {
        n
        for n in dir(neuroseq)
        if not n.startswith("_") and not isinstance(getattr(neuroseq, n), types.ModuleType)
    } - {"annotations", "TYPE_CHECKING", "Any"}
    assert public <= set(neuroseq.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = neuroseq.nothing_here  # type: ignore[attr-defined]
