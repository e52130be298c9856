"""claim tokens on the mail outbox and outbound events

Revision ID: e3b9c1d2a7f4
Revises: a8d9855b1faf
Create Date: 2026-12-01 07:20:00

Each claim writes a fresh token; only the holder of the current token may renew
the lease or record the result, so a dispatcher whose lease ran out while its
SMTP server was slow cannot mark (or re-send) a row another one now holds.
"""

import sqlalchemy as sa
from alembic import op

revision = "e3b9c1d2a7f4"
down_revision = "a8d9855b1faf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
    with op.batch_alter_table("outbound_events") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("outbound_events") as batch:
        batch.drop_column("claim_token")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
