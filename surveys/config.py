"""Configuration: defaults, and loading with the documented precedence.

defaults < instance/config.py < SURVEYS_* environment < test_config.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

PLACEHOLDER_SECRET = "dev-insecure-change-me"  # noqa: S105 - refused outside dev/test


class ConfigError(click.ClickException):
    """Raised at start-up when the configuration cannot be used safely.

    A click exception, so ``flask --app surveys <command>`` prints the reason as one line
    ("Error: ...") and exits 1 instead of a traceback; a WSGI server still refuses to start."""


DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEY": PLACEHOLDER_SECRET,
    "SECRET_KEY_FALLBACKS": [],
    "DATABASE_URL": None,  # filled in from the instance path
    "BASE_URL": "http://127.0.0.1:5000",
    "MAIL_BACKEND": "file",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Postventa <no-reply@postventa.local>",
    # Domains a store's admin may send from (JSON list; the mail relay must accept them). Empty:
    # every store mails from MAIL_DEFAULT_SENDER's address, under its own name.
    "MAIL_SENDER_DOMAINS": [],
    "MAIL_TIMEOUT": 10,
    "MAIL_OUTBOX_DIR": None,  # file backend; defaults to instance/outbox
    "REDIS_URL": None,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # The survey form's POST only: three 10 MB photos and the rest of the form (a bigger one is a 413 page).
    "SURVEY_MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    "MAX_BATCH_SIZE": 1000,
    "MAX_TOKEN_AGE_DAYS": 400,
    "DISPATCH_BATCH_SIZE": 200,
    "MAIL_LEASE_SECONDS": 120,
    "MAIL_MAX_ATTEMPTS": 12,
    "MAIL_BACKOFF_BASE_SECONDS": 30,
    "MAIL_BACKOFF_CAP_SECONDS": 3600,
    "WORKER_INTERVAL_SECONDS": 5,
    "WORK_MAX_ATTEMPTS": 5,  # a row that keeps failing (any error) is parked as dead after this many tries
    "WORK_BACKOFF_BASE_SECONDS": 60,
    "WORK_BACKOFF_CAP_SECONDS": 3600,
    "WHATSAPP_API_BASE": "https://graph.facebook.com/v21.0",  # Cloud API; tests point it at a stand-in
    "WHATSAPP_TIMEOUT": 10,
    "ALERT_SETTLE_MINUTES": 5,  # a task's alert waits this long after the customer's last edit
    "LANGUAGES": ["es", "en"],
    "BABEL_DEFAULT_LOCALE": "es",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "WTF_CSRF_TIME_LIMIT": None,  # survey forms stay open; the token link has its own expiry
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": None,  # None: on when BASE_URL is https
    "TRUSTED_HOSTS": None,
    "PROXY_COUNT": 0,  # reverse proxies in front (X-Forwarded-For/-Proto/-Host trusted from that many hops)
    "WIDGET_CACHE_SECONDS": 5,  # per-process micro-cache of reviews.json answers (0 = off)
    "TESTING": False,
    "API_RATE_LIMIT": "600 per minute",
    "OUTBOUND_ALLOW_LOOPBACK": False,  # tests only: lets signed events reach a receiver on 127.0.0.1
    "OUTBOUND_MAX_ATTEMPTS": 10,
    "PASSWORD_HASH_METHOD": "scrypt:131072:8:1",  # OWASP minimum; Werkzeug's default is weaker
    # Sign-in attempts: per client address; per (account, client), stepped backoff; per account
    # from browsers it never signed in from (a distributed guesser's ceiling).
    "LOGIN_RATE_LIMIT_IP": "20 per minute; 100 per hour",
    "LOGIN_RATE_LIMIT_ACCOUNT": "5 per minute; 15 per hour; 30 per day",
    "LOGIN_RATE_LIMIT_ACCOUNT_CEILING": "30 per 15 minutes; 100 per day",
    "API_AUTH_FAILURE_LIMIT": "20 per minute",  # wrong or missing API keys, per client address
    "STAFF_INVITE_MAX_AGE_HOURS": 72,  # an emailed invitation to join a store is good for this long
    "PASSWORD_RESET_MAX_AGE_MINUTES": 60,  # an emailed password-reset link is good for this long, once
    "PASSWORD_RESET_RATE_LIMIT": "3 per hour",  # reset mails per address (more requests: same answer, no mail)
    "PASSWORD_RESET_RATE_LIMIT_IP": "10 per hour",  # reset requests per client address
    "STAFF_IDLE_MINUTES": 60,
    "STAFF_ABSOLUTE_HOURS": 12,
    "SESSION_COOKIE_NAME": "postventa_session",
    "RATELIMIT_HEADERS_ENABLED": True,
}


def _from_env(environ: dict[str, str]) -> dict[str, Any]:
    """Read every SURVEYS_* variable, typed like its default (bool, int, JSON list)."""
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("SURVEYS_") or name.startswith("SURVEYS_TEST_"):
            continue
        key = name[len("SURVEYS_") :]
        default = DEFAULTS.get(key)
        if isinstance(default, bool):
            out[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            try:
                out[key] = int(raw)
            except ValueError as exc:
                raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
        elif isinstance(default, list) or key == "TRUSTED_HOSTS":
            try:
                out[key] = json.loads(raw)
            except ValueError:
                out[key] = raw  # refused by validate() below if it is not a list
        else:
            out[key] = raw
    return out


def load_config(app, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` following the precedence above, then validate it."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(_from_env(dict(os.environ)))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "surveys.db")
    if not app.config.get("MAIL_OUTBOX_DIR"):
        app.config["MAIL_OUTBOX_DIR"] = os.path.join(app.instance_path, "outbox")
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")
    # Served over https (as BASE_URL says): cookies only travel over https.
    secure = app.config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        secure = app.config["BASE_URL"].startswith("https://")
    elif isinstance(secure, str):
        secure = secure.strip().lower() in {"1", "true", "yes", "on"}
    app.config["SESSION_COOKIE_SECURE"] = secure
    validate(app.config)


def validate(config) -> None:
    """Refuse settings that would be unsafe; the message says what to fix."""
    domains = config.get("MAIL_SENDER_DOMAINS")
    if not isinstance(domains, list) or not all(isinstance(d, str) and d.strip() for d in domains):
        raise ConfigError('SURVEYS_MAIL_SENDER_DOMAINS must be a JSON list of domains, like ["shop.test"]')
    fallbacks = config.get("SECRET_KEY_FALLBACKS")
    if not isinstance(fallbacks, list) or not all(isinstance(k, str) and k for k in fallbacks):
        raise ConfigError(
            "SURVEYS_SECRET_KEY_FALLBACKS must be a JSON list of non-empty strings, "
            'e.g. ["old-key"]; a plain string would be split into one-letter keys.'
        )
    dev = config.get("ENV") in {"development", "test"} or config.get("TESTING")
    if not dev and config.get("SECRET_KEY") in {None, "", PLACEHOLDER_SECRET}:
        raise ConfigError(
            "SURVEYS_SECRET_KEY must be set to a long random value in production "
            "(the default environment). To try Postventa locally, export SURVEYS_ENV=development."
        )
    if config.get("MAIL_BACKEND") not in {"smtp", "file", "console", "memory"}:
        raise ConfigError("SURVEYS_MAIL_BACKEND must be one of smtp, file, console, memory.")
    if not str(config.get("BASE_URL", "")).startswith(("http://", "https://")):
        raise ConfigError("SURVEYS_BASE_URL must be an absolute http(s) URL.")
