"""The app-wide request hooks: Flask-Limiter's run only when some limit is declared."""

from __future__ import annotations

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
