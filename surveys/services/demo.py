"""A demo shop so a new user sees the product working in a minute (idempotent)."""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import (
    Customer,
    Invitation,
    Order,
    OrderItem,
    OutboxMessage,
    Product,
    StaffUser,
    Store,
    Task,
    TaskEvent,
    utcnow,
)
from ..reading.clock import ShopClock
from ..reading.scoring import is_passive, is_promoter, nps_category
from . import recovery, responses
from .reviews import ReviewInput
from .scope import in_store, scoped
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
    ("Ana López", "es"),
    ("Carlos Ruiz", "es"),
    ("María Fernández", "es"),
    ("Jorge Pérez", "es"),
    ("Lucía Gómez", "es"),
    ("Sofía Díaz", "es"),
    ("Diego Torres", "es"),
    ("Valentina Romero", "es"),
    ("Emily Clark", "en"),
    ("John Smith", "en"),
    ("Camila Herrera", "es"),
    ("Mateo Silva", "es"),
]
COMMENTS = {  # about the order as a whole, so they fit any product
    ("promoter", "es"): [
        "Llegó rapidísimo y muy bien empacado, ¡gracias!",
        "Todo perfecto, tal cual la foto.",
        "Excelente calidad, volveré a comprar.",
        None,
        None,
    ],
    ("promoter", "en"): ["Great quality and fast shipping!", "Exactly as pictured, thank you.", None],
    ("passive", "es"): [
        "Bien, aunque tardó un poco más de lo prometido.",
        "El producto es bueno, la caja llegó golpeada.",
        None,
    ],
    ("passive", "en"): ["Good product but delivery took a while.", None],
    ("detractor", "es"): [
        "Nunca llegó mi pedido y nadie me contesta.",
        "Llegó roto y el reembolso no aparece.",
        "Tardó tres semanas, muy mal servicio.",
        "No se parece a la foto y nadie responde mis correos.",
        None,
    ],
    ("detractor", "en"): ["It arrived broken and support never replied.", "Three weeks late, very poor service."],
}

# Reviews name the product they are filed under: (stars, title, body) per SKU.
REVIEWS = {
    "TAZA-01": [
        (5, "Preciosa", "La taza es todavía más bonita que en la foto; el barro tiene un acabado muy fino."),
        (5, "Lovely mug", "Beautiful craftsmanship, the mug arrived well packed."),
        (4, "Muy buena", "Buena taza, aunque el color es un poco más oscuro que en la foto."),
        (3, "Regular", "La taza está bien por el precio, pero es más chica de lo que pensaba."),
        (2, "Disappointed", "One handle of the mug was chipped when it arrived."),
        (1, "Llegó rota", "La taza llegó rota y nadie me contesta para el cambio."),
    ],
    "JARRO-02": [
        (5, "Hermoso jarro", "El jarro de talavera es precioso, los colores son muy vivos."),
        (4, "Bonito", "Me gustó mucho el jarro, solo tardó un par de días más de lo esperado."),
        (3, "Ok", "The jug is fine, but the glaze is thinner than I expected."),
        (2, "No es lo que esperaba", "El esmalte del jarro venía con manchas."),
        (1, "Muy mal", "El jarro llegó despostillado y la atención tardó en responder."),
    ],
    "MANTEL-03": [
        (5, "Precioso bordado", "El mantel está bordado a mano con mucho detalle, se ve hermoso en la mesa."),
        (4, "Good tablecloth", "Nice embroidery, a bit smaller than I expected."),
        (3, "Regular", "El mantel es bonito pero destiñó un poco en la primera lavada."),
        (1, "Mala calidad", "El bordado del mantel venía descosido en una esquina."),
    ],
    "CAFE-04": [
        (5, "Delicioso", "El café de Chiapas tiene un aroma increíble, ya pedí otra bolsa."),
        (5, "Great coffee", "Rich and smooth, the best coffee I have ordered online."),
        (4, "Muy rico", "Buen café, aunque lo prefiero un poco más tostado."),
        (2, "Molido muy fino", "El café venía molido demasiado fino para mi cafetera."),
    ],
    "VELA-05": [
        (5, "Huele delicioso", "La vela de soya dura muchísimo y el aroma llena toda la sala."),
        (4, "Nice candle", "Lovely scent, though the wick needed trimming."),
        (3, "Normal", "La vela está bien, el aroma es más suave de lo que esperaba."),
        (1, "Llegó derretida", "La vela llegó deformada por el calor y nadie me ofreció cambio."),
    ],
    "BOLSA-06": [
        (5, "Muy resistente", "La bolsa de palma es firme y bien tejida, la uso diario."),
        (4, "Bonita bolsa", "Me gusta mucho, solo las asas son un poco cortas."),
        (2, "Se deshilachó", "La bolsa se empezó a deshilachar en la primera semana."),
    ],
}
FLAGGED_REVIEWS = [  # the moderation queue is never empty in the demo
    (5, "Contacto", "Muy buena compra, si quieres una igual escríbeme al 55 1234 5678"),
    (4, "Mejor precio", "La venden más barata en www.otra-tienda.com"),
]
AGENTS = [("lucia@demo.test", "Lucía Gómez", True), ("mateo@demo.test", "Mateo Silva", False)]


def _review_for(sku: str, score: int, rng: random.Random, n: int) -> tuple[int, str, str]:
    if n % 97 == 0:
        return FLAGGED_REVIEWS[n // 97 % 2]
    wanted = (4, 5) if is_promoter(score) else (3, 4) if is_passive(score) else (1, 2, 3)
    fitting = [r for r in REVIEWS[sku] if r[0] in wanted] or REVIEWS[sku]
    return rng.choice(fitting)


def _store() -> Store:
    store = db.session.scalar(select(Store).where(Store.slug == DEMO_SLUG))
    if store is None:
        store = create_store("Tienda Demo", DEMO_SLUG, "es", "America/Mexico_City", "Tienda Demo <hola@demo.test>")
    return store


def _staff(store: Store) -> list[StaffUser]:
    """The demo admin and two agents (one on shift, so new tasks are assigned to her)."""
    team = [create_staff_user(DEMO_ADMIN, store, "admin", DEMO_PASSWORD, name="Admin Demo")]
    for email, name, on_shift in AGENTS:
        agent = create_staff_user(email, store, "agent", DEMO_PASSWORD, name=name)
        recovery.set_on_shift(store, agent, on_shift)
        team.append(agent)
    db.session.flush()
    return team


def _order(store: Store, n: int, name: str, locale: str, product: Product, delivered) -> Invitation:
    """A delivered order whose invitation was mailed two days later (what intake and dispatch leave)."""
    local = unicodedata.normalize("NFKD", name.split()[0].lower()).encode("ascii", "ignore").decode()
    customer = Customer(store_id=store.id, email=f"{local}.{n}@example.com", name=name, locale=locale)
    db.session.add(customer)
    db.session.flush()
    order = Order(
        store_id=store.id, order_ref=f"D{1000 + n}", customer_id=customer.id, delivered_at=delivered, source="demo"
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(OrderItem(order_id=order.id, product_id=product.id))
    sent = delivered + timedelta(days=2)
    inv = Invitation(
        store_id=store.id,
        order_id=order.id,
        customer_id=customer.id,
        locale=locale,
        status="sent",
        send_at=sent,
        sent_at=sent,
        expires_at=sent + timedelta(days=30),
    )
    db.session.add(inv)
    db.session.flush()
    return inv


def _history(store: Store, rng: random.Random, total: int = 420) -> None:
    from .demo_photos import demo_photos  # Pillow's drawing: the demo's, not every web worker's

    """~420 deliveries over the last 12 weeks, ~300 answered through the live answer path
    (scoring, comment reading, reviews and their moderation, recovery tasks), then the desk's
    work on those tasks through the recovery services, backdated to when it happened."""
    now = utcnow()
    team = _staff(store)
    clock = ShopClock.of(store)
    products = [Product(store_id=store.id, sku=sku, name=name) for sku, name in PRODUCTS]
    db.session.add_all(products)
    db.session.flush()
    for n in range(total):
        name, locale = rng.choice(NAMES)
        recent = n >= total - 6  # the last few arrived this morning: open tasks still within their SLA
        delivered = now - (timedelta(days=2, hours=rng.uniform(1, 3)) if recent else timedelta(days=rng.uniform(5, 84)))
        product = rng.choice(products)
        inv = _order(store, n, name, locale, product, delivered)
        if not recent and rng.random() > 0.72:
            continue  # never answered
        if recent:
            score = rng.choice([1, 3, 5, 10])
        elif n % 53 == 7:
            score = 8  # a passive whose low-star review opens a task of its own
        else:
            score = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 4, 8, 14, 22, 30])[0]
        category = nps_category(score)
        at = inv.sent_at + timedelta(hours=rng.uniform(1, 40))
        at = min(at, now - timedelta(minutes=rng.uniform(20, 90)))  # never in the future
        given = {}
        if rng.random() < 0.75 or n % 53 == 7:
            stars, title, body = (
                (2, *REVIEWS[product.sku][-1][1:]) if n % 53 == 7 else _review_for(product.sku, score, rng, n)
            )
            consent = rng.random() < 0.92
            shots = demo_photos(product.sku, random.Random(n), 1 + n % 3) if n % 13 == 4 and consent else None  # noqa: S311
            given = {product.id: ReviewInput(stars, title, body, consent, shots)}
        answer = responses.Answer(nps=score, comment=rng.choice(COMMENTS[(category, locale)]), reviews=given)
        response = responses.submit_response(inv, answer, now=at)
        task = db.session.scalar(select(Task).where(Task.response_id == response.id))
        if task is not None:
            _work_on(task, team, rng, now, clock)
    recovery.send_settled_alerts(now)  # what the worker would have done meanwhile
    recovery.escalate_overdue(now)
    _settle_past_mail(store, now)


def _work_on(task: Task, team: list[StaffUser], rng: random.Random, now, clock: ShopClock) -> None:
    """What the desk did with a task, through the recovery services, then dated when it happened."""
    opened = task.created_at
    if now - opened < timedelta(hours=6):
        return  # still open, within its first-contact SLA
    agent = next((u for u in team if u.id == task.assignee_id), None) or rng.choice(team[1:])
    if task.assignee_id is None:
        recovery.assign(task, team[0], agent)
    recent = now - opened < timedelta(days=10)  # older tasks were worked long ago
    fate = rng.choices(["open", "contacted", "resolved", "dismissed"], weights=[4 if recent else 0, 2, 6, 1])[0]
    # the desk works in the shop's business hours: contact within ~4 of them, resolution within ~2 days
    contacted = min(clock.due(opened, int(rng.uniform(15, 240))), now - timedelta(minutes=10))
    resolved = min(clock.due(contacted, int(rng.uniform(60, 1000))), now - timedelta(minutes=5))
    if fate == "contacted":
        recovery.mark_contacted(task, agent, rng.choice(["Le llamamos por teléfono.", "Le escribimos por WhatsApp."]))
    elif fate == "resolved":
        recovery.mark_contacted(task, agent, "Le llamamos por teléfono.")
        resolution = rng.choice(["replacement", "refund", "coupon", "apology"])
        coupon = f"PERDON{task.id}" if resolution == "coupon" else None
        recovery.resolve(task, agent, resolution, coupon, "Confirmado con el cliente.")
        if now - resolved > timedelta(days=1) and rng.random() < 0.7:
            recovery.record_followup(task, rng.choice([5, 5, 4, 4, 3, 2]))
    elif fate == "dismissed":
        recovery.dismiss(task, agent, "El cliente ya lo resolvió con la paquetería.")
    db.session.flush()
    _backdate(task, opened, contacted, resolved, now)


def _backdate(task: Task, opened, contacted, resolved, now) -> None:
    """The services stamp "now"; the demo's past happened earlier."""
    stamps = {"contacted": contacted, "resolved": resolved, "dismissed": contacted, "assigned": opened}
    for event in db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id)):
        event.created_at = stamps.get(event.kind, resolved if event.kind == "followup" else opened)
    if task.first_contact_at:
        task.first_contact_at = contacted
    if task.resolved_at:
        task.resolved_at = resolved
    if task.followup_at:
        task.followup_at = min(resolved + timedelta(days=1), now)
    task.updated_at = max(e for e in (opened, task.first_contact_at, task.resolved_at, task.followup_at) if e)


def _settle_past_mail(store: Store, now) -> None:
    """Alerts and follow-ups of the seeded past count as delivered: starting the demo mails nobody."""
    db.session.execute(
        update(OutboxMessage)
        .where(in_store(OutboxMessage, store), OutboxMessage.status == "pending")
        .values(status="sent", sent_at=now)
    )


def _live_invitation(store: Store) -> Invitation:
    """An invitation that is sent and unanswered, for the printed demo link."""
    inv = db.session.scalar(
        select(Invitation)
        .join(Order)
        .where(in_store(Invitation, store), Invitation.status == "sent", Order.order_ref.like("LIVE-%"))
        .order_by(Invitation.id.desc())
        .limit(1)
    )
    if inv is not None:
        return inv
    count = db.session.scalar(
        select(func.count()).select_from(Order).where(in_store(Order, store), Order.order_ref.like("LIVE-%"))
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
    product = db.session.scalar(scoped(select(Product), store).order_by(Product.id).limit(1))
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


def seed_demo(seed: int = 7, orders: int = 420) -> dict:
    """Create the demo shop once; each call issues a fresh demo API key and a live link."""
    store = _store()
    if db.session.scalar(select(func.count()).select_from(Order).where(in_store(Order, store))) == 0:
        _history(store, random.Random(seed), orders)  # noqa: S311 - demo data
    if db.session.scalar(select(StaffUser).where(StaffUser.email == DEMO_ADMIN)) is None:
        _staff(store)
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
            f"Agents (same password): {', '.join(email for email, _, _ in AGENTS)}",
            f"API key (shown once): {info['api_key']}",
            f"Survey link: {survey_url(info['invitation'].public_id)}",
            f"One-click score 9: {survey_url(info['invitation'].public_id, 9)}",
            f"Demo storefront with the reviews widget: {base_url}/demo/storefront",
        ]
    )
