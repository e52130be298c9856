"""`python -m bench.rss [-n N]`: a web worker's memory, at start and after each kind of request.

Starts ``gunicorn wsgi:app`` with one sync worker (production settings, a small throw-away
SQLite database), then sends N survey pages, N answers with a comment, N single deliveries,
N widget requests (micro-cache off) and three batches of 1,000 deliveries, printing the
worker's VmRSS and VmHWM (its peak, what ``worker_peak_rss_mb`` reports) after each step.
Memory does not move with the machine's load, so one run compares two versions of the code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

os.environ.setdefault("BENCH_REVIEWS", "500")
os.environ.setdefault("BENCH_RESPONSES", "500")
os.environ["BENCH_WORKERS"] = "1"


def _status_kib(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return tuple(int(re.search(rf"{key}:\s+(\d+)", status)[1]) for key in ("VmRSS", "VmHWM"))


def _send(url: str, data: bytes | None = None, headers: dict | None = None) -> bytes:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=60)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="postventa-rss-"))
    try:
        from . import run, web

        env = run._env(f"sqlite:///{tmp / 'bench.db'}", secrets.token_urlsafe(32))
        env["SURVEYS_WIDGET_CACHE_SECONDS"] = "0"
        os.environ.update(env)
        from surveys import create_app
        from surveys.models import utcnow

        seeded = run._seed(create_app(), {"reviews": run.REVIEWS, "responses": run.RESPONSES})
        srv = web.Gunicorn("wsgi:app", env)
        try:
            (pid,) = srv.worker_pids()
            _measure(srv.url, pid, seeded, args.n, utcnow().isoformat())
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(url: str, pid: int, seeded: dict, n: int, now: str) -> None:
    def report(step: str) -> None:
        rss, hwm = _status_kib(pid)
        print(f"{step:32s} VmRSS {rss / 1024:6.1f} MB   VmHWM {hwm / 1024:6.1f} MB", flush=True)

    report("start (one /healthz)")
    paths = seeded["survey_paths"][:n]
    tokens = {}
    for p in paths:
        page = _send(url + p).decode()
        tokens[p] = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    report(f"{len(paths)} survey pages")
    for k, p in enumerate(paths):
        form = {"nps": str(k % 11), "comment": "Llegó rápido pero la caja venía golpeada", "csrf_token": tokens[p]}
        headers = {"X-Requested-With": "fetch", "Accept": "application/json", "Origin": url}
        _send(url + p, urllib.parse.urlencode(form).encode(), headers)
    report(f"{len(paths)} answers with a comment")
    auth = {"Authorization": f"Bearer {seeded['api_key']}", "Content-Type": "application/json"}
    for k in range(n):
        body = {
            "order_id": f"R{k}",
            "delivered_at": now,
            "customer": {"email": f"r{k}@example.com", "name": "Ana Lopez", "locale": "es-MX"},
            "items": [{"sku": "SKU-001", "name": "Producto 1"}],
        }
        _send(url + "/api/v1/deliveries", json.dumps(body).encode(), auth)
    report(f"{n} single deliveries")
    widget = f"{url}/widget/v1/{seeded['widget_key']}/products/SKU-%03d/reviews.json?page=1&per_page=10"
    for k in range(n):
        _send(widget % (k % 200))
    report(f"{n} widget reviews.json")
    for b in range(3):
        items = [
            {"order_id": f"B{b}-{k}", "delivered_at": now,
             "customer": {"email": f"b{b}.{k}@example.com", "name": "Ana López", "locale": "es-MX"},
             "items": [{"sku": f"SKU-{k % 200:03d}", "name": f"Producto {k % 200}"}]}
            for k in range(1000)
        ]  # fmt: skip
        _send(url + "/api/v1/deliveries/batch", json.dumps({"deliveries": items}).encode(), auth)
    report("three batches of 1,000")


if __name__ == "__main__":
    main()
