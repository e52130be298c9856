"""Store metrics, aggregated in SQL (never row by row in Python): NPS, CSAT, response rates,
weekly series, distributions and breakdowns. What a score means is reading/scoring.py.

A date range is the shop's calendar days (its clock, reading/clock.py): ``start``..``end``
become the UTC instants between the shop's midnights. The per-day counts the triggers keep
(models/counters.py) are per UTC day, so a range sums the UTC days that lie wholly inside it
and counts the rows of the partial UTC days at its two edges directly, along the same indexes:
exact for any offset, half hours and daylight-saving changes included."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import String, and_, case, cast, func, literal, select

from ..extensions import db
from ..models import Invitation, InvitationDayCount, OrderItem, Product, Response, ResponseDayCount, Store, utcnow
from ..reading.clock import ShopClock
from ..reading.scoring import (
    is_detractor,
    is_passive,
    is_promoter,
    is_satisfied,
    summarize_csat,
    summarize_nps,
)
from .db_util import within
from .recovery import recovery_metrics
from .scope import in_store


def _score_counts():
    """Promoters, passives, detractors, satisfied and CSAT answers among the rows selected."""
    return select(
        func.count(case((is_promoter(Response.nps), 1))),
        func.count(case((is_passive(Response.nps), 1))),
        func.count(case((is_detractor(Response.nps), 1))),
        func.count(case((is_satisfied(Response.csat), 1))),
        func.count(Response.csat),
    )


def _range(store: Store, start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC instants [lo, hi) of the shop's days ``start``..``end`` (None: open)."""
    return ShopClock(store.timezone).day_span(start, end)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _split(lo: datetime | None, hi: datetime | None) -> tuple[date | None, date | None, list[tuple]]:
    """[lo, hi) as the UTC days wholly inside it (first, last; None: open; first > last: none)
    and the instant ranges left at the edges, which are counted over the rows."""
    first = last = None
    edges = []
    if lo is not None:
        first = lo.date() if lo == _midnight(lo.date()) else lo.date() + timedelta(days=1)
    if hi is not None:
        last = hi.date() - timedelta(days=1)
    if first is not None and last is not None and first > last:
        return first, last, [(lo, hi)]
    if lo is not None and lo < _midnight(first):
        edges.append((lo, _midnight(first)))
    if hi is not None and hi > _midnight(last + timedelta(days=1)):
        edges.append((_midnight(last + timedelta(days=1)), hi))
    return first, last, edges


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
    lo, hi = _range(store, start, end)
    if where:
        row = db.session.execute(_score_counts().where(*_period(store, start, end), *where)).one()
    else:
        row = _counted_scores(store, start, end)
    nps = summarize_nps(row[0], row[1], row[2])
    csat = summarize_csat(row[3], row[4])
    per_channel = None
    whatsapp = _has_whatsapp(store)
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
        per_channel = _counted_invitations(store, start, end, channels=whatsapp)
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
        "response_rate_by_channel": _by_channel(
            store, start, end, sent, answered, per_channel if whatsapp else None, whatsapp
        ),
        "recovery": recovery_metrics(store, lo, hi, where),
    }


def _whole_days(model, store: Store, first: date | None, last: date | None) -> list:
    conds = [in_store(model, store)]
    if first is not None:
        conds.append(model.day >= first)
    if last is not None:
        conds.append(model.day <= last)
    return conds


def _counted_scores(store: Store, start: date | None, end: date | None) -> tuple[int, int, int, int, int]:
    """(promoters, passives, detractors, satisfied, CSAT answers) of the store's responses
    given on the shop's days ``start`` to ``end`` (both included): the per-day counts of the
    whole UTC days inside, plus the rows at the edges counted along (store, created_at, nps, csat)."""
    first, last, edges = _split(*_range(store, start, end))
    totals = [0] * 5
    if first is None or last is None or first <= last:
        c = ResponseDayCount
        row = db.session.execute(
            select(
                func.sum(c.promoters), func.sum(c.passives), func.sum(c.detractors), func.sum(c.satisfied),
                func.sum(c.csat_answers),
            ).where(*_whole_days(c, store, first, last))
        ).one()  # fmt: skip
        totals = [int(n or 0) for n in row]
    for lo, hi in edges:  # one range each: an OR of two ranges is not read along the index
        row = db.session.execute(
            _score_counts().where(in_store(Response, store), *within(Response.created_at, lo, hi))
        ).one()
        totals = [t + int(n) for t, n in zip(totals, row, strict=True)]
    return tuple(totals)


def _counted_invitations(
    store: Store, start: date | None, end: date | None, channels: bool = True
) -> dict[str, tuple[int, int]]:
    """{channel: (sent, answered)} of the invitations sent on the shop's days ``start`` to ``end``,
    from the per-day counts and the rows at the edges (rows sent before channels existed count as
    email). Without ``channels`` only the sums mean anything: the edges are then counted along
    the (store, sent, answered) index alone, without reading each row for its channel."""
    first, last, edges = _split(*_range(store, start, end))
    out: dict[str, tuple[int, int]] = {}
    rows = []
    if first is None or last is None or first <= last:
        c = InvitationDayCount
        rows += db.session.execute(
            select(c.channel, func.sum(c.sent), func.sum(c.answered))
            .where(*_whole_days(c, store, first, last))
            .group_by(c.channel)
        ).all()
    for lo, hi in edges:
        counts = [func.count(), func.count(Invitation.answered_at)]
        where = [in_store(Invitation, store), *within(Invitation.sent_at, lo, hi)]
        if channels:
            channel = func.coalesce(Invitation.channel, "email")
            rows += db.session.execute(select(channel, *counts).where(*where).group_by(channel)).all()
        else:
            rows.append(("email", *db.session.execute(select(*counts).where(*where)).one()))
    for channel, sent, answered in rows:
        s, a = out.get(channel, (0, 0))
        out[channel] = (s + int(sent), a + int(answered))
    return out


def _has_whatsapp(store: Store) -> bool:
    from .whatsapp import settings

    return settings.get_channel(store) is not None


def _by_channel(store: Store, start, end, sent: int, answered: int, per_channel: dict | None, whatsapp: bool) -> dict:
    """Per channel only for stores that have WhatsApp set up; otherwise everything was email.
    (The channels ignore the invitation filters, as ``reporting.rate_by_channel`` does.)"""
    from .whatsapp.reporting import CHANNELS

    if whatsapp:
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


def _weekly(store: Store, weeks: int, score, aggregates, summarize, start=None, end=None, where=None) -> list[dict]:
    """One point per week of the shop's calendar (Monday to Sunday, its midnights): the last
    ``weeks`` weeks, or the weeks of ``start``..``end`` (at most 53). ``aggregates(column)``
    counts what ``summarize`` takes over the answers' ``score`` column."""
    clock = ShopClock(store.timezone)
    today = clock.local(utcnow()).date()
    last = min(end, today) if end else today
    first = start if start else last - timedelta(weeks=weeks)
    first = max(first, last - timedelta(weeks=53))
    monday = first - timedelta(days=first.weekday())
    count = (last - monday).days // 7 + 1
    # the instants that start the 2nd, 3rd... week: a week's index is how many of them passed
    cuts = [clock.day_span(monday + timedelta(weeks=k), None)[0] for k in range(1, count)]
    week = (
        case(*((Response.created_at < cut, k) for k, cut in enumerate(cuts)), else_=len(cuts)) if cuts else literal(0)
    )
    answers = (
        select(week.label("week"), score.label("score"))
        .where(*_period(store, first, last), score.is_not(None), *(where or []))
        .subquery()
    )
    rows = db.session.execute(select(answers.c.week, *aggregates(answers.c.score)).group_by(answers.c.week)).all()
    by_week = {int(k): summarize(*counts) for k, *counts in rows}
    out = []
    for k in range(count):
        day = (monday + timedelta(weeks=k)).isoformat()
        summary = by_week.get(k)
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

    def aggregates(nps):
        return [
            func.count(case((is_promoter(nps), 1))),
            func.count(case((is_passive(nps), 1))),
            func.count(case((is_detractor(nps), 1))),
        ]

    return _weekly(store, weeks, Response.nps, aggregates, summarize_nps, start, end, where)


def weekly_csat(store: Store, weeks: int = 12, start=None, end=None, where=None) -> list[dict]:
    """CSAT (% of 4-5) per week, with its 95% margin and answer count."""

    def aggregates(csat):
        return [func.count(case((is_satisfied(csat), 1))), func.count(csat)]

    return _weekly(store, weeks, Response.csat, aggregates, summarize_csat, start, end, where)


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
    return [in_store(Response, store), *within(Response.created_at, *_range(store, start, end))]


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
