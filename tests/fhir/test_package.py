"""fhir/__init__.py: whether FHIR support is installed, and the located advice when it is not."""

from __future__ import annotations

import pytest

import neuroseq.fhir
from neuroseq.errors import FhirError
from neuroseq.fhir import INSTALL_HINT, available, require


def test_available_with_the_extra_installed() -> None:
    assert available()


def test_require_passes_with_the_extra_installed() -> None:
    require("--format fhir")


def test_require_says_how_to_install_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(neuroseq.fhir, "available", lambda: False)
    with pytest.raises(FhirError, match=r"^--format fhir: FHIR needs the optional fhir extra"):
        require("--format fhir")


def test_install_hint_names_the_extra() -> None:
    assert "pip install 'neuroseq[fhir]'" in INSTALL_HINT


def test_fhir_package_lists_its_exports() -> None:
    assert sorted(neuroseq.fhir.__all__) == ["INSTALL_HINT", "available", "require"]
