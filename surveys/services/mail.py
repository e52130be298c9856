"""Durable email: messages are rendered into outbox rows, then delivered by the worker.

Delivery rules: SMTP 4xx or a dropped connection -> retry with capped
exponential backoff and jitter, same Message-ID; 5xx at RCPT -> bounced and
the address suppressed. Rows are claimed with a lease, so a killed worker's
messages come back and two workers never send the same one.
"""

from __future__ import annotations

import binascii
import email
import functools
import os
import random
import secrets
import smtplib
import sys
import tempfile
from datetime import datetime, timedelta
from email import policy
from email.charset import QP, Charset
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Customer, Invitation, OutboxMessage, utcnow
from . import failures
from .db_util import claim_leased, finish_claim, renew_claim
from .scope import in_store

# Headers are never folded: a List-Unsubscribe URL folded at 78 columns would break the
# URI for the clients that read it.


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""

    def __init__(self, message: str, bounce: bool):
        super().__init__(message)
        self.bounce = bounce


class TransientFailure(Exception):
    """Try again later (4xx, dropped connection, timeout)."""


def _one_line(value: str) -> str:
    if any(ch in value for ch in "\r\n\x00"):
        raise ValueError("header values must not contain line breaks")
    return value


# Headers come from the standard library's header registry (EmailMessage under an SMTP
# policy), folded only at the RFC's hard limit: a List-Unsubscribe URI folded at 78
# columns would break for the clients that read it.
_HEADER_POLICY = policy.SMTP.clone(max_line_length=998)
_UTF8 = Charset("utf-8")
_UTF8.header_encoding, _UTF8.body_encoding = QP, QP


def default_address() -> str:
    """The configured sender's address (MAIL_DEFAULT_SENDER without its name)."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]


def store_sender(store) -> str:
    """The From of a store's mail: the sender it set, or its own name at the configured address
    (the customer sees the shop, not the product that sends for it)."""
    if store.sender:
        return store.sender
    return str(Address(display_name=store.name, addr_spec=default_address()))


def compose_sender(store, name: str | None, address: str | None) -> str | None:
    """What ``store.sender`` holds for this name and address (None: the default, its own name at
    the configured address, which follows a renamed store). ValueError if no header can hold it."""
    name = (name or "").strip() or store.name
    if not address and name == store.name:
        return None
    sender = str(Address(display_name=_one_line(name), addr_spec=ascii_address(address or default_address())))
    _mailbox_from("From", sender)  # the header it makes: refused here, not when mailing
    return sender


def ascii_address(addr: str) -> str:
    """The address as SMTP without SMTPUTF8 carries it: an internationalised domain in its
    ASCII (IDNA) form, which is lossless; a non-ASCII local part cannot be sent and raises."""
    local, _, domain = _one_line(addr).rpartition("@")
    if not local or not local.isascii():
        raise ValueError("the address cannot be used without SMTPUTF8 (non-ASCII before the @)")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def _looks_encoded(value: str) -> bool:
    return "=?" in value


def _ew(value: str) -> str:
    return _UTF8.header_encode(value)


def _reads_back(name: str, line: str):
    """What a reader gets from the folded header (the stdlib parser, policy default)."""
    try:
        header = email.message_from_string(line + "\r\n\r\n", policy=policy.default)[name]
        if hasattr(header, "addresses"):
            return [(a.display_name, a.addr_spec) for a in header.addresses]
        return str(header)
    except (ValueError, IndexError, AttributeError):
        return None


def _fold_as_given(name: str, candidates: list, expected) -> str:
    """Text holding an RFC 2047 encoded-word lookalike (``=?UTF-8?Q?…=0D=0ABcc:…?=``).
    Python 3.11's header parser decodes such words on input and its folder writes the
    decoded text back out (line breaks included; fixed upstream by gh-121650), so a reader
    would decode the customer's text into new header lines. Each candidate form (as is,
    encoded, encoded twice) is folded by the registry and read back by the stdlib parser;
    the first one a reader sees exactly as given is used; if none, the message is refused."""
    for value in candidates:
        try:
            line = _folded(name, value)
        except ValueError:
            continue
        if _reads_back(name, line) == expected:
            return line
    raise ValueError(f"the {name} header cannot be written as given")


def _text_header(name: str, value: str) -> str:
    value = _one_line(value)
    if not _looks_encoded(value):
        return _folded(name, value)
    return _fold_as_given(name, [value, _ew(value), _ew(_ew(value))], value)


def _mailbox_header(name: str, display: str, addr: str) -> str:
    display, addr = _one_line(display), ascii_address(addr)
    if not _looks_encoded(display):
        return _folded(name, Address(display_name=display, addr_spec=addr))
    candidates = [formataddr((form, addr)) for form in (_ew(display), _ew(_ew(display)))]
    return _fold_as_given(name, candidates, [(display, addr)])


def _mailbox_from(name: str, value: str) -> str:
    display, addr = parseaddr(_one_line(value))
    if not addr:
        raise ValueError("not an email address")
    return _mailbox_header(name, display, addr)


def _folded(name: str, value) -> str:
    """One header as the registry folds it, checked like Python 3.12.5's
    verify_generated_headers: a line break may only ever start a folded continuation."""
    msg = EmailMessage(policy=_HEADER_POLICY)
    msg[name] = value
    [(name, parsed)] = msg.items()
    folded = _HEADER_POLICY.fold(name, parsed)
    line = folded[: -len("\r\n")]
    if not folded.endswith("\r\n") or "\n" in line.replace("\r\n ", "").replace("\r\n\t", "") or "\r" in line:
        raise ValueError(f"the {name} header would carry a line break")
    return line


# The registry's parser costs a few hundred microseconds per header: headers that repeat
# across messages (the store's sender, the date within a second, the fixed ones) are folded
# once. The boundary is fixed per process: quoted-printable bodies never contain "=_".
_BOUNDARY = "=_pv_" + secrets.token_hex(12)


@functools.lru_cache(maxsize=512)
def _folded_sender(name: str, value: str) -> str:
    return _mailbox_from(name, value)


@functools.lru_cache(maxsize=64)
def _folded_constant(name: str, value: str) -> str:
    return _folded(name, value)


def build_message(
    *,
    sender: str,
    to: tuple[str, str],
    subject: str,
    text: str,
    html: str,
    message_id: str,
    headers: dict[str, str] | None = None,
) -> str:
    """A multipart/alternative message (text + HTML), UTF-8 quoted-printable, as CRLF text.

    Headers are built by the standard library's header registry (``EmailMessage`` with an
    SMTP policy: RFC 2047 for non-ASCII, addresses parsed, never a raw line break). The
    bodies are written directly by the C quoted-printable codec: the generic generator
    costs several milliseconds per message, which the worker would pay for every invitation.
    """
    lines = [
        _folded_sender("From", sender),
        _mailbox_header("To", *to),
        _text_header("Subject", subject),
        _folded_constant("Date", formatdate(localtime=False)),
        _folded("Message-ID", _one_line(message_id)),
    ]
    for name, value in (headers or {}).items():
        if name == "Reply-To":
            lines.append(_folded_sender(name, value))
        elif name == "List-Unsubscribe-Post":
            lines.append(_folded_constant(name, value))
        else:
            lines.append(_text_header(name, value))  # URIs as they are
    lines += [
        _folded_constant("MIME-Version", "1.0"),
        _folded_constant("Content-Type", f'multipart/alternative; boundary="{_BOUNDARY}"'),
        "",
    ]
    for subtype, body in (("plain", text), ("html", html)):
        lines += [
            f"--{_BOUNDARY}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            _quoted_printable(body),
        ]
    lines += [f"--{_BOUNDARY}--", ""]
    return "\r\n".join(lines)


def _quoted_printable(body: str) -> str:
    raw = body.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(raw, quotetabs=False, istext=True).decode("ascii").replace("\n", "\r\n")


TASK_HEADER = "X-Postventa-Task"


def task_header_line(task_id: int) -> str:
    """The header line a staff alert about ``task_id`` carries, as stored in ``raw``."""
    return f"\r\n{TASK_HEADER}: {task_id}\r\n"


def queue_message(
    *,
    store_id: int,
    invitation_id: int | None,
    kind: str,
    sender: str,
    to: tuple[str, str],
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str | None = None,
    reply_to: str | None = None,
    not_before: datetime | None = None,
    task_id: int | None = None,
) -> OutboxMessage:
    """Add a rendered message to the outbox (committed with the caller's change), to go out
    now or at ``not_before``. ``task_id`` names the recovery task a staff alert is about (a
    header), so that erasing the customer can delete the alert too."""
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "postventa.local"
    message_id = make_msgid(domain=domain)
    headers = {}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if reply_to:
        headers["Reply-To"] = reply_to
    if task_id is not None:
        headers[TASK_HEADER] = str(task_id)
    msg = build_message(
        sender=sender, to=to, subject=subject, text=text, html=html, message_id=message_id, headers=headers
    )  # the raw message, as stored and sent
    row = OutboxMessage(
        store_id=store_id,
        invitation_id=invitation_id,
        kind=kind,
        sender=sender,
        recipient=ascii_address(to[1]),
        message_id=message_id,
        raw=msg,
        next_attempt_at=max(not_before, utcnow()) if not_before else utcnow(),
    )
    db.session.add(row)
    return row


def queue_rendered(
    *,
    store,
    invitation_id: int | None,
    outbox_kind: str,
    to: tuple[str, str],
    subject: str,
    template: str,
    unsubscribe_url: str | None = None,
    not_before: datetime | None = None,
    task_id: int | None = None,
    **ctx,
) -> OutboxMessage:
    """Render email/<template>.txt and .html (in the active locale) and queue them from the store's sender."""
    ctx.update(store=store, subject=subject, unsubscribe_url=unsubscribe_url)
    text = render_template(f"email/{template}.txt", **ctx)
    html = render_template(f"email/{template}.html", **ctx)
    return queue_message(
        store_id=store.id,
        invitation_id=invitation_id,
        kind=outbox_kind,
        sender=store_sender(store),
        to=to,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe_url,
        not_before=not_before,
        task_id=task_id,
    )


# -- delivery ---------------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])


def claim_outbox(limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Lease up to ``limit`` due messages (pending, or sending with an expired lease)."""
    return claim_leased(OutboxMessage, limit, _lease(), now or utcnow())


def renew_claim_for_send(msg: OutboxMessage, now: datetime | None = None) -> bool:
    """A full lease for this message right before it is sent; False if another worker now holds it."""
    return renew_claim(OutboxMessage, msg, _lease(), now or utcnow())


def mark_sent(msg: OutboxMessage, now: datetime | None = None) -> bool:
    """Record the delivery; False (nothing written) when our claim is no longer the current one."""
    values = {"status": "sent", "sent_at": now or utcnow(), "last_error": None, "attempts": msg.attempts + 1}
    return finish_claim(OutboxMessage, msg, values)


def mark_failed(msg: OutboxMessage, exc: Exception, now: datetime | None = None) -> str | None:
    """Record a failed attempt; return the new status (pending, failed or bounced), or None
    when our claim is no longer the current one (nothing written)."""
    now = now or utcnow()
    cfg = current_app.config
    attempts = msg.attempts + 1
    values = {"attempts": attempts, "last_error": str(exc)[:500]}
    if isinstance(exc, PermanentFailure):
        status = "bounced" if exc.bounce else "failed"
    elif attempts >= cfg["MAIL_MAX_ATTEMPTS"]:
        status = "failed"
    else:
        delay = min(cfg["MAIL_BACKOFF_BASE_SECONDS"] * 2 ** (attempts - 1), cfg["MAIL_BACKOFF_CAP_SECONDS"])
        delay *= random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
        status, values["next_attempt_at"] = "pending", now + timedelta(seconds=delay)
    if not finish_claim(OutboxMessage, msg, {"status": status, **values}):
        return None
    if status == "bounced":
        _suppress_bounced(msg, now)
    return status


def mark_broken(msg: OutboxMessage, exc: Exception) -> str | None:
    """A message that failed in an unexpected way (not an SMTP answer): retried with backoff,
    then ``dead`` after WORK_MAX_ATTEMPTS and listed for the store's admins."""
    attempts = msg.attempts + 1
    values = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:500]}
    dead = attempts >= current_app.config["WORK_MAX_ATTEMPTS"]
    status = "dead" if dead else "pending"
    if not dead:
        values["next_attempt_at"] = utcnow() + failures.backoff(attempts)
    if not finish_claim(OutboxMessage, msg, {"status": status, **values}):
        return None
    failures.record("mail", msg.id, msg.store_id, exc, msg.recipient, dead=dead)
    return status


def _suppress_bounced(msg: OutboxMessage, now: datetime) -> None:
    db.session.execute(
        update(Customer)
        .where(in_store(Customer, msg.store_id), Customer.email == msg.recipient, Customer.bounced_at.is_(None))
        .values(bounced_at=now)
    )
    if msg.invitation_id:
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == msg.invitation_id, Invitation.status == "sent")
            .values(status="bounced", reminder_due_at=None)
        )


def mail_health(now: datetime | None = None) -> tuple[str, int]:
    """('ok'|'degraded', pending count): degraded while recent attempts keep failing."""
    now = now or utcnow()
    pending = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status.in_(("pending", "sending")))
    )
    failing = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.attempts > 0,
            OutboxMessage.last_error.is_not(None),
        )
    )
    return ("degraded" if failing else "ok"), pending


# -- backends ---------------------------------------------------------------------------


class SmtpBackend:
    """One connection reused for a whole batch; reconnects after a drop."""

    def __init__(self, config):
        self.config = config
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        conn = cls(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=cfg["MAIL_TIMEOUT"])
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            conn.starttls()
        if cfg["MAIL_USERNAME"]:
            conn.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        return conn

    def send(self, msg: OutboxMessage) -> None:
        try:
            if self.conn is None:
                self.conn = self._connect()
            envelope = ascii_address(parseaddr(msg.sender)[1]), [ascii_address(msg.recipient)]
            self.conn.sendmail(*envelope, msg.raw.encode("utf-8"))
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self._raise_for(code, text, at_rcpt=True)
        except smtplib.SMTPResponseException as exc:
            self._raise_for(exc.smtp_code, exc.smtp_error, at_rcpt=False)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientFailure(f"smtp connection: {exc}") from exc

    def _raise_for(self, code: int, text, at_rcpt: bool):
        detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        if code >= 500:
            raise PermanentFailure(f"{code} {detail}", bounce=at_rcpt)
        if code == 421:  # the server is closing the connection
            self.close()
        raise TransientFailure(f"{code} {detail}")

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.conn = None


class FileBackend:
    """Writes each message to MAIL_OUTBOX_DIR/<time>-<id>.eml (development)."""

    def __init__(self, config):
        self.directory = config["MAIL_OUTBOX_DIR"]

    def send(self, msg: OutboxMessage) -> None:
        os.makedirs(self.directory, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S}-{msg.id:06d}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(msg.raw)
        os.replace(tmp, os.path.join(self.directory, name))

    def close(self) -> None:
        pass


class ConsoleBackend:
    def __init__(self, config):
        pass

    def send(self, msg: OutboxMessage) -> None:
        sys.stdout.write(msg.raw + "\n" + "-" * 72 + "\n")

    def close(self) -> None:
        pass


class MemoryBackend:
    """Keeps messages in ``app.extensions['mail_memory']`` (tests)."""

    def __init__(self, config):
        self.box = current_app.extensions.setdefault("mail_memory", [])

    def send(self, msg: OutboxMessage) -> None:
        self.box.append(msg.raw)

    def close(self) -> None:
        pass


BACKENDS = {"smtp": SmtpBackend, "file": FileBackend, "console": ConsoleBackend, "memory": MemoryBackend}


def open_backend():
    return BACKENDS[current_app.config["MAIL_BACKEND"]](current_app.config)
