"""The intervention catalogue: YAML data, its models, loader and text views.

``interventions.yaml`` (package data) lists what the planner can recommend;
:func:`load_catalog` turns it, or a trainer's own file, into an immutable
:class:`Catalog` that the planner asserts as facts beside the profile.
"""

from neuroseq.catalog.loader import catalog_sha256, load_catalog
from neuroseq.catalog.model import Catalog, Intervention
from neuroseq.catalog.show import render_catalog_list, render_intervention

__all__ = [
    "Catalog",
    "Intervention",
    "catalog_sha256",
    "load_catalog",
    "render_catalog_list",
    "render_intervention",
]
