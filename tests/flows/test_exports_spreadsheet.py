"""The three staff CSV exports as a spreadsheet opens them, read from a live server (the body
streams after the view returned): a UTF-8 byte order mark first, numbers as numbers (a negative
polarity is not text), text that would start a formula neutralised, an erased customer in words,
and the log details in the member's language."""

from __future__ import annotations

import codecs
import csv
import http.cookiejar
import io
import urllib.parse
import urllib.request

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Response, Task
from surveys.services import audit
from surveys.services.tenancy import create_staff_user

from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

PASSWORD = "una clave muy larga"  # noqa: S105


class Staff:
    """A cookie-keeping HTTP client signed in to the console."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        assert self.post("/staff/login", {"email": email, "password": PASSWORD}) == 200

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as resp:
            return resp.status

    def raw(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=10) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/csv")
            return resp.read()


def _rows(raw: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _seed(client):
    store = make_store(name="Barro & Co")[0]
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    answers = [
        ("walker-w1@example.com", "4", "Llegó tarde"),
        ("a@example.com", "2", "Pésimo, llegó roto y nadie contesta"),
        ("b@example.com", "3", '=HYPERLINK("http://evil.test")'),
        ("c@example.com", "10", "Hermoso, llegó perfecto"),
    ]
    for email, score, comment in answers:
        client.post(survey_path(sent_invitation(store, email=email)), data={"nps": score, "comment": comment})
    audit.record(store.id, None, "photo_hidden", "review", 7, details={"photo": 1})
    db.session.commit()
    return store


def test_the_staff_csv_exports_open_in_a_spreadsheet_as_numbers_and_words(app, client, make_app):
    _seed(client)
    negative = db.session.scalar(select(Response.polarity).where(Response.nps == 2))
    task_ids = db.session.scalars(select(Task.id)).all()
    db.session.rollback()  # the live server writes: hold no transaction open meanwhile
    assert negative < 0 and len(task_ids) == 3
    with LiveServer(make_app()) as server:
        staff = Staff(server.url, "admin@barro.test")
        bulk = {"task_id": task_ids, "action": "assign", "assignee_id": "me"}
        assert staff.post("/staff/tasks/bulk", {**bulk, "back": "/staff/tasks"}) == 200
        assert staff.post("/staff/privacy/erase", {"email": "walker-w1@example.com", "confirm": "yes"}) == 200
        exports = {
            path: staff.raw(path) for path in ("/staff/responses.csv", "/staff/audit.csv", "/staff/reviews/log.csv")
        }
    assert all(raw.startswith(codecs.BOM_UTF8) for raw in exports.values())

    responses = {r["Puntuación NPS (0-10)"]: r for r in _rows(exports["/staff/responses.csv"])}
    polarity = responses["2"]["Polaridad (-1 a 1)"]
    assert float(polarity) == negative and not polarity.startswith("'")  # a number a spreadsheet can sum
    assert responses["3"]["Comentario"] == '\'=HYPERLINK("http://evil.test")'  # text that would be a formula
    emails = [responses[s]["Correo"] for s in ("4", "2", "3", "10")]
    assert emails == ["Cliente borrado", "a@example.com", "b@example.com", "c@example.com"]

    entries = {r["Qué"]: r for r in _rows(exports["/staff/audit.csv"])}
    assert (
        entries["Cambió varias tareas a la vez"]["Objeto"],
        entries["Cambió varias tareas a la vez"]["Detalles"],
    ) == (
        "Tareas",
        "campos: acción, responsable",
    )
    assert entries["Borró los datos de un cliente"]["Detalles"] == (
        "comentarios: 1 · cliente: 1 · correos: 0 · campos: confirmación, correo · tareas cerradas: 1"
    )
    [photo] = _rows(exports["/staff/reviews/log.csv"])
    assert (photo["Objeto"], photo["Detalles"]) == ("Reseña", "foto n.º: 1")
