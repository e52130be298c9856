"""Reading back: responses with cursor pagination, metrics with margins, health."""

from datetime import timedelta

from sqlalchemy import update

from surveys.extensions import db
from surveys.models import Invitation, Response, utcnow
from surveys.services.api_read import encode_cursor, encode_cursor_id

from ..factories import make_store, sent_invitation, survey_path


def auth(key):
    return {"Authorization": f"Bearer {key}"}


def answer(client, store, nps, comment=None):
    invitation = sent_invitation(store)
    data = {"nps": str(nps)}
    if comment:
        data["comment"] = comment
    assert client.post(survey_path(invitation), data=data).status_code == 200
    return invitation


def test_responses_are_paged_with_an_opaque_cursor_and_scoped_to_the_store(client, app):
    store, key = make_store()
    other, other_key = make_store()
    for n in range(5):
        answer(client, store, n)
    answer(client, other, 10)
    first = client.get("/api/v1/responses?limit=2", headers=auth(key)).get_json()
    seen = [r["nps"] for r in first["data"]]
    assert len(seen) == 2 and first["next_cursor"]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/responses?limit=2&cursor={cursor}", headers=auth(key)).get_json()
        seen += [r["nps"] for r in page["data"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == [0, 1, 2, 3, 4]
    row = client.get("/api/v1/responses", headers=auth(other_key)).get_json()["data"]
    assert [r["nps"] for r in row] == [10]
    assert set(row[0]) >= {
        "nps",
        "nps_category",
        "comment",
        "language",
        "sentiment",
        "topics",
        "hidden_detractor",
        "task_status",
    }


def test_bad_cursor_and_bad_dates_are_422(client, app):
    _, key = make_store()
    assert client.get("/api/v1/responses?cursor=%%%", headers=auth(key)).status_code == 422
    assert client.get("/api/v1/responses?limit=0", headers=auth(key)).status_code == 422
    assert client.get("/api/v1/responses?updated_since=ayer", headers=auth(key)).status_code == 422
    assert client.get("/api/v1/metrics?from=2026-13-01", headers=auth(key)).status_code == 422
    assert client.get("/api/v1/metrics?from=2026-11-02&to=2026-11-01", headers=auth(key)).status_code == 422


def test_forged_cursors_beyond_any_row_id_are_422_not_a_database_error(client, app):
    _, key = make_store()
    huge = 2**41
    forged = {
        "responses": encode_cursor(utcnow(), huge),
        "tasks": encode_cursor_id(huge),
        "reviews": encode_cursor_id(huge),
    }
    for resource, cursor in forged.items():
        resp = client.get(f"/api/v1/{resource}?cursor={cursor}", headers=auth(key))
        assert resp.status_code == 422 and resp.get_json()["fields"] == {"cursor": "invalid"}, resource


def test_metrics_give_nps_with_margin_counts_and_response_rate(client, app):
    store, key = make_store()
    for score in [10, 9, 9, 8, 3]:
        answer(client, store, score)
    sent_invitation(store)  # sent, never answered
    body = client.get("/api/v1/metrics", headers=auth(key)).get_json()
    assert body["nps"] | {"moe95": None} == {
        "score": 40.0,
        "moe95": None,
        "n": 5,
        "promoters": 3,
        "passives": 1,
        "detractors": 1,
        "small_sample": True,
    }
    assert body["nps"]["moe95"] > 25
    assert body["invitations_sent"] == 6 and body["response_rate"] == round(5 / 6, 4)


def test_metrics_date_range_excludes_older_responses(client, app):
    store, key = make_store()
    answer(client, store, 10)
    old = answer(client, store, 0)
    db.session.execute(
        update(Response).where(Response.invitation_id == old.id).values(created_at=utcnow() - timedelta(days=40))
    )
    db.session.execute(update(Invitation).where(Invitation.id == old.id).values(sent_at=utcnow() - timedelta(days=41)))
    db.session.commit()
    since = (utcnow() - timedelta(days=7)).date().isoformat()
    body = client.get(f"/api/v1/metrics?from={since}", headers=auth(key)).get_json()
    assert body["nps"]["n"] == 1 and body["nps"]["score"] == 100.0


def test_healthz_reports_db_mail_and_queue_depth(client, app):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "db": "ok", "mail": "ok", "queue_depth": 0, "dead_rows": 0}


def test_unknown_api_route_is_json_404(client, app):
    resp = client.get("/api/v1/nope")
    assert resp.status_code == 404 and resp.get_json()["error"]


def test_responses_api_carries_the_comment_analysis(client, app):
    store, key = make_store()
    answer(client, store, 9, "Great quality but it never arrived")
    [row] = client.get("/api/v1/responses", headers=auth(key)).get_json()["data"]
    assert row["language"] == "en" and row["sentiment"]["label"] == "negative"
    assert row["hidden_detractor"] is True and "delivery" in row["topics"]
    assert row["topic_polarity"]["delivery"] < 0


def test_api_calls_over_the_rate_limit_get_429_with_retry_after_per_key(make_app, app):
    _, key_a = make_store()
    _, key_b = make_store()
    db.session.commit()
    limited = make_app(API_RATE_LIMIT="3 per minute")
    c = limited.test_client()
    codes = [c.get("/api/v1/metrics", headers=auth(key_a)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = c.get("/api/v1/metrics", headers=auth(key_a))
    assert resp.get_json()["error"] and int(resp.headers["Retry-After"]) > 0
    assert c.get("/api/v1/metrics", headers=auth(key_b)).status_code == 200  # another key, its own budget


def test_every_api_response_carries_a_request_id(client, app):
    resp = client.get("/api/v1/metrics", headers={"X-Request-Id": "abc-123"})
    assert resp.status_code == 401 and resp.headers["X-Request-Id"] == "abc-123"
