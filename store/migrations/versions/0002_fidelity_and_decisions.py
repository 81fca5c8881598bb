"""Fidelity records and clinician decisions per recommendation; what a plan followed up.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("follow_through", sa.Text, nullable=True))
    op.create_table(
        "fidelity",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("intervention", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fidelity"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_fidelity_plan_id_plans"),
    )
    op.create_index("ix_fidelity_plan_id_intervention", "fidelity", ["plan_id", "intervention"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("plan_id", sa.Integer, nullable=False),
        sa.Column("intervention", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name="fk_decisions_plan_id_plans"),
    )
    op.create_index("ix_decisions_plan_id_intervention", "decisions", ["plan_id", "intervention"])


def downgrade() -> None:
    op.drop_index("ix_decisions_plan_id_intervention", table_name="decisions")
    op.drop_table("decisions")
    op.drop_index("ix_fidelity_plan_id_intervention", table_name="fidelity")
    op.drop_table("fidelity")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("follow_through")
