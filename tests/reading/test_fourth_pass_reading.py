"""Shapes the fourth pass on issue 14 reads: Spanish negative concord, verb morphology,
augmentatives and prefixes, failure facts in more word orders (pure: no app needed).

Each case was written for this file (not taken from a data set) and was misread before.
"""

import pytest

from surveys.reading.sentiment import label_for, lexicon, read


def label(text, lang="es"):
    return label_for(read(text, lang).polarity, lang)


@pytest.mark.parametrize(
    "text",
    [
        "No es para nada cómodo, no lo uso nunca.",  # negatives agree, they do not cancel
        "Nada amable la chica del mostrador.",  # weak praise denied is a complaint, not a shrug
        "Qué falta de profesionalismo y de seriedad.",  # "falta de" denies the praise after it
        "La plancha se averió a los diez días.",  # failure verbs in any tense
        "Las ollas se oxidaron enseguida.",
        "La tostadora se malogró al toque.",  # speed after a failure is no praise
        "Llegaron sin las instrucciones ni los tornillos.",  # something missing from the box
        "Me quedaron re grandes, parezco payaso.",  # sizes off, a word in between
        "El bolso se nota bien barato, las costuras torcidas.",  # looks cheap
        "¡Qué maravilla!, se le cayó el asa el primer día.",  # an opening exclamation before failures
        "Mi pedido llegó cuatro días después.",  # the delay, not the time
        "Se lo entregaron a otra persona.",
        "El yogur olía raro al abrirlo.",
        "No se pudo instalar en mi compu.",
    ],
)
def test_complaints_the_fourth_pass_reads_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Funciona rapidazo, lo conecté y listo.",  # augmentative of a known adjective
        "Está requetebonito el mantel.",  # intensifying prefix
        "Dos años de uso y ni un problema.",  # no failure at all is praise
        "Ya es mi cuarta compra con ustedes.",  # a repeat customer
        "No me esperaba tanta calidad por ese precio.",  # surprise the good way
        "Está chingona la chamarra.",
    ],
)
def test_praise_the_fourth_pass_reads_positive(text):
    assert label(text) == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Caben harto las cosas en el bolso.",  # Chilean "harto" is a lot, not fed up
        "Queda un poco grande pero la voy a usar igual.",  # a dampener inside a size remark
    ],
)
def test_remarks_that_are_not_complaints_do_not_read_negative(text):
    assert label(text) != "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Precioso el bolso, si no fuera porque se descosió la correa en una semana.",  # the real verdict follows
        "Gracias por arruinarme la fiesta.",  # a verb with its pronoun attached
        "Qué amables, me tuvieron tres horas en espera para no resolver nada.",
        "Me reintegraron menos dinero del que pagué.",
        "Nunca cumplen los plazos de entrega.",
        "Lo pedí el lunes y llegó después de diez días.",  # "de diez días" is a count, not top marks
    ],
)
def test_complaints_after_the_first_landing_read_negative(text):
    assert label(text) == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Felicitaciones por el peor servicio del año.",  # praise bait scorned in its own clause
        "Excelente forma de perder clientes.",
        "Perfecto para tirar la plata.",
        "Lo único rescatable fue el empaque.",  # everything else was not
        "Rapidísimos para cobrar, lentísimos para devolver.",
        "No la recomendaría ni a mi peor enemigo.",
        "Muy lindo en las fotos, nada que ver en persona.",  # praise of the photo
        "Ojalá que se rompa rápido, así me devuelven la plata.",  # subjunctive forms of failure verbs
    ],
)
def test_ironic_and_idiomatic_complaints_read_negative(text):
    assert label(text) == "negative"


def test_a_second_negative_after_the_word_makes_the_denial_absolute():
    assert label("No falla nunca.") == "positive"


def test_a_negator_that_denies_a_failure_is_no_complaint_itself():
    assert label("Jamás tuve un problema con ellos.") == "positive"


def test_generated_forms_never_displace_a_listed_word():
    words = lexicon("es").words
    assert words["perdido"] == -2.2  # the adjective's own score, not the verb's
    assert words["malogro"] < 0 and words["malogrando"] < 0 and words["oxidaron"] < 0
    assert "raja" not in words  # "la raja" is Chilean praise: the phrase, never a verb form
