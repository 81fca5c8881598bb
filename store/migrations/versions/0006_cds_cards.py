"""The CDS Hooks cards the service issued (what each is about), so feedback survives a restart.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cds_cards",
        sa.Column("card", sa.String(36), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("assessment_date", sa.String(10), nullable=True),
        sa.Column("intervention", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("card", name="pk_cds_cards"),
    )
    op.create_index("ix_cds_cards_issued_at", "cds_cards", ["issued_at"])


def downgrade() -> None:
    op.drop_index("ix_cds_cards_issued_at", table_name="cds_cards")
    op.drop_table("cds_cards")
