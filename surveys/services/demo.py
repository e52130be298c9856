"""A demo shop so a new user sees the product working in a minute (idempotent)."""

from __future__ import annotations

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Customer, Invitation, Order, OrderItem, Product, Response, StaffUser, Store, utcnow
from ..reading.scoring import is_passive, is_promoter, nps_category
from . import reviews
from .responses import analyze_comment
from .reviews import ReviewInput
from .tenancy import create_api_key, create_staff_user, create_store, revoke_api_keys
from .tokens import survey_url

DEMO_SLUG = "demo"
DEMO_ADMIN = "admin@demo.test"
DEMO_PASSWORD = "postventa-demo"  # noqa: S105 - printed by `make run`, local demo only

PRODUCTS = [
    ("TAZA-01", "Taza de barro"),
    ("JARRO-02", "Jarro de talavera"),
    ("MANTEL-03", "Mantel bordado"),
    ("CAFE-04", "Café de Chiapas 500 g"),
    ("VELA-05", "Vela de soya"),
    ("BOLSA-06", "Bolsa de palma"),
]
NAMES = [
    "Ana López",
    "Carlos Ruiz",
    "María Fernández",
    "Jorge Pérez",
    "Lucía Gómez",
    "Sofía Díaz",
    "Diego Torres",
    "Valentina Romero",
    "Emily Clark",
    "John Smith",
    "Camila Herrera",
    "Mateo Silva",
]
COMMENTS = {
    "promoter": [
        "Llegó rapidísimo y muy bien empacado, ¡gracias!",
        "Todo perfecto, tal cual la foto.",
        "Excelente calidad, volveré a comprar.",
        "Great quality and fast shipping!",
        "Me encantó la taza, súper bonita.",
        None,
        None,
    ],
    "passive": [
        "Bien, aunque tardó un poco más de lo prometido.",
        "El producto es bueno, la caja llegó golpeada.",
        "Good product but delivery took a while.",
        None,
        None,
    ],
    "detractor": [
        "Nunca llegó mi pedido y nadie me contesta.",
        "Llegó roto y el reembolso no aparece.",
        "La talla no corresponde, me quedó chico.",
        "It arrived broken and support never replied.",
        "Tardó tres semanas, muy mal servicio.",
        None,
    ],
}


REVIEWS = {
    5: [
        ("Preciosa", "Es todavía más bonita que en la foto. El barro tiene un acabado muy fino."),
        ("Me encantó", "Llegó rapidísimo y muy bien empacada. Ya pedí otra para regalar."),
        ("Lovely", "Beautiful craftsmanship, arrived well packed."),
        ("Excelente", None),
        (None, "Súper recomendable, la calidad se nota."),
    ],
    4: [
        ("Muy buena", "Buena calidad, aunque el color es un poco más oscuro que en la foto."),
        ("Bonita", "Me gustó mucho, solo tardó un par de días más de lo esperado."),
        ("Good", "Nice product, a bit smaller than I expected."),
    ],
    3: [
        ("Regular", "Está bien por el precio, pero la caja llegó golpeada."),
        ("Ok", "It's fine. Nothing special."),
    ],
    2: [
        ("No es lo que esperaba", "El esmalte venía con manchas y la atención tardó en responder."),
        ("Disappointed", "One handle was chipped when it arrived."),
    ],
    1: [
        ("Llegó rota", "La pieza llegó rota y nadie me contesta para el cambio."),
        ("Muy mal", "Tardó tres semanas y el producto no se parece a la foto."),
    ],
}
FLAGGED_REVIEWS = [  # the moderation queue is never empty in the demo
    ("Contacto", "Muy buena taza, si quieres una igual escríbeme al 55 1234 5678"),
    ("Mejor precio", "La venden más barata en www.otra-tienda.com"),
]


def _stars_for(score: int, rng: random.Random) -> int:
    if is_promoter(score):
        return rng.choice([5, 5, 5, 4])
    if is_passive(score):
        return rng.choice([4, 4, 3, 5])
    return rng.choice([1, 2, 2, 3])


def _store() -> Store:
    store = db.session.scalar(select(Store).where(Store.slug == DEMO_SLUG))
    if store is None:
        store = create_store("Tienda Demo", DEMO_SLUG, "es", "America/Mexico_City", "Tienda Demo <hola@demo.test>")
    return store


def _history(store: Store, rng: random.Random) -> None:
    """~300 answered invitations spread over the last 12 weeks."""
    now = utcnow()
    products = [Product(store_id=store.id, sku=sku, name=name) for sku, name in PRODUCTS]
    db.session.add_all(products)
    db.session.flush()
    for n in range(420):
        name = rng.choice(NAMES)
        email = f"{name.split()[0].lower()}.{n}@example.com"
        locale = "en" if name in ("Emily Clark", "John Smith") else "es"
        delivered = now - timedelta(days=rng.uniform(3, 84))
        sent = delivered + timedelta(days=2)
        customer = Customer(store_id=store.id, email=email, name=name, locale=locale)
        db.session.add(customer)
        db.session.flush()
        order = Order(
            store_id=store.id, order_ref=f"D{1000 + n}", customer_id=customer.id, delivered_at=delivered, source="demo"
        )
        db.session.add(order)
        db.session.flush()
        bought = rng.choice(products)
        db.session.add(OrderItem(order_id=order.id, product_id=bought.id))
        answered = rng.random() < 0.72
        inv = Invitation(
            store_id=store.id,
            order_id=order.id,
            customer_id=customer.id,
            locale=locale,
            status="answered" if answered else "sent",
            send_at=sent,
            sent_at=sent,
            expires_at=sent + timedelta(days=30),
            answered_at=sent + timedelta(hours=5) if answered else None,
        )
        db.session.add(inv)
        db.session.flush()
        if answered:
            score = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 4, 8, 14, 22, 30])[0]
            category = nps_category(score)
            at = sent + timedelta(hours=rng.uniform(1, 40))
            response = Response(
                store_id=store.id,
                invitation_id=inv.id,
                nps=score,
                nps_category=category,
                comment=rng.choice(COMMENTS[category]),
                created_at=at,
                updated_at=at,
            )
            analyze_comment(response, hint=locale)  # the same reading every real answer gets
            db.session.add(response)
            if rng.random() < 0.75:
                db.session.flush()
                stars = _stars_for(score, rng)
                title, body = rng.choice(REVIEWS[stars]) if n % 97 else FLAGGED_REVIEWS[n // 97 % 2]
                given = {bought.id: ReviewInput(stars, title, body, rng.random() < 0.92)}
                reviews.save_from_survey(response, inv, given, None, at)  # the real moderation path


def _live_invitation(store: Store) -> Invitation:
    """An invitation that is sent and unanswered, for the printed demo link."""
    inv = db.session.scalar(
        select(Invitation)
        .join(Order)
        .where(Invitation.store_id == store.id, Invitation.status == "sent", Order.order_ref.like("LIVE-%"))
        .order_by(Invitation.id.desc())
        .limit(1)
    )
    if inv is not None:
        return inv
    count = db.session.scalar(
        select(func.count()).select_from(Order).where(Order.store_id == store.id, Order.order_ref.like("LIVE-%"))
    )
    now = utcnow()
    customer = Customer(store_id=store.id, email=f"ana.live{count}@example.com", name="Ana García", locale="es")
    db.session.add(customer)
    db.session.flush()
    order = Order(
        store_id=store.id,
        order_ref=f"LIVE-{count + 1}",
        customer_id=customer.id,
        delivered_at=now - timedelta(days=2),
        source="demo",
    )
    db.session.add(order)
    db.session.flush()
    product = db.session.scalar(select(Product).where(Product.store_id == store.id).order_by(Product.id).limit(1))
    db.session.add(OrderItem(order_id=order.id, product_id=product.id))
    inv = Invitation(
        store_id=store.id,
        order_id=order.id,
        customer_id=customer.id,
        locale="es",
        status="sent",
        send_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=30),
    )
    db.session.add(inv)
    db.session.flush()
    return inv


def seed_demo(seed: int = 7) -> dict:
    """Create the demo shop once; each call issues a fresh demo API key and a live link."""
    store = _store()
    if db.session.scalar(select(func.count()).select_from(Order).where(Order.store_id == store.id)) == 0:
        _history(store, random.Random(seed))  # noqa: S311 - demo data
    if db.session.scalar(select(StaffUser).where(StaffUser.email == DEMO_ADMIN)) is None:
        create_staff_user(DEMO_ADMIN, store, "admin", DEMO_PASSWORD, name="Admin Demo")
    base = current_app.config["BASE_URL"].rstrip("/")
    store.widget_origins = sorted({base, base.replace("127.0.0.1", "localhost")})  # the demo storefront frames it
    revoke_api_keys(store, "demo")
    key = create_api_key(store, "demo")
    invitation = _live_invitation(store)
    return {"store": store, "api_key": key, "invitation": invitation}


def describe(info: dict, base_url: str) -> str:
    store = info["store"]
    return "\n".join(
        [
            f"Demo store: {store.name} (slug {store.slug})",
            f"Staff console: {base_url}/staff/  ({DEMO_ADMIN} / {DEMO_PASSWORD})",
            f"API key (shown once): {info['api_key']}",
            f"Survey link: {survey_url(info['invitation'].public_id)}",
            f"One-click score 9: {survey_url(info['invitation'].public_id, 9)}",
            f"Demo storefront with the reviews widget: {base_url}/demo/storefront",
        ]
    )
