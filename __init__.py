"""neuroseq: an open, auditable treatment-planning engine.

neuroseq is an independent implementation of published neurosequential
ideas (Perry & Dobson 2013). It is not the official NMT(TM) Metric and it
supports, never replaces, clinical judgement.

Data flows one way::

    case file --load--> Case --score(norms)--> Profile
              --plan(rulebase, catalog)--> Plan --render(fmt)--> file
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("neuroseq")
except PackageNotFoundError:  # pragma: no cover - only when run from a bare checkout
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
