"""Locale choice: the invitation's language on customer pages, Accept-Language elsewhere."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, refresh

_CATALOGUES: dict = {}  # babel Locale -> its merged catalogue (Flask-Babel keeps them for the process too)


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


def _catalogue():
    """The catalogue of the locale in force (force_locale included), looked up by the Locale
    itself; Flask-Babel's own lookup resolves the domain and renders the locale as a string
    on every translated string of a page."""
    locale = get_locale()
    found = _CATALOGUES.get(locale)
    if found is None:
        found = get_translations()
        if locale is not None:
            _CATALOGUES[locale] = found
    return found


def install_template_gettext(app) -> None:
    """Templates' _() and ngettext() through ``_catalogue`` (same strings, same catalogues)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )
