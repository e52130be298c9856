"""work failures: rows a worker pass could not process, retried then parked as dead

Revision ID: f4c2d8e1b6a3
Revises: e5a1c3b7d902
Create Date: 2026-12-01 07:55:00

The mail outbox and outbound events also take a ``dead`` status (their status
columns are strings, so no schema change there).
"""

import sqlalchemy as sa
from alembic import op


revision = "f4c2d8e1b6a3"
down_revision = "e5a1c3b7d902"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "work_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name="work_failures_store_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="work_failures_pkey"),
        sa.UniqueConstraint("kind", "row_id", name="work_failures_kind_row_id_key"),
    )
    op.create_index("ix_work_failures_store_status", "work_failures", ["store_id", "status"])


def downgrade():
    op.drop_index("ix_work_failures_store_status", table_name="work_failures")
    op.drop_table("work_failures")
