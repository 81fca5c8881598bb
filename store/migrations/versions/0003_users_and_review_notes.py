"""The web app's accounts, reviewers' notes on a client, and drafts of assessment forms.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("assessment_date", sa.String(10), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("written_by", sa.String(128), nullable=False),
        sa.Column("written_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_notes"),
    )
    op.create_index("ix_review_notes_client", "review_notes", ["client"])
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("saved_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drafts"),
    )
    op.create_index("ix_drafts_owner", "drafts", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_drafts_owner", table_name="drafts")
    op.drop_table("drafts")
    op.drop_index("ix_review_notes_client", table_name="review_notes")
    op.drop_table("review_notes")
    op.drop_table("users")
