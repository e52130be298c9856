"""The admin's GDPR access export holds what erasure removes: review photos, the recovery task and
its timeline, the mail sent to the customer with its text, and the follow-up answer."""

from __future__ import annotations

import io

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Task
from surveys.services.tokens import issue_token
from surveys.worker import dispatch_once

from ..factories import image_bytes, sent_invitation, staff_login, survey_path

REPLY = "Hola Ana, sentimos mucho lo de la taza.\n\nTe mandamos un cupón."


def _worked_case(client, store) -> Task:
    """Ana answers 2 with a 1-star review and two photos; the admin replies, notes, resolves with a
    coupon; the follow-up mail goes out and Ana answers it with a 2."""
    invitation = sent_invitation(store, email="ana@example.com")
    form = {
        "nps": "2",
        "comment": "Llegó rota",
        "review-TAZA-01-rating": "1",
        "review-TAZA-01-body": "Llegó rota en dos",
        "review-TAZA-01-publish": "1",
        "review-TAZA-01-photos": [
            (io.BytesIO(image_bytes("JPEG", (900, 600), (20 * k, 90, 40))), f"rota{k}.jpg") for k in range(2)
        ],
    }
    assert client.post(survey_path(invitation), data=form, content_type="multipart/form-data").status_code == 200
    task = db.session.scalar(select(Task))
    staff_login(client, "admin@barro.test")
    client.post(f"/staff/tasks/{task.id}/reply", data={"subject": "Sobre tu pedido", "body": REPLY})
    client.post(f"/staff/tasks/{task.id}/note", data={"body": "Prefiere que la llamen por la tarde"})
    client.post(f"/staff/tasks/{task.id}/resolve", data={"resolution": "coupon", "coupon_code": "SORRY-15"})
    dispatch_once()
    assert client.post(f"/f/{issue_token('followup', task.public_id)}", data={"score": "2"}).status_code == 200
    db.session.refresh(task)
    assert (task.status, task.followup_score) == ("resolved", 2)
    return task


def test_export_holds_photos_task_timeline_mail_bodies_and_follow_up(client, staff_shop):
    store, _ = staff_shop
    task = _worked_case(client, store)
    resp = client.post("/staff/privacy/export", data={"email": "ana@example.com"})
    assert resp.status_code == 200
    [order] = resp.get_json()["orders"]

    [review] = order["response"]["reviews"]
    assert len(review["photos"]) == 2
    for photo in review["photos"]:  # links the signed-in admin can fetch, not megabytes inline
        fetched = client.get(photo["url"].removeprefix("http://survey.test"))
        assert fetched.status_code == 200 and fetched.mimetype == "image/jpeg"
        assert len(fetched.data) == photo["size"] and fetched.data[:2] == b"\xff\xd8"

    exported = order["task"]
    assert exported["id"] == task.id
    assert (exported["reason"], exported["status"]) == ("detractor", "resolved")
    assert (exported["resolution"], exported["coupon_code"]) == ("coupon", "SORRY-15")
    assert (exported["followup"]["score"], exported["followup"]["answered_at"] is not None) == (2, True)
    bodies = {e["kind"]: e.get("body") for e in exported["timeline"]}
    assert bodies["reply"] == REPLY and bodies["note"] == "Prefiere que la llamen por la tarde"

    emails = resp.get_json()["emails"]
    [reply] = [m for m in emails if m["kind"] == "reply"]
    assert reply["subject"] == "Sobre tu pedido" and reply["text"].strip() == REPLY
    [followup] = [m for m in emails if m["kind"] == "followup"]
    assert followup["subject"] and followup["status"] == "pending"  # it waits the store's delay


def test_another_store_cannot_fetch_the_exported_photo_links(client, staff_shop, app):
    store, _ = staff_shop
    _worked_case(client, store)
    data = client.post("/staff/privacy/export", data={"email": "ana@example.com"}).get_json()
    url = data["orders"][0]["response"]["reviews"][0]["photos"][0]["url"].removeprefix("http://survey.test")
    other = app.test_client()
    assert other.get(url).status_code in (302, 401, 403, 404)  # not signed in
    staff_login(other, "otra@otra.test")
    assert other.get(url).status_code == 404
