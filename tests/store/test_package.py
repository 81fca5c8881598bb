"""The store package exports its API (what the CLI and the web app use)."""

from __future__ import annotations

import neuroseq.store


def test_package_exports_the_store_api() -> None:
    for name in neuroseq.store.__all__:
        assert getattr(neuroseq.store, name) is not None
    assert neuroseq.store.DB_ENVIRONMENT == "NEUROSEQ_DB"
    assert {"CaseStore", "Added", "StoredAssessment"} <= set(neuroseq.store.__all__)
