"""Sentiment of short shop comments in Spanish and English, through TextBlob's API.

Spanish uses ``SpanishAnalyzer``, English ``EnglishAnalyzer``: both are TextBlob
``BaseSentimentAnalyzer`` subclasses over one rule engine (negation scope,
boosters and dampeners, contrast and concession, exclamation, elongation,
emojis, e-commerce phrases, sarcasm before a hard failure). English reuses
TextBlob's own adjective lexicon, extended for shops; Spanish uses the team's
lexicon (lexicons/es.py). Hand-written because no maintained offline Spanish
analyzer with a clear licence exists. Pure: no Flask, no database, no downloads.
"""

from __future__ import annotations

import math
import re
from collections import namedtuple
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from . import learned
from .deletions import DeletionIndex
from .lexicons import en as EN
from .lexicons import es as ES
from .textnorm import fold, is_punct, raw_tokens, tokenize, unelongate

if TYPE_CHECKING:
    from textblob import TextBlob

# Label thresholds on polarity, calibrated by cross-validation on tests/data
# (see docs/sentiment.md and `python -m scripts.evaluate_comments`).
THRESHOLDS = {"es": (-0.35, 0.45), "en": (-0.4, 0.3)}
NORMALIZE_ALPHA = 15.0
TYPO_MIN_LENGTH = 6
LUKEWARM_DAMPING = 0.6  # per lukewarm word, at most twice
MIXED_STRENGTH = 2.0  # both sides at least this strong (one clear opinion word each)
MIXED_DAMPING = 0.6  # how much of the total a perfectly balanced mix loses
NEGATION_FACTOR = -0.7
# pronoun negators negate only the word right after them ("nada bueno", "nothing good")
ADJACENT_NEGATORS = frozenset({"nada", "nadie", "nothing", "nobody", "none"})
# what did not happen is no praise: "would have been perfect", "hubiera sido genial", "I wish"
IRREALIS = frozenset({"wouldve", "couldve", "wish", "wished", "habria", "hubiera", "hubiese", "hubieran", "ojala"})
NEGATED_NEGATIVE_FACTOR = -0.4  # "no es malo" is mildly positive, not glowing
SHRUG_STRENGTH = 2.9  # "nada espectacular" shrugs; "nada recomendable" (weaker praise denied) complains
EMPHATIC_NEGATORS = frozenset({"cero", "nunca", "jamas"})
COMPARATIVES = frozenset({"mejor", "mas", "peor", "better", "more", "worse"})
LACK = frozenset({"falta", "carencia", "ausencia", "lack"})
EMPHATIC_AFTER = frozenset({"un", "una", "uno", "medio", "media", "a", "single"})
MODEL_CONFIDENCE = 0.6  # the learned model's probability needed to move a neutral reading
MODEL_WEIGHT = 0.8  # how far (in polarity) a sure model moves it
MODEL_REACH = 0.7  # never further than this: the model tips a reading, it does not shout

Sentiment = namedtuple("Sentiment", ["polarity", "subjectivity"])


@dataclass
class Hit:
    index: int
    end: int
    score: float
    hard: bool = False
    bait: bool = False
    polite: bool = False  # a courtesy ("gracias", "les agradecería"): not praise in a complaint
    lukewarm: bool = False  # "ok", "normal", "cumple", "nothing special": a three-star word
    inferred: bool = False  # the side a "but" announces when its clause could not be read


@dataclass
class Reading:
    """The engine's full reading of a text (used for topics' per-aspect polarity too)."""

    tokens: list[str]
    hits: list[Hit] = field(default_factory=list)
    total: float = 0.0
    spent: set[int] = field(default_factory=set)  # negators a praise phrase already used ("no me esperaba tanta")

    @property
    def polarity(self) -> float:
        return normalize(self.total)

    @property
    def hard_failure(self) -> bool:
        return any(h.hard for h in self.hits)


def normalize(total: float) -> float:
    return max(-1.0, min(1.0, total / math.sqrt(total * total + NORMALIZE_ALPHA)))


STORY_COMMON = frozenset("el la los las en un una al the for in a to of".split())


class Lexicon:
    """Word, stem and phrase scores for one language, with its modifier words."""

    def __init__(self, words, stems, phrases, module, vocabulary=frozenset()):
        self.words = words
        self.vocabulary = vocabulary  # common words of the language: never "corrected"
        self.stems = stems
        self.phrases: dict[str, list[tuple[tuple[str, ...], float, bool]]] = {}
        for text, (score, hard) in phrases.items():
            key = tuple(tokenize(text))
            self.phrases.setdefault(key[0], []).append((key, score, hard))
        for entries in self.phrases.values():
            entries.sort(key=lambda e: -len(e[0]))
        # words that may sit inside a phrase without breaking it ("no [me] llegó", "llegó [todo] roto")
        self.fillers = {fold(w) for w in module.FILLERS}
        # slot patterns: each slot a set of words (or a class), with up to GAP words of any kind between
        self.patterns: dict[str, list[tuple[tuple[frozenset[str], ...], float, bool]]] = {}
        for text, (score, hard) in module.PATTERNS.items():
            slots = tuple(frozenset(fold(alt) for alt in slot.split("|")) for slot in text.split())
            for first in _expand(slots[0]):
                self.patterns.setdefault(first, []).append((slots, score, hard))
        for entries in self.patterns.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.courtesy = {fold(w) for w in module.COURTESY}
        self.lukewarm = {fold(w) for w in module.LUKEWARM}
        self.negators = {fold(w) for w in module.NEGATORS}
        # Spanish stacks negatives without cancelling them ("no me gusta nada", "no ... para nada")
        self.concord = getattr(module, "NEGATIVE_CONCORD", False)
        self.prefixes = tuple(getattr(module, "INTENSIFYING_PREFIXES", ()))  # "requetebueno", "superrápido"
        self.clitics = tuple(getattr(module, "CLITICS", ()))  # "arruinarme", "rompiéndose": the verb
        self.boosters = {fold(w): v for w, v in module.BOOSTERS.items()}
        self.dampeners = {fold(w): v for w, v in module.DAMPENERS.items()}
        self.contrast = {fold(w) for w in module.CONTRAST_AFTER}
        self.concessive = {fold(w) for w in module.CONCESSIVE}
        self.bait = {fold(w) for w in module.SARCASM_BAIT}
        # "para mi padre": a relative after a possessive, not Mexican "padre" (cool)
        self.family = {fold(w) for w in getattr(module, "FAMILY", ())}
        self.possessives = {fold(w) for w in getattr(module, "POSSESSIVES", ())}
        # "por dentro", "en persona": the clause that names the inside is the verdict
        self.inside = [tuple(tokenize(text)) for text in getattr(module, "INSIDE", ())]
        self.inside_first = {phrase[0] for phrase in self.inside}
        # "pensé que iba a ser": what was expected is no verdict
        self.expect = {fold(w) for w in getattr(module, "EXPECTATION", ())}
        # "al principio ...", "en resumen ...": how a story began, and its verdict
        self.early = [tuple(tokenize(w.replace("_", " "))) for w in getattr(module, "EARLY", ())]
        self.summary = [tuple(tokenize(w.replace("_", " "))) for w in getattr(module, "SUMMARY", ())]
        # a cheap test first: a text with none of their less common words holds neither
        self.story_marks = {w for p in self.early + self.summary for w in p if w not in STORY_COMMON}
        # the sixth pass's rules (praise framing complaints, story weights, a conjunction bounding
        # negation, a count closing a failure, speed praised inside a phrase): Spanish only for now,
        # since the sealed English figures did not rise with them
        self.sixth_pass = getattr(module, "SIXTH_PASS_RULES", False)
        # one-letter typos of longer words ("exelente", "pesimo" without accent is already folded)
        self.deletes = DeletionIndex(w for w in words if len(w) >= TYPO_MIN_LENGTH and "_" not in w)
        self.joins = {}
        for word in [*self.dampeners, *self.contrast, *self.concessive]:
            if "_" in word:
                first, *rest = word.split("_")
                self.joins.setdefault(first, []).append((tuple(rest), word))

    @lru_cache(maxsize=100_000)  # noqa: B019 - lexicons live for the process
    def score(self, word: str) -> float | None:
        """The score of one folded word: exact, elongation-folded, then longest known stem."""
        if word in self.words:
            return self.words[word]
        for variant in unelongate(word):
            if variant in self.words:
                return self.words[variant] * 1.15
        for cut in range(len(word), 3, -1):
            stem = word[:cut]
            if stem in self.stems:
                return self.stems[stem]
        derived = self.derived(word)
        if derived is not None:
            return derived
        return self.typo(word)

    def derived(self, word: str) -> float | None:
        """Regular forms of a known word: plurals (estafas, scams), adverbs (pésimamente,
        beautifully, comfortably) and English comparatives of strong adjectives (cuter, nicest)."""
        if len(word) < 5 or not word.isalpha() or word in NOT_DERIVED:
            return None
        words = self.words
        for clitic in self.clitics:
            rest = word[: -len(clitic)]
            if word.endswith(clitic) and rest.endswith(("ar", "er", "ir", "ando", "iendo")) and rest in words:
                return words[rest]
        for prefix in self.prefixes:  # "rebueno", "superrapido", "requetelindo": the word, stronger
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 4 and abs(words.get(rest, 0.0)) >= 1.2:
                return max(-4.0, min(4.0, words[rest] * 1.3))
        if word.endswith("s") and word[:-1] in words:
            return words[word[:-1]]
        if word.endswith("mente") and word[:-5] in words:
            return words[word[:-5]] * 0.9
        if word.endswith("ly"):
            stem = word[:-2]
            for base in (stem, stem + "e", stem[:-1] + "y", stem + "le", stem[:-1] + "le"):
                if base in words and (base.endswith(("ble", "le")) or base == stem or base[-1] in "ey"):
                    return words[base] * 0.9
        for end in ("est", "er"):
            if word.endswith(end):
                stem = word[: -len(end)]
                for base in (stem, stem + "e", stem[:-1], stem[:-1] + "y" if stem.endswith("i") else ""):
                    if base and abs(words.get(base, 0.0)) >= 1.5:
                        return words[base] * (1.15 if end == "est" else 1.0)
        return None

    def typo(self, word: str) -> float | None:
        """The score of the sentiment word one letter away from ``word``, if ``word`` is no word.

        Only unknown tokens of at least TYPO_MIN_LENGTH letters are corrected, never
        a common word of the language ("estaba" is not "estafa", "wanted" not
        "wasted"), and the first letter must agree (typos rarely hit it).
        """
        if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return None
        match = self.deletes.get(word)  # a letter missing: "exelente"
        if match is None:
            match = next((m for v in _deletions(word) if (m := self.deletes.get(v)) is not None), None)
        if match is None or abs(len(match) - len(word)) > 1 or match[0] != word[0]:
            return None
        return None if word in self.vocabulary else self.words[match] * 0.9  # asked last: a binary search


NUMBER_WORDS = frozenset(
    "un una uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciseis "
    "diecisiete dieciocho diecinueve veinte treinta cuarenta cincuenta sesenta thirteen fourteen sixteen "
    "seventeen eighteen nineteen fifty sixty "
    "varias varios muchas muchos mil a an one two three four five six seven eight nine ten eleven twelve "
    "fifteen twenty thirty forty several many multiple countless".split()
)
TIME_WORDS = frozenset(
    "dia dias semana semanas mes meses hora horas minutos day days week weeks month months hour hours minutes".split()
)
CLASSES = {"<num>": NUMBER_WORDS, "<time>": TIME_WORDS}


def _expand(slot: frozenset[str]) -> set[str]:
    out = set()
    for alt in slot:
        out |= CLASSES.get(alt, {alt})
    return out


def _slot_has(slot: frozenset[str], tok: str) -> bool:
    if tok in slot:
        return True
    if "<num>" in slot and (tok.isdigit() or tok in NUMBER_WORDS):
        return True
    return "<time>" in slot and tok in TIME_WORDS


# Forms that look derived but mean something else ("goods", "later", "latest", "only", "early").
NOT_DERIVED = frozenset(
    "goods later latest longer longest shorter newer newest older oldest sooner only early daily weekly monthly "
    "yearly likely lovely friendly costly timely holly jelly belly reply apply supply ally rally family "
    "finer lesser gracias mas demas adios".split()
)


def _deletions(word: str):
    return (word[:k] + word[k + 1 :] for k in range(len(word)))


def _spanish_forms(adjectives: dict[str, float]) -> dict[str, float]:
    """bueno -> buena/buenos/buenas, buenísimo..., buenito...; feliz -> felices."""
    out: dict[str, float] = {}
    for base, score in adjectives.items():
        base = fold(base)
        forms = {base: score}
        if base.endswith("o"):
            stem = base[:-1]
            forms.update({stem + "a": score, stem + "os": score, stem + "as": score})
            sup = stem[:-1] + "qu" if stem.endswith("c") else stem[:-1] + "gu" if stem.endswith("g") else stem
            for end in ("isimo", "isima", "isimos", "isimas"):
                forms[sup + end] = max(-4.0, min(4.0, score * 1.3))
            for end in ("ito", "ita", "itos", "itas", "illo", "illa", "illos", "illas"):
                forms.setdefault(sup + end, score)  # diminutives: "bonito" -> "bonitito", "malillo"
            for end in ("azo", "aza", "azos", "azas"):
                forms.setdefault(stem + end, max(-4.0, min(4.0, score * 1.2)))  # augmentatives: "rapidazo"
        elif base.endswith("e"):
            forms[base + "s"] = score
            sup = base[:-3] + "bil" if base.endswith("ble") else base[:-1]  # amable -> amabilísimo
            for end in ("isimo", "isima", "isimos", "isimas"):
                forms[sup + end] = max(-4.0, min(4.0, score * 1.3))
        elif base.endswith("z"):
            forms[base[:-1] + "ces"] = score
        elif base[-1] not in "aeiou" and len(base) > 3:
            forms[base + "es"] = score
            forms[base + "a"] = score
            forms[base + "as"] = score
            if base[-1] in "lr":  # "genialísimo", "facilísima", "utilísimo"
                for end in ("isimo", "isima", "isimos", "isimas"):
                    forms[base + end] = max(-4.0, min(4.0, score * 1.3))
        for form, value in forms.items():
            out.setdefault(form, value)
    return out


VERB_ENDINGS = {
    # preterite, present, imperfect, participle (as adjective), gerund; 1st and 3rd person
    "ar": "o aron a an aba aban ado ada ados adas ando e en ar".split(),  # "que se dañe(n)" too
    "er": "io ieron e en ia ian ido ida idos idas iendo i a an er".split(),  # "que se rompa(n)"
    "ir": "io ieron e en ia ian ido ida idos idas iendo i a an ir".split(),
}


def _spanish_verbs(verbs: dict[str, float]) -> dict[str, float]:
    """Regular forms of verbs of what breaks or fails: malograr -> malogró, malograron,
    malogra, malograba, malogrado, malogrando... (accents folded). An entry may list its
    irregular forms after the infinitive ("romper rompio roto rota")."""
    out: dict[str, float] = {}
    for entry, score in verbs.items():
        infinitive, *irregular = fold(entry).split()
        stem, kind = infinitive[:-2], infinitive[-2:]
        for end in VERB_ENDINGS[kind]:
            out.setdefault(stem + end, score)
        for form in irregular:
            out[form] = score
    return out


def _pattern_senses() -> dict[str, dict]:
    """TextBlob's ``textblob.en.sentiment`` lexicon, read from its XML file as TextBlob reads it
    (senses averaged per part of speech, then overall; adjectives give their -ly adverbs),
    without importing TextBlob: that imports all of NLTK, ~17 MB in every web worker."""
    import importlib.util
    import os
    from xml.etree import ElementTree

    def avg(values):
        return sum(values) / float(len(values) or 1)

    (package,) = importlib.util.find_spec("textblob").submodule_search_locations
    words: dict[str, dict] = {}
    # The root's <word> children, read as a stream and dropped once read: the whole tree of a
    # 0.5 MB file would raise a worker's peak memory by a few MB for this one moment.
    path = os.path.join(package, "en", "en-sentiment.xml")
    depth = 0
    for event, w in ElementTree.iterparse(path, events=("start", "end")):  # noqa: S314 - a file TextBlob ships
        depth += 1 if event == "start" else -1
        if event != "end" or depth != 1:
            continue
        if w.tag == "word":
            form, a = w.attrib.get("form"), w.attrib
            if form:
                psi = (float(a.get("polarity", 0.0)), float(a.get("subjectivity", 0.0)), float(a.get("intensity", 1.0)))
                words.setdefault(form, {}).setdefault(a.get("pos"), []).append(psi)
        w.clear()
    for form in words:
        words[form] = {pos: [avg(each) for each in zip(*psi, strict=True)] for pos, psi in words[form].items()}
    for form, pos in list(words.items()):
        words[form][None] = [avg(each) for each in zip(*pos.values(), strict=True)]
    for form, pos in list(words.items()):  # "terrible" -> "terribly"
        if "JJ" in pos:
            form = form[:-1] + "i" if form.endswith("y") else form
            form = form[:-2] if form.endswith("le") else form
            senses = words.setdefault(form + "ly", {})
            senses["RB"] = senses[None] = tuple(pos["JJ"])
    return words


def _textblob_words() -> dict[str, float]:
    """TextBlob's (Pattern's) English adjective lexicon on our -4..4 scale, modifiers left out."""
    words = {}
    for word, senses in _pattern_senses().items():
        polarity, _subjectivity, intensity = senses[None]
        if intensity == 1.0 and abs(polarity) >= 0.1 and " " not in word:
            words[fold(word)] = round(polarity * 3.5, 2)
    return words


class _Vocabulary:
    """A language's common words (lexicons/vocabulary.py), imported by the first typo check that
    asks: the module is 0.9 MB of text, a few MB in a process that compiles it, and most
    comments never reach that check."""

    def __init__(self, name: str):
        self.name = name

    def __contains__(self, word: str) -> bool:
        from .lexicons import vocabulary

        return word in getattr(vocabulary, self.name)


@lru_cache(maxsize=2)
def lexicon(lang: str) -> Lexicon:
    if lang == "en":
        words = {w: v for w, v in _textblob_words().items() if w not in EN.NOT_OPINIONS}
        words.update({fold(w): v for w, v in EN.WORDS.items()})
        return Lexicon(words, {}, EN.PHRASES, EN, _Vocabulary("EN"))
    words = _spanish_forms(ES.ADJECTIVES)
    words.update({fold(w): v for w, v in ES.WORDS.items()})
    for form, value in _spanish_verbs(ES.VERBS).items():
        words.setdefault(form, value)
    return Lexicon(words, {fold(s): v for s, v in ES.STEMS.items()}, ES.PHRASES, ES, _Vocabulary("ES"))


EMOJI_SCORES = {
    "😍": 3.0,
    "🥰": 3.0,
    "😊": 2.2,
    "🙂": 1.2,
    "😀": 2.0,
    "😃": 2.0,
    "😄": 2.2,
    "😁": 2.2,
    "😆": 1.8,
    "🤩": 3.0,
    "😘": 2.4,
    "❤": 3.0,
    "💕": 2.8,
    "💖": 2.8,
    "💯": 2.4,
    "👍": 2.2,
    "👌": 2.2,
    "👏": 2.4,
    "🙌": 2.4,
    "🔥": 1.6,
    "⭐": 1.2,
    "🌟": 1.6,
    "✨": 1.4,
    "🎉": 2.0,
    "😎": 1.6,
    "🤗": 2.2,
    "☺": 2.0,
    "🙏": 1.4,
    "💪": 1.6,
    "🥳": 2.4,
    "😂": 0.6,
    "🤣": 0.6,
    "😡": -3.0,
    "😠": -2.6,
    "🤬": -3.4,
    "😤": -2.2,
    "😞": -2.2,
    "😔": -2.0,
    "😢": -2.2,
    "😭": -2.4,
    "👎": -2.6,
    "😒": -1.8,
    "😕": -1.4,
    "🙁": -1.8,
    "☹": -2.0,
    "💩": -3.0,
    "🤮": -3.2,
    "🤢": -2.8,
    "😑": -1.2,
    "😐": -0.6,
    "😩": -2.4,
    "😫": -2.4,
    "😖": -2.2,
    "😣": -2.0,
    "💔": -2.6,
    "😱": -1.6,
    "🤦": -2.2,
    "🙄": -1.8,
    "😓": -1.6,
    "😰": -1.8,
    ":)": 1.8,
    ":-)": 1.8,
    ":d": 2.2,
    ":-d": 2.2,
    "=)": 1.8,
    ";)": 1.4,
    "<3": 2.6,
    "xd": 1.0,
    ":(": -1.8,
    ":-(": -1.8,
    "=(": -1.8,
    ":/": -1.0,
    ":-/": -1.0,
    ":p": 0.8,
}


def read(text: str, lang: str) -> Reading:
    """Score ``text``: the rules' reading, with the learned model's second opinion on neutral ones."""
    reading = read_rules(text, lang)
    second_opinion(reading, "en" if lang == "en" else "es")
    return reading


def second_opinion(reading: Reading, lang: str) -> None:
    """Move a text the rules read as neutral toward the side the learned model is sure of."""
    model = learned.model(lang)
    if model is None:
        return
    polarity = reading.polarity
    neg_cut, pos_cut = THRESHOLDS[lang]
    if not neg_cut < polarity < pos_cut:
        return
    if any(h.lukewarm for h in reading.hits) or (
        any(h.score >= MIXED_STRENGTH / 2 and not h.inferred for h in reading.hits)
        and any(h.score <= -MIXED_STRENGTH / 2 and not h.inferred for h in reading.hits)
    ):
        return  # a lukewarm word, or praise and complaint together: a three-star text the rules read
    if any(t in lexicon(lang).dampeners for t in reading.tokens):
        return  # "a little tight", "un poco diferente": a mild remark the rules read as mild
    feats = learned.features(reading.tokens, polarity, reading.hard_failure, len(reading.hits))
    p_neg, p_neu, p_pos = model.probabilities(feats)
    shift = p_pos - p_neg
    if max(p_neg, p_pos) < MODEL_CONFIDENCE or p_neu > max(p_neg, p_pos):
        return
    new = polarity + MODEL_WEIGHT * shift
    reading.total = _denormalize(max(-MODEL_REACH, min(MODEL_REACH, new)))


def _denormalize(polarity: float) -> float:
    return polarity * math.sqrt(NORMALIZE_ALPHA) / math.sqrt(1 - polarity * polarity)


def read_rules(text: str, lang: str) -> Reading:
    """Score ``text`` with the ``lang`` lexicon and rules alone; returns the detailed reading."""
    lex = lexicon("en" if lang == "en" else "es")
    tokens = _join(tokenize(text), lex)
    caps = {i for i, t in enumerate(raw_tokens(text)) if len(t) > 2 and t.isupper()}
    reading = Reading(tokens)
    quoted = _quoted(text) if '"' in text or "“" in text or "«" in text else ()
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if is_punct(tok):
            i += 1
            continue
        hit = _longest(_longest(_phrase(tokens, i, lex), _pattern(tokens, i, lex)), _duration(tokens, i))
        if hit is None:
            emoji = EMOJI_SCORES.get(tok.rstrip("\ufe0f").lower())
            if emoji is not None:
                hit = Hit(i, i + 1, emoji)
            elif not _is_modifier_before_scored(tokens, i, lex):
                score = lex.score(tok)
                if score is not None and score != 0:
                    hit = Hit(i, i + 1, score, bait=tok in lex.bait)
        if hit is None:
            i += 1
            continue
        last = tokens[hit.end - 1]
        counted = (last.isdigit() or last in NUMBER_VALUES) and hit.end < n and tokens[hit.end] in COUNTED
        if counted and hit.score < 0 and lex.sixth_pass:
            hit.end += 1  # "stopped working after two weeks": the count closes the failure, it is no new word
        elif counted:
            # "después de diez días", "mi sobrino de diez años": a count, not "de diez" (top marks);
            # the count itself may still be a wait ("llegó después de diez días")
            count_end, hit = hit.end, _duration(tokens, hit.end - 1)
            if hit is None:
                i = count_end
                continue
        if hit.end - hit.index == 1 and tok in lex.family and i > 0 and tokens[i - 1] in lex.possessives:
            i = hit.end  # "para mi padre": a relative, not Mexican "padre" (cool)
            continue
        key = " ".join(tokens[hit.index : hit.end])
        if key in lex.lukewarm and tokens[hit.end - 1] in lex.boosters and _scored_next(tokens, hit.end, lex):
            i = hit.end - 1  # "está bien gacho", "está bien padre": "bien" boosts, it is no shrug
            continue
        hit.bait = hit.bait or tokens[hit.index] in lex.bait  # "excelente servicio: ..."
        hit.polite = hit.polite or key in lex.courtesy
        hit.lukewarm = hit.lukewarm or key in lex.lukewarm
        raw = hit.score
        hit.score = _modify(tokens, hit, lex, reading.spent) * (1.2 if i in caps and lang == "en" else 1.0)
        if hit.score > 0 and hit.end - hit.index > 1:
            reading.spent.update(k for k in range(hit.index, hit.end) if tokens[k] in lex.negators)
        for k in range(hit.index + 1, hit.end - 1):  # "queda [un poco] grande": a dampener inside a pattern
            if tokens[k + 1] not in COMPARATIVES and tokens[k - 1] not in ("ni", "not"):
                # "espero algo mejor" wants more; "no aguanta ni medio día" is no softer either
                hit.score *= 1 + lex.dampeners.get(tokens[k], 0.0)
        if hit.score < 0 and tuple(tokens[hit.end : hit.end + 2]) == ("del", "todo") and _negated(tokens, hit, lex):
            # "la tapa no cierra del todo", "no me convence del todo": not quite, a three-star remark
            hit.score, hit.hard, hit.lukewarm = 0.4 * hit.score, False, True
        if hit.score > 0 < raw and (key in quoted or _denied_after(tokens, hit, lex)):
            # scare quotes ('súper "original"') and a verdict taken back ("de buena calidad no
            # tiene nada", "de original solo tiene el nombre"): the praise is denied
            hit.score, hit.bait = -0.8 * hit.score, False
        reading.hits.append(hit)
        i = hit.end
    _spent_negators(reading, lex)
    _hasty_failures(reading, lex)
    _expectations(reading, lex)
    _conditional_irony(reading, lex)
    _contradicted_speed(reading, lex)
    _weigh_clauses(reading, lex)
    if lex.sixth_pass:
        _weigh_narrative(reading, lex)
        _framing_irony(reading, lex)
    _sarcasm(reading, lex)
    _courtesy(reading)
    total = _balance(reading)
    bangs = min(tokens.count("!"), 4)
    if total and bangs:
        total += math.copysign(0.29 * bangs, total)
    reading.total = total
    return reading


_QUOTED = re.compile(r'["“«]\s*([^"”»,.;!?]{1,30}?)\s*["”»]')
DENIALS = (
    ("no", "tiene", "nada"),
    ("no", "tenia", "nada"),
    ("solo", "tiene", "el"),
    ("nada", "de", "nada"),
    ("para", "nada"),  # "buenísimo para nada": good for nothing
    ("for", "nothing"),
)


def _quoted(text: str) -> set[str]:
    """Words of one to three in quotation marks: praise written that way is ironic."""
    out = set()
    for m in _QUOTED.finditer(text):
        words = tokenize(m.group(1))
        if 0 < len(words) <= 3:
            out.add(" ".join(words))
    return out


def _negated(tokens: list[str], hit, lex) -> bool:
    return any(t in lex.negators for t in tokens[max(0, hit.index - 2) : hit.end])


def _denied_after(tokens: list[str], hit: Hit, lex) -> bool:
    end = hit.end
    if tuple(tokens[end : end + 3]) in DENIALS:
        return True
    # "buenísimo para nada": one praise word, itself not negated ("no me arrepiento para nada" is praise)
    return tuple(tokens[end : end + 2]) in DENIALS and hit.end - hit.index == 1 and not _negated(tokens, hit, lex)


def _scored_next(tokens: list[str], end: int, lex) -> bool:
    return end < len(tokens) and not is_punct(tokens[end]) and (lex.score(tokens[end]) or 0) != 0


def _join(tokens: list[str], lex: Lexicon) -> list[str]:
    """Fuse multiword modifiers ('sin embargo' -> 'sin_embargo', 'a bit' -> 'a_bit')."""
    out, i = [], 0
    while i < len(tokens):
        for rest, joined in lex.joins.get(tokens[i], ()):
            if tuple(tokens[i + 1 : i + 1 + len(rest)]) == rest:
                out.append(joined)
                i += 1 + len(rest)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def _phrase(tokens, i, lex) -> Hit | None:
    """The longest phrase starting at ``i``: exact first, then with filler words inside."""
    entries = lex.phrases.get(tokens[i], ())
    for key, score, hard in entries:
        if tuple(tokens[i : i + len(key)]) == key:
            return Hit(i, i + len(key), score, hard=hard, bait=" ".join(key) in lex.bait)
    ahead = tokens[i + 1 : i + 4]
    for key, score, hard in entries:
        if len(key) > 1 and key[1] in ahead:
            end = _gapped(tokens, i, key, lex.fillers)
            if end:
                return Hit(i, end, score, hard=hard, bait=" ".join(key) in lex.bait)
    return None


NUMBER_VALUES = {
    "un": 1, "una": 1, "uno": 1, "a": 1, "an": 1, "one": 1, "dos": 2, "two": 2, "tres": 3, "three": 3,
    "cuatro": 4, "four": 4, "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7, "ocho": 8,
    "eight": 8, "nueve": 9, "nine": 9, "diez": 10, "ten": 10, "quince": 15, "fifteen": 15, "veinte": 20,
    "twenty": 20, "treinta": 30, "thirty": 30, "varias": 3, "varios": 3, "several": 3, "muchas": 5,
    "muchos": 5, "many": 5, "once": 11, "eleven": 11, "doce": 12, "twelve": 12, "trece": 13, "thirteen": 13,
    "catorce": 14, "fourteen": 14, "dieciseis": 16, "sixteen": 16, "diecisiete": 17, "seventeen": 17,
    "dieciocho": 18, "eighteen": 18, "diecinueve": 19, "nineteen": 19, "cuarenta": 40, "forty": 40,
    "cincuenta": 50, "fifty": 50, "sesenta": 60, "sixty": 60,
}  # fmt: skip
COUNTED_EXTRA = frozenset("ano anos year years cuadras blocks km kilometros metros kilos veces times".split())
UNIT_DAYS = {
    "hora": 1 / 24, "horas": 1 / 24, "hour": 1 / 24, "hours": 1 / 24, "dia": 1, "dias": 1, "day": 1,
    "days": 1, "semana": 7, "semanas": 7, "week": 7, "weeks": 7, "mes": 30, "meses": 30, "month": 30,
    "months": 30,
}  # fmt: skip
COUNTED = frozenset(UNIT_DAYS) | COUNTED_EXTRA
ARRIVAL = frozenset(
    "llego llegaron llega recibi recibimos entregaron entrego tardo tardaron demoro demoraron tarda envio entrega "
    "despacho delivery shipping "
    "arrived came received delivered took takes got shipped".split()
)


LATE = frozenset("late tarde retraso atraso demora despues later after mas more extra early antes".split())
DELAYED = frozenset("late tarde despues later after".split())
REFERENCE_POINT = frozenset("de del of the than".split())  # "dos días después de pagar": when, not how late


def _duration(tokens, i) -> Hit | None:
    """'llegó en 2 días' is praise, 'tardó tres semanas' a complaint: the number decides."""
    if i + 1 >= len(tokens) or tokens[i + 1] not in UNIT_DAYS:
        return None
    tok = tokens[i]
    count = int(tok) if tok.isdigit() and len(tok) < 4 else NUMBER_VALUES.get(tok)
    if count is None or not any(t in ARRIVAL for t in tokens[max(0, i - 4) : i]):
        return None
    after = tokens[i + 2 : i + 4]
    if any(t in LATE for t in after):  # "a day late", "un día de retraso": the delay, not the time
        if after[0] in DELAYED and not (len(after) > 1 and after[1] in REFERENCE_POINT):
            return Hit(i, i + 3, -2.2)  # "llegó tres días después", "arrived two days later"
        return None
    days = count * UNIT_DAYS[tokens[i + 1]]
    if days <= 2:
        score = 2.2
    elif days <= 4:
        score = 1.0
    elif days < 10:
        return None
    else:
        score = -2.2 if days < 20 else -2.8
    return Hit(i, i + 2, score)


def _longest(a: Hit | None, b: Hit | None) -> Hit | None:
    if a is None or b is None:
        return a or b
    return b if b.end > a.end else a


def _gapped(tokens, i, key, fillers, gap: int = 2) -> int:
    """End of ``key`` matched from ``i`` with up to ``gap`` filler words before each word, else 0."""
    j, n = i + 1, len(tokens)
    for word in key[1:]:
        skipped = 0
        while j < n and tokens[j] != word and tokens[j] in fillers and skipped < gap:
            j += 1
            skipped += 1
        if j >= n or tokens[j] != word:
            return 0
        j += 1
    return j


def _pattern(tokens, i, lex, gap: int = 3) -> Hit | None:
    """Slot patterns ("llamé ... varias veces", "don't ... buy"): any words but punctuation between slots."""
    for slots, score, hard in lex.patterns.get(tokens[i], ()):
        j, n = i + 1, len(tokens)
        for slot in slots[1:]:
            limit = min(n, j + gap + 1)
            while j < limit and not _slot_has(slot, tokens[j]) and not is_punct(tokens[j]):
                j += 1
            if j >= limit or not _slot_has(slot, tokens[j]):
                break
            j += 1
        else:
            return Hit(i, j, score, hard=hard)
    return None


def _is_modifier_before_scored(tokens, i, lex) -> bool:
    """'bien rico', 'super rápido': a booster that is also a word only boosts."""
    if tokens[i] not in lex.boosters or i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    return lex.score(nxt) is not None or nxt in lex.boosters


def _modify(tokens, hit: Hit, lex, spent: set[int] = frozenset()) -> float:
    """Apply boosters, dampeners and negation found up to three words before the hit."""
    score = hit.score
    negated = False
    emphatic = False  # "ni un fallo", "cero problemas": the failure denied outright
    irrealis = False
    words = 0
    inner_negator = any(t in lex.negators for t in tokens[hit.index : hit.end])
    for j in range(hit.index - 1, max(hit.index - 7, -1), -1):
        tok = tokens[j]
        if is_punct(tok) or tok in lex.contrast or tok in lex.concessive:
            break
        if tok in CONJUNCTIONS and hit.end - hit.index > 1 and lex.sixth_pass:
            break  # "no se reflejó y cancelaron mi pedido": a new fact, not negated by the one before
        if tok in IRREALIS or tok == "have" and j > 0 and tokens[j - 1] in {"would", "could", "should"}:
            irrealis = True  # "would have been five stars if...", "hubiera sido perfecto"
        if tok not in lex.fillers:
            words += 1
            if words > 3:
                break
        if tok == "de" and j > 0 and tokens[j - 1] in lex.boosters and j == hit.index - 1:
            continue  # "burda de bueno", "bien de bonito": the booster reaches over "de"
        if tok in lex.boosters and (lex.score(tok) is None or j == hit.index - 1 or tokens[j + 1] == "de"):
            score *= 1 + lex.boosters[tok]
        elif tok in lex.dampeners:
            if tok in ("poco", "apenas") and score > 0 and j == hit.index - 1:
                score = -1.1 * score  # "poco útil" says "useless", more than "no útil"
            else:
                score *= 1 + lex.dampeners[tok]
        elif tok in lex.negators and j in spent:
            continue
        elif tok in lex.negators and not (hit.end - hit.index > 1 and tokens[hit.index] in lex.negators):
            if tok in ADJACENT_NEGATORS and j != hit.index - 1:
                continue  # "no hicieron nada cuando reclamamos": "nada" closes its own phrase
            if lex.concord and inner_negator:
                continue  # "no es para nada": the phrase already holds the negation
            if tok in EMPHATIC_NEGATORS or tokens[j + 1] in EMPHATIC_AFTER or _emphatic_after(tokens, hit.end):
                emphatic = True
            negated = True if lex.concord else not negated
    if score > 0 and _lacking(tokens, hit.index):
        negated = True  # "falta de seriedad", "falta de profesionalismo y de seriedad", "lack of care"
    if irrealis and score > 0 and not negated:
        score, hit.lukewarm = -0.3 * score, True
    if negated and score >= SHRUG_STRENGTH and hit.index > 0 and tokens[hit.index - 1] in ADJACENT_NEGATORS:
        # "nada espectacular", "nothing special": a three-star shrug, not a complaint
        # ("nada recomendable", "nada amable" deny plain praise: a complaint)
        score, hit.lukewarm, negated = -0.3, True, False
    if negated and emphatic and score < 0 and hit.end - hit.index == 1:
        # "ni un fallo", "cero problemas", "ni un rasguño": no failure at all is praise
        return -1.1 * score
    if negated:
        # "no excelente" is lukewarm, not damning: strong praise negates to a mild negative
        score = NEGATION_FACTOR * min(score, 2.2) if score > 0 else NEGATED_NEGATIVE_FACTOR * score
        hit.hard = False
    return score


def _emphatic_after(tokens: list[str], end: int) -> bool:
    """'no hay queja alguna', 'no falla nunca': a second negative after the word makes it absolute."""
    return end < len(tokens) and tokens[end] in EMPHATIC_POST


EMPHATIC_POST = frozenset({"alguna", "alguno", "nunca", "jamas", "ever"})
CONJUNCTIONS = frozenset({"y", "e", "and"})


def _lacking(tokens: list[str], index: int) -> bool:
    """A "falta de" / "lack of" at most five words back, in the same clause."""
    for m in range(index - 2, max(index - 7, -1), -1):
        if is_punct(tokens[m]):
            return False
        if tokens[m] in LACK and tokens[m + 1] in ("de", "of"):
            return True
    return False


def _spent_negators(reading: Reading, lex) -> None:
    """'Nunca tuve problemas': a negator that negates the word after it is no complaint of its own."""
    tokens = reading.tokens
    for before, hit in zip(reading.hits, reading.hits[1:]):  # noqa: B905 - neighbours
        if before.end - before.index == 1 and tokens[before.index] in lex.negators and before.score < 0:
            gap = tokens[before.end : hit.index]
            if len(gap) <= 3 and not any(is_punct(t) for t in gap):
                before.score = 0.0


def _hasty_failures(reading: Reading, lex) -> None:
    """'se malogró al toque', 'broke right away': speed after a failure makes it worse, it is no praise."""
    tokens = reading.tokens
    for before, hit in zip(reading.hits, reading.hits[1:]):  # noqa: B905 - neighbours
        key = " ".join(tokens[hit.index : hit.end])
        same_clause = not any(is_punct(t) for t in tokens[before.end : hit.index])
        if before.score < 0 < hit.score and key in SPEED and same_clause:
            before.score *= 1.2
            hit.score = 0.0


SPEED = frozenset(
    "al toque|al tiro|altiro|enseguida|en seguida|rapido|rapidisimo|de inmediato|inmediatamente|pronto|volando|"
    "quickly|fast|right away|immediately|soon|in no time".split("|")
)


SENTENCE_ENDS = frozenset({".", "!", "?", ";"})
CONDITIONAL = frozenset({"si", "if"})
# what a conditional says the buyer must want or bear: "si te gusta esperar", "si no te importa"
DESIRE = frozenset(
    "gusta gustan encanta encantan quieres queres quiere quieren quereis buscas busca buscan buscais importa "
    "importan sobra sobran tienes tenes tiene teneis like love enjoy want wants mind".split()
)
PATIENCE = frozenset(
    "esperar espera esperas paciencia aguantar aguantas bancar bancarte tardar wait waiting patience".split()
)
WHAT = (("lo", "que"), ("what",))


def _conditional_irony(reading: Reading, lex) -> None:
    """Praise made conditional on wanting the failure is a complaint: 'súper recomendable si te
    gusta esperar un mes', 'ideal si lo que buscas es que se despegue', 'great if you enjoy waiting'.

    The praise, then 'si'/'if' within two words, then a verb of wanting or bearing; it is irony
    when what is wanted is put as "lo que ... es", or the rest of the sentence holds a complaint,
    a count of time or patience. "Recomendable si te gustan los colores vivos" stays praise.
    """
    tokens, n = reading.tokens, len(reading.tokens)
    for h in reading.hits:
        if h.score <= 0:
            continue
        cond = next((j for j in range(h.end, min(n, h.end + 3)) if tokens[j] in CONDITIONAL), None)
        if cond is None or any(t in lex.contrast for t in tokens[h.end : cond]):
            continue
        end = next((m for m in range(cond + 1, n) if tokens[m] in SENTENCE_ENDS), n)
        window = tokens[cond + 1 : min(end, cond + 6)]
        if not any(t in DESIRE for t in window):
            continue
        what = any(tuple(window[k : k + len(w)]) == w for w in WHAT for k in range(3))
        rest = tokens[cond + 1 : end]
        complaint = any(o.score < 0 and cond < o.index < end for o in reading.hits)
        waiting = any(t in PATIENCE or t in TIME_WORDS for t in rest)
        if what or complaint or waiting:
            h.score, h.bait = -0.8 * abs(h.score), False
            for o in reading.hits:  # "si te gusta ...": the liking is the irony's, not the buyer's
                if cond < o.index < end and o.score > 0:
                    o.score = 0.0


def _inside_turn(tokens: list[str], lex) -> int | None:
    """Where the clause naming the inside ("por dentro", "lo de adentro", "en persona") starts."""
    if not lex.inside_first.intersection(tokens):
        return None
    for m in range(len(tokens) - 1, 0, -1):
        if tokens[m] in lex.inside_first and any(tuple(tokens[m : m + len(p)]) == p for p in lex.inside):
            start = m
            while start > 0 and not is_punct(tokens[start - 1]) and tokens[start - 1] not in lex.contrast:
                start -= 1
            return start if start > 0 else None
    return None


def _expectations(reading: Reading, lex) -> None:
    """'Pensé que iba a ser chafa, pero...': what the buyer expected, in its clause, is no verdict."""
    tokens = reading.tokens
    for k, tok in enumerate(tokens):
        if tok not in lex.expect or k + 1 >= len(tokens) or tokens[k + 1] not in ("que", "that"):
            continue
        denier = next((m for m in range(k - 1, max(k - 3, -1), -1) if tokens[m] in lex.negators), None)
        if denier is not None:
            # "jamás pensé que fuera tan buena", "never thought it would be this good": a surprise,
            # the verdict after it stands and the negator denies only the expectation
            for h in reading.hits:
                if h.index == denier and h.end == denier + 1:
                    h.score = 0.0
            continue
        end = next(
            (m for m in range(k + 1, len(tokens)) if is_punct(tokens[m]) or tokens[m] in lex.contrast),
            len(tokens),
        )
        for h in reading.hits:
            if k < h.index < end and not h.hard:
                h.score = 0.0


def _contradicted_speed(reading: Reading, lex) -> None:
    """'Rapidísimo el envío: solo tres semanas': praise of speed beside a long wait is irony."""
    tokens = reading.tokens
    late = any(h.score < 0 and any(t in UNIT_DAYS for t in tokens[h.index : h.end]) for h in reading.hits)
    if not late:
        return
    for h in reading.hits:
        if h.score <= 0:
            continue
        words = tokens[h.index : h.end]
        key = " ".join(words)
        if (
            key in SPEED
            or key in SPEED_PRAISE
            or lex.sixth_pass
            and any(t in SPEED or t in SPEED_PRAISE for t in words)
        ):
            # "súper rápido el envío" too: speed praised inside a longer phrase
            h.score = -0.4 * abs(h.score)


SPEED_PRAISE = frozenset("rapidisimo rapidisima rapida rapidos rapidas rapidez veloz express expres fast".split())


def _weigh_clauses(reading: Reading, lex) -> None:
    """After 'pero'/'but' the clause weighs more; a concession ('aunque ...') weighs less."""
    tokens = reading.tokens
    contrast = [k for k, t in enumerate(tokens) if t in lex.contrast]
    inside = _inside_turn(tokens, lex)
    if inside is not None and any(h.index < inside for h in reading.hits) and (not contrast or inside > contrast[-1]):
        contrast.append(inside)
    if contrast:
        k = contrast[-1]
        for h in reading.hits:
            h.score *= 0.5 if h.index < k else 1.5
        before = sum(h.score for h in reading.hits if h.index < k)
        words_after = sum(1 for t in tokens[k + 1 :] if not is_punct(t))
        if before and words_after >= 3 and not any(h.index > k for h in reading.hits):
            # "but" announces the other side even when we cannot read it: a three-star text;
            # after praise of the outside, the inside ("por dentro es una pichirrez") is the verdict
            weight = -1.6 if inside is not None and before > 0 else -0.8
            reading.hits.append(Hit(k, k + 1, weight * before, inferred=True))
    for k, tok in enumerate(tokens):
        if tok not in lex.concessive:
            continue
        end = next((m for m in range(k + 1, len(tokens)) if tokens[m] in {",", ".", ";", "!", "?"}), len(tokens))
        for h in reading.hits:
            if k < h.index < end:
                h.score *= 0.5


def _sarcasm(reading: Reading, lex) -> None:
    """Praise that is not: 'Genial, llegó roto', 'Great, another week of waiting', 'qué maravilla de servicio'.

    A praise interjection reads as a complaint when a hard failure follows it with no
    contrast between, or when it opens the text (followed by punctuation) or sits in an
    exclamation ("qué ... de", "what a", "vaya", "menudo") and everything else said is
    a complaint.
    """
    tokens = reading.tokens
    hard = [h.index for h in reading.hits if h.hard]
    opening = 0  # where the opening run of praise ends ("Lindo, lindo...", "Genial, genial.")
    for h in reading.hits:
        first = all(is_punct(t) for t in tokens[opening : h.index])
        if h.score <= 0:
            continue
        exclaims = h.index > 0 and tokens[h.index - 1] in IRONY_OPENERS
        if first and _clause_ends(tokens, h.end):
            opening = h.end
        if not h.bait and first and _clause_ends(tokens, h.end) and hard:
            # "Lindo, lindo... al segundo lavado se despegó": praise alone opening a text whose
            # every other remark is a failure, with no "pero", is read as bait too
            h.bait = not any(t in lex.contrast or t in lex.concessive for t in tokens)
        # "¡Qué padre!, llegó sin el cargador": an exclamation of praise opening a text of complaints
        opening_exclaim = (
            exclaims
            and all(is_punct(t) for t in tokens[opening : h.index - 1])
            and _clause_ends(tokens, h.end, slack=3)
        )
        if not (h.bait or opening_exclaim or exclaims and h.end < len(tokens) and tokens[h.end] == "de"):
            continue
        if h.bait and _scorned_in_clause(reading, h, lex):
            # "excelente manera de perder clientes", "felicitaciones por el peor servicio"
            h.score = -0.4 * abs(h.score)
            continue
        if h.bait and any(h.index < k for k in hard):
            between = tokens[h.index : min(k for k in hard if k > h.index)]
            if not any(t in lex.contrast for t in between):
                h.score = -0.4 * abs(h.score)
                continue
        others = [o for o in reading.hits if o is not h and o.index > h.index]
        if not others or any(t in lex.contrast for t in tokens) or sum(o.score for o in others) > -2.0:
            continue
        if any(o.score > 0 and not o.polite for o in reading.hits if o is not h):
            continue
        opens = h.bait and first and _clause_ends(tokens, h.end)
        if opens or exclaims:
            h.score = -0.4 * abs(h.score)


def _weigh_narrative(reading: Reading, lex) -> None:
    """Long reviews told as a story: how it began is no verdict, the summary is.

    A sentence that opens with an early time ("al principio", "los primeros días", "at
    first") weighs half, like a concession; after a summary marker ("en resumen", "en
    definitiva", "in short", "all in all") the text weighs 1.5x and before it half; in a
    text of four sentences or more the last sentence that holds an opinion is the verdict (1.5x).
    """
    tokens = reading.tokens
    if not reading.hits:
        return
    n = len(tokens)
    if not lex.story_marks.isdisjoint(tokens):
        for k, size in _occurrences(tokens, lex.early):
            end = next((m for m in range(k + size, n) if tokens[m] in SENTENCE_ENDS), n)
            for h in reading.hits:
                if k + size <= h.index < end and h.score > 0:
                    h.score *= 0.5
        summary = [k + size - 1 for k, size in _occurrences(tokens, lex.summary)]
        if summary and any(h.index > max(summary) for h in reading.hits):
            k = max(summary)
            for h in reading.hits:
                h.score *= 1.5 if h.index > k else 0.5
            return
    if sum(tokens.count(mark) for mark in SENTENCE_ENDS) < 3:
        return
    starts = [0] + [m + 1 for m, t in enumerate(tokens) if t in SENTENCE_ENDS and m + 1 < n]
    starts = [m for m in starts if m < n and not is_punct(tokens[m])]
    if len(starts) >= 4:
        last = max((h for h in reading.hits if h.score), key=lambda h: h.index, default=None)
        if last is not None:
            begin = max(m for m in starts if m <= last.index)
            if begin > 0:
                for h in reading.hits:
                    if h.index >= begin:
                        h.score *= 1.5


def _occurrences(tokens: list[str], phrases: list[tuple[str, ...]]):
    """(start, length) of each phrase found in ``tokens``."""
    for phrase in phrases:
        size = len(phrase)
        for k in range(len(tokens) - size + 1):
            if tokens[k] == phrase[0] and tuple(tokens[k : k + size]) == phrase:
                yield k, size


def _framing_irony(reading: Reading, lex) -> None:
    """Praise that frames a complaint: "Muy amables, me colgaron tres veces", "... Aplausos.", "... Love it."

    Praise alone in a short opening clause or a short closing sentence, around a body
    whose every opinion is a complaint (a failure fact or a clear complaint), with no
    "pero"/"aunque" anywhere, is irony: the praise turns into complaint.
    """
    tokens = reading.tokens
    hits = reading.hits
    if len(hits) < 2 or not any(h.score > 0 for h in hits) or not any(h.score < 0 for h in hits):
        return
    if not (lex.contrast.isdisjoint(tokens) and lex.concessive.isdisjoint(tokens)):
        return
    n = len(tokens)
    first_mark = next((m for m in range(n) if tokens[m] in CLAUSE_MARKS), n)
    ends = [m for m in range(n - 1) if tokens[m] in SENTENCE_ENDS and not is_punct(tokens[m + 1])]
    last_start = ends[-1] + 1 if ends else n
    opening = first_mark < n and sum(1 for t in tokens[:first_mark] if not is_punct(t)) <= 5
    closing = sum(1 for t in tokens[last_start:] if not is_punct(t)) <= 5
    first_end = next((m for m in range(n) if tokens[m] in SENTENCE_ENDS), n)
    if (
        first_end < n
        and sum(1 for t in tokens[:first_end] if not is_punct(t)) <= 5
        and all(h.score > 0 for h in reading.hits if h.index < first_end)
    ):
        first_mark, opening = first_end, True  # "Wow, amazing quality. The strap broke the first day."
    frame, body = [], []
    for h in reading.hits:
        if h.polite and h.score == 0:
            continue
        framing = (opening and h.end <= first_mark) or (closing and h.index >= last_start and last_start < n)
        if framing and (
            h.lukewarm or h.score < 0 and not any(t in SPEED or t in SPEED_PRAISE for t in tokens[h.index : h.end])
        ):
            # "It's okay, not sure I'd buy it again", "Great screen, awful speakers": a shrug or a
            # complaint in the frame says the praise is meant (only speed belied by a wait is not)
            return
        (frame if framing and h.score > 0 else body).append(h)
    if not frame or not body or max(h.score for h in frame) < 1.0 or any(h.score > 0 for h in body):
        return
    complaint = sum(h.score for h in body)
    bait = any(h.bait for h in frame)
    if not (any(h.hard for h in body) or complaint <= -2.5 or bait and complaint <= -1.5):
        return
    for h in frame:
        h.score, h.bait = -0.4 * abs(h.score), False


def _scorned_in_clause(reading: Reading, h: Hit, lex) -> bool:
    """Praise bait followed, in its own clause and with no contrast, by a strong complaint."""
    tokens = reading.tokens
    for o in reading.hits:
        if o.index <= h.index:
            continue
        between = tokens[h.end : o.index]
        if any(is_punct(t) or t in lex.contrast or t in lex.concessive for t in between):
            return False
        if o.score <= -2.0:
            return True
    return False


def _clause_ends(tokens: list[str], end: int, slack: int = 1) -> bool:
    """The praise is the whole opening clause: punctuation at most ``slack`` words after it."""
    return any(k < len(tokens) and tokens[k] in CLAUSE_MARKS for k in range(end, end + slack + 1))


CLAUSE_MARKS = frozenset({",", ".", "!", "…", ":", ";"})
IRONY_OPENERS = frozenset({"que", "vaya", "menudo", "menuda", "what", "such", "valiente", "flor"})


def _courtesy(reading: Reading) -> None:
    """Greetings and requests are manners, not praise; thanks in a complaint is manners too."""
    complaint = any(h.hard or h.score <= -1.5 for h in reading.hits if not h.polite)
    for h in reading.hits:
        if h.polite and (complaint or h.score == 0):
            h.score = 0.0


def _balance(reading: Reading) -> float:
    """The total, pulled toward zero when the text is lukewarm or mixed (a three-star text).

    Lukewarm words ("ok", "normal", "cumple", "nothing special") damp everything else;
    strong praise and strong complaint together, neither clearly larger, cancel more than
    their sum says.
    """
    total = sum(h.score for h in reading.hits)
    if not reading.hits or any(h.hard for h in reading.hits):
        return total
    lukewarm = sum(1 for h in reading.hits if h.lukewarm)
    if lukewarm:
        total *= LUKEWARM_DAMPING ** min(lukewarm, 2)
    pos = sum(h.score for h in reading.hits if h.score > 0)
    neg = -sum(h.score for h in reading.hits if h.score < 0)
    if min(pos, neg) >= MIXED_STRENGTH:
        total *= 1 - MIXED_DAMPING * min(pos, neg) / max(pos, neg)
    return total


def label_for(polarity: float, lang: str) -> str:
    neg, pos = THRESHOLDS.get(lang, THRESHOLDS["es"])
    if polarity <= neg:
        return "negative"
    if polarity >= pos:
        return "positive"
    return "neutral"


def confidence_for(polarity: float, lang: str, evidence: int) -> float:
    """0..1: how far the polarity sits from the label boundaries, times how much was read."""
    neg, pos = THRESHOLDS.get(lang, THRESHOLDS["es"])
    label = label_for(polarity, lang)
    if label == "positive":
        margin = (polarity - pos) / (1 - pos)
    elif label == "negative":
        margin = (neg - polarity) / (1 + neg)
    else:
        margin = min(polarity - neg, pos - polarity) / ((pos - neg) / 2)
    weight = 1 - 0.5 ** (evidence + (1 if label == "neutral" else 0))
    return round(max(0.05, min(1.0, (0.5 + 0.5 * margin) * weight)), 3)


def _analyzers() -> dict:
    """TextBlob analyzers over the rule engine, made on first use: TextBlob imports NLTK."""
    from textblob.base import BaseSentimentAnalyzer

    class _RuleAnalyzer(BaseSentimentAnalyzer):
        """``analyze`` returns Sentiment(polarity, subjectivity)."""

        lang = "es"

        def analyze(self, text: str) -> Sentiment:
            reading = read(text, self.lang)
            words = sum(1 for t in reading.tokens if not is_punct(t)) or 1
            return Sentiment(round(reading.polarity, 4), round(min(1.0, len(reading.hits) / words * 2), 4))

    class SpanishAnalyzer(_RuleAnalyzer):
        lang = "es"

    class EnglishAnalyzer(_RuleAnalyzer):
        lang = "en"

    for cls in (_RuleAnalyzer, SpanishAnalyzer, EnglishAnalyzer):
        cls.__module__ = __name__
    return {"SpanishAnalyzer": SpanishAnalyzer, "EnglishAnalyzer": EnglishAnalyzer,
            "ANALYZERS": {"es": SpanishAnalyzer(), "en": EnglishAnalyzer()}}  # fmt: skip


def __getattr__(name: str):  # SpanishAnalyzer, EnglishAnalyzer, ANALYZERS: made when first named
    if name in ("SpanishAnalyzer", "EnglishAnalyzer", "ANALYZERS"):
        globals().update(_analyzers())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def blob(text: str, lang: str) -> TextBlob:
    """A TextBlob whose ``.sentiment`` uses our analyzer for ``lang``."""
    from textblob import TextBlob

    analyzers = globals().get("ANALYZERS") or __getattr__("ANALYZERS")
    return TextBlob(text, analyzer=analyzers["en" if lang == "en" else "es"])
