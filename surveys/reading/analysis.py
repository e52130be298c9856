"""One reading of a comment: language, sentiment, topics, and the flags that drive recovery.

The same function serves the survey submit path and ``flask --app surveys analyze``.
Pure: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .language import detect_language
from .scoring import is_detractor, is_satisfied, is_unhappy
from .sentiment import confidence_for, label_for, read
from .topics import topic_polarity

HIDDEN_DETRACTOR_POLARITY = -0.45
SCALE_MIXUP_POLARITY = 0.6


@dataclass(frozen=True)
class CommentAnalysis:
    language: str
    polarity: float
    label: str
    confidence: float
    topics: list[str] = field(default_factory=list)
    topic_polarity: dict[str, float] = field(default_factory=dict)
    hard_failure: bool = False

    def as_json(self) -> dict:
        return {
            "language": self.language,
            "label": self.label,
            "polarity": self.polarity,
            "confidence": self.confidence,
            "topics": self.topics,
            "topic_polarity": self.topic_polarity,
            "hard_failure": self.hard_failure,
        }


def analyze_text(text: str, lang: str | None = None, hint: str | None = None) -> CommentAnalysis:
    """Read ``text``; ``lang`` forces the language, ``hint`` (the customer's locale) breaks ties."""
    language = lang or detect_language(text, hint)
    engine_lang = language if language in ("es", "en") else (hint if hint in ("es", "en") else "es")
    reading = read(text, engine_lang)
    polarity = round(reading.polarity, 4)
    per_topic = topic_polarity(text, engine_lang, reading)
    return CommentAnalysis(
        language=language,
        polarity=polarity,
        label=label_for(polarity, engine_lang),
        confidence=confidence_for(polarity, engine_lang, len(reading.hits)),
        topics=list(per_topic),
        topic_polarity=per_topic,
        hard_failure=reading.hard_failure,
    )


def score_flags(nps: int | None, csat: int | None, analysis: CommentAnalysis | None) -> list[str]:
    """Flags from the score and the words together.

    hidden_detractor: a promoter/passive (or CSAT 4-5) whose comment is clearly
    negative or names a hard failure (never arrived, broken, charged twice);
    scale_mixup: a detractor (or CSAT 1-2) writing glowing words and no complaint.
    """
    if analysis is None:
        return []
    flags = []
    happy_score = (nps is not None and not is_detractor(nps)) or (csat is not None and is_satisfied(csat))
    unhappy_score = (nps is not None and is_detractor(nps)) or (csat is not None and is_unhappy(csat))
    if analysis.hard_failure:
        flags.append("hard_failure")
    if happy_score and (analysis.hard_failure or analysis.polarity <= HIDDEN_DETRACTOR_POLARITY):
        flags.append("hidden_detractor")
    if unhappy_score and analysis.polarity >= SCALE_MIXUP_POLARITY and not analysis.hard_failure:
        flags.append("scale_mixup")
    return flags
