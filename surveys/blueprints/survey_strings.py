"""The survey page's fixed words: every string of public/survey.html that names no store, customer
or product, translated once per language and process (the catalogues change only with a deploy)
instead of through a gettext call for each on every page. Strings only, never anyone's data.

Each value is what the template's ``_()`` gave: the translation marked safe (it is ours) and
%-formatted, so the page's HTML is unchanged. pybabel extracts the ``_()`` calls below.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from flask_babel import force_locale
from markupsafe import Markup

from ..i18n import _catalogue
from ..services.photos import PER_REVIEW


def _(string: str, **variables) -> Markup:
    return Markup(_catalogue().ugettext(string)) % variables  # noqa: S704 -- the catalogue is ours


def _stars(n: int) -> Markup:
    return Markup(_catalogue().ungettext("%(num)d star", "%(num)d stars", n)) % {"num": n}  # noqa: S704


def _table() -> SimpleNamespace:
    thanks = _("Thank you! Your answer is saved. You can still change it or add a comment.")
    return SimpleNamespace(
        order=_("Your order:"),
        check=_("Please check the highlighted answers."),
        saved=thanks,
        too_big=_("“{name}” is larger than 10 MB and will not be sent."),
        too_many=_("Up to {num} photos per product: only the first ones will be sent."),
        preview=_("New photo: {name}"),
        not_saved=_("We could not save your answer automatically. Please press Send."),
        nps_low=_("Not at all likely"),
        nps_high=_("Extremely likely"),
        csat=_("How satisfied are you with your order?"),
        csat_low=_("Very dissatisfied"),
        csat_high=_("Very satisfied"),
        prompts={
            "detractor": _("What went wrong? (optional)"),
            "passive": _("What was missing? (optional)"),
            "promoter": _("What did you like best? (optional)"),
            "none": _("Would you like to tell us more? (optional)"),
        },
        reviews=_("Review what you bought (optional)"),
        welcome=_(
            "Every review is welcome, good or bad. Reviews are checked only against our content rules, "
            "never by their stars."
        ),
        how=_("How reviews work"),
        stars=[(str(n), _stars(n)) for n in range(1, 6)],  # (radio value, its label)
        title=_("Title"),
        review=_("Your review"),
        photos=_("Photos (optional)"),
        photos_hint=_(
            "Up to %(num)d photos of the product: JPEG, PNG, WebP or HEIC, 10 MB at most each. "
            "We remove the location and camera data.",
            num=PER_REVIEW,
        ),
        publish=_("Publish my review on the shop's website"),
        author=_("Name shown with your review"),
        verified=_("Your review is marked as a verified purchase. Your email is never shown."),
        send=_("Send"),
    )


@functools.cache
def survey_strings(lang: str) -> SimpleNamespace:
    """The page's fixed words in ``lang`` (an app context is needed the first time per language)."""
    with force_locale(lang):
        return _table()
