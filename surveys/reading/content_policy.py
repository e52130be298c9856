"""The review content policy: what a moderator must look at before a review goes public.

``check(text)`` reads only the words, never the rating, so a one-star and a five-star
review with the same text are flagged the same way (the law forbids holding back low
ratings; see docs/reviews.md). Findings are flags for a person, not silent removals:
a flagged review waits in the moderation queue.

Flags: ``abuse`` (insults, profanity, Spanish and English, leetspeak and elongation
folded), ``personal_data`` (email addresses, phone numbers, street addresses),
``link`` (URLs and bare domains), ``off_topic`` (spam, politics, or text that says
nothing about a product or a purchase), ``markup`` (HTML tags, event handlers, script
URLs: escaped everywhere, but code is not a review to show on a shop's product page).
"""

from __future__ import annotations

import re

from .sentiment import read
from .textnorm import fold, tokenize, unelongate
from .topics import find_topics

FLAGS = ("abuse", "personal_data", "link", "off_topic", "markup")

ABUSE_WORDS = {
    # Spanish (Mexico, Argentina, Spain, Colombia, Chile...)
    "pendejo",
    "pendeja",
    "pendejos",
    "pendejas",
    "pendejada",
    "idiota",
    "idiotas",
    "imbecil",
    "imbeciles",
    "estupido",
    "estupida",
    "estupidos",
    "estupidas",
    "mierda",
    "mierdas",
    "puta",
    "puto",
    "putas",
    "putos",
    "cabron",
    "cabrona",
    "cabrones",
    "gilipollas",
    "pelotudo",
    "pelotuda",
    "pelotudos",
    "culero",
    "culera",
    "culeros",
    "verga",
    "chingada",
    "chingado",
    "chingados",
    "chinguen",
    "hdp",
    "hijueputa",
    "malparido",
    "malparidos",
    "conchudo",
    "conchuda",
    "mamon",
    "mamones",
    "ojete",
    "subnormal",
    "tarado",
    "tarados",
    "retrasado",
    "retrasados",
    "marica",
    "maricon",
    "zorra",
    "perra",
    "carajo",
    "joder",
    "jodido",
    "jodidos",
    "coño",
    "cono",
    # English
    "fuck",
    "fucking",
    "fucked",
    "fucker",
    "motherfucker",
    "shit",
    "shitty",
    "bullshit",
    "asshole",
    "assholes",
    "bitch",
    "bitches",
    "bastard",
    "bastards",
    "idiot",
    "idiots",
    "moron",
    "morons",
    "dumbass",
    "retard",
    "retarded",
    "cunt",
    "dick",
    "wanker",
    "scumbag",
    "scumbags",
}
ABUSE_PHRASES = ("hijo de puta", "hijos de puta", "concha de tu madre", "chinga tu madre", "vete a la",
                 "son of a bitch", "piece of shit", "go to hell")  # fmt: skip
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})

EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\barroba\b)\s*[\w-]+(?:\s*\.\s*[\w-]+)+", re.IGNORECASE)
PHONE = re.compile(r"(?<![\w/.,-])\+?\d[\d ()./-]{6,}\d(?![\w/])")
DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
STREET_ES = re.compile(
    r"\b(?:calle|c/|avenida|av\.?|avda\.?|calzada|privada|cerrada|andador|boulevard|blvd\.?|bulevar|carrera|cra\.?|"
    r"jir[oó]n|pasaje|paseo|camino|diagonal|transversal)\s+[^\W\d_][\w .'-]{1,40}?\s*(?:#|n[°º.]|no\.?|num\.?)?\s*"
    r"\d{1,5}\b",
    re.IGNORECASE,
)
STREET_EN = re.compile(
    r"\b\d{1,5}\s+(?:[A-Za-z]+\s+){1,3}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|"
    r"way|place|pl)\b\.?",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"\b(?:c\.\s?p\.|cp|c[oó]digo postal|zip(?: code)?|apt\.?|apartment|depto\.?|"
                      r"departamento|piso|int\.?|interior|colonia|col\.)\s*#?\s*\d{1,6}\b", re.IGNORECASE)  # fmt: skip
URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]{2,}\.(?:com|net|org|info|biz|io|co|me|ly|shop|store|online|site|xyz|app|"
    r"mx|ar|es|cl|pe|uy|ve|ec|bo|py|cr|gt|us|uk)(?:\.[a-z]{2})?\b(?:/\S*)?",
    re.IGNORECASE,
)
OFF_TOPIC_WORDS = {
    "bitcoin",
    "crypto",
    "cripto",
    "criptomonedas",
    "forex",
    "casino",
    "apuestas",
    "betting",
    "onlyfans",
    "suscribete",
    "subscribe",
    "sigueme",
    "followers",
    "seguidores",
    "elecciones",
    "election",
    "elections",
    "presidente",
    "president",
    "gobierno",
    "government",
    "diputados",
    "senado",
    "congress",
    "politica",
    "politicos",
    "politics",
    "politicians",
}
OFF_TOPIC_PHRASES = ("gana dinero", "ganar dinero", "trabaja desde casa", "trabajo desde casa", "make money",
                     "work from home", "follow me", "check out my", "visita mi", "mi canal", "my channel")  # fmt: skip
MIN_WORDS_FOR_OFF_TOPIC = 8
# A tag needs a letter right after "<" ("<3" and "menos de <200" are not tags); a script-ish
# tag counts even when its ">" was cut off; handlers and script URLs count outside a tag too.
MARKUP = re.compile(
    r"</?[a-z][\w:-]*(?:\s[^<>]*)?/?>|<!--|<\s*/?\s*(?:script|img|svg|iframe|object|embed|style|link|meta|base|form|"
    r"input|body|math|video|audio|details|marquee|a)\b|\bon[a-z]{3,}\s*=|\b(?:java|vb)script\s*:|\bdata\s*:\s*text/html",
    re.IGNORECASE,
)


def check(text: str | None) -> list[str]:
    """Content-policy flags for a review's title and body (sorted, possibly empty)."""
    if not text or not text.strip():
        return []
    found = []
    if _abusive(text):
        found.append("abuse")
    if _personal_data(text):
        found.append("personal_data")
    if URL.search(EMAIL.sub(" ", text)):  # an email address is personal data, not a link
        found.append("link")
    if _off_topic(text):
        found.append("off_topic")
    if MARKUP.search(text):
        found.append("markup")
    return found


def _words(text: str, leet: bool = False) -> list[str]:
    """Folded words plus their de-elongated spellings; ``leet`` reads m1erda as mierda."""
    words = []
    for tok in tokenize(text.translate(LEET) if leet else text):
        if tok[0].isalpha():
            words.append(tok)
            words.extend(unelongate(tok))
    return words


def _abusive(text: str) -> bool:
    words = _words(text) + _words(text, leet=True)
    if any(w in ABUSE_WORDS for w in words):
        return True
    joined = " " + " ".join(words) + " "
    return any(f" {phrase} " in joined for phrase in ABUSE_PHRASES)


def _personal_data(text: str) -> bool:
    if EMAIL.search(text):
        return True
    for match in PHONE.finditer(text):
        raw = match.group(0).strip()
        if sum(ch.isdigit() for ch in raw) >= 8 and not DATE_LIKE.match(raw.replace(" ", "")):
            return True
    return bool(STREET_ES.search(text) or STREET_EN.search(text) or POSTCODE.search(text))


def _off_topic(text: str) -> bool:
    words = _words(text)
    if any(w in OFF_TOPIC_WORDS for w in words):
        return True
    joined = " " + " ".join(fold(w) for w in words) + " "
    if any(f" {phrase} " in joined for phrase in OFF_TOPIC_PHRASES):
        return True
    # A long text with no product, delivery or service topic and no opinion at all.
    if len(words) < MIN_WORDS_FOR_OFF_TOPIC or find_topics(text):
        return False
    lang = "en" if sum(w in {"the", "and", "is", "it", "i", "my", "was"} for w in words) > 1 else "es"
    return not read(text, lang).hits
