"""Encryption at rest for the few secrets we must use again (a store's Cloud API token, app secret).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) with a key derived from
SECRET_KEY by HKDF, so a database dump alone reveals nothing. Values written under
a key listed in SECRET_KEY_FALLBACKS still decrypt after a rotation; new writes use
the current key.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from cryptography.fernet import Fernet, MultiFernet

# ``cryptography`` is imported where a secret is sealed or opened (WhatsApp settings and sends):
# its OpenSSL bindings take about 9 MB of every web worker that never touches one.

_INFO = b"postventa/secretbox/v1"


class SecretUnavailable(Exception):
    """The stored value cannot be decrypted with SECRET_KEY or any fallback (it was rotated away)."""


def _fernet(secret_key: str) -> Fernet:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def _box() -> MultiFernet:
    from cryptography.fernet import MultiFernet

    cfg = current_app.config
    keys = [cfg["SECRET_KEY"], *cfg.get("SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(k) for k in keys])


def seal(value: str) -> str:
    """Encrypt ``value`` with the current key (a different ciphertext every time)."""
    return _box().encrypt(value.encode()).decode("ascii")


def unseal(token: str | None) -> str | None:
    """Decrypt a sealed value; None stays None."""
    if token is None:
        return None
    from cryptography.fernet import InvalidToken

    try:
        return _box().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise SecretUnavailable("stored secret cannot be decrypted with the configured keys") from exc
