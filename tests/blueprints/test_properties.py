"""Property-based tests over every public input surface: query strings of every GET route (found
in the URL map), the survey and staff forms, the API's JSON bodies, correctly signed platform
webhooks, CSV rows and command-line arguments. Whatever comes in, the answer is 2xx, 3xx or 4xx,
never 5xx, and a 4xx writes nothing (every table is counted before and after).

Deterministic for CI (``derandomize``) and small (a few dozen examples per surface).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Review, Task, utcnow
from surveys.services.tenancy import create_staff_user
from surveys.services.tokens import issue_token

from ..factories import SETTINGS_FORM, make_store, sent_invitation, survey_path, table_counts

PASSWORD = "una clave muy larga"  # noqa: S105
DATA = Path(__file__).resolve().parents[1] / "data"
FAST = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# Values that broke parsers before, or would break a hand-written one.
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "5",
    "10",
    "²",
    "٣",
    "1_0",
    "1e9",
    "0x10",
    "99999999999999999999999",
    "2026-11-01",
    "9999-12-31",
    "0001-01-01",
    "20261101",
    "2026-W01-1",
    "2026-11-01T00:00:00",
    "2026-11-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "10000-01-01T00:00:00Z",
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "\u2028",
    "{0.__class__}",
    "{first_name.__class__}",
    "</script><script>alert(1)</script>",
    "//evil.example",
    "/\\evil.example",
    "https://127.0.0.1/",
    "https://good.example@127.0.0.1/",
    "javascript:alert(1)",
    "a" * 5000,
    _cursor("2026-11-01T00:00:00|1"),
    _cursor("9999-12-31T23:59:59-23:59|1"),
    _cursor("id|99999999999"),
    _cursor("id|-1"),
    "promoter",
    "published",
    "open",
    "es",
    "photos",
    "TAZA-01,TAZA-02",
]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
PARAMS = [
    "page",
    "per_page",
    "lang",
    "rating",
    "sort",
    "skus",
    "score",
    "from",
    "to",
    "category",
    "topic",
    "language",
    "hidden",
    "product",
    "status",
    "cursor",
    "limit",
    "updated_since",
    "next",
]
QUERIES = st.dictionaries(st.sampled_from(PARAMS), TEXT, max_size=4)


def check(resp, before: dict[str, int], writes_ok: bool = True) -> None:
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    if 400 <= resp.status_code < 500 or not writes_ok:
        assert table_counts() == before


@pytest.fixture
def world(app, client):
    """One store with a sent, answered invitation, a task, a published review, staff, and a
    second store; every path parameter of every route can be filled with something real."""
    store, key = make_store(slug="barro", reviews_auto_publish=True)
    other = make_store(slug="otra")[0]
    create_staff_user("admin@barro.test", store, "admin", PASSWORD)
    create_staff_user("agente@barro.test", store, "agent", PASSWORD)
    db.session.commit()
    answered = sent_invitation(store, items=[{"sku": "TAZA-01", "name": "Taza"}])
    data = {"nps": "2", "comment": "Llegó roto", "review-TAZA-01-rating": "4", "review-TAZA-01-publish": "1"}
    assert client.post(survey_path(answered), data=data).status_code == 200
    task = db.session.scalar(select(Task))
    resolved = sent_invitation(store)
    client.post(survey_path(resolved), data={"nps": "1"})
    done = db.session.scalar(select(Task).where(Task.id != task.id))
    done.status, done.resolved_at = "resolved", utcnow()
    fresh = sent_invitation(store)
    db.session.commit()
    return {
        "x": "x",
        "store": store,
        "other": other,
        "key": key,
        "fresh": fresh,
        "token": issue_token("survey", fresh.public_id),
        "unsubscribe": issue_token("unsubscribe", fresh.public_id),
        "followup": issue_token("followup", done.public_id),
        "widget_key": store.widget_key,
        "feed_key": getattr(store, "feed_key", "x"),
        "sku": "TAZA-01",
        "slug": store.slug,
        "order_id": fresh.order.order_ref,
        "task_id": task.id,
        "review_id": db.session.scalar(select(Review.id)),
        "response_id": task.response_id,
    }


def _login(client, email="admin@barro.test"):
    assert client.post("/staff/login", data={"email": email, "password": PASSWORD}).status_code == 302


def _get_routes(app, world, prefix: str) -> list[str]:
    """Every GET route under ``prefix`` with its path parameters filled in from the world."""
    tokens = {"public.survey": "token", "public.unsubscribe_page": "unsubscribe", "public.followup": "followup"}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(prefix) or rule.endpoint == "static":
            continue
        values = {
            name: world[tokens.get(rule.endpoint, "x")] if name == "token" else world.get(name, "x")
            for name in rule.arguments
        }
        paths.append(rule.build(values, append_unknown=False)[1])
    return sorted(paths)


@pytest.mark.parametrize("prefix", ["/s/", "/u/", "/f/", "/widget/", "/api/", "/staff/", "/healthz", "/demo/"])
def test_query_strings_of_every_get_route_never_get_a_5xx(app, client, world, prefix):
    paths = _get_routes(app, world, prefix)
    assert paths or prefix == "/demo/"
    if prefix == "/staff/":
        _login(client)
    headers = {"Authorization": f"Bearer {world['key']}"} if prefix == "/api/" else {}

    @FAST
    @given(path=st.sampled_from(paths or ["/healthz"]), query=QUERIES)
    def run(path, query):
        before = table_counts()
        resp = client.get(path, query_string=query, headers=headers)
        check(resp, before, writes_ok=path.endswith(".csv"))  # an export is audited; nothing else writes

    run()


SURVEY_FIELDS = [
    "nps",
    "csat",
    "comment",
    "review-TAZA-01-rating",
    "review-TAZA-01-title",
    "review-TAZA-01-body",
    "review-TAZA-01-publish",
    "display_name",
    "score",
]


def test_the_survey_form_takes_any_fields(client, world):
    path = f"/s/{world['token']}"

    @FAST
    @given(form=st.dictionaries(st.sampled_from(SURVEY_FIELDS), TEXT, max_size=5))
    def run(form):
        before = table_counts()
        check(client.post(path, data=form), before)

    run()


def test_follow_up_and_unsubscribe_forms_take_any_fields(client, world):
    @FAST
    @given(
        path=st.sampled_from([f"/f/{world['followup']}", f"/u/{world['unsubscribe']}", "/u/x", "/f/x", "/s/x"]),
        form=st.dictionaries(st.sampled_from(["score", "List-Unsubscribe", "confirm"]), TEXT, max_size=3),
    )
    def run(path, form):
        before = table_counts()
        check(client.post(path, data=form), before)

    run()


SETTINGS_FIELDS = [
    "survey_kind",
    "send_delay_days",
    "reminder_delay_days",
    "send_window",
    "brand_color",
    "timezone",
    "opens",
    "closes",
    "open_saturday",
    "holidays",
    "sla_first_contact_hours",
    "sla_resolution_hours",
    "reply_register",
    "alert_emails",
    "outbound_url",
    "widget_origins",
    "reviews_auto_publish",
    "tpl_es_subject",
    "tpl_es_body",
    "tpl_en_subject",
    "tpl_en_body",
]


def test_the_settings_form_takes_any_fields(client, world):
    _login(client)

    @FAST
    @given(form=st.dictionaries(st.sampled_from(SETTINGS_FIELDS), TEXT, max_size=4))
    def run(form):
        before = table_counts()
        check(client.post("/staff/settings", data={**SETTINGS_FORM, **form}), before)

    run()


STAFF_POSTS = [
    ("note", ["body"]),
    ("contacted", ["how"]),
    ("resolve", ["resolution", "coupon_code", "note"]),
    ("reply", ["subject", "body"]),
    ("dismiss", ["reason"]),
    ("assign", ["assignee_id"]),
]


def test_staff_task_and_review_forms_take_any_fields(client, world):
    _login(client)
    task, review = world["task_id"], world["review_id"]
    targets = [(f"/staff/tasks/{task}/{action}", names) for action, names in STAFF_POSTS]
    targets += [
        (f"/staff/reviews/{review}/{action}", ["reason", "note", "reply", "back"])
        for action in ("publish", "reject", "reply")
    ]
    targets += [
        ("/staff/me", ["locale", "on_shift"]),
        ("/staff/store", ["store_id"]),
        ("/staff/privacy/export", ["email"]),
        ("/staff/users", ["user_id", "role", "active", "email", "password"]),
    ]

    @FAST
    @given(target=st.sampled_from(targets), data=st.data())
    def run(target, data):
        path, names = target
        form = data.draw(st.dictionaries(st.sampled_from(names), TEXT, max_size=len(names)))
        before = table_counts()
        check(client.post(path, data=form), before)

    run()


def test_sign_in_takes_any_fields_and_next(client, world):
    @FAST
    @given(next_url=TEXT, email=TEXT, password=st.sampled_from([PASSWORD, "", "x\x00"]))
    def run(next_url, email, password):
        before = table_counts()
        resp = client.post("/staff/login", query_string={"next": next_url}, data={"email": email, "password": password})
        assert resp.status_code < 500
        if resp.status_code == 302:
            assert "\n" not in resp.headers["Location"] and not resp.headers["Location"].startswith("//")
        else:
            assert table_counts() == before
        client.post("/staff/logout")

    run()


# -- JSON bodies -----------------------------------------------------------------------------------

JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False), TEXT
)
JSON_ANY = st.recursive(
    JSON_LEAF, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(TEXT, kids, max_size=3), max_leaves=8
)


def _delivery() -> dict:
    return {
        "order_id": "P-1",
        "delivered_at": (utcnow() - timedelta(days=2)).isoformat(),
        "customer": {"email": "ana@example.com", "name": "Ana", "locale": "es-MX"},
        "items": [{"sku": "TAZA-01", "name": "Taza", "url": "https://shop.example/taza"}],
    }


DELIVERY_PATHS = [
    ("order_id",),
    ("delivered_at",),
    ("customer",),
    ("customer", "email"),
    ("customer", "name"),
    ("customer", "locale"),
    ("items",),
    ("items", 0, "sku"),
    ("items", 0, "name"),
    ("items", 0, "url"),
    ("items", 0, "image_url"),
]


def _mutated(base, path, value):
    node = base
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return base


DELIVERIES = st.builds(
    lambda path, value, order: _mutated(_mutated(_delivery(), ("order_id",), order), path, value),
    st.sampled_from(DELIVERY_PATHS),
    JSON_ANY,
    st.text(alphabet="ABC123", min_size=1, max_size=6),
)


def test_delivery_bodies_single_and_batch(client, world):
    headers = {"Authorization": f"Bearer {world['key']}", "Content-Type": "application/json"}

    @FAST
    @given(
        body=st.one_of(
            DELIVERIES,
            JSON_ANY,
            st.builds(lambda items: {"deliveries": items}, st.lists(DELIVERIES | JSON_ANY, max_size=3)),
        ),
        path=st.sampled_from(["/api/v1/deliveries", "/api/v1/deliveries/batch"]),
        idempotency=st.sampled_from([None, "k1", "", "x" * 200]),
    )
    def run(body, path, idempotency):
        extra = {"Idempotency-Key": idempotency} if idempotency is not None else {}
        before = table_counts()
        resp = client.post(path, data=json.dumps(body), headers={**headers, **extra})
        check(resp, before)

    run()


def test_raw_bytes_as_json_bodies(client, world):
    headers = {"Authorization": f"Bearer {world['key']}", "Content-Type": "application/json"}
    paths = ["/api/v1/deliveries", "/api/v1/deliveries/batch", f"/api/v1/reviews/{world['review_id']}/moderation"]

    @FAST
    @given(raw=st.one_of(st.binary(max_size=64), st.sampled_from([b"[" * 5000, b'{"a":' * 3000, b"NaN", b"1e999"])))
    def run(raw):
        for path in paths:
            before = table_counts()
            check(client.post(path, data=raw, headers=headers), before)

    run()


def test_moderation_bodies(client, world):
    headers = {"Authorization": f"Bearer {world['key']}", "Content-Type": "application/json"}
    path = f"/api/v1/reviews/{world['review_id']}/moderation"
    fields = st.sampled_from(["action", "reason", "note", "reply", "extra"])
    values = st.one_of(st.sampled_from(["publish", "reject", "abuse", "other"]), JSON_ANY)

    @FAST
    @given(body=st.one_of(st.dictionaries(fields, values, max_size=4), JSON_ANY))
    def run(body):
        before = table_counts()
        check(client.post(path, data=json.dumps(body), headers=headers), before)

    run()


# -- webhooks, signed with the store's secret so the parser is reached ------------------------------

SAMPLES = {
    "shopify": ["fulfillment_delivered.json", "orders_fulfilled.json", "order_cancelled.json", "refund_created.json"],
    "woocommerce": ["order_completed.json", "order_refunded.json"],
}
HEADER = {"shopify": "X-Shopify-Hmac-Sha256", "woocommerce": "X-WC-Webhook-Signature"}


def _keys(value, prefix=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from _keys(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _keys(child, (*prefix, index))


@pytest.mark.parametrize("platform", ["shopify", "woocommerce"])
def test_signed_webhook_bodies(client, world, platform):
    store = world["store"]
    samples = [json.loads((DATA / platform / name).read_text(encoding="utf-8")) for name in SAMPLES[platform]]

    @FAST
    @given(data=st.data())
    def run(data):
        body = json.loads(json.dumps(data.draw(st.sampled_from(samples))))
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from(list(_keys(body))))
            body = _mutated(body, path, data.draw(JSON_ANY))
        raw = json.dumps(body).encode()
        signature = base64.b64encode(hmac.new(store.webhook_secret.encode(), raw, hashlib.sha256).digest()).decode()
        before = table_counts()
        resp = client.post(
            f"/hooks/{platform}/{store.slug}",
            data=raw,
            headers={HEADER[platform]: signature, "Content-Type": "application/json"},
        )
        check(resp, before)

    run()


# -- CSV rows and command-line arguments -----------------------------------------------------------

CSV_COLUMNS = ["order_id", "email", "name", "locale", "delivered_at", "sku", "product_name"]
CSV_TEXT = st.one_of(
    st.sampled_from(NASTY + ["ana@example.com", (utcnow() - timedelta(days=2)).isoformat()]), st.text(max_size=20)
)


def _no_crash(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.output


def test_csv_rows(runner, world, tmp_path):
    @FAST
    @given(rows=st.lists(st.fixed_dictionaries({c: CSV_TEXT for c in CSV_COLUMNS}), min_size=1, max_size=3))
    def run(rows):
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        path = tmp_path / "deliveries.csv"
        path.write_text(out.getvalue().replace("\x00", ""), encoding="utf-8")
        before = table_counts()
        result = runner.invoke(args=["deliveries", "import", str(path), "--store", "barro"])
        _no_crash(result)
        if "created 0," in result.output:
            assert table_counts() == before

    run()


def test_command_line_arguments(runner, world):
    commands = st.one_of(
        st.builds(
            lambda n, s, tz, w: ["store", "create", n, "--slug", s, "--timezone", tz, "--send-window", w],
            TEXT,
            TEXT,
            TEXT,
            TEXT,
        ),
        st.builds(lambda url: ["store", "webhook", "barro", url], TEXT),
        st.builds(lambda email: ["user", "create", email, "--store", "barro", "--role", "agent"], TEXT),
        st.builds(lambda email: ["customer", "export", email, "--store", "barro"], TEXT),
        st.builds(lambda slug: ["deliveries", "import", "/nonexistent.csv", "--store", slug], TEXT),
    )

    @FAST
    @given(args=commands)
    def run(args):
        before = table_counts()
        result = runner.invoke(args=[a.replace("\x00", "") for a in args])
        _no_crash(result)
        if result.exit_code != 0:
            assert table_counts() == before

    run()
