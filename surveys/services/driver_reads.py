"""Reads on a pooled connection's driver cursor, outside the ORM session, for the hottest
read-only routes (the storefront widget): statements built once, compiled once per dialect (the
forms of ``prepared.py``), bound and processed as SQLAlchemy's own execution would, without its
per-execution work.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from ..extensions import db
from .prepared import form_of


class Reads:
    """One request's reads on one pooled connection, outside the ORM session.

    Each statement is compiled once per dialect and runs on the driver's cursor as an autocommit
    read (SQLite: no BEGIN; PostgreSQL: autocommit while it is checked out): no Session, no
    BEGIN and ROLLBACK round trips, no per-execution work of SQLAlchemy's. A driver error is
    raised as SQLAlchemy's (a busy database is still a 503) and a lost connection is discarded
    from the pool. While something listens to the engine's cursor events (the statement counts
    in tests, a tracer), the same statements run through a SQLAlchemy connection, so each one
    is seen. Use as ``with Reads() as reads:``.
    """

    def __init__(self):
        self._engine = db.engine
        self._dialect = self._engine.dialect
        self._core = None  # a SQLAlchemy Connection when the cursor events are listened to
        self._fairy = None  # else the pool's checked-out DBAPI connection
        self._autocommit = False

    def __enter__(self) -> Reads:
        events = self._engine.dispatch
        if events.before_cursor_execute or events.after_cursor_execute:
            self._core = self._engine.connect()
            return self
        self._fairy = self._engine.raw_connection()
        if self._dialect.name != "sqlite":  # SQLite's connections never BEGIN implicitly (create_app)
            self._fairy.dbapi_connection.autocommit = self._autocommit = True
        return self

    def __exit__(self, *exc) -> None:
        if self._core is not None:
            self._core.close()
            return
        fairy = self._fairy
        try:
            if self._autocommit and fairy.is_valid:
                fairy.dbapi_connection.autocommit = False
        finally:
            fairy.close()

    def rows(self, statement, params: dict) -> list:
        """All rows of a SELECT built once (with bound parameters), as tuples in column order."""
        if self._core is not None:
            return self._core.execute(statement, params).all()
        form = form_of(statement, self._dialect)
        values = form.args(params)
        dbapi_conn = self._fairy.dbapi_connection
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(form.sql, values)
            rows = cursor.fetchall()
        except self._dialect.loaded_dbapi.Error as exc:
            lost = self._dialect.is_disconnect(exc, dbapi_conn, cursor)
            if lost:
                self._fairy.invalidate(exc)
            raise DBAPIError.instance(
                form.sql, values, exc, self._dialect.loaded_dbapi.Error, connection_invalidated=lost,
                dialect=self._dialect,
            ) from exc  # fmt: skip
        finally:
            if self._fairy.is_valid:
                cursor.close()
        return form.rows(rows)

    def first(self, statement, params: dict):
        rows = self.rows(statement, params)
        return rows[0] if rows else None
