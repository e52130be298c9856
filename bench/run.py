"""`make bench`: generate the data, measure, write bench/results.json (keys per CONTRACT.md).

The database is a throw-away SQLite file unless BENCH_DATABASE_URL names another
(e.g. postgresql+psycopg://127.0.0.1/bench). Sizes: BENCH_REVIEWS (100,000) and
BENCH_RESPONSES (1,000,000).

Quick mode, to iterate on one figure: ``BENCH_ONLY=survey_get,submit`` measures only the
named figures (see FIGURES), and ``BENCH_QUICK=1`` loads 5,000 reviews and 20,000 responses
unless the sizes are given. A partial or quick run writes bench/results-quick.json, never
bench/results.json.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, update

from surveys import create_app
from surveys.extensions import db
from surveys.models import Invitation, Store, utcnow
from surveys.services import intake, tenancy
from surveys.services.tokens import issue_token

from . import backend, data, sentiment, web
from .smtp_sink import FastSink

FIGURES = (
    "sentiment", "widget", "survey_get", "submit", "delivery", "ingest", "widget_uncached", "metrics",
    "postgresql", "dispatch",
)  # fmt: skip
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ONLY = {f.strip() for f in os.environ.get("BENCH_ONLY", "").split(",") if f.strip()}
if ONLY - set(FIGURES):
    sys.exit(f"BENCH_ONLY: unknown figures {sorted(ONLY - set(FIGURES))}; known: {', '.join(FIGURES)}")
FULL = not QUICK and not ONLY
OUT = Path(__file__).resolve().parent / ("results.json" if FULL else "results-quick.json")
REVIEWS = int(os.environ.get("BENCH_REVIEWS", "5000" if QUICK else "100000"))
RESPONSES = int(os.environ.get("BENCH_RESPONSES", "20000" if QUICK else "1000000"))


def want(figure: str) -> bool:
    return not ONLY or figure in ONLY


def _ratio_keys(key: str, figure: dict) -> dict:
    """``key`` (ratio of the medians) with ``key_min``/``key_max`` (the runs' own ratios)."""
    return {key: figure["ratio"], f"{key}_min": figure["ratio_min"], f"{key}_max": figure["ratio_max"]}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _database(tmp: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:  # a clean schema each run
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return url


def _env(url: str, secret: str) -> dict[str, str]:
    return {
        "SURVEYS_ENV": "production",
        "SURVEYS_SECRET_KEY": secret,
        "SURVEYS_DATABASE_URL": url,
        "SURVEYS_API_RATE_LIMIT": "1000000 per minute",
        "SURVEYS_BASE_URL": "http://127.0.0.1",
    }


def _seed(app, sizes: dict) -> dict:
    rng = random.Random(7)  # noqa: S311 - benchmark data
    with app.app_context():
        upgrade()
        shop = tenancy.create_store("Bench", "bench", "es", "America/Mexico_City", "Bench <hola@bench.test>")
        big = tenancy.create_store("Marketplace", "marketplace", "es", "America/Mexico_City", "M <m@bench.test>")
        mailer = tenancy.create_store("Mailer", "mailer", "es", "America/Mexico_City", "Mailer <hola@bench.test>")
        api_key = tenancy.create_api_key(shop)
        db.session.commit()
        start = time.perf_counter()
        products = data.products(shop, 200)
        first, n = data.answered_orders(shop, sizes["reviews"], products, rng)
        data.reviews(shop, products, first, n, rng)
        log(f"{n:,} reviews loaded in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        data.answered_orders(big, sizes["responses"], [], rng, with_items=False)
        log(f"{sizes['responses']:,} responses loaded in {time.perf_counter() - start:.1f} s")
        survey_paths = _open_surveys(shop)
        return {
            "widget_key": shop.widget_key,
            "api_key": api_key,
            "survey_paths": survey_paths,
            "shop_id": shop.id,
            "big_id": big.id,
            "mailer_id": mailer.id,
        }


def _open_surveys(shop: Store, count: int = 200) -> list[str]:
    """Invitations mailed and waiting for an answer, for the survey POST benchmark."""
    for k in range(count):
        intake.record_delivery(
            shop,
            intake.validate_delivery(
                {"order_id": f"S{k}", "delivered_at": utcnow().isoformat(),
                 "customer": {"email": f"s{k}@example.com", "name": "Ana López", "locale": "es-MX"},
                 "items": [{"sku": "SKU-000", "name": "Producto 0"}]}
            ),
        )  # fmt: skip
    db.session.commit()
    db.session.execute(
        update(Invitation).where(Invitation.store_id == shop.id, Invitation.status == "scheduled")
        .values(status="sent", sent_at=utcnow())
    )  # fmt: skip
    db.session.commit()
    ids = db.session.scalars(
        select(Invitation.public_id).where(Invitation.store_id == shop.id, Invitation.status == "sent")
    ).all()
    return [f"/s/{issue_token('survey', pid)}" for pid in ids]


def _submit(base_url: str, app_url: str, paths: list[str]) -> dict:
    """Survey POSTs (each invitation's form with its CSRF token, a comment to analyse)."""
    return web.compare(base_url, app_url, lua=web.survey_post_script(app_url, paths))


def _survey_get(base_url: str, app_url: str, paths: list[str]) -> dict:
    """The survey page as a customer opens it from the email, one invitation after another."""
    return web.compare(base_url, app_url, lua=web.get_script(paths))


def _delivery(base_url: str, app_url: str, api_key: str) -> dict:
    """POST /api/v1/deliveries: one new order of a new customer per request."""
    return web.compare(base_url, app_url, lua=web.delivery_script(api_key, utcnow().isoformat()))


def _ingest(app_url: str, api_key: str) -> dict:
    """10 batches of 1,000 new deliveries through the HTTP API, one after the other."""
    start = time.perf_counter()
    for b in range(10):
        items = [
            {"order_id": f"I{b}-{k}", "delivered_at": utcnow().isoformat(),
             "customer": {"email": f"i{b}.{k}@example.com", "name": "Ana López", "locale": "es-MX"},
             "items": [{"sku": f"SKU-{k % 200:03d}", "name": f"Producto {k % 200}"}]}
            for k in range(1000)
        ]  # fmt: skip
        req = urllib.request.Request(
            app_url + "/api/v1/deliveries/batch",
            data=json.dumps({"deliveries": items}).encode(),
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        )
        body = json.loads(urllib.request.urlopen(req, timeout=120).read())
        assert len(body["results"]) == 1000, body
    return {"ingest_batch_10k_s": round(time.perf_counter() - start, 2)}


PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _metrics_on_postgres(sqlite_metrics: dict) -> dict:
    """The marketplace figure on the scale-out database, in a throw-away PostgreSQL database;
    the SQLite figure is reported beside it (``*_sqlite``)."""
    out = {f"{k}_sqlite" if k.startswith("metrics_1m") else k: v for k, v in sqlite_metrics.items()}
    try:
        from sqlalchemy import create_engine

        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        name = f"postventa_bench_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # no PostgreSQL here: report the SQLite figure as the figure
        log(f"PostgreSQL not reachable ({exc.__class__.__name__}); metrics measured on SQLite only")
        return {**sqlite_metrics, **out}
    try:
        url = sa_url(PG_URL, name)
        pg_app = create_app({"DATABASE_URL": url})
        with pg_app.app_context():
            upgrade()
            store = tenancy.create_store("Marketplace", "marketplace", "es", "America/Mexico_City", "M <m@b.test>")
            db.session.commit()
            start = time.perf_counter()
            data.answered_orders_server_side(store.id, RESPONSES)
            log(f"{RESPONSES:,} responses loaded in PostgreSQL in {time.perf_counter() - start:.1f} s")
            log("metrics over the marketplace's responses (PostgreSQL)")
            out.update(backend.metrics_ms(store))
            out["metrics_query_plans"] = backend.query_plans(store)
            shop = tenancy.create_store("Bench", "bench", "es", "America/Mexico_City", "Bench <hola@bench.test>")
            db.session.commit()
            paths = _open_surveys(shop)
            db.session.remove()
            db.engine.dispose()
        log("survey POST on PostgreSQL (concurrent writers)")
        env = {**_env(url, os.environ["SURVEYS_SECRET_KEY"])}
        base, srv = web.Gunicorn("bench.baseline:app", env), web.Gunicorn("wsgi:app", env)
        try:
            submit = _submit(base.url, srv.url, paths)
        finally:
            base.stop()
            srv.stop()
        out["submit_rps_ratio_postgresql"] = submit["ratio"]
        out["submit_postgresql"] = submit
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    out["metrics_database"] = "postgresql"
    return out


def sa_url(base: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base).set(database=database).render_as_string(hide_password=False)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for the web figures (apt-get install wrk)")
    results: dict = {"complete": FULL, "figures": sorted(ONLY) if ONLY else list(FIGURES), "quick": QUICK}
    tmp = Path(tempfile.mkdtemp(prefix="postventa-bench-"))
    try:
        url = _database(tmp)
        env = _env(url, secrets.token_urlsafe(32))
        os.environ.update(env)
        app = create_app()
        results["database"] = app.config["DATABASE_URL"].split(":")[0]
        seeded = _seed(app, {"reviews": REVIEWS, "responses": RESPONSES})
        results["sizes"] = {"reviews": REVIEWS, "responses": RESPONSES}

        if want("sentiment"):
            log("sentiment + topics throughput")
            results.update(sentiment.measure())

        base = web.Gunicorn("bench.baseline:app", env)
        try:
            srv = web.Gunicorn("wsgi:app", env)
        except Exception:
            base.stop()
            raise
        widget = f"{srv.url}/widget/v1/{seeded['widget_key']}/products/SKU-000/reviews.json?page=1&per_page=10"
        etag = urllib.request.urlopen(widget).headers["ETag"]
        try:
            if want("widget"):
                log("widget reviews.json, full answer")
                cold = web.compare(base.url, widget)
                log("widget reviews.json, 304")
                hot = web.compare(base.url, widget, headers={"If-None-Match": etag})
                results.update({**_ratio_keys("widget_rps_ratio", cold), "widget": cold})
                results.update({**_ratio_keys("widget_304_rps_ratio", hot), "widget_304": hot})
            if want("survey_get"):
                log("survey page GET /s/<token>")
                page = _survey_get(base.url, srv.url, seeded["survey_paths"])
                results.update({**_ratio_keys("survey_get_rps_ratio", page), "survey_get": page})
            if want("submit"):
                log("survey POST with CSRF and comment analysis")
                submit = _submit(base.url, srv.url, seeded["survey_paths"])
                results.update({**_ratio_keys("submit_rps_ratio", submit), "submit": submit})
            if want("delivery"):
                log("POST /api/v1/deliveries, one new order per request")
                delivery = _delivery(base.url, srv.url, seeded["api_key"])
                results.update({**_ratio_keys("delivery_post_rps_ratio", delivery), "delivery_post": delivery})
            if want("ingest"):
                log("batch ingest 10 x 1,000")
                results.update(_ingest(srv.url, seeded["api_key"]))
            rss = srv.worker_peak_rss_kib()  # each worker's own peak, after everything above
            base_rss = base.worker_peak_rss_kib()
        finally:
            srv.stop()
        try:
            if want("widget_uncached"):
                log("widget reviews.json without the micro-cache (every request through Flask and the database)")
                plain = web.Gunicorn("wsgi:app", {**env, "SURVEYS_WIDGET_CACHE_SECONDS": "0"})
                try:
                    plain_url = widget.replace(srv.url, plain.url)
                    uncached = web.compare(base.url, plain_url)
                    uncached_304 = web.compare(base.url, plain_url, headers={"If-None-Match": etag})
                    rss += plain.worker_peak_rss_kib()
                finally:
                    plain.stop()
                results.update({**_ratio_keys("widget_uncached_rps_ratio", uncached), "widget_uncached": uncached})
                results.update(
                    {**_ratio_keys("widget_uncached_304_rps_ratio", uncached_304), "widget_uncached_304": uncached_304}
                )
        finally:
            base.stop()
        results.update(
            {
                "worker_peak_rss_mb": round(max(rss) / 1024, 1),
                "worker_peak_rss_mb_min": round(min(rss) / 1024, 1),
                "web_worker_peak_rss_kib": rss,
                "baseline_worker_peak_rss_kib": base_rss,
                "gunicorn_workers": web.WORKERS,
                "wrk": {"seconds": web.SECONDS, "connections": web.CONNECTIONS, "runs": web.RUNS},
            }
        )
        if want("metrics") or want("postgresql"):
            with app.app_context():
                big = db.session.get(Store, seeded["big_id"])
                log("metrics over the marketplace's responses (SQLite)")
                sqlite_metrics = backend.metrics_ms(big)
                results["metrics_sqlite_query_plans"] = backend.query_plans(big)
            results.update({k.replace("_ms", "_sqlite_ms", 1): v for k, v in sqlite_metrics.items() if "_ms" in k})
            if want("postgresql"):
                results.update(_metrics_on_postgres(sqlite_metrics))
            else:
                results.update(sqlite_metrics)
        if want("dispatch"):
            sink = FastSink()
            sink.start()
            try:
                mail_app = create_app({**sink.config(), "DISPATCH_BATCH_SIZE": 500})
                with mail_app.app_context():
                    log("dispatch of 10,000 emails to a local SMTP sink")
                    results.update(backend.dispatch(db.session.get(Store, seeded["mailer_id"])))
                results["dispatch_sink_received"] = sink.received
            finally:
                sink.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    log(f"written to {OUT.name}")
    print(json.dumps({k: v for k, v in results.items() if not isinstance(v, (dict, list))}, indent=2))


if __name__ == "__main__":
    main()
