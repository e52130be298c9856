"""Small database helpers shared by services: dialect-aware insert-or-ignore."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db


def insert_ignore(model, values: dict[str, Any], conflict: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING; return the new primary key or None.

    Uniqueness under concurrency is the constraint's job, never a prior SELECT.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(model.id)
    return db.session.execute(stmt).scalar()
