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
        "pedido pedidos order orders".split(),
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
        "communication emailed chat agent representative rep customer".split(),
        "support",
    ),
    # price / payment
    **dict.fromkeys(
        "precio precios caro cara caros baratos barato barata economico economica costo costoso cobro cobraron "
        "cobrar cobrado pago pague pagar pagado tarjeta cargo descuento cupon oferta promocion factura dinero "
        "plata pesos euros valor vale carisimo "
        "price prices priced pricey expensive cheap cost costs value money paid pay payment charged charge card "
        "discount coupon bargain overpriced dollars worth invoice".split(),
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


def find_topics(text: str, judged: bool | None = None) -> dict[str, list[int]]:
    """topic -> token positions where it is mentioned.

    A comment that judges its purchase without naming any aspect ("Malísimo,
    no lo compres") is about the product.
    """
    tokens = tokenize(text)
    found: dict[str, list[int]] = {}
    weak: dict[str, list[int]] = {}
    i = 0
    while i < len(tokens):
        matched = False
        tok = tokens[i]
        for key, topic in _PHRASE_KEYS.get(tok, ()):
            if tuple(tokens[i : i + len(key)]) == key:
                found.setdefault(topic, []).append(i)
                matched = True
        topic = _keyword_topic(tok)
        if topic and not matched:
            (weak if tok in WEAK else found).setdefault(topic, []).append(i)
        i += 1
    for topic, positions in weak.items():
        if topic in found or len(positions) > 1 or _weak_confirmed(topic, tokens, positions):
            found.setdefault(topic, []).extend(positions)
    if not found and (_judges(text) if judged is None else judged):
        found["product"] = [0]
    return found


def _judges(text: str) -> bool:
    from .language import detect_language
    from .sentiment import read

    return bool(read(text, detect_language(text)).hits)


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
    found = find_topics(text, judged=bool(reading.hits))
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
