"""The case store's tables (SQLAlchemy Core), as the newest migration leaves them.

Migrations in ``store/migrations/versions`` build this schema step by step;
a test compares the two so they cannot drift. Times are ISO 8601 UTC text
(the same on SQLite and PostgreSQL); dates are ``YYYY-MM-DD``.

Nothing here is ever updated in place but the ``current`` flag of an
assessment replaced with ``--replace``: fidelity records and decisions are
appended, and the newest one per recommendation counts.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "app_keys",
    "assessments",
    "audit",
    "cds_cards",
    "clients",
    "decisions",
    "drafts",
    "fidelity",
    "metadata",
    "plans",
    "review_notes",
    "service_tokens",
    "users",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("pseudonym", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False),
    Column("assessment_date", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("current", Boolean, nullable=False),
    Column("metric", String(16), nullable=False),
    Column("source_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("document_format", String(8), nullable=False),
    Column("stored_at", String(32), nullable=False),
    UniqueConstraint("client_id", "assessment_date", "version"),
    Index(None, "client_id", "assessment_date"),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id"), nullable=False, unique=True),
    Column("previous_assessment_id", Integer, ForeignKey("assessments.id"), nullable=True),
    Column("plan_json", Text, nullable=False),
    Column("rulebase_version", String(64), nullable=False),
    Column("rulebase_sha256", String(64), nullable=False),
    Column("catalog_version", String(64), nullable=False),
    Column("catalog_sha256", String(64), nullable=False),
    Column("norms_version", String(64), nullable=False),
    Column("norms_sha256", String(64), nullable=False),
    Column("weights_version", String(64), nullable=True),
    Column("weights_sha256", String(64), nullable=True),
    Column("planned_at", String(32), nullable=False),
    # Added by the second migration: the fidelity and decisions of the earlier
    # plan that this plan was made with (JSON), so `store verify` can re-plan it.
    Column("follow_through", Text, nullable=True),
)

fidelity = Table(
    "fidelity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("intervention", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("rating", Integer, nullable=True),
    Column("note", Text, nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Index(None, "plan_id", "intervention"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("intervention", String(64), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reason", String(32), nullable=True),
    Column("note", Text, nullable=True),
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", String(32), nullable=False),
    Index(None, "plan_id", "intervention"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("client", String(64), nullable=True),
    Column("assessment_date", String(10), nullable=True),
    # Ids, codes, versions and hashes only: never case content or free text.
    Column("detail", String(255), nullable=False),
)

# Added by the third migration: the web app's accounts, reviewers' notes and
# clinicians' drafts of an assessment form.

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    # scrypt: "scrypt$n$r$p$salt_hex$hash_hex" (store/users.py).
    Column("password_hash", String(255), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", String(32), nullable=False),
    # When the account last logged out (Unix seconds): sessions issued before it end.
    Column("signed_out_at", Float, nullable=True),
)

review_notes = Table(
    "review_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client", String(64), nullable=False),
    Column("assessment_date", String(10), nullable=True),
    Column("note", Text, nullable=False),
    Column("written_by", String(128), nullable=False),
    Column("written_at", String(32), nullable=False),
    Index(None, "client"),
)

drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("client", String(64), nullable=True),
    # The form's fields exactly as typed (JSON), valid or not: nothing is lost.
    Column("fields", Text, nullable=False),
    Column("saved_at", String(32), nullable=False),
    Index(None, "owner"),
)

# Added by the fourth migration: service tokens (a record system calling the CDS Hooks
# service as one account, whose role governs what it may do) and the web app's keys
# (its session-signing secret, kept so a restart or a second process keeps sessions).

service_tokens = Table(
    "service_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    # sha256 of the token (hex); the token itself is shown once and never stored.
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("label", String(64), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(128), nullable=False),
    Index(None, "user_id"),
)

app_keys = Table(
    "app_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
    Column("created_at", String(32), nullable=False),
)

# Added by the sixth migration: what each CDS Hooks card the service issued is about, so
# feedback on it can be recorded after a restart (store/cards.py). Ids and codes only, never
# case content; a card is kept for CARD_RETENTION_DAYS after it was last issued.

cds_cards = Table(
    "cds_cards",
    metadata,
    # The card's uuid (a UUID 5 of client, assessment date, intervention and action).
    Column("card", String(36), primary_key=True),
    Column("client", String(64), nullable=False),
    Column("assessment_date", String(10), nullable=True),
    Column("intervention", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("issued_at", String(32), nullable=False),
    Index(None, "issued_at"),
)
