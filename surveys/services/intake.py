"""Deliveries in: validation, idempotent recording, suppression and cancellation.

Every path (single API call, batch, CSV) goes through ``validate_delivery`` and
``record_delivery`` so the rules are the same everywhere.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import parsing
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import Invitation, Order, Store, StoreWhatsApp, utcnow
from ..schemas import DELIVERY_VALIDATOR, field_errors
from .ingest import PRODUCT_FIELDS, Delivery, Item, record_many, result_body
from .ingest_one import record_one
from .invitations import withdraw_invitation
from .phones import InvalidPhone, country_for, normalize_phone
from .scope import in_store, scoped

SUPPORTED_LANGUAGES = ("es", "en")


def gtin_check_digit_ok(gtin: str) -> bool:
    """GS1 mod-10: weights 3 and 1 from the right, the last digit makes the sum a multiple of 10."""
    digits = [int(c) for c in gtin]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def _item(raw: dict, index: int, errors: dict) -> Item:
    sku = raw["sku"].strip()
    extra = {f: (raw.get(f) or "").strip() or None for f in PRODUCT_FIELDS}
    if extra["gtin"] and not gtin_check_digit_ok(extra["gtin"]):
        errors[f"items.{index}.gtin"] = gettext("the GTIN's check digit does not match")
    return Item(sku, raw["name"].strip() or sku, **extra)


def parse_timestamp(value, path: str, errors: dict) -> datetime | None:
    """ISO 8601 with an explicit offset, from 2000 to a day ahead (naive times are ambiguous)."""
    return parsing.field(errors, path, parsing.timestamp, value, latest=utcnow() + timedelta(days=1))


NON_ASCII_LOCAL_PART = _l(
    "characters outside ASCII before the @ are not supported: mail servers without SMTPUTF8 refuse them"
)


# The everyday address: ASCII letters, digits and . _ + - before the @ (no leading, trailing
# or doubled dot), then a host name of letter-digit-hyphen labels under a letters-only top-level
# domain. email_validator accepts every such address unchanged but for case, and spends most of
# its 0.1 ms on Unicode and IDNA rules these cannot need (a third of a batch's time); a test
# checks generated ones against it. Anything else, and the special-use domains it refuses
# (plus any "--", which IDNA governs), still goes through the library.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def plain_email(value: str) -> str | None:
    """``value`` lower-cased when it is an everyday address (see above), else None."""
    if len(value) > 254 or "--" in value or not _PLAIN_EMAIL.fullmatch(value):
        return None
    value = value.lower()
    return None if value.rpartition(".")[2] in _SPECIAL_USE_TLDS else value


def normalize_email(value, path: str, errors: dict) -> str | None:
    """A customer address as every intake path stores it: valid, lower-cased, and in the
    form plain SMTP carries. An internationalised domain becomes its ASCII (IDNA) form, which
    is lossless; a non-ASCII local part (josé@…) cannot be mailed without SMTPUTF8, which
    most relays lack, so it is refused with a field error rather than stopping the mail."""
    if not isinstance(value, str):
        errors[path] = gettext("not a valid email address")
        return None
    value = value.strip()
    plain = plain_email(value)
    if plain is not None:
        return plain
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email.lower()
    except EmailNotValidError:
        local = value.rpartition("@")[0]
        errors[path] = (
            str(NON_ASCII_LOCAL_PART) if local and not local.isascii() else gettext("not a valid email address")
        )
        return None


def normalize_locale(value) -> str | None:
    """'es-MX', 'es_AR', 'EN' -> 'es' / 'en'; anything else -> None (store default)."""
    if not isinstance(value, str):
        return None
    lang = value.strip().replace("_", "-").split("-")[0].lower()
    return lang if lang in SUPPORTED_LANGUAGES else None


def phone_country(store: Store) -> str | None:
    """The region for phone numbers written without a country code (the store's setting,
    else its time zone's country)."""
    setting = db.session.scalar(select(StoreWhatsApp.default_country).where(in_store(StoreWhatsApp, store)))
    return country_for(setting, store.timezone)


def country_reader(store: Store) -> Callable[[], str | None]:
    """``phone_country(store)``, read when a phone first needs it and then remembered: most
    deliveries carry no phone, or one with its country code, so they cost no query."""
    found: list[str | None] = []

    def read() -> str | None:
        if not found:
            found.append(phone_country(store))
        return found[0]

    return read


_YES = {"1", "true", "yes", "y", "si", "sí", "x"}
_NO = {"0", "false", "no", "n", ""}


def spreadsheet_bool(value):
    """A CSV cell as a JSON boolean (yes/no, sí, 1/0, true/false; empty -> None); anything
    else is passed on unchanged, for the schema to refuse with a field error."""
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return None if not word else False
    return value


def validate_delivery(payload, country: str | None | Callable[[], str | None] = None) -> Delivery:
    """Check one delivery: the shared JSON Schema first (types, lengths), then meaning
    (a real email, a timestamp with an offset, not in the future, a phone number in
    ``country``'s notation or international; ``country`` may be a ``country_reader``,
    asked only for a number without its +country code). Every field error at once."""
    errors = field_errors(DELIVERY_VALIDATOR, payload)
    if not isinstance(payload, dict):
        raise ValidationFailed(_l("The body must be a JSON object."), errors or {"": gettext("must be an object")})
    customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    order_id = str(payload.get("order_id", "")).strip()
    if not order_id and "order_id" not in errors:
        errors["order_id"] = gettext("required")
    delivered_at = None
    if "delivered_at" not in errors:
        delivered_at = parse_timestamp(payload.get("delivered_at"), "delivered_at", errors)
    email = None
    if "customer.email" not in errors and "customer" not in errors:
        email = normalize_email(customer.get("email", ""), "customer.email", errors)
    phone = None
    if customer.get("phone") not in (None, "") and "customer.phone" not in errors:
        if callable(country):  # a number with its +country code reads the same in every region
            country = None if customer["phone"].strip().startswith("+") else country()
        try:
            phone = normalize_phone(customer["phone"], country)
        except InvalidPhone as exc:
            errors["customer.phone"] = str(exc)
    opt_in = customer.get("whatsapp_opt_in")  # a boolean or absent (the schema says so)
    items, seen = [], set()
    checked = [] if errors else payload.get("items") or []  # only items that passed the schema
    for index, raw in enumerate(checked):
        item = _item(raw, index, errors)
        if item.sku and item.sku not in seen:
            seen.add(item.sku)
            items.append(item)
    if errors:
        raise ValidationFailed(_l("The delivery has invalid fields."), errors)
    name = (customer.get("name") or "").strip() or None
    locale = normalize_locale(customer.get("locale"))
    return Delivery(order_id, delivered_at, email, name, locale, items, phone, opt_in)


def delivery_result(order: Order, invitation: Invitation) -> dict:
    """The API body for a recorded delivery; identical on every replay."""
    return result_body(order.id, order.order_ref, invitation.status, invitation.send_at, invitation.suppressed_reason)


def record_delivery(store: Store, d: Delivery, source: str = "api") -> tuple[dict, bool]:
    """Record one validated delivery; return (result, created).

    (store, order_id) is unique by constraint, so a replayed or concurrent
    delivery of the same order creates nothing and returns the first result.
    """
    return record_one(store, d, source)


def cancel_delivery(store: Store, order_ref: str) -> dict:
    """Order cancelled or refunded: withdraw its invitation if not yet sent. The body says the
    invitation's status now ("withdrawn", or "sent"/"answered"/... as GET /invitations does),
    not the one it had when the delivery was recorded."""
    order = db.session.scalar(scoped(select(Order), store).where(Order.order_ref == order_ref))
    if order is None:
        raise NotFound(_l("No delivery with this order_id."))
    order.status = "cancelled"
    invitation = db.session.scalar(select(Invitation).where(Invitation.order_id == order.id))
    withdraw_invitation(invitation)
    db.session.flush()
    return {**delivery_result(order, invitation), "status": invitation.status}


SLICE = 250  # deliveries validated and recorded together: a batch holds one slice's rows at a time


def record_batch(store: Store, items: list) -> dict:
    """Validate and record many deliveries in the caller's single transaction, a slice at a
    time (as if sent as several smaller batches: the rows a slice wrote are what the next one
    finds), so a worker's memory holds one slice's deliveries and rows, not the batch's."""
    results: list[dict] = []
    country = country_reader(store)
    for start in range(0, len(items), SLICE):
        results.extend(_record_slice(store, items, range(start, min(start + SLICE, len(items))), country))
    codes = [r["status_code"] for r in results]
    return {
        "results": results,
        "created": codes.count(201),
        "duplicate": codes.count(200),
        "rejected": codes.count(422),
    }


def _record_slice(store: Store, items: list, indexes: range, country) -> list[dict]:
    results: dict[int, dict] = {}
    valid: list[tuple[int, Delivery]] = []
    for index in indexes:
        payload = items[index]
        try:
            valid.append((index, validate_delivery(payload, country)))
        except ValidationFailed as exc:
            order_id = payload.get("order_id") if isinstance(payload, dict) else None
            results[index] = {
                "index": index,
                "status_code": 422,
                "error": exc.code,
                "fields": exc.fields,
                "order_id": str(order_id) if isinstance(order_id, (str, int)) else None,
            }
    recorded = record_many(store, [d for _, d in valid])
    for (index, _), (result, created) in zip(valid, recorded, strict=True):
        results[index] = {"index": index, "status_code": 201 if created else 200, **result}
    return [results[index] for index in indexes]


@dataclass
class CsvOutcome:
    line: int
    order_id: str | None
    status: str  # created | duplicate | rejected
    errors: dict[str, str] = field(default_factory=dict)


CSV_PRODUCT_COLUMNS = {"product_url": "url", "image_url": "image_url", "gtin": "gtin", "mpn": "mpn", "brand": "brand"}


def _csv_item(row: dict) -> dict:
    """One CSV row's item; optional product columns that are empty are left out."""
    item = {"sku": row.get("sku"), "name": row.get("product_name") or row.get("sku")}
    for column, name in CSV_PRODUCT_COLUMNS.items():
        if (row.get(column) or "").strip():
            item[name] = row[column].strip()
    return item


def _csv_orders(reader):
    """Group consecutive rows of one order (one row per item) into a delivery payload."""
    current, first_line = None, 0
    for row in reader:
        line = reader.line_num
        key = (row.get("order_id") or "").strip()
        if current is not None and key == current["order_id"] and key:
            if row.get("sku"):
                current["items"].append(_csv_item(row))
            continue
        if current is not None:
            yield first_line, current
        first_line = line
        current = {
            "order_id": key,
            "delivered_at": (row.get("delivered_at") or "").strip(),
            "customer": {
                "email": row.get("email"),
                "name": row.get("name") or None,
                "locale": row.get("locale") or None,
                "phone": (row.get("phone") or "").strip() or None,
                "whatsapp_opt_in": spreadsheet_bool(row.get("whatsapp_opt_in")),
            },
            "items": [_csv_item(row)] if row.get("sku") else [],
        }
    if current is not None:
        yield first_line, current


CSV_REQUIRED_COLUMNS = ("order_id", "email", "delivered_at")
CSV_COLUMNS = frozenset(
    {*CSV_REQUIRED_COLUMNS, "name", "locale", "sku", "product_name", "phone", "whatsapp_opt_in", *CSV_PRODUCT_COLUMNS}
)
CSV_DELIMITERS = (",", ";", "\t")


def csv_delimiter(header: str) -> str:
    """The separator of a deliveries CSV, read from its header line: the comma, the semicolon
    Excel writes wherever the decimal mark is a comma (Spain, most of Latin America), or a tab.

    The one that splits the header into the most known column names wins; with none known
    (a file to refuse), the one that splits it into the most columns, so the refusal lists them;
    the comma on a tie. Only the header decides: rows hold commas (decimals, names) whatever the
    separator, which is what misleads csv.Sniffer's character counts on a real file.
    """

    def fit(delimiter: str) -> tuple[int, int]:
        names = next(csv.reader([header], delimiter=delimiter), [])
        return sum(name.strip() in CSV_COLUMNS for name in names), len(names)

    return max(CSV_DELIMITERS, key=fit)  # max keeps the first of equals: the comma


def csv_rows(lines: Iterable[str]) -> csv.DictReader:
    """A csv.DictReader over ``lines`` (a text file opened with ``newline=""``, BOM removed),
    with the separator its header line uses (see csv_delimiter); lines are read as rows are."""
    lines = iter(lines)
    header = next(lines, "")
    return csv.DictReader(itertools.chain([header], lines), delimiter=csv_delimiter(header))


def import_csv(store: Store, reader, dry_run: bool = False, chunk: int = 500):
    """Yield a CsvOutcome per order from a csv.DictReader, recording ``chunk`` orders at a time.

    Memory stays flat: only one chunk is held; the caller commits between chunks.
    """
    found = reader.fieldnames or []
    missing = [c for c in CSV_REQUIRED_COLUMNS if c not in found]
    if missing:
        raise ValidationFailed(
            _l(
                "Missing CSV columns: %(columns)s; the header has: %(found)s",
                columns=", ".join(missing),
                found=", ".join(found) or _l("nothing (empty file)"),
            ),
            {c: "missing column" for c in missing},
        )
    pending: list[tuple[int, Delivery]] = []
    country = country_reader(store)
    for line, payload in _csv_orders(reader):
        try:
            delivery = validate_delivery(payload, country)
        except ValidationFailed as exc:
            yield CsvOutcome(line, payload["order_id"] or None, "rejected", exc.fields)
            continue
        if dry_run:
            yield CsvOutcome(line, delivery.order_id, "valid")
            continue
        pending.append((line, delivery))
        if len(pending) >= chunk:
            yield from _record_chunk(store, pending)
            pending = []
    if pending:
        yield from _record_chunk(store, pending)


def _record_chunk(store: Store, pending: list[tuple[int, Delivery]]):
    recorded = record_many(store, [d for _, d in pending], source="csv")
    for (line, d), (_, created) in zip(pending, recorded, strict=True):
        yield CsvOutcome(line, d.order_id, "created" if created else "duplicate")
