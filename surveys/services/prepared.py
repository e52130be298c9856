"""Hot-path statements compiled once per database and run straight on the DBAPI cursor.

Written by hand because no library does it: SQLAlchemy's ``Connection.execute`` spends
20-60 µs of Python per statement on a cached statement (execution context, parameter
processing, result metadata), several times what SQLite takes to run one delivery's
INSERT. Here the SQL string, the order of its parameters, their type conversions
(``UTCDateTime``, booleans) and the result columns' conversions are taken from
SQLAlchemy's own compiler and types once per dialect; a call only converts the values
and hands them to the cursor of the session's connection, inside its transaction. The
engine's cursor events fire as for any statement, and a database error is SQLAlchemy's
(``OperationalError`` and the rest, a lost connection invalidated), as it would be.
Only for statements without Python-side column defaults (checked when compiled).
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from typing import Any

from sqlalchemy.engine import Connection


class _Form:
    """One statement as one dialect runs it."""

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("a prepared statement cannot fill Python-side column defaults")
        self.sql = compiled.string
        self.constants: dict[str, Any] = {}
        self.processors: list[tuple[str, Any]] = []
        for bind, name in compiled.bind_names.items():
            if bind.expanding:
                raise ValueError("a prepared statement cannot expand an IN list")
            if not bind.required:
                self.constants[name] = bind.effective_value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors.append((name, process))
        self.positions = list(compiled.positiontup) if dialect.positional else None
        columns = list(getattr(statement, "selected_columns", None) or statement.exported_columns)
        processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.results = [(n, p) for n, p in enumerate(processors) if p is not None]
        self.row = namedtuple("Row", [c.key for c in columns], rename=True) if columns else None

    def args(self, params: dict):
        values = {**self.constants, **params} if self.constants else dict(params)
        for name, process in self.processors:
            values[name] = process(values[name])
        return values if self.positions is None else [values[name] for name in self.positions]

    def rows(self, raw: list) -> list:
        if not self.results:
            return [self.row._make(r) for r in raw]
        out = []
        for r in raw:
            values = list(r)
            for n, process in self.results:
                values[n] = process(values[n])
            out.append(self.row._make(values))
        return out


_FORMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> {statement: _Form}


def form_of(statement, dialect) -> _Form:
    """``statement`` (built once per process) as ``dialect`` runs it, compiled on first use."""
    per_dialect = _FORMS.get(dialect)
    if per_dialect is None:
        per_dialect = _FORMS[dialect] = {}
    form = per_dialect.get(statement)
    if form is None:
        form = per_dialect[statement] = _Form(statement, dialect)
    return form


class Prepared:
    """A Core statement (built once per process), run on a connection's DBAPI cursor."""

    def __init__(self, statement):
        self.statement = statement

    def _form(self, conn: Connection) -> _Form:
        return form_of(self.statement, conn.dialect)

    def rows(self, conn: Connection, params: dict) -> list:
        """Run once with ``params``; the rows it returns (named tuples), converted."""
        form = self._form(conn)
        cursor = conn.connection.cursor()
        try:
            conn._cursor_execute(cursor, form.sql, form.args(params))  # events, errors wrapped
            return form.rows(cursor.fetchall()) if form.row is not None else []
        finally:
            cursor.close()

    def many(self, conn: Connection, rows: list[dict]) -> None:
        """Run once per row (executemany: one statement); returns nothing."""
        form = self._form(conn)
        args = [form.args(row) for row in rows]
        cursor = conn.connection.cursor()
        try:
            for listen in conn.dispatch.before_cursor_execute:
                _, args = listen(conn, cursor, form.sql, args, None, True)
            try:
                conn.dialect.do_executemany(cursor, form.sql, args, None)
            except Exception as exc:
                conn._handle_dbapi_exception(exc, form.sql, args, cursor, None)
        finally:
            cursor.close()
