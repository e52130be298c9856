"""The invitation email as a phone shows it, in real Chromium: the card and its 0-10 row fit a
360-390 px screen without sideways scrolling, in both languages, and keep their 560 px on a desktop."""

from __future__ import annotations

import email

import pytest

from surveys.extensions import db
from surveys.services.invitation_mail import queue_invitation_mail

from ..browsing import ARTIFACTS, watch
from ..factories import deliver, make_store

pytestmark = pytest.mark.browser

LAYOUT = """() => { const links = [...document.querySelectorAll('a[aria-label]')].map(a => a.getBoundingClientRect());
    const card = document.querySelector('table table').getBoundingClientRect();
    return {scroll: document.documentElement.scrollWidth, card: [card.left, card.right],
            links: links.map(r => [r.left, r.right, r.top, r.height].map(Math.round))}; }"""


@pytest.fixture
def mails(app):
    store = make_store(name="Cerámica Barro & Co")[0]
    found = {}
    for locale in ("es-MX", "en-US"):
        invitation = deliver(store, customer={"email": f"ana.{locale}@example.com", "name": "Ana", "locale": locale})
        row = queue_invitation_mail(invitation, "invitation")
        db.session.commit()
        raw = row.raw if isinstance(row.raw, bytes) else row.raw.encode()
        html = next(p for p in email.message_from_bytes(raw).walk() if p.get_content_type() == "text/html")
        found[locale[:2]] = html.get_payload(decode=True).decode(html.get_content_charset() or "utf-8")
    return found


@pytest.mark.parametrize("width", [360, 375, 390, 1366])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_invitation_fits_a_phone_without_scrolling_sideways(browser, mails, lang, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = watch(page)
    page.set_content(mails[lang])
    shown = page.evaluate(LAYOUT)
    page.screenshot(path=str(ARTIFACTS / f"mail-{lang}-{width}.png"), full_page=True)
    assert shown["scroll"] <= width
    assert len(shown["links"]) == 11  # 0-10
    assert shown["card"][1] <= width
    assert all(right <= shown["card"][1] for _, right, _, _ in shown["links"])
    assert len({top for _, _, top, _ in shown["links"]}) == 1  # one row
    assert all(right - left >= 24 and height >= 36 for left, right, _, height in shown["links"])  # still a tap target
    if width > 600:
        assert shown["card"][1] - shown["card"][0] == 560
    assert problems == []
    page.close()
