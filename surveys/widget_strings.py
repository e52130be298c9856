"""The review widget's words: embed.js is served with this table for each language, from the
same .po catalogues as every page (msgctxt "review widget", spelled out in each call so pybabel
extracts it), built once per locale and process. The script fills the `{x}` fields; a pair is
[one, many] for the script's own plural choice (by the number it is about: a bar's label and the
filter notice by its stars)."""

from __future__ import annotations

import functools

from flask_babel import force_locale, npgettext, pgettext


def _table() -> dict:
    return {
        "reviews": [npgettext("review widget", "review", "reviews", n) for n in (1, 2)],
        "none": pgettext("review widget", "No reviews of this product yet."),
        "of": pgettext("review widget", "out of 5"),
        "stars": [npgettext("review widget", "star", "stars", n) for n in (1, 2)],
        "verified": pgettext("review widget", "Verified purchase"),
        "reply": pgettext("review widget", "Reply from the shop"),
        "prev": pgettext("review widget", "Previous"),
        "next": pgettext("review widget", "Next"),
        "page": pgettext("review widget", "Page {p} of {n}"),
        "dist": pgettext("review widget", "Reviews by stars"),
        "bar": [
            npgettext("review widget", "{s} star: {c}. Show only these", "{s} stars: {c}. Show only these", n)
            for n in (1, 2)
        ],
        "sort": pgettext("review widget", "Sort by:"),
        "all": pgettext("review widget", "Show all"),
        "more": pgettext("review widget", "Show more reviews"),
        "only": [npgettext("review widget", "{s}-star reviews. ", "{s}-star reviews. ", n) for n in (1, 2)],
        "sorts": {
            "newest": pgettext("review widget", "Newest"),
            "highest": pgettext("review widget", "Highest rated"),
            "lowest": pgettext("review widget", "Lowest rated"),
            "photos": pgettext("review widget", "With photos first"),
        },
        "photo": pgettext("review widget", "Photo {i} of {n} from {a}"),
        "viewer": pgettext("review widget", "Photos from {a}"),
        "count": pgettext("review widget", "{i} of {n}"),
        "close": pgettext("review widget", "Close"),
        "prevPhoto": pgettext("review widget", "Previous photo"),
        "nextPhoto": pgettext("review widget", "Next photo"),
        "how": pgettext("review widget", "How we verify reviews"),
        "list": pgettext("review widget", "Customer reviews"),
        "badge": pgettext("review widget", "{a} out of 5 stars, {c} {w}"),
    }


@functools.cache
def widget_strings(lang: str) -> dict:
    """The widget's words in ``lang`` (needs an app context the first time per language)."""
    with force_locale(lang):
        return _table()
