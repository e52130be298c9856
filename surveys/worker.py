"""Background work: one dispatch pass, and the long-running loop around it.

The database is the queue (rows claimed with conditional UPDATEs and leases),
so the loop needs no broker; each step commits on its own so a killed worker
loses nothing and re-sends at most the message in flight.
"""

from __future__ import annotations

import logging
import signal
import time

from flask import current_app

from .extensions import db
from .services import invitations, mail, outbound, privacy, recovery, webhooks
from .services.whatsapp import sending as whatsapp

log = logging.getLogger("surveys.worker")


def deliver_outbox(limit: int) -> dict[str, int]:
    """Send leased outbox messages over one reused connection, committing each result.

    The claim is held for the whole send: each message's lease is renewed (in the same
    commit as the previous result) right before it goes out, and its result is recorded
    only under our claim token. A message whose lease ran out and that another
    dispatcher took meanwhile is skipped here, so nothing is sent twice however slow
    the SMTP server is.
    """
    counts = {"delivered": 0, "retry": 0, "bounced": 0, "failed": 0, "dead": 0, "whatsapp": 0, "whatsapp_retry": 0}
    backend = mail.open_backend()
    # Each result commits on its own; expiring the whole leased batch at every commit would
    # reload every row once per message (quadratic). The rows are ours while we hold the claim.
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        while True:
            claimed = mail.claim_outbox(limit)
            batch = privacy.drop_mail_to_erased(claimed)  # an erased customer's mail is deleted, not sent
            counts["dropped"] = counts.get("dropped", 0) + len(claimed) - len(batch)
            db.session.commit()
            if not claimed:
                break
            held = True  # the first message's lease is fresh from the claim
            for index, msg in enumerate(batch):
                if held:
                    _send_one(backend, msg, counts)
                following = batch[index + 1] if index + 1 < len(batch) else None
                held = following is not None and mail.renew_claim_for_send(following)
                db.session.commit()
            if counts["retry"]:
                break  # the server is struggling: leave the rest for the backoff
    finally:
        session.expire_on_commit = expire
        backend.close()
    return counts


def _send_one(backend, msg, counts: dict[str, int]) -> None:
    if msg.channel == "whatsapp":  # the Cloud API; retries and the fallback to email are decided there
        outcome = whatsapp.deliver(msg)
        key = "whatsapp" if outcome == "delivered" else f"whatsapp_{outcome}"
        counts[key] = counts.get(key, 0) + 1
        return
    try:
        backend.send(msg)
    except (mail.TransientFailure, mail.PermanentFailure) as exc:
        status = mail.mark_failed(msg, exc)
        if status is not None:
            counts["retry" if status == "pending" else status] += 1
            log.warning("mail %s to outbox #%s: %s", status, msg.id, exc)
    except Exception as exc:  # a message that cannot even be sent: this one only
        db.session.rollback()
        backend.close()  # the connection may be mid-transaction
        status = mail.mark_broken(msg, exc)
        if status is not None:
            counts["dead" if status == "dead" else "retry"] += 1
    else:
        if mail.mark_sent(msg):
            counts["delivered"] += 1
        else:  # cannot happen while the lease outlasts one send; say so if it does
            log.error("outbox #%s was sent after another dispatcher took it over", msg.id)


PASSES = ("events", "invitations", "reminders", "expiry", "alerts", "escalations", "retention", "mail", "webhooks")


def dispatch_once() -> dict[str, int]:
    """One pass over all due work; returns counts per kind of work done.

    Rows are isolated inside each step (a failing row is set aside, see services/failures);
    should a whole step still fail (the database went away), the next steps run anyway."""
    limit = current_app.config["DISPATCH_BATCH_SIZE"]
    counts = {"events": 0, "invitations": 0, "suppressed": 0, "reminders": 0, "expired": 0, "erased": 0}
    counts.update({"failed_rows": 0, "delivered": 0, "retry": 0, "bounced": 0, "failed": 0, "dead": 0})
    steps = {
        "events": lambda: _apply_events(limit, counts),
        "invitations": lambda: _enqueue_invitations(limit, counts),
        "reminders": lambda: _enqueue_reminders(limit, counts),
        "expiry": lambda: counts.update(expired=invitations.expire_invitations()),
        "alerts": lambda: counts.update(alerted=len(recovery.send_settled_alerts())),
        "escalations": lambda: counts.update(escalated=len(recovery.escalate_overdue())),
        "retention": lambda: counts.update(erased=privacy.apply_retention()) if _retention_due() else None,
        "mail": lambda: counts.update(deliver_outbox(limit)),
        "webhooks": lambda: counts.update(webhooks=deliver_outbound(limit)),
    }
    for name in PASSES:
        try:
            steps[name]()
            db.session.commit()
        except Exception:  # the step as a whole failed: log it, go on with the others
            db.session.rollback()
            log.exception("dispatch step %s failed", name)
    return counts


def _apply_events(limit: int, counts: dict[str, int]) -> None:
    while True:
        applied = webhooks.apply_pending_events(limit)
        db.session.commit()
        counts["events"] += applied
        if applied < limit:
            return


def _enqueue_invitations(limit: int, counts: dict[str, int]) -> None:
    while True:
        step = invitations.enqueue_due_invitations(limit=limit)
        db.session.commit()
        counts["invitations"] += step["sent"]
        counts["suppressed"] += step["suppressed"]
        counts["failed_rows"] += step["failed"]
        if step["sent"] + step["suppressed"] + step["failed"] < limit:
            return


def _enqueue_reminders(limit: int, counts: dict[str, int]) -> None:
    while True:
        step = invitations.enqueue_due_reminders(limit=limit)
        db.session.commit()
        counts["reminders"] += step["sent"]
        counts["failed_rows"] += step["failed"]
        if step["sent"] + step["failed"] < limit:
            return


def deliver_outbound(limit: int) -> int:
    """Signed events to the shops' endpoints, committing each result; the claim is held
    for the whole batch the same way as for mail (lease renewed per event, result fenced)."""
    sent = 0
    while True:
        batch = outbound.claim(limit)
        db.session.commit()
        if not batch:
            return sent
        held = True
        for index, event in enumerate(batch):
            if held:
                try:
                    sent += outbound.deliver(event) == "sent"
                except Exception as exc:  # an event that cannot even be signed or posted: this one only
                    db.session.rollback()
                    outbound.mark_broken(event, exc)
            following = batch[index + 1] if index + 1 < len(batch) else None
            held = following is not None and outbound.renew(following)
            db.session.commit()
        if len(batch) < limit:
            return sent


_last_retention = {"at": 0.0}


def _retention_due(every_seconds: float = 3600) -> bool:
    """Retention is a daily-scale rule: check it once an hour, not on every pass."""
    now = time.monotonic()
    if now - _last_retention["at"] < every_seconds and _last_retention["at"]:
        return False
    _last_retention["at"] = now
    return True


def run_worker(once: bool = False) -> None:
    """Loop ``dispatch_once`` until SIGTERM/SIGINT; errors are logged, never fatal."""
    stop = {"now": False}

    def _stop(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    interval = current_app.config["WORKER_INTERVAL_SECONDS"]
    log.info("worker started, polling every %ss", interval)
    while not stop["now"]:
        try:
            counts = dispatch_once()
            if any(counts.values()):
                log.info("dispatch %s", counts)
        except Exception:  # a bad pass must not kill the worker; the next one retries
            db.session.rollback()
            log.exception("dispatch pass failed")
        finally:
            db.session.remove()
        if once:
            break
        for _ in range(int(interval * 10)):
            if stop["now"]:
                break
            time.sleep(0.1)
