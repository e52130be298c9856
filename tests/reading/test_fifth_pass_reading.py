"""Shapes the fifth pass on issue 14 reads (pure: no app needed).

Each case was written for this file (not taken from a data set) and was misread before.
"""

import pytest

from surveys.reading.sentiment import label_for, read


def label(text, lang="es"):
    return label_for(read(text, lang).polarity, lang)


@pytest.mark.parametrize(
    "text",
    [
        # praise made conditional on wanting the failure
        "Muy recomendable si te encanta esperar dos meses por una lámpara.",
        "Perfecta si lo que buscas es que se descosa en el primer lavado.",
        "Lo recomiendo mucho si te sobra paciencia para reclamar.",
        # the inside (or the real thing) is the verdict
        "Preciosa por fuera, un asco por dentro.",
        "Linda la presentación. Lo de adentro, un desastre.",
        # words whose sense depends on the country
        # failure facts in new shapes
        "Al primer uso se partió la manija.",
        "Lástima que no funcione el control.",
        "La pila no dura ni medio día, y eso que es nueva.",
        "Me llegó tirada en una bolsa, sin caja ni protección.",
        "Le queda a mi hija de seis años, y era talla adulto.",
        "Muy amables para venderte, después desaparecen.",
        "Buenísima para nada.",
        "Rapidísimo el despacho: solo cuatro semanas.",
        "Qué buena atención al cliente, llevo diez días esperando respuesta.",
    ],
)
def test_complaints_in_fifth_pass_shapes_read_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Está durísimo el parlante, suena que da gusto.",
        "Creí que era de mala calidad, pero está bien hecha.",  # the expectation is no verdict
    ],
)
def test_praise_in_fifth_pass_shapes_reads_positive(text):
    assert label(text) == "positive"


def test_a_relative_is_no_praise():
    assert label("Es para mi padre, se lo doy el domingo.") == "neutral"  # not Mexican "padre" (cool)
