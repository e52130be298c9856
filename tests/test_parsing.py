"""The one parser per kind of input (surveys/parsing.py), and a check that nothing else in the
package parses input its own way."""

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from surveys import parsing
from surveys.parsing import Invalid

PACKAGE = Path(__file__).resolve().parent.parent / "surveys"


@pytest.mark.parametrize("raw", ["²", "٣", "1_0", "+5", "5.0", "0x10", "", " ", "1e3", "١٢", "99999999999999999999"])
def test_integers_take_ascii_digits_only(raw):
    with pytest.raises(Invalid):
        parsing.integer(raw, 0, 10**20)


def test_integers_in_range():
    assert parsing.integer(" 7 ", 0, 10) == 7 and parsing.integer(-3, -5, 5) == -3
    with pytest.raises(Invalid):
        parsing.integer("11", 0, 10)
    with pytest.raises(Invalid):
        parsing.integer(True, 0, 10)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-11-20T15:04:00",  # naive
        "9999-12-31T23:59:59-23:59",  # past year 9999 in UTC
        "0001-01-01T00:00:00+23:59",  # before year 1 in UTC
        "2026-11-20T15:04:00+15:00",  # no zone is that far
        "1999-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "２０２６-11-20T15:04:00Z",
        "2026-11-20",
        "",
        None,
        20261120,
    ],
)
def test_timestamps_need_an_offset_and_a_plausible_time(raw):
    with pytest.raises(Invalid):
        parsing.timestamp(raw)


def test_timestamps_keep_their_offset():
    parsed = parsing.timestamp("2026-11-20T15:04:00-06:00")
    assert parsed.utcoffset().total_seconds() == -6 * 3600
    assert parsing.timestamp("2026-11-20T21:04:00Z") == parsed
    assert parsing.timestamp("2026-11-20T21:04:00", naive_is_utc=True) == parsed


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "20261101", "2026-W01-1", "2026-02-30", "2026-1-1"])
def test_days_are_written_in_full_and_in_range(raw):
    with pytest.raises(Invalid):
        parsing.day(raw)


def test_a_day():
    assert parsing.day("2026-11-01") == date(2026, 11, 1)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://LOCALHOST./hook",
        "https://app.localhost/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/",
        "https://172.16.3.4/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://2130706433/",  # 127.0.0.1 in decimal
        "https://0x7f000001/",  # in hex
        "https://0177.0.0.1/",  # in octal
        "https://127.1/",
        "https://0x7f.1/",
        "https://[::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, IPv4-mapped
        "https://[fd00::1]/",  # ULA
        "https://[fe80::1]/",
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 to the metadata address
        "https://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "https://good.example@127.0.0.1/",
        "https://user:pass@good.example/",
        "https://１２７.０.０.１/",  # full-width digits
        "https://intranet/",
        "https://printer.local/",
        "https://metadata.google.internal/",
        "https://example.com:0/",
        "https://example.com:99999/",
        "https:///path",
        "https://exa mple.com/",
        "https://example.com/\r\nHost: x",
        "javascript:alert(1)",
        "",
    ],
)
def test_outbound_urls_must_be_public_https(url):
    with pytest.raises(Invalid):
        parsing.public_https_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.com/hook", "https://hooks.shop.example:8443/pv?x=1", "https://8.8.8.8/"]
)
def test_public_https_urls_pass(url):
    assert parsing.public_https_url(url) == url


def test_loopback_passes_only_when_allowed_for_a_local_receiver():
    assert parsing.public_https_url("http://127.0.0.1:8123/", allow_loopback=True)
    with pytest.raises(Invalid):
        parsing.public_https_url("http://10.0.0.1/", allow_loopback=True)


@pytest.mark.parametrize(
    "raw", [b"[" * 50 + b"]" * 50, b"[" * 100_000, b'{"a": NaN}', b'{"a": "x\\u0000"}', b"\xff", b""]
)
def test_json_bodies_refuse_depth_nan_nul_and_bad_bytes(raw):
    with pytest.raises(Invalid):
        parsing.json_body(raw)


@pytest.mark.parametrize(
    "raw", ["//evil.example", "/\\evil", "/a\r\nSet-Cookie: x", "/a\tb", "https://x/", "/a b", None]
)
def test_local_paths(raw):
    assert parsing.local_path(raw) is None


def test_one_line_refuses_every_control_character():
    for ch in ["\x00", "\n", "\r", "\x0b", "\x1b", "\x85", "\u2028"]:
        with pytest.raises(Invalid):
            parsing.one_line(f"a{ch}b", 100)
    assert parsing.one_line("  Hola, Ana  ", 100) == "Hola, Ana"


# Input read anywhere else with these calls bypasses the rules above (``"²".isdigit()`` is True,
# ``int("٣")`` is 3, ``fromisoformat`` takes naive and year-9999 times, ``type=int`` hides both).
FORBIDDEN = re.compile(
    r"\.isdigit\(\)|\.isdecimal\(\)|\.isnumeric\(\)|fromisoformat\(|type=int|validate_email\(|\.format_map\("
)


# Reviewed exceptions: digits already checked to be ASCII; the staff invitation's address rule
# (no SMTPUTF8), which keeps its own flags until parsing.email takes them.
ALLOWED = re.compile(r"isascii\(\) and \w+\.isdigit\(\)|allow_smtputf8=False")


def test_no_module_parses_input_by_hand():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "parsing.py" or rel.startswith("reading/"):  # the pure core reads trusted, stored data
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line) and not ALLOWED.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []


def test_stored_dates_parse_with_the_same_rules():
    assert parsing.timestamp(datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat()).year == 2026
