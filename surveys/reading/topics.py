"""Topics of a shop comment from a fixed taxonomy, with the polarity of each one.

delivery, product, packaging (incl. damage in transit), size_fit, support,
price (incl. payment), returns (incl. refunds, exchanges, warranty).
Keywords, stems and phrases in Spanish and English, matched accent-insensitively.
Pure: no Flask, no database.
"""

from __future__ import annotations

from .sentiment import normalize, read
from .textnorm import is_punct, tokenize

TOPICS = ("delivery", "product", "packaging", "size_fit", "support", "price", "returns")

# word -> topic, stem* -> topic, "multi word" -> topic
KEYWORDS: dict[str, str] = {
    # delivery
    **dict.fromkeys(
        "entrega entregas entregaron entrego entregado entregada envio envios enviaron envie enviado enviada "
        "mandaron llego llegaron llega llegan llegada llegar llegue tardo tardaron tarda tardan tardanza demora "
        "demoro demoraron retraso retrasos retraso atraso atrasado paqueteria paqueterias repartidor repartidora "
        "mensajero mensajeria correo correos rastreo seguimiento guia tracking estafeta dhl fedex ups usps "
        "transportista domicilio despacho despacharon recibi recibio recibido entregue courier reparto "
        "delivery deliver delivered deliveries shipping shipped ship shipment arrived arrive arrives arrival "
        "parcel postman mailman carrier dispatch dispatched late delayed delay delays came package packages "
        "paquete paquetes llegue llegaba tardaba rapidez plazo plazos llegado llegaria demorado demorada retenido "
        "pedido pedidos order orders "
        "motorizado transportadora transportadoras encomienda encomiendas starken chilexpress blueexpress olva "
        "shalom servientrega interrapidisimo coordinadora andreani mrw seur nacex correos zoom tealca "
        "transito courier couriers depot".split(),
        "delivery",
    ),
    # product
    **dict.fromkeys(
        "producto productos articulo articulos calidad material materiales tela acabado acabados diseno "
        "color colores sabor olor funciona funciono funcionan sirve bateria pantalla foto fotos descripcion "
        "defecto defectos defectuoso defectuosa falla fallas producto, hermoso hermosa precioso preciosa lindo "
        "linda bonito bonita rico rica delicioso deliciosa sabroso modelo resistente fragil comodo comoda "
        "suela mancha manchado manchada agujero descosido costuras cierre "
        "hilos destino destinio oxido "
        "suave duradero durabilidad textura costuras costura estampado "
        "product products item items quality material fabric design colour color taste smell works worked "
        "working battery screen picture pictures photo description defective faulty beautiful pretty gorgeous "
        "cute sturdy flimsy durable soft comfortable stitching texture seams zipper sole".split(),
        "product",
    ),
    # packaging / damage
    **dict.fromkeys(
        "empaque empaques empacado empacada empacaron empaquetado embalaje embalado envoltura envuelto caja "
        "cajas roto rota rotos rotas quebrado quebrada estrellado danado danada golpeado golpeada abollado "
        "aplastado aplastada maltratado maltratada mojado mojada abierto abierta derramado "
        "packaging packaged packing packed box boxes wrapping wrapped bubble broken damaged crushed dented "
        "smashed cracked shattered leaked leaking torn".split(),
        "packaging",
    ),
    # size / fit
    **dict.fromkeys(
        "talla tallas horma medida medidas tamano chico chica grande grandes pequeno pequena apretado apretada "
        "holgado holgada ajustado ajustada queda quedo quedan largo larga corto corta ancho angosto "
        "talle talles tallaje size sizes sizing fit fits fitted fitting small large big tight loose length waist "
        "smaller bigger narrow wide".split(),
        "size_fit",
    ),
    # support
    **dict.fromkeys(
        "atencion soporte vendedor vendedora vendedores respondieron respuesta respuestas contestaron contestan "
        "contesto responde responden whatsapp chat asesor asesora asesoria amable amables trato comunicacion "
        "atendieron atendio personal servicio ayudaron resolvieron solucionaron reclamo reclamos queja quejas "
        "mensajes mensaje llamada llame escribi escribirles tienda trataron atienden atiende colgaron visto "
        "support service seller staff responded response reply replied answered contacted helpful rude "
        "communication emailed chat agent representative rep customer "
        "contesta responder contestar atender atienden llamadas correos "
        "answers answer replies respond responds helped emails email called calls".split(),
        "support",
    ),
    # price / payment
    **dict.fromkeys(
        "precio precios caro cara caros baratos barato barata economico economica costo costoso cobro cobraron "
        "cobrar cobrado pago pague pagar pagado tarjeta cargo descuento cupon oferta promocion factura dinero "
        "plata pesos euros valor vale carisimo "
        "price prices priced pricey expensive cheap cost costs value money paid pay payment charged charge card "
        "discount coupon bargain overpriced dollars worth invoice "
        "cuotas cuota contraentrega contrareembolso mercadopago paypal transferencia deposito oxxo efectivo "
        "intereses financiamiento rechazada rechazaron cobros facturacion "
        "installments instalments installment instalment cod klarna afterpay checkout declined billing billed "
        "payments fee fees cash".split(),
        "price",
    ),
    # returns / refunds
    **dict.fromkeys(
        "devolucion devoluciones devolver devolvi devolvieron reembolso reembolsos reembolsaron reembolsar "
        "garantia cambio cambios cambiar cambiaron cambie reposicion reemplazo reemplazaron regresar regrese "
        "regresaron reintegro "
        "return returns returned returning refund refunds refunded exchange exchanged replacement replaced "
        "warranty".split(),
        "returns",
    ),
}
STEMS = {
    "entreg": "delivery",
    "envi": "delivery",
    "paqueter": "delivery",
    "repart": "delivery",
    "shipp": "delivery",
    "deliver": "delivery",
    "empac": "packaging",
    "empaquet": "packaging",
    "embal": "packaging",
    "packag": "packaging",
    "reembols": "returns",
    "devol": "returns",
    "refund": "returns",
    "garant": "returns",
    "calidad": "product",
    "atenci": "support",
    "vendedor": "support",
}
PHRASES = {
    # shipping cost is a price, not a delivery matter ("costo de envío", "shipping fee"): issue 14
    "costo de envio": "price",
    "costos de envio": "price",
    "costo del envio": "price",
    "gastos de envio": "price",
    "envio gratis": "price",
    "envio gratuito": "price",
    "envio cuesta": "price",
    "envio caro": "price",
    "envio carisimo": "price",
    "cobraron el envio": "price",
    "cobran el envio": "price",
    "cobro el envio": "price",
    "pague el envio": "price",
    "shipping cost": "price",
    "shipping costs": "price",
    "shipping fee": "price",
    "shipping fees": "price",
    "shipping charge": "price",
    "shipping charges": "price",
    "free shipping": "price",
    "shipping was expensive": "price",
    "meses sin intereses": "price",
    "a plazos": "price",
    "pago movil": "price",
    "pagos moviles": "price",
    "pasarela de pago": "price",
    "delivery fee": "price",
    "delivery cobrado": "price",
    "cobraron el despacho": "price",
    "cobran el despacho": "price",
    "despacho me salio": "price",
    "envio es caro": "price",
    "envio es carisimo": "price",
    "envio cuestan": "price",
    "el envio cuesta": "price",
    "gastos de envio cuestan": "price",
    "costo de despacho": "price",
    "despacho gratis": "price",
    "nadie me da razon": "support",
    "nadie da razon": "support",
    "no hay quien conteste": "support",
    "no hay quien responda": "support",
    "no hay quien atienda": "support",
    "nadie me da respuesta": "support",
    "gets back to me": "support",
    "get back to me": "support",
    "no one ever responds": "support",
    "nobody responds": "support",
    "no one responds": "support",
    "trying to reach": "support",
    # a verdict on the money spent is a verdict on the product; a judgement of value is price
    "waste of money": "product",
    "tirar el dinero": "product",
    "tire mi dinero": "product",
    "tire el dinero": "product",
    "dinero tirado": "product",
    "plata tirada": "product",
    "perdida de dinero": "product",
    "vale cada peso": "price",
    "vale cada centavo": "price",
    "vale cada euro": "price",
    "worth every penny": "price",
    "worth the money": "price",
    "value for money": "price",
    "lo que cuesta": "price",
    "lo que vale": "price",
    "for what you pay": "price",
    "for the money": "price",
    "contra entrega": "price",
    "contra reembolso": "price",
    "pago contra": "price",
    "pago contra entrega": "price",
    "pago contra reembolso": "price",
    "mercado pago": "price",
    "cash on delivery": "price",
    "pay on delivery": "price",
    "nadie responde": "support",
    "nadie contesta": "support",
    "nadie me responde": "support",
    "nadie me contesta": "support",
    "nadie atiende": "support",
    "nadie me atiende": "support",
    "no contestan": "support",
    "no responden": "support",
    "nobody answers": "support",
    "nobody replies": "support",
    "nobody helped": "support",
    "no one answers": "support",
    "no one replies": "support",
    "a tiempo": "delivery",
    "on time": "delivery",
    "el correo": "delivery",
    "mercado envios": "delivery",
    "me quedo": "size_fit",
    "me queda": "size_fit",
    "le quedo": "size_fit",
    "runs small": "size_fit",
    "runs large": "size_fit",
    "true to size": "size_fit",
    "servicio al cliente": "support",
    "atencion al cliente": "support",
    "customer service": "support",
    "tal cual": "product",
    "as described": "product",
    "as pictured": "product",
    "dos veces": "price",
    "doble cobro": "price",
    "charged twice": "price",
    "double charged": "price",
    "money back": "returns",
    "me lo cambiaron": "returns",
    "me la cambiaron": "returns",
    "no funciona": "product",
    "dejo de funcionar": "product",
    "stopped working": "product",
    "bubble wrap": "packaging",
    "se rompio": "product",
    "se desarmo": "product",
    "se dano": "product",
    "se despego": "product",
    "se destino": "product",
    "se oxido": "product",
    "se deshizo": "product",
    "broke after": "product",
    "fell apart": "product",
    "came apart": "product",
    "nadie se hace responsable": "support",
    "nadie da la cara": "support",
    "en visto": "support",
    "el visto": "support",
    "llego bien": "delivery",
    "muy caro": "price",
    "muy cara": "price",
    "es cara": "price",
    "es caro": "price",
    "tan caro": "price",
    "en perfecto estado": "packaging",
    "perfect condition": "packaging",
    "good condition": "packaging",
}
_PHRASE_KEYS: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _topic in PHRASES.items():
    _key = tuple(tokenize(_phrase))
    _PHRASE_KEYS.setdefault(_key[0], []).append((_key, _topic))
for _entries in _PHRASE_KEYS.values():
    _entries.sort(key=lambda e: -len(e[0]))
_STEM_LENGTHS = sorted({len(s) for s in STEMS}, reverse=True)


def _keyword_topic(tok: str) -> str | None:
    topic = KEYWORDS.get(tok)
    if topic is None:
        for n in _STEM_LENGTHS:
            if len(tok) > n and tok[:n] in STEMS:
                return STEMS[tok[:n]]
    return topic


# Words that name a topic only together with another cue (they are too common alone).
WEAK = {
    "came",
    "llego",
    "llegaron",
    "llegue",
    "arrived",
    "arrive",
    "arrives",
    "recibi",
    "recibido",
    "mandaron",
    "dinero",
    "plata",
    "money",
    "barato",
    "barata",
    "cheap",
    "cargo",
    "pague",
    "pagar",
    "pago",
    "correo",
    "correos",
    "cara",
    "paquete",
    "paquetes",
    "pedido",
    "pedidos",
    "order",
    "orders",
    "package",
    "queda",
    "quedo",
    "quedan",
    "largo",
    "corto",
    "big",
    "small",
    "large",
    "chico",
    "grande",
    "servicio",
    "service",
    "personal",
    "tienda",
    "customer",
    "valor",
    "value",
    "vale",
    "worth",
    "caja",
    "box",
    "marca",
    "cambio",
    "cambios",
    "abierto",
    "abierta",
    "llega",
    "llegan",
}


def find_topics(text: str, items: bool = False) -> dict[str, list[int]]:
    """topic -> token positions where it is mentioned.

    With ``items`` (what responses store and the evaluation measures), only what the
    comment names counts: "Malísimo, no lo compres" judges the purchase but names
    no aspect, so it has no topic; a comment with no aspect keyword that names the
    thing bought ("la licuadora hace un ruido horrible") or states a property of it
    ("es funcional") is about the product. Without ``items`` (the content policy's
    "is this about the purchase at all?"), any comment that judges counts as product.
    """
    tokens = tokenize(text)
    found: dict[str, list[int]] = {}
    weak: dict[str, list[int]] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        key = next((k for k, _ in _PHRASE_KEYS.get(tok, ()) if tuple(tokens[i : i + len(k)]) == k), None)
        if key is not None:  # a phrase speaks for its words: "costo de envío" is price, not delivery
            for k, topics in _PHRASE_KEYS[tok]:
                if k == key:
                    for topic in topics.split(","):
                        found.setdefault(topic, []).append(i)
            i += len(key)
            continue
        topic = _keyword_topic(tok)
        if topic:
            (weak if tok in WEAK else found).setdefault(topic, []).append(i)
        i += 1
    for topic, positions in weak.items():
        if topic in found or len(positions) > 1 or _weak_confirmed(topic, tokens, positions):
            found.setdefault(topic, []).extend(positions)
    if items and "packaging" in found and any(tokens[p] in DAMAGE for p in found["packaging"]):
        found.setdefault("product", []).extend(p for p in found["packaging"] if tokens[p] in DAMAGE)
    if not found and items:
        named = _named_item(tokens)
        if named is not None:
            found["product"] = [named]
    elif not found and _judges(text):
        found["product"] = [0]
    return found


def _judges(text: str) -> bool:
    from .language import detect_language

    return bool(read(text, detect_language(text)).hits)


# damage on arrival: the box's topic and the item's too
DAMAGE = frozenset(
    "roto rota rotos rotas quebrado quebrada estrellado danado danada golpeado golpeada abollado aplastado "
    "aplastada broken damaged crushed dented smashed cracked shattered chipped".split()
)
# the thing bought, by pronoun: "no lo compren", "don't buy it", "returned them"
PRONOUNS = frozenset("lo los it them".split())
NOT_AFTER_LO = frozenset(
    "que mejor peor normal mismo maximo siento unico de del demas cual justo esperado mas menos bueno malo "
    "unico basico minimo unico primero ultimo".split()
)
DETERMINERS = frozenset(
    "el la los las este esta estos estas ese esa esos esas mi mis un una unos unas "
    "the this these that those my our a an".split()
)
NOT_ITEMS = frozenset(
    "verdad vez veces dia dias semana semanas mes meses ano anos momento hora horas tiempo casa forma manera "
    "cosa cosas gente persona personas otro otra otros otras mismo misma resto final principio fecha lugar mitad "
    "parte tienda pagina web sitio app aplicacion experiencia hija hijo hijas hijos esposa esposo mama papa novio "
    "novia familia amiga amigo amigos senora senor vecina vecino regalo primera primer segunda segundo ultimo "
    "ultima siguiente proxima proximo verdad opinion idea duda problema mas menos poco mucho "
    "bit lot way time times day days week weeks month months year years thing things one ones neighbor neighbour "
    "husband wife son daughter kids kid mom dad friend friends family store shop website site app experience "
    "end rest same other first last second next moment place home house gift opinion idea while couple few "
    "little more less".split()
)


def _named_item(tokens: list[str]) -> int | None:
    """Where the comment names the thing it bought: an article or possessive before a word that
    is no topic keyword, no opinion word and no common noun ("la licuadora", "this mug"), or a
    copula before an opinion ("es funcional", "it's gorgeous")."""
    from .sentiment import lexicon

    for k in range(len(tokens) - 1):
        if tokens[k] not in DETERMINERS:
            continue
        word = tokens[k + 1]
        if len(word) < 3 or not word.isalpha() or word in NOT_ITEMS or word in DETERMINERS:
            continue
        if _keyword_topic(word) or any(lexicon(lang).score(word) is not None for lang in ("es", "en")):
            continue
        return k + 1
    # "no lo compren", "I returned it": a verdict on the thing bought, named by a pronoun
    for k, tok in enumerate(tokens):
        if tok in PRONOUNS and not (tok == "lo" and k + 1 < len(tokens) and tokens[k + 1] in NOT_AFTER_LO):
            if _advice(tokens, k):
                continue  # "no lo compres", "lo recomiendo", "don't buy it": a verdict on the purchase, no aspect
            if _judges_near(tokens, k):
                return k
    # "es funcional", "está regular", "it's gorgeous": a property of the thing bought
    for k, tok in enumerate(tokens):
        if tok not in COPULAS:
            continue
        for word in tokens[k + 1 : k + 4]:
            if any(lexicon(lang).score(word) for lang in ("es", "en")):
                return k
            if word not in DEGREE:
                break
    return None


# buying and recommending: the pronoun they take is the purchase as a whole, not an aspect of it
ADVICE_STEMS = ("compr", "recomiend", "recomend", "pid", "ped", "buy", "bought", "recommend", "order", "purchas")


def _advice(tokens: list[str], k: int) -> bool:
    """The pronoun at ``k`` is the object of a verb of buying or recommending ("no lo compren", "buy it")."""
    after = tokens[k + 1] if k + 1 < len(tokens) else ""
    before = tokens[k - 1] if k > 0 else ""
    return after.startswith(ADVICE_STEMS[:5]) if tokens[k] in ("lo", "los") else before.startswith(ADVICE_STEMS[5:])


def _judges_near(tokens: list[str], k: int) -> bool:
    """An opinion word in the same sentence as position ``k``."""
    from .sentiment import lexicon

    ends = {".", "!", "?", "…"}
    lo, hi = k, k
    while lo > 0 and tokens[lo - 1] not in ends:
        lo -= 1
    while hi + 1 < len(tokens) and tokens[hi + 1] not in ends:
        hi += 1
    return any(lexicon(lang).score(t) for t in tokens[lo : hi + 1] for lang in ("es", "en") if t not in PRONOUNS)


COPULAS = frozenset("es esta son estan era estaba eran fue its is was are were looks feels seems".split())
DEGREE = frozenset(
    "muy super re recontra harto bien bastante demasiado tan mas medio algo un poco "
    "very so really quite too pretty a bit".split()
)


def _weak_confirmed(topic: str, tokens: list[str], positions: list[int]) -> bool:
    """A weak cue counts when a size or service word sits right next to it ('muy chico', 'buen servicio')."""
    window = {t for p in positions for k, t in enumerate(tokens[max(0, p - 3) : p + 4], max(0, p - 3)) if k != p}
    cues = {
        "delivery": {
            "rapido",
            "rapidisimo",
            "pronto",
            "tarde",
            "tiempo",
            "dias",
            "semanas",
            "semana",
            "antes",
            "fast",
            "quick",
            "quickly",
            "late",
            "early",
            "days",
            "weeks",
            "week",
            "time",
            "hoy",
            "ayer",
            "mes",
            "month",
            "nunca",
            "never",
            "todavia",
            "aun",
            "still",
            "rapid",
            "lento",
            "slow",
            "fecha",
            "estimado",
            "indicados",
            "indicaban",
            "lunes",
            "martes",
            "miercoles",
            "jueves",
            "viernes",
            "sabado",
            "domingo",
            "esperando",
            "perdio",
            "perdido",
            "lost",
            "waiting",
            "llego",
            "llega",
            "recibi",
            "pedido",
            "paquete",
            "retenido",
            "envio",
            "entrega",
            "tracking",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "arrived",
        },
        "size_fit": {"muy", "me", "le", "too", "very", "bit", "poco", "demasiado", "mas", "quedo", "queda", "fit"},
        "support": {
            "al",
            "cliente",
            "atencion",
            "amable",
            "amables",
            "atento",
            "vendedor",
            "customer",
            "friendly",
            "rude",
            "helpful",
        },
        "price": {
            "precio",
            "price",
            "pena",
            "caro",
            "vale",
            "worth",
            "value",
            "costo",
            "demasiado",
            "tan",
            "bastante",
            "envio",
            "extra",
            "for",
        },
        "packaging": {"venia", "vino", "llego", "paquete", "caja", "came", "arrived", "box"},
        "returns": {"proceso", "devolucion", "garantia", "hice", "pedi", "solicite", "talla", "exchange"},
    }
    return bool(window & cues.get(topic, set()))


def topic_polarity(text: str, lang: str, reading=None) -> dict[str, float]:
    """Polarity of each mentioned topic, from the clause(s) that mention it."""
    reading = reading or read(text, lang)
    found = find_topics(text, items=True)
    if not found:
        return {}
    bounds = _clauses(reading.tokens)
    out = {}
    for topic, positions in found.items():
        clauses = {
            next(k for k, (a, b) in enumerate(bounds) if a <= p < b) for p in positions if p < len(reading.tokens)
        }
        total = sum(h.score for h in reading.hits for k in clauses if bounds[k][0] <= h.index < bounds[k][1])
        out[topic] = round(normalize(total), 3)
    return dict(sorted(out.items(), key=lambda kv: TOPICS.index(kv[0])))


def _clauses(tokens: list[str]) -> list[tuple[int, int]]:
    splitters = {"pero", "but", "aunque", "although", "sin_embargo", "however", "y", "and"}
    bounds, start = [], 0
    for k, tok in enumerate(tokens):
        if is_punct(tok) and tok not in {"¡", "¿"} or tok in splitters:
            if k > start:
                bounds.append((start, k))
            start = k
    bounds.append((start, len(tokens) + 1))
    return bounds
