"""reviews by stars for the widget

Revision ID: e3f1a7c20b51
Revises: c7e2a1f0b9d4
Create Date: 2026-12-01 07:10:00

The widget filters a product's published reviews by stars and sorts them by stars:
both walk this index instead of sorting every published review of the product.
"""

from alembic import op

revision = "e3f1a7c20b51"
down_revision = "c7e2a1f0b9d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_reviews_widget_rating", "reviews", ["product_id", "status", "rating", "published_at", "id"])


def downgrade():
    op.drop_index("ix_reviews_widget_rating", table_name="reviews")
