"""A pretend storefront for `make run` (development only): the widget on a product page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from ..extensions import db
from ..i18n import use_locale
from ..models import Product, Store
from ..services import widget_read
from ..services.demo import DEMO_SLUG
from ..services.scope import scoped

bp = Blueprint("demo", __name__)


@bp.get("/storefront")
@bp.get("/storefront/<sku>")
def storefront(sku: str | None = None):
    store = db.session.scalar(select(Store).where(Store.slug == DEMO_SLUG))
    if store is None:
        abort(404)
    products = db.session.scalars(scoped(select(Product), store).order_by(Product.id)).all()
    product = next((p for p in products if p.sku == sku), products[0] if products else None)
    if product is None:
        abort(404)
    info = widget_read.widget_product(store.widget_key, product.sku)
    lang = "en" if request.args.get("lang") == "en" else "es"
    use_locale(lang)
    return render_template(
        "demo/storefront.html", store=store, product=product, products=products, lang=lang,
        jsonld=widget_read.jsonld(info),
    )  # fmt: skip
