"""Two dispatchers overlapping on a slow SMTP server: the claim is held for the whole send,
so every message arrives exactly once (SQLite and PostgreSQL)."""

import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import OutboundEvent, OutboxMessage, utcnow
from surveys.services import mail, outbound
from surveys.worker import deliver_outbox

from ..factories import make_store


def _queue(store, count: int) -> None:
    for n in range(count):
        mail.queue_message(
            store_id=store.id,
            invitation_id=None,
            kind="alert-new",
            sender="Tienda <hola@tienda.test>",
            to=("", f"c{n}@example.com"),
            subject=f"Mensaje {n}",
            text="hola",
            html="<p>hola</p>",
        )
    db.session.commit()


def test_two_dispatchers_overlapping_past_the_lease_send_each_of_12_messages_exactly_once(make_app, app, smtp_sink):
    store = make_store()[0]
    _queue(store, 12)
    # 12 messages take ~4 s; the lease is 2 s: one message's renewal, send and record fit in it
    # with room for a loaded machine, the batch's lease runs out long before the last send
    smtp_sink.delay = 0.35
    config = {**smtp_sink.config(), "MAIL_LEASE_SECONDS": 2, "DISPATCH_BATCH_SIZE": 12}
    workers = [make_app(**config), make_app(**config)]
    errors = []

    def first():
        with workers[0].app_context():
            try:
                deliver_outbox(12)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

    def second():
        time.sleep(2.4)  # the first one's batch lease has run out by now, its sends have not
        with workers[1].app_context():
            deadline = time.monotonic() + 6
            try:
                while time.monotonic() < deadline:
                    deliver_outbox(12)
                    time.sleep(0.2)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    ids = Counter(m["Message-ID"] for m in smtp_sink.messages)
    assert len(ids) == 12
    assert max(ids.values()) == 1, ids
    db.session.expire_all()
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")) == 12
    )


def test_a_worker_whose_lease_ran_out_cannot_mark_a_message_another_worker_took_over(app, smtp_sink):
    store = make_store()[0]
    _queue(store, 1)
    [stale] = mail.claim_outbox(5)
    db.session.commit()
    db.session.refresh(stale)
    db.session.expunge(stale)
    db.session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))  # it ran out
    [current] = mail.claim_outbox(5)  # worker B takes it over
    db.session.commit()
    assert current.claim_token != stale.claim_token
    assert not mail.renew_claim_for_send(stale)
    assert not mail.mark_sent(stale)
    assert mail.mark_failed(stale, mail.TransientFailure("451 later")) is None
    db.session.commit()
    row = db.session.scalar(select(OutboxMessage).execution_options(populate_existing=True))
    assert (row.status, row.attempts, row.claim_token) == ("sending", 0, current.claim_token)
    assert mail.mark_sent(current)
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage.status)) == "sent"


def test_an_outbound_event_is_recorded_only_by_the_holder_of_its_current_claim(app):
    store = make_store()[0]
    store.outbound_url, store.outbound_secret = "https://127.0.0.1:9/in", outbound.new_secret()
    outbound.emit(store, "task.created", {"id": 1})
    db.session.commit()
    [stale] = outbound.claim(5)
    db.session.commit()
    db.session.refresh(stale)
    db.session.expunge(stale)
    db.session.execute(update(OutboundEvent).values(lease_until=utcnow() - timedelta(seconds=1)))
    [current] = outbound.claim(5)
    db.session.commit()
    assert not outbound.renew(stale)
    assert outbound.deliver(stale) is None  # refused (not a public address) and recorded nothing
    db.session.commit()
    row = db.session.scalar(select(OutboundEvent).execution_options(populate_existing=True))
    assert (row.status, row.attempts, row.claim_token) == ("sending", 0, current.claim_token)
