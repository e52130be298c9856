"""`python -m bench.cpu [FIGURE ...] [-n N] [--profile]`: CPU time per request, in-process.

The same requests as the web figures (survey page, answer, one delivery, the uncached widget
and its 304), sent N times straight into the WSGI app with production settings on a small
throw-away SQLite database, timed with the process's own CPU clock. Unlike req/s beside a
baseline this hardly moves with the machine's load, so it compares two versions of the code
on a shared machine; ``--profile`` prints the heaviest functions (cProfile, cumulative).
Under ``valgrind --tool=callgrind`` the instruction count of a fixed N is repeatable exactly.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_REVIEWS", "500")
os.environ.setdefault("BENCH_RESPONSES", "500")

FIGURES = ("survey_get", "submit", "delivery", "widget_uncached", "widget_uncached_304")
# Not in the default list: what every request pays. ``constant`` is the baseline's view (a constant
# JSON body) mounted on the app, so it goes through all of the app's request machinery (hooks,
# session, database session teardown, middleware); ``baseline`` is bench/baseline.py's app itself.
FIXED = ("constant", "baseline")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("figures", nargs="*", default=list(FIGURES))
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="postventa-cpu-"))
    try:
        from . import run

        env = run._env(f"sqlite:///{tmp / 'bench.db'}", secrets.token_urlsafe(32))
        env["SURVEYS_WIDGET_CACHE_SECONDS"] = "0"
        os.environ.update(env)
        from surveys import create_app
        from surveys.models import utcnow

        app = create_app()
        if "constant" in args.figures:
            from flask import jsonify

            from .baseline import BODY

            app.add_url_rule("/bench/constant", "bench_constant", lambda: jsonify(BODY))
        seeded = run._seed(app, {"reviews": run.REVIEWS, "responses": run.RESPONSES})
        gc.collect()  # as wsgi.py does in a worker once the app is built
        gc.freeze()
        for figure in args.figures:
            _measure(app, seeded, figure, args.n, args.profile, utcnow().isoformat())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _requests(app, seeded: dict, figure: str, delivered_at: str):
    """A function sending the figure's k-th request and returning its status."""
    if figure == "baseline":
        from .baseline import app as baseline

        plain = baseline.test_client()
        return lambda k: plain.get("/").status_code
    client = app.test_client()
    if figure == "constant":
        return lambda k: client.get("/bench/constant").status_code
    paths = seeded["survey_paths"]
    if figure == "survey_get":
        return lambda k: client.get(paths[k % len(paths)]).status_code
    if figure == "submit":
        forms = [  # each invitation's form, with its own CSRF token
            {
                "nps": "9",
                "comment": "Llegó rápido pero la caja venía golpeada",
                "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', client.get(p).get_data(as_text=True))[1],
            }
            for p in paths
        ]
        headers = {"X-Requested-With": "fetch", "Accept": "application/json"}
        return lambda k: client.post(paths[k % len(paths)], data=forms[k % len(paths)], headers=headers).status_code
    if figure == "delivery":
        run_id = secrets.token_hex(4)
        auth = {"Authorization": f"Bearer {seeded['api_key']}"}

        def deliver(k):
            ref = f"C{run_id}-{k}"
            body = {
                "order_id": ref,
                "delivered_at": delivered_at,
                "customer": {"email": f"{ref}@example.com", "name": "Ana Lopez", "locale": "es-MX"},
                "items": [{"sku": "SKU-001", "name": "Producto 1"}],
            }
            return client.post("/api/v1/deliveries", json=body, headers=auth).status_code

        return deliver
    url = f"/widget/v1/{seeded['widget_key']}/products/SKU-000/reviews.json?page=1&per_page=10"
    if figure == "widget_uncached":
        return lambda k: client.get(url).status_code
    etag = client.get(url).headers["ETag"]
    return lambda k: client.get(url, headers={"If-None-Match": etag}).status_code


def _measure(app, seeded: dict, figure: str, n: int, profile: bool, delivered_at: str) -> None:
    send = _requests(app, seeded, figure, delivered_at)
    statuses = {send(k) for k in range(20)}  # warm: templates compiled, statements cached
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.process_time()
    for k in range(20, 20 + n):
        statuses.add(send(k))
    cpu = time.process_time() - start
    if profiler:
        profiler.disable()
    print(f"{figure:22s} {1000 * cpu / n:7.3f} ms CPU per request ({n} requests, statuses {sorted(statuses)})")
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
