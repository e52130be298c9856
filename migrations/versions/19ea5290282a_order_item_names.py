"""order item names

Revision ID: 19ea5290282a
Revises: d7a4e2c9b1f3
Create Date: 2026-12-01 16:50:00

The name the shop sent for each item of THIS order (what the customer bought and saw, in their
language); the product's catalogue name stays the first one the shop sent. Older rows keep NULL
and read the catalogue name.
"""

import sqlalchemy as sa
from alembic import op

revision = "19ea5290282a"
down_revision = "d7a4e2c9b1f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_items") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("order_items") as batch:
        batch.drop_column("name")
