"""store follow-up delay

Revision ID: c3f9a1d7e2b4
Revises: d8b3f1a6c4e2
Create Date: 2026-12-01 10:40:00

"Did we solve it?" goes out a store-set number of business minutes after a task is
resolved (24 business hours unless the store says otherwise).
"""

import sqlalchemy as sa
from alembic import op

revision = "c3f9a1d7e2b4"
down_revision = "d8b3f1a6c4e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("followup_delay_minutes", sa.Integer(), nullable=False, server_default="1440"))


def downgrade():
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("followup_delay_minutes")
