"""Throttles key on the client and the verified principal, never on what a request merely claims:
sign-in per client, per (account, client) and per account; the API per verified store, and
failed keys per client."""

import re

import pytest

from surveys.extensions import db
from surveys.services.tenancy import create_staff_user

from ..factories import make_store

PASSWORD = "una clave muy larga"  # noqa: S105
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def shop(app):
    store, key = make_store(name="Barro & Co")
    create_staff_user("duena@barro.mx", store, "admin", PASSWORD)
    create_staff_user("agente@barro.mx", store, "agent", PASSWORD)
    db.session.commit()
    prefix = key.split("_")[1]
    db.session.rollback()
    return key, prefix


def login(client, email, password, ip, **headers):
    return client.post(
        "/staff/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}, headers=headers
    )


def test_a_bearer_header_gets_a_throttled_address_no_fresh_guesses(make_app, shop):
    key, prefix = shop
    client = make_app(LOGIN_RATE_LIMIT_IP="3 per minute").test_client()
    codes = [login(client, f"u{n}@barro.mx", "mal", ATTACKER).status_code for n in range(3)]
    forged = [
        login(client, f"v{n}@barro.mx", "mal", ATTACKER, Authorization=f"Bearer pv_{tag}_{n}").status_code
        for n, tag in enumerate([prefix, "deadbeef", "x", prefix])
    ]
    assert codes == [401, 401, 401] and forged == [429, 429, 429, 429]
    assert login(client, "duena@barro.mx", PASSWORD, ATTACKER, Authorization=f"Bearer {key}").status_code == 429


@pytest.mark.parametrize(
    ("lang", "pattern"),
    [("es", r"Demasiados intentos de inicio de sesión\. Espera (\d+) segundos"), ("en", r"Wait (\d+) seconds")],
)
def test_the_sign_in_form_says_how_long_to_wait(make_app, shop, lang, pattern):
    client = make_app(LOGIN_RATE_LIMIT_ACCOUNT="2 per minute").test_client()
    for _ in range(2):
        login(client, "duena@barro.mx", "mal", ATTACKER, **{"Accept-Language": lang})
    resp = login(client, "duena@barro.mx", "mal", ATTACKER, **{"Accept-Language": lang})
    page = resp.get_data(as_text=True)
    wait = int(re.search(r'data-retry-after="(\d+)"', page).group(1))
    assert resp.status_code == 429 and 1 <= wait <= 60 and int(resp.headers["Retry-After"]) == wait
    assert int(re.search(pattern, page).group(1)) == wait
    assert 'name="password"' in page and 'value="duena@barro.mx"' in page  # the form, ready to try again


def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out(make_app, shop):
    client = make_app().test_client()
    guesses = [login(client, "duena@barro.mx", f"intento {n}", ATTACKER).status_code for n in range(8)]
    assert guesses == [401] * 5 + [429] * 3
    assert login(client, "duena@barro.mx", PASSWORD, ATTACKER).status_code == 429  # the guesser stays throttled
    assert login(client, "duena@barro.mx", PASSWORD, OWNER).status_code == 302


def test_many_guessers_hit_an_account_ceiling_that_the_owners_own_browser_does_not_count_against(make_app, shop):
    app = make_app(LOGIN_RATE_LIMIT_ACCOUNT_CEILING="6 per minute")
    owner, crowd = app.test_client(), app.test_client()
    assert login(owner, "duena@barro.mx", PASSWORD, OWNER).status_code == 302  # a browser she used before
    codes = [login(crowd, "duena@barro.mx", "mal", f"192.0.2.{n}").status_code for n in range(1, 10)]
    assert codes == [401] * 5 + [429] * 4  # one guess each from nine addresses: the account's ceiling holds
    assert login(app.test_client(), "duena@barro.mx", PASSWORD, "192.0.2.77").status_code == 429
    assert login(owner, "duena@barro.mx", PASSWORD, OWNER).status_code == 302
    assert login(crowd, "agente@barro.mx", PASSWORD, "192.0.2.1").status_code == 302  # other accounts unaffected


def test_a_successful_sign_in_clears_the_owners_own_counter(make_app, shop):
    client = make_app().test_client()
    assert [login(client, "duena@barro.mx", "mal", OWNER).status_code for _ in range(4)] == [401] * 4
    assert login(client, "duena@barro.mx", PASSWORD, OWNER).status_code == 302
    assert [login(client, "duena@barro.mx", "mal", OWNER).status_code for _ in range(4)] == [401] * 4


def test_wrong_keys_that_name_a_stores_prefix_use_none_of_its_quota(make_app, shop):
    key, prefix = shop
    client = make_app(API_RATE_LIMIT="3 per minute", API_AUTH_FAILURE_LIMIT="4 per minute").test_client()

    def call(token, ip):
        return client.get(
            "/api/v1/metrics", headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": ip}
        )

    stranger = [call(f"pv_{prefix}_wrong{n}", ATTACKER).status_code for n in range(10)]
    assert stranger == [401] * 4 + [429] * 6  # counted against the stranger's address
    assert int(call(f"pv_{prefix}_again", ATTACKER).headers["Retry-After"]) > 0
    first = call(key, OWNER)
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "2"  # the store's quota is whole
    assert [call(key, OWNER).status_code for _ in range(3)] == [200, 200, 429]


def test_in_process_counters_do_not_start_a_thread_per_hit(app, monkeypatch):
    """Without Redis the counters live in the process; limits' own memory storage starts a
    clean-up thread 10 ms after a hit, i.e. one per API request under steady traffic."""
    import threading
    import time

    from surveys.extensions import SweptMemoryStorage, limiter

    storage = limiter._storage
    assert isinstance(storage, SweptMemoryStorage)
    starts = []
    original = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (starts.append(self), original(self))[1])
    for _ in range(30):
        storage.incr("speed-test", 60)
        time.sleep(0.02)
    assert storage.get("speed-test") == 30 and len(starts) <= 2
    storage.incr("speed-short", 0.2)
    time.sleep(0.3)
    assert storage.get("speed-short") == 0  # an expired counter reads as zero at once
