"""Locale choice: the invitation's language on customer pages, Accept-Language elsewhere."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, refresh
from jinja2 import pass_eval_context
from markupsafe import Markup

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
    """Switch the current request to ``lang`` (e.g. the invitation's language). Flask-Babel's
    refresh only when it has chosen something already in this request: otherwise the choice is
    made when a string first needs it, and refresh would only build its empty state."""
    g.locale = lang
    if "_flask_babel" in g:
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


# Jinja's newstyle gettext, in one call instead of three (the ``_`` alias, the newstyle wrapper,
# the catalogue lambda) with the same result: translated, marked safe under autoescape, and always
# %-formatted with its (escaped) variables. The functions take Jinja's evaluation context, not the
# template context: for a ``pass_context`` function called inside a loop or after a ``{% set %}``
# (most strings of a form) Jinja copies the whole template context on every call.
def _template_gettext(catalogue=None) -> dict:
    """``_``, ``gettext`` and ``ngettext`` for templates: through ``catalogue``, or (None) through
    the catalogue of the locale in force, looked up on each call."""

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        rv = (_catalogue() if catalogue is None else catalogue).ugettext(string)
        if eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 -- the catalogue is ours; the variables are escaped by %
        return rv % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, **variables):
        variables.setdefault("num", num)
        rv = (_catalogue() if catalogue is None else catalogue).ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 -- the catalogue is ours; the variables are escaped by %
        return rv % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


_BOUND: dict = {}  # babel Locale -> the template callables bound to its catalogue


def _render_gettext() -> dict:
    """The callables bound to the catalogue of the locale in force, handed to each render (one
    lookup per page, not per string)."""
    locale = get_locale()
    found = _BOUND.get(locale)
    if found is None:
        found = _template_gettext(_catalogue())
        if locale is not None:
            _BOUND[locale] = found
    return found


def install_template_gettext(app) -> None:
    """Templates' _() and ngettext() through the catalogue of the locale in force (same strings,
    same catalogues): bound to it for each render; a macro imported without context does not see
    the render's and uses the global ones, which look the catalogue up on each call."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_template_gettext())
    app.context_processor(_render_gettext)
