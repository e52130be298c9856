"""The staff CSV exports over real HTTP: the body streams after the view returned (and after the
request's database session was removed), which Flask's test client never shows."""

from __future__ import annotations

import csv
import http.cookiejar
import io
import urllib.parse
import urllib.request

from surveys.extensions import db
from surveys.services.tenancy import create_staff_user

from ..factories import make_store, sent_invitation, survey_path
from ..live_server import LiveServer

PASSWORD = "una clave muy larga"  # noqa: S105
ITEMS = [{"sku": "TAZA-01", "name": "Taza de barro"}]


class Browser:
    """A cookie-keeping HTTP client that signs in to the console once."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=10) as resp:
            return resp.status

    def csv_rows(self, path: str) -> list[dict]:
        with self.opener.open(self.base + path, timeout=10) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/csv")
            return list(csv.DictReader(io.StringIO(resp.read().decode())))


def _seed(client):
    store = make_store(name="Barro & Co")[0]
    other = make_store(name="Otra")[0]
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    db.session.commit()
    for n, (score, comment) in enumerate([(2, "Llegó roto"), (10, "Hermoso"), (9, "")]):
        invitation = sent_invitation(store, email=f"c{n}@example.com", items=ITEMS)
        data = {"nps": str(score), "comment": comment}
        if n == 0:  # one review that waits for a check: the moderation log gets a line
            data.update({"review-TAZA-01-rating": "2", "review-TAZA-01-body": "Mi cel 55 1234 5678"})
            data["review-TAZA-01-publish"] = "1"
        client.post(survey_path(invitation), data=data)
    client.post(survey_path(sent_invitation(other, email="x@example.com")), data={"nps": "0", "comment": "ajeno"})
    db.session.rollback()
    return store


def test_every_staff_csv_export_streams_its_rows_over_a_live_server(app, client, make_app):
    _seed(client)
    with LiveServer(make_app()) as server:
        staff = Browser(server.url)
        assert staff.post("/staff/login", {"email": "admin@barro.test", "password": PASSWORD}) == 200
        responses = staff.csv_rows("/staff/responses.csv")
        by_score = sorted((r["Puntuación NPS (0-10)"], r["Categoría NPS"], r["Comentario"]) for r in responses)
        assert by_score == [("10", "Promotor", "Hermoso"), ("2", "Detractor", "Llegó roto"), ("9", "Promotor", "")]
        assert {r["Correo"] for r in responses} == {"c0@example.com", "c1@example.com", "c2@example.com"}
        detractors = staff.csv_rows("/staff/responses.csv?category=detractor")
        assert [r["Comentario"] for r in detractors] == ["Llegó roto"]
        moderation = staff.csv_rows("/staff/reviews/log.csv")
        assert [(r["Qué"], r["Quién"]) for r in moderation] == [("Reseña escrita", "Postventa (automático)")]
        audit_rows = staff.csv_rows("/staff/audit.csv")
        # the review's submission, the sign-in, both response exports (each logged as data leaving the system)
        assert [(r["Qué"], r["Quién"], r["Detalles"]) for r in audit_rows] == [
            ("Reseña escrita", "Postventa (automático)", "avisos: Datos personales · estrellas: 2 · estado: En espera"),
            ("Inició sesión", "admin@barro.test", "dirección IP: 127.0.0.1"),
            ("Exportó las respuestas (CSV)", "admin@barro.test", ""),
            ("Exportó las respuestas (CSV)", "admin@barro.test", "categoría: Detractor"),
        ]
        only_exports = staff.csv_rows("/staff/audit.csv?what=responses_csv")  # the page's filters
        assert [r["Detalles"] for r in only_exports] == ["", "categoría: Detractor"]
