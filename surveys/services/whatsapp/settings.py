"""A store's WhatsApp channel settings: validated as a whole, secrets sealed and write-only.

The access token, app secret and verify token are never returned by any function here
except ``credentials`` (used by the sender and the webhook), and never logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ...errors import ValidationFailed
from ...extensions import db
from ...models import CHANNEL_POLICIES, Store, StoreWhatsApp, utcnow
from ..phones import valid_country
from ..scope import scoped
from ..secretbox import seal, unseal

_PHONE_ID = re.compile(r"^[0-9]{1,32}$")
_TEMPLATE = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE = re.compile(r"^(es|en)(_[A-Z]{2})?$")
_SECRET = re.compile(r"^[\x21-\x7e]{1,1024}$")  # printable, no spaces or line breaks


@dataclass(frozen=True)
class Credentials:
    phone_number_id: str
    access_token: str
    app_secret: str | None
    verify_token: str | None

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Credentials(phone_number_id={self.phone_number_id!r}, ...)"


def get_channel(store: Store) -> StoreWhatsApp | None:
    return db.session.scalar(scoped(select(StoreWhatsApp), store))


def policy_of(store: Store) -> str:
    channel = get_channel(store)
    return channel.policy if channel else "email"


def parse_templates(pairs: list[str]) -> dict[str, tuple[str, str]]:
    """['es=encuesta_envio', 'en_US=delivery_survey'] -> {'es': ('encuesta_envio', 'es'), 'en': (..., 'en_US')}."""
    out: dict[str, tuple[str, str]] = {}
    for pair in pairs:
        code, _, name = pair.partition("=")
        code, name = code.strip(), name.strip()
        if not _LANGUAGE.match(code):
            raise ValidationFailed("template language must be es or en (or es_MX, en_US, ...)", {"template": pair})
        out[code[:2]] = (name, code)
    return out


def configure_channel(
    store: Store,
    *,
    policy: str,
    phone_number_id: str | None,
    templates: dict[str, tuple[str, str]],
    country: str | None,
    access_token: str | None = None,
    app_secret: str | None = None,
    verify_token: str | None = None,
) -> StoreWhatsApp:
    """Set the channel; a secret given as None keeps the stored one. Every bad field at once,
    and nothing changes unless all are good."""
    channel = get_channel(store) or StoreWhatsApp(store_id=store.id)
    errors: dict[str, str] = {}
    if policy not in CHANNEL_POLICIES:
        errors["policy"] = "email, whatsapp_first or whatsapp_only"
    phone_number_id = (phone_number_id or "").strip() or None
    if phone_number_id and not _PHONE_ID.match(phone_number_id):
        errors["phone_number_id"] = "digits only"
    for lang, (name, code) in templates.items():
        if name and not _TEMPLATE.match(name):
            errors[f"template_{lang}"] = "lowercase letters, digits and underscores"
        if not _LANGUAGE.match(code) or code[:2] != lang:
            errors[f"template_{lang}"] = "language code like es or es_MX"
    country = (country or "").strip().upper() or None
    if country and not valid_country(country):
        errors["country"] = "a two-letter country code like MX"
    for name, value in (("access_token", access_token), ("app_secret", app_secret), ("verify_token", verify_token)):
        if value is not None and not _SECRET.match(value):
            errors[name] = "one line of printable characters, no spaces"
    if errors:
        raise ValidationFailed("the WhatsApp settings have invalid fields", errors)
    _require_complete(channel, policy, phone_number_id, templates, access_token, app_secret, verify_token)
    channel.policy, channel.phone_number_id, channel.default_country = policy, phone_number_id, country
    for lang in ("es", "en"):
        name, code = templates.get(lang, (None, None))
        setattr(channel, f"template_{lang}", name or None)
        setattr(channel, f"template_{lang}_code", code if name else None)
    for name, value in (("access_token", access_token), ("app_secret", app_secret), ("verify_token", verify_token)):
        if value is not None:
            setattr(channel, f"{name}_enc", seal(value))
    channel.updated_at = utcnow()
    db.session.add(channel)
    db.session.flush()
    return channel


def _require_complete(channel, policy, phone_number_id, templates, access_token, app_secret, verify_token) -> None:
    """Sending on WhatsApp needs the number, the token, the app secret (webhook), the verify
    token (handshake) and at least one template."""
    if policy == "email":
        return
    missing = {}
    if not phone_number_id:
        missing["phone_number_id"] = "required"
    for name, value in (("access_token", access_token), ("app_secret", app_secret), ("verify_token", verify_token)):
        if value is None and getattr(channel, f"{name}_enc") is None:
            missing[name] = "required"
    if not any(name for name, _ in templates.values()):
        missing["template_es"] = "at least one approved template"
    if missing:
        raise ValidationFailed("sending on WhatsApp needs these settings", missing)


def credentials(channel: StoreWhatsApp) -> Credentials:
    """The decrypted secrets, for the sender and the webhook only."""
    return Credentials(
        phone_number_id=channel.phone_number_id or "",
        access_token=unseal(channel.access_token_enc) or "",
        app_secret=unseal(channel.app_secret_enc),
        verify_token=unseal(channel.verify_token_enc),
    )


def describe(channel: StoreWhatsApp | None) -> dict:
    """What may be shown: everything but the secrets, which only say whether they are set."""
    if channel is None:
        return {"policy": "email", "configured": False}
    return {
        "policy": channel.policy,
        "configured": True,
        "phone_number_id": channel.phone_number_id,
        "templates": {
            lang: {"name": getattr(channel, f"template_{lang}"), "language": getattr(channel, f"template_{lang}_code")}
            for lang in ("es", "en")
            if getattr(channel, f"template_{lang}")
        },
        "country": channel.default_country,
        "access_token_set": channel.access_token_enc is not None,
        "app_secret_set": channel.app_secret_enc is not None,
        "verify_token_set": channel.verify_token_enc is not None,
    }
