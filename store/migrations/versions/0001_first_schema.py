"""The first schema: clients, assessments, plans and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("pseudonym", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
        sa.UniqueConstraint("pseudonym", name="uq_clients_pseudonym"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("assessment_date", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("document_format", sa.String(8), nullable=False),
        sa.Column("stored_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name="fk_assessments_client_id_clients"
        ),
        sa.UniqueConstraint(
            "client_id",
            "assessment_date",
            "version",
            name="uq_assessments_client_id_assessment_date_version",
        ),
    )
    op.create_index(
        "ix_assessments_client_id_assessment_date",
        "assessments",
        ["client_id", "assessment_date"],
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("assessment_id", sa.Integer, nullable=False),
        sa.Column("previous_assessment_id", sa.Integer, nullable=True),
        sa.Column("plan_json", sa.Text, nullable=False),
        sa.Column("rulebase_version", sa.String(64), nullable=False),
        sa.Column("rulebase_sha256", sa.String(64), nullable=False),
        sa.Column("catalog_version", sa.String(64), nullable=False),
        sa.Column("catalog_sha256", sa.String(64), nullable=False),
        sa.Column("norms_version", sa.String(64), nullable=False),
        sa.Column("norms_sha256", sa.String(64), nullable=False),
        sa.Column("weights_version", sa.String(64), nullable=True),
        sa.Column("weights_sha256", sa.String(64), nullable=True),
        sa.Column("planned_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"], name="fk_plans_assessment_id_assessments"
        ),
        sa.ForeignKeyConstraint(
            ["previous_assessment_id"],
            ["assessments.id"],
            name="fk_plans_previous_assessment_id_assessments",
        ),
        sa.UniqueConstraint("assessment_id", name="uq_plans_assessment_id"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Column("assessment_date", sa.String(10), nullable=True),
        sa.Column("detail", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
    )


def downgrade() -> None:
    op.drop_table("audit")
    op.drop_table("plans")
    op.drop_index("ix_assessments_client_id_assessment_date", table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("clients")
