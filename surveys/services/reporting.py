"""Response lists and CSV export for the staff console, filtered in SQL and scoped by store."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from ..extensions import READS_ONLY
from ..models import Invitation, Order, OrderItem, Product, Response, Store, Task
from ..reading.scoring import NPS_CATEGORIES
from .db_util import on_shop_days
from .scope import in_store

CATEGORIES = tuple(NPS_CATEGORIES)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Filters:
    """What the staff filter bars select (read by the blueprint's forms, staff/queries.py)."""

    start: date | None = None
    end: date | None = None
    category: str | None = None
    topic: str | None = None
    language: str | None = None
    hidden: bool = False
    product: str | None = None

    def as_args(self) -> dict:
        return {
            k: v
            for k, v in {
                "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None,
                "category": self.category,
                "topic": self.topic,
                "language": self.language,
                "hidden": "1" if self.hidden else None,
                "product": self.product,
            }.items()
            if v
        }


def response_conditions(f: Filters) -> list:
    """The filters other than dates, as conditions on Response."""
    conds = []
    if f.category:
        conds.append(NPS_CATEGORIES[f.category](Response.nps))  # the score decides, as in the metrics
    if f.topic:
        conds.append(cast(Response.topics, String).like(f'%"{f.topic}"%'))
    if f.language:
        conds.append(Response.language == f.language)
    if f.hidden:
        conds.append(Response.hidden_detractor.is_(True))
    if f.product:
        bought = (
            select(OrderItem.id)
            .join(Product, Product.id == OrderItem.product_id)
            .join(Invitation, Invitation.order_id == OrderItem.order_id)
            .where(Invitation.id == Response.invitation_id, Product.sku == f.product)
        )
        conds.append(bought.exists())
    return conds


def responses_query(store: Store | int, f: Filters, zone: str):
    """Rows of (Response, order_ref, customer email, task status), newest first; the dates are
    the shop's calendar days on its clock (``zone``), the days its times are printed in."""
    store_id = store if isinstance(store, int) else store.id
    from ..models import Customer

    query = (
        select(Response, Order.order_ref, Customer.email, Task.status)
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(Order, Invitation.order_id == Order.id)
        .join(Customer, Invitation.customer_id == Customer.id)
        .outerjoin(Task, Task.response_id == Response.id)
        .where(in_store(Response, store_id))
    )
    query = query.where(*on_shop_days(Response.created_at, zone, f.start, f.end))
    return query.where(*response_conditions(f)).order_by(Response.created_at.desc(), Response.id.desc())


def page_responses(session, store: Store, f: Filters, page: int, per_page: int):
    """One page of the filtered responses and the total count."""
    query = responses_query(store, f, store.timezone)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def safe_cell(value) -> str | int | float | Decimal:
    """Spreadsheet-safe cell: text that would start a formula is prefixed with a quote; a number
    stays a number (-0.7 is a value a spreadsheet must be able to sum, not the text "'-0.7")."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


# Column order of the responses CSV (stable; the header row shows them as words, see labels.py).
CSV_HEADER = [
    "created_at",
    "order_id",
    "email",
    "nps",
    "nps_category",
    "csat",
    "comment",
    "language",
    "sentiment",
    "polarity",
    "topics",
    "hidden_detractor",
    "task_status",
]


# Excel on Windows reads a CSV without a byte order mark in the system's ANSI code page
# ("PuntuaciÃ³n"); with it, as UTF-8. Other spreadsheets and csv readers accept it (utf-8-sig).
BOM = "\ufeff"


def csv_chunks(header: list[str], rows, every: int = 200):
    """Rows as spreadsheet-safe CSV text chunks (streamed, constant memory), after a UTF-8 BOM."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if count % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_csv(engine, header: list[str], rows_of, every: int = 200):
    """CSV chunks whose rows are read inside the generator, in a session of its own.

    A streamed body is iterated after the view returned, when the request's session has
    already been removed: rows loaded through it raise "identity map is no longer valid".
    So the query runs here, in a session opened, read and closed by the stream itself;
    ``rows_of(session)`` yields plain tuples."""
    with Session(engine.execution_options(**{READS_ONLY: True})) as session:
        yield from csv_chunks(header, rows_of(session), every)


def _bool_words() -> tuple[str, str]:
    from flask_babel import gettext

    return gettext("yes"), gettext("no")


def response_rows(store_id: int, f: Filters, zone: str = "UTC", batch: int = 1000):
    """The filtered responses as CSV rows, for ``stream_csv``: times on the shop's clock (``zone``),
    numbers as numbers, codes (category, language, sentiment, topics, task status) and an erased
    customer's pseudonym in words through labels.py, read in the staff member's language while the
    stream runs."""
    from ..labels import csv_time, customer_email, label, labels

    query = responses_query(store_id, f, zone).execution_options(yield_per=batch)
    yes, no = _bool_words()

    def rows_of(session):
        for r, order_ref, email, task_status in session.execute(query):
            yield (
                csv_time(r.created_at, zone),
                order_ref,
                customer_email(email),
                r.nps,
                label("nps_category", r.nps_category),
                r.csat,
                r.comment,
                label("language", r.language),
                label("sentiment", r.sentiment_label),
                r.polarity,
                labels("topic", r.topics),
                yes if r.hidden_detractor else no,
                label("task_status", task_status),
            )

    return rows_of
