"""Cluster smoke test (`make cluster-smoke`): the scale-out path, end to end, on loopback.

Two gunicorn instances and two workers share one PostgreSQL database and one Redis
(rate-limit storage). 2,000 deliveries are pushed through both instances at once (every
batch twice, once to each), the workers mail them to an SMTP sink, then every customer
answers through both instances at once (twice each). It checks that every invitation was
mailed exactly once and every response stored exactly once. Exit status 0 = passed.

Needs PostgreSQL and Redis: SMOKE_DATABASE_URL (an admin URL; a throw-away database is
created beside it) and SMOKE_REDIS_URL, with local defaults.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.smtp_sink import FastSink  # noqa: E402
from bench.web import csrf_session, free_port  # noqa: E402

ADMIN_URL = os.environ.get("SMOKE_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/15")
DELIVERIES = int(os.environ.get("SMOKE_DELIVERIES", "2000"))
BIN = Path(sys.executable).parent


def say(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:  # not up yet
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _post_json(url: str, body: dict, key: str) -> dict:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    )
    return json.loads(urllib.request.urlopen(req, timeout=60).read())


def _answer(base: str, path: str, score: int) -> int:
    """Open the survey like a browser (cookie + CSRF token), then send the score."""
    cookie, token = csrf_session(base + path)
    data = urllib.parse.urlencode({"nps": score, "comment": "Llegó bien", "csrf_token": token}).encode()
    req = urllib.request.Request(base + path, data, {"Cookie": cookie, "X-Requested-With": "fetch"})
    try:
        return urllib.request.urlopen(req, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def main() -> int:
    name = f"postventa_smoke_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    sink = FastSink(log_recipients=True)
    sink.start()
    env = {
        **os.environ,
        "SURVEYS_ENV": "production",
        "SURVEYS_SECRET_KEY": secrets.token_urlsafe(32),
        "SURVEYS_DATABASE_URL": url,
        "SURVEYS_REDIS_URL": REDIS_URL,
        "SURVEYS_MAIL_BACKEND": "smtp",
        "SURVEYS_MAIL_SERVER": "127.0.0.1",
        "SURVEYS_MAIL_PORT": str(sink.port),
        "SURVEYS_WORKER_INTERVAL_SECONDS": "1",
        "SURVEYS_API_RATE_LIMIT": "100000 per minute",
    }
    procs: list[subprocess.Popen] = []
    failures: list[str] = []
    try:
        flask = [str(BIN / "flask"), "--app", "surveys"]
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        os.environ.update({k: v for k, v in env.items() if k.startswith("SURVEYS_")})
        from surveys import create_app
        from surveys.extensions import db
        from surveys.models import Invitation, OutboxMessage
        from surveys.services import tenancy
        from surveys.services.tokens import issue_token

        app = create_app()
        with app.app_context():
            store = tenancy.create_store("Smoke", "smoke", "es", "America/Mexico_City", "Smoke <hola@smoke.test>")
            store.send_delay_minutes = 0
            key = tenancy.create_api_key(store)
            db.session.commit()
            store_id = store.id
        ports = [free_port(), free_port()]
        for port in ports:
            procs.append(
                subprocess.Popen(
                    [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base in bases:
            _wait_http(base + "/healthz")
        say(f"2 web instances ({', '.join(bases)}), PostgreSQL {name}, Redis {REDIS_URL}")

        delivered_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 3600))
        batches = []
        for b in range(0, DELIVERIES, 100):
            batches.append(
                {"deliveries": [
                    {"order_id": f"SMOKE-{n}", "delivered_at": delivered_at,
                     "customer": {"email": f"cliente{n}@smoke.example.com", "name": "Ana López", "locale": "es-MX"},
                     "items": [{"sku": "TAZA-01", "name": "Taza"}]}
                    for n in range(b, min(b + 100, DELIVERIES))
                ]}
            )  # fmt: skip
        start = time.time()
        jobs = [(bases[i % 2], batch) for batch in batches for i in (0, 1)]  # each batch to both instances
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda job: _post_json(job[0] + "/api/v1/deliveries/batch", job[1], key), jobs))
        say(f"{DELIVERIES:,} deliveries pushed twice through both instances in {time.time() - start:.1f} s")

        for _ in range(2):
            procs.append(subprocess.Popen(flask + ["worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))  # fmt: skip
        engine = sa.create_engine(url)
        deadline = time.time() + 300
        while time.time() < deadline:
            with engine.connect() as conn:
                sent = conn.execute(sa.text("SELECT count(*) FROM outbox WHERE status = 'sent'")).scalar()
            if sent >= DELIVERIES:
                break
            time.sleep(1)
        time.sleep(3)  # let a duplicate, if any, arrive
        say(f"workers mailed {sent:,} invitations in {time.time() - start:.1f} s")

        recipients = sink.recipients()
        counts: dict[str, int] = {}
        for rcpt in recipients:
            counts[rcpt] = counts.get(rcpt, 0) + 1
        twice = [r for r, c in counts.items() if c > 1]
        with app.app_context():
            invitations = db.session.scalars(sa.select(Invitation).where(Invitation.store_id == store_id)).all()
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
            paths = [f"/s/{issue_token('survey', i.public_id)}" for i in invitations]
        if len(invitations) != DELIVERIES:
            failures.append(f"{len(invitations)} invitations for {DELIVERIES} deliveries")
        if len(counts) != DELIVERIES or twice or rows != DELIVERIES:
            failures.append(f"{len(counts)} customers mailed, {len(twice)} twice, {rows} outbox rows")

        start = time.time()
        jobs = [(bases[i % 2], p, 9 - i) for p in paths for i in (0, 1)]  # each answer through both, at once
        with ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda job: _answer(*job), jobs))
        bad = [s for s in statuses if s != 200]
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT count(*), count(DISTINCT invitation_id) FROM responses")).one()
        say(f"{len(jobs):,} answers through both instances in {time.time() - start:.1f} s; "
            f"{stored[0]:,} responses stored")  # fmt: skip
        if bad:
            failures.append(f"{len(bad)} answers failed: {sorted(set(bad))}")
        if stored[0] != DELIVERIES or stored[1] != DELIVERIES:
            failures.append(f"{stored[0]} responses for {stored[1]} invitations, expected {DELIVERIES}")
        engine.dispose()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        sink.stop()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    if failures:
        say("FAILED: " + "; ".join(failures))
        return 1
    say(f"passed: every invitation mailed once ({DELIVERIES:,}), every response stored once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
