"""Per-store, per-day counts behind the store metrics, kept by database triggers.

Every insert, update and delete of a response or an invitation adjusts these rows in the
same transaction (the triggers are in the migration ``store daily counts``), whichever code
or SQL wrote it, so the sums equal a full count of the rows at every moment. A day is the
UTC date of ``responses.created_at`` or ``invitations.sent_at``; a range of the shop's days
sums the UTC days wholly inside it and counts the rows at its edges (services/metrics.py).
On PostgreSQL each connection adds to its own ``shard`` of a day (``pg_backend_pid() % 8``),
so concurrent answers of one store do not wait on one row; a row's counts may be negative
(a shard that only saw deletes), only their sum means anything.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

SHARDS = 8  # PostgreSQL; SQLite has one writer at a time and always writes shard 0


class ResponseDayCount(db.Model):
    """Answers given on ``day``: NPS promoters (9-10), passives (7-8) and detractors (0-6),
    satisfied CSAT answers (4-5) and CSAT answers. The cut-offs are reading/scoring.py's."""

    __tablename__ = "response_day_counts"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    promoters: Mapped[int] = mapped_column(Integer, default=0)
    passives: Mapped[int] = mapped_column(Integer, default=0)
    detractors: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    csat_answers: Mapped[int] = mapped_column(Integer, default=0)


class InvitationDayCount(db.Model):
    """Invitations sent on ``day`` through ``channel`` (email for rows sent before channels
    existed), and how many of them have been answered."""

    __tablename__ = "invitation_day_counts"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
