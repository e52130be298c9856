"""Unbound Flask extensions, bound to the app in ``create_app``."""

import threading

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
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
READS_ONLY = "postventa_reads_only"  # execution option of an engine whose sessions never write


class MethodFirstCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF check, asking the request's method first: a GET (most requests) is never
    checked, and Flask-WTF looked up the blueprint's and the view's exemptions before asking."""

    def protect(self, apply_exemptions=False):
        from flask import current_app, request

        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        super().protect(apply_exemptions=apply_exemptions)


csrf = MethodFirstCSRFProtect()
babel = Babel()
login_manager = LoginManager()


def _client_key() -> str:
    """Rate-limit bucket: the client's address (behind a proxy, as ProxyFix resolved it).

    Never anything the request only claims, such as an unverified API key: whoever could
    name a bucket could empty someone else's, or escape their own."""
    from flask import request

    return "ip:" + (request.remote_addr or "unknown")


limiter = Limiter(key_func=_client_key, default_limits=[])


def drop_idle_limiter_hooks(app) -> bool:
    """Without any limit declared, Flask-Limiter's request hooks find nothing to count on every
    request (about a twentieth of a widget 304: resolving the endpoint's limits, exemptions and
    request filters, and its per-request context). Called once every route is registered: when
    no default, application or meta limit is configured and no route or blueprint declares one,
    the hooks are removed; a limit declared anywhere keeps them. The app's own quotas
    (services/throttle.py) use the limiter's storage directly and do not depend on them."""
    manager = limiter.limit_manager
    declared = (
        manager._application_limits,
        manager._default_limits,
        manager._decorated_limits,
        manager._blueprint_limits,
        limiter._meta_limits,
        limiter._marked_for_limiting,
    )
    if any(declared):
        return False

    def ours(fn) -> bool:
        return getattr(fn, "__self__", None) is limiter or getattr(fn, "args", (None,))[:1] == (limiter,)

    for funcs in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        if None in funcs:
            funcs[None] = [fn for fn in funcs[None] if not ours(fn)]
    return True


class LazyMigrate:
    """Flask-Migrate, imported only when a migration runs (``flask db ...`` or ``upgrade()``).

    Flask-Migrate imports Alembic, about 10 MB in every web worker that never migrates.
    ``init_app`` puts a stand-in at ``app.extensions["migrate"]`` and a ``db`` command that
    hand over to the real ones on first use; both behave exactly as Flask-Migrate's.
    """

    def init_app(self, app, db, directory: str) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, directory)
        app.cli.add_command(_MigrationCommands(app), name="db")


def _load_migrate(app):
    """The real Flask-Migrate config of ``app`` (made once; it replaces the stand-ins)."""
    pending = app.extensions.get("migrate")
    if isinstance(pending, _PendingMigrate):
        from flask_migrate import Migrate

        Migrate(app, pending.db, directory=pending.directory)
    return app.extensions["migrate"]


class _PendingMigrate:
    def __init__(self, app, db, directory: str):
        self.app, self.db, self.directory = app, db, directory

    def __getattr__(self, name: str):  # anything beyond db and directory: the real config
        return getattr(_load_migrate(self.app), name)


class _MigrationCommands(click.Command):
    """``flask db``: parsed and run by Flask-Migrate's own command group, imported here."""

    def __init__(self, app):
        super().__init__("db", help="Perform database migrations.")
        self.app = app

    def make_context(self, info_name, args, parent=None, **extra):
        _load_migrate(self.app)
        from flask_migrate.cli import db as group

        return group.make_context(info_name, args, parent=parent, **extra)


migrate = LazyMigrate()


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage (``memory://``), sweeping expired counters at most once a second.

    The stock storage starts a timer thread 10 ms after a hit whenever none is running: under
    steady traffic, a new thread for every API request (a tenth of a delivery's CPU in a
    worker). Counters expire when they are read either way (``get`` drops an expired one, and
    the moving window compares timestamps), so counting is unchanged; only the clean-up of
    counters nobody reads again waits up to a second."""

    STORAGE_SCHEME = ["postventa-memory"]
    SWEEP_SECONDS = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the base class's private method
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()
