"""Customer pages: GET never writes, POST records once, friendly errors in the customer's language."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import Customer, Invitation, Response, Review, Task, utcnow

from ..factories import make_store, sent_invitation, survey_path, unsubscribe_path


def responses_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response))


@pytest.fixture
def store(app):
    return make_store(name="Barro & Co")[0]


def test_one_click_link_shows_the_form_with_the_score_selected_and_records_nothing(client, store):
    invitation = sent_invitation(store)
    resp = client.get(survey_path(invitation, 9))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert 'name="nps" value="9" checked' in html
    assert 'data-autopost="1"' in html
    assert responses_count() == 0
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_page_is_in_the_invitations_language(client, store):
    es = sent_invitation(store, email="es@example.com")
    en = sent_invitation(store, email="en@example.com", customer={"email": "en@example.com", "locale": "en-US"})
    assert "¿Qué tan probable es que recomiendes Barro &amp; Co" in client.get(survey_path(es)).get_data(as_text=True)
    assert "How likely are you to recommend Barro &amp; Co" in client.get(survey_path(en)).get_data(as_text=True)


def test_post_records_the_answer_and_marks_the_invitation_answered(client, store):
    invitation = sent_invitation(store)
    resp = client.post(survey_path(invitation), data={"nps": "3", "comment": "Llegó roto"})
    assert resp.status_code == 200
    assert "¡Gracias!" in resp.get_data(as_text=True)
    response = db.session.scalar(select(Response))
    assert (response.nps, response.nps_category, response.comment) == (3, "detractor", "Llegó roto")
    assert db.session.get(Invitation, invitation.id).status == "answered"


def test_second_post_within_the_edit_window_updates_the_same_row(client, store):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "9"}, headers={"X-Requested-With": "fetch"})
    client.post(survey_path(invitation), data={"comment": "Todo perfecto"})
    client.post(survey_path(invitation), data={"nps": "10"})
    rows = db.session.scalars(select(Response)).all()
    assert len(rows) == 1
    db.session.refresh(rows[0])
    assert (rows[0].nps, rows[0].comment) == (10, "Todo perfecto")


def test_post_after_the_edit_window_is_refused_with_a_page(client, store):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "9"})
    db.session.scalar(select(Response)).created_at = utcnow() - timedelta(hours=store.edit_window_hours + 1)
    db.session.commit()
    resp = client.post(survey_path(invitation), data={"nps": "2"})
    assert resp.status_code == 409
    assert db.session.scalar(select(Response.nps)) == 9


@pytest.mark.parametrize(
    "data",
    [{"nps": "11"}, {"nps": "-1"}, {"nps": "nueve"}, {"comment": "sin nota"}, {"nps": "5", "comment": "x" * 5001}],
)
def test_bad_answers_re_render_the_form_with_errors_and_write_nothing(client, store, data):
    invitation = sent_invitation(store)
    resp = client.post(survey_path(invitation), data=data)
    assert resp.status_code == 422
    assert "Revisa las respuestas marcadas" in resp.get_data(as_text=True)
    assert responses_count() == 0


def test_comment_is_kept_when_the_score_is_missing(client, store):
    invitation = sent_invitation(store)
    resp = client.post(survey_path(invitation), data={"comment": "Mi comentario largo"})
    assert "Mi comentario largo" in resp.get_data(as_text=True)


def test_csat_store_asks_1_to_5(client, app):
    store = make_store(survey_kind="csat")[0]
    invitation = sent_invitation(store)
    html = client.get(survey_path(invitation, 4)).get_data(as_text=True)
    assert 'name="csat" value="4" checked' in html and 'name="nps"' not in html
    client.post(survey_path(invitation), data={"csat": "4"})
    assert db.session.scalar(select(Response.csat)) == 4


@pytest.mark.parametrize("path", ["/s/garbage", "/s/" + "a" * 300, "/u/garbage"])
def test_bad_tokens_get_one_generic_404_page(client, store, path):
    resp = client.get(path, headers={"Accept-Language": "es-MX"})
    assert resp.status_code == 404
    assert "Este enlace no es válido" in resp.get_data(as_text=True)


def test_unsubscribe_token_does_not_open_the_survey(client, store):
    invitation = sent_invitation(store)
    token = unsubscribe_path(invitation).split("/")[-1]
    assert client.get(f"/s/{token}").status_code == 404


def test_expired_link_shows_410(client, store):
    invitation = sent_invitation(store)
    store.token_lifetime_days = -1
    db.session.commit()
    resp = client.get(survey_path(invitation))
    assert resp.status_code == 410
    assert "Este enlace ya venció" in resp.get_data(as_text=True)
    assert client.post(survey_path(invitation), data={"nps": "9"}).status_code == 410


def _browser_form(comment: str, photo: tuple[str, bytes] = ("", b"")) -> bytes:
    """The survey form as a browser posts it: multipart, with the photo input's part even when no
    file was chosen (an empty filename and no bytes)."""
    filename, content = photo
    return b"".join(
        [
            b'--B\r\nContent-Disposition: form-data; name="nps"\r\n\r\n4\r\n',
            b'--B\r\nContent-Disposition: form-data; name="comment"\r\n\r\n' + comment.encode() + b"\r\n",
            b'--B\r\nContent-Disposition: form-data; name="review-TAZA-01-photos"; filename="'
            + filename.encode()
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + content
            + b"\r\n--B--\r\n",
        ]
    )


@pytest.mark.parametrize(
    ("locale", "words", "photos"),
    [
        ("es-MX", "Tu respuesta es demasiado larga para enviarla", "fotos"),
        ("en-US", "Your answer is too long to send", "photos"),
    ],
)
@pytest.mark.parametrize("size", [34 * 1024 * 1024, 600 * 1024])  # over the request's limit; over a field's
def test_an_oversized_answer_without_photos_says_the_text_is_too_long_not_the_photos(
    client, store, locale, words, photos, size
):
    invitation = sent_invitation(store, customer={"email": "ana@example.com", "name": "Ana", "locale": locale})
    body = _browser_form("x" * size)
    resp = client.post(survey_path(invitation), data=body, content_type="multipart/form-data; boundary=B")
    notice = re.search(r'<p class="notice" role="alert">(.*?)</p>', resp.get_data(as_text=True)).group(1)
    assert resp.status_code == 413
    assert words in notice and photos not in notice.lower()
    assert responses_count() == 0


def test_an_oversized_answer_with_photos_still_asks_for_fewer_or_smaller_photos(client, store):
    invitation = sent_invitation(store)
    body = _browser_form("Bien", ("foto.jpg", b"\xff" * (34 * 1024 * 1024)))
    resp = client.post(survey_path(invitation), data=body, content_type="multipart/form-data; boundary=B")
    assert resp.status_code == 413
    assert "Tus fotos pesaban demasiado para enviarlas juntas (32 MB como máximo)" in resp.get_data(as_text=True)
    assert responses_count() == 0


def test_withdrawn_invitation_cannot_be_answered(client, store):
    invitation = sent_invitation(store)
    invitation.status = "withdrawn"
    db.session.commit()
    assert client.post(survey_path(invitation), data={"nps": "9"}).status_code == 410
    assert responses_count() == 0


def test_unsubscribe_get_only_shows_a_confirmation(client, store):
    invitation = sent_invitation(store)
    resp = client.get(unsubscribe_path(invitation))
    assert resp.status_code == 200 and "¿Darte de baja" in resp.get_data(as_text=True)
    assert db.session.get(Customer, invitation.customer_id).unsubscribed_at is None


def test_one_click_unsubscribe_post_without_cookie_or_csrf_answers_200(make_app, store):
    invitation = sent_invitation(store)
    path = unsubscribe_path(invitation)
    db.session.rollback()  # end our read transaction: SQLite writers queue behind it
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    with csrf_app.test_client(use_cookies=False) as bare:
        resp = bare.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        again = bare.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 200 and again.status_code == 200
    assert "Location" not in resp.headers
    db.session.expire_all()
    assert db.session.get(Customer, invitation.customer_id).unsubscribed_at is not None


def test_answer_pages_are_not_frameable(client, store):
    resp = client.get(survey_path(sent_invitation(store)))
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def test_comment_is_analysed_when_submitted_and_a_hidden_detractor_is_flagged(client, store):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "9", "comment": "Todo bien con la tienda, pero llegó roto"})
    response = db.session.scalar(select(Response))
    assert (response.language, response.sentiment_label) == ("es", "negative")
    assert "packaging" in response.topics and response.polarity < 0
    assert response.hidden_detractor and "hard_failure" in response.flags


def test_editing_the_comment_re_analyses_it(client, store):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "10", "comment": "Nunca llegó"})
    client.post(survey_path(invitation), data={"comment": "Ya llegó, me encantó, gracias"})
    response = db.session.scalar(select(Response))
    db.session.refresh(response)
    assert response.sentiment_label == "positive" and not response.hidden_detractor


def test_emptying_the_comment_removes_it_and_its_reading(client, store):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "9", "comment": "Todo bien, pero llegó roto"})
    client.post(survey_path(invitation), data={"nps": "9", "comment": "   "})
    response = db.session.scalar(select(Response))
    db.session.refresh(response)
    assert response.comment is None and response.sentiment_label is None and response.polarity is None
    assert response.topics == [] and not response.hidden_detractor and response.nps == 9


def test_a_score_saved_without_the_comment_field_keeps_the_comment(client, store):
    invitation = sent_invitation(store)
    client.post(survey_path(invitation), data={"nps": "3", "comment": "Nunca llegó"})
    client.post(survey_path(invitation), data={"nps": "4"})  # the one-click save posts no comment field
    response = db.session.scalar(select(Response))
    db.session.refresh(response)
    assert (response.comment, response.nps) == ("Nunca llegó", 4)


def test_an_edit_keeps_the_reading_of_an_unchanged_comment_and_reads_a_changed_one_again(client, store):
    path = survey_path(sent_invitation(store))
    comment = "Todo bien con la tienda, pero llegó roto"
    client.post(path, data={"nps": "9", "comment": comment})
    response = db.session.scalar(select(Response))
    read = (response.language, response.sentiment_label, response.polarity, response.topics)
    assert response.hidden_detractor and response.flags == ["hard_failure", "hidden_detractor"]
    db.session.execute(update(Response).values(sentiment_confidence=0.123))  # only a new reading changes it
    db.session.commit()
    client.post(path, data={"nps": "3", "comment": comment})
    db.session.refresh(response)
    assert response.sentiment_confidence == 0.123
    assert (response.language, response.sentiment_label, response.polarity, response.topics) == read
    assert response.flags == ["hard_failure"] and not response.hidden_detractor  # the flags follow the score
    assert db.session.scalar(select(Task.reason).where(Task.response_id == response.id)) == "detractor"
    client.post(path, data={"nps": "3", "comment": "Ya llegó, me encantó, gracias"})
    db.session.refresh(response)
    assert response.sentiment_label == "positive" and response.sentiment_confidence != 0.123


def test_a_browser_form_with_blank_review_fields_saves_the_answer_without_a_review(client, store):
    invitation = sent_invitation(store, items=[{"sku": "TAZA-01", "name": "Taza"}])
    blank = {"review-TAZA-01-title": "", "review-TAZA-01-body": " ", "review-TAZA-01-publish": "on"}
    resp = client.post(survey_path(invitation), data={"nps": "8", "comment": "Bien", "display_name": "Ana", **blank})
    assert resp.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Review)) == 0
    resp = client.post(survey_path(invitation), data={"nps": "8", "display_name": "A" * 200, **blank})
    assert resp.status_code == 422  # the name's own error beside its field, not just the form again
    assert re.search(r'id="display_name"[^>]*>\s*<p class="error">', resp.get_data(as_text=True))
    assert db.session.scalar(select(Response.nps)) == 8
