"""Shapes the sixth pass on issue 14 reads (pure: no app needed).

Each case was written for this file (not taken from a data set) and was misread before, except
the three-star guards, which hold the new framing rule back from shrugs and mixed texts.
"""

import pytest

from surveys.reading.sentiment import label_for, read
from surveys.reading.topics import find_topics


def label(text, lang="es"):
    return label_for(read(text, lang).polarity, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # praise framing a body of complaints: an opening clause or a closing sentence
        ("es", "Muy atentos, me colgaron la llamada dos veces."),
        ("es", "La cafetera se quemó al segundo uso. Bravo."),
        # a story told in order: how it began is no verdict, the summary is
        (
            "es",
            "Al principio me encantó, se veía bonita y funcionaba bien. Después de dos semanas empezó a fallar. "
            "Luego dejó de cargar. La llevé al técnico. En resumen, una pérdida de plata.",
        ),
        # facts still pending; a new fact after "y" is not negated by the fact before it
        ("es", "Aún no se ha hecho el depósito."),
        ("es", "Todavía no se ha realizado la entrega."),
        ("es", "La tarjeta no pasó y anularon la compra."),
        # shipping cost against the price
        ("es", "El despacho cuesta casi lo mismo que la polera."),
    ],
)
def test_complaints_in_sixth_pass_shapes_read_negative(lang, text):
    assert label(text, lang) == "negative"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # a denied expectation is surprise, not a complaint
        ("es", "Nunca imaginé que fuera tan cómodo, lo uso todos los días."),
        # "merece la pena" with words between; ratings out of ten
        ("es", "El envío tardó, pero merece totalmente la pena."),
        ("es", "10 de 10, gracias."),
    ],
)
def test_praise_in_sixth_pass_shapes_reads_positive(lang, text):
    assert label(text, lang) == "positive"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        # a shrug or a complaint in the frame keeps the praise meant: a three-star text
        ("es", "Está bien, no sé si lo volvería a comprar."),
        ("es", "Algunas cosas buenas, otras malas. Linda pantalla, parlantes horribles."),
    ],
)
def test_three_star_texts_stay_neutral(lang, text):
    assert label(text, lang) == "neutral"


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("El motorizado nunca apareció.", "delivery"),
        ("Starken lo tiene hace dos semanas.", "delivery"),
        ("No hay quien conteste en esa tienda.", "support"),
        ("Quise pagar a plazos y no me dejó.", "price"),
        ("Nobody ever gets back to me.", "support"),
    ],
)
def test_sixth_pass_topics(text, topic):
    assert topic in find_topics(text, items=True)
