"""Unbound Flask extensions, bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def _client_key() -> str:
    """Rate-limit bucket: the API key's public prefix when one is presented, else the client address."""
    from flask import request

    parts = request.headers.get("Authorization", "").removeprefix("Bearer ").strip().split("_")
    if len(parts) >= 3 and parts[0] == "pv":
        return "key:" + parts[1][:16]
    return "ip:" + (request.remote_addr or "unknown")


limiter = Limiter(key_func=_client_key, default_limits=[])
