"""Row isolation for the worker's passes: one bad row never stops a pass.

Each row runs inside its own savepoint; a row that raises (anything) is rolled back
alone, recorded in ``work_failures`` with a backoff, skipped by the passes until it is
due again, and parked as ``dead`` after ``WORK_MAX_ATTEMPTS``. Dead rows make /healthz
report degraded and are listed for the store's admins in the console.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select

from ..extensions import db
from ..models import WorkFailure, utcnow
from .db_util import insert_ignore
from .scope import in_store

log = logging.getLogger("surveys.worker")

# kind -> what the pass does with the row (the console labels them in both languages)
KINDS = (
    "platform_event",
    "invitation",
    "reminder",
    "expiry",
    "alert",
    "escalation",
    "retention",
    "retention_store",
    "mail",
    "outbound",
)


def classify(exc: BaseException) -> str:
    """A reason an admin can act on: a bad address, an impossible date, a forbidden header, or other."""
    text = str(exc).lower()
    if isinstance(exc, UnicodeError) or "address" in text or "smtputf8" in text:
        return "address"
    if isinstance(exc, OverflowError) or "out of range" in text or "year" in text:
        return "date"
    if "line break" in text or "header" in text:
        return "header"
    return "other"


def blocked(kind: str, row_id_column, now: datetime):
    """SQL condition for rows of ``kind`` waiting out a backoff or parked dead: passes skip them."""
    return exists().where(
        WorkFailure.kind == kind,
        WorkFailure.row_id == row_id_column,
        or_(WorkFailure.status == "dead", WorkFailure.next_attempt_at > now),
    )


def backoff(attempts: int) -> timedelta:
    cfg = current_app.config
    delay = min(cfg["WORK_BACKOFF_BASE_SECONDS"] * 2 ** (attempts - 1), cfg["WORK_BACKOFF_CAP_SECONDS"])
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


def record(
    kind: str, row_id: int, store_id: int, exc: BaseException, subject: str = "", dead: bool | None = None
) -> str:
    """Count a failed attempt at a row; returns its state (retry or dead). ``dead`` forces the
    outcome (work tables that count their own attempts, like the mail outbox, decide it)."""
    now = utcnow()
    insert_ignore(
        WorkFailure,
        {
            "store_id": store_id,
            "kind": kind,
            "row_id": row_id,
            "status": "retry",
            "attempts": 0,
            "next_attempt_at": now,
            "reason": "other",
            "subject": "",
            "detail": "",
            "created_at": now,
            "updated_at": now,
        },
        ["kind", "row_id"],
    )
    row = db.session.scalar(
        select(WorkFailure).where(WorkFailure.kind == kind, WorkFailure.row_id == row_id).with_for_update()
    )
    row.attempts += 1
    if dead is None:
        dead = row.attempts >= current_app.config["WORK_MAX_ATTEMPTS"]
    row.status = "dead" if dead else "retry"
    row.next_attempt_at = now + backoff(row.attempts)
    row.reason, row.subject = classify(exc), subject[:300]
    row.detail = f"{type(exc).__name__}: {exc}"[:500]
    row.updated_at = now
    db.session.flush()
    log.warning("%s #%s failed (%s, attempt %s): %s", kind, row_id, row.status, row.attempts, row.detail)
    return row.status


class RowGuard:
    """Runs each row of one pass in its own savepoint and records the ones that fail."""

    def __init__(self, kind: str):
        self.kind = kind
        self.failed = 0
        self.retrying = set(
            db.session.scalars(
                select(WorkFailure.row_id).where(WorkFailure.kind == kind, WorkFailure.status == "retry")
            )
        )

    def run(self, row_id: int, store_id: int, work: Callable[[], object], subject: Callable[[], str]) -> bool:
        """True when the row went through; False when it failed (rolled back and recorded)."""
        try:
            with db.session.begin_nested():
                work()
        except Exception as exc:  # any error: this row only; the pass goes on
            self.failed += 1
            try:
                label = subject()
            except Exception:  # the row may be what is broken
                label = ""
            with db.session.begin_nested():
                record(self.kind, row_id, store_id, exc, label)
            return False
        if row_id in self.retrying:  # it went through after all: forget the earlier failures
            db.session.execute(delete(WorkFailure).where(WorkFailure.kind == self.kind, WorkFailure.row_id == row_id))
        return True


def dead_count() -> int:
    """Dead rows across all stores (for /healthz)."""
    return db.session.scalar(select(func.count()).select_from(WorkFailure).where(WorkFailure.status == "dead"))


def dead_rows(store_id: int, limit: int = 200) -> list[WorkFailure]:
    """The store's dead rows, newest first (admins)."""
    return db.session.scalars(
        select(WorkFailure)
        .where(in_store(WorkFailure, store_id), WorkFailure.status == "dead")
        .order_by(WorkFailure.updated_at.desc(), WorkFailure.id.desc())
        .limit(limit)
    ).all()
