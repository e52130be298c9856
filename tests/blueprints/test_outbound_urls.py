"""Outbound event URLs are refused when saved (settings form and `store webhook`) unless they
are https to a public host; the connect-time check in outbound.post stays as a second line."""

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Store
from surveys.services.tenancy import create_staff_user

from ..factories import SETTINGS_FORM, STAFF_PASSWORD, make_store, sign_in_speaking

HOSTILE = [
    "https://127.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.1.2.3/",
    "https://192.168.0.10/",
    "https://[fd12:3456::1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://good.example@127.0.0.1/",
    "https://localhost:8443/",
    "http://example.com/hook",
]


@pytest.fixture
def store(app):
    store = make_store(slug="barro")[0]
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store


def _login(client, locale="es"):
    sign_in_speaking(client, "admin@barro.test", locale)


@pytest.mark.parametrize("url", HOSTILE)
def test_the_settings_form_refuses_non_public_endpoints_with_a_field_error(client, store, url):
    _login(client)
    resp = client.post("/staff/settings", data={**SETTINGS_FORM, "outbound_url": url})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="outbound_url-err"' in html
    db.session.refresh(store)
    assert store.outbound_url is None and store.outbound_secret is None


@pytest.mark.parametrize(
    ("locale", "words"),
    [("es", "no está en internet público"), ("en", "not on the public internet")],
)
def test_the_field_error_is_in_the_admins_language(client, store, locale, words):
    _login(client, locale)
    resp = client.post("/staff/settings", data={**SETTINGS_FORM, "outbound_url": "https://169.254.169.254/"})
    error = resp.get_data(as_text=True).split('id="outbound_url-err">', 1)[1].split("<", 1)[0]
    assert resp.status_code == 422 and words in error


def test_a_public_endpoint_is_saved_with_its_signing_secret(client, store):
    _login(client)
    resp = client.post("/staff/settings", data={**SETTINGS_FORM, "outbound_url": "https://hooks.barro.example/pv"})
    assert resp.status_code == 302
    db.session.refresh(store)
    assert store.outbound_url == "https://hooks.barro.example/pv" and store.outbound_secret.startswith("whsec_")


@pytest.mark.parametrize("url", HOSTILE)
def test_the_cli_refuses_non_public_endpoints(runner, store, url):
    result = runner.invoke(args=["store", "webhook", "barro", url])
    assert result.exit_code != 0 and "whsec_" not in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Store.outbound_url).where(Store.slug == "barro")) is None


def test_the_cli_saves_a_public_endpoint(runner, store):
    result = runner.invoke(args=["store", "webhook", "barro", "https://hooks.barro.example/pv"])
    assert result.exit_code == 0 and result.output.startswith("signing secret: whsec_")
