"""Signed links: purpose-bound, tamper-evident, rotatable, expiring."""

import pytest
from itsdangerous import URLSafeTimedSerializer

from surveys.errors import TokenExpired, TokenInvalid
from surveys.services.tokens import PURPOSES, issue_token, read_token


def test_token_round_trips_its_public_id(app):
    public_id, _ = read_token("survey", issue_token("survey", "abc123"))
    assert public_id == "abc123"


def test_survey_token_is_not_accepted_as_unsubscribe_token(app):
    with pytest.raises(TokenInvalid):
        read_token("unsubscribe", issue_token("survey", "abc123"))


def test_tampered_token_is_invalid(app):
    token = issue_token("survey", "abc123")
    with pytest.raises(TokenInvalid):
        read_token("survey", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_token_signed_with_a_retired_key_still_verifies_during_rotation(app):
    old = URLSafeTimedSerializer("the-old-key", salt=PURPOSES["survey"]).dumps("abc123")
    with pytest.raises(TokenInvalid):
        read_token("survey", old)
    app.config["SECRET_KEY_FALLBACKS"] = ["the-old-key"]
    assert read_token("survey", old)[0] == "abc123"


def test_token_older_than_the_global_maximum_is_expired(app):
    token = issue_token("survey", "abc123")
    app.config["MAX_TOKEN_AGE_DAYS"] = -1
    with pytest.raises(TokenExpired):
        read_token("survey", token)
