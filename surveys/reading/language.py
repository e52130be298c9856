"""Language of a short comment: 'es', 'en' or 'other'. Pure and offline.

Function words decide (they are the most frequent and least ambiguous words);
Spanish spelling (ñ, ¿, ¡, accents) and each language's sentiment lexicon break
ties. Hand-written because the maintained detectors need model downloads or are
unreliable on three-word comments.
"""

from __future__ import annotations

import re

from .textnorm import fold

ES_WORDS = set(
    "el la los las del de que y en un una unos unas por para con sin es son fue fueron muy pero mas "
    "lo le les se su sus mi mis me te nos yo tu usted ustedes ellos ella esta este esto estos estas eso esa "
    "ese aqui ahi alla ya aun todavia tambien tampoco porque cuando donde como cual quien hay tiene tengo "
    "tienen llego llegaron llega pedido producto productos compra gracias bueno buena excelente todo todos "
    "nada bien mal hace hizo solo ademas entonces asi algo poco mucho muchos mucha dias semana semanas "
    "al era estaba estuvo han ha he hemos sido siempre nunca despues antes tiempo recomiendo envio "
    "entrega calidad precio talla atencion servicio vendedor paquete caja ni o u e pues vez veces diez puntos".split()
)
EN_WORDS = set(
    "the and of to a an in is was were are be been it its this that these those for with without my your "
    "our their his her i we you they he she them me us not but very so just only also too than then there "
    "here what which who when where why how have has had do did does dont didnt doesnt wasnt isnt cant "
    "wont would could should will can from by at on as or if about after before again arrived arrive "
    "order ordered item items product products quality shipping delivery package thanks thank great good "
    "love fast service seller size fits fit price money bought buy got get came really well nice".split()
)
OTHER_WORDS = {
    "pt": set(
        "nao muito com uma para produto chegou otimo obrigado obrigada voce isso mas bom boa "
        "entrega rapida gostei recomendo qualidade ainda veio os em ao pelo pela foi esta".split()
    ),
    "fr": set(
        "le les est tres et pas je produit une avec cest mais tres bien livraison recu rapide "
        "qualite merci sont du des au aux il elle nous vous tout".split()
    ),
    "de": set(
        "der die das und ist nicht sehr ich gut mit ein eine auf fur war zu schnell lieferung "
        "danke qualitat produkt aber auch noch".split()
    ),
    "it": set(
        "il lo gli e molto non prodotto che per ottimo grazie arrivato consegna veloce qualita "
        "sono della buono ma anche".split()
    ),
}
# Words both Spanish and English use: they count for neither.
SHARED = {"no", "me", "a", "de", "ok", "super", "top", "mega", "y", "e", "u", "o", "1", "a+"}
_SPANISH_MARKS = re.compile(r"[ñ¿¡áéíóú]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def detect_language(text: str, hint: str | None = None) -> str:
    """Best guess among es/en/other; ``hint`` (e.g. the invitation locale) wins ties."""
    words = [fold(w) for w in _WORD.findall(text or "")]
    es = en = 0.0
    others = dict.fromkeys(OTHER_WORDS, 0.0)
    for w in words:
        if w in SHARED:
            continue
        es += w in ES_WORDS
        en += w in EN_WORDS
        for lang, vocab in OTHER_WORDS.items():
            others[lang] += w in vocab and w not in ES_WORDS and w not in EN_WORDS
    es += 1.5 * len(_SPANISH_MARKS.findall(text or "")) ** 0.5
    if es == en == 0:
        es, en = _lexicon_votes(words)
    best_other = max(others.values())
    if best_other > max(es, en) and best_other >= 1:
        return "other"
    if es > en:
        return "es"
    if en > es:
        return "en"
    if hint in ("es", "en"):
        return hint
    return "es" if es > 0 else (hint or "other")


def _lexicon_votes(words: list[str]) -> tuple[float, float]:
    """For one-word comments ('Excelente', 'Awesome'): which sentiment lexicon knows them."""
    from .sentiment import lexicon

    es_lex, en_lex = lexicon("es"), lexicon("en")
    es = sum(1 for w in words if w in es_lex.words)
    en = sum(1 for w in words if w in en_lex.words)
    if es == en:  # then looser matches (stems, typos), then word endings
        es += 0.5 * sum(1 for w in words if es_lex.score(w) is not None)
        en += 0.5 * sum(1 for w in words if en_lex.score(w) is not None)
    if es == en:
        es += 0.25 * sum(1 for w in words if w.endswith(ES_SUFFIXES))
        en += 0.25 * sum(1 for w in words if w.endswith(EN_SUFFIXES))
    return float(es), float(en)


ES_SUFFIXES = ("cion", "mente", "ado", "ada", "ido", "ida", "dad", "oso", "osa", "ito", "ita")
EN_SUFFIXES = ("ing", "tion", "ly", "ness", "ed", "ful", "less", "able")
