"""responses: an index of each store's scores

Revision ID: d8b3f1a6c4e2
Revises: e5c1a7d3b2f0
Create Date: 2026-12-01 10:45:00

A store's NPS and CSAT over all time are counted per (nps, csat) in one pass over this
index, in its order (no sort, one counter per row), instead of five conditional counters
per row over the (store_id, created_at, nps, csat) index.
"""

from alembic import op

revision = "d8b3f1a6c4e2"
down_revision = "e5c1a7d3b2f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_responses_store_scores", "responses", ["store_id", "nps", "csat"])


def downgrade():
    op.drop_index("ix_responses_store_scores", table_name="responses")
