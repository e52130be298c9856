"""The survey answer's common case on plain rows: scores and a comment, no review and no photo,
read and written with statements built once per process (no ORM objects built, tracked and
flushed for a row the request writes once). Anything else (an unknown, expired or closed link,
an answer past its edit window, a field error, a missing score) is left to
``responses.record_answer``, which handles it as before: ``record_plain`` then returns None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, exists, select, update

from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..models import Invitation, Order, Response, Store, Task, utcnow
from ..reading.analysis import CommentAnalysis, analyze_text
from ..reading.scoring import nps_category
from .db_util import insert_ignoring
from .recovery import sync_task
from .responses import ANSWERABLE, Answer, announce_created, check_link, check_open, reading_columns
from .reviews import negative_review_filter

READING = ("language", "sentiment_label", "polarity", "sentiment_confidence", "topics", "topic_polarity")


@dataclass(frozen=True, slots=True)
class AnswerStore:
    """What the answer and its thank-you page read of the store (the models' attribute names)."""

    id: int
    name: str
    brand_color: str | None
    survey_kind: str
    outbound_url: str | None
    edit_window_hours: int
    token_lifetime_days: int

    asks_nps = Store.asks_nps
    asks_csat = Store.asks_csat


@dataclass(frozen=True, slots=True)
class SavedAnswer:
    """The response as this request wrote it (what the JSON reply and the thank-you page show)."""

    id: int
    invitation_id: int
    store_id: int
    locale: str
    store: AnswerStore
    created: bool
    nps: int | None
    csat: int | None
    hidden_detractor: bool


_RESPONSE_COLUMNS = (
    "id",
    "nps",
    "csat",
    "nps_category",
    "comment",
    *READING,
    "flags",
    "hidden_detractor",
    "created_at",
)


def _statements() -> dict:
    """Built once per process, with bound parameters."""
    if _STATEMENTS:
        return _STATEMENTS
    inv, store, order = Invitation.__table__, Store.__table__, Order.__table__
    resp, task = Response.__table__, Task.__table__
    facts = (  # recovery.sync_task's two facts, read with the row
        select(task.c.id).where(task.c.response_id == resp.c.id).scalar_subquery(),
        exists().where(*negative_review_filter(resp.c.id)),
    )
    columns = [resp.c[name] for name in _RESPONSE_COLUMNS]
    _STATEMENTS.update(
        load=select(
            inv.c.id,
            inv.c.status,
            inv.c.locale,
            store.c.id,
            store.c.name,
            store.c.brand_color,
            store.c.survey_kind,
            store.c.outbound_url,
            store.c.edit_window_hours,
            store.c.token_lifetime_days,
            order.c.order_ref,
            *columns,
            *facts,
        )
        .select_from(inv)
        .join(store, store.c.id == inv.c.store_id)
        .join(order, order.c.id == inv.c.order_id)
        .outerjoin(resp, resp.c.invitation_id == inv.c.id)
        .where(inv.c.public_id == bindparam("public_id")),
        # the row read afresh and locked (PostgreSQL; SQLite's BEGIN IMMEDIATE holds the write lock)
        locked=select(*columns, *facts)
        .where(resp.c.invitation_id == bindparam("invitation_id"))
        .with_for_update(of=resp),
        insert=insert_ignoring(resp, ["invitation_id"]).returning(resp.c.id),
        update=update(resp).where(resp.c.id == bindparam("response_id")),
        answered=update(inv)
        .where(inv.c.id == bindparam("invitation_id"), inv.c.status.in_(ANSWERABLE))
        .values(status="answered", answered_at=bindparam("now"), reminder_due_at=None),
    )
    return _STATEMENTS


_STATEMENTS: dict = {}


def record_plain(
    public_id: str, issued_at: datetime, read: Callable[[AnswerStore], Answer], now: datetime | None = None
) -> SavedAnswer | None:
    """Record an answer without reviews to the invitation ``public_id`` (its link issued at
    ``issued_at``), as ``responses.record_answer`` would; ``read(store)`` reads the posted form
    (ValidationFailed for a bad field). None, with nothing written, when this is not the common
    case: the caller then goes through ``responses.open_invitation`` and ``record_answer``."""
    now = now or utcnow()
    conn = db.session.connection()
    found = conn.execute(_statements()["load"], {"public_id": public_id}).first()
    if found is None:
        return None
    inv_id, status, locale, order_ref = found[0], found[1], found[2], found[10]
    store = AnswerStore(*found[3:10])
    row = dict(zip(_RESPONSE_COLUMNS, found[11:-2], strict=True)) if found[11] is not None else None
    facts = found[-2], bool(found[-1])
    link = SimpleNamespace(status=status, locale=locale, store=store)
    try:  # the ORM path's own checks, on these values: it answers every refusal
        check_link(link, issued_at, now, True)
        check_open(link, SimpleNamespace(created_at=row["created_at"]) if row else None, now)
    except DomainError:
        return None
    if row is not None and conn.dialect.name != "sqlite":
        row, facts = _locked(conn, inv_id)
    try:
        answer = read(store)
    except ValidationFailed:
        return None
    if answer.nps is None and answer.csat is None and (row is None or (row["nps"] is None and row["csat"] is None)):
        return None  # "Choose a score"
    created = False
    if row is None:
        values = _values(None, answer, locale, now)
        values.update(store_id=store.id, invitation_id=inv_id, created_at=now)
        new_id = conn.execute(_statements()["insert"], values).scalar()
        if new_id is not None:
            created, response_id = True, new_id
        else:  # another request answered first: update its row
            row, facts = _locked(conn, inv_id)
    if not created:
        response_id = row["id"]
        values = _values(row, answer, locale, now)
        conn.execute(_statements()["update"], {**values, "response_id": response_id})
    saved = SavedAnswer(
        response_id, inv_id, store.id, locale, store, created, values["nps"], values["csat"], values["hidden_detractor"]
    )
    sync_task(saved, now, new=created, facts=facts)
    if created:
        announce_created(store, response_id, order_ref, values)
    if status in ANSWERABLE:  # an answered invitation stays answered: nothing to write
        conn.execute(_statements()["answered"], {"invitation_id": inv_id, "now": now})
    return saved


def _locked(conn, invitation_id: int) -> tuple[dict, tuple[int | None, bool]]:
    found = conn.execute(_statements()["locked"], {"invitation_id": invitation_id}).one()
    return dict(zip(_RESPONSE_COLUMNS, found[:-2], strict=True)), (found[-2], bool(found[-1]))


def _values(row: dict | None, answer: Answer, hint: str, now: datetime) -> dict:
    """The row's new columns (``responses._apply`` on values). The comment is read again only
    when its text changed: the same text with the same hint gets the same reading."""
    old = row or {"nps": None, "csat": None, "nps_category": None, "comment": None, "language": None}
    values = {"nps": old["nps"], "nps_category": old["nps_category"], "csat": old["csat"], "comment": old["comment"]}
    if answer.nps is not None:
        values["nps"], values["nps_category"] = answer.nps, nps_category(answer.nps)
    if answer.csat is not None:
        values["csat"] = answer.csat
    if answer.comment is not None:
        values["comment"] = answer.comment or None
    comment = values["comment"]
    if comment and comment == old["comment"] and all(old.get(k) is not None for k in READING[:4]):
        result = _stored_reading(old)
    else:
        result = analyze_text(comment, hint=hint) if comment else None
    values.update(reading_columns(result, values["nps"], values["csat"]), updated_at=now)
    return values


def _stored_reading(row: dict) -> CommentAnalysis:
    """The reading this comment got when it was saved (score_flags keeps hard_failure among the flags)."""
    return CommentAnalysis(
        language=row["language"],
        polarity=row["polarity"],
        label=row["sentiment_label"],
        confidence=row["sentiment_confidence"],
        topics=row["topics"] or [],
        topic_polarity=row["topic_polarity"] or {},
        hard_failure="hard_failure" in (row["flags"] or []),
    )
