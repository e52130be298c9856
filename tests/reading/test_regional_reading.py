"""Regional Spanish shop comments: the shapes the third pass on issue 14 reads (pure: no app needed).

Each case was written for this file (not taken from a data set) and was misread before.
"""

import pytest

from surveys.reading.sentiment import label_for, read


def label(text, lang="es"):
    return label_for(read(text, lang).polarity, lang)


@pytest.mark.parametrize(
    "text",
    [
        'Muy "resistente" la mochila, se le soltó el cierre a los dos días.',  # scare quotes
        'Súper "rápido" el envío, tardó un mes.',
        "De original no tiene nada, la etiqueta está mal cosida.",  # praise taken back after it
        "Hermosa, hermosa... al primer lavado se destiñó entera.",  # opening praise before a failure
        "Servicio excelente: lo dejaron en otra dirección y nadie sabe dónde está.",
        "Está bien feo el color.",  # "bien" boosts, it is no shrug
        "Está bien malo el sonido.",
        "Lo tuve que salir a buscar al depósito del correo.",  # a failure fact, clitic first
        "Hasta ahora no me han respondido.",
        "Todavía no me han reembolsado.",
        "El envío urgente me lo llevaron a otra dirección.",
        "El cargador ni prendió cuando lo enchufé.",
        "Ni bola.",  # nobody paid attention
    ],
)
def test_complaints_in_regional_shapes_read_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Nunca había comprado algo tan bueno por internet.",  # "nunca ... tan bueno" is praise
        "Los zapatos me quedan que ni pintados.",
        "No le tiene nada que envidiar a la tienda física.",
        "Cero drama.",
    ],
)
def test_regional_praise_reads_positive(text):
    assert label(text) == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Es pasable, tampoco es la gran cosa.",
        "Tampoco es la gran cosa, hace lo suyo.",
    ],
)
def test_regional_shrugs_read_neutral(text):
    assert label(text) == "neutral"


def test_praise_before_a_failure_with_pero_is_still_mixed_not_sarcasm():
    # the opening-praise rule needs the rest to be all complaint and no "pero"
    assert (
        read("Lindo, pero se despegó al primer lavado.", "es").polarity
        > read("Lindo, lindo... se despegó al primer lavado.", "es").polarity
    )


@pytest.mark.parametrize("text", ["La puerta no cierra del todo.", "Regular, el cierre no encaja del todo."])
def test_not_quite_is_a_three_star_remark_not_a_failure(text):
    reading = read(text, "es")
    assert (label_for(reading.polarity, "es"), reading.hard_failure) == ("neutral", False)
