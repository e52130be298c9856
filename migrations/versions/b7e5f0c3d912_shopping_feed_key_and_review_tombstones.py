"""shopping feed key and review tombstones

Revision ID: b7e5f0c3d912
Revises: a9c4d2e81f37
Create Date: 2026-12-01 07:35:00

Each store gets a secret feed key (existing stores a fresh random one); erased reviews
leave their id behind so the Google Shopping feed can list them as deleted.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "b7e5f0c3d912"
down_revision = "a9c4d2e81f37"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("feed_key", sa.String(length=40), nullable=True))
    stores = sa.table("stores", sa.column("id", sa.Integer), sa.column("feed_key", sa.String))
    conn = op.get_bind()
    for (store_id,) in conn.execute(sa.select(stores.c.id)).all():
        key = "fk_" + secrets.token_urlsafe(24)
        conn.execute(stores.update().where(stores.c.id == store_id).values(feed_key=key))
    with op.batch_alter_table("stores") as batch:
        batch.alter_column("feed_key", existing_type=sa.String(length=40), nullable=False)
        batch.create_unique_constraint("stores_feed_key_key", ["feed_key"])
    op.create_table(
        "review_tombstones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name="review_tombstones_store_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="review_tombstones_pkey"),
    )
    op.create_index("ix_review_tombstones_store", "review_tombstones", ["store_id", "review_id"])


def downgrade():
    op.drop_index("ix_review_tombstones_store", table_name="review_tombstones")
    op.drop_table("review_tombstones")
    with op.batch_alter_table("stores") as batch:
        batch.drop_constraint("stores_feed_key_key", type_="unique")
        batch.drop_column("feed_key")
