"""The survey page's read: the invitation with what the page shows of its store, customer, order
items and response, as plain values from one Core statement (no ORM identity map, no objects to
build and track for a page that never writes).

The values have the attribute names of the models (``invitation.store.name``,
``invitation.order.items[0].product.sku``, ``response.created_at``), so the page, its checks
(``responses.check_open``) and its error pages read them as they read the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import Customer, Invitation, Order, OrderItem, Product, Response, Store


@dataclass(frozen=True, slots=True)
class PageStore:
    id: int
    name: str
    brand_color: str
    survey_kind: str
    widget_key: str
    edit_window_hours: int
    token_lifetime_days: int

    asks_nps = Store.asks_nps
    asks_csat = Store.asks_csat


@dataclass(frozen=True, slots=True)
class PageCustomer:
    name: str | None

    first_name = Customer.first_name


@dataclass(frozen=True, slots=True)
class PageProduct:
    id: int
    sku: str
    name: str


@dataclass(frozen=True, slots=True)
class PageItem:
    product_id: int
    product: PageProduct
    name: str | None  # as sent with this order

    display_name = OrderItem.display_name


@dataclass(frozen=True, slots=True)
class PageOrder:
    items: list[PageItem]


@dataclass(frozen=True, slots=True)
class PageInvitation:
    id: int
    public_id: str
    store_id: int
    status: str
    locale: str
    store: PageStore
    customer: PageCustomer
    order: PageOrder


@dataclass(frozen=True, slots=True)
class PageResponse:
    id: int
    nps: int | None
    csat: int | None
    comment: str | None
    created_at: datetime


def _statement():
    """Built once per process: one row per order item (at least one row), in the items' order."""
    if _STATEMENT:
        return _STATEMENT[0]
    inv, store, customer = Invitation.__table__, Store.__table__, Customer.__table__
    item, product, response = OrderItem.__table__, Product.__table__, Response.__table__
    order = Order.__table__
    stmt = (
        select(
            inv.c.id,
            inv.c.store_id,
            inv.c.status,
            inv.c.locale,
            store.c.name,
            store.c.brand_color,
            store.c.survey_kind,
            store.c.widget_key,
            store.c.edit_window_hours,
            store.c.token_lifetime_days,
            customer.c.name,
            response.c.id,
            response.c.nps,
            response.c.csat,
            response.c.comment,
            response.c.created_at,
            product.c.id,
            product.c.sku,
            product.c.name,
            item.c.name,
        )
        .select_from(inv)
        .join(store, store.c.id == inv.c.store_id)
        .join(customer, customer.c.id == inv.c.customer_id)
        .join(order, order.c.id == inv.c.order_id)
        .outerjoin(item, item.c.order_id == order.c.id)
        .outerjoin(product, product.c.id == item.c.product_id)
        .outerjoin(response, response.c.invitation_id == inv.c.id)
        .where(inv.c.public_id == bindparam("public_id"))
        .order_by(item.c.id)
    )
    _STATEMENT.append(stmt)
    return stmt


_STATEMENT: list = []


def load_survey_page(public_id: str) -> tuple[PageInvitation | None, PageResponse | None]:
    """The invitation ``public_id`` and its response as the survey page shows them; (None, None)
    for an unknown id. One statement on a connection of its own, outside the ORM session: the
    page writes nothing, and a session's transaction would cost more than the statement."""
    with db.engine.connect() as conn:
        rows = conn.execute(_statement(), {"public_id": public_id}).all()
    if not rows:
        return None, None
    (inv_id, store_id, status, locale, name, color, kind, widget_key, edit_hours, lifetime, customer_name,
     response_id, nps, csat, comment, answered) = rows[0][:16]  # fmt: skip
    items = [PageItem(row[16], PageProduct(row[16], row[17], row[18]), row[19]) for row in rows if row[16] is not None]
    invitation = PageInvitation(
        id=inv_id,
        public_id=public_id,
        store_id=store_id,
        status=status,
        locale=locale,
        store=PageStore(store_id, name, color, kind, widget_key, edit_hours, lifetime),
        customer=PageCustomer(customer_name),
        order=PageOrder(items),
    )
    response = PageResponse(response_id, nps, csat, comment, answered) if response_id is not None else None
    return invitation, response
