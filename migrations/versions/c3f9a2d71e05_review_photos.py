"""review photos

Revision ID: c3f9a2d71e05
Revises: c3f9a1d7e2b4
Create Date: 2026-12-01 10:30:00

Customers' photos on reviews, re-encoded, bytes in the database (several web instances, no
shared disk); each review counts the photos the public may see (widget, sort=photos).
"""

import sqlalchemy as sa
from alembic import op

revision = "c3f9a2d71e05"
down_revision = "c3f9a1d7e2b4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("photo_count", sa.Integer(), server_default="0", nullable=False))
    op.create_index(
        "ix_reviews_widget_photos", "reviews", ["product_id", "status", "photo_count", "published_at", "id"]
    )
    op.create_table(
        "review_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("thumb_width", sa.Integer(), nullable=False),
        sa.Column("thumb_height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("thumb_sha256", sa.String(length=64), nullable=False),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("thumb_data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name="review_photos_review_id_fkey", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="review_photos_store_id_fkey", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="review_photos_pkey"),
        sa.UniqueConstraint("public_id", name="review_photos_public_id_key"),
    )
    op.create_index("ix_review_photos_review", "review_photos", ["review_id", "position"])


def downgrade():
    op.drop_index("ix_review_photos_review", table_name="review_photos")
    op.drop_table("review_photos")
    op.drop_index("ix_reviews_widget_photos", table_name="reviews")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("photo_count")
