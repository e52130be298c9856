"""A real SMTP server on loopback (aiosmtpd) that records messages and can be told to fail."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.sink.lock:
            if address in self.sink.reject_rcpt:
                return "550 5.1.1 mailbox unavailable"
            if self.sink.temp_failures > 0:
                self.sink.temp_failures -= 1
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)  # a slow relay: each message takes this long
        with self.sink.lock:
            if self.sink.refuse_all:
                return "421 4.3.2 service not available"
            self.sink.raw.append(
                envelope.content.decode("utf-8") if isinstance(envelope.content, bytes) else envelope.content
            )
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self):
        self.lock = threading.Lock()
        self.raw: list[str] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reject_rcpt: set[str] = set()
        self.temp_failures = 0
        self.refuse_all = False
        self.delay = 0.0
        self.port = _free_port()
        self.controller = None

    def start(self):
        """Listen on the same port every time, so a stop/start looks like an outage."""
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [email.message_from_string(raw, policy=policy.default) for raw in self.raw]

    def config(self) -> dict:
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_TIMEOUT": 5}
