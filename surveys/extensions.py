"""Unbound Flask extensions, bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Every constraint gets a predictable name, so a later migration can drop or alter it on any
# backend. The names are PostgreSQL's own defaults, so the constraints created before the
# convention existed already carry them there.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def _client_key() -> str:
    """Rate-limit bucket: the client's address (behind a proxy, as ProxyFix resolved it).

    Never anything the request only claims, such as an unverified API key: whoever could
    name a bucket could empty someone else's, or escape their own."""
    from flask import request

    return "ip:" + (request.remote_addr or "unknown")


limiter = Limiter(key_func=_client_key, default_limits=[])
