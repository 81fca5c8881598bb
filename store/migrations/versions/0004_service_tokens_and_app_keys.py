"""Service tokens (the CDS Hooks service's callers, each tied to an account) and the app's keys.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_tokens",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_service_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_service_tokens_user_id_users"),
        sa.UniqueConstraint("token_sha256", name="uq_service_tokens_token_sha256"),
    )
    op.create_index("ix_service_tokens_user_id", "service_tokens", ["user_id"])
    op.create_table(
        "app_keys",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_app_keys"),
    )


def downgrade() -> None:
    op.drop_table("app_keys")
    op.drop_index("ix_service_tokens_user_id", table_name="service_tokens")
    op.drop_table("service_tokens")
