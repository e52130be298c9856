"""Races over real HTTP: many simultaneous posts for one link leave one row and no 5xx."""

import concurrent.futures
import urllib.parse

from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Order, Response

from ..factories import delivery_payload, make_store, sent_invitation, survey_path
from ..live_server import LiveServer, post_status


def test_50_simultaneous_posts_for_one_token_leave_exactly_one_row(app, make_app):
    store = make_store()[0]
    path = survey_path(sent_invitation(store))
    db.session.rollback()
    server_app = make_app()
    with LiveServer(server_app) as live, concurrent.futures.ThreadPoolExecutor(50) as pool:
        form = {"content-type": "application/x-www-form-urlencoded"}
        futures = [
            pool.submit(post_status, live.url + path, urllib.parse.urlencode({"nps": str(n % 11)}).encode(), form)
            for n in range(50)
        ]
        codes = [f.result() for f in futures]
    assert codes.count(200) == 50, codes
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_the_same_delivery_posted_20_times_at_once_creates_one_order(app, make_app):
    _, key = make_store()
    db.session.rollback()
    import json

    body = json.dumps(delivery_payload("RACE-1")).encode()
    headers = {"content-type": "application/json", "authorization": f"Bearer {key}"}
    with LiveServer(make_app()) as live, concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: post_status(live.url + "/api/v1/deliveries", body, headers), range(20)))
    assert sorted(set(codes)) in ([200, 201], [201]) and codes.count(201) == 1, codes
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
