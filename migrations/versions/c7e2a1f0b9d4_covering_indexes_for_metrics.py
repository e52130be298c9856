"""covering indexes for metrics

Revision ID: c7e2a1f0b9d4
Revises: 8dbab25d4e76
Create Date: 2026-11-22 22:30:00

NPS/CSAT counts and the response rate over a store's period read only these
indexes (an index-only scan), never the table rows.
"""

from alembic import op

revision = "c7e2a1f0b9d4"
down_revision = "8dbab25d4e76"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_responses_store_created", table_name="responses")
    op.create_index("ix_responses_store_created", "responses", ["store_id", "created_at", "nps", "csat"])
    op.drop_index("ix_invitations_store_sent", table_name="invitations")
    op.create_index("ix_invitations_store_sent", "invitations", ["store_id", "sent_at", "answered_at"])


def downgrade():
    op.drop_index("ix_invitations_store_sent", table_name="invitations")
    op.create_index("ix_invitations_store_sent", "invitations", ["store_id", "sent_at"])
    op.drop_index("ix_responses_store_created", table_name="responses")
    op.create_index("ix_responses_store_created", "responses", ["store_id", "created_at"])
