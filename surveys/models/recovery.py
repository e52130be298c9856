"""Recovery tasks and their timelines."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, case
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, new_public_id, utcnow

if TYPE_CHECKING:
    from .accounts import StaffUser
    from .surveys import Response


TASK_REASONS = ("detractor", "low_csat", "hidden_detractor", "negative_review")
TASK_STATES = ("open", "contacted", "resolved", "dismissed")
RESOLUTIONS = ("replacement", "refund", "coupon", "apology", "other")


class Task(db.Model):
    """A recovery task: an unhappy customer to contact within the first-contact SLA."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_queue", "store_id", "status", "first_contact_due_at"),
        Index("ix_tasks_store_created", "store_id", "created_at"),
        Index("ix_tasks_alert_due", "alert_due_at"),
        UniqueConstraint("public_id", name="uq_tasks_public_id"),  # named by its migration, before the convention
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    first_contact_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))
    coupon_code: Mapped[str | None] = mapped_column(String(64))
    dismiss_reason: Mapped[str | None] = mapped_column(String(200))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    public_id: Mapped[str] = mapped_column(String(24), default=new_public_id)
    alert_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the team's alert, once the answer settles
    followup_score: Mapped[int | None] = mapped_column(Integer)
    followup_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship()
    assignee: Mapped[StaffUser | None] = relationship()
    events: Mapped[list[TaskEvent]] = relationship(order_by="TaskEvent.id", cascade="all, delete-orphan")

    # The one rule of "overdue", shared by the API, the dashboard, the queue, the task page and the
    # worker's escalation: a task is worked against one deadline at a time (first contact while
    # open, resolution once contacted; while open, the resolution instead should a store's
    # resolution time be the shorter) and is overdue once that deadline has passed. A closed task
    # has no deadline. Python and SQL below say the same thing; tests/services checks they agree.

    @hybrid_property
    def due_at(self) -> datetime | None:
        """The deadline that applies now, or None once the task is closed."""
        if self.status == "open":
            return min(self.first_contact_due_at, self.resolution_due_at)
        if self.status == "contacted":
            return self.resolution_due_at
        return None

    @due_at.inplace.expression
    @classmethod
    def _due_at_expression(cls):
        earlier = case(
            (cls.resolution_due_at < cls.first_contact_due_at, cls.resolution_due_at), else_=cls.first_contact_due_at
        )
        return case((cls.status == "open", earlier), (cls.status == "contacted", cls.resolution_due_at), else_=None)

    @property
    def due_kind(self) -> str | None:
        """Which deadline ``due_at`` is: "first_contact" or "resolution" (labels.py names it)."""
        if self.due_at is None:
            return None
        return "first_contact" if self.status == "open" and self.due_at == self.first_contact_due_at else "resolution"

    @hybrid_method
    def overdue_at(self, now: datetime) -> bool:
        """Past the deadline that applies at ``now``."""
        return self.due_at is not None and self.due_at < now

    @overdue_at.inplace.expression
    @classmethod
    def _overdue_at_expression(cls, now: datetime):
        return cls.due_at < now


class TaskEvent(db.Model):
    """The task's timeline: opened, notes, status changes, assignment, escalation."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[StaffUser | None] = relationship()
