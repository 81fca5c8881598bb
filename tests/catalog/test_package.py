"""The public surface of ``neuroseq.catalog``."""

from __future__ import annotations

import neuroseq.catalog as package


def test_catalog_package_exports_are_importable() -> None:
    assert sorted(package.__all__) == package.__all__
    for name in package.__all__:
        assert getattr(package, name) is not None
