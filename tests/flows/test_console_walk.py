"""The guard: every staff page in the URL map and every customer page, in Spanish and English,
at 390 px and 1366 px, on the seeded demo shop, in a real Chromium over a live server.

Each page must answer below 500, log no console error, not scroll sideways, show no raw
code (an enum value, ``key=value`` details) in its visible text, and give every image and
chart a text alternative. Screenshots go to test-artifacts/console-walk/ for a person to look at.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Invitation, Response, Review, StaffUser, Task
from surveys.services import demo
from surveys.services.tokens import issue_token

from ..browsing import ARTIFACTS
from ..factories import make_store, sent_invitation
from ..live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ARTIFACTS / "console-walk"
WIDTHS = {"phone": 390, "desktop": 1366}
SKIP = {"staff.login"}  # walked signed out, first
DOWNLOADS = {  # files, not pages (the photos are seen on the review pages that show them)
    "staff.audit_csv",
    "staff.moderation_log_csv",
    "staff.responses_csv",
    "staff.dashboard_json",
    "staff.review_photo",
    "staff.review_photo_thumb",
}
CSVS = [  # each download's header and rows are checked like a page's text
    ("responses", "/staff/responses.csv"),
    ("audit", "/staff/audit.csv"),
    ("moderation-log", "/staff/reviews/log.csv"),
    ("moderation-log-filtered", "/staff/reviews/log.csv?what=rejected"),
]

# Codes that must never reach a reader: stored values with underscores, key=value details,
# and (on Spanish pages) the English words the database stores.
CODE = re.compile(
    r"\b(?:low_csat|hidden_detractor|negative_review|personal_data|off_topic|size_fit|reply_set|store_settings|"
    r"responses_csv|privacy_export|privacy_erase|review_action|task_action|[a-z]+_[a-z_]+=|flags=|rating=|status=)"
)
ENGLISH_CODES = re.compile(
    r"\b(?:open|contacted|resolved|dismissed|refund|replacement|coupon|apology|submitted|published|pending|"
    r"rejected|system|promoter|passive|detractor|negative|positive|abuse|spam|link|delivery|packaging|support)\b"
)

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
UNLABELLED = """() => {
  const bad = [];
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) bad.push(img.outerHTML.slice(0, 80));
  }
  for (const svg of document.querySelectorAll('svg')) {
    const hidden = svg.getAttribute('aria-hidden') === 'true';
    const named = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby') || svg.querySelector('title');
    if (!hidden && !named) bad.push(svg.outerHTML.slice(0, 80));
  }
  return bad;
}"""


# How many rows the staff menu's entries sit on (one top per row, a few pixels apart at most).
MENU_ROWS = """() => {
  const items = document.querySelectorAll('.main-nav > a, .main-nav > details > summary');
  const tops = Array.from(items).map(e => e.getBoundingClientRect().top).sort((a, b) => a - b);
  let rows = tops.length ? 1 : 0;
  for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > 4) rows++;
  const bar = document.querySelector('header.bar').getBoundingClientRect().height;
  const line = items.length ? items[0].getBoundingClientRect().height : 0;
  return bar > 2.5 * line + 20 ? Math.max(rows, 2) : rows;
}"""


def _check_csv(page, server, name, url, problems, lang):
    """A download as the reader gets it: the header row in words (no code, no snake_case, on
    Spanish downloads no English), and no raw code in the rows either."""
    import csv
    import io

    resp = page.request.get(server.url + url)
    if resp.status != 200:
        problems.append(f"{name}: HTTP {resp.status}")
        return
    rows = list(csv.reader(io.StringIO(resp.text())))
    header = rows[0]
    snake = [h for h in header if re.fullmatch(r"[a-z]+(?:_[a-z]+)*", h)]
    codes = set(CODE.findall(resp.text())) | set(snake)
    if lang == "es":
        codes |= set(ENGLISH_CODES.findall(" ".join(header)))
        if "log" in url or "audit" in url:  # the log's own words (not the customers' text in "Why")
            for row in rows[1:]:
                codes |= set(ENGLISH_CODES.findall(" ".join(row[1:4] + row[6:])))
    if codes:
        problems.append(f"{name}: raw codes {sorted(codes)}")
    (SHOTS / f"{name}.csv").write_text(resp.text(), encoding="utf-8")


def _staff_urls(app, ids: dict) -> list[tuple[str, str]]:
    """Every GET page of the staff blueprint (from the URL map, so new pages are walked too),
    plus the tabs and filters a user reaches from them."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("staff.") or "GET" not in rule.methods:
            continue
        if rule.endpoint in SKIP or rule.endpoint in DOWNLOADS:
            continue
        url = rule.rule
        if rule.endpoint == "staff.password_reset_confirm":
            url = "/staff" + ids["reset"]  # a real reset link, not another purpose's token
        for arg, value in ids.items():
            url = url.replace(f"<id:{arg}>", str(value)).replace(f"<{arg}>", str(value))
        assert "<" not in url, f"no sample id for {rule.rule}"
        urls.append((rule.endpoint.split(".", 1)[1], url))
    for status in ("contacted", "resolved", "dismissed", "all"):
        urls.append((f"tasks-{status}", f"/staff/tasks?status={status}"))
    for status in ("published", "rejected"):
        urls.append((f"reviews-{status}", f"/staff/reviews?status={status}"))
    urls.append(("dashboard-filtered", "/staff/?category=detractor&product=TAZA-01"))
    urls.append(("responses-filtered", "/staff/responses?topic=delivery&language=es"))
    return sorted(urls)


def _seed(app):
    info = demo.seed_demo(orders=160)  # the demo's mix (every task state, reviews, flags), smaller
    store = info["store"]
    db.session.commit()
    first = db.session.scalar
    task = first(select(Task).where(Task.store_id == store.id, Task.status == "open").order_by(Task.id))
    resolved = first(select(Task).where(Task.store_id == store.id, Task.status == "resolved").order_by(Task.id))
    from surveys.services import staff_invitations

    admin = first(select(StaffUser).where(StaffUser.email == demo.DEMO_ADMIN))
    invite = staff_invitations.invite_member(store, admin, "nueva@demo.test", "agent")
    from surveys.services import password_reset

    agent = first(select(StaffUser).where(StaffUser.email != demo.DEMO_ADMIN, StaffUser.email.like("%@demo.test")))
    ids = {
        "reset": password_reset.reset_url(agent).rsplit("/staff", 1)[1],
        "token": issue_token("staff_invite", invite.public_id),
        "task_id": task.id,
        "response_id": first(select(Response.id).where(Response.store_id == store.id).order_by(Response.id)),
        "review_id": first(select(Review.id).where(Review.store_id == store.id)),
    }
    customer = {}
    for lang in ("es", "en"):
        fresh = sent_invitation(store, customer={"email": f"walk-{lang}@example.com", "name": "Ana", "locale": lang})
        old = sent_invitation(store, customer={"email": f"old-{lang}@example.com", "name": "Ana", "locale": lang})
        old.status = "expired"  # never answered, past its time
        customer[lang] = [
            ("survey", f"/s/{issue_token('survey', fresh.public_id)}"),
            ("survey-one-click", f"/s/{issue_token('survey', fresh.public_id)}?score=3"),
            ("unsubscribe", f"/u/{issue_token('unsubscribe', fresh.public_id)}"),
            ("expired", f"/s/{issue_token('survey', old.public_id)}"),
            ("invalid", "/s/not-a-token"),
        ]
    resolved.response.invitation.locale = "es"
    followup = issue_token("followup", resolved.public_id)
    customer["es"].append(("followup", f"/f/{followup}"))
    en_task = first(
        select(Task)
        .join(Response, Response.id == Task.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Task.status == "resolved", Invitation.locale == "en")
    )
    if en_task is not None:
        customer["en"].append(("followup", f"/f/{issue_token('followup', en_task.public_id)}"))
    for lang in ("es", "en"):
        customer[lang] += [
            ("widget-frame", f"/widget/v1/{store.widget_key}/products/TAZA-01/frame?lang={lang}"),
            ("widget-policy", f"/widget/v1/{store.widget_key}/policy?lang={lang}"),
            ("storefront", f"/demo/storefront?lang={lang}"),
        ]
    make_store(name="Otra")  # a second store the admin does not belong to
    db.session.commit()
    return store, ids, customer


def _check(page, server, name, url, problems, lang, submit=False):
    errors = []

    def console(message):
        if message.type == "error":
            errors.append(message.text)

    def crashed(exc):
        errors.append(str(exc))

    page.on("console", console)
    page.on("pageerror", crashed)
    try:
        _visit(page, server, name, url, problems, lang, submit, errors)
    finally:
        page.remove_listener("console", console)
        page.remove_listener("pageerror", crashed)


def _visit(page, server, name, url, problems, lang, submit, errors):
    resp = page.goto(server.url + url)
    page.wait_for_load_state("load")
    if url == "/api/docs":  # Swagger UI draws the operations after loading the document
        page.wait_for_selector(".opblock", timeout=15000)
    if submit:  # answer the survey with a review: the thank-you page
        page.check("input[name=nps][value='9']", force=True)
        page.fill("#comment", "Todo bien")
        for field in page.query_selector_all("input[name$='-rating'][value='5']"):
            field.check(force=True)
        with page.expect_navigation():
            page.click("#survey button[type=submit]")
        resp = None
    status = resp.status if resp else 200
    if status >= 500:
        problems.append(f"{name}: HTTP {status}")
    width = page.viewport_size["width"]
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"{name}: scrolls sideways by {overflow}px at {width}px")
    if width >= 1366 and page.query_selector(".main-nav"):
        rows = page.evaluate(MENU_ROWS)
        if rows != 1:
            problems.append(f"{name}: the staff menu takes {rows} rows at {width}px")
    text = page.inner_text("body")
    codes = set(CODE.findall(text))
    if lang == "es":
        own = page.evaluate(
            "() => Array.from(document.querySelectorAll('.comment, blockquote, .user-text, textarea, .review-body'))"
            ".map(e => e.innerText).join(' ')"
        )
        codes |= set(ENGLISH_CODES.findall(text)) - set(ENGLISH_CODES.findall(own))
    if codes:
        problems.append(f"{name}: raw codes {sorted(codes)}")
    unlabelled = page.evaluate(UNLABELLED)
    if unlabelled:
        problems.append(f"{name}: no text alternative for {unlabelled}")
    if 400 <= status < 500:  # an error page's own status is the right answer, not a console fault
        errors = [
            e
            for e in errors
            if not e.startswith(f"Failed to load resource: the server responded with a status of {status}")
        ]
    if errors:
        problems.append(f"{name}: console errors {errors}")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_every_page_in_both_languages_and_sizes_passes_the_guard(browser, app, make_app):
    started = time.monotonic()
    store, ids, customer = _seed(app)
    print(f"seeded in {time.monotonic() - started:.1f}s")
    SHOTS.mkdir(parents=True, exist_ok=True)
    thanks_urls = {}
    for lang in ("es", "en"):
        for size in WIDTHS:
            email = f"thanks-{lang}-{size}@example.com"
            fresh = sent_invitation(store, customer={"email": email, "name": "Ana", "locale": lang})
            thanks_urls[(lang, size)] = f"/s/{issue_token('survey', fresh.public_id)}"
    db.session.commit()
    server_app = make_app(WTF_CSRF_ENABLED=True, ENV="development")
    staff_urls = _staff_urls(server_app, ids)
    problems: list[str] = []
    db.session.rollback()
    with LiveServer(server_app) as server:
        server_app.config["BASE_URL"] = server.url  # absolute links (the widget's photo URLs) reach this server
        store.widget_origins = [server.url]  # the demo storefront frames the widget from this origin
        db.session.commit()
        for lang in ("es", "en"):
            admin = db.session.scalar(select(StaffUser).where(StaffUser.email == demo.DEMO_ADMIN))
            admin.locale = lang
            db.session.commit()
            for size, width in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
                page = context.new_page()
                _check(
                    page, server, f"{lang}-{size}-signed-out-password_reset", "/staff/password-reset", problems, lang
                )
                reset = "/staff" + ids["reset"]
                _check(page, server, f"{lang}-{size}-signed-out-password_reset_confirm", reset, problems, lang)
                # The API's page is for developers and in English, whatever the reader's language.
                _check(page, server, f"{lang}-{size}-api-docs", "/api/docs", problems, "en")
                _check(page, server, f"{lang}-{size}-login", "/staff/login", problems, lang)
                page.fill("#email", demo.DEMO_ADMIN)
                page.fill("#password", demo.DEMO_PASSWORD)
                page.click("button.primary")
                page.wait_for_url("**/staff/")
                for name, url in staff_urls:
                    _check(page, server, f"{lang}-{size}-staff-{name}", url, problems, lang)
                if size == "desktop":
                    for name, url in CSVS:
                        _check_csv(page, server, f"{lang}-csv-{name}", url, problems, lang)
                for name, url in customer[lang]:
                    _check(page, server, f"{lang}-{size}-customer-{name}", url, problems, lang)
                thanks = thanks_urls[(lang, size)]
                _check(page, server, f"{lang}-{size}-customer-thanks", thanks, problems, lang, submit=True)
                page.close()
                context.close()
    (SHOTS / "problems.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert problems == []
