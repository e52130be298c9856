"""reviews store no fallback author

Revision ID: d7a4e2c9b1f3
Revises: c3f9a2d71e05
Create Date: 2026-12-01 16:40:00

A buyer without a name used to get "Verified buyer" / "Comprador verificado" stored as the
review's author, in the buyer's language. Such reviews now store no name ("") and each viewer
reads the fallback in their own language. Nothing to undo: "" reads the same either way.
"""

import sqlalchemy as sa
from alembic import op

revision = "d7a4e2c9b1f3"
down_revision = "c3f9a2d71e05"
branch_labels = None
depends_on = None

OLD_FALLBACKS = ("Verified buyer", "Comprador verificado")


def upgrade():
    reviews = sa.table("reviews", sa.column("author", sa.String))
    op.execute(reviews.update().where(reviews.c.author.in_(OLD_FALLBACKS)).values(author=""))


def downgrade():
    pass
