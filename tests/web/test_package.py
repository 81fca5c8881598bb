"""The web package loads without the web extra's server (its modules import Starlette lazily)."""

from __future__ import annotations

import neuroseq.web


def test_package_exports_nothing_but_its_modules() -> None:
    assert neuroseq.web.__all__ == []
    assert "neuroseq serve" in (neuroseq.web.__doc__ or "")
