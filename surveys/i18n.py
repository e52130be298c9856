"""Locale choice: the invitation's language on customer pages, Accept-Language elsewhere."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_babel import refresh


def select_locale() -> str:
    if g.get("locale"):
        return g.locale
    if has_request_context():
        best = request.accept_languages.best_match(current_app.config["LANGUAGES"])
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def use_locale(lang: str) -> None:
    """Switch the current request to ``lang`` (e.g. the invitation's language)."""
    g.locale = lang
    refresh()
