"""Simultaneous answers and edits over real HTTP leave the store's per-day counts equal to a
count of the rows: no update of a count is lost (PostgreSQL: many connections at once)."""

import concurrent.futures
import urllib.parse

from sqlalchemy import func, select, true

from surveys.extensions import db
from surveys.models import Invitation, Response
from surveys.services.metrics import store_metrics

from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer, post_status


def test_simultaneous_answers_and_edits_are_all_counted(app, make_app):
    store = make_store()[0]
    paths = [survey_path(sent_invitation(store, email=f"c{k}@example.com")) for k in range(24)]
    db.session.rollback()
    form = {"content-type": "application/x-www-form-urlencoded"}
    posts = [(path, {"nps": str((k + round_) % 11)}) for round_ in range(2) for k, path in enumerate(paths)]
    with LiveServer(make_app()) as live, concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(
            pool.map(lambda p: post_status(live.url + p[0], urllib.parse.urlencode(p[1]).encode(), form), posts)
        )
    assert codes.count(200) == len(posts), codes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 24
    answered = select(func.count()).where(Invitation.answered_at.is_not(None))
    assert db.session.scalar(answered) == 24
    counted = store_metrics(store)
    assert counted == store_metrics(store, where=[true()], invitation_where=[true()])
    assert (counted["nps"]["n"], counted["invitations_sent"], counted["response_rate"]) == (24, 24, 1.0)
