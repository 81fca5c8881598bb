"""neuroseq: an open, auditable treatment-planning engine.

neuroseq is an independent implementation of published neurosequential
ideas (Perry & Dobson 2013). It is not the official NMT(TM) Metric and it
supports, never replaces, clinical judgement.

Data flows one way::

    case file --load--> Case --score(norms)--> Profile
              --plan(rulebase, catalog)--> Plan --render(fmt)--> file
"""

__version__ = "0.1.0"
"""The package version; pyproject.toml reads it from here (one place to change)."""

__all__ = ["__version__"]
