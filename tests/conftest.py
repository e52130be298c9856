"""Fixtures: a fresh app per test on a migrated database (SQLite, or Postgres when
SURVEYS_TEST_DATABASE_URL is set), a real SMTP sink, and a guard that fails any
test opening a connection beyond this machine."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from surveys import create_app
from surveys.extensions import db
from surveys.services.tenancy import create_staff_user

from .browsing import FLAGS
from .cloud_api import PHONE_ID, TOKEN, CloudApiStandIn
from .factories import STAFF_PASSWORD, make_store
from .smtp_sink import SmtpSink

PG_URL = os.environ.get("SURVEYS_TEST_DATABASE_URL")
_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise RuntimeError(f"tests must not reach the network (tried {address!r})")
    return _real_connect(self, address)


@pytest.fixture(scope="session", autouse=True)
def no_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(scope="session")
def database_url():
    """A migrated, empty database for the session; dropped at the end."""
    if PG_URL:
        name = f"postventa_test_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        tmp = tempfile.mkdtemp(prefix="postventa-test-")
        url = f"sqlite:///{tmp}/surveys.db"
    app = create_app(_base_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if PG_URL:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _base_config(url: str, **extra) -> dict:
    instance = tempfile.mkdtemp(prefix="postventa-instance-")
    return {
        "TESTING": True,
        "ENV": "test",
        "SECRET_KEY": "test-secret-key-0123456789",
        "DATABASE_URL": url,
        "BASE_URL": "http://survey.test",
        "MAIL_BACKEND": "memory",
        "MAIL_OUTBOX_DIR": os.path.join(instance, "outbox"),
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "scrypt:16384:8:1",  # fast in tests; production strength is tested apart
        "WIDGET_CACHE_SECONDS": 0,  # every widget answer fresh; the micro-cache has its own test
        **extra,
    }


def _truncate() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(sa.text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture
def make_app(database_url):
    """Build extra apps on the same database (e.g. with CSRF on, or SMTP)."""
    built = []

    def build(**extra):
        app = create_app(_base_config(database_url, **extra))
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.rollback()
        _truncate()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """Messages delivered by the memory backend, as raw RFC 5322 strings."""
    return app.extensions.setdefault("mail_memory", [])


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (skipped where none is installed)."""
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("SURVEYS_TEST_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def staff_shop(app):
    """Two stores: Barro & Co (admin@ and agente@barro.test) and Otra Tienda (otra@otra.test)."""
    store = make_store(name="Barro & Co")[0]
    other = make_store(name="Otra Tienda")[0]
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    create_staff_user("agente@barro.test", store, "agent", STAFF_PASSWORD)
    create_staff_user("otra@otra.test", other, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store, other


@pytest.fixture
def cloud(app):
    """The WhatsApp Cloud API stand-in on loopback; the test fails on any request off its documented shape."""
    with CloudApiStandIn(TOKEN, PHONE_ID, {"encuesta_entrega": {"es_MX"}, "delivery_survey": {"en"}}) as stand_in:
        app.config.update(WHATSAPP_API_BASE=stand_in.url, WHATSAPP_TIMEOUT=0.5)
        yield stand_in
    assert stand_in.violations == []
