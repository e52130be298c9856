"""Signed outbound events, received by a real HTTP server on loopback and verified independently."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select, update

from surveys.extensions import db
from surveys.models import OutboundEvent, Task, utcnow
from surveys.services import outbound, recovery
from surveys.services.tenancy import create_staff_user
from surveys.worker import dispatch_once

from ..factories import make_store, sent_invitation, survey_path


class Receiver:
    def __init__(self, statuses=None):
        self.received, self.statuses = [], list(statuses or [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 204
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/postventa"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The Standard Webhooks check a shop would run."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, sig.split(",", 1)[1]) for sig in headers["webhook-signature"].split())


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def store(app, receiver):
    app.config["OUTBOUND_ALLOW_LOOPBACK"] = True
    store = make_store()[0]
    store.outbound_url, store.outbound_secret = receiver.url, outbound.new_secret()
    db.session.commit()
    return store


def test_response_and_task_events_arrive_signed(client, store, receiver):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Nunca llegó"})
    dispatch_once()
    types = [json.loads(body)["type"] for _, body in receiver.received]
    assert sorted(types) == ["response.created", "task.created"]
    for headers, body in receiver.received:
        assert verify(store.outbound_secret, headers, body)
        assert (
            headers["webhook-id"].startswith("msg_")
            and abs(int(headers["webhook-timestamp"]) - utcnow().timestamp()) < 60
        )
    data = [json.loads(b)["data"] for _, b in receiver.received if json.loads(b)["type"] == "task.created"][0]
    assert data["reason"] == "detractor" and "email" not in json.dumps(data)


def test_a_tampered_body_fails_verification(client, store, receiver):
    client.post(survey_path(sent_invitation(store)), data={"nps": "9"})
    dispatch_once()
    headers, body = receiver.received[0]
    assert not verify(store.outbound_secret, headers, body.replace(b"9", b"1"))


def test_resolution_and_overdue_are_announced(client, store, receiver):
    admin = create_staff_user("a@t.test", store, "admin", "una clave larga 123")
    client.post(survey_path(sent_invitation(store)), data={"nps": "1"})
    task = db.session.scalar(select(Task))
    db.session.execute(update(Task).values(first_contact_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    dispatch_once()
    db.session.refresh(task)
    recovery.resolve(task, admin, "refund")
    db.session.commit()
    dispatch_once()
    types = [json.loads(body)["type"] for _, body in receiver.received]
    assert {"task.overdue", "task.resolved"} <= set(types)


def test_failures_retry_with_backoff_and_redirects_are_not_followed(client, store, receiver):
    receiver.statuses = [500, 302]
    client.post(survey_path(sent_invitation(store)), data={"nps": "10"})
    dispatch_once()
    event = db.session.scalar(select(OutboundEvent))
    assert event.status == "pending" and event.attempts == 1 and "500" in event.last_error
    db.session.execute(update(OutboundEvent).values(next_attempt_at=utcnow()))
    db.session.commit()
    dispatch_once()
    db.session.refresh(event)
    assert event.status == "pending" and "302" in event.last_error and len(receiver.received) == 2
    db.session.execute(update(OutboundEvent).values(next_attempt_at=utcnow()))
    db.session.commit()
    dispatch_once()
    db.session.refresh(event)
    assert event.status == "sent" and len(receiver.received) == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "ftp://example.com/",
    ],
)
def test_only_https_to_public_addresses_is_allowed(app, url):
    with pytest.raises(outbound.DeliveryRefused):
        outbound.post(url, b"{}", {}, timeout=1)


def test_the_endpoint_must_be_https_when_configured(app, runner):
    runner.invoke(args=["store", "create", "X", "--slug", "x"])
    bad = runner.invoke(args=["store", "webhook", "x", "http://example.com/hook"])
    assert bad.exit_code != 0 and "https" in bad.output
    good = runner.invoke(args=["store", "webhook", "x", "https://example.com/hook"])
    assert good.output.startswith("signing secret: whsec_")
