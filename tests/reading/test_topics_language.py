"""Topics (several per comment, with their own polarity) and language detection."""

import pytest

from surveys.reading.analysis import analyze_text, score_flags
from surveys.reading.language import detect_language
from surveys.reading.topics import find_topics, topic_polarity


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("La talla no corresponde, me quedó chico", {"size_fit"}),
        ("El repartidor fue grosero y la paquetería lo perdió", {"delivery"}),
        ("Me cobraron dos veces y el reembolso no aparece", {"price", "returns"}),
        ("Llegó rapidísimo y muy bien empacado", {"delivery", "packaging"}),
        ("Excelente atención al cliente por WhatsApp", {"support"}),
        ("Pedí la devolución y me hicieron válida la garantía", {"returns"}),
        ("Runs small and shipping took forever", {"size_fit", "delivery"}),
        ("Pésima experiencia", set()),  # a verdict on the whole experience names no aspect
        ("Malísimo, no lo compres", set()),  # advice about the purchase names no aspect (issue 14)
        ("Ok", set()),
        ("Gracias", set()),
        ("La licuadora hace un ruido horrible", {"product"}),  # the thing bought, named
        ("Es funcional", {"product"}),
        ("El costo de envío es carísimo", {"price"}),  # shipping cost is a price (issue 14)
        ("Hidden shipping fees, not happy", {"price"}),
        ("La taza llegó rota", {"packaging", "product"}),  # damage on arrival: the box's and the item's
        ("Waste of money", {"product"}),
        ("Pagué en cuotas y me cobraron intereses", {"price"}),
        ("Pedí pago contra entrega y no lo respetaron", {"price"}),
        ("Cash on delivery was refused at the door", {"price"}),
        ("Nadie me responde", {"support"}),
        ("Nobody answers my emails", {"support"}),
    ],
)
def test_topics_found(text, topics):
    assert set(find_topics(text, items=True)) == topics


def test_each_topic_gets_the_polarity_of_its_own_clause():
    polarity = topic_polarity("El envío tardó muchísimo pero el producto es hermoso", "es")
    assert polarity["delivery"] < 0 < polarity["product"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Llegó rapidísimo, gracias", "es"),
        ("Re copado todo, che", "es"),
        ("Excelente", "es"),
        ("Great quality, fast shipping", "en"),
        ("Awesome", "en"),
        ("It never arrived", "en"),
        ("Muito bom, chegou rápido", "other"),
        ("Très bien, livraison rapide", "other"),
    ],
)
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_locale_hint_breaks_ties_only():
    assert detect_language("ok", hint="en") == "en"
    assert detect_language("Llegó perfecto", hint="en") == "es"


def test_hidden_detractor_is_a_happy_score_with_clearly_negative_words():
    broken = analyze_text("Todo bien con la tienda, pero llegó roto")
    assert "hidden_detractor" in score_flags(9, None, broken)
    assert "hidden_detractor" in score_flags(None, 5, broken)
    assert score_flags(9, None, analyze_text("Me encantó")) == []


def test_glowing_words_with_a_low_score_flag_a_possible_scale_mixup():
    assert "scale_mixup" in score_flags(1, None, analyze_text("¡Excelente! Me encantó, súper recomendable"))
    assert "scale_mixup" not in score_flags(1, None, analyze_text("Excelente... nunca llegó"))
