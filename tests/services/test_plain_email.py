"""The intake's shortcut for everyday addresses must agree with email_validator on every
address it takes, and leave every other address to the library."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.services.intake import _PLAIN_EMAIL, normalize_email, plain_email


def _library(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email.lower()
    except EmailNotValidError:
        return None


@settings(max_examples=200, deadline=None)
@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_every_address_the_shortcut_takes_is_the_one_the_library_returns(value):
    taken = plain_email(value)
    assert taken is None or taken == _library(value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aZ09._+-@x", min_size=3, max_size=30))
def test_the_shortcut_never_takes_what_the_library_refuses(value):
    taken = plain_email(value)
    assert taken is None or taken == _library(value)


@pytest.mark.parametrize(
    "value",
    [
        "ana@tienda.test",  # special-use domains are refused by the library
        "ana@shop.localhost",
        "ana@x.onion",
        "ana@xn--tda-cma.com",  # punycode: the library checks it is real IDNA
        "ab--cd@ab--cd.com",
        "ana..b@example.com",
        ".ana@example.com",
        "ana@-example.com",
        "ana@example.c0m",
        "ana@example",
        "José@example.com",
        "ana@exämple.com",
        "Ana López <ana@example.com>",
        "a" * 250 + "@example.com",
    ],
)
def test_unusual_addresses_go_to_the_library_and_get_its_answer(value):
    assert plain_email(value) is None
    errors: dict = {}
    assert normalize_email(value, "customer.email", errors) == _library(value)
    assert bool(errors) == (_library(value) is None)


def test_an_everyday_address_is_lower_cased_as_before():
    assert plain_email("Ana.Lopez+pedidos@Example.COM.mx") == "ana.lopez+pedidos@example.com.mx"
    assert _library("Ana.Lopez+pedidos@Example.COM.mx") == "ana.lopez+pedidos@example.com.mx"
