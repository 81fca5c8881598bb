"""The package surface: ``neuroseq.__all__`` and names loaded on first use."""

from __future__ import annotations

import subprocess
import sys
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


def test_neuroseq_loads_its_members_on_first_use_only() -> None:
    probe = (
        "import sys, neuroseq; "
        "print('neuroseq.api' in sys.modules); "
        "neuroseq.Planner; "
        "print('neuroseq.api' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown == ["False", "True"]


def test_neuroseq_members_are_the_objects_of_their_homes() -> None:
    from neuroseq import api, errors
    from neuroseq.engine import plan_model

    assert neuroseq.Planner is api.Planner
    assert neuroseq.NeuroseqError is errors.NeuroseqError
    assert neuroseq.Plan is plan_model.Plan
    assert neuroseq.__version__.count(".") == 2
