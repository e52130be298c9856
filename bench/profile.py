"""`python -m bench.profile FIGURE [SECONDS]`: sample one gunicorn worker under wrk load with py-spy.

FIGURE is one of survey_get, submit, delivery, widget_uncached. The app runs under the same
gunicorn settings as the benchmark but with one worker, so every sample is of the loaded
process; the collapsed stacks go to bench/profile-FIGURE.txt and the heaviest frames, inclusive
and own, are printed. Small data (BENCH_REVIEWS/BENCH_RESPONSES, default 2,000 each).
"""

from __future__ import annotations

import collections
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

os.environ.setdefault("BENCH_REVIEWS", "2000")
os.environ.setdefault("BENCH_RESPONSES", "2000")
os.environ.setdefault("BENCH_WORKERS", "1")

from surveys import create_app  # noqa: E402
from surveys.models import utcnow  # noqa: E402

from . import run, web  # noqa: E402


def summary(collapsed: Path, top: int = 45) -> str:
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    out = [f"{total} samples"]
    out += ["-- inclusive --"] + [f"{100 * n / total:5.1f}%  {f}" for f, n in inclusive.most_common(top)]
    out += ["-- own --"] + [f"{100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(out)


def main() -> None:
    figure = sys.argv[1]
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    tmp = Path(tempfile.mkdtemp(prefix="postventa-profile-"))
    try:
        env = run._env(f"sqlite:///{tmp / 'bench.db'}", secrets.token_urlsafe(32))
        if figure == "widget_uncached":
            env["SURVEYS_WIDGET_CACHE_SECONDS"] = "0"
        os.environ.update(env)
        seeded = run._seed(create_app(), {"reviews": run.REVIEWS, "responses": run.RESPONSES})
        srv = web.Gunicorn("wsgi:app", env)
        try:
            url, lua, headers = srv.url, None, None
            if figure == "survey_get":
                lua = web.get_script(seeded["survey_paths"])
            elif figure == "submit":
                lua = web.survey_post_script(srv.url, seeded["survey_paths"])
            elif figure == "delivery":
                lua = web.delivery_script(seeded["api_key"], utcnow().isoformat())
            elif figure == "widget_uncached":
                url += f"/widget/v1/{seeded['widget_key']}/products/SKU-000/reviews.json?page=1&per_page=10"
            else:
                sys.exit(f"unknown figure {figure}")
            (worker,) = srv.worker_pids()
            out = Path(__file__).resolve().parent / f"profile-{figure}.txt"
            load = threading.Thread(target=web.wrk, args=(url, headers, lua), kwargs={"seconds": seconds + 4})
            load.start()
            subprocess.run(
                [shutil.which("py-spy") or str(web.BIN / "py-spy"), "record", "-p", str(worker), "-d", str(seconds),
                 "-r", "200", "-f", "raw", "-o", str(out), "--nonblocking"],
                check=True, capture_output=True,
            )  # fmt: skip
            load.join()
            print(summary(out))
        finally:
            srv.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
