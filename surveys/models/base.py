"""Column types and helpers every model uses: UTC datetimes, public ids, the key range."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

MAX_ROW_ID = 2**31 - 1  # keys are INTEGER: 32-bit on PostgreSQL; larger ids cannot exist


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_public_id() -> str:
    return secrets.token_urlsafe(12)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
