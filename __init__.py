"""neuroseq: an open, auditable treatment-planning engine.

neuroseq is an independent implementation of published neurosequential
ideas (Perry & Dobson 2013). It is not the official NMT™ Metric and it
supports, never replaces, clinical judgement.

Data flows one way::

    case text --parse_case--> Case --Planner.plan--> PlanResult --render(fmt)--> text

The public API (values in, values out) is what this module exports; its
members load on first use, so ``neuroseq --version`` stays fast. See
:mod:`neuroseq.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
"""The package version; pyproject.toml reads it from here (one place to change)."""

__all__ = [
    "Case",
    "Comparison",
    "FollowThrough",
    "NeuroseqError",
    "Plan",
    "PlanResult",
    "Planner",
    "__version__",
    "compare",
    "estimate_caregiver",
    "load_caregiver",
    "load_case",
    "parse_case",
    "plan_files",
    "render",
]

# Where each public name lives (loaded on first use).
_HOMES = {
    "Case": "neuroseq.scoring.case",
    "Comparison": "neuroseq.reports.compare",
    "FollowThrough": "neuroseq.engine.follow_through",
    "NeuroseqError": "neuroseq.errors",
    "Plan": "neuroseq.engine.plan_model",
    "PlanResult": "neuroseq.engine.workflow",
    "Planner": "neuroseq.api",
    "compare": "neuroseq.api",
    "estimate_caregiver": "neuroseq.api",
    "load_caregiver": "neuroseq.api",
    "load_case": "neuroseq.api",
    "parse_case": "neuroseq.api",
    "plan_files": "neuroseq.api",
    "render": "neuroseq.api",
}

if TYPE_CHECKING:
    from neuroseq.api import (
        Planner,
        compare,
        estimate_caregiver,
        load_caregiver,
        load_case,
        parse_case,
        plan_files,
        render,
    )
    from neuroseq.engine.follow_through import FollowThrough
    from neuroseq.engine.plan_model import Plan
    from neuroseq.engine.workflow import PlanResult
    from neuroseq.errors import NeuroseqError
    from neuroseq.reports.compare import Comparison
    from neuroseq.scoring.case import Case


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'neuroseq' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
