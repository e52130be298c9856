"""product gtin, mpn and brand

Revision ID: a9c4d2e81f37
Revises: 1d382d6d73f5
Create Date: 2026-12-01 07:20:00

Product identifiers for JSON-LD and Google's product reviews feed.
"""

import sqlalchemy as sa
from alembic import op

revision = "a9c4d2e81f37"
down_revision = "1d382d6d73f5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("gtin", sa.String(length=14), nullable=True))
        batch.add_column(sa.Column("mpn", sa.String(length=70), nullable=True))
        batch.add_column(sa.Column("brand", sa.String(length=70), nullable=True))


def downgrade():
    with op.batch_alter_table("products") as batch:
        batch.drop_column("brand")
        batch.drop_column("mpn")
        batch.drop_column("gtin")
