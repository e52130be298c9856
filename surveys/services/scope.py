"""Store scoping: every query a staff member, an API key or the worker runs on a store's rows
goes through `in_store` (a condition) or `scoped` (a whole query), so "this store only" is
written once. The store comes from the authenticated principal, never from request input.
tests/services/test_scope.py fails when a hand-written `store_id ==` filter appears elsewhere."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, Select

from ..models import Store

Q = TypeVar("Q", bound=Select)


def in_store(model, store: Store | int) -> ColumnElement[bool]:
    """The condition keeping ``model``'s rows to ``store`` (a Store or its id)."""
    return model.store_id == (store if isinstance(store, int) else store.id)


def scoped(query: Q, store: Store | int, model=None) -> Q:
    """``query`` limited to ``store``'s rows of ``model`` (by default the query's first entity)."""
    return query.where(in_store(model if model is not None else query.column_descriptions[0]["entity"], store))
