"""The web app for clinicians, reviewers and trainers, on the case store (``neuroseq serve``).

Server-rendered pages (Starlette and jinja2, htmx vendored as a static file)
that read and write only through :mod:`neuroseq.store`; planning runs in a
worker process pool the app owns. With the ``fhir`` extra it also serves the
CDS Hooks service (:mod:`neuroseq.web.cds`). Needs the ``web`` extra.
"""

from __future__ import annotations

__all__: list[str] = []
