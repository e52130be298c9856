"""Web figures: gunicorn serving the app or the baseline, loaded by wrk over loopback.

Every figure is a ratio to the baseline measured in the same run with the same gunicorn
settings, interleaved (baseline, app, baseline, app, ...) so that drift hits both alike.
"""

from __future__ import annotations

import os
import re
import secrets
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


def csrf_session(url: str, timeout: float = 30) -> tuple[str | None, str]:
    """Open one survey page like a browser: its session cookie (None: the page sets none) and the
    form's CSRF token."""
    resp = urllib.request.urlopen(url, timeout=timeout)
    cookie = resp.headers.get("Set-Cookie")
    token = re.search(r'name="csrf_token" value="([^"]+)"', resp.read().decode()).group(1)
    return (cookie.split(";")[0] if cookie else None), token


ANSWER_BODY = "nps=9&comment=Lleg%C3%B3+r%C3%A1pido+pero+la+caja+ven%C3%ADa+golpeada&csrf_token="


def survey_post_script(app_url: str, paths: list[str]) -> str:
    """wrk Lua for survey answers: each invitation's page opened once like a browser, then its
    form (the form's own CSRF token, a comment to analyse) posted to it in turn."""
    opened = [csrf_session(app_url + path) for path in paths]
    cookies = {cookie for cookie, _ in opened if cookie}
    return post_script(
        paths, [ANSWER_BODY + token for _, token in opened], cookies.pop() if len(cookies) == 1 else None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS: dict[str, Gunicorn] = {}  # by base URL, to read the workers' CPU time around a wrk run


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (from /proc, in clock ticks)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


class Gunicorn:
    """`gunicorn -w WORKERS` on a free loopback port, the same settings for app and baseline."""

    def __init__(self, target: str, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        SERVERS[self.url] = self
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "--backlog", "2048", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.time() + 120  # the app imports for seconds on a busy machine
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz" if "wsgi" in target else self.url, timeout=1).read()
                return
            except Exception:  # not listening yet
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        return [int(pid) for pid in out]

    def worker_peak_rss_kib(self) -> list[int]:
        """Each worker's own peak resident set (VmHWM), in KiB."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
        return peaks

    def stop(self) -> None:
        SERVERS.pop(self.url, None)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk(url: str, headers: dict[str, str] | None = None, lua: str | None = None, seconds: int = SECONDS) -> float:
    """Requests per second of one bounded wrk run (non-2xx/3xx answers make it fail)."""
    return wrk_run(url, headers, lua, seconds)[0]


def wrk_run(url: str, headers=None, lua: str | None = None, seconds: int = SECONDS) -> tuple[float, float | None]:
    """(requests per second, CPU milliseconds the server's workers spent per request)."""
    server = next((srv for base, srv in SERVERS.items() if url.startswith(base)), None)
    pids = server.worker_pids() if server else []
    cpu_before = cpu_seconds(pids)
    cmd = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(lua.replace("__RUN__", secrets.token_hex(4)))  # fresh ids in every run
        script.close()
        cmd += ["-s", script.name]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    if script:
        os.unlink(script.name)
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError("the benchmark got error answers:\n" + out)
    cpu = cpu_seconds(pids) - cpu_before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, (1000 * cpu / requests if pids and requests else None)


def compare(base_url: str, app_url: str, headers=None, lua=None) -> dict:
    """Interleaved runs; the ratio of medians plus every absolute number."""
    base, app, base_cpu, app_cpu = [], [], [], []
    wrk_run(base_url, seconds=1)  # warm both: templates compiled, statements cached, modules imported
    wrk_run(app_url, headers, lua, seconds=2)
    for _ in range(RUNS):
        rps, cpu = wrk_run(base_url)
        base.append(rps)
        base_cpu.append(cpu)
        rps, cpu = wrk_run(app_url, headers, lua)
        app.append(rps)
        app_cpu.append(cpu)
    pairs = [a / b for a, b in zip(app, base, strict=True)]  # each run beside the baseline run before it
    return {
        "ratio": round(statistics.median(app) / statistics.median(base), 3),
        "ratio_min": round(min(pairs), 3),
        "ratio_max": round(max(pairs), 3),
        "rps": round(statistics.median(app)),
        "rps_runs": [round(x) for x in app],
        "baseline_rps": round(statistics.median(base)),
        "baseline_rps_runs": [round(x) for x in base],
        # CPU time of the server's workers per request: what one request costs, whatever else
        # the machine runs at the same time (wrk's own CPU is not in it)
        "cpu_ms_per_request": _median_or_none(app_cpu),
        "cpu_ms_per_request_runs": [None if x is None else round(x, 3) for x in app_cpu],
        "baseline_cpu_ms_per_request": _median_or_none(base_cpu),
        "cpu_ratio": (
            round(_median_or_none(base_cpu) / _median_or_none(app_cpu), 3)
            if None not in base_cpu + app_cpu and _median_or_none(app_cpu)
            else None
        ),
    }


def _median_or_none(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def post_script(paths: list[str], bodies: list[str], cookie: str | None = None) -> str:
    """wrk Lua: POST each path's form body to it, the paths in turn (with a session cookie if given)."""
    lua_paths = ",".join(f'"{p}"' for p in paths)
    lua_bodies = ",".join(f'"{b}"' for b in bodies)
    cookie_line = f'wrk.headers["Cookie"] = "{cookie}"' if cookie else ""
    return f"""
local paths = {{{lua_paths}}}
local bodies = {{{lua_bodies}}}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
{cookie_line}
wrk.headers["X-Requested-With"] = "fetch"
wrk.headers["Accept"] = "application/json"
request = function()
  n = n + 1
  local i = (n % #paths) + 1
  return wrk.format(nil, paths[i], nil, bodies[i])
end
"""


def get_script(paths: list[str]) -> str:
    """wrk Lua: GET many paths in turn (e.g. a survey page per invitation)."""
    lua_paths = ",".join(f'"{p}"' for p in paths)
    return f"""
local paths = {{{lua_paths}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


def delivery_script(api_key: str, delivered_at: str) -> str:
    """wrk Lua: POST /api/v1/deliveries, one new order (and new customer) per request.

    Order ids are unique per wrk thread and per run (``__RUN__`` is replaced for every run)."""
    return f"""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local ref = "W__RUN__-" .. tid .. "-" .. n
  local body = '{{"order_id":"' .. ref .. '","delivered_at":"{delivered_at}",' ..
    '"customer":{{"email":"' .. ref .. '@example.com","name":"Ana Lopez","locale":"es-MX"}},' ..
    '"items":[{{"sku":"SKU-001","name":"Producto 1"}}]}}'
  return wrk.format("POST", "/api/v1/deliveries", {{
    ["Authorization"] = "Bearer {api_key}",
    ["Content-Type"] = "application/json",
  }}, body)
end
"""
