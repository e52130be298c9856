"""Postventa: post-delivery surveys, recovery and reviews for online shops."""

from __future__ import annotations

from flask import Flask

from .config import load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; reads like a table of contents of what it serves."""
    from .http import App, AppRequest, ScriptSafeJSONProvider, SessionInterface

    app = App(__name__, instance_relative_config=True)

    app.request_class = AppRequest
    app.session_interface = SessionInterface()
    app.json = ScriptSafeJSONProvider(app)  # before the Jinja environment exists: tojson uses it
    load_config(app, test_config)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import logs

    logs.configure(app)

    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .i18n import install_template_gettext, select_locale

    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["DATABASE_URL"]))
    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    csrf.init_app(app)
    # in-process counters without Redis: limits' memory storage, swept once a second (extensions.py)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "postventa-memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    with app.app_context():
        _configure_sqlite(db.engine)

    from .blueprints import api, feeds, health, hooks, public, staff, widget
    from .blueprints.staff import account, admin, auth, logs, responses, reviews, tasks, views, whatsapp  # noqa: F401
    from .http import RowIdConverter

    app.url_map.converters["id"] = RowIdConverter

    app.register_blueprint(public.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(hooks.bp, url_prefix="/hooks")
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp, url_prefix="/staff")
    app.register_blueprint(widget.bp, url_prefix="/widget")
    app.register_blueprint(feeds.bp, url_prefix="/feeds")
    if app.config["ENV"] in ("development", "test"):
        from .blueprints import demo

        app.register_blueprint(demo.bp, url_prefix="/demo")

    from . import http, labels

    http.register(app)
    labels.register(app)
    from .extensions import drop_idle_limiter_hooks

    drop_idle_limiter_hooks(app)  # every route is registered: does any declare a limit?

    from .microcache import WidgetFastPath

    app.wsgi_app = WidgetFastPath(app.wsgi_app, http.WIDGET_HEADERS)

    from .cli import register_cli

    register_cli(app)
    return app


def _migrations_dir() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    # JIT compilation costs hundreds of milliseconds on short OLTP queries whose estimated
    # cost crosses jit_above_cost (e.g. a 400-value IN over a large table): keep it off.
    # random_page_cost=1.1 is the usual setting for SSDs: at the default (4) the planner prefers a
    # sequential scan to an index-only scan that reads a third of the pages (store metrics).
    return {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 10,
        "connect_args": {"options": "-c jit=off -c random_page_cost=1.1"},
    }


def _configure_sqlite(engine) -> None:
    """WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE for every transaction.

    A deferred SQLite transaction that reads then writes fails at once with
    "database is locked" when another writer committed in between; taking the
    write lock at BEGIN makes writers queue on the busy timeout instead.
    """
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    from .extensions import READS_ONLY

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let us emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Requests that only read (the public widget) take no write lock: with several
        # processes, BEGIN IMMEDIATE would queue every reader behind every writer.
        reads_only = _reads_only() or conn.get_execution_options().get(READS_ONLY, False)
        conn.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def _reads_only() -> bool:
    from flask import g, has_app_context

    return has_app_context() and g.get("db_reads_only", False)
