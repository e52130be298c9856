"""The app-wide request hooks: Flask-Limiter's run only when some limit is declared (by default, on
the app or on a route); every answer carries a request id and a style nonce of its own."""

from __future__ import annotations

import re

from surveys.extensions import limiter


def _limiter_hooks(app) -> list:
    funcs = [*app.before_request_funcs.get(None, []), *app.after_request_funcs.get(None, [])]
    funcs += app.teardown_request_funcs.get(None, [])
    return [fn for fn in funcs if getattr(fn, "__self__", None) is limiter or getattr(fn, "args", ())[:1] == (limiter,)]


def test_without_a_declared_limit_no_request_runs_the_limiters_hooks(app, client):
    assert _limiter_hooks(app) == []
    assert client.get("/healthz").status_code == 200


def test_a_default_limit_keeps_the_hooks_and_is_counted(make_app):
    try:
        app = make_app(RATELIMIT_DEFAULT="2 per minute")
        assert len(_limiter_hooks(app)) == 3
        client = app.test_client()
        statuses = [client.get("/healthz").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        limiter.limit_manager.set_default_limits([])  # the extension is shared by every app of the run
        limiter.reset()


def test_a_limit_declared_on_a_route_added_later_is_counted(make_app):
    app = make_app()
    assert _limiter_hooks(app) == []  # none declared when the app was built

    @limiter.limit("2 per minute")
    def probe():
        return "ok"

    try:
        app.add_url_rule("/limited-probe", "limited_probe", probe)
        client = app.test_client()
        assert [client.get("/limited-probe").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        name = f"{probe.__module__}.{probe.__name__}"
        limiter.limit_manager._decorated_limits.pop(name, None)
        limiter._marked_for_limiting.discard(name)
        limiter.reset()


def test_every_answer_carries_a_request_id_and_its_own_style_nonce(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    ids = [r.headers["X-Request-Id"] for r in (first, second)]
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids) and ids[0] != ids[1]
    nonces = [re.search(r"'nonce-([A-Za-z0-9_-]+)'", r.headers["Content-Security-Policy"])[1] for r in (first, second)]
    assert [len(n) for n in nonces] == [22, 22] and nonces[0] != nonces[1]
    assert client.get("/healthz", headers={"X-Request-Id": "shop-77"}).headers["X-Request-Id"] == "shop-77"
    assert client.get("/healthz", headers={"X-Request-Id": "x" * 65}).headers["X-Request-Id"] != "x" * 65


def test_plain_views_and_hooks_run_as_they_are_and_coroutines_still_go_through_flask(app, monkeypatch):
    def plain():
        return "ok"

    async def coroutine():
        return "ok"

    monkeypatch.setattr(app, "async_to_sync", lambda func: ("wrapped", func))
    assert app.ensure_sync(plain) is plain
    assert app.ensure_sync(coroutine) == ("wrapped", coroutine)
