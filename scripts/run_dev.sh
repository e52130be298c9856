#!/usr/bin/env bash
# Development server and background worker side by side; Ctrl-C stops both.
# PORT chooses another port when 5000 is taken (PORT=5050 make run).
set -euo pipefail
trap 'kill 0 2>/dev/null' EXIT INT TERM
port="${PORT:-5000}"
.venv/bin/flask --app surveys worker &
echo "Web: http://127.0.0.1:${port}  (mail is written to instance/outbox/*.eml)"
.venv/bin/flask --app surveys run --host 127.0.0.1 --port "${port}" --no-reload
