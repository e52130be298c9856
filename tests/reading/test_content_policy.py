"""The review content policy: what it flags in Spanish and English, and what it leaves alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.reading.content_policy import check

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "text, flags",
    [
        ("Son unos pendejos, nunca más", ["abuse"]),
        ("m1erdaaa de producto", ["abuse"]),
        ("Qué gilipollas el repartidor", ["abuse"]),
        ("This is shit", ["abuse"]),
        ("Escríbeme a ana.lopez@gmail.com", ["personal_data"]),
        ("Mi cel es 55 1234 5678", ["personal_data"]),
        ("Call me at +1 (555) 123-4567", ["personal_data"]),
        ("Vivo en Calle Juárez 123, Col. Centro", ["personal_data"]),
        ("I live at 42 Baker Street", ["personal_data"]),
        ("mejor visiten barato.mx", ["link"]),
        ("see https://example.org/deal", ["link"]),
        ("Las elecciones del domingo van a cambiar todo en este país", ["off_topic"]),
        ("Gana dinero desde casa con bitcoin", ["off_topic"]),
        ("El otro día fui al parque con mis amigos y comimos helado de fresa en la tarde", ["off_topic"]),
        ("Rota <script>alert(1)</script>", ["markup"]),
        ("<img src=x onerror=alert(1)", ["markup"]),
        ("<svg onload=alert(3)>", ["markup"]),
        ("Ver javascript:alert(1)", ["markup"]),
    ],
)
def test_flags(text, flags):
    assert check(text) == flags


@pytest.mark.parametrize(
    "text",
    [
        "Pésima calidad, se rompió al segundo día",
        "Llegó el 2026-11-20 a las 10:30, muy bien",
        "Lo recibí el 20/11/2026",
        "Costó 1.299 pesos y vale cada peso",
        "10/10 lo recomiendo",
        "El forro de la bolsa es precioso",
        "Great mug, arrived in 3 days",
        "Tardó tres semanas, muy mal servicio",
        "La amo <3, costó < 200 pesos y vale > 100",
        "Talla M -> me quedó bien; 5/5 => recomendada",
    ],
)
def test_ordinary_reviews_good_or_bad_are_not_flagged(text):
    assert check(text) == []


def test_almost_no_real_shop_comment_is_flagged():
    """The labelled comment sets (617 real-style comments, half of them complaints) pass the policy."""
    texts = []
    for lang in ("es", "en"):
        lines = (DATA / f"comments_{lang}.tsv").read_text(encoding="utf-8").splitlines()[1:]
        texts += [line.split("\t")[3] for line in lines if line and not line.startswith("#")]
    flagged = [t for t in texts if check(t)]
    assert len(texts) > 600
    assert len(flagged) / len(texts) < 0.01, flagged
