"""Figures measured in-process against the benchmark database: metrics over a million
responses (with the query plan), and dispatch of 10,000 emails to a local SMTP sink."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, text, update

from surveys.extensions import db
from surveys.models import Invitation, OutboxMessage, Store, utcnow
from surveys.services import intake, invitations, metrics
from surveys.worker import deliver_outbox


def metrics_ms(store: Store, runs: int = 7) -> dict:
    metrics.store_metrics(store)  # warm the page cache the way a running server has it
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = metrics.store_metrics(store)
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return {
        "metrics_1m_responses_ms": round(statistics.median(times), 1),
        "metrics_1m_responses_ms_min": round(min(times), 1),
        "metrics_1m_responses_ms_max": round(max(times), 1),
        "metrics_n": result["nps"]["n"],
    }


def query_plans(store: Store) -> list[str]:
    """EXPLAIN of the two sums behind the metrics (the store's per-day counts), for bench/README.md."""
    dialect = db.engine.dialect.name
    explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF) "
    queries = [
        "SELECT sum(promoters), sum(passives), sum(detractors), sum(satisfied), sum(csat_answers) "
        f"FROM response_day_counts WHERE store_id = {store.id}",
        "SELECT channel, sum(sent), sum(answered) "
        f"FROM invitation_day_counts WHERE store_id = {store.id} GROUP BY channel",
    ]
    out = []
    for sql in queries:
        rows = db.session.execute(text(explain + sql)).all()
        out.append(sql + "\n  " + "\n  ".join(" ".join(str(c) for c in row) for row in rows))
    db.session.rollback()
    return out


def dispatch(store: Store, count: int = 10_000) -> dict:
    """Queue `count` due invitations through the real intake; time rendering them into the outbox
    and, apart, delivering the outbox to the sink (the dispatch figure)."""
    for start in range(0, count, 1000):
        items = [
            {"order_id": f"M{start + k}", "delivered_at": (utcnow() - timedelta(days=3)).isoformat(),
             "customer": {"email": f"m{start + k}@example.com", "name": "Ana López", "locale": "es-MX"},
             "items": [{"sku": "SKU-000", "name": "Producto 0"}]}
            for k in range(min(1000, count - start))
        ]  # fmt: skip
        intake.record_batch(store, items)
        db.session.commit()
    db.session.execute(
        update(Invitation).where(Invitation.store_id == store.id, Invitation.status == "scheduled")
        .values(send_at=utcnow() - timedelta(minutes=1))
    )  # fmt: skip
    db.session.commit()
    limit = current_app.config["DISPATCH_BATCH_SIZE"]
    start = time.perf_counter()
    while invitations.enqueue_due_invitations(limit=limit)["sent"]:  # render into the outbox
        db.session.commit()
    db.session.commit()
    rendered = time.perf_counter() - start
    start = time.perf_counter()
    counts = deliver_outbox(limit)  # the SMTP dispatch: one connection, a commit per message
    elapsed = time.perf_counter() - start
    sent = db.session.scalar(
        select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.store_id == store.id, OutboxMessage.status == "sent"
        )
    )  # fmt: skip
    return {
        "dispatch_10k_emails_s": round(elapsed, 2),
        "dispatch_emails_per_s": round(counts["delivered"] / elapsed),
        "render_10k_invitations_s": round(rendered, 2),
        "render_invitations_per_s": round(count / rendered),
        "invitation_to_sink_emails_per_s": round(counts["delivered"] / (rendered + elapsed)),
        "dispatch_delivered": counts["delivered"],
        "dispatch_sent_rows": sent,
    }
