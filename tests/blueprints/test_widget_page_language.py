"""The widget's pages a person opens without ``?lang=`` (the iframe a shop pastes, the review
policy page) speak the store's language, whatever the browser sends; ``?lang=`` still wins."""

from __future__ import annotations

import pytest

from surveys.extensions import db

from ..factories import make_store, sent_invitation

ENGLISH = ('<html lang="en"', "Customer reviews: B mug")
SPANISH = ('<html lang="es"', "Reseñas de clientes: B mug")


@pytest.fixture
def stores(app):
    found = {}
    for locale in ("en", "es"):
        store = make_store(name=f"Shop {locale}", locale=locale)[0]
        sent_invitation(store, items=[{"sku": "TAZA-01", "name": "B mug"}])
        found[locale] = store.widget_key
    db.session.rollback()
    return found


@pytest.mark.parametrize("browser", [None, "en-US,en;q=0.9", "es-MX,es;q=0.9"])
@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_frame_and_the_policy_speak_the_stores_language_unless_asked(client, stores, locale, browser):
    headers = {"Accept-Language": browser} if browser else {}
    key, words = stores[locale], ENGLISH if locale == "en" else SPANISH
    frame = client.get(f"/widget/v1/{key}/products/TAZA-01/frame", headers=headers).get_data(as_text=True)
    assert all(w in frame for w in words)
    assert f'data-lang="{locale}"' in frame
    policy = client.get(f"/widget/v1/{key}/policy", headers=headers).get_data(as_text=True)
    assert f'<html lang="{locale}"' in policy
    other = "es" if locale == "en" else "en"
    asked = client.get(f"/widget/v1/{key}/products/TAZA-01/frame?lang={other}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{other}"' in asked and f'data-lang="{other}"' in asked
    asked = client.get(f"/widget/v1/{key}/policy?lang={other}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{other}"' in asked


def test_a_store_language_the_widget_does_not_speak_falls_back_to_the_browser(client, stores):
    key = stores["en"]
    db.session.execute(db.text("UPDATE stores SET locale = 'pt' WHERE widget_key = :k"), {"k": key})
    db.session.commit()
    for browser, lang in (("en-US,en;q=0.9", "en"), ("es-AR", "es"), ("pt-BR", "es")):
        page = client.get(f"/widget/v1/{key}/policy", headers={"Accept-Language": browser}).get_data(as_text=True)
        assert f'<html lang="{lang}"' in page, browser
