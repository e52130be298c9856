"""task alert after the answer settles

Revision ID: e5c1a7d3b2f0
Revises: b7e5f0c3d912
Create Date: 2026-12-01 07:45:00

A new task's alert to the team waits until the customer stops editing the answer
(one-click score first, comment a minute later), so the alert quotes the comment.
"""

import sqlalchemy as sa
from alembic import op

revision = "e5c1a7d3b2f0"
down_revision = "b7e5f0c3d912"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("alert_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_tasks_alert_due", ["alert_due_at"])


def downgrade():
    with op.batch_alter_table("tasks") as batch:
        batch.drop_index("ix_tasks_alert_due")
        batch.drop_column("alert_due_at")
