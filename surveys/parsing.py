"""One parser per kind of input: every value read from a query string, form, JSON body, webhook,
CSV row or command line goes through here, so "²", "0x7f.1", year 10000 or a NUL byte are
refused the same way everywhere (``Invalid``, turned into a field error), never a 500.

Hand-written because these are the product's rules (which ranges, which addresses are public);
the heavy lifting stays with the standard library and email-validator.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
import socket
import zoneinfo
from datetime import MAXYEAR, date, datetime, timedelta, timezone
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from .errors import ValidationFailed

EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
MAX_OFFSET = timedelta(hours=14)  # the widest offset any time zone uses (Kiribati)
MAX_JSON_DEPTH = 32

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "on", "yes"), ("0", "false", "off", "no", "")


class Invalid(ValueError):
    """A value that is not what its field takes; ``str()`` is the reason in the reader's language."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


def integer(raw, low: int, high: int) -> int:
    """A whole number in [low, high]: ASCII digits only (``str.isdigit`` takes "²" and "٣")."""
    if isinstance(raw, bool):
        raise Invalid(_l("a whole number"))
    if isinstance(raw, int):
        value = raw
    else:
        text = raw.strip(" \t\r\n") if isinstance(raw, str) else ""
        if not _INTEGER.fullmatch(text):
            raise Invalid(_l("a whole number"))
        value = int(text)
    if not low <= value <= high:
        raise Invalid(_l("from %(low)d to %(high)d", low=low, high=high))
    return value


def boolean(raw) -> bool:
    """A checkbox or flag: 1/true/on/yes or 0/false/off/no/empty; JSON booleans as they are."""
    if isinstance(raw, bool):
        return raw
    if raw is None:
        return False
    text = raw.strip().lower() if isinstance(raw, str) else None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise Invalid(_l("yes or no"))


def choice(raw, allowed) -> str:
    """One of a fixed set of words (an enum)."""
    if isinstance(raw, str) and raw in allowed:
        return raw
    raise Invalid(_l("one of: %(values)s", values=", ".join(allowed)))


EARLIEST_DAY, LATEST_DAY = EARLIEST.date(), LATEST.date()


def day(raw, earliest: date = EARLIEST_DAY, latest: date = LATEST_DAY) -> date:
    """A calendar date written YYYY-MM-DD, between ``earliest`` and ``latest``."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        value = date.fromisoformat(text) if _DAY.fullmatch(text) else None
    except ValueError:
        value = None
    if value is None:
        raise Invalid(_l("a date like 2026-11-01"))
    if not earliest <= value <= latest:
        raise Invalid(_l("a date from %(low)s to %(high)s", low=earliest.isoformat(), high=latest.isoformat()))
    return value


def timestamp(raw, *, earliest: datetime = EARLIEST, latest: datetime = LATEST, naive_is_utc: bool = False):
    """An ISO 8601 date and time with an offset (``Z`` or ±hh:mm up to 14 hours), between
    ``earliest`` and ``latest``. Naive times are ambiguous and refused, unless the source
    documents them as UTC (``naive_is_utc``, e.g. WooCommerce's *_gmt fields)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise Invalid(_l("required ISO 8601 timestamp with timezone"))
    try:
        if len(text) > 40 or not text.isascii():
            raise ValueError(text)
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "zZ" else text)
    except ValueError:
        raise Invalid(_l("not an ISO 8601 timestamp")) from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise Invalid(_l("timezone offset required (e.g. -06:00 or Z)"))
        parsed = parsed.replace(tzinfo=timezone.utc)
    if abs(parsed.utcoffset()) > MAX_OFFSET:
        raise Invalid(_l("the timezone offset is beyond ±14:00"))
    try:
        in_utc = parsed.astimezone(timezone.utc)
    except OverflowError:  # past year 9999 (a local time behind UTC) or before year 1 (ahead of it)
        in_utc = datetime.max.replace(tzinfo=timezone.utc) if parsed.year == MAXYEAR else None
    if in_utc is None or in_utc < earliest:
        raise Invalid(_l("is too far in the past"))
    if in_utc > latest:
        raise Invalid(_l("is in the future"))
    return parsed


def email(raw) -> str:
    """A mailbox address, normalised and lower-cased (syntax only: no DNS lookup)."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > 254:
        raise Invalid(_l("not a valid email address"))
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid(_l("not a valid email address")) from None


def smtp_email(raw) -> str:
    """A mailbox address as plain SMTP carries it (alert and invitation addresses): an
    internationalised domain in its ASCII form, no non-ASCII local part; lower-cased."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > 254:
        raise Invalid(_l("not an email: %(value)s", value=text[:60]))
    try:
        return validate_email(text, check_deliverability=False, allow_smtputf8=False).ascii_email.lower()
    except EmailNotValidError:
        raise Invalid(_l("not an email: %(value)s", value=text[:60])) from None


_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def hex_colour(raw) -> str:
    """A colour written #rrggbb (what ``<input type=color>`` sends), lower-cased."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not _HEX_COLOUR.fullmatch(text):
        raise Invalid(_l("a colour like #0f766e"))
    return text.lower()


@functools.cache
def time_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows (the list the settings page offers)."""
    return frozenset(zoneinfo.available_timezones())


def time_zone(raw) -> str:
    """An IANA time zone name from the list (``America/Mexico_City``), exactly as listed."""
    text = raw.strip() if isinstance(raw, str) else ""
    if text not in time_zones():
        raise Invalid(_l("unknown time zone; choose one from the list"))
    return text


def several(raw, parse, *args, max_items: int = 50) -> list:
    """A list written in one field, separated by spaces, commas or lines, each item read by
    ``parse``; the first bad item is the error. Duplicates are dropped, order kept."""
    text = raw if isinstance(raw, str) else ""
    items = text.replace(",", " ").split()
    if len(items) > max_items:
        raise Invalid(_l("at most %(n)d entries", n=max_items))
    out: list = []
    for item in items:
        value = parse(item, *args)
        if value not in out:
            out.append(value)
    return out


def one_line(raw, max_length: int) -> str:
    """Text for a single line (a subject, a name, a code): no control characters at all."""
    text = raw.strip() if isinstance(raw, str) else ""
    if _CONTROL.search(text):
        raise Invalid(_l("one line, without control characters"))
    if len(text) > max_length:
        raise Invalid(_l("at most %(n)d characters", n=max_length))
    return text


def text_block(raw, max_length: int) -> str:
    """Free text over several lines: line breaks and tabs kept, other control characters refused."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(raw, str) else ""
    if _CONTROL_BUT_NEWLINES.search(text):
        raise Invalid(_l("contains control characters"))
    if len(text) > max_length:
        raise Invalid(_l("at most %(n)d characters", n=max_length))
    return text


def local_path(raw) -> str | None:
    """A path on this site to go back to after sign-in; None for anything else (another host,
    a scheme, backslashes, control characters that would break the Location header)."""
    if not isinstance(raw, str) or not raw.startswith("/") or raw.startswith(("//", "/\\")) or len(raw) > 2000:
        return None
    if "\\" in raw or _CONTROL.search(raw) or any(ch.isspace() for ch in raw):
        return None
    parts = urlsplit(raw)
    return raw if not (parts.scheme or parts.netloc) else None


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_public(ip) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _is_public(ip.ipv4_mapped)
        if ip in _NAT64 or ip.sixtofour is not None or ip.teredo is not None:
            return False  # a tunnel to an IPv4 address: refused rather than vetted twice
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_unspecified)


def _host_address(host: str):
    """The IP a host name spells, in any notation a resolver accepts (127.1, 0x7f000001,
    017700000001, 2130706433), or None for a real name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def public_https_url(raw, allow_loopback: bool = False) -> str:
    """An https URL whose host is a public name or address: no credentials in it, no loopback,
    private, link-local, ULA, multicast or reserved range, however the address is spelled.
    (The address a name resolves to is checked again when connecting.) ``allow_loopback``
    is for tests that run a receiver on this machine: http and 127.0.0.1 then pass."""
    text = raw.strip() if isinstance(raw, str) else ""
    reason = _l("an https:// address on the public internet")
    if not text or len(text) > 2048 or _CONTROL.search(text) or any(ch.isspace() for ch in text):
        raise Invalid(reason)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise Invalid(reason) from None
    if parts.scheme != "https" and not (allow_loopback and parts.scheme == "http"):
        raise Invalid(reason)
    if "@" in parts.netloc or not parts.hostname or port == 0:
        raise Invalid(_l("an https:// address without a user name or password in it"))
    try:
        host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise Invalid(reason) from None
    address = _host_address(host)
    if address is not None:
        if _is_public(address) or (allow_loopback and address.is_loopback):
            return text
        raise Invalid(_l("this address is not on the public internet"))
    labels = host.split(".")
    if len(labels) < 2 or labels[-1] in ("localhost", "local", "internal", "lan", "home", "arpa", "test", "invalid"):
        raise Invalid(_l("this address is not on the public internet"))
    if labels[-1].isdigit() or labels[-1].startswith("0x") or not all(labels):
        raise Invalid(reason)  # a numeric last label is read as an IPv4 address by resolvers
    return text


_ORIGIN_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def origin(raw) -> str:
    """A web origin (``https://shop.example`` or ``http://host:8080``), as it goes into a
    Content-Security-Policy header: scheme, host name and port, nothing else."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        parts = urlsplit(text)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise Invalid(_l("not an origin: %(value)s", value=text[:60])) from None
    if (
        parts.scheme not in ("https", "http")
        or "@" in parts.netloc
        or not _ORIGIN_HOST.fullmatch(host)
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise Invalid(_l("not an origin: %(value)s", value=text[:60]))
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def json_body(raw: bytes):
    """A JSON document: refuses invalid text, NaN and Infinity, nesting deeper than
    MAX_JSON_DEPTH (the parser and the schema validators recurse) and NUL characters
    (PostgreSQL cannot store them)."""

    def constant(name):
        raise ValueError(name)

    try:
        value = json.loads(raw, parse_constant=constant)
    except (ValueError, RecursionError):
        raise Invalid(_l("the body is not valid JSON")) from None
    # JSON text cannot carry a raw NUL in a string, only the escape \u0000: without that escape
    # in the body only the nesting needs walking, container by container (a 1,000-delivery
    # batch has some 40,000 strings; looking at each cost more than parsing them). UTF-16 and
    # UTF-32 bodies (NUL bytes) are walked whole.
    nul = "\\u0000" in raw if isinstance(raw, str) else (b"\\u0000" in raw or b"\x00" in raw)
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()] if nul else node.values()
        elif isinstance(node, list):
            children = node
        else:
            if isinstance(node, str) and "\x00" in node:
                raise Invalid(_l("the body contains a NUL character"))
            continue
        if depth > MAX_JSON_DEPTH:
            raise Invalid(_l("the body is nested more than %(n)d levels deep", n=MAX_JSON_DEPTH))
        stack.extend((child, depth + 1) for child in children if nul or isinstance(child, (dict, list)))
    return value


# -- helpers turning Invalid into field errors ------------------------------------------------


def field(errors: dict, name: str, parse, raw, *args, **kwargs):
    """Parse ``raw``; on Invalid record ``errors[name]`` and return None."""
    try:
        return parse(raw, *args, **kwargs)
    except Invalid as exc:
        errors[name] = str(exc)
        return None


def arg(args, name: str, parse, *more, default=None, **kwargs):
    """An optional query or form argument: ``default`` when absent or empty, the parsed value
    otherwise; ValidationFailed (422) naming the argument when it is malformed."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw, *more, **kwargs)
    except Invalid as exc:
        raise ValidationFailed(_l("Some fields are not valid."), {name: str(exc)}) from None


def lenient(parse, raw, *args, default=None, **kwargs):
    """Parse ``raw`` or fall back to ``default`` (filters and preselections that ignore bad values)."""
    try:
        return parse(raw, *args, **kwargs)
    except Invalid:
        return default
