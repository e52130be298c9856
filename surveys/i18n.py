"""Locale choice: the invitation's language on customer pages, Accept-Language elsewhere."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, refresh
from jinja2 import pass_context
from markupsafe import Markup

_CATALOGUES: dict = {}  # babel Locale -> its merged catalogue (Flask-Babel keeps them for the process too)
RENDER_CATALOGUE = "_postventa_catalogue"  # the template variable carrying the render's catalogue


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


def _render_catalogue(context):
    """The catalogue handed to this render (looked up once per page, not once per string);
    a macro imported without context does not see it and looks it up itself."""
    found = context.get(RENDER_CATALOGUE)
    return found if found is not None else _catalogue()


# Jinja's newstyle gettext, in one call instead of three (the ``_`` alias, the newstyle wrapper,
# the catalogue lambda) with the same result: translated, marked safe under autoescape, and always
# %-formatted with its (escaped) variables.
@pass_context
def _gettext(context, string, **variables):
    rv = _render_catalogue(context).ugettext(string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 -- the catalogue is ours; the variables are escaped by %
    return rv % variables


@pass_context
def _ngettext(context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    rv = _render_catalogue(context).ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 -- the catalogue is ours; the variables are escaped by %
    return rv % variables


def install_template_gettext(app) -> None:
    """Templates' _() and ngettext() through the catalogue of the locale in force (same strings,
    same catalogues), looked up once per render."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)

    @app.context_processor
    def _render_catalogue_var():
        return {RENDER_CATALOGUE: _catalogue()}
