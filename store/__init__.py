"""The case store: each client's assessments, plans and follow-through, kept over years.

SQLAlchemy 2 with Alembic migrations; SQLite by default (WAL, a busy
timeout, 0600 files in a 0700 folder), PostgreSQL through the ``postgres``
extra (psycopg 3). The CLI (``neuroseq store ...``, ``fidelity``, ``decide``)
and the web app call this API; it calls only the public library API
(:mod:`neuroseq.api`) to read and plan cases.
"""

from __future__ import annotations

from neuroseq.store.case_store import CaseStore, actor_name
from neuroseq.store.location import DB_ENVIRONMENT, default_url, resolve_url
from neuroseq.store.records import (
    Added,
    ClientSummary,
    DecisionRecord,
    FidelityRecord,
    StoredAssessment,
)

__all__ = [
    "DB_ENVIRONMENT",
    "Added",
    "CaseStore",
    "ClientSummary",
    "DecisionRecord",
    "FidelityRecord",
    "StoredAssessment",
    "actor_name",
    "default_url",
    "resolve_url",
]
