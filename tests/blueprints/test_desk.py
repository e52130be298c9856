"""The recovery desk at work: search and sort the queue, assign to me, bulk changes, the task's
context (review, earlier answers), links between a response and its task, words not codes."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import StaffUser, Task

from ..factories import SETTINGS_FORM, sent_invitation, staff_login, survey_path, unhappy_task


def queue_ids(client, query=""):
    html = client.get("/staff/tasks?" + query).get_data(as_text=True)
    return [int(i) for i in re.findall(r'<tr data-task="(\d+)"', html)]


def test_the_queue_is_searched_by_order_email_or_name_and_sorted(client, staff_shop):
    store = staff_shop[0]
    first = unhappy_task(client, store, email="ana@example.com", nps=5)
    second = unhappy_task(client, store, email="bruno@example.com", nps=0)
    staff_login(client, "agente@barro.test")
    assert queue_ids(client, "q=BRUNO@") == [second.id]
    assert queue_ids(client, f"q={first.response.invitation.order.order_ref}") == [first.id]
    assert queue_ids(client, "q=nadie") == []
    assert queue_ids(client, "sort=score") == [second.id, first.id]  # lowest score first
    assert queue_ids(client, "sort=opened") == [second.id, first.id]  # newest first
    assert "Ninguna tarea coincide" in client.get("/staff/tasks?q=nadie").get_data(as_text=True)


def test_assign_to_me_and_bulk_assign_and_dismiss_only_the_stores_open_tasks(client, staff_shop):
    store, other = staff_shop
    tasks = [unhappy_task(client, store, email=f"c{n}@example.com") for n in range(3)]
    foreign = unhappy_task(client, other, email="x@example.com")
    staff_login(client, "agente@barro.test")
    agent = db.session.scalar(select(StaffUser).where(StaffUser.email == "agente@barro.test"))
    client.post(f"/staff/tasks/{tasks[0].id}/assign", data={"assignee_id": "me"})
    db.session.expire_all()
    assert tasks[0].assignee_id == agent.id
    ids = [str(t.id) for t in tasks[1:]] + [str(foreign.id)]
    client.post("/staff/tasks/bulk", data={"task_id": ids, "action": "assign", "assignee_id": "me"})
    db.session.expire_all()
    assert [t.assignee_id for t in tasks] == [agent.id] * 3 and foreign.assignee_id != agent.id
    resp = client.post("/staff/tasks/bulk", data={"task_id": ids, "action": "dismiss", "reason": ""})
    db.session.expire_all()
    assert resp.status_code == 302 and tasks[1].status == "open"  # a dismissal needs its reason: nothing changed
    client.post("/staff/tasks/bulk", data={"task_id": ids, "action": "dismiss", "reason": "Duplicado"})
    db.session.expire_all()
    assert [t.status for t in tasks] == ["open", "dismissed", "dismissed"] and foreign.status == "open"
    assert queue_ids(client) == [tasks[0].id]


def test_the_task_shows_the_review_and_earlier_answers_and_the_response_links_back(client, staff_shop):
    store = staff_shop[0]
    earlier = sent_invitation(store, email="ana@example.com")
    client.post(survey_path(earlier), data={"nps": "9", "comment": "La primera vez todo bien"})
    invitation = sent_invitation(store, email="ana@example.com")
    review = {"review-TAZA-01-rating": "1", "review-TAZA-01-body": "La taza llegó rota", "review-TAZA-01-publish": "1"}
    client.post(survey_path(invitation), data={"nps": "3", "comment": "Mal", **review})
    task = db.session.scalar(select(Task))
    staff_login(client, "admin@barro.test")
    page = client.get(f"/staff/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r'data-review="\d+"', page) and "La taza llegó rota" in page
    assert "La primera vez todo bien" in page  # the customer's earlier answer
    detail = client.get(f"/staff/responses/{task.response_id}").get_data(as_text=True)
    assert f'href="/staff/tasks/{task.id}"' in detail and "La taza llegó rota" in detail


def test_logs_and_timeline_name_things_in_words(client, staff_shop):
    store = staff_shop[0]
    invitation = sent_invitation(store, email="ana@example.com")
    review = {"review-TAZA-01-rating": "2", "review-TAZA-01-body": "Mi cel 55 1234 5678", "review-TAZA-01-publish": "1"}
    client.post(survey_path(invitation), data={"nps": "2", "comment": "Roto", **review})
    staff_login(client, "admin@barro.test")
    client.post("/staff/settings", data=SETTINGS_FORM)
    task = db.session.scalar(select(Task))
    client.post(f"/staff/tasks/{task.id}/resolve", data={"resolution": "refund"})
    audit = re.sub(r"<[^>]+>", " ", client.get("/staff/audit").get_data(as_text=True))  # the visible text
    assert "Cambió los ajustes de la tienda" in audit and "Reseña escrita" in audit
    assert "store_settings" not in audit and "personal_data" not in audit and "rating=" not in audit
    timeline = re.sub(r"<[^>]+>", " ", client.get(f"/staff/tasks/{task.id}").get_data(as_text=True))
    assert "Reembolso" in timeline and "refund" not in timeline


def test_the_audit_log_pages_and_filters_by_who_what_and_when(client, staff_shop):
    from surveys.services import audit

    store = staff_shop[0]
    for n in range(60):
        audit.record(store.id, None, "submitted", "review", n)
    audit.record(store.id, "api:pv_1234", "published", "review", 1)
    db.session.commit()
    staff_login(client, "admin@barro.test")

    def rows(query=""):
        html = client.get("/staff/audit?" + query).get_data(as_text=True)
        total = int(re.search(r'data-total="(\d+)"', html).group(1))
        return total, len(re.findall(r"<tr data-entry=", html))

    assert rows() == (62, 50)  # and the admin's own sign-in
    assert rows("page=2") == (62, 12)
    assert rows("what=published") == (1, 1)
    assert rows("who=system") == (60, 50)
    assert rows("from=2000-01-01&to=2000-01-02") == (0, 0)


def test_settings_show_the_widget_snippet_with_the_key_and_a_preview(client, staff_shop):
    store = staff_shop[0]
    sent_invitation(store, email="ana@example.com")  # the store now has a product
    staff_login(client, "admin@barro.test")
    html = client.get("/staff/settings").get_data(as_text=True)
    snippet = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert f'data-key="{store.widget_key}"' in snippet.replace("&#34;", '"').replace("&quot;", '"')
    assert "http://survey.test/widget/v1/embed.js" in snippet
    assert f'href="/widget/v1/{store.widget_key}/products/TAZA-01/frame?lang=es"' in html
