"""The batch package exports its API."""

from __future__ import annotations

import neuroseq.batch


def test_package_exports_the_batch_api() -> None:
    for name in neuroseq.batch.__all__:
        assert getattr(neuroseq.batch, name) is not None
    assert neuroseq.batch.default_jobs() >= 1
