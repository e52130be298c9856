"""Buttons in a list's rows (review moderation, the queue's bulk action): a refused one goes back
to the list with a notice naming the field and its error in the member's language, and writes
nothing (it used to cut an overlong note or reason short, or unassign on a garbled assignee)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Review, StaffUser, Task
from surveys.services.tenancy import create_staff_user

from ..factories import (
    STAFF_PASSWORD,
    make_store,
    sent_invitation,
    sign_in_speaking,
    survey_path,
    table_counts,
    unhappy_task,
)


@pytest.fixture
def store(app):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("admin@barro.test", store, "admin", STAFF_PASSWORD)
    db.session.commit()
    return store


def _as(client, locale):
    sign_in_speaking(client, "admin@barro.test", locale)


def _notices(resp) -> list[tuple[str, str]]:
    """The notices shown after the redirect: (kind, text)."""
    page = lxml_html.fromstring(resp.get_data(as_text=True))
    return [
        (p.get("class").split()[-1], p.text_content().strip()) for p in page.xpath('//p[contains(@class, "flash")]')
    ]


def _tasks():
    db.session.expire_all()
    return [(t.status, t.assignee_id, t.dismiss_reason) for t in db.session.scalars(select(Task).order_by(Task.id))]


NOT_SAVED = {"es": "No se guardó: ", "en": "Not saved: "}


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_refused_bulk_action_names_the_field_and_changes_no_task(client, store, locale):
    tasks = [unhappy_task(client, store, email=f"c{n}@example.com") for n in range(2)]
    _as(client, locale)
    me = db.session.scalar(select(StaffUser.id).where(StaffUser.email == "admin@barro.test"))
    ids = [str(t.id) for t in tasks]
    done = client.post("/staff/tasks/bulk", data={"task_id": ids, "action": "assign", "assignee_id": "me"})
    assert _notices(client.get(done.headers["Location"])) == [("ok", {"es": "Guardado.", "en": "Saved."}[locale])]
    before, state = table_counts(), _tasks()
    assert [assignee for _, assignee, _ in state] == [me, me]
    cases = [
        (
            {"task_id": ids, "action": "dismiss", "reason": "x" * 201},
            {
                "es": "Motivo (para descartar): como máximo 200 caracteres",
                "en": "Reason (to dismiss): at most 200 characters",
            },
        ),
        (
            {"task_id": ids, "action": "assign", "assignee_id": "alguien"},
            {"es": "Responsable: un número entero", "en": "Assignee: a whole number"},
        ),
    ]
    for data, error in cases:
        resp = client.post(
            "/staff/tasks/bulk", data={**data, "back": "/staff/tasks?status=open"}, follow_redirects=True
        )
        assert resp.status_code == 200 and resp.request.path == "/staff/tasks"
        assert _notices(resp) == [("error", NOT_SAVED[locale] + error[locale])], data
        assert _tasks() == state and table_counts() == before, data


@pytest.mark.parametrize("locale", ["es", "en"])
def test_a_refused_moderation_names_the_field_and_leaves_the_review_as_it_was(client, store, locale):
    invitation = sent_invitation(store, items=[{"sku": "TAZA-01", "name": "Taza de barro"}])
    client.post(
        survey_path(invitation),
        data={
            "nps": "3",
            "review-TAZA-01-rating": "2",
            "review-TAZA-01-title": "Fea",
            "review-TAZA-01-body": "Mi cel 55 1234 5678",
            "review-TAZA-01-publish": "1",
        },
    )
    review = db.session.scalar(select(Review))
    assert review.status == "pending"
    _as(client, locale)
    before = table_counts()
    cases = [
        (
            "reject",
            {"reason": "personal_data", "note": "n" * 501},
            {"es": "Nota: como máximo 500 caracteres", "en": "Note: at most 500 characters"},
        ),
        (
            "reject",
            {"reason": "", "note": "teléfono"},
            {"es": "Motivo: Elige por qué se rechaza la reseña.", "en": "Reason: Choose why the review is rejected."},
        ),
        (
            "reply",
            {"reply": "Gracias\x1b"},
            {
                "es": "Respuesta pública de la tienda: contiene caracteres de control",
                "en": "Public reply from the shop: contains control characters",
            },
        ),
    ]
    for action, data, error in cases:
        resp = client.post(
            f"/staff/reviews/{review.id}/{action}",
            data={**data, "back": "/staff/reviews?status=pending"},
            follow_redirects=True,
        )
        assert resp.status_code == 200 and resp.request.full_path == "/staff/reviews?status=pending"
        assert _notices(resp) == [("error", NOT_SAVED[locale] + error[locale])], data
        db.session.expire_all()
        found = db.session.get(Review, review.id)
        assert (found.status, found.reject_reason, found.reply_body) == ("pending", None, None)
        assert table_counts() == before, data
