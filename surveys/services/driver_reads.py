"""Reads on a pooled connection's driver cursor, outside the ORM session, for the hottest
read-only routes (the storefront widget): statements built once, compiled once per dialect,
bound and processed as SQLAlchemy's own execution would, without its per-execution work.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from ..extensions import db


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
        compiled = _compiled(statement, self._dialect)
        values = compiled.parameters(params)
        dbapi_conn = self._fairy.dbapi_connection
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(compiled.sql, values)
            rows = cursor.fetchall()
        except self._dialect.loaded_dbapi.Error as exc:
            lost = self._dialect.is_disconnect(exc, dbapi_conn, cursor)
            if lost:
                self._fairy.invalidate(exc)
            raise DBAPIError.instance(
                compiled.sql, values, exc, self._dialect.loaded_dbapi.Error, connection_invalidated=lost,
                dialect=self._dialect,
            ) from exc  # fmt: skip
        finally:
            if self._fairy.is_valid:
                cursor.close()
        return compiled.processed(rows) if compiled.processors else rows

    def first(self, statement, params: dict):
        rows = self.rows(statement, params)
        return rows[0] if rows else None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # the parameters' order for a positional driver; None: by name
    fixed: dict  # the statement's own values (status = 'published')
    binds: tuple  # (name, bind processor) where the driver needs one
    processors: tuple  # (column index, result processor) where the driver's value is not the answer

    def parameters(self, given: dict):
        values = {**self.fixed, **given}
        for name, process in self.binds:
            values[name] = process(values[name])
        return values if self.names is None else tuple(values[name] for name in self.names)

    def processed(self, rows: list) -> list:
        done = []
        for row in rows:
            row = list(row)
            for index, process in self.processors:
                row[index] = process(row[index])
            done.append(tuple(row))
        return done


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> {statement: _Compiled}


def _compiled(statement, dialect) -> _Compiled:
    """The statement's SQL for this dialect and how its values go in and come out, as SQLAlchemy's
    own execution would bind and process them (JSON text, SQLite's datetimes, UTC)."""
    per_dialect = _COMPILED.get(dialect)
    if per_dialect is None:
        per_dialect = _COMPILED[dialect] = {}
    found = per_dialect.get(statement)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        binds = compiled.binds
        processors = (
            (index, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for index, column in enumerate(statement.selected_columns)
        )
        bind_processors = (
            (name, bind.type.dialect_impl(dialect).bind_processor(dialect)) for name, bind in binds.items()
        )
        found = per_dialect[statement] = _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup) if compiled.positional else None,
            fixed={name: bind.effective_value for name, bind in binds.items() if not bind.required},
            binds=tuple((name, process) for name, process in bind_processors if process is not None),
            processors=tuple((index, process) for index, process in processors if process is not None),
        )
    return found
