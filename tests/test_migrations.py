"""The migrations are the schema: they build exactly what the models declare, on SQLite and
PostgreSQL, and every one of them can be undone and redone."""

from __future__ import annotations

import tempfile
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from surveys import create_app
from surveys.extensions import db

from .conftest import PG_URL, _base_config


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


@contextmanager
def _scratch_database():
    """An empty database of the suite's kind, dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{tempfile.mkdtemp(prefix='postventa-migrations-')}/scratch.db"
        return
    name = f"postventa_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_the_migrated_schema_is_exactly_the_models_schema(app):
    assert _differences(db.engine) == []


@pytest.mark.slow
def test_every_migration_downgrades_and_upgrades_again_to_the_same_schema():
    with _scratch_database() as url:
        app = create_app(_base_config(url))
        with app.app_context():
            upgrade()
            downgrade(revision="base")
            tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert tables == set()
            upgrade()
            assert _differences(db.engine) == []
            db.engine.dispose()


def test_constraints_are_named_by_the_convention():
    names = {c.name for table in db.metadata.tables.values() for c in table.constraints}
    assert None not in names
    assert "memberships_user_id_store_id_key" in names
