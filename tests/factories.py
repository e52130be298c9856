"""Plain factory functions for tests (no magic): stores, deliveries, due invitations."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import Invitation, StaffUser, Task, utcnow
from surveys.services import intake, tenancy
from surveys.services.tokens import issue_token
from surveys.services.whatsapp.settings import configure_channel

from .cloud_api import APP_SECRET, PHONE_ID, TOKEN, VERIFY

_seq = itertools.count(1)

# What a field's "required" error reads in each language.
REQUIRED = {"es": "Este campo es obligatorio.", "en": "This field is required."}


def table_counts() -> dict[str, int]:
    """Rows per table, in one statement: what a refused form or a 4xx must leave as it was."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    row = db.session.execute(select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables]))
    counts = dict(zip((t.name for t in tables), row.one(), strict=True))
    db.session.rollback()
    return counts


def make_store(slug: str | None = None, **settings):
    """A store plus its API key; returns (store, api_key)."""
    n = next(_seq)
    store = tenancy.create_store(
        settings.pop("name", f"Tienda {n}"),
        slug or f"tienda-{n}",
        settings.pop("locale", "es"),
        settings.pop("timezone", "America/Mexico_City"),
        settings.pop("sender", "Tienda <hola@tienda.test>"),
        settings.pop("send_window", None),
    )
    for key, value in settings.items():
        setattr(store, key, value)
    key = tenancy.create_api_key(store)
    db.session.commit()
    return store, key


def delivery_payload(order_id: str | None = None, email: str | None = None, **overrides) -> dict:
    n = next(_seq)
    payload = {
        "order_id": order_id or f"ORD-{n}",
        "delivered_at": (utcnow() - timedelta(days=3)).isoformat(),
        "customer": {"email": email or f"cliente{n}@example.com", "name": "Ana López", "locale": "es-MX"},
        "items": [{"sku": "TAZA-01", "name": "Taza de barro"}],
    }
    payload.update(overrides)
    return payload


def deliver(store, **kwargs) -> Invitation:
    """Record a delivery through the intake service and return its invitation."""
    result, _ = intake.record_delivery(store, intake.validate_delivery(delivery_payload(**kwargs)))
    db.session.commit()
    return db.session.scalar(select(Invitation).where(Invitation.order_id == result["id"]))


def make_due(invitation: Invitation) -> None:
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(send_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()


def sent_invitation(store, **kwargs) -> Invitation:
    """An invitation already mailed (status sent), ready to be answered."""
    invitation = deliver(store, **kwargs)
    now = utcnow()
    invitation.status, invitation.sent_at, invitation.expires_at = "sent", now, now + timedelta(days=30)
    db.session.commit()
    return invitation


def survey_path(invitation: Invitation, score: int | None = None) -> str:
    path = f"/s/{issue_token('survey', invitation.public_id)}"
    return path if score is None else f"{path}?score={score}"


def unsubscribe_path(invitation: Invitation) -> str:
    return f"/u/{issue_token('unsubscribe', invitation.public_id)}"


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"<>]+", text)


# A store settings form that saves as it is; tests change one field at a time.
SETTINGS_FORM = {
    "survey_kind": "both",
    "send_delay_days": "3",
    "reminder_delay_days": "4",
    "brand_color": "#7c2d12",
    "timezone": "America/Mexico_City",
    "opens": "10",
    "closes": "19",
    "sla_first_contact_hours": "2",
    "sla_resolution_hours": "24",
    "reply_register": "tu",
}


# Staff: the password every test account gets, signing in, and an unhappy answer that opens a task.
STAFF_PASSWORD = "una clave muy larga"  # noqa: S105


def staff_login(client, email, password=STAFF_PASSWORD, next_url=None):
    url = "/staff/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def sign_in_speaking(client, email, locale):
    """Sign ``email`` in on ``client`` after setting the console language of the account to
    ``locale``; the sign-in must succeed (302)."""
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    user.locale = locale
    db.session.commit()
    assert staff_login(client, email).status_code == 302
    return user


def unhappy_task(client, store, email="ana@example.com", nps=2, comment="Llegó roto y nadie contesta"):
    invitation = sent_invitation(store, email=email)
    client.post(survey_path(invitation), data={"nps": str(nps), "comment": comment})
    return db.session.scalar(select(Task).order_by(Task.id.desc()))


# Platform webhooks: the sample payloads in tests/data, signed as Shopify and WooCommerce sign them.
DATA = Path(__file__).resolve().parent / "data"
SAMPLES_WRITTEN_ON = datetime(2026, 11, 22, tzinfo=timezone.utc)
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def sample(name: str) -> bytes:
    """A sample payload with its timestamps moved so that 'written on' is today."""
    shift = utcnow() - SAMPLES_WRITTEN_ON
    text = (DATA / name).read_text(encoding="utf-8")
    moved = STAMP.sub(lambda m: (datetime.fromisoformat(m.group(0)) + shift).strftime("%Y-%m-%dT%H:%M:%S"), text)
    return moved.encode("utf-8")


def sign(secret: str, raw: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def shopify(client, store, name, topic="orders/fulfilled", secret=None, raw=None):
    raw = raw if raw is not None else sample(f"shopify/{name}")
    headers = {
        "X-Shopify-Hmac-Sha256": sign(secret or store.webhook_secret, raw),
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": "b54557e4",
        "Content-Type": "application/json",
    }
    return client.post(f"/hooks/shopify/{store.slug}", data=raw, headers=headers)


def woo(client, store, name, raw=None):
    raw = raw if raw is not None else sample(f"woocommerce/{name}")
    headers = {
        "X-WC-Webhook-Signature": sign(store.webhook_secret, raw),
        "X-WC-Webhook-Topic": "order.updated",
        "Content-Type": "application/json",
    }
    return client.post(f"/hooks/woocommerce/{store.slug}", data=raw, headers=headers)


# WhatsApp: a store on the Cloud API stand-in's credentials, and an invitation due on that channel.
def wa_store(policy="whatsapp_first", **settings):
    store = make_store(name="Barro y Fuego", **settings)[0]
    configure_channel(
        store,
        policy=policy,
        phone_number_id=PHONE_ID,
        templates={"es": ("encuesta_entrega", "es_MX"), "en": ("delivery_survey", "en")},
        country="MX",
        access_token=TOKEN,
        app_secret=APP_SECRET,
        verify_token=VERIFY,
    )
    db.session.commit()
    return store


def wa_due(store, phone="55 1234 5678", opt_in=True, email_addr=None, locale="es-MX"):
    invitation = deliver(store, email=email_addr)
    customer = invitation.customer
    if phone:
        from surveys.services.phones import normalize_phone

        customer.phone = normalize_phone(phone, "MX")
    customer.whatsapp_opt_in, customer.locale, invitation.locale = opt_in, locale[:2], locale[:2]
    db.session.commit()
    make_due(invitation)
    return invitation


def field_state(html: str, field_id: str) -> dict:
    """What a reader (and a screen reader) gets for one form field: its value as shown, its
    HTML limits, whether it is marked invalid, and the text of the error tied to it by
    aria-describedby (None when it has none)."""
    from lxml import html as lxml_html

    page = lxml_html.fromstring(html)
    [node] = page.xpath(f'//*[@id="{field_id}"]')
    if node.tag == "textarea":
        value = node.text_content()  # a browser drops the one line break right after <textarea>
        value = value[2:] if value.startswith("\r\n") else value[1:] if value.startswith("\n") else value
    elif node.tag == "select":
        chosen = node.xpath(".//option[@selected]") or node.xpath(".//option")[:1]
        value = chosen[0].get("value") if chosen else None
    elif node.get("type") == "checkbox":
        value = node.get("checked") is not None
    else:
        value = node.get("value")
    described = (node.get("aria-describedby") or "").split()
    errors = [page.xpath(f'//*[@id="{ref}"]')[0] for ref in described if ref.endswith("-err")]
    return {
        "value": value,
        "invalid": node.get("aria-invalid") == "true",
        "error": errors[0].text_content().strip() if errors else None,
        # beside the field: the error sits in the same box as the input (its label's or its group's)
        "beside": bool(errors) and errors[0].getparent() in (node.getparent(), node.getparent().getparent()),
        "attrs": dict(node.attrib),
    }


# --- images and multipart posts over real HTTP (review photos) -------------------------------


def image_bytes(fmt: str = "JPEG", size=(800, 600), color=(180, 90, 40), exif: dict | None = None) -> bytes:
    """A real picture in ``fmt`` (JPEG, PNG, WEBP, HEIF), with a stripe so rotation shows."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 4, size[1]), fill=(20, 20, 20))
    out = io.BytesIO()
    extra = {}
    if exif:
        found = image.getexif()
        for tag, value in exif.items():
            found[tag] = value
        extra["exif"] = found
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image.save(out, fmt, **extra)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header declares ``width`` x ``height`` (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    """Encode a multipart/form-data body as a browser does: (body, content type)."""
    import secrets

    boundary = "----PostventaTest" + secrets.token_hex(8)
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data, ctype in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class WebClient:
    """A cookie-keeping HTTP client for a live server: GET a form, POST it back with files."""

    def __init__(self, base_url: str):
        import http.cookiejar
        import urllib.request

        self.base = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None):
        """(status, headers, body bytes); 4xx and 5xx are answers, not exceptions."""
        import urllib.error
        import urllib.request

        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def csrf_token(self, path: str) -> str:
        status, _, body = self.request(path)
        assert status == 200, status
        return re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()

    def post_form(self, path: str, fields: list[tuple[str, str]], files=()):
        body, ctype = multipart([("csrf_token", self.csrf_token(path)), *fields], list(files))
        return self.request(path, body, {"Content-Type": ctype})
