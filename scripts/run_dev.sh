#!/usr/bin/env bash
# Development server and background worker side by side; Ctrl-C stops both.
set -euo pipefail
trap 'kill 0 2>/dev/null' EXIT INT TERM
.venv/bin/flask --app surveys worker &
echo "Web: http://127.0.0.1:5000  (mail is written to instance/outbox/*.eml)"
.venv/bin/flask --app surveys run --host 127.0.0.1 --port 5000 --no-reload
