"""The store metrics read per-day counts that database triggers keep: after any sequence of
deliveries, sends, answers, edits, erasures, retention, moves and deletes, whoever writes
them, the figures equal a count of the rows themselves, for all time and for date ranges."""

from __future__ import annotations

import collections
import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, true, update

from surveys.errors import DomainError
from surveys.extensions import db
from surveys.models import Customer, Invitation, Response, ResponseDayCount, Store, utcnow
from surveys.reading.scoring import is_detractor, is_passive, is_promoter, is_satisfied
from surveys.services import invitations, metrics, privacy
from surveys.services.responses import Answer, record_answer

from ..factories import deliver, make_store

TODAY = utcnow().date()


def _scan(store: Store, start: date | None, end: date | None) -> dict:
    """The figures counted in Python over every row of the store (dates: the shop's days)."""
    tz = ZoneInfo(store.timezone)

    def within(at) -> bool:
        day = at.astimezone(tz).date()
        return (start is None or day >= start) and (end is None or day <= end)

    scores = [
        (nps, csat)
        for nps, csat, at in db.session.execute(
            select(Response.nps, Response.csat, Response.created_at).where(Response.store_id == store.id)
        )
        if within(at)
    ]
    nps = [n for n, _ in scores if n is not None]
    csat = [c for _, c in scores if c is not None]
    channels: dict[str, list[int]] = {}
    for channel, sent_at, answered_at in db.session.execute(
        select(Invitation.channel, Invitation.sent_at, Invitation.answered_at).where(
            Invitation.store_id == store.id, Invitation.sent_at.is_not(None)
        )
    ):
        if within(sent_at):
            counts = channels.setdefault(channel or "email", [0, 0])
            counts[0] += 1
            counts[1] += answered_at is not None
    return {
        "promoters": sum(map(is_promoter, nps)),
        "passives": sum(1 for n in nps if is_passive(n)),
        "detractors": sum(map(is_detractor, nps)),
        "csat_n": len(csat),
        "satisfied": sum(map(is_satisfied, csat)),
        "channels": {k: tuple(v) for k, v in channels.items()},
    }


def _check(store: Store, start: date | None = None, end: date | None = None) -> None:
    db.session.expire_all()
    counted = metrics.store_metrics(store, start, end)
    scanned = metrics.store_metrics(store, start, end, where=[true()], invitation_where=[true()])
    assert counted == scanned, (start, end)
    truth = _scan(store, start, end)
    nps = counted["nps"]
    assert (nps["promoters"], nps["passives"], nps["detractors"]) == (
        truth["promoters"],
        truth["passives"],
        truth["detractors"],
    )
    assert counted["csat"]["n"] == truth["csat_n"]
    assert metrics._counted_scores(store, start, end)[3] == truth["satisfied"]
    channels = {k: v for k, v in metrics._counted_invitations(store, start, end).items() if v != (0, 0)}
    assert channels == truth["channels"], (start, end)
    assert counted["invitations_sent"] == sum(s for s, _ in truth["channels"].values())
    db.session.rollback()


def _score(rng) -> tuple[int | None, int | None]:
    nps = rng.choice([None, *range(11)])
    csat = rng.choice([None, *range(1, 6)]) if nps is not None else rng.randint(1, 5)
    return nps, csat


def _pick(rng, model, *conds):
    ids = db.session.scalars(select(model.id).where(*conds).order_by(model.id)).all()
    return db.session.get(model, rng.choice(ids)) if ids else None


RARE = ["erase", "delete", "retention", "bulk", "move"]  # each is also forced once per run


def _step(rng, stores: list[Store], kind: str | None = None) -> str:
    store = rng.choice(stores)
    kind = (
        kind
        or rng.choices(
            ["deliver", "send", "answer", "edit", "write", "move", "erase", "delete", "bulk", "retention"],
            [6, 6, 6, 4, 2, 2, 1, 1, 1, 0.3],
        )[0]
    )
    in_store = [Invitation.store_id == store.id]
    if kind == "deliver":
        deliver(store, email=f"c{rng.randint(1, 40)}@example.com")
    elif kind == "send":  # the real dispatcher, on a day of the last few weeks, some by WhatsApp
        invitation = _pick(rng, Invitation, *in_store, Invitation.status == "scheduled")
        if invitation is None:
            return "nothing to send"
        at = utcnow() - timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        db.session.execute(update(Invitation).where(Invitation.id == invitation.id).values(send_at=at))
        db.session.commit()
        invitations.enqueue_due_invitations(now=at)
        db.session.commit()
        if rng.random() < 0.3:
            invitation.channel = rng.choice(["whatsapp", "email", None])
            db.session.commit()
    elif kind == "answer":  # the survey's answer, some time after the invitation went out
        invitation = _pick(rng, Invitation, *in_store, Invitation.status == "sent")
        if invitation is None:
            return "nothing to answer"
        nps, csat = _score(rng)
        record_answer(invitation, Answer(nps=nps, csat=csat), invitation.sent_at + timedelta(hours=rng.randint(0, 60)))
        db.session.commit()
    elif kind == "edit":  # the customer changes their answer within the edit window
        response = _pick(rng, Response, Response.store_id == store.id)
        if response is None:
            return "nothing to edit"
        nps, csat = _score(rng)
        try:
            record_answer(response.invitation, Answer(nps=nps, csat=csat), response.created_at + timedelta(minutes=5))
            db.session.commit()
        except DomainError:
            db.session.rollback()
    elif kind == "write":  # another writer: the ORM, one column
        response = _pick(rng, Response, Response.store_id == store.id)
        if response is None:
            return "nothing to write"
        if rng.random() < 0.5:
            response.nps = rng.choice([None, *range(11)])
        else:
            response.csat = rng.choice([None, *range(1, 6)])
        db.session.commit()
    elif kind == "move":  # a response or an invitation to another day
        days = timedelta(days=rng.randint(-5, 5), hours=rng.randint(-12, 12))
        if rng.random() < 0.5:
            response = _pick(rng, Response, Response.store_id == store.id)
            if response is not None:
                response.created_at = response.created_at + days
        else:
            invitation = _pick(rng, Invitation, *in_store, Invitation.sent_at.is_not(None))
            if invitation is not None:
                invitation.sent_at = invitation.sent_at + days
                invitation.answered_at = None if rng.random() < 0.3 else invitation.answered_at
        db.session.commit()
    elif kind == "erase":
        customer = _pick(rng, Customer, Customer.store_id == store.id, ~Customer.email.startswith("erased"))
        if customer is None:
            return "nobody to erase"
        privacy.erase_customer(store, customer.email)
        db.session.commit()
    elif kind == "delete":  # rows deleted in SQL: a response alone, or an invitation with its response
        if rng.random() < 0.5:
            response = _pick(rng, Response, Response.store_id == store.id)
            if response is not None:
                db.session.execute(delete(Response).where(Response.id == response.id))
        else:
            invitation = _pick(rng, Invitation, *in_store)
            if invitation is not None:
                db.session.execute(delete(Response).where(Response.invitation_id == invitation.id))
                db.session.execute(delete(Invitation).where(Invitation.id == invitation.id))
        db.session.commit()
    elif kind == "bulk":  # one statement over many rows and days
        cut = rng.randint(0, 10)
        db.session.execute(
            update(Response).where(Response.store_id == store.id, Response.nps <= cut).values(nps=Response.nps + 1)
        )
        db.session.commit()
    elif kind == "retention":
        privacy.apply_retention(now=utcnow() + timedelta(days=4000))
        db.session.commit()
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counted_metrics_equal_a_count_of_the_rows_after_any_sequence_of_writes(app, seed):
    rng = random.Random(seed)
    stores = [make_store()[0], make_store(timezone="Asia/Kolkata")[0]]
    done = []
    for i in range(90):
        done.append(_step(rng, stores, RARE[i // 15 % len(RARE)] if i % 15 == 14 else None))
        for store in stores:
            _check(store)
            start = TODAY - timedelta(days=rng.randint(0, 25))
            _check(store, start, start + timedelta(days=rng.randint(0, 10)))
            _check(store, start=start)
            _check(store, end=start)
    kinds = {"send", "answer", "edit", "write", "erase", "delete", "move", "bulk", "retention"}
    assert kinds <= set(done), sorted(collections.Counter(done).items())
    assert db.session.scalar(select(Response.id).limit(1)) is not None


def test_a_deleted_store_takes_its_counts_with_it_and_leaves_the_others(app):
    rng = random.Random(4)
    stores = [make_store()[0], make_store()[0]]
    for i in range(60):
        _step(rng, stores, "answer" if i % 3 == 2 else None)

    def answers(store):
        return len(db.session.scalars(select(Response.id).where(Response.store_id == store.id)).all())

    gone, kept = sorted(stores, key=answers, reverse=True)
    assert db.session.scalar(select(Response.id).where(Response.store_id == gone.id).limit(1)) is not None
    db.session.execute(delete(Store).where(Store.id == gone.id))
    db.session.commit()
    assert db.session.scalar(select(ResponseDayCount.day).where(ResponseDayCount.store_id == gone.id)) is None
    _check(kept)
