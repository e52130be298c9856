"""Store metrics, aggregated in SQL (never row by row in Python): NPS, CSAT, response rates,
weekly series, distributions and breakdowns. What a score means is reading/scoring.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import String, and_, case, cast, func, select

from ..extensions import db
from ..models import Invitation, InvitationDayCount, OrderItem, Product, Response, ResponseDayCount, Store
from ..reading.scoring import (
    is_detractor,
    is_passive,
    is_promoter,
    is_satisfied,
    summarize_csat,
    summarize_nps,
)
from .recovery import recovery_metrics
from .scope import in_store


def _range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    lo = datetime.combine(start, time.min, tzinfo=timezone.utc) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc) if end else None
    return lo, hi


def store_metrics(
    store: Store,
    start: date | None = None,
    end: date | None = None,
    where: list | None = None,
    invitation_where: list | None = None,
) -> dict:
    """NPS and CSAT with 95% margins, invitations sent and response rate for a date range
    (``where``: extra conditions on responses, e.g. the console's filters, which also pick the
    recovery tasks; ``invitation_where``: the ones that apply to invitations, e.g. the product).

    Without such conditions the figures are sums of the store's per-day counts (a few hundred
    rows, kept exact by the database's triggers, see models/counters.py); with them, they are
    counted over the rows."""
    lo, hi = _range(start, end)
    if where:
        row = db.session.execute(
            select(
                func.count(case((is_promoter(Response.nps), 1))),
                func.count(case((is_passive(Response.nps), 1))),
                func.count(case((is_detractor(Response.nps), 1))),
                func.count(case((is_satisfied(Response.csat), 1))),
                func.count(Response.csat),
            ).where(*_period(store, start, end), *where)
        ).one()
    else:
        row = _counted_scores(store, start, end)
    nps = summarize_nps(row[0], row[1], row[2])
    csat = summarize_csat(row[3], row[4])
    per_channel = None
    if invitation_where:
        sent_conds = [in_store(Invitation, store), Invitation.sent_at.is_not(None), *invitation_where]
        if lo:
            sent_conds.append(Invitation.sent_at >= lo)
        if hi:
            sent_conds.append(Invitation.sent_at < hi)
        sent, answered = db.session.execute(
            select(func.count(), func.count(Invitation.answered_at)).where(*sent_conds)
        ).one()
    else:
        per_channel = _counted_invitations(store, start, end)
        sent = sum(s for s, _ in per_channel.values())
        answered = sum(a for _, a in per_channel.values())
    return {
        "nps": {
            "score": nps.score,
            "moe95": nps.moe95,
            "n": nps.n,
            "promoters": nps.promoters,
            "passives": nps.passives,
            "detractors": nps.detractors,
            "small_sample": nps.small_sample,
        },
        "csat": {
            "score": csat.score,
            "moe95": csat.moe95,
            "n": csat.n,
            "ci95": list(csat.ci95) if csat.ci95 else None,
            "small_sample": csat.small_sample,
        },
        "invitations_sent": sent,
        "response_rate": round(answered / sent, 4) if sent else None,
        "response_rate_by_channel": _by_channel(store, start, end, sent, answered, per_channel),
        "recovery": recovery_metrics(store, lo, hi, where),
    }


def _day_range(model, store: Store, start: date | None, end: date | None) -> list:
    conds = [in_store(model, store)]
    if start:
        conds.append(model.day >= start)
    if end:
        conds.append(model.day <= end)
    return conds


def _counted_scores(store: Store, start: date | None, end: date | None) -> tuple[int, int, int, int, int]:
    """(promoters, passives, detractors, satisfied, CSAT answers) of the store's responses
    created from ``start`` to ``end`` (UTC days, both included), from the per-day counts."""
    c = ResponseDayCount
    row = db.session.execute(
        select(
            func.coalesce(func.sum(c.promoters), 0),
            func.coalesce(func.sum(c.passives), 0),
            func.coalesce(func.sum(c.detractors), 0),
            func.coalesce(func.sum(c.satisfied), 0),
            func.coalesce(func.sum(c.csat_answers), 0),
        ).where(*_day_range(c, store, start, end))
    ).one()
    return tuple(int(n) for n in row)


def _counted_invitations(store: Store, start: date | None, end: date | None) -> dict[str, tuple[int, int]]:
    """{channel: (sent, answered)} of the invitations sent from ``start`` to ``end``, from the
    per-day counts (rows sent before channels existed count as email)."""
    c = InvitationDayCount
    rows = db.session.execute(
        select(c.channel, func.sum(c.sent), func.sum(c.answered))
        .where(*_day_range(c, store, start, end))
        .group_by(c.channel)
    ).all()
    return {channel: (int(sent), int(answered)) for channel, sent, answered in rows}


def _by_channel(store: Store, start, end, sent: int, answered: int, per_channel: dict | None) -> dict:
    """Per channel only for stores that have WhatsApp set up; otherwise everything was email.
    (The channels ignore the invitation filters, as ``reporting.rate_by_channel`` does.)"""
    from .whatsapp import settings
    from .whatsapp.reporting import CHANNELS

    if settings.get_channel(store) is not None:
        if per_channel is None:
            per_channel = _counted_invitations(store, start, end)
        out = {}
        for name in CHANNELS:
            s, a = per_channel.get(name, (0, 0))
            out[name] = {"sent": s, "answered": a, "response_rate": round(a / s, 4) if s else None}
        return out
    rate = round(answered / sent, 4) if sent else None
    return {
        "email": {"sent": sent, "answered": answered, "response_rate": rate},
        "whatsapp": {"sent": 0, "answered": 0, "response_rate": None},
    }


def _week(column):
    """The Monday of a timestamp's week, in SQL, on both backends."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")
    return func.date(column, "weekday 0", "-6 days")


def _weekly(store: Store, weeks: int, columns, present, summarize, start=None, end=None, where=None) -> list[dict]:
    """One point per week: the last ``weeks`` weeks, or the weeks of ``start``..``end`` (at most 53)."""
    today = datetime.now(timezone.utc).date()
    last = min(end, today) if end else today
    first = start if start else last - timedelta(weeks=weeks)
    first = max(first, last - timedelta(weeks=53))
    lo, hi = _range(first, last)
    week = _week(Response.created_at).label("week")
    rows = db.session.execute(
        select(week, *columns)
        .where(in_store(Response, store), Response.created_at >= lo, Response.created_at < hi, present)
        .where(*(where or []))
        .group_by(week)
        .order_by(week)
    ).all()
    by_week = {str(w)[:10]: summarize(*counts) for w, *counts in rows}
    monday = first - timedelta(days=first.weekday())
    out = []
    for k in range((last - monday).days // 7 + 1):
        day = (monday + timedelta(weeks=k)).isoformat()
        summary = by_week.get(day)
        out.append(
            {
                "week": day,
                "label": day[5:],
                "value": summary.score if summary else None,
                "moe": summary.moe95 if summary else None,
                "n": summary.n if summary else 0,
            }
        )
    return out


def weekly_nps(store: Store, weeks: int = 12, start=None, end=None, where=None) -> list[dict]:
    """NPS per week (the last ``weeks`` weeks, or the filtered period), with its 95% margin and count."""
    columns = [
        func.count(case((is_promoter(Response.nps), 1))),
        func.count(case((is_passive(Response.nps), 1))),
        func.count(case((is_detractor(Response.nps), 1))),
    ]
    return _weekly(store, weeks, columns, Response.nps.is_not(None), summarize_nps, start, end, where)


def weekly_csat(store: Store, weeks: int = 12, start=None, end=None, where=None) -> list[dict]:
    """CSAT (% of 4-5) per week, with its 95% margin and answer count."""
    columns = [func.count(case((is_satisfied(Response.csat), 1))), func.count(Response.csat)]
    return _weekly(store, weeks, columns, Response.csat.is_not(None), summarize_csat, start, end, where)


def distribution(store: Store, start: date | None = None, end: date | None = None, where=None) -> dict[str, int]:
    """How many answers gave each NPS score 0-10."""
    rows = dict(
        db.session.execute(
            select(Response.nps, func.count())
            .where(*_period(store, start, end), *(where or []), Response.nps.is_not(None))
            .group_by(Response.nps)
        ).all()
    )
    return {str(n): rows.get(n, 0) for n in range(11)}


def _period(store: Store, start: date | None, end: date | None) -> list:
    lo, hi = _range(start, end)
    conds = [in_store(Response, store)]
    if lo:
        conds.append(Response.created_at >= lo)
    if hi:
        conds.append(Response.created_at < hi)
    return conds


def topic_breakdown(
    store: Store, start: date | None = None, end: date | None = None, where: list | None = None
) -> list[dict]:
    """Mentions of each topic, and how many of them were negative, in one SQL pass."""
    from ..reading.topics import TOPICS

    text = cast(Response.topics, String)
    columns = []
    for topic in TOPICS:
        mentioned = text.like(f'%"{topic}"%')
        columns += [
            func.count(case((mentioned, 1))),
            func.count(case((and_(mentioned, Response.sentiment_label == "negative"), 1))),
        ]
    row = db.session.execute(select(*columns).where(*_period(store, start, end), *(where or []))).one()
    return [{"topic": t, "mentions": row[2 * i], "negative": row[2 * i + 1]} for i, t in enumerate(TOPICS)]


def sentiment_breakdown(
    store: Store, start: date | None = None, end: date | None = None, where: list | None = None
) -> dict[str, int]:
    rows = dict(
        db.session.execute(
            select(Response.sentiment_label, func.count())
            .where(*_period(store, start, end), *(where or []), Response.sentiment_label.is_not(None))
            .group_by(Response.sentiment_label)
        ).all()
    )
    return {label: rows.get(label, 0) for label in ("negative", "neutral", "positive")}


def product_nps(
    store: Store, start: date | None = None, end: date | None = None, where: list | None = None, limit: int = 10
) -> list[dict]:
    """NPS per product (the ones with most answers first), with margins."""
    rows = db.session.execute(
        select(
            Product.sku,
            Product.name,
            func.count(case((is_promoter(Response.nps), 1))),
            func.count(case((is_passive(Response.nps), 1))),
            func.count(case((is_detractor(Response.nps), 1))),
        )
        .join(Invitation, Response.invitation_id == Invitation.id)
        .join(OrderItem, OrderItem.order_id == Invitation.order_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(*_period(store, start, end), *(where or []), Response.nps.is_not(None))
        .group_by(Product.sku, Product.name)
        .order_by(func.count().desc())
        .limit(limit)
    ).all()
    out = []
    for sku, name, p, pa, d in rows:
        summary = summarize_nps(p, pa, d)
        out.append({"sku": sku, "name": name, "n": summary.n, "nps": summary.score, "moe95": summary.moe95})
    return out
