"""Start-up refuses unsafe configuration; precedence is defaults < instance < env < test."""

import pytest

from surveys import create_app
from surveys.config import ConfigError


def test_production_refuses_the_placeholder_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SURVEYS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_secret_key_fallbacks_as_plain_string_from_env_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEYS_SECRET_KEY_FALLBACKS", "old-key")
    with pytest.raises(ConfigError, match="JSON list"):
        create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_secret_key_fallbacks_as_json_list_from_env_is_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEYS_SECRET_KEY_FALLBACKS", '["old-key"]')
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SECRET_KEY_FALLBACKS"] == ["old-key"]


def test_env_overrides_defaults_and_test_config_overrides_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEYS_BASE_URL", "https://encuestas.example.com/")
    monkeypatch.setenv("SURVEYS_MAIL_PORT", "2525")
    app = create_app({"ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "MAIL_PORT": 26})
    assert app.config["BASE_URL"] == "https://encuestas.example.com"
    assert app.config["MAIL_PORT"] == 26


def test_unknown_mail_backend_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_BACKEND"):
        create_app({"ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "MAIL_BACKEND": "pigeon"})


def test_session_cookie_is_secure_when_served_over_https(make_app):
    assert make_app(BASE_URL="https://encuestas.example.com").config["SESSION_COOKIE_SECURE"] is True
    assert make_app(BASE_URL="http://127.0.0.1:5000").config["SESSION_COOKIE_SECURE"] is False


def test_forwarded_headers_are_trusted_only_from_the_configured_proxies(make_app):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = make_app().test_client().get("/healthz", headers=headers)
    assert "Strict-Transport-Security" not in direct.headers  # anyone can send the header
    proxied = make_app(PROXY_COUNT=1).test_client().get("/healthz", headers=headers)
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_documented_flask_command_explains_a_missing_secret_in_one_line(tmp_path):
    """`flask --app surveys ...` as the README writes it: production is the default environment."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    flask = Path(sys.executable).with_name("flask")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYS_")}
    env["SURVEYS_DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    refused = subprocess.run([flask, "--app", "surveys", "db", "upgrade"], env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert (
        refused.stderr.startswith("Error: SURVEYS_SECRET_KEY must be set")
        and "SURVEYS_ENV=development" in refused.stderr
    )
    env["SURVEYS_SECRET_KEY"] = "a-long-random-production-secret-0123456789"
    done = subprocess.run([flask, "--app", "surveys", "db", "upgrade"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cli.db").stat().st_size > 0
