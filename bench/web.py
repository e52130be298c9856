"""Web figures: gunicorn serving the app or the baseline, loaded by wrk over loopback.

Every figure is a ratio to the baseline measured in the same run with the same gunicorn
settings, interleaved (baseline, app, baseline, app, ...) so that drift hits both alike.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))


def csrf_session(url: str, timeout: float = 30) -> tuple[str, str]:
    """Open one survey page like a browser: the session cookie and the form's CSRF token."""
    resp = urllib.request.urlopen(url, timeout=timeout)
    cookie = resp.headers["Set-Cookie"].split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', resp.read().decode()).group(1)
    return cookie, token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn -w WORKERS` on a free loopback port, the same settings for app and baseline."""

    def __init__(self, target: str, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--backlog", "2048", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz" if "wsgi" in target else self.url, timeout=1).read()
                return
            except Exception:  # not listening yet
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_peak_rss_kib(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        peaks = []
        for pid in out:
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
        return peaks

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk(url: str, headers: dict[str, str] | None = None, lua: str | None = None) -> float:
    """Requests per second of one bounded wrk run (non-2xx/3xx answers make it fail)."""
    cmd = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(lua)
        script.close()
        cmd += ["-s", script.name]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=SECONDS + 60).stdout
    if script:
        os.unlink(script.name)
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError("the benchmark got error answers:\n" + out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def compare(base_url: str, app_url: str, headers=None, lua=None) -> dict:
    """Interleaved runs; the ratio of medians plus every absolute number."""
    base, app = [], []
    for _ in range(RUNS):
        base.append(wrk(base_url))
        app.append(wrk(app_url, headers, lua))
    return {
        "ratio": round(statistics.median(app) / statistics.median(base), 3),
        "rps": round(statistics.median(app)),
        "rps_runs": [round(x) for x in app],
        "baseline_rps": round(statistics.median(base)),
        "baseline_rps_runs": [round(x) for x in base],
    }


def post_script(paths: list[str], body: str, cookie: str) -> str:
    """wrk Lua: POST the survey form to many invitations in turn, with the session's CSRF cookie."""
    lua_paths = ",".join(f'"{p}"' for p in paths)
    return f"""
local paths = {{{lua_paths}}}
local n = 0
wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["X-Requested-With"] = "fetch"
wrk.headers["Accept"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, paths[(n % #paths) + 1])
end
"""
