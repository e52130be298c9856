"""The migrations are the schema: they build exactly what the models declare, on SQLite and
PostgreSQL, and every one of them can be undone and redone."""

from __future__ import annotations

import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

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


def test_the_daily_counts_migration_counts_existing_rows_and_undoes_its_triggers():
    """Rows written before the counts existed are counted by the migration; going down drops
    the tables and their triggers (writes still work), going up again recounts everything."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import true

    from surveys.models import Response, utcnow
    from surveys.services.metrics import store_metrics

    from .factories import make_store, sent_invitation

    script = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations"))
    before = script.get_revision("f16580a6e5cb").down_revision

    def answer(store, nps, csat):
        invitation = sent_invitation(store)
        now = utcnow()
        db.session.add(
            Response(store_id=store.id, invitation_id=invitation.id, nps=nps, csat=csat, created_at=now,
                     updated_at=now, hidden_detractor=False)
        )  # fmt: skip
        db.session.commit()

    def figures(store):
        counted = store_metrics(store)
        assert counted == store_metrics(store, where=[true()], invitation_where=[true()])
        db.session.rollback()
        return counted["nps"]["n"], counted["csat"]["n"], counted["invitations_sent"]

    with _scratch_database() as url:
        app = create_app(_base_config(url))
        with app.app_context():
            upgrade(revision=before)
            store, _ = make_store()
            for nps, csat in ((10, 5), (3, None), (None, 2)):
                answer(store, nps, csat)
            sent_invitation(store)  # sent, not answered
            upgrade()
            assert figures(store) == (2, 2, 4)
            answer(store, 8, 4)  # the triggers count it
            assert figures(store) == (3, 3, 5)
            downgrade(revision=before)
            tables = set(sa.inspect(db.engine).get_table_names())
            assert not {"response_day_counts", "invitation_day_counts"} & tables
            answer(store, 0, 1)  # no trigger left behind writing into a missing table
            upgrade()
            assert figures(store) == (4, 4, 6)
            db.session.remove()
            db.engine.dispose()
